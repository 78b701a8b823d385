"""Reading activity files: FIT, GPX and TCX, gzipped, in folders and export archives.

Public functions (also available from the top-level :mod:`runload` package):

* :func:`read_activities` — files, folders, zips -> the activities table, with problems
  and an inventory of every file attached;
* :func:`problems` / :func:`inventory` — read those back from the table;
* :func:`read_track` — the per-sample streams of one file or archive member.
"""

from __future__ import annotations

from .ingest import inventory, problems, read_activities
from .track import read_track

__all__ = ["read_activities", "read_track", "problems", "inventory"]

"""What a format reader returns for one file's bytes.

Every reader (``parse_fit``, ``parse_gpx``, ``parse_tcx``) is a pure function
``parse_X(data: bytes, *, source: str) -> Parsed``. It never opens files itself
(archives and gzip are unwrapped by the ingest), so any faster inner loop can replace
it without changing what callers see.

A reader *raises* :class:`runload.errors.ReadError` (with its ``kind``) when nothing
at all can be kept, and *returns* problems when the file was read only in part (the
ingest then marks the problem ``salvaged=True``).
"""

from __future__ import annotations

from typing import Any, NamedTuple

__all__ = ["Parsed"]


class Parsed(NamedTuple):
    """The result of reading one file.

    Attributes
    ----------
    activities : list of dict
        One dict per activity (one per leg of a multisport file), keyed by the
        ``runload.columns.ACTIVITIES`` names except ``athlete``, ``activity_id``,
        ``source``, ``duplicate_of`` (the ingest fills those). Keys a reader does not
        know are left out.
    problems : list of (kind, message)
        What went wrong in this file; kinds are ``runload.columns.PROBLEM_KINDS``.
    not_activity : str or None
        Why a valid file holds no activity by design (e.g. ``"FIT file type
        monitoring_b"``, ``"GPX with waypoints only"``); ``None`` for activity files.
    """

    activities: list[dict[str, Any]]
    problems: list[tuple[str, str]]
    not_activity: str | None = None

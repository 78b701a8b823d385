"""The self-contained HTML report of one runner, and the coach's squad audit page.

Both pages are a single ``.html`` file: the charts are embedded as base64 PNG, the
style sheet is inline, a Content-Security-Policy forbids loading anything from the
network and no JavaScript is used, so the file can be mailed, archived or opened on a
phone offline. Every piece of user-provided text (file names, athlete names, notes in
the pain log) is escaped with :func:`html.escape`.

The package has a module per concern:

``format``
    Small helpers: escaped text, numbers, dates, plurals, the table, the figure.
``charts``
    The figures (weekly mileage with pain bands, forest plot, pain timeline,
    prevention checklist).
``summary``, ``flagged``, ``checklist``, ``weeks``, ``associations`` (with
``method_tables``), ``episodes``, ``problems``, ``parameters``, ``methods``
    One section of the page each (``weeks`` holds the mileage charts and the table of
    all weeks); ``athletes`` selects each athlete's episodes.
``page``
    The runner's report: :func:`render_report` and :func:`write_report`.
``audit``
    The squad audit page: :func:`render_audit` and :func:`write_audit`.
"""

from __future__ import annotations

# Names that were importable from the single-module runload.report stay importable
# (``X as X`` re-exports, not in __all__): the conservation line (runload.demo, tests),
# the checklist's week count, the hatched-week caption, the p-value names, and the
# charts' resolution (tests).
from ..io.ingest import conservation_line as conservation_line
from .audit import render_audit, write_audit
from .charts import PARTIAL_WEEK_TEXT as PARTIAL_WEEK_TEXT
from .checklist import CHECKLIST_WEEKS as CHECKLIST_WEEKS
from .flagged import FLAG_NAMES, flagged_weeks
from .format import _DPI as _DPI
from .method_tables import P_LABELS as P_LABELS
from .methods import REFERENCES
from .page import render_report, write_report
from .summary import headline, summarize

__all__ = [
    "REFERENCES",
    "FLAG_NAMES",
    "summarize",
    "headline",
    "flagged_weeks",
    "write_report",
    "write_audit",
    "render_report",
    "render_audit",
]

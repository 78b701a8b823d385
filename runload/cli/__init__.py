"""The ``runload`` command line.

::

    runload activities SOURCE... [--athlete NAME] [--tz ZONE] [--units km|mi] [--csv OUT]
    runload weekly SOURCE... [--athlete NAME] [--tz ZONE] [--pain LOG] [--habits LOG]
                   [--sleep SOURCE] [--strides] [--date-format FORMAT] [--units km|mi]
                   [--week-start monday|sunday] [--as-of DATE] [THRESHOLDS] [--csv OUT]
    runload report SOURCE... [the options of weekly, without --csv] [-o report.html]
    runload audit SQUAD_DIR [--tz ZONE] [--pain LOG] [--date-format FORMAT] [--units km|mi]
                  [--week-start monday|sunday] [--as-of DATE] [THRESHOLDS]
                  [-o audit.html] [--csv OUT]
    runload sample [DIR]

Every threshold of the weekly rules is an option whose default is read from the
signature of :func:`runload.load.weekly_load`, so the command line and the library
never disagree. ``weekly`` and ``report`` always add the prevention habits of
:func:`runload.habits.weekly_habits` (cross-training, strength, trail share and shoe
rotation come from the activities; a habit that nothing records is "not judged"), from
the habits log, Garmin sleep data and the stride detector when given. The pain log,
the habits log and the sleep source are checked (and read, once; a sleep source must
hold Garmin sleep data) before any activity file is read, and so are every option
value, every output path (``-o``, ``--csv``: its folder must exist and the file be
writable) and the athlete names of the logs (docs/cli.md, "Whose rows").

Exit codes: 0 success; 1 nothing to show (no activity could be read, or ``--as-of`` is
before the first activity) or an input file such as the pain log is unusable; 2 bad
usage (unknown option, missing file, bad value, an output that cannot be written) or a
missing optional package (``runload sample`` without fit-tool). Problems in some activity files are a warning,
not a failure. Every run that reads activity files prints the conservation line
``files seen = activity files + non-activity files + problem files``, where problem
files are those of which nothing was kept; activity files read only in part are
counted after it.

The package has a module per concern: :mod:`.run` (``main``: dispatch and exit codes),
:mod:`.parser` (the argument parser and its help texts), :mod:`.thresholds` (the rule
options read from ``weekly_load``), :mod:`.options` (checks of single option values),
:mod:`.output` (messages, tables, the problems list, CSV), :mod:`.reading` (one
runner's sources), :mod:`.squad` (a squad folder), :mod:`.logs` (pain log, habits log,
sleep), :mod:`.weeks` (the weekly table), :mod:`.errors`, and one module per command:
:mod:`.activities`, :mod:`.weekly`, :mod:`.report`, :mod:`.audit`, :mod:`.sample`.
"""

from __future__ import annotations

from .activities import cmd_activities as cmd_activities
from .audit import _audit_view as _audit_view
from .audit import cmd_audit as cmd_audit
from .errors import NothingReadError as NothingReadError
from .errors import UsageError as UsageError
from .output import PROG as PROG
from .parser import build_parser as build_parser
from .report import cmd_report as cmd_report
from .run import main as main
from .sample import cmd_sample as cmd_sample
from .squad import read_squad as read_squad
from .thresholds import threshold_options as threshold_options
from .weekly import cmd_weekly as cmd_weekly

__all__ = ["main", "build_parser", "threshold_options"]

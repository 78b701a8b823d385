"""The ``runload`` argument parser: subcommands, options and help texts."""

from __future__ import annotations

import argparse
from pathlib import Path

from .. import __version__
from .activities import cmd_activities
from .audit import cmd_audit
from .options import _as_of, _date_format, _positive_int
from .output import PROG
from .report import cmd_report
from .sample import cmd_sample
from .thresholds import _add_thresholds
from .weekly import cmd_weekly


class _Parser(argparse.ArgumentParser):
    """argparse, with errors as one clear line on stderr and exit code 2."""

    def error(self, message: str) -> None:  # noqa: D102 (argparse API)
        self.exit(2, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


def build_parser() -> argparse.ArgumentParser:
    """The ``runload`` argument parser (subcommands and all their options)."""
    quiet = _Parser(add_help=False)
    quiet.add_argument("-q", "--quiet", action="store_true",
                       help="no progress bar and no warnings on stderr")
    common = _Parser(add_help=False, parents=[quiet])
    caching = common.add_mutually_exclusive_group()
    caching.add_argument("--no-cache", dest="cache", action="store_false",
                         help="read every file again; do not use or update the summary cache")
    caching.add_argument("--verify-cache", dest="cache", action="store_const", const="verify",
                         help="use a cached summary only if the file's SHA-256 is unchanged "
                              "(for file systems whose modification times cannot be trusted)")
    common.add_argument("--cache-dir", metavar="DIR", type=Path,
                        help="summary cache folder (default $RUNLOAD_CACHE_DIR, else the user "
                             "cache directory)")
    common.add_argument("--workers", metavar="N", type=_positive_int,
                        help="processes reading files (default: all cores; 1 = no pool)")

    reading = _Parser(add_help=False)
    reading.add_argument("--athlete", metavar="NAME",
                         help="athlete name (default: the folder or archive name)")
    reading.add_argument("--tz", metavar="ZONE",
                         help="IANA time zone of the athlete, e.g. Europe/Oslo, for files that "
                              "do not record their UTC offset (default: UTC)")

    load = _Parser(add_help=False)
    load.add_argument("--pain", metavar="LOG", type=Path,
                      help="back-pain log, CSV (episodes: onset,end,severity,... or a daily "
                           "diary: date,severity,...)")
    load.add_argument("--date-format", metavar="FORMAT", type=_date_format,
                      help="how the dates of the pain and habits logs are written, as a "
                           "strptime format, e.g. %%m/%%d/%%Y for US month-first dates "
                           "(default: YYYY-MM-DD, YYYY/MM/DD, DD.MM.YYYY and Excel serials "
                           "are read and 03/04/2024 is refused as ambiguous)")
    load.add_argument("--units", choices=("km", "mi"), default="km",
                      help="distance unit shown: kilometres or miles (default km)")
    load.add_argument("--week-start", choices=("monday", "sunday"), default="monday",
                      help="first day of the week (default monday)")
    load.add_argument("--as-of", metavar="DATE", type=_as_of,
                      help="last day of the data, YYYY-MM-DD (default: the day of each "
                           "athlete's latest activity); later weeks are incomplete")
    _add_thresholds(load)

    habits = _Parser(add_help=False)
    group = habits.add_argument_group(
        "prevention habits (docs/habits.md; expert advice, not trial results)")
    group.add_argument("--habits", metavar="LOG", type=Path,
                       help="habits log, CSV: date,kind,minutes,value,... (kind: strength, "
                            "core, rehab, strides, sleep, shoe ...; minutes of the session, "
                            "sleep value in hours)")
    group.add_argument("--sleep", metavar="SOURCE", type=Path,
                       help="sleep from a Garmin Connect account export: its .zip, its "
                            "unzipped folder or one *sleepData*.json file (nights in hours; "
                            "habits-log sleep rows win for the same night)")
    group.add_argument("--strides", action="store_true",
                       help="detect strides (short fast efforts) in every run's speed stream; "
                            "off by default because it reads every file again (about half a "
                            "minute for two years of runs)")

    parser = _Parser(
        prog=PROG,
        description="Weekly running load from your own activity files (FIT, GPX, TCX, "
                    "gzipped, folders, Strava/Garmin exports), the training-advice rules as "
                    "flags, and whether back pain followed them.",
        epilog="Exit codes: 0 ok, 1 nothing to show or an unusable input file, 2 bad "
               "usage or a missing optional package. "
               "Docs: docs/cli.md.",
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True

    p = sub.add_parser("activities", parents=[common, reading],
                       help="list the activities found in files, folders or exports",
                       description="List the activities of FIT/GPX/TCX files, folders and "
                                   "export archives; problems are listed at the end.")
    p.add_argument("sources", nargs="+", metavar="SOURCE",
                   help="activity file, folder or export archive (.zip)")
    p.add_argument("--csv", metavar="OUT", help="write the full table as CSV ('-' for stdout)")
    p.add_argument("--units", choices=("km", "mi"), default="km",
                   help="distance unit shown (default km)")
    p.set_defaults(func=cmd_activities)

    p = sub.add_parser("weekly", parents=[common, reading, load, habits],
                       help="weekly mileage with the rule flags",
                       description="Weekly running distance with the rule flags (10% rule, "
                                   "missing recovery week, session spike, ACWR) and the "
                                   "prevention habits (strength, cross-training, sleep ...).")
    p.add_argument("sources", nargs="+", metavar="SOURCE",
                   help="activity file, folder or export archive (.zip)")
    p.add_argument("--csv", metavar="OUT",
                   help="write the weekly table as CSV ('-' for stdout); distances in metres "
                        "plus distance_<units> and longest_run_<units> columns")
    p.set_defaults(func=cmd_weekly)

    p = sub.add_parser("report", parents=[common, reading, load, habits],
                       help="write the self-contained HTML report",
                       description="Write one runner's self-contained HTML report (charts, "
                                   "flagged weeks, prevention checklist, pain associations, "
                                   "methods).")
    p.add_argument("sources", nargs="+", metavar="SOURCE",
                   help="activity file, folder or export archive (.zip)")
    p.add_argument("-o", "--output", metavar="HTML", type=Path, default=Path("report.html"),
                   help="where to write the report (default report.html; the folder must "
                        "exist)")
    p.set_defaults(func=cmd_report)

    p = sub.add_parser("audit", parents=[common, load],
                       help="a coach's squad table: one folder or archive per athlete",
                       description="Audit a squad: SQUAD_DIR holds one folder (or .zip) per "
                                   "athlete; the pain log may name athletes in an 'athlete' "
                                   "column.")
    p.add_argument("squad", metavar="SQUAD_DIR", type=Path,
                   help="folder with one sub-folder or archive per athlete")
    p.add_argument("--tz", metavar="ZONE",
                   help="IANA time zone for files that do not record their UTC offset")
    p.add_argument("-o", "--output", metavar="HTML", type=Path, default=Path("audit.html"),
                   help="where to write the audit page (default audit.html; the folder must "
                        "exist)")
    p.add_argument("--csv", metavar="OUT", help="write the audit table as CSV ('-' for stdout)")
    p.set_defaults(func=cmd_audit)

    p = sub.add_parser("sample", parents=[quiet], help="write the sample data",
                       description="Write runload's synthetic sample data: one runner with a "
                                   "pain log, and a squad.")
    p.add_argument("directory", nargs="?", default="sample_data", type=Path, metavar="DIR",
                   help="where to write it (default sample_data)")
    p.set_defaults(func=cmd_sample)
    return parser


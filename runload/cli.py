"""The ``runload`` command line.

::

    runload activities SOURCE... [--athlete NAME] [--tz ZONE] [--csv OUT]
    runload weekly SOURCE... [--pain LOG] [--habits LOG] [--sleep SOURCE] [--strides]
                   [--date-format FORMAT] [--units km|mi] [--week-start monday|sunday]
                   [--as-of DATE] [--csv OUT]
    runload report SOURCE... [--pain LOG] [--habits LOG] [--sleep SOURCE] [--strides]
                   [--date-format FORMAT] [-o report.html]
    runload audit SQUAD_DIR [--pain LOG] [--date-format FORMAT] [-o audit.html] [--csv OUT]
    runload sample [DIR]

Every threshold of the weekly rules is an option whose default is read from the
signature of :func:`runload.load.weekly_load`, so the command line and the library
never disagree. ``weekly`` and ``report`` always add the prevention habits of
:func:`runload.habits.weekly_habits` (cross-training, strength, trail share and shoe
rotation come from the activities; a habit that nothing records is "not judged"), from
the habits log, Garmin sleep data and the stride detector when given. The pain log,
the habits log and the sleep source are checked (and the logs parsed) before any
activity file is read.

Exit codes: 0 success; 1 nothing to show (no activity could be read, or ``--as-of`` is
before the first activity) or an input file such as the pain log is unusable; 2 bad
usage (unknown option, missing file, bad value) or a missing optional package
(``runload sample`` without fit-tool). Problems in some activity files are a warning,
not a failure. Every run that reads activity files prints the conservation line
``files seen = activity files + non-activity files + problem files``, where problem
files are those of which nothing was kept; activity files read only in part are
counted after it.
"""

from __future__ import annotations

import argparse
import contextlib
import inspect
import os
import re
import shlex
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from . import __version__
from .errors import PainLogError, ParameterError, ReadError, RunloadError

__all__ = ["main", "build_parser", "threshold_options"]

PROG = "runload"

# Options of weekly_load the command line sets itself (not as generic thresholds).
_OWN_OPTIONS = {"week_start", "tz", "as_of"}

# Units (and scale) of each weekly_load threshold, for --help.
_UNITS = {
    "max_increase": "fraction: 0.10 = +10%",
    "recovery_drop": "fraction: 0.20 = 20% lower",
    "min_base_m": "metres: 10000 = 10 km",
    "max_build_weeks": "weeks",
    "break_weeks": "weeks",
    "spike": "fraction: 0.10 = 10% longer",
    "spike_window_days": "days",
    "acwr_threshold": "ratio, no unit",
    "acute_days": "days",
    "chronic_days": "days",
    "monotony_ddof": "delta degrees of freedom of the SD",
}

# Problems printed at the end of a run (all of them are in the HTML report).
_MAX_PROBLEMS = 20

# Archive suffixes that hold one athlete in a squad folder.
_ARCHIVES = (".zip", ".tar", ".tar.gz", ".tgz")


class UsageError(RunloadError):
    """Bad usage of the command line (exit code 2)."""


class NothingReadError(RunloadError):
    """Nothing to show: no activity could be read, or no week up to ``--as-of`` (exit 1)."""


class _Parser(argparse.ArgumentParser):
    """argparse, with errors as one clear line on stderr and exit code 2."""

    def error(self, message: str) -> None:  # noqa: D102 (argparse API)
        self.exit(2, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


# --------------------------------------------------------------------------- options


def threshold_options() -> list[tuple[str, Any, str, tuple[str, ...] | None, type]]:
    """The threshold options of :func:`runload.load.weekly_load`.

    Returns
    -------
    list of (name, default, help, choices, type)
        One entry per keyword-only parameter of ``weekly_load`` with a number or text
        default (except ``week_start``, ``tz`` and ``as_of``, which have their own
        options), its default taken from the signature, its help from the docstring.
    """
    from .load import weekly_load

    docs = _param_docs(inspect.getdoc(weekly_load) or "")
    options = []
    for name, param in inspect.signature(weekly_load).parameters.items():
        if param.kind is not inspect.Parameter.KEYWORD_ONLY or name in _OWN_OPTIONS:
            continue
        default = param.default
        if isinstance(default, bool) or not isinstance(default, (int, float, str)):
            continue
        kind, text = docs.get(name, ("", name.replace("_", " ")))
        choices = tuple(re.findall(r"'([^']+)'", kind.split("}")[0])) if kind.startswith("{") \
            else None
        options.append((name, default, text, choices or None, _kind(param.annotation, default)))
    return options


def _param_docs(doc: str) -> dict[str, tuple[str, str]]:
    """numpydoc ``Parameters`` section -> {name: (type line, first sentence)}."""
    section = re.search(r"Parameters\n-+\n(.*?)(?:\n\n[A-Z][a-z]+\n-+\n|\Z)", doc, re.S)
    if not section:
        return {}
    out: dict[str, tuple[str, str]] = {}
    for match in re.finditer(r"^(\S[^\n:]*?) : ([^\n]*)\n((?:[ \t]+[^\n]*\n?)*)",
                             section.group(1), re.M):
        names, kind, body = match.group(1), match.group(2), " ".join(match.group(3).split())
        body = body.replace("``", "").replace(":func:", "").replace(":data:", "")
        body = re.sub(r"`~?([^`]+)`", r"\1", body)
        first = re.split(r"(?<=[.;])\s", body, maxsplit=1)[0].rstrip(".;")
        first = re.sub(r"\s*\((?:runload\.)?[A-Za-z_.]+\)", "", first)
        if "_" not in first.split(" ", 1)[0]:
            first = first[:1].upper() + first[1:]
        for name in names.split(","):
            out[name.strip()] = (kind.strip(), first)
    return out


def _add_thresholds(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group(
        "rule thresholds (defaults from runload.load.weekly_load)")
    for name, default, text, choices, kind in threshold_options():
        unit = _UNITS.get(name) or _unit_from_name(name)
        if unit and text.endswith((f", {unit}", f" in {unit}")):
            unit = ""  # the description already gives it ("..., days")
        label = f"{text} ({unit}; default {default})" if unit else f"{text} (default {default})"
        group.add_argument(
            "--" + name.replace("_", "-"), dest=name, type=_typed(kind, name), default=default,
            choices=choices, metavar=_metavar(kind, choices), help=label.replace("%", "%%"))


def _kind(annotation: Any, default: Any) -> type:
    """The Python type of an option: the annotation's when it names one, else the default's."""
    text = annotation if isinstance(annotation, str) else getattr(annotation, "__name__", "")
    for kind in (float, int, str):
        if re.fullmatch(rf"\s*{kind.__name__}\s*", str(text)):
            return kind
    return type(default)


def _unit_from_name(name: str) -> str:
    for suffix, unit in (("_m", "metres"), ("_s", "seconds"), ("_days", "days"),
                         ("_weeks", "weeks")):
        if name.endswith(suffix):
            return unit
    return ""


def _metavar(kind: type, choices) -> str:
    if choices:
        return "{" + ",".join(choices) + "}"
    return {int: "N", float: "X"}.get(kind, "TEXT")


def _typed(kind: type, name: str):
    def convert(text: str):
        try:
            return kind(text)
        except ValueError:
            what = {int: "a whole number", float: "a number"}.get(kind, "text")
            raise argparse.ArgumentTypeError(
                f"--{name.replace('_', '-')} must be {what}, got {text!r}") from None
    convert.__name__ = kind.__name__
    return convert


def build_parser() -> argparse.ArgumentParser:
    """The ``runload`` argument parser (subcommands and all their options)."""
    common = _Parser(add_help=False)
    common.add_argument("-q", "--quiet", action="store_true",
                        help="no progress bar and no warnings on stderr")
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
    load.add_argument("--as-of", metavar="DATE",
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
                   help="where to write the report (default report.html)")
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
                   help="where to write the audit page (default audit.html)")
    p.add_argument("--csv", metavar="OUT", help="write the audit table as CSV ('-' for stdout)")
    p.set_defaults(func=cmd_audit)

    p = sub.add_parser("sample", parents=[common], help="write the sample data",
                       description="Write runload's synthetic sample data: one runner with a "
                                   "pain log, and a squad.")
    p.add_argument("directory", nargs="?", default="sample_data", type=Path, metavar="DIR",
                   help="where to write it (default sample_data)")
    p.set_defaults(func=cmd_sample)
    return parser


# --------------------------------------------------------------------------- helpers


def _say(text: str, *, err: bool = False) -> None:
    print(text, file=sys.stderr if err else sys.stdout, flush=True)


def _check_sources(sources: Sequence[str]) -> list[str]:
    for source in sources:
        if not os.path.exists(source):
            raise UsageError(
                "no such file or folder; check the path (quote it if it has spaces)",
                source=source)
    return list(sources)


def _date_format(text: str) -> str:
    if "%" not in text:
        raise argparse.ArgumentTypeError(
            f"--date-format must be a strptime format such as '%m/%d/%Y', got {text!r}")
    return text


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from exc
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a number >= 1, got {value}")
    return value


def _read_options(args: argparse.Namespace) -> dict:
    """The cache and pool options of ``read_activities`` from the command line."""
    return {"cache": getattr(args, "cache", True), "cache_dir": getattr(args, "cache_dir", None),
            "workers": getattr(args, "workers", None)}


def _read(sources: Sequence[str], args: argparse.Namespace, *, athlete: str | None = None):
    """Read the sources; print the conservation line; fail when nothing was read."""
    from .io import inventory, problems, read_activities
    from .io.ingest import conservation_line

    sources = _check_sources(sources)
    _check_logs(args)  # a bad --pain/--habits/--sleep fails before the history is read
    try:
        activities = read_activities(
            sources if len(sources) > 1 else sources[0],
            athlete=athlete if athlete is not None else getattr(args, "athlete", None),
            tz=args.tz, errors="skip", progress=_show_progress(args), **_read_options(args))
    except ParameterError as exc:
        raise UsageError(exc.message, source=exc.source) from exc
    counts = inventory(activities)
    _say(conservation_line(counts), err=_stdout_taken(args))
    names = sorted(str(a) for a in activities["athlete"].dropna().unique())
    if len(names) > 1 and getattr(args, "athlete", None) is None:
        warnings.warn(
            f"the sources hold {len(names)} athletes ({', '.join(names)}), named after their "
            "folders or archives; add --athlete NAME if they are all the same runner",
            _warning_category(), stacklevel=1)
    table = problems(activities)
    if len(table):
        from .io.ingest import problem_summary

        summary = problem_summary(table.to_dict("records"), counts.get("files_seen", 0))
        warnings.warn(f"{summary}; {_kept_in_files(table)}; they are listed at the end",
                      _warning_category(), stacklevel=1)
    return activities, counts


def _kept_in_files(table) -> str:
    """``1 not read, 1 read in part``: the files of a problems table by what was kept."""
    nothing = (~table["salvaged"].astype(bool)).groupby(table["source"]).any()
    parts = [f"{n} {what}" for n, what in ((int(nothing.sum()), "not read"),
                                           (int((~nothing).sum()), "read in part")) if n]
    return ", ".join(parts)


def _nothing_read(activities, counts: dict[str, int], sources: Sequence[str],
                  args: argparse.Namespace) -> None:
    if len(activities) == 0:
        _print_problems(activities, args)  # before the error that points at them
        where = ", ".join(str(s) for s in sources)
        if counts.get("files_seen", 0) == 0:
            fix = ("no FIT, GPX or TCX file found; point runload at the folder or the .zip "
                   "of your Strava or Garmin export")
        else:
            fix = ("no activity could be read from any file; see the problems above, or "
                   "export the activities again")
        raise NothingReadError(fix, source=where)


def _show_progress(args: argparse.Namespace) -> bool:
    from .progress import wants_progress

    return wants_progress(quiet=args.quiet)


def _stdout_taken(args: argparse.Namespace) -> bool:
    """True when a CSV goes to standard output, so messages go to standard error."""
    return getattr(args, "csv", None) == "-"


def _write_csv(frame, target: str, args: argparse.Namespace) -> None:
    if target == "-":
        frame.to_csv(sys.stdout, index=False, date_format="%Y-%m-%dT%H:%M:%S%z")
        return
    path = Path(target)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        frame.to_csv(path, index=False, date_format="%Y-%m-%dT%H:%M:%S%z")
    except OSError as exc:
        raise UsageError(f"cannot write the CSV ({exc.strerror}); choose another path",
                         source=str(path)) from exc
    _say(f"wrote {len(frame)} rows to {path}", err=_stdout_taken(args))


def _print_table(frame, args: argparse.Namespace) -> None:
    import pandas as pd

    if _stdout_taken(args):
        return
    if frame.empty:
        _say("(no rows)")
        return
    with pd.option_context("display.max_rows", None, "display.max_columns", None,
                           "display.width", 200, "display.max_colwidth", 60):
        _say(frame.to_string(index=False, na_rep="-"))


def _print_problems(activities, args: argparse.Namespace) -> None:
    from .io import problems

    table = problems(activities)
    if table.empty:
        return
    err = _stdout_taken(args)
    files = table["source"].nunique()
    _say(f"\nProblems: {len(table)} in {files} file{'' if files == 1 else 's'} "
         f"({_kept_in_files(table)}):", err=err)
    for row in table.head(_MAX_PROBLEMS).itertuples(index=False):
        kept = "part kept" if bool(row.salvaged) else "nothing kept"
        _say(f"  {row.source}: {row.kind}: {row.message} ({kept})", err=err)
    if len(table) > _MAX_PROBLEMS:
        _say(f"  ... and {len(table) - _MAX_PROBLEMS} more (all of them are in the HTML report; "
             "in Python: runload.problems(activities))", err=err)


def _thresholds(args: argparse.Namespace) -> dict[str, Any]:
    values = {name: getattr(args, name) for name, *_ in threshold_options()}
    values.update(week_start=args.week_start, tz=args.tz, as_of=args.as_of)
    return values


def _weekly(activities, args: argparse.Namespace):
    from .load import weekly_load

    try:
        return weekly_load(activities, **_thresholds(args))
    except ParameterError as exc:
        raise UsageError(exc.message, source=exc.source) from exc


def _check_logs(args: argparse.Namespace) -> None:
    """Check the pain log, the habits log and the sleep source before any activity is read.

    A typo in ``--pain`` or a bad cell in a log then fails at once, not after the whole
    history has been read. The logs are parsed here with every athlete's rows (and
    parsed again, for the athlete, once the activities are read: they are small).
    """
    if getattr(args, "pain", None) is not None:
        args.pain_all = _pain(args, athlete=None)
    if getattr(args, "habits", None) is not None:
        _habits_log(args, athlete=None)
    if getattr(args, "sleep", None) is not None and not args.sleep.exists():
        raise UsageError("no such sleep source; check the path", source=str(args.sleep))


def _log_file(path: Path, what: str) -> None:
    """A log path must exist and be a file (a missing path is bad usage: exit code 2)."""
    if not path.exists():
        raise UsageError(f"no such {what}; check the path", source=str(path))
    if path.is_dir():
        raise UsageError(f"the {what} must be a CSV file, not a folder", source=str(path))


def _log_fix(exc, what: str, header: str, doc: str) -> str:
    """How to fix a log error: the header row, a cell or a line (appended to the message)."""
    if exc.line == 1:
        return f" (fix the header row: expected {header}; see {doc})"
    if exc.line is not None and exc.column:
        return f" (fix that cell in the CSV; the {what} format is in {doc})"
    if exc.line is not None:
        return f" (fix that line of the CSV; the {what} format is in {doc})"
    return ""


def _pain_header() -> str:
    from .pain import DIARY_LOG_COLUMNS, EPISODE_LOG_COLUMNS

    def columns(names):
        return ",".join(n for n in names if n != "athlete")

    return (f"{columns(EPISODE_LOG_COLUMNS)} (episodes; onset required) or "
            f"{columns(DIARY_LOG_COLUMNS)} (daily diary; date and severity required), "
            "optionally with an athlete column")


def _weeks_to_show(activities, args: argparse.Namespace, *, source: str | None = None):
    """The weekly table; fail (exit code 1) when it has no week, and say why.

    With ``--as-of`` before an athlete's first activity that athlete has no week: a
    warning when others remain, an error when no athlete has a week (like a folder
    without activities, there is nothing to show).
    """
    import pandas as pd

    weekly = _weekly(activities, args)
    counted = activities[activities["duplicate_of"].isna() & activities["start_time"].notna()]
    first = counted.groupby(counted["athlete"].astype("string").fillna(""))["start_time"].min()
    shown = set(weekly["athlete"].astype("string").fillna("").unique())
    where = source or ", ".join(str(s) for s in args.sources)
    if args.as_of is not None:
        as_of = pd.Timestamp(args.as_of)
        left = {str(a): t for a, t in first.items() if a not in shown}
        if left and len(weekly):
            names = ", ".join(f"{a} ({t:%Y-%m-%d})" for a, t in sorted(left.items()))
            warnings.warn(f"--as-of {as_of:%Y-%m-%d} is before the first activity of {names}; "
                          "they have no week in the table", _warning_category(), stacklevel=1)
        if weekly.empty:
            day = f"{first.min():%Y-%m-%d}" if len(first) else "unknown"
            raise NothingReadError(
                f"--as-of {as_of:%Y-%m-%d} is before the first activity ({day}): no week to "
                "show; give a later date or leave --as-of out", source=where)
    if weekly.empty:
        raise NothingReadError("no week to show: every activity was left out (see the "
                               "warnings above)", source=where)
    return weekly


def _pain(args: argparse.Namespace, *, athlete: str | None):
    if args.pain is None:
        return None
    if athlete is None and getattr(args, "pain_all", None) is not None:
        return args.pain_all
    from .pain import read_pain_log

    _log_file(args.pain, "pain log")
    try:
        return read_pain_log(args.pain, athlete=athlete,
                             date_format=getattr(args, "date_format", None))
    except PainLogError as exc:
        fix = _log_fix(exc, "pain-log", _pain_header(), "docs/pain_analysis.md")
        raise PainLogError(exc.message + fix, source=exc.source or str(args.pain),
                           line=exc.line, column=exc.column) from exc
    except (OSError, UnicodeError) as exc:
        raise PainLogError(f"cannot read the pain log ({exc})", source=str(args.pain)) from exc


def _habits_log(args: argparse.Namespace, *, athlete: str | None):
    if args.habits is None:
        return None
    from .errors import HabitsLogError
    from .habits import read_habits_log
    from .habits.log import HABITS_LOG_COLUMNS

    _log_file(args.habits, "habits log")
    try:
        return read_habits_log(args.habits, athlete=athlete,
                               date_format=getattr(args, "date_format", None))
    except HabitsLogError as exc:
        header = (",".join(n for n in HABITS_LOG_COLUMNS if n != "athlete")
                  + " (date and kind required), optionally with an athlete column")
        fix = _log_fix(exc, "habits-log", header, "docs/habits.md")
        raise HabitsLogError(exc.message + fix, source=exc.source or str(args.habits),
                             line=exc.line, column=exc.column) from exc
    except (OSError, UnicodeError) as exc:
        raise HabitsLogError(f"cannot read the habits log ({exc})",
                             source=str(args.habits)) from exc


def _sleep(args: argparse.Namespace, *, athlete: str | None):
    if args.sleep is None:
        return None
    from .habits import read_garmin_sleep

    if not args.sleep.exists():
        raise UsageError("no such sleep source; check the path", source=str(args.sleep))
    return read_garmin_sleep(args.sleep, athlete=athlete)


def _with_habits(weekly, activities, episodes, args: argparse.Namespace):
    """The weekly table with the prevention habits (:func:`runload.habits.weekly_habits`)."""
    from .habits import weekly_habits

    athlete = _single_athlete(activities)
    log = _habits_log(args, athlete=athlete)
    sleep = _sleep(args, athlete=athlete)
    try:
        return weekly_habits(weekly, activities, habits=log, episodes=episodes, sleep=sleep,
                             strides="detect" if args.strides else None, tz=args.tz)
    except ParameterError as exc:
        raise UsageError(exc.message, source=exc.source) from exc


def _single_athlete(activities) -> str | None:
    names = activities["athlete"].dropna().unique()
    return str(names[0]) if len(names) == 1 else None


def _distance_display(weekly, units: str):
    from .columns import to_display

    return weekly.assign(**{
        f"distance_{units}": to_display(weekly["distance_m"], units).round(3),
        f"longest_run_{units}": to_display(weekly["longest_run_m"], units).round(3),
    })


def _pain_onsets(weekly, episodes):
    """Number of back-pain onsets in each week of each athlete."""
    import pandas as pd

    if episodes is None:
        return weekly
    counts = pd.Series(0, index=weekly.index, dtype="int64")
    if len(episodes):
        onset = pd.to_datetime(episodes["onset"])
        start = pd.to_datetime(weekly["week_start"])
        for athlete, group in episodes.assign(_onset=onset).groupby("athlete", dropna=False):
            rows = weekly["athlete"].astype("string") == athlete if not pd.isna(athlete) \
                else pd.Series(True, index=weekly.index)
            week = start[rows]
            days = group["_onset"].to_numpy()
            lo = week.to_numpy()[:, None]
            counts.loc[week.index] += ((days[None, :] >= lo)
                                       & (days[None, :] < lo + pd.Timedelta(days=7))).sum(axis=1)
    return weekly.assign(pain_onsets=counts)


def _command_line(argv: Sequence[str] | None) -> str:
    words = list(sys.argv[1:] if argv is None else argv)
    return " ".join([PROG, *(shlex.quote(str(w)) for w in words)])


# --------------------------------------------------------------------------- commands


def cmd_activities(args: argparse.Namespace) -> int:
    """``runload activities``: the activities table; problems at the end."""
    import pandas as pd

    from .columns import to_display

    activities, counts = _read(args.sources, args)
    _nothing_read(activities, counts, args.sources, args)
    if args.csv:
        _write_csv(activities, args.csv, args)
    shown = pd.DataFrame({
        "start (UTC)": activities["start_time"].dt.strftime("%Y-%m-%d %H:%M"),
        "sport": activities["sport"],
        f"distance_{args.units}": to_display(activities["distance_m"], args.units).round(2),
        "moving": _hms(activities["moving_time_s"]),
        "format": activities["format"],
        "duplicate": activities["duplicate_of"].notna().map({True: "dup", False: ""}),
        "source": activities["source"].map(_short_source),
    })
    if args.tz:
        from .localtime import local_time

        local = local_time(activities, tz=args.tz).dt.strftime("%Y-%m-%d %H:%M")
        shown.insert(1, "start (local)", local)
    if activities["athlete"].nunique() > 1:
        shown.insert(0, "athlete", activities["athlete"])
    _print_table(shown, args)
    if args.tz and not _stdout_taken(args):
        _say(f"start (local): the wall-clock time of the file's own UTC offset, else of "
             f"{args.tz} (--tz)")
    _print_problems(activities, args)
    return 0


def _hms(seconds):
    import pandas as pd

    s = pd.to_numeric(seconds, errors="coerce")
    whole = s.round().astype("Int64")
    text = (whole // 3600).astype("string") + ":" + \
        ((whole % 3600) // 60).astype("string").str.zfill(2) + ":" + \
        (whole % 60).astype("string").str.zfill(2)
    return text.fillna("-")


def _short_source(source: Any) -> str:
    text = str(source)
    return text if len(text) <= 60 else "..." + text[-57:]


def cmd_weekly(args: argparse.Namespace) -> int:
    """``runload weekly``: the weekly table with flags (and pain onsets)."""
    from .report import headline, summarize

    activities, counts = _read(args.sources, args)
    _nothing_read(activities, counts, args.sources, args)
    episodes = _pain(args, athlete=_single_athlete(activities))
    weekly = _with_habits(_weeks_to_show(activities, args), activities, episodes, args)
    weekly = _pain_onsets(weekly, episodes)
    if args.csv:
        _write_csv(_distance_display(weekly, args.units), args.csv, args)
    shown = _weekly_view(weekly, args.units, pain=episodes is not None)
    _print_table(shown, args)
    if not _stdout_taken(args):
        _say(_WEEKLY_LEGEND.format(day=args.week_start.capitalize()))
    _print_problems(activities, args)
    _say(headline(summarize(weekly, episodes)), err=_stdout_taken(args))
    return 0


#: Printed under the weekly table: what ``week`` and ``change_%`` are (docs/load_rules.md).
_WEEKLY_LEGEND = (
    "week: local date the week starts ({day}). change_%: distance against the reference "
    "week of the 10% rule: the previous week, or after a single recovery week the week "
    "before it (not always week-over-week; docs/load_rules.md)")


def _weekly_view(weekly, units: str, *, pain: bool):
    import pandas as pd

    from .columns import to_display
    from .habits import HABIT_NAMES
    from .report import FLAG_NAMES

    def listed(names: dict[str, str]):
        """Per week, the names of the flags raised (True) among ``names``' columns."""
        out = pd.Series("", index=weekly.index, dtype="string")
        for column, name in names.items():
            hit = weekly[column].astype("boolean").fillna(False).astype(bool)
            out = out.where(~hit, out.where(out == "", out + ", ") + name)
        return out

    raised = listed({c: FLAG_NAMES.get(c, c.removeprefix("flag_")) for c in weekly.columns
                     if c.startswith("flag_") and c not in HABIT_NAMES})
    missed = listed({c: name for c, name in HABIT_NAMES.items() if c in weekly.columns})
    view = pd.DataFrame({
        "week": pd.to_datetime(weekly["week_start"]).dt.strftime("%Y-%m-%d"),
        units: to_display(weekly["distance_m"], units).round(1),
        "runs": weekly["runs"],
        f"longest_{units}": to_display(weekly["longest_run_m"], units).round(1),
        "change_%": weekly["change_pct"].round(1),
        "recovery": weekly["recovery_week"].map({True: "yes", False: ""}),
        "streak": weekly["build_streak"],
        "flags": raised,
        "habits_missed": missed,
        "complete": weekly["complete"].map({True: "", False: "partial"}),
    })
    if pain:
        view["pain_onsets"] = weekly["pain_onsets"].map(lambda n: str(n) if n else "")
    if weekly["athlete"].nunique() > 1:
        view.insert(0, "athlete", weekly["athlete"])
    return view


def cmd_report(args: argparse.Namespace) -> int:
    """``runload report``: the self-contained HTML report."""
    from .report import write_report

    activities, counts = _read(args.sources, args)
    _nothing_read(activities, counts, args.sources, args)
    episodes = _pain(args, athlete=_single_athlete(activities))
    weekly = _with_habits(_weeks_to_show(activities, args), activities, episodes, args)
    associations = _associations(weekly, episodes)
    path = write_report(
        activities, weekly, episodes=episodes, associations=associations, path=args.output,
        units=args.units, inventory=counts,
        parameters={"command": _command_line(args.argv),
                    "sources": ", ".join(str(s) for s in args.sources),
                    "pain log": str(args.pain) if args.pain else "none",
                    "habits log": str(args.habits) if args.habits else "none",
                    "sleep": str(args.sleep) if args.sleep else "none",
                    "strides": "detected" if args.strides else "not detected"})
    _print_problems(activities, args)
    _say(f"report written to {path}")
    return 0


def _associations(weekly, episodes):
    if episodes is None:
        return None
    from .stats import associate

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return associate(weekly, episodes)


def _squad_members(squad: Path) -> list[tuple[str, Path]]:
    if not squad.exists():
        raise UsageError("no such squad folder; check the path", source=str(squad))
    if not squad.is_dir():
        raise UsageError("SQUAD_DIR must be a folder holding one folder or .zip per athlete",
                         source=str(squad))
    members = []
    for entry in sorted(squad.iterdir()):
        if entry.name.startswith((".", "__MACOSX")):
            continue
        name = entry.name.lower()
        if entry.is_dir():
            members.append((entry.name, entry))
        elif name.endswith(_ARCHIVES):
            stem = entry.name
            for suffix in sorted(_ARCHIVES, key=len, reverse=True):
                if name.endswith(suffix):
                    stem = entry.name[: -len(suffix)]
                    break
            members.append((stem, entry))
    return members


def read_squad(squad: Path, *, tz: str | None = None, quiet: bool = True,
               read_options: dict | None = None):
    """Read a squad folder: one sub-folder or archive per athlete.

    Parameters
    ----------
    squad : Path
        The squad folder.
    tz : str, optional
        IANA time zone for files without a UTC offset.
    quiet : bool
        No progress bar.
    read_options : dict, optional
        Cache and pool options passed to :func:`runload.read_activities`
        (``cache``, ``cache_dir``, ``workers``).

    Returns
    -------
    activities : DataFrame
        All athletes' activities (``athlete`` = the folder or archive name).
    problems : dict of str to DataFrame
        Each athlete's problems table.
    counts : dict
        The file inventory summed over the athletes.

    Raises
    ------
    UsageError
        ``squad`` is missing or not a folder.
    NothingReadError
        No athlete folder inside ``squad``.
    """
    import pandas as pd

    from .io import inventory, problems, read_activities
    from .progress import progress

    members = _squad_members(squad)
    if not members:
        raise NothingReadError("no athlete folder or .zip inside; put one folder per athlete "
                               "in the squad folder", source=str(squad))
    frames, tables = [], {}
    counts: dict[str, int] = {}
    for name, path in progress(members, desc="athletes", unit="athlete", quiet=quiet):
        try:
            activities = read_activities(str(path), athlete=name, tz=tz, errors="skip",
                                         **(read_options or {}))
        except ParameterError as exc:
            raise UsageError(exc.message, source=exc.source) from exc
        for key, value in inventory(activities).items():
            counts[key] = counts.get(key, 0) + int(value)
        tables[name] = problems(activities)
        frames.append(activities)
    read = [f for f in frames if len(f)]
    activities = pd.concat(read or frames[:1], ignore_index=True)
    activities.attrs = {"tz": tz}
    return activities, tables, counts


def cmd_audit(args: argparse.Namespace) -> int:
    """``runload audit``: the squad table and its HTML page."""
    from .audit import squad_audit
    from .io.ingest import conservation_line
    from .report import write_audit

    _squad_members(args.squad)  # a missing squad folder, then a bad pain log, fail at once
    _check_logs(args)
    activities, problem_tables, totals = read_squad(args.squad, tz=args.tz,
                                                    quiet=not _show_progress(args),
                                                    read_options=_read_options(args))
    _say(conservation_line(totals), err=_stdout_taken(args))
    if len(activities) == 0:
        raise NothingReadError("no activity could be read for any athlete; each athlete "
                               "folder needs FIT, GPX or TCX files", source=str(args.squad))
    bad = {name: t["source"].nunique() for name, t in problem_tables.items() if len(t)}
    if bad:
        warnings.warn(
            f"{sum(bad.values())} files with problems in the squad ("
            + ", ".join(f"{n}: {k}" for n, k in bad.items())
            + "); see the audit page", _warning_category(), stacklevel=1)
    episodes = _pain(args, athlete=None)
    weekly = _weeks_to_show(activities, args, source=str(args.squad))
    audit = squad_audit(weekly, episodes, as_of=args.as_of,
                        problems={name: t["source"].nunique()
                                  for name, t in problem_tables.items()})
    if args.csv:
        _write_csv(audit, args.csv, args)
    _print_table(_audit_view(audit, args.units), args)
    path = write_audit(
        audit, weekly, path=args.output, episodes=episodes, problems=problem_tables,
        units=args.units, inventory=totals, progress=_show_progress(args),
        parameters={"command": _command_line(args.argv), "squad": str(args.squad),
                    "pain log": str(args.pain) if args.pain else "none"})
    _say(f"audit written to {path}", err=_stdout_taken(args))
    return 0


def _warning_category():
    from .errors import RunloadWarning

    return RunloadWarning


def _audit_view(audit, units: str):
    import pandas as pd

    from .columns import to_display

    return pd.DataFrame({
        "athlete": audit["athlete"],
        "risk": audit["risk"],
        f"week_{units}": to_display(audit["current_distance_m"], units).round(1),
        f"4wk_{units}": to_display(audit["distance_4wk_m"], units).round(1),
        "trend_%": audit["trend_pct"].map(lambda x: "-" if pd.isna(x) else f"{x:+.1f}"),
        "active_flags": audit["active_flags"],
        "wks_since_recovery": audit["weeks_since_recovery"],
        "recent_pain": audit["pain_recent"].map({True: "yes", False: "no"}),
        "file_problems": audit["data_problems"],
    })


def cmd_sample(args: argparse.Namespace) -> int:
    """``runload sample``: write the sample data."""
    from .sample import write_sample_data

    target = args.directory
    if target.exists() and not target.is_dir():
        raise UsageError("exists and is not a folder; choose another DIR", source=str(target))
    try:
        write_sample_data(target)
    except ImportError as exc:  # fit-tool is the optional `sample` extra
        missing = exc.name or getattr(exc.__cause__, "name", None) or "fit_tool"
        other = "" if missing.split(".")[0] == "fit_tool" else f" ({missing} cannot be imported)"
        raise UsageError(
            "writing the sample data needs the optional package fit-tool, which is not "
            f"installed{other}; install it with: pip install 'runload[sample]'") from exc
    files = [p for p in Path(target).rglob("*") if p.is_file()]
    _say(f"sample data written to {target} ({len(files)} files)")
    return 0


# --------------------------------------------------------------------------- main


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    text = " ".join(str(message).split()).replace("(tz=...)", "(--tz ZONE)")
    print(f"{PROG}: warning: {text}", file=sys.stderr, flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``runload`` command line.

    Parameters
    ----------
    argv : sequence of str, optional
        The arguments (default: ``sys.argv[1:]``).

    Returns
    -------
    int
        The exit code: 0 success; 1 nothing to show (no activity could be read, or no
        week up to ``--as-of``) or an input file is unusable; 2 bad usage (unknown
        option, missing file, bad value) or a missing optional package (fit-tool for
        ``runload sample``).
    """
    words = list(sys.argv[1:] if argv is None else argv)
    if words == ["--version"]:  # answer without importing pandas
        _say(f"{PROG} {__version__}")
        return 0
    parser = build_parser()
    try:
        args = parser.parse_args(words)
    except SystemExit as exc:  # --help, --version, usage errors
        return int(exc.code or 0)
    args.argv = words
    with warnings.catch_warnings():
        if args.quiet:
            warnings.simplefilter("ignore")
        else:
            warnings.simplefilter("default")
            warnings.filterwarnings("ignore", category=DeprecationWarning)
            warnings.filterwarnings("ignore", category=FutureWarning)
        warnings.showwarning = _show_warning
        try:
            return args.func(args)
        except UsageError as exc:
            _say(f"{PROG}: error: {exc}", err=True)
            return 2
        except NothingReadError as exc:
            _say(f"{PROG}: error: {exc}", err=True)
            return 1
        except ReadError as exc:
            message = str(exc)
            if exc.kind == "unreadable" and "no such" in exc.message:
                _say(f"{PROG}: error: {message}; check the path", err=True)
                return 2
            _say(f"{PROG}: error: {message}", err=True)
            return 1
        except RunloadError as exc:
            _say(f"{PROG}: error: {exc}", err=True)
            return 1
        except KeyboardInterrupt:
            _say(f"{PROG}: interrupted", err=True)
            return 130
        except BrokenPipeError:
            with contextlib.suppress(OSError):
                sys.stdout = open(os.devnull, "w")  # noqa: SIM115
            return 0


if __name__ == "__main__":
    sys.exit(main())

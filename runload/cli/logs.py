"""The pain log, the habits log and the sleep source: checked early, parsed per athlete."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..errors import PainLogError
from .errors import UsageError


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
    from ..pain import DIARY_LOG_COLUMNS, EPISODE_LOG_COLUMNS

    def columns(names):
        return ",".join(n for n in names if n != "athlete")

    return (f"{columns(EPISODE_LOG_COLUMNS)} (episodes; onset required) or "
            f"{columns(DIARY_LOG_COLUMNS)} (daily diary; date and severity required), "
            "optionally with an athlete column")


def _pain(args: argparse.Namespace, *, athlete: str | None):
    if args.pain is None:
        return None
    if athlete is None and getattr(args, "pain_all", None) is not None:
        return args.pain_all
    from ..pain import read_pain_log

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
    from ..errors import HabitsLogError
    from ..habits import read_habits_log
    from ..habits.log import HABITS_LOG_COLUMNS

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
    from ..habits import read_garmin_sleep

    if not args.sleep.exists():
        raise UsageError("no such sleep source; check the path", source=str(args.sleep))
    return read_garmin_sleep(args.sleep, athlete=athlete)


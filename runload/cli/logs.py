"""The pain log, the habits log and the sleep source: checked early, parsed per athlete."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from ..errors import PainLogError
from .errors import UsageError
from .output import PROG, _say, _warning_category


def _check_logs(args: argparse.Namespace, athletes: Sequence[str] | None = None, *,
                squad: bool = False) -> None:
    """Check the pain log, the habits log and the sleep source before any activity is read.

    A typo in ``--pain`` or a bad cell in a log then fails at once, not after the whole
    history has been read. Each log is read here once, with every athlete's rows (its
    warnings are printed once); the athlete's rows are picked from it once the
    activities are read. ``athletes`` are the names the activities will be read under
    (``--athlete``, else each source's :func:`runload.io.ingest.default_athlete`, or the
    squad's folder names): a log's athlete column is matched against them here
    (:func:`_log_athlete`).
    """
    for kind in ("pain", "habits"):
        _all_rows(args, kind)
    if getattr(args, "sleep", None) is not None and getattr(args, "sleep_all", None) is None:
        args.sleep_all = _read_sleep(args.sleep)
    if athletes is None:
        return
    for kind in ("pain", "habits"):
        frame = getattr(args, f"{kind}_all", None)
        if frame is None:
            continue
        if squad or len(set(athletes)) > 1:
            _warn_unmatched(args, kind, frame, athletes, squad=squad)
        else:
            _log_athlete(args, kind, frame, athletes[0])


_WHAT = {"pain": "pain log", "habits": "habits log"}


def _names(frame) -> list[str]:
    """The athletes a log names (``attrs["athletes"]`` of a pain log, else its column)."""
    import pandas as pd

    names = frame.attrs.get("athletes")
    if names is None:
        names = frame["athlete"].dropna().unique() if "athlete" in frame.columns else []
    return sorted({str(n) for n in names if not pd.isna(n)})


def _log_athlete(args: argparse.Namespace, kind: str, frame, athlete: str) -> str | None:
    """The name under which the log holds the rows of ``athlete``, the one runner read.

    A log without names is the runner's (None). A log that names the athlete gives
    their rows. A log that names exactly one other athlete is the runner's own log when
    ``--athlete`` was not given (the activities are named after their folder or
    archive, the log after the runner: ``me``): its rows are used, with a one-line
    note. Anything else is an error listing the log's names and the fix.
    """
    from ..csvlog import log_names, other_name_fix
    from ..errors import HabitsLogError, PainLogError

    names = _names(frame)
    if not names or athlete in names:
        return None if not names else athlete
    explicit = getattr(args, "athlete", None) is not None
    source = str(getattr(args, kind))
    notes = args.__dict__.setdefault("log_notes", set())
    if len(names) == 1 and not explicit:
        if (kind, athlete) not in notes and not args.quiet:
            _say(f"{PROG}: note: the {_WHAT[kind]} {source} names one athlete, {names[0]!r}; "
                 f"its rows are read as those of {athlete!r}, the runner read (named after the "
                 f"folder or archive); --athlete {names[0]} names the runner as the log does",
                 err=True)
        notes.add((kind, athlete))
        return names[0]
    given = "given with --athlete" if explicit else \
        "the name of the activities, after their folder or archive"
    error = PainLogError if kind == "pain" else HabitsLogError
    raise error(f"no rows for athlete {athlete!r} ({given}); {log_names(names, athlete)}; "
                f"{other_name_fix(names)}", source=source, column="athlete")


def _warn_unmatched(args: argparse.Namespace, kind: str, frame, athletes: Sequence[str], *,
                    squad: bool) -> None:
    """Warn, before the activities are read, about log rows that match no athlete."""
    import warnings

    from ..athletes import unmatched_athletes

    where = "the squad" if squad else "the sources"
    text = unmatched_athletes(_names(frame), athletes)
    if text is not None:
        warnings.warn(f"{args.__dict__[kind]}: rows of athletes not in {where} are ignored: "
                      f"{text}; correct the names in the {_WHAT[kind]} if they are meant to "
                      "be these athletes", _warning_category(), stacklevel=1)
    if "athlete" in frame.columns and len(frame) and frame["athlete"].isna().any() \
            and _names(frame):
        n = int(frame["athlete"].isna().sum())
        warnings.warn(f"{args.__dict__[kind]}: {n} row{'' if n == 1 else 's'} without an "
                      "athlete ignored; fill in the athlete column", _warning_category(),
                      stacklevel=1)


def _for_athlete(args: argparse.Namespace, kind: str, frame, athlete: str | None):
    """The rows of one athlete (all rows when ``athlete`` is None), named after them."""
    import pandas as pd

    if athlete is None or frame is None:
        return frame
    name = _log_athlete(args, kind, frame, athlete)
    rows = frame if name is None else frame[frame["athlete"].astype("string") == name]
    out = rows.assign(athlete=pd.Series(athlete, index=rows.index, dtype="string"))
    out.attrs = {**frame.attrs, "athletes": [athlete]}
    return out


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


def _habits_header() -> str:
    from ..habits.log import HABITS_LOG_COLUMNS

    return (",".join(n for n in HABITS_LOG_COLUMNS if n != "athlete")
            + " (date and kind required), optionally with an athlete column")


def _pain(args: argparse.Namespace, *, athlete: str | None):
    """The pain log: every athlete's episodes, or those of ``athlete`` (read once)."""
    return _log_rows(args, "pain", athlete)


def _habits_log(args: argparse.Namespace, *, athlete: str | None):
    """The habits log: every athlete's rows, or those of ``athlete`` (read once)."""
    return _log_rows(args, "habits", athlete)


def _log_rows(args: argparse.Namespace, kind: str, athlete: str | None):
    """The rows of ``athlete`` of the ``--pain`` or ``--habits`` log (``kind``)."""
    return _for_athlete(args, kind, _all_rows(args, kind), athlete)


def _all_rows(args: argparse.Namespace, kind: str):
    """Every athlete's rows of the ``--pain`` or ``--habits`` log (read once), or None."""
    if getattr(args, kind, None) is None:
        return None
    if getattr(args, f"{kind}_all", None) is None:
        setattr(args, f"{kind}_all", _read_log(args, kind))
    return getattr(args, f"{kind}_all")


def _read_log(args: argparse.Namespace, kind: str):
    """Read the ``--pain`` or ``--habits`` log; errors say how to fix the CSV."""
    if kind == "pain":
        from ..pain import read_pain_log as read

        error, header, doc = PainLogError, _pain_header(), "docs/pain_analysis.md"
    else:
        from ..errors import HabitsLogError as error
        from ..habits import read_habits_log as read

        header, doc = _habits_header(), "docs/habits.md"
    path, what = getattr(args, kind), f"{kind} log"
    _log_file(path, what)
    try:
        return read(path, date_format=getattr(args, "date_format", None))
    except error as exc:
        fix = _log_fix(exc, f"{kind}-log", header, doc)
        raise error(exc.message + fix, source=exc.source or str(path), line=exc.line,
                    column=exc.column) from exc
    except (OSError, UnicodeError) as exc:
        raise error(f"cannot read the {what} ({exc})", source=str(path)) from exc


def _sleep(args: argparse.Namespace, *, athlete: str | None):
    """The nights of ``--sleep`` (read once), named after ``athlete``."""
    import pandas as pd

    if args.sleep is None:
        return None
    if getattr(args, "sleep_all", None) is None:
        args.sleep_all = _read_sleep(args.sleep)
    nights = args.sleep_all
    return nights.assign(athlete=pd.Series(athlete, index=nights.index, dtype="string"))


#: What ``--sleep`` expects, in the error about a source without sleep data.
_SLEEP_EXPECTED = (
    "expected a Garmin Connect account export (its .zip or unzipped folder, with "
    "DI_CONNECT/DI-Connect-Wellness/*sleepData*.json files) or one *sleepData*.json file; "
    "an activity export (Strava, or a folder of FIT files) holds no sleep: give the "
    "account export, or leave --sleep out")


def _read_sleep(path: Path):
    """Read the ``--sleep`` source before any activity file: it must hold sleep data.

    A missing path is bad usage (exit code 2). A source without Garmin sleep files (a
    Strava export, a folder of FIT files), or whose sleep files hold no night, is an
    unusable input (exit code 1): without this check the sleep habit would be "not
    judged" every week, silently.
    """
    from ..errors import ReadError, RunloadError
    from ..habits import read_garmin_sleep

    if not path.exists():
        raise UsageError("no such sleep source; check the path", source=str(path))
    try:
        return read_garmin_sleep(path, when_empty="raise")
    except ReadError as exc:
        if exc.kind != "no_data":
            raise
        raise RunloadError(f"{exc.message} in this --sleep source; {_SLEEP_EXPECTED}",
                           source=str(path)) from exc


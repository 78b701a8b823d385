"""Read the habits log: strength, core, rehab, stretching, sleep, shoes and strides.

The habits log is an optional CSV a runner keeps for what the watch does not record
(``docs/templates/habits_log.csv``, described in ``docs/habits.md``)::

    date,kind,minutes,value,notes
    2024-03-04,strength,25,,squats and lunges
    2024-03-05,core,15,,planks and bird dogs
    2024-03-05,sleep,,7.5,
    2024-03-06,shoes,,Pegasus 40,long run pair
    2024-03-07,strides,,5,after the easy run

Columns: ``date`` and ``kind`` (required), ``minutes``, ``value``, ``notes`` and an
optional ``athlete`` for a coach's squad file. The CSV reading (separators, byte-order
marks, encodings, Excel date serials, ambiguous dates) is the pain log's
(:mod:`runload.pain`); every problem is a :class:`runload.errors.HabitsLogError` naming
the file, the line, the column and what is wrong.
"""

from __future__ import annotations

import contextlib
import warnings

import numpy as np
import pandas as pd

from .. import csvlog as _csv
from ..columns import HABITS_LOG, conform, empty
from ..errors import HabitsLogError, PainLogError, RunloadWarning

__all__ = ["read_habits_log", "HABITS_LOG", "HABITS_LOG_COLUMNS", "KINDS"]

#: What each ``kind`` of row means and what its ``minutes`` / ``value`` hold.
KINDS: dict[str, str] = {
    "strength": "a strength session; minutes = its length",
    "core": "core work (planks, bird dogs, dead bugs); minutes = its length",
    "rehab": "a session of a back-pain rehab programme; minutes = its length",
    "stretching": "stretching or foam rolling; minutes = its length",
    "sleep": "one night; minutes asleep, or value = hours asleep (the date you woke up)",
    "shoes": "value = the pair worn on the runs of that day (runs without gear in the export)",
    "strides": "one set of strides; value = how many (optional)",
}

#: Columns a habits log may have (``date`` and ``kind`` are required).
HABITS_LOG_COLUMNS = ("athlete", "date", "kind", "minutes", "value", "notes")


_MAX_MINUTES = 24 * 60.0


@contextlib.contextmanager
def _habits_errors():
    """Re-raise the pain-log helpers' errors as :class:`HabitsLogError`."""
    try:
        yield
    except HabitsLogError:
        raise
    except PainLogError as exc:
        raise HabitsLogError(
            exc.message.replace("pain log", "habits log"),
            source=exc.source, line=exc.line, column=exc.column,
        ) from exc


def read_habits_log(
    path_or_buffer,
    *,
    athlete: str | None = None,
    today=None,
    encoding: str | None = None,
    date_format: str | None = None,
) -> pd.DataFrame:
    """Read a habits log into one tidy row per logged session, night or pair of shoes.

    Parameters
    ----------
    path_or_buffer : str, os.PathLike, file-like or pandas.DataFrame
        The CSV file, an open buffer, or a frame with the same columns.
    athlete : str, optional
        The athlete of a single-runner log (no ``athlete`` column); with an
        ``athlete`` column, only that athlete's rows are kept.
    today : date-like, optional
        Dates after ``today`` are an error (default: the current local date).
    encoding : str, optional
        Text encoding (default UTF-8, falling back to Windows-1252 with a warning).
    date_format : str, optional
        A :func:`~datetime.datetime.strptime` format for the dates; by default
        ``YYYY-MM-DD``, ``YYYY/MM/DD``, ``DD.MM.YYYY`` and Excel serials are read and
        ``03/04/2024`` is rejected as ambiguous.

    Returns
    -------
    pandas.DataFrame
        Columns of :data:`HABITS_LOG`: ``athlete``, ``date``, ``kind``,
        ``duration_s`` (``minutes`` × 60; for ``sleep`` also ``value`` hours × 3600),
        ``value``, ``notes``; sorted by athlete, date and kind. An empty log gives an
        empty frame and a warning.

    Raises
    ------
    runload.errors.HabitsLogError
        With ``source``, ``line`` (the header is line 1) and ``column``: unknown or
        repeated column, missing ``date`` or ``kind`` column or value, a row with the
        wrong number of fields, unknown kind, unparseable, ambiguous or future date,
        ``minutes`` not a number or outside 0–1440, a sleep night without its length
        (or with ``minutes`` and ``value`` that disagree), sleep hours outside 0–24,
        a ``shoes`` row without the pair's name, a stride count that is not a whole
        number ≥ 1.
        With ``source`` only: a path that cannot be opened, or that is not a regular
        file (a folder, named pipe, socket or device; refused before any read,
        never blocking), or a log over 64 MiB.

    Notes
    -----
    What each kind means is in :data:`KINDS`. Log only what the watch did not record:
    a strength session both recorded as an activity and logged counts once per day
    (:func:`runload.habits.weekly_habits` takes the larger of the two counts each day).
    """
    today = pd.Timestamp.today().normalize() if today is None else pd.Timestamp(today).normalize()
    with _habits_errors():
        source, header, rows, lines = _csv.load_rows(path_or_buffer, encoding)
        if header is None:
            warnings.warn(f"{source}: the habits log is empty", RunloadWarning, stacklevel=3)
            return empty(HABITS_LOG)
        _check_header(header, source)
        table = _csv.as_table(header, rows, lines, source)
        table = _csv.select_athlete(table, athlete, source)
        table = _csv.drop_duplicates(table, source)
        date = _csv.parse_dates(table, "date", source, today, date_format, required=True)
        kind = _kinds(table, source)
        minutes = _csv.parse_number(table, "minutes", source, low=0, high=_MAX_MINUTES,
                                      what="minutes")
        value = _csv.text_column(table, "value")
        duration = _durations(table, kind, minutes, value, source)
        _check_values(table, kind, value, source)
    out = pd.DataFrame(
        {
            "athlete": _csv.text_column(table, "athlete"),
            "date": date,
            "kind": kind,
            "duration_s": duration,
            "value": value,
            "notes": _csv.text_column(table, "notes"),
        }
    )
    out = conform(out, HABITS_LOG, extra=False)
    return out.sort_values(["athlete", "date", "kind"], na_position="first", ignore_index=True,
                           kind="stable")


def _check_header(header: list[str], source: str) -> None:
    names = [_csv.norm(h) for h in header]
    for i, name in enumerate(names):
        if not name:
            raise HabitsLogError("empty column name in the header", source=source, line=1)
        if name in names[:i]:
            raise HabitsLogError("the column appears twice in the header", source=source, line=1,
                                 column=name)
        if name not in HABITS_LOG_COLUMNS:
            raise HabitsLogError(
                f"unknown column; allowed: {', '.join(HABITS_LOG_COLUMNS)} "
                "(see docs/templates/habits_log.csv)",
                source=source, line=1, column=name,
            )
    for required in ("date", "kind"):
        if required not in names:
            raise HabitsLogError(f"the habits log needs a '{required}' column "
                                 "(see docs/templates/habits_log.csv)", source=source, line=1)


def _kinds(table: pd.DataFrame, source: str) -> pd.Series:
    kind = table["kind"].astype("str").str.strip().str.lower()
    _csv.fail(kind.eq(""), table, source, "kind", "missing kind")
    _csv.fail(~kind.isin(list(KINDS)), table, source, "kind",
                "unknown kind {value!r}; allowed: " + ", ".join(KINDS))
    return kind.astype("string")


def _durations(table, kind, minutes, value, source) -> pd.Series:
    """Seconds of each session; for sleep, ``minutes`` or ``value`` hours."""
    seconds = minutes * 60.0
    sleep = kind.eq("sleep").to_numpy(dtype=bool)
    if not sleep.any():
        return seconds
    text = value.fillna("").astype("str").str.replace(",", ".", regex=False)
    hours = pd.to_numeric(text.where(text.ne("")), errors="coerce").astype("float64")
    sleep_s = pd.Series(sleep, index=table.index)
    _csv.fail(sleep_s & hours.isna() & text.ne(""), table, source, "value",
                "sleep hours {value!r} is not a number")
    _csv.fail(sleep_s & ((hours < 0) | (hours > 24)), table, source, "value",
                "sleep hours {value!r} is outside 0-24")
    _csv.fail(sleep_s & hours.isna() & minutes.isna(), table, source, "minutes",
                "a sleep night needs minutes asleep (or value = hours asleep)")
    disagree = sleep_s & hours.notna() & minutes.notna() & ((hours * 60 - minutes).abs() > 1)
    _csv.fail(disagree, table, source, "value",
                "sleep hours {value!r} disagree with minutes; give one of them")
    return seconds.where(~sleep_s | minutes.notna(), hours * 3600.0)


def _check_values(table, kind, value, source) -> None:
    shoes = kind.eq("shoes").to_numpy(dtype=bool)
    _csv.fail(pd.Series(shoes, index=table.index) & value.isna(), table, source, "value",
                "a shoes row needs the pair's name in value")
    strides = pd.Series(kind.eq("strides").to_numpy(dtype=bool), index=table.index)
    text = value.fillna("").astype("str")
    reps = pd.to_numeric(text.where(text.ne("")), errors="coerce").astype("float64")
    bad = strides & text.ne("") & ~(np.isfinite(reps) & (reps >= 1) & (reps == np.floor(reps)))
    _csv.fail(bad, table, source, "value", "stride count {value!r} is not a whole number >= 1")

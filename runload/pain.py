"""Read a back-pain log and group it into episodes.

A pain log is a small CSV a runner (or a coach, for a squad) keeps by hand or in a
spreadsheet. Two forms are accepted, told apart by their header:

* **episodes** -- one row per episode: ``onset`` (required), ``end``, ``severity``
  (0-10), ``location``, ``time_lost_days``, ``notes``;
* **daily diary** -- one row per day: ``date``, ``severity`` (0-10), optional
  ``location`` and ``notes``. Consecutive pain days are grouped into episodes.

Either form may carry an ``athlete`` column. Templates of both forms are in
``docs/templates/``. Every problem is reported as a :class:`runload.errors.PainLogError`
naming the file, the line, the column and what is wrong; nothing is guessed.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from .columns import EPISODES, conform, empty
from .csvlog import (
    as_table,
    drop_blank_columns,
    drop_duplicates,
    fail,
    load_rows,
    norm,
    parse_dates,
    parse_number,
    select_athlete,
    text_column,
)
from .errors import PainLogError, ParameterError, RunloadWarning

__all__ = [
    "read_pain_log",
    "episodes",
    "DEFAULT_MIN_GAP_DAYS",
    "DEFAULT_MIN_SEVERITY",
    "EPISODE_LOG_COLUMNS",
    "DIARY_LOG_COLUMNS",
]

#: Pain-free days needed before pain counts as a new episode (de Vet et al. 2002: one
#: month; four whole weeks, so that it matches the default four-week washout of
#: :func:`runload.stats.associate`).
DEFAULT_MIN_GAP_DAYS = 28

#: Lowest diary rating that counts as a pain day (any pain at all).
DEFAULT_MIN_SEVERITY = 1.0

#: Columns of the episodes form (``onset`` is required).
EPISODE_LOG_COLUMNS = ("athlete", "onset", "end", "severity", "location", "time_lost_days", "notes")

#: Columns of the daily-diary form (``date`` and ``severity`` are required).
DIARY_LOG_COLUMNS = ("athlete", "date", "severity", "location", "notes")



def read_pain_log(
    path_or_buffer,
    *,
    athlete: str | None = None,
    min_severity: float = DEFAULT_MIN_SEVERITY,
    min_gap_days: int = DEFAULT_MIN_GAP_DAYS,
    min_duration_days: int = 1,
    today=None,
    encoding: str | None = None,
    date_format: str | None = None,
) -> pd.DataFrame:
    """Read a back-pain log (episodes or daily diary) into one row per episode.

    Parameters
    ----------
    path_or_buffer : str, os.PathLike, file-like or pandas.DataFrame
        The CSV file, an open text/binary buffer, or a frame with the same columns.
    athlete : str, optional
        The athlete of a single-runner log (no ``athlete`` column). When the log has
        an ``athlete`` column, only that athlete's rows are kept; a name the column
        does not hold is an error that lists the names it holds.
    min_severity : float, default 1
        Lowest rating (0-10) that counts as pain. Diary days below it are pain free;
        logged episodes whose ``severity`` is below it are dropped.
    min_gap_days : int, default 28
        Pain-free days needed between two episodes. Pain that returns sooner belongs
        to the same episode: logged episodes closer than this are merged (with a
        :class:`runload.errors.RunloadWarning`), diary pain days are grouped.
        ``0`` keeps every logged episode and splits the diary at every pain-free day.
    min_duration_days : int, default 1
        Shortest episode kept, in days. A diary has a resolution of one day; a day
        rated in pain is read as the ">= 24 h of pain" of de Vet et al. Use ``2`` for
        a strict "more than 24 hours".
    today : date-like, optional
        Dates after ``today`` are an error (default: the current local date).
    encoding : str, optional
        Text encoding. By default UTF-8 (with or without byte-order mark) is
        expected; a file that is not valid UTF-8 is read as Windows-1252 / Latin-1
        with a :class:`runload.errors.RunloadWarning`.
    date_format : str, optional
        A :func:`~datetime.datetime.strptime` format for the dates, e.g.
        ``"%d/%m/%Y"``. By default ISO ``YYYY-MM-DD`` (also ``YYYY/MM/DD``),
        ``DD.MM.YYYY`` and Excel date serials are accepted; ``03/04/2024`` is
        ambiguous and rejected.

    Returns
    -------
    pandas.DataFrame
        One row per episode with the columns of :data:`runload.columns.EPISODES`
        (``athlete``, ``onset``, ``end``, ``max_severity``, ``time_lost_days``,
        ``location``, ``notes``), sorted by athlete and onset. An empty log gives an
        empty frame (and a warning), not an error. ``attrs["athletes"]`` lists every
        athlete the log names (also those without an episode, e.g. only pain-free diary
        days): the athletes it says something about.

    Raises
    ------
    runload.errors.PainLogError
        With ``source``, ``line`` (1-based, the header is line 1) and ``column``:
        unknown or duplicated column, missing required column or value, a row with
        the wrong number of fields, unparseable or ambiguous date, a date after
        ``today``, severity not a number or outside 0-10, negative
        ``time_lost_days``, ``end`` before ``onset``, one diary day rated twice.
        With ``source`` only: a path that cannot be opened, or that is not a regular
        file (a folder, named pipe, socket or device; refused before any read,
        never blocking), or a log over 64 MiB.

    Notes
    -----
    Episode definition after de Vet et al. (2002): an episode is a period of pain
    lasting at least 24 hours, preceded and followed by at least one month without
    pain. The month is ``min_gap_days`` = 28 days here. In a daily diary, days
    without a row are pain free (a diary may list only the days in pain).

    Also handled: a UTF-8 byte-order mark, ``;`` or tab separators and decimal
    commas (European spreadsheets), Excel date serials, empty lines, and exact
    duplicate rows (dropped with a warning).

    References
    ----------
    .. [1] de Vet HCW, Heymans MW, Dunn KM, et al. Episodes of low back pain: a
       proposal for uniform definitions to be used in research. Spine
       2002;27(21):2409-2416.
    """
    _check_options(min_severity, min_gap_days, min_duration_days)
    today = pd.Timestamp.today().normalize() if today is None else pd.Timestamp(today).normalize()
    source, header, rows, lines = load_rows(path_or_buffer, encoding)
    if header is None:
        warnings.warn(f"{source}: the pain log is empty: no episodes", RunloadWarning, stacklevel=2)
        out = empty(EPISODES)
        out.attrs["athletes"] = [] if athlete is None else [str(athlete)]
        return out
    header, rows = drop_blank_columns(header, rows)
    form = _form(header, source)
    table = as_table(header, rows, lines, source)
    table = select_athlete(table, athlete, source)
    named = sorted(text_column(table, "athlete").dropna().unique().tolist())
    table = drop_duplicates(table, source)
    if form == "episodes":
        found = _parse_episodes(table, source, today, date_format, min_severity)
        found = _merge_close(found, min_gap_days, source)
    else:
        days = _parse_diary(table, source, today, date_format)
        found = episodes(days, min_severity=min_severity, min_gap_days=min_gap_days)
    keep = (found["end"].fillna(found["onset"]) - found["onset"]).dt.days + 1 >= min_duration_days
    found = found.loc[keep]
    if found.empty:
        warnings.warn(f"{source}: the pain log holds no episodes", RunloadWarning, stacklevel=2)
    out = conform(found, EPISODES, extra=False).sort_values(
        ["athlete", "onset"], na_position="first", ignore_index=True
    )
    out.attrs["athletes"] = [str(n) for n in named]
    return out


def episodes(
    diary: pd.DataFrame,
    *,
    min_severity: float = DEFAULT_MIN_SEVERITY,
    min_gap_days: int = DEFAULT_MIN_GAP_DAYS,
) -> pd.DataFrame:
    """Group daily pain ratings into episodes.

    Parameters
    ----------
    diary : pandas.DataFrame
        One row per athlete and day: ``date`` (datetime64), ``severity`` (0-10),
        optional ``athlete``, ``location`` and ``notes``.
    min_severity : float, default 1
        Lowest rating that counts as a pain day.
    min_gap_days : int, default 28
        A pain day starts a new episode when at least this many pain-free days lie
        between it and the previous pain day (de Vet et al. 2002).

    Returns
    -------
    pandas.DataFrame
        Columns of :data:`runload.columns.EPISODES`: ``onset`` the first and ``end``
        the last pain day, ``max_severity`` the highest rating, ``location`` and
        ``notes`` the distinct non-empty values joined by ``"; "``,
        ``time_lost_days`` missing (a diary does not say).

    References
    ----------
    .. [1] de Vet HCW et al. Episodes of low back pain: a proposal for uniform
       definitions to be used in research. Spine 2002;27(21):2409-2416.
    """
    _check_options(min_severity, min_gap_days, 1)
    frame = diary.copy()
    if "athlete" not in frame.columns:
        frame["athlete"] = pd.Series(pd.NA, index=frame.index, dtype="string")
    for name in ("location", "notes"):
        if name not in frame.columns:
            frame[name] = pd.Series(pd.NA, index=frame.index, dtype="string")
    pain = frame.loc[frame["severity"] >= min_severity].copy()
    if pain.empty:
        return empty(EPISODES)
    pain["athlete"] = pain["athlete"].astype("string")
    pain = pain.sort_values(["athlete", "date"], na_position="first")
    key = pain["athlete"].fillna("\0")
    gap = pain.groupby(key, sort=False)["date"].diff().dt.days - 1
    pain["episode"] = (gap.isna() | (gap >= max(min_gap_days, 1))).cumsum()
    grouped = pain.groupby("episode", sort=False)
    out = pd.DataFrame(
        {
            "athlete": grouped["athlete"].first(),
            "onset": grouped["date"].min(),
            "end": grouped["date"].max(),
            "max_severity": grouped["severity"].max(),
            "time_lost_days": np.nan,
            "location": grouped["location"].agg(_join),
            "notes": grouped["notes"].agg(_join),
        }
    )
    return conform(out.reset_index(drop=True), EPISODES, extra=False)


# --------------------------------------------------------------------------- reading


def _check_options(min_severity, min_gap_days, min_duration_days) -> None:
    if not 0 <= float(min_severity) <= 10:
        raise ParameterError(f"min_severity must lie in 0-10, got {min_severity!r}")
    if int(min_gap_days) < 0:
        raise ParameterError(f"min_gap_days must be >= 0, got {min_gap_days!r}")
    if int(min_duration_days) < 1:
        raise ParameterError(f"min_duration_days must be >= 1, got {min_duration_days!r}")


def _form(header: list[str], source: str) -> str:
    names = [norm(h) for h in header]
    for i, name in enumerate(names):
        if not name:
            raise PainLogError("empty column name in the header", source=source, line=1)
        if name in names[:i]:
            raise PainLogError("the column appears twice in the header", source=source, line=1, column=name)
    has_onset, has_date = "onset" in names, "date" in names
    if has_onset and has_date:
        raise PainLogError(
            "the header has both 'onset' (episodes form) and 'date' (daily diary); use one form",
            source=source, line=1,
        )
    if not (has_onset or has_date):
        raise PainLogError(
            "no 'onset' column (episodes form) and no 'date' column (daily diary); "
            "see docs/templates/pain_log_episodes.csv and pain_log_diary.csv",
            source=source, line=1,
        )
    form, allowed = ("episodes", EPISODE_LOG_COLUMNS) if has_onset else ("diary", DIARY_LOG_COLUMNS)
    for name in names:
        if name not in allowed:
            raise PainLogError(
                f"unknown column for the {form} form; allowed: {', '.join(allowed)}",
                source=source, line=1, column=name,
            )
    if form == "diary" and "severity" not in names:
        raise PainLogError("a daily diary needs a 'severity' column", source=source, line=1)
    return form


def _parse_episodes(table, source, today, date_format, min_severity) -> pd.DataFrame:
    onset = parse_dates(table, "onset", source, today, date_format, required=True)
    end = (
        parse_dates(table, "end", source, today, date_format, required=False)
        if "end" in table.columns
        else pd.Series(pd.NaT, index=table.index, dtype="datetime64[ns]")
    )
    fail(end < onset, table, source, "end", "end {value!r} is before the onset")
    severity = parse_number(table, "severity", source, low=0, high=10, what="severity")
    lost = parse_number(table, "time_lost_days", source, low=0, high=np.inf, what="time_lost_days")
    out = pd.DataFrame(
        {
            "athlete": text_column(table, "athlete"),
            "onset": onset,
            "end": end,
            "max_severity": severity,
            "time_lost_days": lost,
            "location": text_column(table, "location"),
            "notes": text_column(table, "notes"),
            "_line": table["_line"],
        }
    )
    return out.loc[~(severity < min_severity)]


def _parse_diary(table, source, today, date_format) -> pd.DataFrame:
    date = parse_dates(table, "date", source, today, date_format, required=True)
    severity = parse_number(table, "severity", source, low=0, high=10, what="severity")
    fail(severity.isna(), table, source, "severity", "missing severity")
    days = pd.DataFrame(
        {
            "athlete": text_column(table, "athlete"),
            "date": date,
            "severity": severity,
            "location": text_column(table, "location"),
            "notes": text_column(table, "notes"),
            "_line": table["_line"],
        }
    )
    twice = days.duplicated(subset=["athlete", "date"], keep=False)
    if twice.any():
        clash = days.loc[twice].sort_values(["athlete", "date", "_line"])
        first, second = clash.iloc[0], clash.iloc[1]
        raise PainLogError(
            f"the day {first['date']:%Y-%m-%d} is rated twice (also on line {int(first['_line'])})",
            source=source, line=int(second["_line"]), column="date",
        )
    return days


def _merge_close(found: pd.DataFrame, min_gap_days: int, source) -> pd.DataFrame:
    """Merge logged episodes separated by fewer than ``min_gap_days`` pain-free days."""
    if found.empty:
        return found
    found = found.sort_values(["athlete", "onset"], na_position="first")
    key = found["athlete"].fillna("\0")
    last_day = found["end"].fillna(found["onset"])
    reach = last_day.groupby(key, sort=False).cummax()
    previous = reach.groupby(key, sort=False).shift()
    gap = (found["onset"] - previous).dt.days - 1
    new = gap.isna() | (gap >= min_gap_days)
    if not new.all():
        lines = found.loc[~new, "_line"]
        merged = ", ".join(str(x) for x in lines.head(10)) + (", ..." if len(lines) > 10 else "")
        one = len(lines) == 1
        what = (f"the episode starting on line {merged}" if one else
                f"{len(lines)} episodes starting on lines {merged}")
        warnings.warn(
            f"{source}: {what} began fewer than {min_gap_days} pain-free days after the "
            f"previous one and {'was' if one else 'were'} merged into it (de Vet et al. 2002)",
            RunloadWarning,
            stacklevel=3,
        )
    found = found.assign(_episode=new.cumsum(), _reach=reach)
    grouped = found.groupby("_episode", sort=False)
    last = grouped.tail(1).set_index("_episode")
    end = grouped["_reach"].max().where(last["end"].notna())
    return pd.DataFrame(
        {
            "athlete": grouped["athlete"].first(),
            "onset": grouped["onset"].min(),
            "end": end,
            "max_severity": grouped["max_severity"].max(),
            "time_lost_days": grouped["time_lost_days"].sum(min_count=1),
            "location": grouped["location"].agg(_join),
            "notes": grouped["notes"].agg(_join),
        }
    ).reset_index(drop=True)


def _join(values: pd.Series):
    kept = [str(v) for v in pd.unique(values.dropna()) if str(v)]
    return "; ".join(kept) if kept else pd.NA

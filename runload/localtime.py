"""Local wall-clock time of activities, for binning into local days and weeks.

An activity's local time is its UTC ``start_time`` plus, in order of preference:

1. ``utc_offset_s`` when the file records it (FIT ``local_timestamp``, Strava);
2. the offset of the ``tz`` argument (an IANA name such as ``"Australia/Sydney"``,
   or a mapping ``athlete -> IANA name``) at that instant, daylight saving included;
3. nothing: the time is taken as UTC and a :class:`runload.errors.RunloadWarning`
   says how many activities were binned that way.

A run at 23:30 on a Sunday in Sydney is at 12:30 UTC that Sunday; a run at
07:00 on Monday in Sydney is at 21:00 UTC on Sunday — local time puts it in the
next week, UTC would not.
"""

from __future__ import annotations

import datetime as _dt
import warnings
from collections.abc import Mapping
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pandas as pd

from .errors import ParameterError, RunloadWarning

__all__ = ["local_time", "check_tz", "parse_as_of", "WEEKDAYS", "week_start_day"]

#: Day names accepted by ``week_start``, Monday = 0 as in :attr:`pandas.Series.dt.day_of_week`.
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def check_tz(tz) -> str | dict[str, str] | None:
    """Validate ``tz``: ``None``, an IANA zone name, or a mapping athlete -> name.

    Raises
    ------
    ParameterError
        When a name is not a known IANA time zone.
    """
    if tz is None:
        return None
    if isinstance(tz, Mapping):
        return {str(k): check_tz(v) for k, v in tz.items()}
    if not isinstance(tz, str):
        raise ParameterError(f"tz must be an IANA time-zone name such as 'Europe/Oslo', got {tz!r}")
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ParameterError(f"unknown time zone {tz!r} (use an IANA name such as 'Europe/Oslo')") from exc
    return tz


def week_start_day(week_start: str) -> int:
    """Day number (Monday = 0 ... Sunday = 6) of a ``week_start`` name such as ``"sunday"``."""
    name = str(week_start).strip().lower()
    if name not in WEEKDAYS:
        raise ParameterError(f"week_start must be one of {', '.join(WEEKDAYS)}; got {week_start!r}")
    return WEEKDAYS.index(name)


def local_time(activities: pd.DataFrame, *, tz=None) -> pd.Series:
    """Local wall-clock start time of each activity (tz-naive datetimes).

    Parameters
    ----------
    activities : DataFrame
        With ``start_time`` (tz-aware UTC), ``utc_offset_s`` (s, may be missing) and,
        when ``tz`` is a mapping, ``athlete``.
    tz : str, mapping or None, keyword-only
        IANA zone used where ``utc_offset_s`` is missing: one name for every athlete,
        or a mapping ``athlete -> name``. Default ``None``: such activities are taken
        as UTC, with a :class:`~runload.errors.RunloadWarning`.

    Returns
    -------
    Series
        ``datetime64[ns]`` local start times on the index of ``activities``.

    Notes
    -----
    The file's own ``utc_offset_s`` wins over ``tz``: it is what the watch showed.
    """
    tz = check_tz(tz)
    start = pd.to_datetime(activities["start_time"], utc=True)
    naive_utc = start.dt.tz_localize(None)
    if "utc_offset_s" in activities.columns:
        offset = pd.to_numeric(activities["utc_offset_s"], errors="coerce").astype("float64")
    else:
        offset = pd.Series(float("nan"), index=activities.index)
    local = naive_utc + pd.to_timedelta(offset, unit="s")
    missing = offset.isna() & start.notna()
    if not missing.any():
        return local.rename("local_time")
    zone_of_row = _zone_per_row(activities, tz)
    unresolved = missing & zone_of_row.isna()
    for zone in zone_of_row[missing].dropna().unique():
        rows = missing & (zone_of_row == zone)
        local[rows] = start[rows].dt.tz_convert(zone).dt.tz_localize(None)
    local[unresolved] = naive_utc[unresolved]
    n = int(unresolved.sum())
    if n:
        warnings.warn(
            f"{n} activit{'y has' if n == 1 else 'ies have'} no UTC offset in the file and no "
            "time zone was given (tz=...); their local time is taken as UTC, which can put "
            "late-evening or early-morning runs in the wrong day or week",
            RunloadWarning,
            stacklevel=2,
        )
    return local.rename("local_time")


def _zone_per_row(activities: pd.DataFrame, tz) -> pd.Series:
    """The IANA zone to use for each row (missing when none)."""
    if tz is None:
        return pd.Series(pd.NA, index=activities.index, dtype="object")
    if isinstance(tz, str):
        return pd.Series(tz, index=activities.index, dtype="object")
    return activities["athlete"].astype("object").map(tz)


def parse_as_of(as_of, *, tz=None) -> pd.Timestamp | None:
    """The local instant up to which data is considered, as a tz-naive Timestamp.

    A date (``datetime.date`` or a ``'YYYY-MM-DD'`` string) means the end of that
    local day (the next midnight); a naive timestamp is local wall-clock time; an
    aware timestamp is converted to ``tz`` when it is one zone name, else to UTC.
    """
    if as_of is None:
        return None
    try:
        is_date = (isinstance(as_of, _dt.date) and not isinstance(as_of, _dt.datetime)) or (
            isinstance(as_of, str) and len(as_of.strip()) == 10
        )
        ts = pd.Timestamp(as_of)
    except (TypeError, ValueError) as exc:
        raise ParameterError(f"as_of must be a date or a timestamp, got {as_of!r}") from exc
    if ts is pd.NaT:
        raise ParameterError(f"as_of must be a date or a timestamp, got {as_of!r}")
    if ts.tzinfo is not None:
        ts = ts.tz_convert(tz if isinstance(tz, str) else "UTC").tz_localize(None)
    if is_date:
        ts = ts.normalize() + pd.Timedelta(days=1)
    return ts.as_unit("ns")

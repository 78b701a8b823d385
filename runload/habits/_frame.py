"""Helpers shared by the habits modules: local dates, week binning, athlete matching."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from ..errors import ParameterError, RunloadWarning
from ..localtime import WEEKDAYS, local_time, week_start_day


def first_day(weekly: pd.DataFrame, week_start=None) -> int:
    """Day number (Monday = 0) the weeks of ``weekly`` start on."""
    if week_start is not None:
        return week_start_day(week_start)
    named = dict(getattr(weekly, "attrs", {}).get("parameters") or {}).get("week_start")
    if named:
        return week_start_day(named)
    days = pd.to_datetime(weekly["week_start"]).dt.day_of_week.unique()
    if len(days) > 1:
        raise ParameterError("the weeks of the weekly table start on different days")
    return int(days[0]) if len(days) else 0


def week_of(date: pd.Series, day: int) -> pd.Series:
    """The first day of the local week each date lies in."""
    date = pd.to_datetime(date).astype("datetime64[ns]")
    return date - pd.to_timedelta((date.dt.day_of_week - day) % 7, unit="D")


def local_dates(activities: pd.DataFrame, tz) -> pd.Series:
    """Local calendar date of each activity (the weekly table already warned about zones)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RunloadWarning)
        local = local_time(activities, tz=tz)
    return local.astype("datetime64[ns]").dt.normalize()


def tz_of(weekly: pd.DataFrame, activities: pd.DataFrame, tz):
    if tz is not None:
        return tz
    params = dict(getattr(weekly, "attrs", {}).get("parameters") or {})
    return params.get("tz") or getattr(activities, "attrs", {}).get("tz")


def counted(activities: pd.DataFrame) -> pd.DataFrame:
    """Activities that count: not duplicates, with an athlete and a start time."""
    acts = activities
    if "duplicate_of" in acts.columns:
        acts = acts.loc[acts["duplicate_of"].isna()]
    return acts.loc[acts["athlete"].notna() & acts["start_time"].notna()]


def fill_athlete(frame: pd.DataFrame, athletes, what: str, *,
                 against: str = "the weekly table") -> pd.DataFrame:
    """Give rows without an athlete the only athlete of ``athletes``."""
    if frame.empty or "athlete" not in frame.columns:
        frame = frame.assign(athlete=pd.Series(pd.NA, index=frame.index, dtype="string"))
    missing = frame["athlete"].isna()
    if not missing.any():
        return frame.assign(athlete=frame["athlete"].astype("string"))
    names = pd.unique(pd.Series(athletes, dtype="string").dropna())
    if len(names) != 1:
        raise ParameterError(
            f"the {what} has rows without an athlete and {against} has "
            f"{len(names)} athletes; add an 'athlete' column"
        )
    return frame.assign(athlete=frame["athlete"].astype("string").fillna(names[0]))


def match_athletes(frame: pd.DataFrame, athletes, what: str, rows: str, *,
                   against: str = "the weekly table", absent: str = "without weekly data",
                   alike: str = "read the activities with athlete={name!r} to name them alike",
                   drop_warning: bool = True, stacklevel: int = 2) -> pd.DataFrame:
    """The rows of ``frame`` (a log) named as the athletes of ``athletes``.

    The rule of :func:`runload.associate` and the command line: rows without an athlete
    are the only athlete's (:func:`fill_athlete`); when ``athletes`` holds one athlete
    and every named row names one single other athlete (the README's ``me``), those rows
    are taken as that athlete's, with a :class:`~runload.errors.RunloadWarning` naming
    both; otherwise rows of other athletes are dropped, with a warning naming them and
    the closest known name (:func:`runload.audit.unmatched_athletes`) unless
    ``drop_warning`` is False. ``what`` names the log (``"habits log"``), ``rows`` its
    rows (``"habits-log row(s)"``), ``against`` the table the names are matched to and
    ``absent`` the athletes left out (``"without weekly data"``); ``alike`` says how
    to name both alike (``{name}``: the log's name, ``{athlete}``: the athlete's).
    """
    from ..audit import unmatched_athletes

    if frame.empty or "athlete" not in frame.columns:
        frame = frame.assign(athlete=pd.Series(pd.NA, index=frame.index, dtype="string"))
    frame = frame.assign(athlete=frame["athlete"].astype("string"))
    known = [str(a) for a in pd.unique(pd.Series(athletes, dtype="string").dropna())]
    named = frame["athlete"].notna().to_numpy(dtype=bool)
    other = named & ~frame["athlete"].isin(known).to_numpy(dtype=bool)
    names = sorted(set(frame.loc[other, "athlete"].astype(str)))
    if len(known) == 1 and len(names) == 1 and other.sum() == named.sum():
        warnings.warn(f"the {what} names one athlete, {names[0]!r}: its rows are taken as "
                      f"those of {known[0]!r}, the only athlete of {against}; "
                      + alike.format(name=names[0], athlete=known[0]),
                      RunloadWarning, stacklevel=stacklevel + 1)
        frame = frame.assign(athlete=frame["athlete"].mask(other, known[0]))
        other[:] = False
    frame = fill_athlete(frame, known, what, against=against)
    if other.any():
        if drop_warning:
            warnings.warn(f"{int(other.sum())} {rows} of athletes {absent} ignored: "
                          f"{unmatched_athletes(names, known)}; correct the names in "
                          f"the {what} if they are meant to be these athletes",
                          RunloadWarning, stacklevel=stacklevel + 1)
        frame = frame.loc[~other]
    return frame


def weekday_name(day: int) -> str:
    return WEEKDAYS[day]


def as_int(series: pd.Series) -> np.ndarray:
    return series.to_numpy(dtype="int64")

"""Helpers shared by the habits modules: local dates, week binning (athlete matching is
:mod:`runload.athletes`)."""

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


def weekday_name(day: int) -> str:
    return WEEKDAYS[day]


def as_int(series: pd.Series) -> np.ndarray:
    return series.to_numpy(dtype="int64")

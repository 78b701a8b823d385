"""Shoe rotation: which pair each run was in, pairs per week and distance per pair.

The pair comes from the activities' ``gear`` column (a Strava export's
``Activity Gear``), else from a ``shoes`` row of the habits log for the run's local
date (one pair per day: the first logged). Article A: "switch your shoes throughout
the week ... Save your well-cushioned shoes for long runs and recovery runs".
"""

from __future__ import annotations

import pandas as pd

from ..athletes import match_athletes
from ..columns import RUNNING_SPORTS
from ._frame import counted, local_dates, week_of

__all__ = ["run_shoes", "shoe_distance", "RUN_SHOES", "SHOE_DISTANCE"]

#: Columns of :func:`run_shoes`.
RUN_SHOES = {
    "athlete": ("string", "athlete"),
    "activity_id": ("string", "activity id"),
    "date": ("datetime64[ns]", "local date of the run"),
    "distance_m": ("float64", "distance of the run, m"),
    "shoe": ("string", "the pair worn (NA when not known)"),
}

#: Columns of :func:`shoe_distance`.
SHOE_DISTANCE = {
    "athlete": ("string", "athlete"),
    "week_start": ("datetime64[ns]", "first local day of the week"),
    "shoe": ("string", "the pair"),
    "runs": ("int64", "runs in the pair that week"),
    "distance_m": ("float64", "distance run in the pair that week, m"),
    "total_distance_m": ("float64", "distance run in the pair up to the end of that week, m"),
}


def run_shoes(activities: pd.DataFrame, *, habits: pd.DataFrame | None = None, tz=None) -> pd.DataFrame:
    """The pair of shoes of each run.

    Parameters
    ----------
    activities : DataFrame
        The activities table; ``gear`` is used when present.
    habits : DataFrame, optional
        A habits log (:func:`runload.read_habits_log`); its ``shoes`` rows name the
        pair of the runs of their date that have no gear. Its athletes are matched to
        those of the activities as in :func:`runload.habits.weekly_habits`: a
        one-runner log naming one other athlete (``me``) is the runner's, with a
        :class:`~runload.errors.RunloadWarning`; rows of other athletes are left out
        with a warning naming them.
    tz : str, mapping or None
        Time zone for activities without ``utc_offset_s`` (as in
        :func:`runload.weekly_load`).

    Returns
    -------
    DataFrame
        Columns of :data:`RUN_SHOES`, one row per run (duplicates left out), sorted by
        athlete and date.
    """
    acts = counted(activities)
    runs = acts.loc[acts["sport"].isin(list(RUNNING_SPORTS))]
    gear = (runs["gear"].astype("string").str.strip() if "gear" in runs.columns
            else pd.Series(pd.NA, index=runs.index, dtype="string"))
    out = pd.DataFrame(
        {
            "athlete": runs["athlete"].astype("string"),
            "activity_id": runs["activity_id"].astype("string"),
            "date": local_dates(runs, tz) if len(runs) else pd.Series(dtype="datetime64[ns]"),
            "distance_m": runs["distance_m"].astype("float64"),
            "shoe": gear.mask(gear.eq("")),
        }
    )
    if habits is not None and len(habits):
        logged = match_athletes(habits, acts["athlete"], "habits log", "habits-log row(s)",
                                against="the activities", absent="without activities",
                                stacklevel=2)
        logged = logged.loc[logged["kind"] == "shoes", ["athlete", "date", "value"]]
        logged = logged.drop_duplicates(subset=["athlete", "date"], keep="first")
        joined = out[["athlete", "date"]].merge(logged, on=["athlete", "date"], how="left")
        out["shoe"] = out["shoe"].fillna(pd.Series(joined["value"].to_numpy(), index=out.index,
                                                   dtype="string"))
    return out.sort_values(["athlete", "date"], kind="stable", ignore_index=True)


def shoe_distance(
    activities: pd.DataFrame,
    *,
    habits: pd.DataFrame | None = None,
    tz=None,
    week_start: str = "monday",
) -> pd.DataFrame:
    """Runs and distance per pair of shoes and week, with each pair's running total.

    Parameters
    ----------
    activities, habits, tz
        As for :func:`run_shoes`.
    week_start : str, default 'monday'
        First day of the local week.

    Returns
    -------
    DataFrame
        Columns of :data:`SHOE_DISTANCE`, one row per athlete, week and pair worn that
        week (runs without a known pair left out).
    """
    from ..localtime import week_start_day

    day = week_start_day(week_start)
    runs = run_shoes(activities, habits=habits, tz=tz)
    runs = runs.loc[runs["shoe"].notna()]
    if runs.empty:
        return pd.DataFrame({n: pd.Series(dtype=d) for n, (d, _) in SHOE_DISTANCE.items()})
    runs = runs.assign(week_start=week_of(runs["date"], day))
    per = runs.groupby(["athlete", "week_start", "shoe"], sort=True).agg(
        runs=("activity_id", "size"), distance_m=("distance_m", "sum")
    ).reset_index()
    per["total_distance_m"] = per.groupby(["athlete", "shoe"], sort=False)["distance_m"].cumsum()
    per["runs"] = per["runs"].astype("int64")
    return per[list(SHOE_DISTANCE)].reset_index(drop=True)


"""The weekly table of the ``weekly`` and ``report`` commands: rules, habits, pain onsets."""

from __future__ import annotations

import argparse
import warnings

from ..errors import ParameterError
from .errors import NothingReadError, UsageError
from .logs import _habits_log, _sleep
from .output import _warning_category
from .thresholds import _thresholds


def _weekly(activities, args: argparse.Namespace):
    from ..load import weekly_load

    try:
        return weekly_load(activities, **_thresholds(args))
    except ParameterError as exc:
        raise UsageError(exc.message, source=exc.source) from exc


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


def _with_habits(weekly, activities, episodes, args: argparse.Namespace):
    """The weekly table with the prevention habits (:func:`runload.habits.weekly_habits`)."""
    from ..habits import weekly_habits

    athlete = _single_athlete(activities)
    log = _habits_log(args, athlete=athlete)
    sleep = _sleep(args, athlete=athlete)
    if athlete is None:
        # rows of athletes not in the sources were named in a warning already
        members = list(activities["athlete"].dropna().astype(str).unique())
        log, episodes = _known_only(log, members), _known_only(episodes, members)
    try:
        return weekly_habits(weekly, activities, habits=log, episodes=episodes, sleep=sleep,
                             strides="detect" if args.strides else None, tz=args.tz)
    except ParameterError as exc:
        raise UsageError(exc.message, source=exc.source) from exc


def _known_only(table, members: list[str]):
    """The rows of ``table`` whose athlete is one of ``members`` or not given.

    Used once the CLI has warned about the other names, so that the library does not
    warn again; rows without an athlete stay for the library to judge. The names a pain
    log records (``attrs["athletes"]``) are cut to ``members`` alike.
    """
    if table is None or "athlete" not in table.columns:
        return table
    name = table["athlete"]
    keep = (name.isin(members).fillna(False) | name.isna()).to_numpy(dtype=bool)
    out = table[keep]
    out.attrs = dict(table.attrs)
    if "athletes" in table.attrs:
        out.attrs["athletes"] = [n for n in table.attrs["athletes"] if n in members]
    return out


def _single_athlete(activities) -> str | None:
    names = activities["athlete"].dropna().unique()
    return str(names[0]) if len(names) == 1 else None


def _distance_display(weekly, units: str):
    from ..columns import to_display

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


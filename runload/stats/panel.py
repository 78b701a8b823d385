"""Line up the weekly table and the pain episodes, week by week, per athlete.

Every analysis of :mod:`runload.stats` works on the same *panel*: one row per athlete
and week (a complete weekly grid, missing weeks added as incomplete), with the
exposures and, from the episodes,

* ``onset`` -- an episode starts in this week and the athlete was not already in an
  episode or its washout at the start of the week (a *new* onset, the event);
* ``free`` -- at the start of the week the athlete is neither in an episode nor in the
  ``washout_weeks`` after one (the week can receive a new onset);
* ``clear`` -- no day of the week lies in an episode or its washout (the week's
  running is not shaped by pain, so it can serve as an exposure week);
* ``severity`` -- the highest rating of an episode covering the week (0 when none).

Weeks inside an episode and its washout are not at risk: pain reduces running, so
counting them would make the load flags look protective.
"""

from __future__ import annotations

import warnings
from typing import NamedTuple

import numpy as np
import pandas as pd

from ..athletes import match_athletes
from ..columns import EPISODES, conform
from ..errors import ParameterError, RunloadWarning

__all__ = ["Panel", "build_panel", "lag_pairs", "exposure_columns", "EPOCH"]

#: Monday from which the calendar strata of the case-crossover are counted.
EPOCH = pd.Timestamp("1970-01-05")

_DEFAULT_CONTINUOUS = ("change_pct", "distance_m")


class Panel(NamedTuple):
    """The aligned weekly grid.

    Attributes
    ----------
    frame : pandas.DataFrame
        One row per athlete and week, sorted; columns ``athlete``, ``week_start``,
        ``complete``, the exposures and ``onset``, ``free``, ``clear``,
        ``severity``.
    bounds : dict
        athlete -> (first row, end row) slice of ``frame``.
    episodes : pandas.DataFrame
        The episodes used (athletes resolved, inside the weekly range).
    """

    frame: pd.DataFrame
    bounds: dict
    episodes: pd.DataFrame


def exposure_columns(weekly: pd.DataFrame, exposures=None) -> tuple[list[str], list[str]]:
    """Split the exposures into (binary, continuous) column names.

    With ``exposures=None``: every boolean column whose name starts with ``flag_``,
    plus ``change_pct`` and ``distance_m`` when present. Otherwise exactly the named
    columns, binary when boolean, continuous when numeric.
    """
    if exposures is None:
        binary = [c for c in weekly.columns if str(c).startswith("flag_") and _is_bool(weekly[c])]
        continuous = [c for c in _DEFAULT_CONTINUOUS if c in weekly.columns]
        return binary, continuous
    if isinstance(exposures, str):
        exposures = [exposures]
    binary, continuous = [], []
    for name in exposures:
        if name not in weekly.columns:
            raise ParameterError(f"exposure {name!r} is not a column of the weekly table")
        column = weekly[name]
        if _is_bool(column):
            binary.append(name)
        elif pd.api.types.is_numeric_dtype(column):
            continuous.append(name)
        else:
            raise ParameterError(f"exposure {name!r} must be boolean or numeric, not {column.dtype}")
    return binary, continuous


def _is_bool(column: pd.Series) -> bool:
    return pd.api.types.is_bool_dtype(column.dtype)


def build_panel(weekly: pd.DataFrame, episodes: pd.DataFrame, *, washout_weeks: int,
                columns) -> Panel:
    """Align ``weekly`` and ``episodes`` (see the module docstring).

    Parameters
    ----------
    weekly : pandas.DataFrame
        The weekly table (:data:`runload.columns.WEEKLY`), ``athlete`` and
        ``week_start`` required.
    episodes : pandas.DataFrame
        Episodes (:data:`runload.columns.EPISODES`). Episodes without an athlete
        belong to the only athlete of ``weekly``.
    washout_weeks : int
        Weeks after the end of an episode that are not at risk.
    columns : list of str
        Weekly columns to carry (exposures and the dose-response inputs).
    """
    for name in ("athlete", "week_start"):
        if name not in weekly.columns:
            raise ParameterError(f"the weekly table needs a {name!r} column")
    keep = list(dict.fromkeys(["athlete", "week_start", "complete",
                               *[c for c in columns if c in weekly.columns]]))
    week = weekly[[c for c in keep if c in weekly.columns]].copy()
    start = pd.to_datetime(week["week_start"])
    if getattr(start.dt, "tz", None) is not None:
        start = start.dt.tz_localize(None)
    week["week_start"] = start.dt.normalize().astype("datetime64[ns]")
    week["athlete"] = week["athlete"].astype("string")
    week["complete"] = week["complete"].astype(bool) if "complete" in week.columns else True
    if week["athlete"].isna().any() or week["week_start"].isna().any():
        raise ParameterError("the weekly table has rows without athlete or week_start")
    if week.duplicated(["athlete", "week_start"]).any():
        raise ParameterError("the weekly table has the same athlete and week twice")
    week = week.sort_values(["athlete", "week_start"], ignore_index=True)
    first = week.groupby("athlete", sort=False)["week_start"].transform("min")
    offset = (week["week_start"] - first).dt.days
    if (offset % 7).any():
        raise ParameterError("week_start values of one athlete must be whole weeks apart")
    grid = _grid(week)
    frame = grid.merge(week, on=["athlete", "week_start"], how="left")
    frame["complete"] = frame["complete"].fillna(False).astype(bool)
    for name in columns:
        if name in frame.columns and _is_bool(week[name]):
            # missing weeks: exposure unknown (they are incomplete anyway)
            frame[name] = frame[name].astype("boolean")
    sizes = frame.groupby("athlete", sort=False).size()
    ends = np.cumsum(sizes.to_numpy())
    bounds = {a: (int(e - s), int(e)) for a, s, e in zip(sizes.index, sizes.to_numpy(), ends, strict=True)}
    eps = _resolve_episodes(episodes, list(bounds))
    _warn_open_episodes(eps, frame)
    frame = _mark_episodes(frame, eps, washout_weeks)
    return Panel(frame, bounds, eps)


def _grid(week: pd.DataFrame) -> pd.DataFrame:
    span = week.groupby("athlete", sort=True)["week_start"].agg(["min", "max"])
    counts = ((span["max"] - span["min"]).dt.days // 7 + 1).to_numpy()
    athletes = np.repeat(span.index.to_numpy(), counts)
    starts = np.repeat(span["min"].to_numpy(), counts)
    step = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    return pd.DataFrame(
        {
            "athlete": pd.array(athletes, dtype="string"),
            "week_start": starts + pd.to_timedelta(step * 7, unit="D").to_numpy(),
        }
    )


def _resolve_episodes(episodes: pd.DataFrame, athletes: list) -> pd.DataFrame:
    if "onset" not in episodes.columns:
        raise ParameterError("the episodes table needs an 'onset' column")
    eps = conform(episodes, EPISODES, extra=False)
    eps = eps.loc[eps["onset"].notna()]
    eps = match_athletes(eps, athletes, "pain log", "pain episode(s)", stacklevel=4)
    return eps.sort_values(["athlete", "onset"], ignore_index=True)


#: An episode without an end that began this long before the end of its athlete's data
#: gets a warning: its end was perhaps not written down.
OPEN_EPISODE_WARN_DAYS = 56


def _warn_open_episodes(eps: pd.DataFrame, frame: pd.DataFrame) -> None:
    """Warn about episodes without an end that began long before the end of the data."""
    open_ = eps[eps["end"].isna()]
    if open_.empty:
        return
    ends = frame.groupby("athlete", sort=False)["week_start"].max() + pd.Timedelta(days=6)
    days = (open_["athlete"].map(ends) - open_["onset"]).dt.days
    old = open_[days > OPEN_EPISODE_WARN_DAYS]
    if old.empty:
        return
    first = old.sort_values("onset").iloc[0]
    warnings.warn(
        f"{len(old)} pain episode(s) without an end began more than "
        f"{OPEN_EPISODE_WARN_DAYS // 7} weeks before the end of the data (the first: "
        f"{first['athlete']}, {first['onset']:%Y-%m-%d}): an empty end means the pain is "
        "still going on, so no week after its onset is at risk of a new one; give the "
        "episode's end in the pain log if it has ended",
        RunloadWarning, stacklevel=4)


def _mark_episodes(frame: pd.DataFrame, eps: pd.DataFrame, washout_weeks: int) -> pd.DataFrame:
    frame = frame.assign(onset=False, free=True, clear=True, severity=0.0)
    if eps.empty:
        return frame
    rows = frame[["athlete", "week_start"]].reset_index(names="row")
    # an episode without an end is still going on: to the last day of the data
    data_end = frame["week_start"].max() + pd.Timedelta(days=6)
    spans = eps.assign(
        last=eps["end"].fillna(max(data_end, eps["onset"].max())),
    )
    spans = spans.assign(block=spans["last"] + pd.Timedelta(days=7 * washout_weeks))
    pairs = rows.merge(spans[["athlete", "onset", "last", "block", "max_severity"]], on="athlete")
    start = pairs["week_start"]
    stop = start + pd.Timedelta(days=6)
    busy_at_start = (pairs["onset"] < start) & (pairs["block"] >= start)
    touches = (pairs["onset"] <= stop) & (pairs["block"] >= start)
    starts_here = (pairs["onset"] >= start) & (pairs["onset"] <= stop)
    in_pain = (pairs["onset"] <= stop) & (pairs["last"] >= start)
    n = len(frame)
    busy = np.bincount(pairs["row"], weights=busy_at_start, minlength=n) > 0
    touched = np.bincount(pairs["row"], weights=touches, minlength=n) > 0
    onset = np.bincount(pairs["row"], weights=starts_here, minlength=n) > 0
    severity = (
        pairs.loc[in_pain].groupby("row")["max_severity"].max().reindex(range(n)).fillna(0.0)
    )
    # an episode without a rating still is pain: unknown severity, not 0
    unknown = pairs.loc[in_pain & pairs["max_severity"].isna(), "row"].unique()
    severity = severity.to_numpy().copy()
    severity[unknown] = np.nan
    return frame.assign(onset=onset & ~busy, free=~busy, clear=~touched, severity=severity)


def lag_pairs(onset: np.ndarray, free: np.ndarray, clear: np.ndarray, lag: int):
    """Pair each exposure week t with the outcome week t + ``lag``.

    Parameters
    ----------
    onset, free, clear : numpy.ndarray of bool, shape (..., T)
        Episode markers of one athlete's weeks (rows may be shifted copies).
    lag : int
        Weeks from exposure to outcome; 0 is the same week.

    Returns
    -------
    at_risk, event : numpy.ndarray of bool, shape (..., T)
        ``at_risk[t]``: weeks t .. t+lag-1 are clear and week t+lag is free at its
        start (for lag 0: week t is free). ``event[t]``: a new onset in week t+lag.
    """
    at_risk = np.zeros(onset.shape, dtype=bool)
    event = np.zeros(onset.shape, dtype=bool)
    T = onset.shape[-1]
    if lag >= T:
        return at_risk, event
    ok = free[..., lag:].copy()
    for j in range(lag):
        ok &= clear[..., j : T - lag + j]
    at_risk[..., : T - lag] = ok
    event[..., : T - lag] = onset[..., lag:] & ok
    return at_risk, event

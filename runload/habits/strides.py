"""Strides from the speed stream: short fast efforts, in sets, inside an easy run.

Seed 000 advises strides once or twice a week: "5 sets of 20 to 30 seconds at a hard
pace" to practise good form. In a speed stream they are short plateaus clearly above
the run's easy speed, a minute or two apart. The detector works on the
:data:`runload.columns.TRACK` streams of one run (:func:`runload.read_track`):

1. speed (``speed_m_s``, else the change of ``distance_m`` over time) on a 1-s grid;
   grid seconds inside a recording gap longer than ``max_pause_s`` are paused;
2. a centred running median over ``smooth_s`` seconds removes GPS noise and keeps the
   edges of a plateau;
3. the easy speed is the median smoothed speed while moving; seconds at or above
   ``min_speed_ratio`` × easy speed are fast; dips of at most ``merge_gap_s`` inside a
   fast stretch are bridged;
4. a fast stretch of ``min_effort_s``–``max_effort_s`` is an effort (shorter: a surge
   or noise; longer: a tempo or interval rep, not a stride);
5. efforts less than ``max_recovery_s`` apart form a set; ``min_reps`` or more efforts
   in a set are strides. A single surge is never a set.

Everything is vectorised with numpy (run-length encoding of the fast mask); no loop
over samples.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from ..columns import RUNNING_SPORTS
from ..errors import ParameterError, ReadError, RunloadWarning

__all__ = ["stride_efforts", "count_strides", "activity_strides", "EFFORTS", "ACTIVITY_STRIDES"]

#: Columns of :func:`stride_efforts`.
EFFORTS = {
    "start_s": ("float64", "start of the effort, s since the first sample"),
    "end_s": ("float64", "end of the effort, s since the first sample"),
    "duration_s": ("float64", "length of the effort, s"),
    "speed_m_s": ("float64", "mean smoothed speed during the effort, m/s"),
    "speed_ratio": ("float64", "speed / the run's easy speed"),
    "set_id": ("int64", "number of the set the effort belongs to (0, 1, ...)"),
    "in_set": ("bool", "the effort belongs to a set of at least min_reps efforts: a stride"),
}

#: Columns of :func:`activity_strides`.
ACTIVITY_STRIDES = {
    "athlete": ("string", "athlete"),
    "activity_id": ("string", "activity id"),
    "start_time": ("datetime64[ns, UTC]", "start, UTC"),
    "utc_offset_s": ("Int32", "local time minus UTC, s, when the file tells"),
    "strides": ("Int64", "efforts in sets (strides); NA when the stream could not be read"),
    "stride_sets": ("Int64", "sets of strides; NA when the stream could not be read"),
}


def _positive(name, value) -> float:
    try:
        out = float(value)
    except (TypeError, ValueError) as exc:
        raise ParameterError(f"{name} must be a number, got {value!r}") from exc
    if not np.isfinite(out) or out <= 0:
        raise ParameterError(f"{name} must be > 0, got {value!r}")
    return out


def _grid_speed(track: pd.DataFrame, max_pause_s: float) -> tuple[np.ndarray, np.ndarray]:
    """(grid seconds, speed m/s with NaN where paused) on a 1-s grid."""
    t = pd.to_numeric(track.get("elapsed_s"), errors="coerce") if "elapsed_s" in track else None
    if t is None:
        return np.empty(0), np.empty(0)
    t = t.to_numpy(dtype=float)
    v = (pd.to_numeric(track["speed_m_s"], errors="coerce").to_numpy(dtype=float)
         if "speed_m_s" in track else np.full(t.size, np.nan))
    if not np.isfinite(v).any() and "distance_m" in track:
        d = pd.to_numeric(track["distance_m"], errors="coerce").to_numpy(dtype=float)
        with np.errstate(invalid="ignore", divide="ignore"):
            v = np.diff(d, prepend=np.nan) / np.diff(t, prepend=np.nan)
    ok = np.isfinite(t) & np.isfinite(v) & (v >= 0)
    t, v = t[ok], v[ok]
    if t.size < 2:
        return np.empty(0), np.empty(0)
    order = np.argsort(t, kind="stable")
    t, v = t[order], v[order]
    keep = np.r_[True, np.diff(t) > 0]
    t, v = t[keep], v[keep]
    if t.size < 2:
        return np.empty(0), np.empty(0)
    # shorten long gaps (a watch left recording for hours) so the grid follows moving time;
    # a shortened gap stays longer than max_pause_s and so stays a pause
    gaps = np.diff(t)
    excess = np.where(gaps > max_pause_s + 1.0, gaps - (max_pause_s + 1.0), 0.0)
    tc = t - np.r_[0.0, np.cumsum(excess)]
    grid = np.arange(np.ceil(tc[0]), np.floor(tc[-1]) + 1.0)
    speed = np.interp(grid, tc, v)
    interval = np.clip(np.searchsorted(tc, grid, side="right") - 1, 0, tc.size - 2)
    paused = (tc[interval + 1] - tc[interval]) > max_pause_s
    speed[paused] = np.nan
    grid = np.interp(grid, tc, t)  # back to seconds since the first sample
    return grid, speed


def _runs(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start and end (exclusive) indices of the runs of True in ``mask``."""
    edges = np.diff(np.r_[0, mask.astype(np.int8), 0])
    return np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)


def stride_efforts(
    track: pd.DataFrame,
    *,
    min_speed_ratio: float = 1.25,
    min_effort_s: float = 15.0,
    max_effort_s: float = 40.0,
    min_reps: int = 4,
    max_recovery_s: float = 180.0,
    smooth_s: int = 5,
    merge_gap_s: float = 3.0,
    max_pause_s: float = 10.0,
    stop_speed_m_s: float = 1.0,
) -> pd.DataFrame:
    """The short fast efforts of one run, grouped into sets.

    Parameters
    ----------
    track : DataFrame
        Streams of one run (:data:`runload.columns.TRACK`): ``elapsed_s`` and
        ``speed_m_s`` (or ``distance_m``).
    min_speed_ratio : float, default 1.25
        An effort is at least this many times the run's easy (median moving) speed.
        Strides are run "at a hard pace" (seed 000), typically 1.3–1.5× easy speed.
    min_effort_s, max_effort_s : float, default 15 and 40
        Length of an effort, s. The seed's strides last 20–30 s; the margins allow for
        the acceleration and for smoothing.
    min_reps : int, default 4
        Efforts a set needs to count as strides (seed: 5; one missed rep tolerated).
    max_recovery_s : float, default 180
        Longest gap, s, between two efforts of the same set.
    smooth_s : int, default 5
        Window of the centred running median, s (GPS noise).
    merge_gap_s : float, default 3
        Dips below the threshold of at most this many seconds inside an effort are
        bridged.
    max_pause_s : float, default 10
        A gap in the recording longer than this, s, is a pause (no speed there).
    stop_speed_m_s : float, default 1.0
        Slower than this is standing or walking; not part of the easy speed.

    Returns
    -------
    DataFrame
        Columns of :data:`EFFORTS`, one row per effort in time order (empty when the
        stream has no usable speed). Efforts with ``in_set`` are strides.

    Notes
    -----
    Source: seed 000 ("add strides once or twice a week ... 5 sets of 20 to 30
    seconds"). Strength of evidence: expert advice for running form; no study links
    strides to fewer injuries.
    """
    ratio = _positive("min_speed_ratio", min_speed_ratio)
    lo, hi = _positive("min_effort_s", min_effort_s), _positive("max_effort_s", max_effort_s)
    if hi < lo:
        raise ParameterError("max_effort_s must be >= min_effort_s")
    if isinstance(min_reps, bool) or not isinstance(min_reps, (int, np.integer)) or min_reps < 2:
        raise ParameterError(f"min_reps must be a whole number >= 2, got {min_reps!r}")
    recovery = _positive("max_recovery_s", max_recovery_s)
    if isinstance(smooth_s, bool) or not isinstance(smooth_s, (int, np.integer)) or smooth_s < 1:
        raise ParameterError(f"smooth_s must be a whole number of seconds >= 1, got {smooth_s!r}")
    pause = _positive("max_pause_s", max_pause_s)
    stop = _positive("stop_speed_m_s", stop_speed_m_s)
    if not np.isfinite(float(merge_gap_s)) or float(merge_gap_s) < 0:
        raise ParameterError(f"merge_gap_s must be >= 0, got {merge_gap_s!r}")
    if not isinstance(track, pd.DataFrame):
        raise ParameterError(f"track must be a DataFrame, got {type(track).__name__}")

    grid, speed = _grid_speed(track, pause)
    empty = pd.DataFrame({name: pd.Series(dtype=dtype) for name, (dtype, _) in EFFORTS.items()})
    if grid.size == 0:
        return empty
    smooth = (pd.Series(speed).rolling(int(smooth_s), center=True, min_periods=1).median()
              .to_numpy(dtype=float, copy=True))
    smooth[np.isnan(speed)] = np.nan
    moving = smooth[smooth > stop]
    if moving.size == 0:
        return empty
    easy = float(np.median(moving))
    with np.errstate(invalid="ignore"):
        fast = smooth >= ratio * easy
    # bridge short dips between two fast stretches
    slow_start, slow_end = _runs(~fast)
    inner = (slow_start > 0) & (slow_end < fast.size) & ((slow_end - slow_start) <= merge_gap_s)
    bridge = np.zeros(fast.size + 1, dtype=np.int64)
    np.add.at(bridge, slow_start[inner], 1)
    np.add.at(bridge, slow_end[inner], -1)
    fast |= np.cumsum(bridge)[:-1] > 0
    fast &= ~np.isnan(smooth)
    start, end = _runs(fast)
    duration = (end - start).astype(float)
    keep = (duration >= lo) & (duration <= hi)
    start, end, duration = start[keep], end[keep], duration[keep]
    if start.size == 0:
        return empty
    csum = np.r_[0.0, np.cumsum(np.nan_to_num(smooth))]
    mean = (csum[end] - csum[start]) / duration
    gap = grid[start[1:]] - grid[end[:-1] - 1]  # s from the end of one effort to the next
    set_id = np.cumsum(np.r_[True, gap > recovery]) - 1
    size = np.bincount(set_id)[set_id]
    out = pd.DataFrame(
        {
            "start_s": grid[start],
            "end_s": grid[end - 1] + 1.0,
            "duration_s": duration,
            "speed_m_s": mean,
            "speed_ratio": mean / easy,
            "set_id": set_id.astype("int64"),
            "in_set": size >= int(min_reps),
        }
    )
    return out


def count_strides(track: pd.DataFrame, **options) -> tuple[int, int]:
    """(strides, sets) of one run: efforts in sets, and the number of those sets.

    ``options`` are the keyword options of :func:`stride_efforts`.
    """
    efforts = stride_efforts(track, **options)
    strides = efforts.loc[efforts["in_set"]]
    return int(len(strides)), int(strides["set_id"].nunique())


def activity_strides(
    activities: pd.DataFrame,
    *,
    reader=None,
    sports=RUNNING_SPORTS,
    **options,
) -> pd.DataFrame:
    """Strides and sets of strides in each run of an activities table.

    Parameters
    ----------
    activities : DataFrame
        The activities table (:data:`runload.columns.ACTIVITIES`) with ``source``;
        rows with ``duplicate_of`` set are skipped.
    reader : callable, optional
        ``reader(source) -> track``; default :func:`runload.read_track`.
    sports : sequence of str, default ``runload.columns.RUNNING_SPORTS``
        Sports whose files are read.
    **options
        Keyword options of :func:`stride_efforts`.

    Returns
    -------
    DataFrame
        Columns of :data:`ACTIVITY_STRIDES`, one row per run. ``strides`` and
        ``stride_sets`` are NA for a run whose stream could not be read (counted in a
        :class:`~runload.errors.RunloadWarning`); a multisport file is read once per
        running leg and its whole stream is searched.
    """
    if reader is None:
        from ..io import read_track as reader
    if "source" not in activities.columns:
        raise ParameterError("activities lacks the 'source' column (see runload.columns.ACTIVITIES)")
    runs = activities.loc[activities["sport"].isin(list(sports))]
    if "duplicate_of" in runs.columns:
        runs = runs.loc[runs["duplicate_of"].isna()]
    counts = np.full((len(runs), 2), -1, dtype=np.int64)
    failed = 0
    cache: dict[str, tuple[int, int] | None] = {}
    for i, source in enumerate(runs["source"].astype("string").fillna("").tolist()):
        if source not in cache:
            try:
                cache[source] = count_strides(reader(source), **options)
            except ReadError:
                cache[source] = None
        found = cache[source]
        if found is None:
            failed += 1
        else:
            counts[i] = found
    if failed:
        warnings.warn(f"{failed} run(s) whose stream could not be read have no stride count",
                      RunloadWarning, stacklevel=2)
    strides = pd.array(counts[:, 0], dtype="Int64")
    sets = pd.array(counts[:, 1], dtype="Int64")
    unknown = counts[:, 0] < 0
    strides[unknown] = pd.NA
    sets[unknown] = pd.NA
    offset = runs["utc_offset_s"] if "utc_offset_s" in runs.columns else pd.NA
    out = pd.DataFrame(
        {
            "athlete": runs["athlete"].astype("string"),
            "activity_id": runs["activity_id"].astype("string"),
            "start_time": pd.to_datetime(runs["start_time"], utc=True),
            "utc_offset_s": pd.Series(offset, index=runs.index).astype("Int32"),
            "strides": strides,
            "stride_sets": sets,
        }
    )
    return out.reset_index(drop=True)

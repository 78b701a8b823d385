"""Strides from the speed stream: short fast efforts, in sets, inside an easy run.

Article A (``docs/sources.md``) advises strides once or twice a week: "5 sets of 20 to
30 seconds at a hard pace" to practise good form. In a speed stream they are short
plateaus clearly above the run's easy speed, a minute or two apart. The detector works
on the :data:`runload.columns.TRACK` streams of one run (:func:`runload.read_track`):

1. speed (``speed_m_s``, else the change of ``distance_m`` over time) on a 1-s grid;
   grid seconds inside a recording gap longer than ``max_pause_s`` are paused;
2. a centred running median over ``smooth_s`` seconds removes GPS noise and keeps the
   edges of a plateau;
3. the easy speed is the median smoothed speed while moving; a fast stretch is found by
   hysteresis: it enters at ``min_speed_ratio`` × easy speed and lasts until the speed
   falls below a lower exit threshold, ``exit_noise_sd`` standard deviations of the
   stream's own speed noise lower (never below ``min_exit_speed_ratio`` × easy speed), so
   noise around one threshold does not cut a stride into pieces; two fast stretches are
   one when the dip between them lasts at most ``merge_gap_s`` or the runner never
   slowed below the exit speed on average in between (no recovery);
4. a fast stretch of ``min_effort_s``–``max_effort_s`` is an effort (shorter: a surge
   or noise; longer: a tempo or interval rep, not a stride);
5. efforts less than ``max_recovery_s`` apart form a set; ``min_reps`` or more efforts
   in a set are strides. A single surge is never a set.

Everything is vectorised with numpy (run-length encoding of the masks, cumulative sums
per run); no loop over samples.
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


def _positive(name, value, *, zero: bool = False) -> float:
    """``value`` as a finite float > 0 (>= 0 with ``zero=True``), else ParameterError."""
    try:
        out = float(value)
    except (TypeError, ValueError) as exc:
        raise ParameterError(f"{name} must be a number, got {value!r}") from exc
    if not np.isfinite(out) or out < 0 or (out == 0 and not zero):
        raise ParameterError(f"{name} must be {'>=' if zero else '>'} 0, got {value!r}")
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


def _speed_noise_m_s(speed: np.ndarray, *, stop_m_s: float) -> float:
    """Standard deviation, m/s, of the speed noise per 1-s sample, from first differences.

    For white noise of standard deviation σ on a slowly changing speed, the difference of
    two neighbouring seconds has standard deviation √2 σ; its median absolute value,
    scaled by 1.4826 (the normal consistency factor of the MAD), estimates √2 σ and
    ignores the few large steps at the edges of efforts or stops.
    """
    step = np.diff(speed)
    moving = np.isfinite(step) & (speed[1:] > stop_m_s) & (speed[:-1] > stop_m_s)
    if not moving.any():
        return 0.0
    return float(1.4826 * np.median(np.abs(step[moving])) / np.sqrt(2.0))


def _hysteresis_runs(
    speed: np.ndarray, *, enter_m_s: float, leave_m_s: float, merge_gap_s: float
) -> tuple[np.ndarray, np.ndarray]:
    """Start and end (exclusive) indices of the fast stretches of a 1-s speed series.

    A fast stretch is a run of seconds at or above ``leave_m_s`` that reaches
    ``enter_m_s`` at least once (hysteresis thresholding, Canny 1986). Two consecutive
    stretches are one when the seconds between them are not paused (NaN) and either last
    at most ``merge_gap_s`` or average at least ``leave_m_s`` (the runner did not slow
    down in between: no recovery, so no new effort).
    """
    with np.errstate(invalid="ignore"):
        above_leave = speed >= leave_m_s  # NaN (paused) compares False
        above_enter = speed >= enter_m_s
    start, end = _runs(above_leave)
    entered = np.r_[0, np.cumsum(above_enter)]
    keep = entered[end] - entered[start] > 0
    start, end = start[keep], end[keep]
    if start.size < 2:
        return start, end
    paused = np.r_[0, np.cumsum(np.isnan(speed))]
    total = np.r_[0.0, np.cumsum(np.nan_to_num(speed))]
    gap_s = start[1:] - end[:-1]
    gap_mean_m_s = (total[start[1:]] - total[end[:-1]]) / gap_s
    bridged = (((gap_s <= merge_gap_s) | (gap_mean_m_s >= leave_m_s))
               & (paused[start[1:]] == paused[end[:-1]]))
    first = np.r_[True, ~bridged]  # a stretch that starts a new merged stretch
    last = np.r_[~bridged, True]  # a stretch that ends one
    return start[first], end[last]


def stride_efforts(
    track: pd.DataFrame,
    *,
    min_speed_ratio: float = 1.25,
    exit_noise_sd: float = 1.5,
    min_exit_speed_ratio: float = 1.10,
    min_effort_s: float = 15.0,
    max_effort_s: float = 40.0,
    min_reps: int = 4,
    max_recovery_s: float = 180.0,
    smooth_s: int = 5,
    merge_gap_s: float = 5.0,
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
        An effort reaches at least this many times the run's easy (median moving) speed
        (the entry threshold). Strides are run "at a hard pace" (article A), typically
        1.3–1.5× easy speed.
    exit_noise_sd : float, default 1.5
        Once entered, an effort lasts until the smoothed speed falls below the exit
        threshold, this many standard deviations of the stream's speed noise (per 1-s
        sample, estimated from the stream) below the entry threshold. 0: a single
        threshold, no hysteresis.
    min_exit_speed_ratio : float, default 1.10
        The exit threshold is never below this many times the easy speed (nor above
        ``min_speed_ratio``).
    min_effort_s, max_effort_s : float, default 15 and 40
        Length of an effort, s. Article A's strides last 20–30 s; the margins allow for
        the acceleration and for smoothing.
    min_reps : int, default 4
        Efforts a set needs to count as strides (article A: 5; one missed rep tolerated).
    max_recovery_s : float, default 180
        Longest gap, s, between two efforts of the same set.
    smooth_s : int, default 5
        Window of the centred running median, s (GPS noise).
    merge_gap_s : float, default 5
        Dips below the exit threshold of at most this many seconds between two fast
        stretches are bridged (as long as the smoothing window: shorter than any
        recovery between strides).
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
    Source: article A ("add strides once or twice a week ... 5 sets of 20 to 30
    seconds"). Strength of evidence: expert advice for running form; no study links
    strides to fewer injuries.

    *Noise.* With white speed noise of standard deviation σ per 1-s sample, the 5-s
    running median [2]_ has a standard deviation of about 0.54 σ. A single threshold at
    1.25× easy speed sits only 0.10 easy speed (1.6 standard deviations of the smoothed
    speed at σ = 12 % of easy speed) below a 1.35× stride: about 6 % of the stride's
    seconds fall below it, and a dip longer than the bridging cuts the stride into
    pieces shorter than ``min_effort_s``. Hysteresis thresholding [1]_ fixes that
    without more smoothing (which would blur the 15–30 s plateaus): the entry threshold
    (1.25×) keeps easy running out — at σ = 12 % the smoothed easy speed reaches it only
    about 4 standard deviations above its mean — and the exit threshold lies lower, so
    a stride is rarely cut and a cut is short and bridged.

    *Exit threshold.* The band between entry and exit is ``exit_noise_sd`` = 1.5 σ,
    with σ estimated from the stream itself (the MAD of first differences [3]_, robust
    to the steps at the edges of efforts): a 1.35× stride then lies
    (0.10 + 1.5 σ) / 0.54 σ, at least about 4, standard deviations of the smoothed
    speed above the exit for any σ up to 12 % of easy speed. The band is no wider than needed because a low exit has a cost:
    a run whose pace drifts (hills, a progression) spends minutes above it, and a
    stride there would run on into that pace and become too long. A watch's own speed
    stream (FIT, TCX) is smooth (σ below 1 % of easy speed in the corpus runs), so its exit threshold
    is nearly the entry threshold and its answers are those of a single threshold; GPS
    speeds are noisier and get the wider band. The exit is never below
    ``min_exit_speed_ratio`` = 1.10× easy speed (reached from σ ≈ 10 %): seconds of
    easy running above it (about 6 % of them at σ = 12 %) join an effort only when
    they also reach the entry threshold.

    *Tempo.* A tempo or interval rep near the entry threshold has noisy dips below the
    exit threshold too; bridging dips of up to ``merge_gap_s`` and gaps whose mean speed
    stays at or above the exit speed keeps the rep whole, so it is one effort longer
    than ``max_effort_s`` and not a set of strides. Strides are separated by real
    recoveries (tens of seconds near or below easy speed), which are never bridged.

    *Measured domain* (property tests and simulations of 1000 runs): 4–8 strides of
    20–30 s at 1.35–1.6× easy speed, 45–150 s apart, with white noise up to 12 % of
    easy speed per 1-s sample are all found (no miss in 1000 runs at 1.35× for each
    of 6.7, 10 and 12 %; 3 sets in 1000 missed at 15 %); steady runs and 2–6
    tempo/interval reps of 60–600 s at 1.1–1.6× easy speed with the same noise give no
    strides. Outside it: a run whose easy pace drifts by more than the band, strides
    slower than about 1.3× easy pace, or noisier streams.

    References
    ----------
    .. [1] J. Canny, "A computational approach to edge detection", IEEE Transactions on
       Pattern Analysis and Machine Intelligence 8(6), 679–698, 1986 (hysteresis
       thresholding). The same rule is ``skimage.filters.apply_hysteresis_threshold``.
    .. [2] J. W. Tukey, *Exploratory Data Analysis*, Addison-Wesley, 1977 (running
       medians).
    .. [3] F. R. Hampel, "The influence curve and its role in robust estimation",
       Journal of the American Statistical Association 69(346), 383–393, 1974 (the
       median absolute deviation, scaled by 1.4826 for normal data); J. Rice,
       "Bandwidth choice for nonparametric regression", Annals of Statistics 12(4),
       1215–1230, 1984 (the noise variance from first differences).
    """
    ratio = _positive("min_speed_ratio", min_speed_ratio)
    band_sd = _positive("exit_noise_sd", exit_noise_sd, zero=True)
    floor = min(_positive("min_exit_speed_ratio", min_exit_speed_ratio), ratio)
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
    merge_gap = _positive("merge_gap_s", merge_gap_s, zero=True)
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
    noise_m_s = _speed_noise_m_s(speed, stop_m_s=stop)
    leave = float(np.clip(ratio - band_sd * noise_m_s / easy, floor, ratio))
    start, end = _hysteresis_runs(smooth, enter_m_s=ratio * easy, leave_m_s=leave * easy,
                                  merge_gap_s=merge_gap)
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

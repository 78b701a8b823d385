"""The fast paths of runload.io.geo give the bits of the plain implementations.

The references below are the functions as they were before their per-call cost was cut
(each step measured by ``haversine_m`` on slices, one ``jump_steps`` call per segment,
``numpy.logical_or.at``, ``numpy.clip`` and ``numpy.concatenate`` in the ascent scan).
Every result must be identical: arrays byte for byte (NaN signs included), floats bit
for bit, and the same exceptions.
"""

from __future__ import annotations

import struct

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from runload.errors import ParameterError
from runload.io import geo

SETTINGS = settings(max_examples=300, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


# ---- the references ------------------------------------------------------------------
def ref_step_distance_m(lat, lon, *, radius_m=geo.EARTH_RADIUS_M):
    lat = np.asarray(lat, dtype=np.float64)
    lon = np.asarray(lon, dtype=np.float64)
    out = np.zeros(lat.shape, dtype=np.float64)
    if lat.size > 1:
        out[1:] = geo.haversine_m(lat[:-1], lon[:-1], lat[1:], lon[1:], radius_m=radius_m)
    return out


def ref_jump_steps(lat, lon, time_s, *, max_speed_m_s=geo.MAX_SPEED_M_S,
                   tolerance_m=geo.JUMP_TOLERANCE_M, radius_m=geo.EARTH_RADIUS_M):
    if not max_speed_m_s > 0 or not tolerance_m >= 0:
        raise ParameterError(
            f"max_speed_m_s must be > 0 and tolerance_m >= 0, got {max_speed_m_s}, {tolerance_m}"
        )
    t = np.asarray(time_s, dtype=np.float64)
    step = ref_step_distance_m(lat, lon, radius_m=radius_m)
    dt = np.zeros_like(step)
    if t.size > 1:
        dt[1:] = np.diff(t)
    with np.errstate(invalid="ignore"):
        limit = max_speed_m_s * np.maximum(dt, 0.0) + tolerance_m
        return np.isfinite(step) & np.isfinite(dt) & (step > limit)


def ref_cumulative_distance_m(lat, lon, *, breaks=None, radius_m=geo.EARTH_RADIUS_M):
    lat = np.asarray(lat, dtype=np.float64)
    lon = np.asarray(lon, dtype=np.float64)
    n = lat.size
    brk = geo._breaks(breaks, n)
    if n == 0:
        return np.zeros(0)
    has = np.isfinite(lat) & np.isfinite(lon)
    if not has.any():
        return np.zeros(n)
    idx = np.where(has, np.arange(n), -1)
    np.maximum.accumulate(idx, out=idx)
    filled = idx >= 0
    flat = np.where(filled, lat[np.maximum(idx, 0)], np.nan)
    flon = np.where(filled, lon[np.maximum(idx, 0)], np.nan)
    step = ref_step_distance_m(flat, flon, radius_m=radius_m)
    group = np.cumsum(has) - has + 1
    brk_any = np.zeros(n + 2, dtype=bool)
    np.logical_or.at(brk_any, group, brk)
    step_brk = has & brk_any[group]
    step = np.where(np.isfinite(step) & ~step_brk, step, 0.0)
    return np.cumsum(step)


def ref_jump_filter(lat, lon, time_s, *, breaks=None, max_speed_m_s=geo.MAX_SPEED_M_S,
                    tolerance_m=geo.JUMP_TOLERANCE_M,
                    max_excursion_points=geo.MAX_EXCURSION_POINTS,
                    max_end_points=geo.MAX_END_POINTS, radius_m=geo.EARTH_RADIUS_M):
    for name, value in (("max_excursion_points", max_excursion_points),
                        ("max_end_points", max_end_points)):
        if not (isinstance(value, int | np.integer) and value >= 0):
            raise ParameterError(f"{name} must be a non-negative integer, got {value!r}")
    lat = np.asarray(lat, dtype=np.float64)
    lon = np.asarray(lon, dtype=np.float64)
    t = np.asarray(time_s, dtype=np.float64)
    n = lat.size
    if lon.shape != (n,) or t.shape != (n,):
        raise ParameterError("lat_deg, lon_deg and time_s must be 1-D and of equal length")
    brk = geo._breaks(breaks, n)
    keep = np.ones(n, dtype=bool)
    has = np.isfinite(lat) & np.isfinite(lon)
    options = {"max_speed_m_s": max_speed_m_s, "tolerance_m": tolerance_m, "radius_m": radius_m}
    ref_jump_steps(lat[:1], lon[:1], t[:1], **options)
    starts = np.flatnonzero(brk[1:]) + 1 if n else np.zeros(0, dtype=int)
    bounds = np.concatenate([[0], starts, [n]]).astype(int)
    pos = np.flatnonzero(has)
    for lo, hi in zip(bounds[:-1], bounds[1:], strict=True):
        idx = pos[(pos >= lo) & (pos < hi)]
        if idx.size < 2:
            continue
        sub = np.ones(idx.size, dtype=bool)
        geo._filter_segment(lat[idx], lon[idx], t[idx], sub, options, max_excursion_points,
                            max_end_points)
        keep[idx[~sub]] = False
    return keep


def ref_moving_time_s(time_s, step_m, *, breaks=None, stop_speed_m_s=geo.STOP_SPEED_M_S):
    t = np.asarray(time_s, dtype=np.float64)
    d = np.asarray(step_m, dtype=np.float64)
    n = t.size
    if d.shape != (n,):
        raise ParameterError("time_s and step_m must be of equal length")
    if n < 2:
        return float("nan") if not np.isfinite(t).any() else 0.0
    brk = geo._breaks(breaks, n)
    dt = np.diff(t)
    step = d[1:]
    ok = np.isfinite(dt) & np.isfinite(step) & ~brk[1:] & (dt > 0)
    if not np.isfinite(dt).any():
        return float("nan")
    with np.errstate(divide="ignore", invalid="ignore"):
        moving = ok & (step / np.where(ok, dt, 1.0) >= stop_speed_m_s)
    return float(dt[moving].sum())


def _ref_clamp_scan(low, high):
    a = low.copy()
    b = high.copy()
    shift = 1
    n = a.size
    while shift < n:
        a_prev, b_prev = a[:-shift], b[:-shift]
        a_new = np.clip(a_prev, a[shift:], b[shift:])
        b_new = np.clip(b_prev, a[shift:], b[shift:])
        a = np.concatenate([a[:shift], a_new])
        b = np.concatenate([b[:shift], b_new])
        shift *= 2
    return a, b


def ref_ascent_m(elevation_m, *, threshold_m=geo.ASCENT_THRESHOLD_M):
    if not threshold_m >= 0:
        raise ParameterError(f"threshold_m must be >= 0, got {threshold_m}")
    x = np.asarray(elevation_m, dtype=np.float64)
    x = x[np.isfinite(x)]
    if x.size == 0:
        return float("nan")
    if x.size == 1:
        return 0.0
    h = threshold_m / 2.0
    low, high = _ref_clamp_scan(x - h, x + h)
    y = np.concatenate([[x[0]], np.clip(x[0], low, high)[1:]])
    dy = np.diff(y)
    sign = np.sign(dy)
    nz = sign[sign != 0]
    if nz.size == 0:
        return 0.0
    up_start = (nz > 0) & np.concatenate([[True], nz[:-1] < 0])
    after_trough = (nz > 0) & np.concatenate([[False], nz[:-1] < 0])
    rise = dy[dy > 0].sum()
    return float(rise + h * up_start.sum() + h * after_trough.sum())


# ---- comparison ----------------------------------------------------------------------
def _outcome(function, *args, **kwargs):
    try:
        with np.errstate(all="ignore"):
            return ("ok", function(*args, **kwargs))
    except Exception as exc:  # noqa: BLE001 (compared, whatever it is)
        return ("error", type(exc), str(exc))


def _identical(a, b) -> bool:
    if a[0] != b[0]:
        return False
    if a[0] == "error":
        return a == b
    x, y = a[1], b[1]
    if isinstance(x, np.ndarray):
        return (isinstance(y, np.ndarray) and x.dtype == y.dtype and x.shape == y.shape
                and x.tobytes() == y.tobytes())
    return (type(x) is type(y) and isinstance(x, float)
            and struct.pack("<d", x) == struct.pack("<d", y))


def _check(fast, reference, *args, **kwargs):
    got, want = _outcome(fast, *args, **kwargs), _outcome(reference, *args, **kwargs)
    assert _identical(got, want), (got, want)


# ---- inputs --------------------------------------------------------------------------
ODD = [np.nan, -np.nan, np.inf, -np.inf, 0.0, -0.0, 90.0, -90.0, 180.0, 1e300, -1e-300]


@st.composite
def tracks(draw, max_size=40):
    """Random walks with gaps, GPS jumps, odd values, unsorted and missing times."""
    n = draw(st.one_of(st.integers(0, 4), st.integers(0, max_size)))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    lat = draw(st.floats(-89, 89)) + np.cumsum(rng.normal(0, 1e-4, n))
    lon = draw(st.floats(-179, 179)) + np.cumsum(rng.normal(0, 1e-4, n))
    t = np.cumsum(rng.choice([0.0, 0.5, 1.0, 1.0, 1.0, 5.0, -1.0, 60.0], n))
    jump = rng.random(n) < draw(st.sampled_from([0.0, 0.05, 0.3]))
    lat = np.where(jump, lat + rng.choice([0.01, 0.1, -1.0], n), lat)
    for values in (lat, lon, t):
        odd = rng.random(n) < draw(st.sampled_from([0.0, 0.0, 0.05, 0.2]))
        values[odd] = rng.choice(ODD, int(odd.sum()))
    breaks = rng.random(n) < draw(st.sampled_from([0.0, 0.1, 0.5]))
    return lat, lon, t, breaks


OPTIONS = st.fixed_dictionaries({
    "max_speed_m_s": st.sampled_from([30.0, 5.0, 0.1, 1e9, np.inf, 0.0, -1.0, np.nan]),
    "tolerance_m": st.sampled_from([50.0, 0.0, 10.0, np.inf, -1.0]),
    "radius_m": st.sampled_from([geo.EARTH_RADIUS_M, 1.0, 0.0, np.inf]),
})


@SETTINGS
@given(track=tracks(), radius=st.sampled_from([geo.EARTH_RADIUS_M, 1.0, np.inf, -1.0]))
def test_step_distance(track, radius):
    lat, lon, _, _ = track
    _check(geo.step_distance_m, ref_step_distance_m, lat, lon, radius_m=radius)


@SETTINGS
@given(track=tracks(), options=OPTIONS)
def test_jump_steps(track, options):
    lat, lon, t, _ = track
    _check(geo.jump_steps, ref_jump_steps, lat, lon, t, **options)


@SETTINGS
@given(track=tracks(), with_breaks=st.booleans(),
       radius=st.sampled_from([geo.EARTH_RADIUS_M, 1.0]))
def test_cumulative_distance(track, with_breaks, radius):
    lat, lon, _, breaks = track
    _check(geo.cumulative_distance_m, ref_cumulative_distance_m, lat, lon,
           breaks=breaks if with_breaks else None, radius_m=radius)


@SETTINGS
@given(track=tracks(max_size=120), with_breaks=st.booleans(), options=OPTIONS,
       excursion=st.sampled_from([20, 0, 2, 5]), end=st.sampled_from([3, 0, 1, 10]))
def test_jump_filter(track, with_breaks, options, excursion, end):
    lat, lon, t, breaks = track
    _check(geo.jump_filter, ref_jump_filter, lat, lon, t,
           breaks=breaks if with_breaks else None, max_excursion_points=excursion,
           max_end_points=end, **options)


@SETTINGS
@given(track=tracks(), with_breaks=st.booleans(),
       stop=st.sampled_from([0.5, 0.0, 2.0, np.inf, np.nan]))
def test_moving_time(track, with_breaks, stop):
    lat, lon, t, breaks = track
    with np.errstate(invalid="ignore"):
        step = ref_step_distance_m(lat, lon)
    _check(geo.moving_time_s, ref_moving_time_s, t, step,
           breaks=breaks if with_breaks else None, stop_speed_m_s=stop)


ELEVATIONS = st.one_of(
    st.lists(st.floats(allow_nan=True, allow_infinity=True, width=64), max_size=40),
    st.lists(st.sampled_from([0.0, -0.0, 1.0, 2.5, -2.5, 5.0, 7.5, 100.0, np.nan]),
             max_size=40),
    st.builds(lambda seed, n: list(np.cumsum(np.random.default_rng(seed).normal(0, 3, n))),
              st.integers(0, 2**32 - 1), st.integers(0, 300)),
)


@SETTINGS
@given(elevation=ELEVATIONS,
       threshold=st.sampled_from([5.0, 0.0, 1.0, 5.000001, 1e-300, np.inf, -1.0, np.nan]))
def test_ascent(elevation, threshold):
    _check(geo.ascent_m, ref_ascent_m, np.array(elevation, dtype=np.float64),
           threshold_m=threshold)


def test_shapes_and_errors():
    lat = np.array([50.0, 50.001, 50.002])
    for args, kwargs in (((lat, lat[:2], lat), {}), ((lat, lat, lat[:2]), {}),
                         ((lat, lat, lat), {"breaks": [True]}),
                         ((lat, lat, lat), {"max_excursion_points": -1}),
                         ((lat, lat, lat), {"max_speed_m_s": 0.0}),
                         ((lat[:0], lat[:0], lat[:0]), {"tolerance_m": -1.0})):
        _check(geo.jump_filter, ref_jump_filter, *args, **kwargs)
    _check(geo.jump_steps, ref_jump_steps, lat, lat, lat[:2])
    _check(geo.jump_steps, ref_jump_steps, lat.reshape(3, 1), lat.reshape(3, 1), lat)
    _check(geo.step_distance_m, ref_step_distance_m, lat, lat[0])
    _check(geo.cumulative_distance_m, ref_cumulative_distance_m, lat, lat, breaks=[True])
    _check(geo.moving_time_s, ref_moving_time_s, lat, lat[:2])
    _check(geo.moving_time_s, ref_moving_time_s, lat.reshape(1, 3), lat)
    for values in ([], [1.0], [np.nan]):
        _check(geo.cumulative_distance_m, ref_cumulative_distance_m, values, values)
        _check(geo.jump_filter, ref_jump_filter, values, values, values)
        _check(geo.moving_time_s, ref_moving_time_s, values, values)


@pytest.mark.parametrize("n", [2, 3, 9, 1424, 20_000])
def test_long_tracks(n):
    rng = np.random.default_rng(n)
    lat = 46 + np.cumsum(rng.normal(0, 1e-4, n))
    lon = 14 + np.cumsum(rng.normal(0, 1e-4, n))
    t = np.cumsum(rng.choice([1.0, 1.0, 2.0, 0.0], n))
    lat[rng.random(n) < 0.01] += 0.05
    lat[rng.random(n) < 0.01] = np.nan
    breaks = rng.random(n) < 0.002
    ele = 300 + np.cumsum(rng.normal(0, 2, n))
    _check(geo.step_distance_m, ref_step_distance_m, lat, lon)
    _check(geo.jump_steps, ref_jump_steps, lat, lon, t)
    _check(geo.jump_filter, ref_jump_filter, lat, lon, t, breaks=breaks)
    _check(geo.cumulative_distance_m, ref_cumulative_distance_m, lat, lon, breaks=breaks)
    _check(geo.moving_time_s, ref_moving_time_s, t, ref_step_distance_m(lat, lon),
           breaks=breaks)
    _check(geo.ascent_m, ref_ascent_m, ele)
    full = ~np.isnan(lat)
    _check(geo.jump_filter, ref_jump_filter, lat[full], lon[full], t[full])
    _check(geo.cumulative_distance_m, ref_cumulative_distance_m, lat[full], lon[full])


def ref_filter_track(lat, lon, t, *, breaks=None, radius_m=geo.EARTH_RADIUS_M, **options):
    """The three calls filter_track stands for (on the references)."""
    lat = np.asarray(lat, dtype=np.float64)
    lon = np.asarray(lon, dtype=np.float64)
    t = np.asarray(t, dtype=np.float64)
    keep = ref_jump_filter(lat, lon, t, breaks=breaks, radius_m=radius_m, **options)
    if keep.size == 0:
        return keep, np.zeros(0, dtype=bool), np.zeros(0)
    jump = {k: options[k] for k in ("max_speed_m_s", "tolerance_m") if k in options}
    segment = np.cumsum(geo._breaks(breaks, keep.size))[keep]
    step_breaks = np.concatenate(([True], segment[1:] != segment[:-1]))
    step_breaks |= ref_jump_steps(lat[keep], lon[keep], t[keep], radius_m=radius_m, **jump)
    distance = ref_cumulative_distance_m(lat[keep], lon[keep], breaks=step_breaks,
                                         radius_m=radius_m)
    return keep, step_breaks, distance


def _check_track(*args, **kwargs):
    got = _outcome(geo.filter_track, *args, **kwargs)
    want = _outcome(ref_filter_track, *args, **kwargs)
    assert got[0] == want[0], (got, want)
    if got[0] == "error":
        assert got == want
        return
    assert isinstance(got[1], geo.FilteredTrack)
    for mine, theirs in zip(got[1], want[1], strict=True):
        assert _identical(("ok", mine), ("ok", theirs)), (got, want)


@SETTINGS
@given(track=tracks(max_size=120), with_breaks=st.booleans(), options=OPTIONS,
       excursion=st.sampled_from([20, 0, 2, 5]), end=st.sampled_from([3, 0, 1]))
def test_filter_track(track, with_breaks, options, excursion, end):
    lat, lon, t, breaks = track
    _check_track(lat, lon, t, breaks=breaks if with_breaks else None,
                 max_excursion_points=excursion, max_end_points=end, **options)
    full = np.isfinite(lat) & np.isfinite(lon)  # the usual track: every point placed
    _check_track(lat[full], lon[full], t[full], breaks=breaks[full] if with_breaks else None,
                 max_excursion_points=excursion, max_end_points=end, **options)


@pytest.mark.parametrize("n", [0, 1, 2, 9, 1424])
def test_filter_track_long_and_short(n):
    rng = np.random.default_rng(n)
    lat = 46 + np.cumsum(rng.normal(0, 1e-4, n))
    lon = 14 + np.cumsum(rng.normal(0, 1e-4, n))
    t = np.cumsum(rng.choice([1.0, 1.0, 2.0, 0.0], n))
    breaks = np.concatenate(([True], rng.random(n - 1) < 0.01)) if n else np.zeros(0, bool)
    _check_track(lat, lon, t, breaks=breaks)
    lat[rng.random(n) < 0.01] += 0.05
    _check_track(lat, lon, t, breaks=breaks)
    lat[rng.random(n) < 0.01] = np.nan
    _check_track(lat, lon, t, breaks=breaks)

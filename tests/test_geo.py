"""runload.io.geo: haversine, cumulative distance, GPS-jump filter, moving time, ascent."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from runload.errors import ParameterError
from runload.io import geo

R = geo.EARTH_RADIUS_M


def test_mean_radius_is_iugg_r1():
    a, f = 6_378_137.0, 1 / 298.257223563
    b = a * (1 - f)
    assert geo.EARTH_RADIUS_M == pytest.approx((2 * a + b) / 3, abs=0.1)


def test_haversine_along_meridian_and_equator():
    # 1 degree of arc is R * pi / 180 on either great circle
    one_degree = R * math.pi / 180
    assert geo.haversine_m(0, 0, 1, 0) == pytest.approx(one_degree, rel=1e-12)
    assert geo.haversine_m(0, 10, 0, 11) == pytest.approx(one_degree, rel=1e-12)
    # half the circumference between antipodes
    assert geo.haversine_m(0, 0, 0, 180) == pytest.approx(math.pi * R, rel=1e-12)
    # a longitude degree shrinks with cos(latitude)
    assert geo.haversine_m(60, 0, 60, 0.001) == pytest.approx(
        one_degree * 0.001 * 0.5, rel=1e-6
    )


def test_haversine_vectorised_and_nan():
    d = geo.haversine_m([0, 0, np.nan], [0, 0, 0], [0, 1, 1], [0, 0, 0])
    assert d[0] == 0
    assert d[1] == pytest.approx(R * math.pi / 180)
    assert np.isnan(d[2])


def test_cumulative_distance_breaks_and_missing_positions():
    lat = np.array([0.0, 0.01, np.nan, 0.02, 0.5, 0.51])
    lon = np.zeros(6)
    breaks = np.array([False, False, False, False, True, False])
    cum = geo.cumulative_distance_m(lat, lon, breaks=breaks)
    step = R * math.radians(0.01)
    # the step over the missing position is bridged; the break at index 4 adds nothing
    np.testing.assert_allclose(cum, [0, step, step, 2 * step, 2 * step, 3 * step], rtol=1e-9)
    assert np.all(np.diff(cum) >= 0)


def test_cumulative_distance_break_on_missing_position_carries_forward():
    lat = np.array([0.0, 0.01, np.nan, 0.5])
    breaks = np.array([False, False, True, False])
    cum = geo.cumulative_distance_m(lat, np.zeros(4), breaks=breaks)
    assert cum[-1] == pytest.approx(R * math.radians(0.01))


def _line(n=100, dt=1.0):
    lat = 45 + np.arange(n) * 3e-5  # 3.3 m per second: a run
    return lat, np.full(n, 7.0), np.arange(n) * dt


def test_jump_steps_limit():
    lat = np.array([0.0, 0.0, 0.0])
    lon = np.array([0.0, 0.001, 0.003])  # 111 m then 222 m
    t = np.array([0.0, 1.0, 10.0])
    jumps = geo.jump_steps(lat, lon, t, max_speed_m_s=30, tolerance_m=50)
    assert jumps.tolist() == [False, True, False]  # 111 > 80; 222 < 320
    # without a time there is no speed, so no jump
    assert not geo.jump_steps(lat, lon, [0.0, np.nan, np.nan]).any()


def test_single_spike_is_removed_and_nothing_else():
    lat, lon, t = _line()
    lat[50] += 0.05  # 5.5 km away for one sample
    keep = geo.jump_filter(lat, lon, t)
    assert np.flatnonzero(~keep).tolist() == [50]


def test_short_excursion_is_removed():
    lat, lon, t = _line()
    lon[40:45] += 0.1
    keep = geo.jump_filter(lat, lon, t)
    assert np.flatnonzero(~keep).tolist() == [40, 41, 42, 43, 44]


def test_stale_first_fix_is_removed_but_long_end_pieces_are_kept():
    lat, lon, t = _line()
    lat[:2] += 1.0
    assert np.flatnonzero(~geo.jump_filter(lat, lon, t)).tolist() == [0, 1]
    lat, lon, t = _line()
    lat[:10] -= 0.01  # ten plausible points, then one implausible step: keep both sides
    assert geo.jump_filter(lat, lon, t).all()


def test_real_relocation_keeps_the_rest_of_the_track():
    # a naive filter drops everything after a genuine offset; this one keeps both halves
    lat, lon, t = _line()
    lat[50:] += 0.2
    assert geo.jump_filter(lat, lon, t).all()


def test_segments_are_filtered_separately():
    lat, lon, t = _line(40)
    lat[20:] += 1.0  # the second segment starts far away: no jump across segments
    breaks = np.zeros(40, dtype=bool)
    breaks[20] = True
    assert geo.jump_filter(lat, lon, t, breaks=breaks).all()


def test_no_times_means_no_filtering():
    lat, lon, _ = _line()
    lat[50] += 0.05
    assert geo.jump_filter(lat, lon, np.full(lat.size, np.nan)).all()


def test_jump_filter_parameters_checked():
    lat, lon, t = _line(5)
    with pytest.raises(ParameterError):
        geo.jump_filter(lat, lon, t, max_speed_m_s=0)
    with pytest.raises(ParameterError):
        geo.jump_filter(lat, lon, t, max_excursion_points=-1)
    with pytest.raises(ParameterError):
        geo.jump_filter(lat, lon, t[:3])


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(min_value=25, max_value=200),
    spikes=st.lists(st.integers(min_value=2, max_value=197), max_size=4, unique=True),
)
def test_isolated_spikes_are_exactly_the_dropped_points(n, spikes):
    spikes = sorted(s for s in spikes if s < n - 2)
    # keep spikes isolated (at least two good points between them)
    spikes = [s for i, s in enumerate(spikes) if i == 0 or s - spikes[i - 1] > 2]
    lat, lon, t = _line(n)
    lat[spikes] += 0.05
    keep = geo.jump_filter(lat, lon, t)
    assert np.flatnonzero(~keep).tolist() == spikes


def test_moving_time_threshold_and_breaks():
    t = np.array([0.0, 10, 20, 30, 40])
    step = np.array([0.0, 30, 2, 30, 30])  # 3 m/s, 0.2 m/s (stopped), 3 m/s, 3 m/s
    assert geo.moving_time_s(t, step) == 30.0
    assert geo.moving_time_s(t, step, breaks=[False, False, False, False, True]) == 20.0
    assert geo.moving_time_s(t, step, stop_speed_m_s=0.1) == 40.0
    assert np.isnan(geo.moving_time_s(np.full(5, np.nan), step))


def _ascent_reference(x, threshold):
    """Sequential play operator and the documented end corrections."""
    h = threshold / 2
    y = [x[0]]
    for v in x[1:]:
        y.append(min(max(y[-1], v - h), v + h))
    dy = np.diff(y)
    signs = [np.sign(d) for d in dy if d != 0]
    rise = sum(d for d in dy if d > 0)
    for i, s in enumerate(signs):
        if s > 0 and (i == 0 or signs[i - 1] < 0):
            rise += h if i == 0 else 2 * h
    return rise


@settings(max_examples=80, deadline=None)
@given(
    x=st.lists(st.floats(min_value=-50, max_value=3000, allow_nan=False), min_size=2,
               max_size=300),
    threshold=st.sampled_from([0.0, 1.0, 5.0, 20.0]),
)
def test_ascent_scan_matches_sequential_reference(x, threshold):
    assert geo.ascent_m(x, threshold_m=threshold) == pytest.approx(
        _ascent_reference(np.asarray(x), threshold), rel=1e-9, abs=1e-6
    )


def test_ascent_known_answers():
    hill = np.concatenate([np.linspace(0, 100, 51), np.linspace(100, 0, 51)])
    assert geo.ascent_m(hill) == pytest.approx(100)
    assert geo.ascent_m(np.tile(hill, 3)) == pytest.approx(300)
    noise = np.tile([0.0, 2.0], 50)  # 2 m wobble under a 5 m threshold
    assert geo.ascent_m(noise, threshold_m=5) < 5
    assert geo.ascent_m(noise, threshold_m=0) == pytest.approx(100)
    assert np.isnan(geo.ascent_m([np.nan, np.nan]))
    assert geo.ascent_m([12.0]) == 0.0
    with pytest.raises(ParameterError):
        geo.ascent_m(hill, threshold_m=-1)

"""Distances on the Earth, a GPS-jump filter, moving time and elevation ascent.

Everything here is vectorised numpy over whole tracks: one call per track (or per
segment), never one per point. The readers of GPX, TCX and FIT tracks share it.

Conventions
-----------
* Positions are latitude/longitude in degrees (WGS 84), times are seconds on any common
  origin (``numpy.nan`` where a point has no time), distances are metres.
* A *step* is the move from point ``i - 1`` to point ``i``; step arrays have one entry per
  point, and entry ``0`` is "no step" (0 m, ``False``).
* ``breaks`` marks points whose incoming step must not count (the first point of a GPX
  ``<trkseg>``, a device pause): distance, speed and moving time ignore that step.

References
----------
.. [1] Sinnott, R. W. (1984). Virtues of the haversine. *Sky and Telescope* 68(2), 159.
.. [2] Moritz, H. (2000). Geodetic Reference System 1980. *Journal of Geodesy* 74,
   128-133 (mean Earth radius R1 = (2a + b) / 3 = 6 371 008.8 m).
.. [3] Bolt's 100 m world record (Berlin 2009): peak speed about 12.4 m/s
   (Graubner & Nixdorf 2011, *New Studies in Athletics* 26(1/2), 19-53).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..errors import ParameterError

__all__ = [
    "EARTH_RADIUS_M",
    "MAX_SPEED_M_S",
    "JUMP_TOLERANCE_M",
    "MAX_EXCURSION_POINTS",
    "MAX_END_POINTS",
    "STOP_SPEED_M_S",
    "ASCENT_THRESHOLD_M",
    "haversine_m",
    "step_distance_m",
    "cumulative_distance_m",
    "jump_steps",
    "jump_filter",
    "FilteredTrack",
    "filter_track",
    "moving_time_s",
    "ascent_m",
]

#: Mean Earth radius R1 of GRS 80 / WGS 84, m (IUGG; Moritz 2000).
EARTH_RADIUS_M = 6_371_008.8

#: Default speed limit of the jump filter, m/s (108 km/h); see :func:`jump_steps`.
MAX_SPEED_M_S = 30.0

#: Default distance slack of the jump filter, m; see :func:`jump_steps`.
JUMP_TOLERANCE_M = 50.0

#: Default longest run of points the jump filter may drop as one excursion.
MAX_EXCURSION_POINTS = 20

#: Default longest run of points the jump filter may drop at either end of a segment.
MAX_END_POINTS = 3

#: Default speed below which a step counts as stopped, m/s (1.8 km/h).
STOP_SPEED_M_S = 0.5

#: Default elevation hysteresis of :func:`ascent_m`, m.
ASCENT_THRESHOLD_M = 5.0


def _floats(values: ArrayLike) -> NDArray[np.float64]:
    return np.asarray(values, dtype=np.float64)


def _breaks(breaks: ArrayLike | None, n: int) -> NDArray[np.bool_]:
    if breaks is None:
        return np.zeros(n, dtype=bool)
    out = np.asarray(breaks, dtype=bool)
    if out.shape != (n,):
        raise ParameterError(f"breaks must have one entry per point ({n}), got shape {out.shape}")
    return out


def haversine_m(
    lat1_deg: ArrayLike,
    lon1_deg: ArrayLike,
    lat2_deg: ArrayLike,
    lon2_deg: ArrayLike,
    *,
    radius_m: float = EARTH_RADIUS_M,
) -> NDArray[np.float64]:
    """Great-circle distance between two sets of points on a sphere.

    Parameters
    ----------
    lat1_deg, lon1_deg, lat2_deg, lon2_deg : array-like
        Latitudes and longitudes of the two ends, degrees (broadcast together).
    radius_m : float, default :data:`EARTH_RADIUS_M`
        Radius of the sphere, m.

    Returns
    -------
    numpy.ndarray
        Distance, m; NaN where an input is NaN.

    Notes
    -----
    The haversine form [1]_
    ``d = 2 R asin(sqrt(sin²(Δφ/2) + cos φ1 cos φ2 sin²(Δλ/2)))`` is well conditioned for
    the short steps of a GPS track. On the mean radius R1 = 6 371 008.8 m [2]_ the
    spherical distance is within about 0.5% of the ellipsoidal (Vincenty) distance; gpxpy
    uses the equatorial radius 6 378 137 m and so reads about 0.11% longer.

    References
    ----------
    .. [1] Sinnott (1984), Virtues of the haversine. Sky and Telescope 68(2), 159.
    .. [2] Moritz (2000), Geodetic Reference System 1980. J. Geodesy 74, 128-133.
    """
    phi1 = np.radians(_floats(lat1_deg))
    phi2 = np.radians(_floats(lat2_deg))
    dphi = phi2 - phi1
    dlam = np.radians(_floats(lon2_deg) - _floats(lon1_deg))
    h = np.sin(dphi / 2.0) ** 2 + np.cos(phi1) * np.cos(phi2) * np.sin(dlam / 2.0) ** 2
    return 2.0 * radius_m * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))


def _steps_m(lat: NDArray[np.float64], lon: NDArray[np.float64],
             radius_m: float) -> NDArray[np.float64]:
    """:func:`haversine_m` from each point to the next of a 1-D track (``n - 1`` entries).

    The same operations on the same numbers, element by element, so the same bits; each
    latitude's radians and cosine are computed once instead of twice.
    """
    phi = np.radians(lat)
    cos_phi = np.cos(phi)
    h = np.sin((phi[1:] - phi[:-1]) / 2.0) ** 2 + cos_phi[:-1] * cos_phi[1:] * np.sin(
        np.radians(lon[1:] - lon[:-1]) / 2.0) ** 2
    return 2.0 * radius_m * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))


def step_distance_m(
    lat_deg: ArrayLike,
    lon_deg: ArrayLike,
    *,
    radius_m: float = EARTH_RADIUS_M,
) -> NDArray[np.float64]:
    """Length of each step of a track (entry ``i``: from point ``i - 1`` to ``i``).

    Parameters
    ----------
    lat_deg, lon_deg : array-like
        Track positions, degrees.
    radius_m : float, default :data:`EARTH_RADIUS_M`
        Earth radius, m.

    Returns
    -------
    numpy.ndarray
        One entry per point, m: ``0`` for the first point, NaN where either end lacks a
        position.
    """
    lat = _floats(lat_deg)
    lon = _floats(lon_deg)
    out = np.zeros(lat.shape, dtype=np.float64)
    if lat.size > 1:
        if lat.ndim == 1 and lon.shape == lat.shape:
            out[1:] = _steps_m(lat, lon, radius_m)
        else:
            out[1:] = haversine_m(lat[:-1], lon[:-1], lat[1:], lon[1:], radius_m=radius_m)
    return out


def cumulative_distance_m(
    lat_deg: ArrayLike,
    lon_deg: ArrayLike,
    *,
    breaks: ArrayLike | None = None,
    radius_m: float = EARTH_RADIUS_M,
) -> NDArray[np.float64]:
    """Cumulative great-circle distance along a track.

    Parameters
    ----------
    lat_deg, lon_deg : array-like
        Track positions, degrees. Points without a position add no distance (the step
        over them is measured from the last point that has one).
    breaks : array-like of bool, optional
        True at points whose incoming step is not counted (segment starts, pauses, jumps).
    radius_m : float, default :data:`EARTH_RADIUS_M`
        Earth radius, m.

    Returns
    -------
    numpy.ndarray
        Distance from the first point, m (0 at the first point; non-decreasing).

    Notes
    -----
    A step into a point without a position, or out of one, is bridged: positions are
    forward-filled before measuring, and a break on a point without a position carries
    to the next point that has one.
    """
    lat = _floats(lat_deg)
    lon = _floats(lon_deg)
    n = lat.size
    brk = _breaks(breaks, n)
    if n < 2:
        return np.zeros(n)
    has = np.isfinite(lat) & np.isfinite(lon)
    if has.all() and lat.ndim == 1 and lon.shape == lat.shape:
        # the usual case: every point has a position, so nothing to fill or carry
        step = np.zeros(n)
        step[1:] = _steps_m(lat, lon, radius_m)
        step = np.where(np.isfinite(step) & ~brk, step, 0.0)
        return np.cumsum(step)
    if not has.any():
        return np.zeros(n)
    # forward-fill positions, and carry breaks on position-less points to the next fix
    idx = np.where(has, np.arange(n), -1)
    np.maximum.accumulate(idx, out=idx)
    filled = idx >= 0
    flat = np.where(filled, lat[np.maximum(idx, 0)], np.nan)
    flon = np.where(filled, lon[np.maximum(idx, 0)], np.nan)
    step = step_distance_m(flat, flon, radius_m=radius_m)
    # a point without a position belongs to the step into the next fix
    group = np.cumsum(has) - has + 1
    brk_any = np.zeros(n + 2, dtype=bool)
    brk_any[group[brk]] = True  # any break in the group
    step_brk = has & brk_any[group]
    step = np.where(np.isfinite(step) & ~step_brk, step, 0.0)
    return np.cumsum(step)


def jump_steps(
    lat_deg: ArrayLike,
    lon_deg: ArrayLike,
    time_s: ArrayLike,
    *,
    max_speed_m_s: float = MAX_SPEED_M_S,
    tolerance_m: float = JUMP_TOLERANCE_M,
    radius_m: float = EARTH_RADIUS_M,
) -> NDArray[np.bool_]:
    """Steps no athlete can make: more distance than the speed limit allows.

    Parameters
    ----------
    lat_deg, lon_deg : array-like
        Track positions, degrees.
    time_s : array-like
        Sample times, s (NaN where unknown).
    max_speed_m_s : float, default 30.0
        Highest plausible speed, m/s.
    tolerance_m : float, default 50.0
        Distance slack for GPS noise and irregular time stamps, m.
    radius_m : float, default :data:`EARTH_RADIUS_M`
        Earth radius, m.

    Returns
    -------
    numpy.ndarray of bool
        One entry per point: True where the step into it is longer than
        ``max_speed_m_s * Δt + tolerance_m`` (Δt < 0 counts as 0). Steps with a
        missing time or position are never jumps: without a clock there is no speed.

    Notes
    -----
    The default 30 m/s (108 km/h) is well above the fastest running (about 12.4 m/s at
    the peak of a 100 m world record [1]_) and above the descending speed of almost all
    recreational cycling, while the glitches of a GPS receiver (multipath in a city, a
    stale first fix, a fix at the last known position) move the point hundreds of metres
    to kilometres within a few seconds. The 50 m slack covers GPS error at both ends of a
    step under trees or between buildings (10-25 m each) and irregular time stamps
    (samples logged 0.5 s apart after an 11 s gap, or with the same second), so that a
    real step is not cut; the corpus runs need it (a 44 m step stamped 0.49 s after the
    previous sample in a Nike Run Club export, a 64 m step in 1 s in a Strava export). Lower ``max_speed_m_s`` for running-only data
    (e.g. 15 m/s) to catch smaller glitches.

    References
    ----------
    .. [1] Graubner & Nixdorf (2011), Biomechanical analysis of the sprint and hurdles
       events at the 2009 IAAF World Championships. New Studies in Athletics 26, 19-53.
    """
    _check_jump_options(max_speed_m_s, tolerance_m)
    t = _floats(time_s)
    lat = _floats(lat_deg)
    lon = _floats(lon_deg)
    if lat.ndim == 1 and lon.shape == lat.shape == t.shape:
        out = np.zeros(lat.size, dtype=bool)
        if lat.size > 1:
            out[1:] = _step_jumps(lat, lon, t, max_speed_m_s, tolerance_m, radius_m)
        return out
    step = step_distance_m(lat, lon, radius_m=radius_m)
    dt = np.zeros_like(step)
    if t.size > 1:
        dt[1:] = np.diff(t)
    with np.errstate(invalid="ignore"):
        limit = max_speed_m_s * np.maximum(dt, 0.0) + tolerance_m
        return np.isfinite(step) & np.isfinite(dt) & (step > limit)


def _check_jump_options(max_speed_m_s: float, tolerance_m: float) -> None:
    if not max_speed_m_s > 0 or not tolerance_m >= 0:
        raise ParameterError(
            f"max_speed_m_s must be > 0 and tolerance_m >= 0, got {max_speed_m_s}, {tolerance_m}"
        )


def _step_jumps(lat: NDArray[np.float64], lon: NDArray[np.float64], t: NDArray[np.float64],
                max_speed_m_s: float, tolerance_m: float,
                radius_m: float) -> NDArray[np.bool_]:
    """:func:`jump_steps` of a 1-D track without its entry 0 (``n - 1`` entries, n >= 2)."""
    return _step_jumps_and_lengths(lat, lon, t, max_speed_m_s, tolerance_m, radius_m)[0]


def _step_jumps_and_lengths(
    lat: NDArray[np.float64], lon: NDArray[np.float64], t: NDArray[np.float64],
    max_speed_m_s: float, tolerance_m: float, radius_m: float,
) -> tuple[NDArray[np.bool_], NDArray[np.float64]]:
    """:func:`_step_jumps`, and the steps' lengths it measured (``n - 1`` entries each)."""
    step = _steps_m(lat, lon, radius_m)
    dt = t[1:] - t[:-1]
    with np.errstate(invalid="ignore"):
        limit = max_speed_m_s * np.maximum(dt, 0.0) + tolerance_m
        return np.isfinite(step) & np.isfinite(dt) & (step > limit), step


def _filter_segment(
    lat: NDArray[np.float64],
    lon: NDArray[np.float64],
    t: NDArray[np.float64],
    keep: NDArray[np.bool_],
    options: dict,
    max_points: int,
    max_end_points: int,
    jump: NDArray[np.bool_] | None = None,
) -> None:
    """Clear ``keep`` at the outliers of one segment (``keep`` is a view, changed in place).

    ``jump``, when given, is :func:`jump_steps` of the segment with every point kept.
    """
    # 1. single-point spikes: a jump in and a jump out, but the bypass is plausible
    base = np.flatnonzero(keep)
    if jump is None:
        jump = jump_steps(lat[base], lon[base], t[base], **options)
    if not jump.any():  # the usual case: nothing to filter
        return
    if base.size >= 3:
        bypass = _bypass_jumps(lat[base], lon[base], t[base], options)
        spike = np.zeros(base.size, dtype=bool)
        spike[1:-1] = jump[1:-1] & jump[2:] & ~bypass
        keep[base[spike]] = False
    # 2. excursions: short runs of points cut off from the track by jumps on both sides
    base = np.flatnonzero(keep)
    if base.size < 2:
        return
    jump = jump_steps(lat[base], lon[base], t[base], **options)
    if not jump.any():
        return
    piece = np.cumsum(jump)
    size = np.bincount(piece)
    anchor = size > max_points
    if not anchor.any():
        return
    first = np.searchsorted(piece, np.arange(size.size), side="left")
    last = np.searchsorted(piece, np.arange(size.size), side="right") - 1
    anchors = np.flatnonzero(anchor)
    ids = np.arange(size.size)
    at_end = (ids < anchors[0]) | (ids > anchors[-1])
    drop_piece = ~anchor & (~at_end | (size <= max_end_points))
    # small pieces between two anchors stay when the bypass between the anchors is a jump
    if anchors.size > 1:
        a, b = anchors[:-1], anchors[1:]
        ia, ib = base[last[a]], base[first[b]]
        pair_t = np.stack([t[ia], t[ib]], axis=1).ravel()
        pair_lat = np.stack([lat[ia], lat[ib]], axis=1).ravel()
        pair_lon = np.stack([lon[ia], lon[ib]], axis=1).ravel()
        bypass_jump = jump_steps(pair_lat, pair_lon, pair_t, **options)[1::2]
        between = np.searchsorted(anchors, np.arange(size.size), side="right") - 1
        inner = (between >= 0) & (between < anchors.size - 1)
        drop_piece &= ~(inner & bypass_jump[np.clip(between, 0, max(anchors.size - 2, 0))])
    keep[base[drop_piece[piece]]] = False


def _bypass_jumps(lat, lon, t, options) -> NDArray[np.bool_]:
    """Entry ``k``: is the step from point ``k`` straight to point ``k + 2`` a jump?"""
    d = haversine_m(lat[:-2], lon[:-2], lat[2:], lon[2:], radius_m=options["radius_m"])
    dt = t[2:] - t[:-2]
    with np.errstate(invalid="ignore"):
        limit = options["max_speed_m_s"] * np.maximum(dt, 0.0) + options["tolerance_m"]
        return np.isfinite(d) & np.isfinite(dt) & (d > limit)


def jump_filter(
    lat_deg: ArrayLike,
    lon_deg: ArrayLike,
    time_s: ArrayLike,
    *,
    breaks: ArrayLike | None = None,
    max_speed_m_s: float = MAX_SPEED_M_S,
    tolerance_m: float = JUMP_TOLERANCE_M,
    max_excursion_points: int = MAX_EXCURSION_POINTS,
    max_end_points: int = MAX_END_POINTS,
    radius_m: float = EARTH_RADIUS_M,
) -> NDArray[np.bool_]:
    """Which points of a track to keep: drop GPS spikes and short excursions.

    Parameters
    ----------
    lat_deg, lon_deg : array-like
        Track positions, degrees.
    time_s : array-like
        Sample times, s (NaN where unknown; steps without times are never jumps).
    breaks : array-like of bool, optional
        True at the first point of each segment; segments are filtered separately.
    max_speed_m_s : float, default 30.0
        Highest plausible speed, m/s (see :func:`jump_steps` for the reasoning).
    tolerance_m : float, default 50.0
        Distance slack for GPS noise and irregular time stamps, m.
    max_excursion_points : int, default 20
        Longest run of points that may be dropped as one excursion between two parts of
        the track.
    max_end_points : int, default 3
        Longest run of points that may be dropped at the start or end of a segment.
    radius_m : float, default :data:`EARTH_RADIUS_M`
        Earth radius, m.

    Returns
    -------
    numpy.ndarray of bool
        True for the points to keep (points without a position are kept).

    Notes
    -----
    A naive pass that drops every point reached by a too-fast step also drops the good
    point after a spike (the step back from the spike is too fast as well), and after a
    real gap it drops the rest of the track. Instead, within each segment:

    1. *Spikes.* A point with an implausible step in **and** out, whose neighbours are
       plausibly connected to each other, is dropped (the classic single-point glitch).
    2. *Excursions.* What remains is cut at the implausible steps into pieces. Pieces of
       more than ``max_excursion_points`` points are anchors and always kept. Short
       pieces between two anchors are dropped when the two anchors connect plausibly
       (the track went away and came back), and kept otherwise. Before the first anchor
       or after the last one there is only one jump, which cannot tell which side is
       wrong, so only pieces of at most ``max_end_points`` points are dropped there (a
       stale first fix, a glitch at the end). With no anchor the segment is kept.

    A step that is still implausible after filtering (a lone jump between two long
    plausible pieces: a position that shifted when the receiver re-acquired) is kept as
    two points; readers do not count its length (:func:`jump_steps` on the kept points
    finds it), because no athlete made that step and which side is off is unknown.
    """
    return _jump_filter(lat_deg, lon_deg, time_s, breaks, max_speed_m_s, tolerance_m,
                        max_excursion_points, max_end_points, radius_m)[0]


def _jump_filter(lat_deg, lon_deg, time_s, breaks, max_speed_m_s, tolerance_m,
                 max_excursion_points, max_end_points, radius_m):
    """:func:`jump_filter`, and what it measured on the way when it is the whole track.

    Returns ``keep``, and, when every point has a position (so the steps between
    consecutive positioned points are the track's steps), the jump flags and lengths of
    the ``n - 1`` steps (else None, None).
    """
    for name, value in (("max_excursion_points", max_excursion_points),
                        ("max_end_points", max_end_points)):
        if not (isinstance(value, int | np.integer) and value >= 0):
            raise ParameterError(f"{name} must be a non-negative integer, got {value!r}")
    lat = _floats(lat_deg)
    lon = _floats(lon_deg)
    t = _floats(time_s)
    n = lat.size
    if lon.shape != (n,) or t.shape != (n,):
        raise ParameterError("lat_deg, lon_deg and time_s must be 1-D and of equal length")
    brk = _breaks(breaks, n)
    _check_jump_options(max_speed_m_s, tolerance_m)
    keep = np.ones(n, dtype=bool)
    if n < 2:
        return keep, None, None
    has = np.isfinite(lat) & np.isfinite(lon)
    pos = has.nonzero()[0]
    if pos.size < 2:
        return keep, None, None
    # the steps between consecutive points with a position, and whether each stays in a
    # segment: a segment without a jump is left as it is, so only those with one are
    # filtered (usually none)
    whole = pos.size == n
    if whole:
        plat, plon, pt = lat, lon, t
    else:
        plat, plon, pt = lat[pos], lon[pos], t[pos]
    jumps, steps = _step_jumps_and_lengths(plat, plon, pt, max_speed_m_s, tolerance_m,
                                           radius_m)
    segment = np.cumsum(brk)[pos]  # brk[0] adds the same to all: only equality counts
    inside = segment[1:] == segment[:-1]
    jump = jumps & inside
    if whole:
        measured = jumps, steps
    else:
        measured = None, None
    if not jump.any():
        return (keep, *measured)
    options = {"max_speed_m_s": max_speed_m_s, "tolerance_m": tolerance_m, "radius_m": radius_m}
    # segments by their positioned points: pos[first[k]:last[k]] (jumps stay inside them)
    first = np.concatenate(([0], np.flatnonzero(~inside) + 1))
    last = np.concatenate((first[1:], [pos.size]))
    for lo, hi in zip(first.tolist(), last.tolist(), strict=True):
        if hi - lo < 2 or not jump[lo:hi - 1].any():
            continue  # no step, or no jump: nothing to filter
        idx = pos[lo:hi]
        sub = np.ones(idx.size, dtype=bool)
        _filter_segment(lat[idx], lon[idx], t[idx], sub, options, max_excursion_points,
                        max_end_points, jump=np.concatenate(([False], jump[lo:hi - 1])))
        keep[idx[~sub]] = False
    return (keep, *measured)


class FilteredTrack(NamedTuple):
    """What :func:`filter_track` returns.

    Attributes
    ----------
    keep : numpy.ndarray of bool
        One entry per point of the track: the points the jump filter keeps.
    breaks : numpy.ndarray of bool
        One entry per kept point: True at the first one, where a segment starts since the
        previous kept point, and where the step from it is still a jump.
    distance_m : numpy.ndarray
        One entry per kept point: cumulative distance over the steps without a break, m.
    """

    keep: NDArray[np.bool_]
    breaks: NDArray[np.bool_]
    distance_m: NDArray[np.float64]


def filter_track(
    lat_deg: ArrayLike,
    lon_deg: ArrayLike,
    time_s: ArrayLike,
    *,
    breaks: ArrayLike | None = None,
    max_speed_m_s: float = MAX_SPEED_M_S,
    tolerance_m: float = JUMP_TOLERANCE_M,
    max_excursion_points: int = MAX_EXCURSION_POINTS,
    max_end_points: int = MAX_END_POINTS,
    radius_m: float = EARTH_RADIUS_M,
) -> FilteredTrack:
    """The jump filter, the steps that count and the distance of a track, in one pass.

    Parameters
    ----------
    lat_deg, lon_deg, time_s, breaks, max_speed_m_s, tolerance_m, max_excursion_points, \
max_end_points, radius_m
        As in :func:`jump_filter` (``breaks``: True at the first point of each segment).

    Returns
    -------
    FilteredTrack
        ``keep`` (:func:`jump_filter`), and for the kept points ``breaks`` and
        ``distance_m``.

    Notes
    -----
    The result is, bit for bit, that of the three calls a reader would make::

        keep = jump_filter(lat, lon, time_s, breaks=breaks, ...)
        segment = np.cumsum(breaks)[keep]
        step_breaks = np.concatenate(([True], segment[1:] != segment[:-1]))
        step_breaks |= jump_steps(lat[keep], lon[keep], time_s[keep], ...)
        distance = cumulative_distance_m(lat[keep], lon[keep], breaks=step_breaks)

    but when every point has a position and the filter keeps them all (the usual track)
    the steps are measured once instead of three times. An empty track gives empty
    arrays.
    """
    keep, jumps, steps = _jump_filter(lat_deg, lon_deg, time_s, breaks, max_speed_m_s,
                                      tolerance_m, max_excursion_points, max_end_points,
                                      radius_m)
    n = keep.size
    if n == 0:
        return FilteredTrack(keep, np.zeros(0, dtype=bool), np.zeros(0))
    segment = np.cumsum(_breaks(breaks, n))
    if steps is None or not keep.all():
        lat, lon, t = _floats(lat_deg)[keep], _floats(lon_deg)[keep], _floats(time_s)[keep]
        segment = segment[keep]
        step_breaks = np.concatenate(([True], segment[1:] != segment[:-1]))
        step_breaks |= jump_steps(lat, lon, t, max_speed_m_s=max_speed_m_s,
                                  tolerance_m=tolerance_m, radius_m=radius_m)
        distance = cumulative_distance_m(lat, lon, breaks=step_breaks, radius_m=radius_m)
        return FilteredTrack(keep, step_breaks, distance)
    # every point kept and positioned: jump_steps are the filter's jumps, and the
    # cumulative distance takes its path without filling, over the same step lengths
    step_breaks = np.concatenate(([True], (segment[1:] != segment[:-1]) | jumps))
    step = np.zeros(n)
    step[1:] = steps
    step = np.where(np.isfinite(step) & ~step_breaks, step, 0.0)
    return FilteredTrack(keep, step_breaks, np.cumsum(step))


def moving_time_s(
    time_s: ArrayLike,
    step_m: ArrayLike,
    *,
    breaks: ArrayLike | None = None,
    stop_speed_m_s: float = STOP_SPEED_M_S,
) -> float:
    """Time spent moving: the sum of the steps faster than a stop threshold.

    Parameters
    ----------
    time_s : array-like
        Sample times, s.
    step_m : array-like
        Length of the step into each point, m (see :func:`step_distance_m`).
    breaks : array-like of bool, optional
        True at points whose incoming step is a pause (segment starts); never moving.
    stop_speed_m_s : float, default 0.5
        Steps slower than this are stops, m/s.

    Returns
    -------
    float
        Moving time, s (NaN when no step has a time).

    Notes
    -----
    0.5 m/s (1.8 km/h) is about a third of walking pace and above the drift of a
    stationary GPS receiver at 1 s sampling, so standing at a crossing is a stop while
    the slowest hiking uphill is still moving. Steps with a missing time or distance are
    left out; negative time steps count as zero.
    """
    t = _floats(time_s)
    d = _floats(step_m)
    n = t.size
    if d.shape != (n,):
        raise ParameterError("time_s and step_m must be of equal length")
    if n < 2:
        return float("nan") if not np.isfinite(t).any() else 0.0
    brk = _breaks(breaks, n)
    dt = t[1:] - t[:-1] if t.ndim == 1 else np.diff(t)
    step = d[1:]
    timed = np.isfinite(dt)
    if not timed.any():
        return float("nan")
    ok = timed & np.isfinite(step) & ~brk[1:] & (dt > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        moving = ok & (step / np.where(ok, dt, 1.0) >= stop_speed_m_s)
    return float(dt[moving].sum())


def _clamp_scan(low: NDArray[np.float64], high: NDArray[np.float64]):
    """Prefix composition of the clamps ``y -> min(max(y, low_t), high_t)``.

    The composition of two clamps is a clamp, so a Hillis-Steele scan does the sequential
    recursion in log2(n) vectorised steps (both bounds in one array, updated in place).
    """
    bounds = np.stack([low, high])
    shift = 1
    n = bounds.shape[1]
    while shift < n:
        later = bounds[:, shift:]
        later[...] = _clamp(bounds[:, :-shift], later[0], later[1])
        shift *= 2
    return bounds[0], bounds[1]


def _clamp(y, low, high):
    """``numpy.clip(y, low, high)`` for numbers that are not NaN, selection for selection.

    ``clip`` is ``min(max(y, low), high)`` with ``max(y, low) = y if y > low else low``
    and ``min(m, high) = m if m < high else high``; written out the same way, so ties
    (``-0.0`` against ``0.0``) pick the same side.
    """
    m = np.where(y > low, y, low)
    return np.where(m < high, m, high)


def ascent_m(elevation_m: ArrayLike, *, threshold_m: float = ASCENT_THRESHOLD_M) -> float:
    """Total ascent with hysteresis: climbs between reversals of more than ``threshold_m``.

    Parameters
    ----------
    elevation_m : array-like
        Elevations in track order, m (NaNs are skipped).
    threshold_m : float, default 5.0
        A change of direction counts only once the elevation has moved this far back
        from the last extreme, m; 0 sums every rise.

    Returns
    -------
    float
        Total ascent, m (NaN when fewer than one elevation is known).

    Notes
    -----
    Elevation noise (GPS altitude, barometric drift) adds many small false climbs when
    every rise is summed. Here the track is reduced to its significant extremes: a peak
    (trough) is confirmed once the elevation has fallen (risen) ``threshold_m`` below
    (above) it, and the ascent is the sum of rises from each trough to the next peak.
    At the ends: a first climb counts from the first point once it exceeds
    ``threshold_m / 2``, and a last climb counts up to its highest point once it exceeds
    ``threshold_m``. 5 m is
    above the noise of barometric altimeters (about 1 m) and below the height of the
    smallest real hill a runner would call a climb; GPS-only elevations are noisier, so
    their ascent is still an over-estimate.

    It is computed as the output of a play (backlash) operator of width ``threshold_m``,
    ``y_t = clip(y_{t-1}, x_t - h, x_t + h)`` with ``h = threshold_m / 2``, whose every
    up-run is ``2h`` short of the trough-to-peak rise (``h`` for a run from the first
    point); the recursion is evaluated as a parallel prefix scan of clamps.
    """
    if not threshold_m >= 0:
        raise ParameterError(f"threshold_m must be >= 0, got {threshold_m}")
    x = _floats(elevation_m)
    x = x[np.isfinite(x)]
    if x.size == 0:
        return float("nan")
    if x.size == 1:
        return 0.0
    h = threshold_m / 2.0
    low, high = _clamp_scan(x - h, x + h)
    y = _clamp(x[0], low, high)
    y[0] = x[0]
    # the first sample's clamp is [x0 - h, x0 + h] which holds x0, so y[0] == x[0]
    dy = y[1:] - y[:-1]
    nz = dy[dy != 0]  # the signs of the moves (NaN cannot occur: x is finite)
    if nz.size == 0:
        return 0.0
    up = nz > 0
    after_trough = int(np.count_nonzero(up[1:] & (nz[:-1] < 0)))
    up_starts = after_trough + int(up[0])
    rise = dy[dy > 0].sum()
    return float(rise + h * np.int64(up_starts) + h * np.int64(after_trough))

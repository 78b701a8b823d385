"""GPS routes and per-second streams of one simulated activity.

Everything is simulated on a one-second grid of *moving* time with vectorised numpy
(no per-second Python loop), then sampled the way a device records: every second, or
"smart recording" at irregular intervals of a few seconds.

The model of one activity:

* **Route** — a smooth closed loop through the start (a closed Fourier curve of random
  shape and orientation) or an out-and-back whose heading is a smoothed random walk.
  Either is scaled so that its length is exactly the intended distance.
* **Speed** — the athlete's mean speed for the session times a slow wave and smoothed
  noise; rescaled so the distance covered in the moving time is exactly the intended
  distance. The device's distance stream is this integral (like a watch's filtered
  distance), the GPS positions carry ~1.5 m of correlated error on top.
* **Elevation** — a sum of sines of the distance along the route (hills come back on
  the way home); trail routes have larger amplitudes.
* **Heart rate** — rises with speed and grade, drifts up over time and responds with a
  ~25 s lag (a first-order filter of the demand).
* **Cadence** — per-foot (rev/min, as FIT and GPX extensions store it) rising with
  speed; pedalling cadence for rides.
* **Pause** — optionally one stop (traffic lights, a shoelace): the clock keeps running,
  the timer and the records stop.

References
----------
.. [1] Sinnott, R. W. (1984). Virtues of the haversine. *Sky and Telescope* 68(2), 159.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

__all__ = ["EARTH_RADIUS_M", "simulate", "to_lat_lon", "haversine_length_m"]

#: Mean Earth radius, m (the radius runload's readers use).
EARTH_RADIUS_M = 6_371_008.8

_DENSE_STEP_M = 2.0


def _smooth(x: NDArray[np.float64], width: int) -> NDArray[np.float64]:
    """Moving average of ``x`` over ``width`` samples (same length, edge-padded)."""
    if width <= 1 or x.size == 0:
        return x
    kernel = np.ones(width) / width
    pad = width // 2
    padded = np.pad(x, (pad, width - 1 - pad), mode="edge")
    return np.convolve(padded, kernel, mode="valid")


def _loop_xy(rng: np.random.Generator, n: int) -> tuple[NDArray, NDArray]:
    """A smooth closed loop of unit scale through the origin, ``n`` points."""
    theta = np.linspace(0.0, 2.0 * np.pi, n)
    k = np.arange(2, 5)
    amp = rng.uniform(0.0, 0.18, size=k.size) / k
    phase = rng.uniform(0.0, 2.0 * np.pi, size=k.size)
    radius = 1.0 + (amp[:, None] * np.cos(k[:, None] * theta + phase[:, None])).sum(axis=0)
    stretch = rng.uniform(0.6, 1.0)
    x = radius * np.cos(theta)
    y = stretch * radius * np.sin(theta)
    rot = rng.uniform(0.0, 2.0 * np.pi)
    xr = x * np.cos(rot) - y * np.sin(rot)
    yr = x * np.sin(rot) + y * np.cos(rot)
    if rng.random() < 0.5:  # clockwise or anticlockwise
        yr = -yr
    return xr - xr[0], yr - yr[0]


def _out_and_back_xy(rng: np.random.Generator, n: int) -> tuple[NDArray, NDArray]:
    """An out-and-back of unit outbound length whose heading is a smoothed random walk."""
    half = n // 2 + 1
    heading = rng.uniform(0.0, 2.0 * np.pi) + np.cumsum(rng.normal(0.0, 0.05, half))
    heading = _smooth(heading, max(3, half // 25))
    step = 1.0 / (half - 1)
    x = np.concatenate(([0.0], np.cumsum(np.cos(heading[1:]) * step)))
    y = np.concatenate(([0.0], np.cumsum(np.sin(heading[1:]) * step)))
    # come back on the other side of the road: a small sideways offset on the way home
    back_x, back_y = x[::-1][1:], y[::-1][1:]
    normal = heading[::-1][1:] + np.pi / 2
    side = 8.0e-4 * np.sin(np.linspace(0.0, np.pi, back_x.size))
    return (
        np.concatenate((x, back_x + side * np.cos(normal))),
        np.concatenate((y, back_y + side * np.sin(normal))),
    )


def to_lat_lon(
    x_m: NDArray, y_m: NDArray, *, home: tuple[float, float]
) -> tuple[NDArray, NDArray]:
    """Local east/north metres around ``home`` (lat, lon in degrees) to lat/lon degrees."""
    lat0, lon0 = home
    lat = lat0 + np.degrees(y_m / EARTH_RADIUS_M)
    lon = lon0 + np.degrees(x_m / (EARTH_RADIUS_M * np.cos(np.radians(lat0))))
    return lat, lon


def haversine_length_m(lat: NDArray, lon: NDArray) -> float:
    """Length of a lat/lon polyline along great circles, m (what a GPS reader measures)."""
    if lat.size < 2:
        return 0.0
    p1, p2 = np.radians(lat[:-1]), np.radians(lat[1:])
    dlat = p2 - p1
    dlon = np.radians(lon[1:] - lon[:-1])
    a = np.sin(dlat / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlon / 2) ** 2
    return float((2.0 * EARTH_RADIUS_M * np.arcsin(np.sqrt(a))).sum())


def _sample_indices(
    rng: np.random.Generator, n: int, interval_s: tuple[int, int]
) -> NDArray[np.int64]:
    """Recorded seconds among ``0 .. n - 1``: steps drawn in ``interval_s``, last kept."""
    lo, hi = interval_s
    if hi <= 1:
        return np.arange(n)
    steps = rng.integers(lo, hi + 1, size=n // max(lo, 1) + 2)
    idx = np.concatenate(([0], np.cumsum(steps)))
    idx = idx[idx < n - 1]
    return np.concatenate((idx, [n - 1]))


def simulate(
    rng: np.random.Generator,
    *,
    sport: str,
    distance_m: float,
    moving_time_s: int,
    home: tuple[float, float] | None,
    route: str = "loop",
    hilliness_m: float = 8.0,
    hr_rest_bpm: float = 52.0,
    hr_max_bpm: float = 188.0,
    effort: float = 0.7,
    interval_s: tuple[int, int] = (4, 10),
    pause_s: int = 0,
    base_elevation_m: float = 30.0,
) -> dict[str, Any]:
    """Simulate the recorded streams of one activity.

    Parameters
    ----------
    rng : numpy.random.Generator
        The activity's own generator (results depend on nothing else).
    sport : str
        A contract sport; ``cycling`` uses bike speeds and pedalling cadence.
    distance_m : float
        Distance covered, m. The device distance stream ends exactly here.
    moving_time_s : int
        Moving (timer) time, s.
    home : (float, float) or None
        Start point (lat, lon), degrees; ``None`` for activities without GPS.
    route : {'loop', 'out_and_back'}
        Route shape.
    hilliness_m : float
        Amplitude scale of the elevation profile, m.
    hr_rest_bpm, hr_max_bpm : float
        The athlete's resting and maximum heart rate, beats/min.
    effort : float
        Fraction of heart-rate reserve at the session's mean speed (0.6 easy .. 0.9 hard).
    interval_s : (int, int)
        Smart-recording interval range, s; ``(1, 1)`` records every second.
    pause_s : int
        Length of one stop in the middle, s (0 for none).
    base_elevation_m : float
        Elevation of the start, m.

    Returns
    -------
    dict
        ``elapsed_s`` (int array, seconds since start, the pause included), ``lat``,
        ``lon`` (degrees or None), ``altitude_m``, ``distance_m``, ``speed_m_s``,
        ``heart_rate_bpm``, ``cadence_rpm``; and the totals ``total_distance_m``,
        ``timer_s``, ``total_elapsed_s``, ``ascent_m``, ``descent_m``, ``avg_hr``,
        ``max_hr``, ``max_speed``, ``pause_at_s``, ``pause_s``, ``gps_distance_m``
        (great-circle length of the recorded positions rounded to 1e-7 degree).
    """
    n = int(moving_time_s) + 1
    tau = np.arange(n, dtype=float)
    mean_speed = distance_m / moving_time_s

    wave = 0.04 * np.sin(2 * np.pi * tau / rng.uniform(600, 1500) + rng.uniform(0, 6.3))
    noise = _smooth(rng.normal(0.0, 0.25, n), 30)
    speed = np.clip(mean_speed * (1.0 + wave + noise), 0.3 * mean_speed, None)
    warm = np.minimum(1.0, 0.75 + 0.25 * tau / 180.0)  # the first three minutes are slower
    speed *= warm
    dist = np.concatenate(([0.0], np.cumsum(0.5 * (speed[1:] + speed[:-1]))))
    scale = distance_m / dist[-1]
    speed *= scale
    dist *= scale

    # elevation along the route: hills are a function of distance from the start
    wavelengths = rng.uniform(1500.0, 6000.0, 3)
    amps = hilliness_m * rng.uniform(0.3, 1.0, 3)
    phases = rng.uniform(0.0, 2 * np.pi, 3)
    if route == "out_and_back":
        along = np.minimum(dist, distance_m - dist)  # the same hills on the way back
    else:
        along = dist
    alt = base_elevation_m + (
        amps[:, None] * np.sin(2 * np.pi * along / wavelengths[:, None] + phases[:, None])
    ).sum(axis=0)
    alt -= alt[0] - base_elevation_m
    grade = np.gradient(alt, dist + 1e-9 * tau)

    # heart rate: demand from speed and grade, first-order lag, cardiac drift
    reserve = hr_max_bpm - hr_rest_bpm
    demand = hr_rest_bpm + reserve * (
        effort * (speed / mean_speed) ** 0.8 + 1.2 * np.clip(grade, -0.05, 0.15)
    )
    demand += 0.0012 * tau * (reserve / 100.0)
    hr = _lagged(demand, 1.0 - np.exp(-1.0 / 25.0), hr_rest_bpm + 0.35 * reserve)
    hr = np.clip(hr + rng.normal(0.0, 1.0, n), hr_rest_bpm, hr_max_bpm)

    if sport == "cycling":
        cadence = 85.0 + 6.0 * (speed / mean_speed - 1.0) + rng.normal(0.0, 2.0, n)
    else:
        cadence = 82.0 + 6.0 * (speed - 2.8) + rng.normal(0.0, 1.0, n)
    cadence = np.clip(cadence, 40.0, 120.0)

    idx = _sample_indices(rng, n, interval_s)
    pause_at = int(n // 2) if pause_s else 0
    elapsed = idx + np.where(idx >= pause_at, pause_s, 0) if pause_s else idx.copy()

    out: dict[str, Any] = {
        "elapsed_s": elapsed.astype(np.int64),
        "distance_m": dist[idx],
        "speed_m_s": speed[idx],
        "altitude_m": alt[idx],
        "heart_rate_bpm": np.rint(hr[idx]),
        "cadence_rpm": np.rint(cadence[idx]),
        "lat": None,
        "lon": None,
    }
    if home is not None:
        m = max(200, int(distance_m / _DENSE_STEP_M))
        if route == "out_and_back":
            x, y = _out_and_back_xy(rng, m)
        else:
            x, y = _loop_xy(rng, m)
        s_path = np.concatenate(([0.0], np.cumsum(np.hypot(np.diff(x), np.diff(y)))))
        factor = distance_m / s_path[-1]
        s_path *= factor
        px = np.interp(dist[idx], s_path, x * factor)
        py = np.interp(dist[idx], s_path, y * factor)
        err_x = _smooth(rng.normal(0.0, 1.5, idx.size), 5) * np.sqrt(5)
        err_y = _smooth(rng.normal(0.0, 1.5, idx.size), 5) * np.sqrt(5)
        lat, lon = to_lat_lon(px + 0.4 * err_x, py + 0.4 * err_y, home=home)
        out["lat"] = np.round(lat, 7)
        out["lon"] = np.round(lon, 7)
    rec_alt = out["altitude_m"]
    climbs = np.diff(np.round(rec_alt, 1))
    out.update(
        total_distance_m=float(distance_m),
        timer_s=int(moving_time_s),
        total_elapsed_s=int(moving_time_s + pause_s),
        ascent_m=float(np.round(climbs[climbs > 0].sum())),
        descent_m=float(np.round(-climbs[climbs < 0].sum())),
        avg_hr=float(np.rint(out["heart_rate_bpm"].mean())),
        max_hr=float(out["heart_rate_bpm"].max()),
        max_speed=float(out["speed_m_s"].max()),
        pause_at_s=pause_at,
        pause_s=int(pause_s),
        gps_distance_m=(
            haversine_length_m(out["lat"], out["lon"]) if out["lat"] is not None else float("nan")
        ),
    )
    return out


def _lagged(x: NDArray, alpha: float, start: float, chunk: int = 2000) -> NDArray:
    """First-order lag ``y_t = y_{t-1} + alpha (x_t - y_{t-1})`` in closed form.

    Each chunk is ``y_k = (1 - alpha)^k (y_0 + sum_j alpha x_j / (1 - alpha)^j)``; chunks
    keep the powers far from overflow on long sessions.
    """
    out = np.empty_like(x)
    y0 = start
    for lo in range(0, x.size, chunk):
        seg = x[lo : lo + chunk]
        powers = (1.0 - alpha) ** np.arange(1, seg.size + 1, dtype=float)
        y = powers * (y0 + np.cumsum(seg * alpha / powers))
        out[lo : lo + chunk] = y
        y0 = y[-1]
    return out

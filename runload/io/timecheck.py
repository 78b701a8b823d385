"""Impossible activity times: the one rule the FIT, GPX and TCX readers share.

An activity row whose times cannot be true is kept as the file gives it, with one
``bad_time`` problem per reason:

* its start is before 1990 (no consumer GPS watch or app recorded runs before; earlier
  dates are unset clocks, placeholders or device-relative counters);
* its start is more than a day after now (the day of slack covers every time zone and a
  clock a few hours fast);
* its elapsed time is negative;
* it is a run (:data:`runload.columns.RUNNING_SPORTS`) longer than 48 h (the longest
  ultramarathons end within 48 h; a multi-day hike is no time problem);
* its timer (moving) time is longer than its elapsed time by more than a slack;
* its distance over its time is an average speed above :data:`MAX_SPEED_M_S` (30 m/s,
  108 km/h), which no human-powered activity reaches (:func:`speed_problems`): the times
  cover only part of the track (a GPX with times on a few points), or the clock jumped.
  The ingest applies this rule to every reader's rows, as it needs the distance.

The GPX reader also judges the steps between consecutive sample times
(:func:`clock_jumps`): a step back in time, or one longer than 24 h inside one activity,
is a clock that jumped.

References
----------
.. [1] Garmin, FIT SDK, Profile: ``date_time`` (seconds since 1989-12-31 UTC; values
   below 0x10000000 are device-relative).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..columns import RUNNING_SPORTS

__all__ = [
    "EARLIEST_START",
    "FUTURE_SLACK",
    "MAX_RUN_S",
    "MAX_STEP_S",
    "MAX_SPEED_M_S",
    "SPEED_MESSAGE",
    "latest_start",
    "time_problems",
    "clock_jumps",
    "speed_problems",
]

#: Starts before this are impossible (UTC).
EARLIEST_START = pd.Timestamp("1990-01-01", tz="UTC")
#: Starts later than now plus this are in the future.
FUTURE_SLACK = pd.Timedelta(days=1)
#: Runs longer than this, s, are impossible (48 h).
MAX_RUN_S = 48 * 3600.0
#: Steps between consecutive sample times longer than this, s, are clock jumps (24 h).
MAX_STEP_S = 24 * 3600.0
#: Average speeds above this, m/s, are impossible for a human-powered activity (30 m/s =
#: 108 km/h: about twice the cycling hour record, 56.8 km/h, and above the average of any
#: road stage or downhill ride; running tops out near 10 m/s over 100 m).
MAX_SPEED_M_S = 30.0
#: The words every impossible-speed message starts with.
SPEED_MESSAGE = "impossible average speed"


def latest_start(now: pd.Timestamp | None = None) -> pd.Timestamp:
    """The latest plausible start: ``now`` (default: the clock, UTC) plus a day.

    Parameters
    ----------
    now : pandas.Timestamp or None
        The present, tz-aware; ``None`` reads the clock.

    Returns
    -------
    pandas.Timestamp
        ``now + FUTURE_SLACK``, UTC.
    """
    now = pd.Timestamp.now(tz="UTC") if now is None else pd.Timestamp(now).tz_convert("UTC")
    return now + FUTURE_SLACK


def time_problems(
    start: pd.Timestamp,
    elapsed_s: float,
    moving_s: float,
    *,
    sport: str | None,
    leg: str | None = None,
    timer_slack_s: float = 1.0,
    timer_slack_fraction: float = 0.0,
    timer_source: str | None = None,
    now: pd.Timestamp | None = None,
) -> list[tuple[str, str]]:
    """``bad_time`` problems of one activity row (the row itself is not changed).

    Parameters
    ----------
    start : pandas.Timestamp or NaT
        The activity's start, UTC; NaT is not judged here (each reader words its own
        "no start time" problem).
    elapsed_s : float
        Elapsed (wall-clock) time, s; NaN is not judged.
    moving_s : float
        Timer (moving) time, s; NaN is not judged.
    sport : str or None
        The activity's sport; only running sports have the 48 h limit.
    leg : str or None
        Prefix of the messages (``'session 2'``), or None for none.
    timer_slack_s : float, default 1.0
        Timer time may pass elapsed time by this much, s (rounding).
    timer_slack_fraction : float, default 0.0
        ... or by this fraction of the elapsed time, whichever is larger (TCX: the first
        trackpoint comes a little after the lap's timer starts).
    timer_source : str or None
        Where the timer time comes from, added to its message in brackets.
    now : pandas.Timestamp or None
        The present (default: the clock), for "in the future".

    Returns
    -------
    list of (str, str)
        ``('bad_time', message)`` per reason, in the order of the module's list.
    """
    prefix = "" if leg is None else f"{leg}: "
    found = []
    if not pd.isna(start):
        if start < EARLIEST_START:
            found.append(f"start {start.isoformat()} is before 1990")
        elif start > latest_start(now):
            found.append(f"start {start.isoformat()} is in the future")
    if np.isfinite(elapsed_s):
        if elapsed_s < 0:
            found.append(f"negative elapsed time {elapsed_s:g} s")
        elif sport in RUNNING_SPORTS and elapsed_s > MAX_RUN_S:
            found.append(f"a run of {elapsed_s / 3600:.1f} h is longer than 48 h")
        slack = max(timer_slack_s, timer_slack_fraction * elapsed_s)
        if np.isfinite(moving_s) and moving_s > elapsed_s + slack:
            source = "" if timer_source is None else f" ({timer_source})"
            found.append(f"timer time {moving_s:g} s{source} is longer than elapsed time "
                         f"{elapsed_s:g} s")
    return [("bad_time", prefix + message) for message in found]


def speed_problems(
    distance_m: float,
    elapsed_s: float,
    moving_s: float,
    *,
    leg: str | None = None,
    max_speed_m_s: float = MAX_SPEED_M_S,
) -> list[tuple[str, str]]:
    """A ``bad_time`` problem when the distance was covered impossibly fast.

    Parameters
    ----------
    distance_m : float
        Distance, m; NaN or 0 is not judged.
    elapsed_s, moving_s : float
        Elapsed and timer (moving) time, s; the longer finite one is used, so the speed
        judged is the lowest the row allows. Both NaN: not judged.
    leg : str or None
        Prefix of the message (``'activity 2'``), or None for none.
    max_speed_m_s : float, default 30
        Fastest possible average speed, m/s (:data:`MAX_SPEED_M_S`).

    Returns
    -------
    list of (str, str)
        ``[('bad_time', message)]`` or ``[]``.

    Notes
    -----
    30 m/s (108 km/h) is above the average of any human-powered activity: the cycling
    hour record is 56.8 km/h, and even downhill rides and ski runs average far less once
    their climbs or lifts are in the recording. A track above it has times on part of its
    points only (GPX writers that drop ``<time>``), or a clock that jumped; its times (and
    what is computed from them: pace, the sport guessed from speed) cannot be trusted.
    A recording of a car or a plane is flagged too, rightly: it is no workout.
    """
    times = [t for t in (elapsed_s, moving_s) if np.isfinite(t) and t >= 0]
    if not np.isfinite(distance_m) or distance_m <= 0 or not times:
        return []
    duration = max(times)
    if distance_m <= max_speed_m_s * duration:
        return []
    prefix = "" if leg is None else f"{leg}: "
    speed = "" if duration == 0 else f" ({distance_m / duration * 3.6:.0f} km/h)"
    return [("bad_time", f"{prefix}{SPEED_MESSAGE}{speed}: {distance_m / 1000:.2f} km in "
                         f"{duration:g} s, above {max_speed_m_s * 3.6:.0f} km/h for any "
                         "human-powered activity; the times cover only part of the track "
                         "(or the clock jumped)")]


def clock_jumps(ns: np.ndarray, *, max_step_s: float = MAX_STEP_S) -> list[tuple[str, str]]:
    """``bad_time`` problems for steps back in time or longer than ``max_step_s``.

    Parameters
    ----------
    ns : numpy.ndarray of int64
        Sample times in file order, nanoseconds since the Unix epoch (UTC), missing
        times already left out.
    max_step_s : float, default 86 400
        Longest plausible step between consecutive samples of one activity, s.

    Returns
    -------
    list of (str, str)
        At most two problems: the steps that go back, the steps that are too long (each
        with its count and its largest step).
    """
    if ns.size < 2:
        return []
    step = np.diff(ns)
    found = []
    back = np.flatnonzero(step < 0)
    if back.size:
        i = back[step[back].argmin()]
        found.append(
            f"clock jump: {back.size} step(s) between consecutive points go back in time "
            f"(the largest {-step[i] / 1e9:g} s, from {_iso(ns[i])} to {_iso(ns[i + 1])})"
        )
    long = np.flatnonzero(step > max_step_s * 1e9)
    if long.size:
        i = long[step[long].argmax()]
        found.append(
            f"clock jump: {long.size} step(s) between consecutive points are longer than "
            f"{max_step_s / 3600:g} h (the longest {step[i] / 3.6e12:.1f} h, from "
            f"{_iso(ns[i])} to {_iso(ns[i + 1])})"
        )
    return [("bad_time", message) for message in found]


def _iso(value: np.int64) -> str:
    return pd.Timestamp(int(value), tz="UTC").isoformat()

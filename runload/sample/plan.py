"""Training histories: who ran what, when, how far, and with which device.

A history is a table with one row per planned activity (the ``plan``). It is built in
two steps:

1. **Weekly running targets** — for the main runner ("alex") a written script of
   phases (base, a Christmas break, a half-marathon build, the switch from phone to
   watch, a trip to Tokyo, a 16-week marathon block, a post-marathon break, a summer
   build), with deliberate rule breaking: > 10% ramps, five build weeks in a row and
   long-run spikes. For the squad a small state machine per athlete (build by a few
   per cent, a recovery week every 3-4 builds unless the athlete skips it, now and
   then an over-eager jump or a holiday).
2. **Sessions** — each week's target is split into runs (a long run of about a third,
   the rest in unequal easy runs and one quality session) on fixed weekdays, plus the
   athlete's cross-training (rides, pool swims) and strength sessions.

Every row also says how the activity was recorded (device, file format, gzip, which
archive) so that :mod:`runload.sample.exports` can write it; and carries its own
random seed so its streams do not depend on any other activity.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

__all__ = [
    "HOME_TZ",
    "ALEX_START",
    "ALEX_WATCH_FROM",
    "DATA_END",
    "SQUAD_START",
    "DEVICES",
    "SQUAD",
    "alex_weekly_km",
    "alex_plan",
    "squad_plan",
    "split_week",
]

HOME_TZ = "Europe/London"
#: First Monday of alex's history, the day he switches to the watch, and the last day.
ALEX_START = dt.date(2024, 9, 2)
ALEX_WATCH_FROM = dt.date(2025, 6, 2)
DATA_END = dt.date(2026, 11, 15)
#: First Monday of the squad's shared season (26 weeks to DATA_END).
SQUAD_START = dt.date(2026, 5, 18)

ALEX_HOME = (51.5362, -0.0390)  # Victoria Park, London
SQUAD_HOME = (51.4545, -2.5879)  # Bristol harbourside
TOKYO_HOME = (35.6852, 139.7528)  # the Imperial Palace loop

#: Recording devices: what writes the file and how (manufacturer/product are FIT profile
#: numbers: 1 garmin, 260 zwift, 294 coros, 23 suunto; 3992 Forerunner 255 ...).
DEVICES: dict[str, dict[str, Any]] = {
    "fr255": {"format": "fit", "manufacturer": 1, "product": 3992, "name": "Forerunner 255",
              "interval_s": (5, 15)},
    "fr945": {"format": "fit", "manufacturer": 1, "product": 3113, "name": "Forerunner 945",
              "interval_s": (5, 15)},
    "coros": {"format": "fit", "manufacturer": 294, "product": 841, "name": "COROS PACE 2",
              "interval_s": (5, 15)},
    "suunto": {"format": "fit", "manufacturer": 23, "product": 35, "name": "Suunto 9 Peak",
               "interval_s": (5, 15)},
    "zwift": {"format": "fit", "manufacturer": 260, "product": 0, "name": "Zwift RunPod",
              "interval_s": (5, 15)},
    "iphone": {"format": "gpx", "creator": "StravaGPX iPhone", "name": "Strava iPhone app",
               "interval_s": (4, 10), "heart_rate": False},
    "android_hr": {"format": "gpx", "creator": "StravaGPX Android", "name": "Strava Android app",
                   "interval_s": (4, 10), "heart_rate": True},
    "edge500": {"format": "tcx", "name": "Edge 500", "product": 1036, "interval_s": (5, 12)},
    "polar": {"format": "tcx", "name": "Polar Vantage V2", "product": 0, "interval_s": (5, 12)},
    "manual": {"format": None, "name": "manual entry"},
}

#: The squad: one dict per athlete (folder name -> profile).
SQUAD: dict[str, dict[str, Any]] = {
    "bea": {"device": "fr945", "base_km": 48, "max_km": 70, "growth": 0.06, "skip_recovery": 0.25,
            "eager": 0.30, "pace_s_km": 300, "long_day": 6, "hr": (48, 186), "gzip": 0.7,
            "container": "folder", "trail": 0.1},
    "chen": {"device": "android_hr", "watch": "coros", "base_km": 30, "max_km": 50,
             "growth": 0.07, "skip_recovery": 0.35, "eager": 0.40, "pace_s_km": 345,
             "long_day": 6, "hr": (55, 192), "gzip": 1.0, "container": "strava", "trail": 0.0},
    "dario": {"device": "iphone", "base_km": 16, "max_km": 40, "growth": 0.10,
              "skip_recovery": 0.55, "eager": 0.50, "pace_s_km": 380, "long_day": 6,
              "hr": (62, 194), "gzip": 0.6, "container": "folder", "trail": 0.0},
    "emma": {"device": "polar", "base_km": 38, "max_km": 55, "growth": 0.05,
             "skip_recovery": 0.15, "eager": 0.25, "pace_s_km": 320, "long_day": 5,
             "hr": (50, 184), "gzip": 0.85, "container": "folder", "trail": 0.0},
    "femi": {"device": "coros", "phone": "android_hr", "base_km": 42, "max_km": 65,
             "growth": 0.08, "skip_recovery": 0.40, "eager": 0.45, "pace_s_km": 290,
             "long_day": 6, "hr": (46, 190), "gzip": 0.25, "container": "folder", "trail": 0.0},
    "gus": {"device": "suunto", "base_km": 35, "max_km": 58, "growth": 0.07,
            "skip_recovery": 0.30, "eager": 0.40, "pace_s_km": 350, "long_day": 5,
            "hr": (52, 188), "gzip": 0.7, "container": "folder", "trail": 0.6},
}

# alex's weekly running km, week 0 = 2024-09-02. Comments give the story.
_ALEX_SCRIPT: list[tuple[str, Sequence[float]]] = [
    # autumn 2024, phone: an eager base (+19% in week 5, five builds in weeks 8-12)
    ("base", [22, 24, 26, 20, 26, 31, 34, 27, 34, 37, 40, 43, 46, 36, 40, 42]),
    # Christmas: a cold and a family trip, three low weeks (a break)
    ("christmas break", [8, 0, 0]),
    # spring 2025: back too fast (+18%, +15%), half marathon on 2025-05-11
    ("half-marathon build", [18, 22, 26, 30, 24, 32, 35, 38, 30, 38, 41, 45, 48, 38, 45, 48, 36,
                             34]),
    ("post-race", [20, 28, 32]),
    # 2025-06-02: the Forerunner 255 arrives (two runs recorded by watch and phone)
    ("summer build", [34, 37, 40, 32, 40, 44, 47, 36, 42, 47, 50, 40, 46, 50, 54, 42, 48]),
    # October 2025: two weeks in Tokyo (runs in UTC+9)
    ("tokyo trip", [30, 28]),
    ("autumn", [40, 44, 48, 38, 46, 50, 52, 40, 48, 30, 20]),
    # 2026-01-05 .. 2026-04-26: marathon block; race on Sunday 2026-04-26
    ("marathon block", [42, 48, 52, 56, 45, 58, 62, 66, 70, 56, 68, 72, 76, 58, 45, 55]),
    ("post-marathon break", [0, 10, 18]),
    ("summer 2026", [24, 30, 34, 27, 34, 38, 42, 46, 50, 40, 45, 48, 38, 46, 52, 55, 44, 50, 30,
                     0, 35, 40, 44, 35, 42, 46]),
]

#: Weeks (index from ALEX_START) whose long run is pushed well past the recent longest.
_ALEX_LONG_SPIKES = {6: 16.0, 27: 19.0, 45: 22.0, 74: 30.0, 94: 21.0, 103: 24.0}
_ALEX_RACES = {35: ("Half marathon", 21_097.5), 85: ("London Marathon", 42_195.0)}
_TOKYO_WEEKS = (57, 58)

# run days (0 = Monday) by number of runs; the long run is the last day listed
_RUN_DAYS = {
    2: (2, 6),
    3: (1, 3, 6),
    4: (1, 3, 5, 6),
    5: (0, 1, 3, 5, 6),
    6: (0, 1, 2, 3, 5, 6),
}


def alex_weekly_km() -> pd.DataFrame:
    """alex's scripted weekly running targets.

    Returns
    -------
    DataFrame
        ``week`` (index from :data:`ALEX_START`), ``week_start`` (date), ``target_km``,
        ``phase``.
    """
    rows = []
    for phase, kms in _ALEX_SCRIPT:
        for km in kms:
            week = len(rows)
            rows.append(
                {
                    "week": week,
                    "week_start": ALEX_START + dt.timedelta(weeks=week),
                    "target_km": float(km),
                    "phase": phase,
                }
            )
    return pd.DataFrame(rows)


def split_week(
    rng: np.random.Generator,
    total_km: float,
    *,
    long_fraction: float = 0.32,
    long_km: float | None = None,
    max_long_km: float = 33.0,
) -> list[float]:
    """Split a week's running distance into runs, km; the long run is last.

    Parameters
    ----------
    rng : numpy.random.Generator
        The week's generator.
    total_km : float
        The week's distance, km.
    long_fraction : float
        Share of the long run.
    long_km : float, optional
        Force the long run to this distance (a planted spike or a race).
    max_long_km : float
        Cap of an ordinary long run, km.
    """
    if total_km < 3:
        return []
    n = 2 if total_km < 12 else 3 if total_km < 22 else 4 if total_km < 38 else (
        5 if total_km < 58 else 6)
    long_run = long_km if long_km is not None else min(total_km * long_fraction, max_long_km)
    rest = max(total_km - long_run, 3.0 * (n - 1))
    weights = rng.dirichlet(np.full(n - 1, 8.0))
    others = np.maximum(rest * weights, 3.0)
    others *= rest / others.sum()
    kms = [float(k) for k in others] + [float(long_run)]
    return kms


def _local_to_utc(local: dt.datetime, tz: str) -> tuple[pd.Timestamp, int]:
    aware = local.replace(tzinfo=ZoneInfo(tz))
    offset = int(aware.utcoffset().total_seconds())
    return pd.Timestamp(aware).tz_convert("UTC"), offset


def _start_clock(rng: np.random.Generator, weekday: int, *, long_run: bool) -> dt.time:
    if long_run or weekday >= 5:
        minutes = int(rng.integers(7 * 60 + 30, 9 * 60 + 45))
    elif rng.random() < 0.55:
        minutes = int(rng.integers(6 * 60 + 10, 7 * 60 + 20))
    else:
        minutes = int(rng.integers(17 * 60 + 45, 19 * 60 + 40))
    return dt.time(minutes // 60, minutes % 60, int(rng.integers(0, 60)))


def _row(
    athlete: str,
    day: dt.date,
    clock: dt.time,
    *,
    tz: str,
    sport: str,
    distance_m: float,
    moving_time_s: int,
    **extra: Any,
) -> dict[str, Any]:
    start_utc, offset = _local_to_utc(dt.datetime.combine(day, clock), tz)
    row = {
        "athlete": athlete,
        "sport": sport,
        "local_start": pd.Timestamp(dt.datetime.combine(day, clock)),
        "tz": tz,
        "utc_offset_s": offset,
        "start_time": start_utc,
        "distance_m": round(float(distance_m), 1),
        "moving_time_s": int(moving_time_s),
    }
    row.update(extra)
    return row


def _run_rows(
    rng: np.random.Generator,
    athlete: str,
    week_start: dt.date,
    kms: list[float],
    *,
    pace_s_km: float,
    tz: str = HOME_TZ,
    home: tuple[float, float],
    long_day: int = 6,
    trail_share: float = 0.0,
    race: tuple[str, float] | None = None,
    phase: str = "",
) -> list[dict[str, Any]]:
    """One week's runs (the last of ``kms`` is the long run, on ``long_day``)."""
    if not kms:
        return []
    days = list(_RUN_DAYS[len(kms)])
    days[-1] = long_day if long_day not in days[:-1] else days[-1]
    rows = []
    quality = int(rng.integers(0, max(1, len(kms) - 1))) if len(kms) >= 3 else -1
    for i, (km, weekday) in enumerate(zip(kms, days, strict=True)):
        long_run = i == len(kms) - 1
        is_race = long_run and race is not None
        pace = pace_s_km * (
            0.88 if is_race else 1.05 if long_run else 0.9 if i == quality else rng.uniform(0.98, 1.06)
        )
        trail = (not is_race) and rng.random() < trail_share
        if trail:
            pace *= 1.12
        effort = 0.85 if is_race else 0.78 if i == quality else 0.68
        distance_m = km * 1000.0
        day = week_start + dt.timedelta(days=weekday)
        clock = dt.time(9, 2, 0) if is_race else _start_clock(rng, weekday, long_run=long_run)
        name = race[0] if is_race else _run_name(clock, trail=trail)
        rows.append(
            _row(
                athlete,
                day,
                clock,
                tz=tz,
                sport="trail_running" if trail else "running",
                distance_m=distance_m,
                moving_time_s=int(round(distance_m / 1000.0 * pace)),
                home=home,
                route="out_and_back" if rng.random() < 0.35 else "loop",
                hilliness_m=35.0 if trail else 6.0,
                effort=effort,
                name=name,
                phase=phase,
                pause_s=int(rng.integers(20, 150)) if rng.random() < 0.2 and not is_race else 0,
                long_run=long_run,
                race=is_race,
            )
        )
    return rows


def _run_name(clock: dt.time, *, trail: bool = False) -> str:
    part = "Morning" if clock.hour < 12 else "Afternoon" if clock.hour < 17 else "Evening"
    return f"{part} {'Trail Run' if trail else 'Run'}"


def _ride(rng, athlete, day, *, tz, home, phase) -> dict[str, Any]:
    km = float(rng.uniform(22, 55))
    speed = rng.uniform(6.2, 7.6)
    clock = dt.time(int(rng.integers(8, 11)), int(rng.integers(0, 60)), 0)
    return _row(
        athlete, day, clock, tz=tz, sport="cycling", distance_m=km * 1000.0,
        moving_time_s=int(km * 1000.0 / speed), home=home, route="loop", hilliness_m=20.0,
        effort=0.6, name="Morning Ride", phase=phase, pause_s=0, long_run=False, race=False,
    )


def _swim(rng, athlete, day, *, tz, phase) -> dict[str, Any]:
    metres = float(rng.integers(24, 48) * 50)
    clock = dt.time(int(rng.integers(7, 8)), int(rng.integers(0, 60)), 0)
    return _row(
        athlete, day, clock, tz=tz, sport="swimming", distance_m=metres,
        moving_time_s=int(metres / rng.uniform(0.62, 0.75)), home=None, route=None,
        hilliness_m=0.0, effort=0.55, name="Pool Swim", phase=phase, pause_s=0,
        long_run=False, race=False,
    )


def _strength(rng, athlete, day, *, tz, phase) -> dict[str, Any]:
    minutes = int(rng.integers(20, 36))
    clock = dt.time(int(rng.integers(18, 20)), int(rng.integers(0, 60)), 0)
    return _row(
        athlete, day, clock, tz=tz, sport="strength_training", distance_m=0.0,
        moving_time_s=minutes * 60, home=None, route=None, hilliness_m=0.0, effort=0.45,
        name="Strength", phase=phase, pause_s=0, long_run=False, race=False,
    )


def alex_plan(rng: np.random.Generator) -> pd.DataFrame:
    """alex's planned activities (before back pain changes anything).

    Parameters
    ----------
    rng : numpy.random.Generator
        alex's generator.

    Returns
    -------
    DataFrame
        One row per activity, sorted by start: athlete, sport, local_start, tz,
        utc_offset_s, start_time (UTC), distance_m, moving_time_s, route and effort
        parameters, name, phase, device (a :data:`DEVICES` key), long_run, race.
    """
    weeks = alex_weekly_km()
    rows: list[dict[str, Any]] = []
    longest_recent = 10.0
    for week, week_start, target, phase in weeks.itertuples(index=False):
        total = target * rng.uniform(0.97, 1.03)
        tokyo = week in _TOKYO_WEEKS
        tz = "Asia/Tokyo" if tokyo else HOME_TZ
        home = TOKYO_HOME if tokyo else ALEX_HOME
        race = _ALEX_RACES.get(week)
        long_km = None
        if race is not None:
            long_km = race[1] / 1000.0
        elif week in _ALEX_LONG_SPIKES:
            long_km = _ALEX_LONG_SPIKES[week]
        block = phase == "marathon block"
        kms = split_week(
            rng, total, long_fraction=0.36 if block else 0.3, long_km=long_km,
            max_long_km=32.0 if block else 24.0,
        )
        if kms and race is None and week not in _ALEX_LONG_SPIKES:
            # an ordinary long run grows by at most ~8% over the recent longest
            kms[-1] = min(kms[-1], max(longest_recent * 1.08, 8.0))
        if kms:
            longest_recent = kms[-1]
        runs = _run_rows(
            rng, "alex", week_start, kms, pace_s_km=325.0, tz=tz, home=home,
            long_day=6, trail_share=0.08, race=race, phase=phase,
        )
        if week == _TOKYO_WEEKS[0] and runs:
            # landed on Sunday; the first run is Monday 06:30 in Tokyo = Sunday 21:30 UTC,
            # which falls in the week before when weeks are binned in UTC
            runs[0].update(
                _row("alex", week_start, dt.time(6, 30, 0), tz=tz, sport="running",
                     distance_m=runs[0]["distance_m"], moving_time_s=runs[0]["moving_time_s"]),
                name="Imperial Palace loop",
            )
        rows.extend(runs)
        watch = week_start >= ALEX_WATCH_FROM
        # cross-training: rides most summer weekends, swims in the watch era, strength
        if not tokyo and (rng.random() < (0.55 if week_start.month in (5, 6, 7, 8, 9) else 0.2)
                          or target == 0):
            rows.append(_ride(rng, "alex", week_start + dt.timedelta(days=5 if kms else 2),
                              tz=tz, home=ALEX_HOME, phase=phase))
        if not tokyo and rng.random() < (0.45 if watch else 0.25):
            rows.append(_swim(rng, "alex", week_start + dt.timedelta(days=4), tz=tz, phase=phase))
        if not tokyo and rng.random() < (0.6 if watch else 0.3):
            rows.append(_strength(rng, "alex", week_start + dt.timedelta(days=2), tz=tz,
                                  phase=phase))
    plan = pd.DataFrame(rows).sort_values("start_time", kind="stable").reset_index(drop=True)
    plan["device"] = _alex_devices(rng, plan)
    return plan


def _alex_devices(rng: np.random.Generator, plan: pd.DataFrame) -> list[str]:
    """Phone era: iPhone GPX runs, Zwift treadmill runs in winter, Edge 500 rides,
    manual swims and strength; watch era: the Forerunner 255 for everything."""
    devices = []
    for row in plan.itertuples(index=False):
        day = row.local_start.date()
        if day >= ALEX_WATCH_FROM:
            devices.append("fr255")
        elif row.sport in ("swimming", "strength_training"):
            devices.append("manual")
        elif row.sport == "cycling":
            devices.append("edge500")
        elif (day.month in (11, 12, 1, 2) and not row.long_run and not row.race
              and rng.random() < 0.3):
            devices.append("zwift")
        else:
            devices.append("iphone")
    return devices


def squad_plan(rng: np.random.Generator, name: str, profile: dict[str, Any]) -> pd.DataFrame:
    """Six months of one squad athlete's activities.

    The weekly distance follows a small state machine: build by ``growth`` (with a
    chance ``eager`` of an over-eager +15-30% jump), a recovery week (-25%) after 3-4
    builds unless skipped (chance ``skip_recovery``), a one- or two-week holiday with a
    small chance, capped at ``max_km``. Long runs sometimes jump (a planted spike).

    Parameters
    ----------
    rng : numpy.random.Generator
        The athlete's generator.
    name : str
        Folder name of the athlete.
    profile : dict
        One entry of :data:`SQUAD`.
    """
    weeks = (DATA_END - SQUAD_START).days // 7 + 1
    home = (SQUAD_HOME[0] + rng.normal(0, 0.01), SQUAD_HOME[1] + rng.normal(0, 0.015))
    rows: list[dict[str, Any]] = []
    km = float(profile["base_km"])
    builds, holiday = 0, 0
    longest_recent = km * 0.3
    for week in range(weeks):
        week_start = SQUAD_START + dt.timedelta(weeks=week)
        phase = "build"
        if holiday > 0:
            total, phase = 0.0 if holiday == 2 else km * 0.3, "holiday"
            holiday -= 1
        elif week > 0 and rng.random() < 0.04:
            holiday = int(rng.integers(0, 2))
            total, phase = km * 0.3, "holiday"
        elif builds >= 3 and rng.random() > profile["skip_recovery"] and (
            builds >= 4 or rng.random() < 0.5
        ):
            total, phase, builds = km * 0.75, "recovery", 0
        else:
            jump = rng.uniform(0.15, 0.30) if rng.random() < profile["eager"] else (
                profile["growth"] * rng.uniform(0.4, 1.2))
            km = min(km * (1.0 + jump), profile["max_km"] * rng.uniform(0.95, 1.05))
            total, builds = km, builds + 1
        long_km = None
        if total > 15 and rng.random() < 0.15 + 0.35 * profile["eager"]:
            long_km = longest_recent * rng.uniform(1.25, 1.6)
            phase += ", long-run spike"
        kms = split_week(rng, total, long_fraction=0.3, long_km=long_km, max_long_km=26.0)
        if kms and long_km is None:
            kms[-1] = min(kms[-1], max(longest_recent * 1.08, 7.0))
        if kms:
            longest_recent = kms[-1]
        rows.extend(
            _run_rows(rng, name, week_start, kms, pace_s_km=profile["pace_s_km"], home=home,
                      long_day=profile["long_day"], trail_share=profile["trail"], phase=phase)
        )
        if rng.random() < 0.25:
            rows.append(_ride(rng, name, week_start + dt.timedelta(days=2), tz=HOME_TZ,
                              home=home, phase=phase))
        if rng.random() < 0.3:
            rows.append(_strength(rng, name, week_start + dt.timedelta(days=4), tz=HOME_TZ,
                                  phase=phase))
    plan = pd.DataFrame(rows).sort_values("start_time", kind="stable").reset_index(drop=True)
    device = profile["device"]
    devices = []
    for row in plan.itertuples(index=False):
        if row.sport == "strength_training":
            devices.append("manual" if DEVICES[device]["format"] != "fit" else device)
        elif "watch" in profile and rng.random() < 0.4:
            devices.append(profile["watch"])
        else:
            devices.append(device)
    plan["device"] = devices
    return plan

"""Map every source's sport to the sports of the data contract.

Each reader names the sport of an activity in its own vocabulary: a FIT file has an
enumerated ``sport`` and ``sub_sport`` (fitdecode gives their profile names, or the raw
number for values newer than its profile), a TCX ``Activity`` has a ``Sport`` attribute
(``Running``, ``Biking``, ``Other``), a GPX ``<trk>`` may carry a free-text ``<type>`` (some
apps write words, Strava writes a number), Strava's ``activities.csv`` has an "Activity
Type" (``Run``, ``Trail Run``, ``Virtual Ride``, ``Weight Training``) and Garmin Connect
exports an ``activityType`` key (``trail_running``, ``lap_swimming``).

This module turns each of them into one of :data:`runload.columns.SPORTS`. Everything is
table-driven: the tables below are the whole behaviour, and anything not in them is
``'other'`` (counted as cross-training time, never as running mileage).

Rules a runner should know:

* Treadmill and virtual runs (FIT ``running`` + ``treadmill`` / ``indoor_running`` /
  ``virtual_activity``, Strava ``Virtual Run``, Garmin ``treadmill_running``) are
  ``treadmill_running``; they count as running mileage.
* Trail runs (FIT ``running`` + ``trail``, Strava ``Trail Run``) are ``trail_running``.
* All bikes (road, mountain, gravel, indoor, virtual, e-bike) are ``cycling``; all swims
  (pool and open water) are ``swimming``.
* FIT ``training`` / ``fitness_equipment`` with sub-sport ``strength_training`` is
  ``strength_training``; ``fitness_equipment`` + ``treadmill`` is ``treadmill_running``.
* FIT ``transition`` (the change-over legs of a multisport file), ``generic`` and
  ``multisport`` are ``other``: they are neither running nor a cross-training sport.

References
----------
.. [1] Garmin, *FIT SDK Profile* (``Profile.xlsx``, types ``sport`` and ``sub_sport``).
.. [2] Strava's numeric activity type ids, as used in the ``<type>`` of its GPX exports:
   the ``ActivityType.Id()`` table of strava/go.strava (``Ride`` 1, ``Hike`` 4, ``Run`` 9,
   ``Walk`` 10, ``Swim`` 16, ``VirtualRide`` 17, ``EBikeRide`` 18, ``WeightTraining``
   30) and the ``StravaGPXTypes`` table of the Elevate app (the same ids, plus
   ``VirtualRun`` 53).
"""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from ..columns import SPORTS
from .timecheck import MAX_SPEED_M_S

__all__ = [
    "FIT_SPORTS",
    "FIT_SUB_SPORTS",
    "TEXT_SPORTS",
    "STRAVA_TYPE_CODES",
    "fit_sport",
    "sport_from_text",
    "infer_sports",
    "SPEED_BANDS_M_S",
]

OTHER = "other"

#: FIT ``sport`` name -> contract sport (the sub-sport may refine it, see FIT_SUB_SPORTS).
FIT_SPORTS: Mapping[str, str] = {
    "running": "running",
    "cycling": "cycling",
    "e_biking": "cycling",
    "swimming": "swimming",
    "walking": "walking",
    "hiking": "hiking",
    "mountaineering": "hiking",
    "snowshoeing": "hiking",
    "training": OTHER,
    "fitness_equipment": OTHER,
    "transition": OTHER,
    "generic": OTHER,
    "multisport": OTHER,
}

#: (FIT sport, FIT sub_sport) -> contract sport, overriding FIT_SPORTS.
#: A sport of ``None`` matches any sport.
FIT_SUB_SPORTS: Mapping[tuple[str | None, str], str] = {
    ("running", "treadmill"): "treadmill_running",
    ("running", "indoor_running"): "treadmill_running",
    ("running", "virtual_activity"): "treadmill_running",
    ("running", "trail"): "trail_running",
    ("fitness_equipment", "treadmill"): "treadmill_running",
    ("fitness_equipment", "indoor_running"): "treadmill_running",
    ("fitness_equipment", "indoor_cycling"): "cycling",
    ("fitness_equipment", "spin"): "cycling",
    ("fitness_equipment", "strength_training"): "strength_training",
    ("training", "strength_training"): "strength_training",
    ("generic", "strength_training"): "strength_training",
    ("generic", "treadmill"): "treadmill_running",
    ("generic", "trail"): "trail_running",
    ("generic", "lap_swimming"): "swimming",
    ("generic", "open_water"): "swimming",
    ("generic", "indoor_cycling"): "cycling",
}

#: Normalised free text (see :func:`sport_from_text`) -> contract sport.
TEXT_SPORTS: Mapping[str, str] = {
    # running
    "run": "running",
    "running": "running",
    "road_running": "running",
    "street_running": "running",
    "track_running": "running",
    "ultra_run": "running",
    "ultra_running": "running",
    "obstacle_run": "running",
    "obstacle_running": "running",
    "jogging": "running",
    # trail running
    "trail_run": "trail_running",
    "trail_running": "trail_running",
    "trail": "trail_running",
    # treadmill / virtual running
    "treadmill_running": "treadmill_running",
    "treadmill_run": "treadmill_running",
    "treadmill": "treadmill_running",
    "indoor_running": "treadmill_running",
    "indoor_run": "treadmill_running",
    "virtual_run": "treadmill_running",
    "virtual_running": "treadmill_running",
    # cycling
    "ride": "cycling",
    "biking": "cycling",
    "bike": "cycling",
    "cycling": "cycling",
    "road_biking": "cycling",
    "road_cycling": "cycling",
    "road_ride": "cycling",
    "mountain_biking": "cycling",
    "mountain_bike_ride": "cycling",
    "gravel_ride": "cycling",
    "gravel_cycling": "cycling",
    "cyclocross": "cycling",
    "track_cycling": "cycling",
    "indoor_cycling": "cycling",
    "virtual_ride": "cycling",
    "virtual_cycling": "cycling",
    "e_bike_ride": "cycling",
    "ebike_ride": "cycling",
    "e_mountain_bike_ride": "cycling",
    "e_biking": "cycling",
    "e_bike_fitness": "cycling",
    "e_bike_mountain": "cycling",
    "bmx": "cycling",
    "velomobile": "cycling",
    "handcycle": "cycling",
    "spinning": "cycling",
    # swimming
    "swim": "swimming",
    "swimming": "swimming",
    "lap_swimming": "swimming",
    "pool_swim": "swimming",
    "pool_swimming": "swimming",
    "open_water": "swimming",
    "open_water_swim": "swimming",
    "open_water_swimming": "swimming",
    # walking
    "walk": "walking",
    "walking": "walking",
    "casual_walking": "walking",
    "speed_walking": "walking",
    "indoor_walking": "walking",
    "nordic_walking": "walking",
    # hiking
    "hike": "hiking",
    "hiking": "hiking",
    "mountaineering": "hiking",
    # strength
    "weight_training": "strength_training",
    "strength_training": "strength_training",
    "strength": "strength_training",
    "weightlifting": "strength_training",
    "weight_lifting": "strength_training",
}

#: Strava's numeric activity type ids (the ``<type>`` of its GPX exports) -> contract sport.
#: Only ids confirmed in two independent tables are listed (see References); every other
#: number is ``'other'``.
STRAVA_TYPE_CODES: Mapping[int, str] = {
    1: "cycling",  # Ride
    4: "hiking",  # Hike
    9: "running",  # Run
    10: "walking",  # Walk
    16: "swimming",  # Swim
    17: "cycling",  # VirtualRide
    18: "cycling",  # EBikeRide
    30: "strength_training",  # WeightTraining
    53: "treadmill_running",  # VirtualRun
}

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_NON_WORD = re.compile(r"[^a-z0-9]+")


def _name(value: Any) -> str | None:
    """A FIT enum value as its lower-case name, or None for numbers, NaN and None."""
    if value is None or isinstance(value, numbers.Number):
        return None
    text = str(value).strip().lower()
    return text or None


def fit_sport(sport: Any, sub_sport: Any = None) -> str:
    """Map a FIT session's ``sport`` and ``sub_sport`` to a contract sport.

    Parameters
    ----------
    sport : str, int or None
        The FIT ``sport`` field as fitdecode gives it: the profile name (``'running'``,
        ``'training'``, ``'fitness_equipment'`` ...) or the raw number for values the
        profile does not know.
    sub_sport : str, int or None, optional
        The FIT ``sub_sport`` field (``'trail'``, ``'treadmill'``, ``'strength_training'``,
        ``'lap_swimming'`` ...).

    Returns
    -------
    str
        One of :data:`runload.columns.SPORTS`; ``'other'`` for anything not in
        :data:`FIT_SPORTS` / :data:`FIT_SUB_SPORTS` (including unknown numbers and
        ``transition`` legs).

    Notes
    -----
    The sub-sport is looked up first, as ``(sport, sub_sport)``; then the sport alone.
    """
    name = _name(sport)
    sub = _name(sub_sport)
    if sub is not None:
        hit = FIT_SUB_SPORTS.get((name, sub)) if name is not None else None
        if hit is not None:
            return hit
    if name is None:
        return OTHER
    return FIT_SPORTS.get(name, OTHER)


def _normalise(text: str) -> str:
    """'Trail Run' / 'TrailRun' / 'trail-run' -> 'trail_run'."""
    text = _CAMEL.sub("_", text.strip())
    return _NON_WORD.sub("_", text.lower()).strip("_")


def sport_from_text(text: Any) -> str:
    """Map a free-text sport name to a contract sport.

    Parameters
    ----------
    text : str, int or None
        A GPX ``<type>`` (words, or Strava's numeric id such as ``'9'``), a TCX ``Sport``
        attribute (``'Running'``, ``'Biking'``, ``'Other'``), a Strava "Activity Type"
        (``'Run'``, ``'Trail Run'``, ``'VirtualRide'``, ``'Weight Training'``) or a Garmin
        Connect ``activityType`` key (``'trail_running'``, ``'lap_swimming'``).

    Returns
    -------
    str
        One of :data:`runload.columns.SPORTS`; ``'other'`` for empty, unknown or junk text.

    Notes
    -----
    The text is normalised first: camelCase is split, case is dropped and every run of
    non-alphanumeric characters becomes one ``_`` (``'Trail Run'``, ``'TrailRun'`` and
    ``'trail-run'`` all become ``'trail_run'``), then looked up in :data:`TEXT_SPORTS`.
    A whole number is looked up in :data:`STRAVA_TYPE_CODES`.
    """
    if text is None or isinstance(text, bool):
        return OTHER
    if isinstance(text, numbers.Integral):
        return STRAVA_TYPE_CODES.get(int(text), OTHER)
    if isinstance(text, numbers.Real):
        value = float(text)
        if math.isfinite(value) and value.is_integer():
            return STRAVA_TYPE_CODES.get(int(value), OTHER)
        return OTHER
    raw = str(text).strip()
    if raw.isascii() and raw.isdigit():  # not '¹' or other digits int() refuses
        return STRAVA_TYPE_CODES.get(int(raw), OTHER)
    key = _normalise(raw)
    sport = TEXT_SPORTS.get(key)
    if sport is None:
        sport = FIT_SPORTS.get(key, OTHER)
    return sport if sport in SPORTS else OTHER


#: Moving-speed bands used to guess the sport of a file that states none, m/s:
#: below 1.7 m/s (slower than 9:48 min/km) walking; up to 5.6 m/s (2:58 min/km, faster
#: than any sustained amateur run) running; above that cycling.
SPEED_BANDS_M_S = (1.7, 5.6)

_HINTS = (
    (re.compile(r"\b(?:trail)\b", re.I), "trail_running"),
    (re.compile(r"\b(?:run|running|jog|jogging|lauf|laufen|course|corrida|carrera)\b", re.I), "running"),
    (re.compile(r"\b(?:ride|biker?|biking|cycl\w*|velo|mtb)\b", re.I), "cycling"),
    (re.compile(r"\b(?:swim\w*)\b", re.I), "swimming"),
    (re.compile(r"\b(?:hike|hiking)\b", re.I), "hiking"),
    (re.compile(r"\b(?:walk|walking)\b", re.I), "walking"),
)


def infer_sports(
    activities: pd.DataFrame,
    *,
    speed_bands_m_s: tuple[float, float] = SPEED_BANDS_M_S,
    max_speed_m_s: float = MAX_SPEED_M_S,
) -> pd.DataFrame:
    """Guess the sport of activities whose file states none, and say so.

    Many phone apps and older watches write GPX without a ``<type>`` (Nike Run Club,
    TomTom, Suunto Movescount, GPSBabel conversions). Leaving them without a sport would
    drop a runner's runs from the mileage; calling them ``'other'`` would too. So a row
    with a missing ``sport`` gets one, in this order:

    1. a word in its ``name``, ``device`` or file name (``Morning Run``, ``Urban Biker``,
       ``domingo corrida``, ``A_ride_mapped.gpx``);
    2. its average moving speed ``distance_m / moving_time_s`` (elapsed time when there
       is no moving time) against :data:`SPEED_BANDS_M_S` — unless that speed is above
       ``max_speed_m_s``, which no human-powered sport reaches: such times are wrong
       (:func:`runload.io.timecheck.speed_problems` reports them) and tell nothing;
    3. ``'other'`` when neither tells.

    Every guessed row has ``sport_inferred=True``, so a runner can check and override
    them (``activities.loc[activities.sport_inferred, "sport"] = ...``).

    Parameters
    ----------
    activities : DataFrame
        The activities table (``sport``, ``name``, ``device``, ``distance_m``,
        ``moving_time_s``, ``elapsed_time_s``).
    speed_bands_m_s : (float, float), optional
        Walking/running and running/cycling boundaries, m/s.
    max_speed_m_s : float, optional
        Speeds above this, m/s, are impossible and guess nothing
        (:data:`runload.io.timecheck.MAX_SPEED_M_S`, 30 m/s).

    Returns
    -------
    DataFrame
        A copy with ``sport`` filled and a boolean ``sport_inferred`` column.
    """
    out = activities.copy()
    missing = out["sport"].isna().to_numpy()
    guess = pd.Series(pd.NA, index=out.index, dtype="string")
    text = (
        out.get("name", pd.Series("", index=out.index)).astype("string").fillna("")
        + " "
        + out.get("device", pd.Series("", index=out.index)).astype("string").fillna("")
        + " "
        + out.get("source", pd.Series("", index=out.index)).astype("string").fillna("")
        .str.replace(r"^.*[/!\\]", "", regex=True).str.replace("_", " ", regex=False)
    )
    for pattern, sport in reversed(_HINTS):  # earlier hints win: applied last
        hit = text.str.contains(pattern, na=False).to_numpy(dtype=bool)
        guess = guess.mask(hit, sport)
    duration = out["moving_time_s"].where(out["moving_time_s"] > 0, out["elapsed_time_s"])
    speed = (out["distance_m"] / duration.where(duration > 0)).to_numpy(dtype=float)
    slow, fast = speed_bands_m_s
    by_speed = np.select(
        [speed < slow, speed <= fast, (speed > fast) & (speed <= max_speed_m_s)],
        ["walking", "running", "cycling"], default=""
    )
    guess = guess.fillna(pd.Series(by_speed, index=out.index).replace("", pd.NA))
    out["sport"] = out["sport"].mask(missing, guess.fillna(OTHER))
    out["sport_inferred"] = missing
    return out

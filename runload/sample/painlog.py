"""The planted effect: back-pain onsets drawn from a hazard that load flags raise.

The model (recorded with its parameters in ``sample_data/README.md``):

* Time runs in the athlete's local weeks (Monday-Sunday), the weeks of
  :func:`runload.weekly_load`.
* A week *t* is **exposed** when runload flags it: ``flag_ramp`` (more than 10% over
  its reference) or ``flag_session_spike`` (a run more than 10% longer than the longest
  of the previous 30 days). The flags are computed by :func:`runload.weekly_load` itself
  on the activities exactly as runload will read them back (device distance for FIT and
  TCX, GPS length for GPX, the FIT files' own UTC offsets), so the planted effect is
  the effect runload measures.
* In week *t + 1* an athlete who is at risk starts an episode with probability
  ``baseline`` (2% a week for alex, 3% for the squad), or ``baseline x multiplier``
  when week *t* was exposed (x 6 for alex, x 10 for the squad: 12% and 30% a week).
  These multipliers are deliberately far stronger than real ones (Frandsen et al.
  report hazard ratios of 1.5-2.3) so that a squad of six followed for six months
  shows the effect in a pooled analysis. Onset falls on a uniformly drawn day of the week.
* An episode lasts 4-21 days (severity 3-8 of 10); the athlete stops running for
  ``time_lost_days`` (2-12 days, at most the episode) — those runs are removed, which
  changes the weeks that follow, so the flags are recomputed after every onset. An
  athlete is not at risk again until 28 days after the end of an episode (the de Vet
  et al. 2002 definition needs a pain-free month between episodes).

All random draws are made up front per athlete and week, so the result depends only on
the seed.

References
----------
.. [1] de Vet, H. C. W. et al. (2002). Episodes of low back pain: a proposal for uniform
   definitions to be used in research. *Spine* 27(21), 2409-2416.
.. [2] Frandsen, J. S. B. et al. (2025). How much running is too much? *Br J Sports Med*
   59, 1203.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["PAIN_MODEL", "EXPOSURES", "plant_pain", "episodes_csv", "diary_csv"]

#: Flags that make a week exposed.
EXPOSURES = ("flag_ramp", "flag_session_spike")

#: Default hazard parameters per group.
PAIN_MODEL: dict[str, dict[str, float]] = {
    "alex": {"baseline": 0.02, "multiplier": 6.0},
    "squad": {"baseline": 0.03, "multiplier": 10.0},
}

_LOCATIONS = ("lower back", "lower back, left side", "lower back, right side", "lumbar, central")
_NOTES = (
    "stiff the morning after",
    "sharp when bending to tie shoes",
    "ache through the run, worse downhill",
    "tight after sitting at work",
    "twinge getting out of the car",
    "sore after the long run",
)


def _draws(rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
    return {
        "u": rng.random(n),
        "day": rng.integers(0, 7, n),
        "duration": rng.integers(4, 22, n),
        "severity": rng.integers(3, 9, n),
        "lost": rng.integers(2, 13, n),
        "location": rng.integers(0, len(_LOCATIONS), n),
        "note": rng.integers(0, len(_NOTES), n),
    }


def plant_pain(
    activities: pd.DataFrame,
    rngs: dict[str, np.random.Generator],
    *,
    models: dict[str, dict[str, float]],
    tz: str,
    as_of: dt.date,
    refractory_days: int = 28,
    exposures: tuple[str, ...] = EXPOSURES,
) -> tuple[pd.DataFrame, pd.DataFrame, np.ndarray]:
    """Draw back-pain episodes from the flag-driven hazard, athlete by athlete.

    Parameters
    ----------
    activities : DataFrame
        Activities as runload will read them back (``athlete``, ``sport``,
        ``start_time`` UTC, ``utc_offset_s``, ``distance_m``, ``moving_time_s``,
        ``duplicate_of``) plus ``local_date`` (a :class:`datetime.date`).
    rngs : dict
        Athlete -> the generator of that athlete's pain draws.
    models : dict
        Athlete -> ``{"baseline": weekly onset probability after an unexposed week,
        "multiplier": hazard ratio after an exposed week}``.
    tz : str
        Home time zone (for files without a UTC offset).
    as_of : datetime.date
        Last day of the data.
    refractory_days : int
        Pain-free days after an episode before the athlete is at risk again.
    exposures : tuple of str
        Weekly flag columns that make a week exposed.

    Returns
    -------
    episodes : DataFrame
        ``athlete``, ``onset``, ``end`` (dates; ``end`` is None while the episode is
        still going on at ``as_of``), ``severity``, ``location``, ``time_lost_days``,
        ``notes``.
    hazard : DataFrame
        One row per athlete-week: ``athlete``, ``week_start``, ``exposed_prev`` (the
        week before was flagged), ``at_risk``, ``hazard``, ``onset``.
    dropped : numpy.ndarray of bool
        Activities removed because the athlete was not running (aligned with
        ``activities``).

    Notes
    -----
    :func:`runload.weekly_load` runs on every athlete at once; after a round in which
    some athletes had an onset (and lost runs) it runs again, and each athlete carries
    on from the week after its onset. Flags of earlier weeks cannot change, since they
    depend only on the weeks before them.
    """
    from runload.load import weekly_load

    running = activities["sport"].isin(("running", "trail_running", "treadmill_running"))
    local = activities["local_date"]
    dropped = np.zeros(len(activities), dtype=bool)
    athletes = sorted(rngs)
    draws = {name: _draws(rngs[name], 400) for name in athletes}
    position = dict.fromkeys(athletes, 1)
    at_risk_from: dict[str, dt.date | None] = dict.fromkeys(athletes)
    active = set(athletes)
    episodes: list[dict[str, Any]] = []
    hazard_rows: list[dict[str, Any]] = []
    while active:
        weekly = weekly_load(activities.loc[~dropped], tz=tz, as_of=as_of)
        for athlete in sorted(active):
            mine = weekly.loc[weekly["athlete"] == athlete]
            exposed = mine[list(exposures)].any(axis=1).to_numpy()
            starts = [ts.date() for ts in mine["week_start"]]
            model, d = models[athlete], draws[athlete]
            onset_at = None
            for j in range(position[athlete], len(mine)):
                since = at_risk_from[athlete]
                at_risk = since is None or starts[j] >= since
                h = model["baseline"] * (model["multiplier"] if exposed[j - 1] else 1.0)
                onset = bool(at_risk and d["u"][j] < h)
                hazard_rows.append(
                    {
                        "athlete": athlete,
                        "week_start": starts[j],
                        "exposed_prev": bool(exposed[j - 1]),
                        "at_risk": at_risk,
                        "hazard": h if at_risk else 0.0,
                        "onset": onset,
                    }
                )
                if onset:
                    onset_at = j
                    break
            if onset_at is None:
                active.discard(athlete)
                continue
            j = onset_at
            onset_day = min(starts[j] + dt.timedelta(days=int(d["day"][j])), as_of)
            duration = int(d["duration"][j])
            lost = min(int(d["lost"][j]), duration)
            end = onset_day + dt.timedelta(days=duration - 1)
            episodes.append(
                {
                    "athlete": athlete,
                    "onset": onset_day,
                    "end": end if end <= as_of else None,
                    "severity": int(d["severity"][j]),
                    "location": _LOCATIONS[int(d["location"][j])],
                    "time_lost_days": lost,
                    "notes": _NOTES[int(d["note"][j])],
                }
            )
            stop = onset_day + dt.timedelta(days=lost)
            mine_rows = (activities["athlete"] == athlete).to_numpy()
            dropped |= mine_rows & (running & (local >= onset_day) & (local < stop)).to_numpy()
            at_risk_from[athlete] = end + dt.timedelta(days=refractory_days + 1)
            position[athlete] = j + 1
    columns = ["athlete", "onset", "end", "severity", "location", "time_lost_days", "notes"]
    episodes_frame = pd.DataFrame(episodes, columns=columns)
    hazard = pd.DataFrame(
        hazard_rows,
        columns=["athlete", "week_start", "exposed_prev", "at_risk", "hazard", "onset"],
    )
    return (
        episodes_frame.sort_values(["athlete", "onset"], kind="stable").reset_index(drop=True),
        hazard.sort_values(["athlete", "week_start"], kind="stable").reset_index(drop=True),
        dropped,
    )


def episodes_csv(episodes: pd.DataFrame) -> bytes:
    """The episodes form of a pain log: ``onset,end,severity,location,time_lost_days,notes``."""
    frame = episodes[["onset", "end", "severity", "location", "time_lost_days", "notes"]]
    return frame.to_csv(index=False, lineterminator="\n", date_format="%Y-%m-%d").encode()


def diary_csv(
    episodes: pd.DataFrame, *, first: dt.date, last: dt.date, rng: np.random.Generator
) -> bytes:
    """The daily-diary form: ``date,severity,notes,athlete``, one row per athlete and day.

    Within an episode the rating rises to the episode's severity in the first days and
    eases off to 1 on its last day; outside episodes the athlete logs 0. Notes are
    written on onset days.

    Parameters
    ----------
    episodes : DataFrame
        Episodes with an ``athlete`` column.
    first, last : datetime.date
        The diary's first and last day (inclusive), for every athlete.
    rng : numpy.random.Generator
        Generator for the day-to-day wobble of the rating.
    """
    days = pd.date_range(first, last, freq="D")
    frames = []
    for athlete in sorted(episodes["athlete"].unique()):
        severity = np.zeros(days.size)
        notes = np.full(days.size, "", dtype=object)
        for row in episodes.loc[episodes["athlete"] == athlete].itertuples(index=False):
            a = (pd.Timestamp(row.onset) - days[0]).days
            end = row.end if isinstance(row.end, dt.date) else last  # still going on
            b = (pd.Timestamp(end) - days[0]).days
            k = np.arange(b - a + 1)
            peak = max(1, min(2, k.size - 1))
            shape = np.where(
                k <= peak, (k + 1) / (peak + 1), 1.0 - (k - peak) / max(1, k.size - peak)
            )
            rating = np.clip(np.rint(row.severity * shape + rng.normal(0, 0.4, k.size)), 1,
                             row.severity)
            rating[np.argmax(shape)] = row.severity
            lo, hi = max(a, 0), min(b, days.size - 1)
            severity[lo : hi + 1] = rating[lo - a : hi - a + 1]
            if 0 <= a < days.size:
                notes[a] = row.notes
        frames.append(
            pd.DataFrame(
                {"date": days.strftime("%Y-%m-%d"), "severity": severity.astype(int),
                 "notes": notes, "athlete": athlete}
            )
        )
    diary = pd.concat(frames, ignore_index=True)
    return diary.to_csv(index=False, lineterminator="\n").encode()

"""The prevention habits as flags: one short function per rule.

Every function takes a weekly frame carrying the habit columns that
:func:`runload.habits.weekly_habits` adds (any row order) and returns a nullable
boolean Series on the same index: ``True`` when the week misses the habit,
``False`` when it keeps it, ``<NA>`` when the rule does not judge the week — an
incomplete week, a week the rule does not apply to (no running; no back-pain episode
yet) or a week whose habit was not recorded (no sleep data, no habits log). The
statistics treat ``<NA>`` as "exposure unknown" (:func:`runload.associate` counts only
weeks whose exposure is known), so missing data never passes for a kept habit.

The habits come from the prevention advice of article A (``docs/sources.md``: sleep,
strength and cross-training, shoe rotation, strides, uneven surfaces) and article B
(8-week rehab, weekly core work after back pain). They are expert advice, not trial
results: no threshold below was tested for preventing running injuries or back pain.
Show the label of :data:`EVIDENCE` wherever a flag is shown.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import ParameterError

__all__ = [
    "EVIDENCE",
    "HABIT_NAMES",
    "no_cross_training",
    "low_strength",
    "no_core_after_pain",
    "rehab_incomplete",
    "no_strides",
    "no_shoe_rotation",
    "short_sleep",
    "no_trail",
]

#: Short evidence label of each habit flag; show it wherever the flag is shown. Article A
#: is "Low Back Pain in Runners: Prevention & Treatment", article B "Low Back Pain: Rehab
#: For Runners" (2019): blog articles, expert opinion; quoted in docs/sources.md.
EVIDENCE: dict[str, str] = {
    "flag_no_cross_training": "expert advice (article A: mix running, cycling, swimming); untested",
    "flag_low_strength": "expert advice (article A: 20-30 min a few times a week); untested in runners here",
    "flag_no_core_after_pain": "physiotherapist advice (article B: core at least weekly); untested",
    "flag_rehab_incomplete": "physiotherapist advice (article B: full 8-week rehab); untested",
    "flag_no_strides": "coaching advice for form (article A); no injury evidence",
    "flag_no_shoe_rotation": "expert advice (article A: rotate shoes); weak evidence",
    "flag_short_sleep": "expert advice (article A: >= 7 h a night); no runner trial",
    "flag_no_trail": "expert advice for balance (article A: uneven surfaces); untested",
}

#: The habit each flag checks, as a checklist header.
HABIT_NAMES: dict[str, str] = {
    "flag_no_cross_training": "cross-training",
    "flag_low_strength": "strength",
    "flag_no_core_after_pain": "core after pain",
    "flag_rehab_incomplete": "full rehab",
    "flag_no_strides": "strides",
    "flag_no_shoe_rotation": "shoe rotation",
    "flag_short_sleep": "sleep",
    "flag_no_trail": "trail",
}


def _number(name: str, value, *, upper: float | None = None) -> float:
    try:
        out = float(value)
    except (TypeError, ValueError) as exc:
        raise ParameterError(f"{name} must be a number, got {value!r}") from exc
    if not np.isfinite(out) or out < 0 or (upper is not None and out > upper):
        bound = f"in [0, {upper:g}]" if upper is not None else ">= 0"
        raise ParameterError(f"{name} must be {bound}, got {value!r}")
    return out


def _whole(name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ParameterError(f"{name} must be a whole number >= 1, got {value!r}")
    return int(value)


def _judge(weekly: pd.DataFrame, missed, applies, name: str) -> pd.Series:
    """``missed`` where the week is complete and the rule ``applies``; NA elsewhere."""
    missed = pd.Series(missed, index=weekly.index).astype("boolean")
    applies = pd.Series(applies, index=weekly.index).astype("boolean").fillna(False)
    judged = weekly["complete"].astype(bool) & applies.astype(bool)
    return missed.where(judged, pd.NA).astype("boolean").rename(name)


def _ran(weekly: pd.DataFrame) -> pd.Series:
    return weekly["runs"].astype("int64") > 0


def no_cross_training(weekly: pd.DataFrame, *, min_share: float = 0.0) -> pd.Series:
    """Running weeks whose cross-training share of training time is at most ``min_share``.

    Parameters
    ----------
    weekly : DataFrame
        With ``cross_training_share`` (cycling, swimming and other non-running time ÷
        all training time), ``runs`` and ``complete``.
    min_share : float, default 0.0
        Share at or below which the week counts as running only. The default flags
        weeks with no cross-training at all; article A gives no amount.

    Returns
    -------
    Series of boolean
        complete week with runs and share ≤ ``min_share``; NA for weeks without runs
        and incomplete weeks.

    Notes
    -----
    Rule from article A: "triathletes ... have a lower risk of injury than marathoners
    ... because triathletes train with a balanced mix of running, cycling, and
    swimming". Strength of evidence: expert advice; the triathlete comparison is
    anecdotal and no trial tested a cross-training share.
    """
    share = _number("min_share", min_share, upper=1.0)
    value = weekly["cross_training_share"].astype(float)
    return _judge(weekly, value.fillna(0.0) <= share, _ran(weekly), "flag_no_cross_training")


def low_strength(weekly: pd.DataFrame, *, min_sessions: int = 2) -> pd.Series:
    """Weeks with fewer than ``min_sessions`` strength sessions.

    Parameters
    ----------
    weekly : DataFrame
        With ``strength_sessions_counted`` (strength and core sessions of at least the
        minimum length, from activities and the habits log) and ``complete``.
    min_sessions : int, default 2
        Sessions a week advised.

    Returns
    -------
    Series of boolean
        complete and ``strength_sessions_counted`` < ``min_sessions``; NA for
        incomplete weeks.

    Notes
    -----
    Rule from article A: "a quick 20 to 30 minute session a few days per week" (the
    minimum length is :func:`runload.habits.weekly_habits`'s
    ``min_strength_session_s``, default 20 min). Strength of evidence: expert advice;
    not tested for running injuries or back pain. Only recorded sessions count: log
    sessions the watch did not record in the habits log.
    """
    n = _whole("min_sessions", min_sessions)
    value = weekly["strength_sessions_counted"].astype(float)
    return _judge(weekly, value < n, True, "flag_low_strength")


def no_core_after_pain(weekly: pd.DataFrame, *, min_sessions: int = 1) -> pd.Series:
    """Weeks after a back-pain episode began with fewer than ``min_sessions`` core sessions.

    Parameters
    ----------
    weekly : DataFrame
        With ``weeks_since_pain`` (weeks since the week of the latest onset, NA before
        the first episode), ``core_sessions`` (NA without a habits log) and
        ``complete``.
    min_sessions : int, default 1
        Core sessions a week advised after back pain.

    Returns
    -------
    Series of boolean
        complete, at least one week after an onset, core known, and
        ``core_sessions`` < ``min_sessions``; NA before the first episode, in the
        onset's week, without a habits log and for incomplete weeks.

    Notes
    -----
    Rule from article B: "after rehab, runners should continue doing regular core
    strengthening at least once a week. Sporadic, once-in-a-while strengthening is
    simply not enough." Strength of evidence: a physiotherapist's advice; untested.
    """
    n = _whole("min_sessions", min_sessions)
    core = weekly["core_sessions"].astype("Float64")
    after = weekly["weeks_since_pain"].astype("Float64") >= 1
    return _judge(weekly, core < n, after & core.notna(), "flag_no_core_after_pain")


def rehab_incomplete(weekly: pd.DataFrame) -> pd.Series:
    """Weeks after an episode whose rehab programme was not completed.

    Parameters
    ----------
    weekly : DataFrame
        With ``rehab_completed`` (for the latest episode: was every week of the rehab
        programme done; NA during the programme, before any episode and without a
        habits log) and ``complete``.

    Returns
    -------
    Series of boolean
        complete and ``rehab_completed`` is False; NA where it is NA.

    Notes
    -----
    Rule from article B: "complete a full 8-week rehab program, even if their pain
    goes away after the first couple of weeks" (the programme length and the sessions
    a programme week needs are options of :func:`runload.habits.weekly_habits`).
    :func:`runload.habits.rehab_adherence` compares the time to the next episode
    after completed and abandoned programmes. Strength of evidence: a
    physiotherapist's advice; untested.
    """
    done = weekly["rehab_completed"].astype("boolean")
    return _judge(weekly, ~done, done.notna(), "flag_rehab_incomplete")


def no_strides(weekly: pd.DataFrame, *, min_sets: int = 1) -> pd.Series:
    """Running weeks with fewer than ``min_sets`` sets of strides.

    Parameters
    ----------
    weekly : DataFrame
        With ``stride_sets`` (NA when no run of the week was searched and the log has
        no strides), ``runs`` and ``complete``.
    min_sets : int, default 1
        Sets a week advised ("once or twice a week").

    Returns
    -------
    Series of boolean
        complete week with runs and ``stride_sets`` < ``min_sets``; NA where strides
        are unknown, without runs, and for incomplete weeks.

    Notes
    -----
    Rule from article A: "add strides once or twice a week ... 5 sets of 20 to 30
    seconds at a hard pace" (detector: :func:`runload.habits.strides.stride_efforts`).
    Strength of evidence: coaching advice for running form; no injury evidence.
    """
    n = _whole("min_sets", min_sets)
    sets = weekly["stride_sets"].astype("Float64")
    return _judge(weekly, sets < n, _ran(weekly) & sets.notna(), "flag_no_strides")


def no_shoe_rotation(weekly: pd.DataFrame, *, min_runs: int = 2) -> pd.Series:
    """Weeks of at least ``min_runs`` runs all in one pair of shoes.

    Parameters
    ----------
    weekly : DataFrame
        With ``shoes_used`` (pairs worn on the week's runs whose pair is known; NA
        when none is), ``runs`` and ``complete``.
    min_runs : int, default 2
        Runs a week needs before rotating is possible.

    Returns
    -------
    Series of boolean
        complete, ``runs`` ≥ ``min_runs`` and ``shoes_used`` == 1; NA without shoe
        information, with fewer runs, and for incomplete weeks.

    Notes
    -----
    Rule from article A: "switch your shoes throughout the week ... Save your
    well-cushioned shoes for long runs and recovery runs". runload sees which pair,
    not how cushioned it is. Strength of evidence: expert advice; weak.
    """
    n = _whole("min_runs", min_runs)
    pairs = weekly["shoes_used"].astype("Float64")
    applies = (weekly["runs"].astype("int64") >= max(n, 2)) & pairs.notna()
    return _judge(weekly, pairs <= 1, applies, "flag_no_shoe_rotation")


def short_sleep(
    weekly: pd.DataFrame, *, min_sleep_s: float = 7 * 3600.0, min_nights: int = 3
) -> pd.Series:
    """Weeks whose average recorded night was shorter than ``min_sleep_s``.

    Parameters
    ----------
    weekly : DataFrame
        With ``mean_sleep_s``, ``sleep_nights`` and ``complete``.
    min_sleep_s : float, default 25 200 (7 h)
        Advised sleep a night, s; 32 400 (9 h) for competitive athletes.
    min_nights : int, default 3
        Recorded nights a week needs to be judged.

    Returns
    -------
    Series of boolean
        complete, ``sleep_nights`` ≥ ``min_nights`` and ``mean_sleep_s`` <
        ``min_sleep_s``; NA otherwise. ``short_sleep_nights`` counts the single nights.

    Notes
    -----
    Rule from article A: "Runners should aim for at least 7 hours of sleep each night,
    but research shows 9 or more hours gives the most benefit to competitive
    athletes." Strength of evidence: expert advice; no trial in runners.
    """
    limit = _number("min_sleep_s", min_sleep_s, upper=86_400.0)
    n = _whole("min_nights", min_nights)
    nights = weekly["sleep_nights"].astype("int64")
    mean = weekly["mean_sleep_s"].astype(float)
    return _judge(weekly, mean < limit, nights >= n, "flag_short_sleep")


def no_trail(weekly: pd.DataFrame, *, min_share: float = 0.0) -> pd.Series:
    """Running weeks whose trail share of the running distance is at most ``min_share``.

    Parameters
    ----------
    weekly : DataFrame
        With ``trail_share`` (``trail_running`` distance ÷ running distance),
        ``runs`` and ``complete``.
    min_share : float, default 0.0
        Share at or below which the week counts as all road; the default flags weeks
        without any trail running (article A gives no amount).

    Returns
    -------
    Series of boolean
        complete week with runs and ``trail_share`` ≤ ``min_share``; NA otherwise.

    Notes
    -----
    Rule from article A: "Trail running is a beneficial way to strengthen the
    proprioceptors as you constantly challenge the joints and muscles with the
    varying terrain." Only the sport tells runload the surface (``trail_running``).
    Strength of evidence: expert advice for balance; untested for injuries.
    """
    share = _number("min_share", min_share, upper=1.0)
    value = weekly["trail_share"].astype(float)
    return _judge(weekly, value.fillna(0.0) <= share, _ran(weekly), "flag_no_trail")

"""The weekly habits table: habit columns and flags added to the ``weekly`` table."""

from __future__ import annotations

import os
from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..athletes import match_athletes
from ..columns import HABITS_WEEKLY, RUNNING_SPORTS
from ..errors import ParameterError
from . import rules
from ._frame import counted, first_day, local_dates, tz_of, week_of
from .log import HABITS_LOG, KINDS, read_habits_log
from .rehab import rehab_adherence
from .shoes import run_shoes
from .sleep import check_sleep_threshold, read_garmin_sleep
from .strides import activity_strides

__all__ = ["weekly_habits", "HABITS_WEEKLY"]



_KEYS = ["athlete", "week_start"]
_NEEDED = ("athlete", "week_start", "complete", "runs", "moving_time_s", "cross_training_time_s")


def weekly_habits(
    weekly: pd.DataFrame,
    activities: pd.DataFrame,
    *,
    habits=None,
    episodes=None,
    sleep=None,
    strides=None,
    tz=None,
    week_start: str | None = None,
    min_cross_training_share: float = 0.0,
    min_strength_sessions: int = 2,
    min_strength_session_s: float = 20 * 60.0,
    strength_kinds: Sequence[str] = ("strength", "core"),
    min_core_sessions: int = 1,
    core_kinds: Sequence[str] = ("core", "rehab"),
    programme_weeks: int = 8,
    min_rehab_sessions_per_week: int = 1,
    min_stride_sets: int = 1,
    logged_set_strides: int = 5,
    min_runs_for_rotation: int = 2,
    min_sleep_s: float = 7 * 3600.0,
    min_sleep_nights: int = 3,
    min_trail_share: float = 0.0,
) -> pd.DataFrame:
    """The weekly table with the prevention habits as columns and flags.

    Parameters
    ----------
    weekly : DataFrame
        From :func:`runload.weekly_load` (``athlete``, ``week_start``, ``complete``,
        ``runs``, ``moving_time_s``, ``cross_training_time_s``).
    activities : DataFrame
        The activities table the weekly table was built from (sports, gear, times).
    habits : path, DataFrame or None
        The habits log (:func:`runload.read_habits_log` or its path). Its athletes
        are matched to those of ``weekly`` (see Notes).
    episodes : path, DataFrame or None
        Back-pain episodes (:func:`runload.read_pain_log` or its path); needed for
        ``flag_no_core_after_pain`` and ``flag_rehab_incomplete``. Athletes matched
        as for ``habits``.
    sleep : path, DataFrame or None
        Nights (:func:`runload.habits.read_garmin_sleep`, or a Garmin export's zip,
        folder or ``sleepData`` JSON). Habits-log ``sleep`` rows win for the same night.
        Athletes matched as for ``habits``.
    strides : DataFrame, 'detect' or None
        Strides per run (:func:`runload.habits.activity_strides`); ``'detect'`` reads
        every run's stream now (slow for years of data). Logged ``strides`` rows add
        to it (per day the larger count).
    tz : str, mapping or None
        Time zone for activities without ``utc_offset_s``; default the one
        ``weekly_load`` used (``weekly.attrs['parameters']['tz']``).
    week_start : str, optional
        First day of the week; default the weekly table's.
    min_cross_training_share : float, default 0.0
        :func:`runload.habits.rules.no_cross_training`.
    min_strength_sessions : int, default 2
        :func:`runload.habits.rules.low_strength` (article A).
    min_strength_session_s : float, default 1200
        Shortest strength session that counts, s (article A: 20–30 min).
    strength_kinds : sequence of str, default ('strength', 'core')
        Log kinds that are strength sessions.
    min_core_sessions : int, default 1
        :func:`runload.habits.rules.no_core_after_pain` (article B).
    core_kinds : sequence of str, default ('core', 'rehab')
        Log kinds that are core work.
    programme_weeks : int, default 8
        Rehab programme length, weeks (article B; :func:`runload.habits.rehab_adherence`).
    min_rehab_sessions_per_week : int, default 1
        Sessions a programme week needs.
    min_stride_sets : int, default 1
        :func:`runload.habits.rules.no_strides` (article A).
    logged_set_strides : int, default 5
        Strides counted for a logged set without a count (article A: 5).
    min_runs_for_rotation : int, default 2
        :func:`runload.habits.rules.no_shoe_rotation`.
    min_sleep_s : float, default 25 200
        :func:`runload.habits.rules.short_sleep` (article A: 7 h; 9 h = 32 400 for
        competitive athletes).
    min_sleep_nights : int, default 3
        Recorded nights a week needs for the sleep flag.
    min_trail_share : float, default 0.0
        :func:`runload.habits.rules.no_trail`.

    Returns
    -------
    DataFrame
        ``weekly`` (same rows, same index, same columns first) with the columns of
        :data:`HABITS_WEEKLY` added. The flags are nullable booleans: NA where the rule
        does not judge the week (see :mod:`runload.habits.rules`), which
        :func:`runload.associate` treats as "exposure unknown". ``attrs`` keeps the
        weekly table's and adds ``habit_parameters``.

    Notes
    -----
    Only what is recorded counts. Strength and stride sessions recorded by the watch
    and also logged count once (per day the larger of the two counts). The rules,
    sources and evidence are in :mod:`runload.habits.rules` and ``docs/habits.md``;
    every habit there is expert advice, not a trial result.

    The athletes of ``habits``, ``episodes`` and ``sleep`` are matched to those of
    ``weekly`` as :func:`runload.associate` and the command line do. Rows without an
    athlete are the only athlete's (with several athletes they are an error). When
    ``weekly`` has one athlete and every named row of a log names one single other
    athlete (the README's ``me``), those rows are taken as that athlete's, with a
    :class:`~runload.errors.RunloadWarning` naming both and saying how to name them
    alike. Otherwise the rows of athletes without weekly data are left out, with a
    warning that names them and the closest athlete of ``weekly`` (a likely typo).
    """
    missing = [c for c in _NEEDED if c not in weekly.columns]
    if missing:
        raise ParameterError(f"weekly lacks column(s) {', '.join(missing)} (use runload.weekly_load)")
    _check_kinds(strength_kinds, "strength_kinds")
    _check_kinds(core_kinds, "core_kinds")
    min_session = rules._number("min_strength_session_s", min_strength_session_s)
    min_sleep = check_sleep_threshold(min_sleep_s)
    set_strides = rules._whole("logged_set_strides", logged_set_strides)
    day = first_day(weekly, week_start)
    tz = tz_of(weekly, activities, tz)
    keys = pd.DataFrame({"athlete": weekly["athlete"].astype("string"),
                         "week_start": pd.to_datetime(weekly["week_start"]).astype("datetime64[ns]")})
    athletes = keys["athlete"]

    log = _habits(habits, athletes)
    eps = _episodes(episodes, athletes)
    acts = counted(activities)
    acts = acts.assign(date=local_dates(acts, tz)) if len(acts) else acts.assign(
        date=pd.Series(dtype="datetime64[ns]"))
    logs_kept = set(log["athlete"].dropna().unique())

    def per_week(frame: pd.DataFrame, **aggs) -> pd.DataFrame:
        """Aggregate (athlete, date) rows to the weekly keys (left join, same order)."""
        if frame.empty:
            grouped = pd.DataFrame({"athlete": pd.Series(dtype="string"),
                                    "week_start": pd.Series(dtype="datetime64[ns]"),
                                    **{name: pd.Series(dtype="float64") for name in aggs}})
        else:
            frame = frame.assign(week_start=week_of(frame["date"], day),
                                 athlete=frame["athlete"].astype("string"))
            grouped = frame.groupby(_KEYS, sort=False).agg(**aggs).reset_index()
        return keys.merge(grouped, on=_KEYS, how="left").set_axis(weekly.index)

    # -- strength: activities and log, per day the larger
    strength_acts = acts.loc[acts["sport"] == "strength_training"]
    act_s = _column(strength_acts, "moving_time_s").fillna(_column(strength_acts, "elapsed_time_s"))
    act_days = pd.DataFrame({"athlete": strength_acts["athlete"].astype("string"),
                             "date": strength_acts["date"],
                             "n": (act_s.isna() | (act_s >= min_session)).astype("int64"),
                             "t": act_s.fillna(0.0)})
    logged = log.loc[log["kind"].isin(list(strength_kinds))]
    log_days = pd.DataFrame({"athlete": logged["athlete"], "date": logged["date"],
                             "n": (logged["duration_s"].isna()
                                   | (logged["duration_s"] >= min_session)).astype("int64"),
                             "t": logged["duration_s"].fillna(0.0)})
    strength_days = _larger_per_day(act_days, log_days, ["n", "t"])
    strength = per_week(strength_days, n=("n", "sum"), t=("t", "sum"))
    strength_n = strength["n"].fillna(0).astype("int64")
    strength_t = strength["t"].fillna(0.0).astype("float64")

    # -- cross-training share and trail share
    run_t = weekly["moving_time_s"].astype(float).fillna(0.0)
    cross_t = weekly["cross_training_time_s"].astype(float).fillna(0.0)
    total = run_t + cross_t + strength_t
    cross_share = (cross_t / total.where(total > 0)).astype("float64")
    runs = acts.loc[acts["sport"].isin(list(RUNNING_SPORTS))]
    trail = per_week(
        pd.DataFrame({"athlete": runs["athlete"], "date": runs["date"],
                      "d": runs["distance_m"].astype(float),
                      "trail": runs["distance_m"].astype(float).where(runs["sport"] == "trail_running", 0.0)}),
        d=("d", "sum"), trail=("trail", "sum"))
    trail_share = (trail["trail"] / trail["d"].where(trail["d"] > 0)).astype("float64")

    # -- core and rehab sessions (log only: NA for athletes without a log)
    has_log = athletes.isin(logs_kept).to_numpy()
    core = _log_count(per_week, log, core_kinds, has_log)
    rehab = _log_count(per_week, log, ("rehab",), has_log)

    # -- episodes: weeks since pain, rehab completion of the latest episode
    since, completed = _after_pain(keys, weekly.index, eps, log, day, programme_weeks,
                                   min_rehab_sessions_per_week)

    # -- strides
    stride_n, stride_sets = _strides(per_week, athletes, strides, activities, log, tz, set_strides)

    # -- shoes
    shoe_runs = run_shoes(activities, habits=log if len(log) else None, tz=tz)
    shoes = per_week(shoe_runs.loc[shoe_runs["shoe"].notna()], pairs=("shoe", "nunique"))
    shoes_used = shoes["pairs"].astype("Int64")

    # -- sleep
    nights = _nights(sleep, log, athletes)
    slept = per_week(nights.assign(short=(nights["sleep_s"] < min_sleep).astype("int64")),
                     nights=("sleep_s", "size"), short=("short", "sum"), mean=("sleep_s", "mean"))
    sleep_nights = slept["nights"].fillna(0).astype("int64")
    short_nights = slept["short"].astype("Int64").where(sleep_nights > 0, pd.NA)

    out = weekly.assign(
        cross_training_share=cross_share,
        strength_time_s=strength_t,
        strength_sessions_counted=strength_n,
        core_sessions=core,
        rehab_sessions=rehab,
        weeks_since_pain=since,
        rehab_completed=completed,
        strides=stride_n,
        stride_sets=stride_sets,
        shoes_used=shoes_used,
        sleep_nights=sleep_nights,
        short_sleep_nights=short_nights,
        mean_sleep_s=slept["mean"].astype("float64"),
        trail_share=trail_share,
    )
    out = out.assign(
        flag_no_cross_training=rules.no_cross_training(out, min_share=min_cross_training_share),
        flag_low_strength=rules.low_strength(out, min_sessions=min_strength_sessions),
        flag_no_core_after_pain=rules.no_core_after_pain(out, min_sessions=min_core_sessions),
        flag_rehab_incomplete=rules.rehab_incomplete(out),
        flag_no_strides=rules.no_strides(out, min_sets=min_stride_sets),
        flag_no_shoe_rotation=rules.no_shoe_rotation(out, min_runs=min_runs_for_rotation),
        flag_short_sleep=rules.short_sleep(out, min_sleep_s=min_sleep, min_nights=min_sleep_nights),
        flag_no_trail=rules.no_trail(out, min_share=min_trail_share),
    )
    for name, (dtype, _) in HABITS_WEEKLY.items():
        out[name] = out[name].astype(dtype)
    out.attrs = dict(weekly.attrs)
    out.attrs["habit_parameters"] = {
        "min_cross_training_share": float(min_cross_training_share),
        "min_strength_sessions": int(min_strength_sessions),
        "min_strength_session_s": min_session,
        "strength_kinds": list(strength_kinds),
        "min_core_sessions": int(min_core_sessions),
        "core_kinds": list(core_kinds),
        "programme_weeks": int(programme_weeks),
        "min_rehab_sessions_per_week": int(min_rehab_sessions_per_week),
        "min_stride_sets": int(min_stride_sets),
        "logged_set_strides": set_strides,
        "min_runs_for_rotation": int(min_runs_for_rotation),
        "min_sleep_s": min_sleep,
        "min_sleep_nights": int(min_sleep_nights),
        "min_trail_share": float(min_trail_share),
    }
    return out


# ---------------------------------------------------------------- inputs


def _check_kinds(kinds, name: str) -> None:
    kinds = [kinds] if isinstance(kinds, str) else list(kinds)
    unknown = [k for k in kinds if k not in KINDS]
    if unknown or not kinds:
        raise ParameterError(f"{name} must be log kinds among {', '.join(KINDS)}, got {kinds!r}")


def _habits(habits, athletes: pd.Series) -> pd.DataFrame:
    if habits is None:
        log = pd.DataFrame({n: pd.Series(dtype=d) for n, (d, _) in HABITS_LOG.items()})
    elif isinstance(habits, (str, os.PathLike)):
        log = read_habits_log(habits)
    elif isinstance(habits, pd.DataFrame):
        lacking = [c for c in ("date", "kind") if c not in habits.columns]
        if lacking:
            raise ParameterError("habits must come from runload.read_habits_log "
                                 f"(missing {', '.join(lacking)})")
        log = habits if "duration_s" in habits.columns else read_habits_log(habits)
    else:
        raise ParameterError(f"habits must be a path or a DataFrame, got {type(habits).__name__}")
    for name, (dtype, _) in HABITS_LOG.items():
        if name not in log.columns:
            log = log.assign(**{name: pd.Series(pd.NA if dtype == "string" else np.nan,
                                                index=log.index).astype(dtype)})
    log = match_athletes(log, athletes, "habits log", "habits-log row(s)", stacklevel=3)
    return log.assign(date=pd.to_datetime(log["date"]).astype("datetime64[ns]"))


def _episodes(episodes, athletes: pd.Series) -> pd.DataFrame | None:
    if episodes is None:
        return None
    if isinstance(episodes, (str, os.PathLike)):
        from ..pain import read_pain_log

        episodes = read_pain_log(episodes)
    if not isinstance(episodes, pd.DataFrame) or "onset" not in episodes.columns:
        raise ParameterError("episodes must be a DataFrame from runload.read_pain_log, or a path")
    return match_athletes(episodes, athletes, "pain log", "pain episode(s)", stacklevel=3)


def _nights(sleep, log: pd.DataFrame, athletes: pd.Series) -> pd.DataFrame:
    logged = log.loc[log["kind"] == "sleep"]
    frames = [pd.DataFrame({"athlete": logged["athlete"], "date": logged["date"],
                            "sleep_s": logged["duration_s"].astype(float)})]
    if sleep is not None:
        if isinstance(sleep, (str, os.PathLike)):
            sleep = read_garmin_sleep(sleep)
        if not isinstance(sleep, pd.DataFrame) or not {"date", "sleep_s"} <= set(sleep.columns):
            raise ParameterError("sleep must be runload.habits.read_garmin_sleep's nights or a path")
        sleep = match_athletes(sleep, athletes, "sleep data", "night(s) of sleep data",
                               alike="give read_garmin_sleep athlete={athlete!r}, or read "
                                     "the activities with athlete={name!r}, to name them alike",
                               stacklevel=3)
        frames.append(sleep[["athlete", "date", "sleep_s"]])
    nights = pd.concat([f.astype({"athlete": "string", "sleep_s": "float64"}) for f in frames],
                       ignore_index=True)
    nights = nights.assign(date=pd.to_datetime(nights["date"]).astype("datetime64[ns]"))
    nights = nights.loc[nights["sleep_s"].notna()]
    return nights.drop_duplicates(subset=["athlete", "date"], keep="first")



# ---------------------------------------------------------------- pieces


def _column(frame: pd.DataFrame, name: str) -> pd.Series:
    """A float column of ``frame``, NaN when it has none."""
    if name not in frame.columns:
        return pd.Series(np.nan, index=frame.index, dtype="float64")
    return pd.to_numeric(frame[name], errors="coerce").astype("float64")


def _larger_per_day(a: pd.DataFrame, b: pd.DataFrame, values: list[str]) -> pd.DataFrame:
    """Per (athlete, date) the larger daily sum of each value column of ``a`` and ``b``."""
    sums = [f.astype({"athlete": "string"}).groupby(["athlete", "date"], sort=False)[values].sum()
            for f in (a, b) if len(f)]
    if not sums:
        return pd.DataFrame(columns=["athlete", "date", *values])
    both = pd.concat(sums, axis=1, keys=range(len(sums))).fillna(0)
    larger = pd.concat({v: both.xs(v, axis=1, level=1).max(axis=1) for v in values}, axis=1)
    return larger.reset_index()


def _log_count(per_week, log, kinds, has_log) -> pd.Series:
    rows = log.loc[log["kind"].isin(list(kinds))]
    counts = per_week(rows.assign(one=1), n=("one", "sum"))["n"].fillna(0).astype("Int64")
    return counts.where(has_log, pd.NA)


def _after_pain(keys, index, eps, log, day, programme_weeks, per_week):
    since = pd.Series(pd.NA, index=index, dtype="Int64")
    completed = pd.Series(pd.NA, index=index, dtype="boolean")
    if eps is None or eps.empty:
        return since, completed
    adherence = rehab_adherence(eps, log if len(log) else None, programme_weeks=programme_weeks,
                                min_sessions_per_week=per_week)
    adherence = adherence.assign(onset_week=week_of(adherence["onset"], day))
    left = keys.assign(_row=np.arange(len(keys))).sort_values("week_start", kind="stable")
    right = adherence[["athlete", "onset_week", "programme_end", "completed"]].sort_values(
        "onset_week", kind="stable").astype({"athlete": "string"})
    matched = pd.merge_asof(left, right, left_on="week_start", right_on="onset_week",
                            by="athlete", direction="backward").sort_values("_row")
    weeks = ((matched["week_start"] - matched["onset_week"]).dt.days // 7).astype("Int64")
    since = pd.Series(weeks.to_numpy(), index=index, dtype="Int64")
    during = (matched["week_start"] < matched["programme_end"]).to_numpy()
    done = matched["completed"].astype("boolean").to_numpy()
    completed = pd.Series(done, index=index, dtype="boolean").mask(during, pd.NA)
    return since, completed


def _strides(per_week, athletes, strides, activities, log, tz, set_strides):
    if isinstance(strides, str):
        if strides != "detect":
            raise ParameterError(f"strides must be a DataFrame, 'detect' or None, got {strides!r}")
        strides = activity_strides(activities)
    detected = pd.DataFrame(columns=["athlete", "date", "sets", "n", "known"])
    if strides is not None:
        if not isinstance(strides, pd.DataFrame) or not {"stride_sets", "strides"} <= set(strides.columns):
            raise ParameterError("strides must come from runload.habits.activity_strides")
        if len(strides):
            detected = pd.DataFrame({
                "athlete": strides["athlete"].astype("string"),
                "date": local_dates(strides, tz),
                "sets": strides["stride_sets"].astype("Float64").fillna(0).astype("int64"),
                "n": strides["strides"].astype("Float64").fillna(0).astype("int64"),
                "known": strides["stride_sets"].notna().astype("int64"),
            })
    rows = log.loc[log["kind"] == "strides"]
    reps = pd.to_numeric(rows["value"].astype("string").fillna(""), errors="coerce")
    logged = pd.DataFrame({"athlete": rows["athlete"], "date": rows["date"], "sets": 1,
                           "n": reps.fillna(set_strides).astype("int64"), "known": 1})
    days = _larger_per_day(detected, logged, ["sets", "n", "known"])
    week = per_week(days, sets=("sets", "sum"), n=("n", "sum"), known=("known", "sum"))
    logs_strides = athletes.isin(list(rows["athlete"].dropna().unique())).to_numpy(dtype=bool)
    known = (week["known"].fillna(0) > 0).to_numpy(dtype=bool) | logs_strides
    n = week["n"].fillna(0).astype("Int64").where(known, pd.NA)
    sets = week["sets"].fillna(0).astype("Int64").where(known, pd.NA)
    return n, sets


"""From activities to daily and weekly load, with the running rules as flags.

* :func:`weekly_load` — the ``weekly`` table of DESIGN.md: one row per athlete and
  local week (weeks without running included), the week's reference, change and
  Nielsen progression, recovery weeks, build streaks, and one boolean column per rule.
* :func:`daily_load` — one row per athlete and local day, zeros included (ACWR,
  monotony, the pain analysis and the habits layer build on it).
* :func:`session_spikes` — one row per run: how much longer it was than the longest
  run of the previous 30 days (Frandsen et al. 2025).

Only running counts as mileage (``runload.columns.RUNNING_SPORTS``, including the run
legs of multisport files, which are rows of their own); other sports add to
``cross_training_time_s``; ``strength_training`` is counted in ``strength_sessions``.
Rows with ``duplicate_of`` set never count. Everything is in metres and seconds.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from . import flags
from .acwr import daily_acwr, ewma_lambda, weekly_monotony
from .columns import ACTIVITIES, DAILY, RUNNING_SPORTS, SPIKES, WEEKLY, conform, empty
from .errors import ParameterError, RunloadWarning
from .io.timecheck import latest_start
from .localtime import WEEKDAYS, check_tz, local_time, parse_as_of, week_start_day

__all__ = ["weekly_load", "daily_load", "session_spikes", "DAILY", "SPIKES"]



_STRENGTH = "strength_training"
_USED = {
    name: ACTIVITIES[name]
    for name in (
        "athlete", "activity_id", "sport", "start_time", "utc_offset_s", "elapsed_time_s",
        "moving_time_s", "distance_m", "duplicate_of",
    )
}
_ACWR_COLUMNS = {"rolling": "acwr_rolling", "uncoupled": "acwr_uncoupled", "ewma": "acwr_ewma"}


# ---------------------------------------------------------------- preparation


def _prepare(activities: pd.DataFrame, *, tz, as_of) -> tuple[pd.DataFrame, pd.Series]:
    """Counted activities with local times, and the local end of data per athlete.

    Returns the kept rows (duplicates, rows without a start time, rows after ``as_of``
    and rows starting more than a day after now dropped) with ``local_time``, ``date`` and ``kind`` (run | strength |
    cross), and a Series athlete -> end (a tz-naive local instant, exclusive).
    """
    if not isinstance(activities, pd.DataFrame):
        raise ParameterError(f"activities must be a DataFrame, got {type(activities).__name__}")
    missing = {"athlete", "start_time", "sport", "distance_m"} - set(activities.columns)
    if missing:
        raise ParameterError(
            f"activities lacks column(s) {', '.join(sorted(missing))} (see runload.columns.ACTIVITIES)"
        )
    tz = check_tz(_tz_of(activities, tz))
    end = parse_as_of(as_of, tz=tz)
    acts = conform(activities, _USED, extra=False)
    acts = acts[acts["duplicate_of"].isna() & acts["athlete"].notna()]
    # one order whatever the input order, so sums are bit-for-bit reproducible
    acts = acts.sort_values(["athlete", "start_time", "activity_id"], kind="stable")
    no_time = acts["start_time"].isna()
    if no_time.any():
        warnings.warn(
            f"{int(no_time.sum())} activities without a start time are left out of the load",
            RunloadWarning,
            stacklevel=3,
        )
        acts = acts[~no_time]
    local = local_time(acts, tz=tz)
    local = local.astype("datetime64[ns]")
    acts = acts.assign(local_time=local, date=local.dt.normalize())
    if end is not None:
        acts = acts[acts["local_time"] < end]
    # a start more than a day after now is a clock fault (the readers report it as
    # bad_time): it would stretch the tables to a future week
    future = acts["start_time"] > latest_start()
    if future.any():
        warnings.warn(
            f"{int(future.sum())} activities starting more than a day after now (an "
            "impossible start, reported as bad_time) are left out of the load",
            RunloadWarning,
            stacklevel=3,
        )
        acts = acts[~future]
    sport = acts["sport"].fillna("other")
    kind = np.where(
        sport.isin(RUNNING_SPORTS), "run", np.where(sport == _STRENGTH, "strength", "cross")
    )
    acts = acts.assign(kind=kind)
    if end is None:
        ends = acts.groupby("athlete", sort=True)["date"].max() + pd.Timedelta(days=1)
    else:
        ends = pd.Series(end, index=pd.Index(sorted(acts["athlete"].unique()), name="athlete"))
    return acts, ends


def _tz_of(activities: pd.DataFrame, tz):
    """``tz``, else the zone :func:`runload.read_activities` stored in ``attrs['tz']``."""
    return getattr(activities, "attrs", {}).get("tz") if tz is None else tz


def _spans(first: pd.Series, last: pd.Series, step_days: int) -> pd.DataFrame:
    """Every date from ``first`` to ``last`` (per athlete, inclusive) in steps of days."""
    n = ((last - first).dt.days // step_days + 1).clip(lower=0).to_numpy()
    athlete = np.repeat(first.index.to_numpy(dtype=object), n)
    offset = np.arange(int(n.sum())) - np.repeat(np.cumsum(n) - n, n)
    start = np.repeat(first.to_numpy(), n) + pd.to_timedelta(offset * step_days, unit="D")
    key = pd.Series(start, dtype="datetime64[ns]")
    return pd.DataFrame({"athlete": pd.array(athlete, dtype="string"), "key": key})


def _totals(acts: pd.DataFrame, key: pd.Series) -> pd.DataFrame:
    """Per (athlete, key): the DAILY/WEEKLY sums."""
    run = acts["kind"] == "run"
    moving = acts["moving_time_s"].fillna(acts["elapsed_time_s"])
    frame = pd.DataFrame(
        {
            "athlete": acts["athlete"],
            "key": key,
            "distance_m": acts["distance_m"].where(run),
            "runs": run.astype("int64"),
            "longest_run_m": acts["distance_m"].where(run),
            "moving_time_s": moving.where(run),
            "cross_training_time_s": moving.where(acts["kind"] == "cross"),
            "strength_sessions": (acts["kind"] == "strength").astype("int64"),
        }
    )
    return frame.groupby(["athlete", "key"], sort=True).agg(
        distance_m=("distance_m", "sum"),
        runs=("runs", "sum"),
        longest_run_m=("longest_run_m", "max"),
        moving_time_s=("moving_time_s", "sum"),
        cross_training_time_s=("cross_training_time_s", "sum"),
        strength_sessions=("strength_sessions", "sum"),
    )


def _fill(spans: pd.DataFrame, totals: pd.DataFrame) -> pd.DataFrame:
    """Spans joined with totals; a key without activities gets zeros."""
    out = spans.merge(totals.reset_index(), on=["athlete", "key"], how="left")
    zero = ["distance_m", "runs", "moving_time_s", "cross_training_time_s", "strength_sessions"]
    out[zero] = out[zero].fillna(0)
    return out


def _plain_tz(tz):
    return tz if tz is None or isinstance(tz, str) else {str(k): v for k, v in dict(tz).items()}


def _check_windows(acute_days, chronic_days) -> tuple[int, int]:
    for name, value in (("acute_days", acute_days), ("chronic_days", chronic_days)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ParameterError(f"{name} must be a whole number of days >= 1, got {value!r}")
    if chronic_days <= acute_days:
        raise ParameterError("chronic_days must be longer than acute_days")
    return int(acute_days), int(chronic_days)


def _week_of(date: pd.Series, first_day: int) -> pd.Series:
    return date - pd.to_timedelta((date.dt.day_of_week - first_day) % 7, unit="D")


def _last_day(ends: pd.Series) -> pd.Series:
    return (ends - pd.Timedelta(1, unit="ns")).dt.normalize()


def _daily(acts: pd.DataFrame, ends: pd.Series) -> pd.DataFrame:
    totals = _totals(acts, acts["date"])
    first = acts.groupby("athlete", sort=True)["date"].min()
    last = _last_day(ends).reindex(first.index)
    daily = _fill(_spans(first, last, 1), totals).rename(columns={"key": "date"})
    return conform(daily, DAILY, extra=False)


# ---------------------------------------------------------------- public API


def daily_load(activities: pd.DataFrame, *, tz=None, as_of=None) -> pd.DataFrame:
    """Running load per athlete and local day, days without activity included.

    Parameters
    ----------
    activities : DataFrame
        The ``activities`` table (:data:`runload.columns.ACTIVITIES`); rows without a
        start time, or starting more than a day after now, are left out with a
        :class:`~runload.errors.RunloadWarning`.
    tz : str, mapping or None, keyword-only
        IANA time zone for activities without ``utc_offset_s`` (one name, or
        athlete -> name); default ``None``: ``activities.attrs["tz"]`` when present,
        else UTC with a warning.
    as_of : date, timestamp or None
        End of the data (local). Default: the end of the day of each athlete's latest
        activity. Activities starting after ``as_of`` are left out; days up to it are
        rows.

    Returns
    -------
    DataFrame
        Columns of :data:`DAILY`: ``athlete``, ``date`` (local day), ``distance_m``,
        ``runs``, ``longest_run_m`` (NaN without a run), ``moving_time_s``,
        ``cross_training_time_s``, ``strength_sessions``; one row per day from the
        athlete's first activity to ``as_of``, sorted by athlete and date.
    """
    acts, ends = _prepare(activities, tz=tz, as_of=as_of)
    if acts.empty:
        return empty(DAILY)
    return _daily(acts, ends)


def session_spikes(
    activities: pd.DataFrame,
    *,
    tz=None,
    as_of=None,
    spike: float = 0.10,
    window_days: float = 30,
) -> pd.DataFrame:
    """Each run compared with the longest run of the ``window_days`` before it.

    Parameters
    ----------
    activities : DataFrame
        The ``activities`` table.
    tz, as_of
        As for :func:`daily_load`.
    spike : float, default 0.10
        A run spikes when longer than (1 + ``spike``) × the longest earlier run.
    window_days : float, default 30
        Window, days of 24 h, before each run's start (the run itself and runs starting
        at the same instant excluded).

    Returns
    -------
    DataFrame
        Columns of :data:`SPIKES`, one row per run (non-duplicate running activity),
        sorted by athlete and start time: ``longest_prior_m`` (NaN when no run with a
        distance started in the window), ``spike_pct``, ``spike_category``
        (``"<=10%"``, ``"10-30%"``, ``"30-100%"``, ``">100%"``), ``hazard_ratio`` (the
        cohort's hazard ratio for the category) and ``spike`` (bool).

    Notes
    -----
    In Frandsen et al.'s (2025) cohort of about 5 200 runners, relative to runs at most
    10% longer than the 30-day longest run, the hazard of a running-related injury was
    1.64 for 10–30% longer runs, 1.52 for 30–100% and 2.28 for > 100%. The hazard ratios are
    population averages from an observational cohort, not a personal risk.
    Strength of evidence: large prospective cohort — an association.

    References
    ----------
    .. [1] Frandsen JSB et al. (2025) Br J Sports Med 59:1203.
    """
    s = flags._check_fraction("spike", spike)
    days = float(window_days)
    if not np.isfinite(days) or days <= 0:
        raise ParameterError(f"window_days must be > 0, got {window_days!r}")
    acts, _ = _prepare(activities, tz=tz, as_of=as_of)
    return _spikes(acts, s, days)


def _spikes(acts: pd.DataFrame, spike: float, days: float) -> pd.DataFrame:
    runs = acts[acts["kind"] == "run"].sort_values(
        ["athlete", "start_time", "activity_id"], kind="stable"
    )
    if runs.empty:
        return empty(SPIKES)
    distance = runs["distance_m"].where(runs["distance_m"] > 0)
    window = pd.DataFrame({"athlete": runs["athlete"], "t": runs["start_time"], "d": distance})
    prior = (
        window.groupby("athlete", sort=False)
        .rolling(pd.Timedelta(days=days), on="t", closed="left")["d"]
        .max()
    )
    longest = pd.Series(prior.to_numpy(), index=runs.index)
    pct = 100.0 * (distance - longest) / longest
    category = flags.spike_category(pct)
    hazard = category.map(flags.SPIKE_HAZARD_RATIOS).astype(float)
    out = pd.DataFrame(
        {
            "athlete": runs["athlete"],
            "activity_id": runs["activity_id"],
            "start_time": runs["start_time"],
            "local_time": runs["local_time"],
            "sport": runs["sport"],
            "distance_m": runs["distance_m"],
            "longest_prior_m": longest,
            "spike_pct": pct,
            "spike_category": category,
            "hazard_ratio": hazard,
            "spike": flags._gt(pct, 100.0 * spike).fillna(False),
        }
    )
    return conform(out, SPIKES, extra=False).reset_index(drop=True)


def weekly_load(
    activities: pd.DataFrame,
    *,
    week_start: str = "monday",
    tz=None,
    as_of=None,
    max_increase: float = 0.10,
    recovery_drop: float = 0.20,
    min_base_m: float = 10_000,
    max_build_weeks: int = 4,
    break_weeks: int = 2,
    spike: float = 0.10,
    spike_window_days: float = 30,
    acwr_threshold: float = 1.5,
    acwr_method: str = "rolling",
    ewma: str = "williams",
    acute_days: int = 7,
    chronic_days: int = 28,
    monotony_ddof: int = 1,
) -> pd.DataFrame:
    """Weekly running load with the running rules as flags.

    Parameters
    ----------
    activities : DataFrame
        The ``activities`` table (:data:`runload.columns.ACTIVITIES`); rows with
        ``duplicate_of`` set are ignored; rows without a start time, or starting more
        than a day after now (a clock fault), are left out with a
        :class:`~runload.errors.RunloadWarning`.
    week_start : str, default 'monday'
        First day of the local week (``'sunday'`` for Sunday–Saturday weeks).
    tz : str, mapping or None
        IANA time zone for activities whose file gives no ``utc_offset_s`` (one name,
        or athlete -> name). Default ``None``: ``activities.attrs["tz"]`` when
        :func:`runload.read_activities` stored one, else such activities are binned in
        UTC, with a :class:`~runload.errors.RunloadWarning`.
    as_of : date, timestamp or None
        Local end of the data. Default: the end of the day of each athlete's latest
        activity. A week ending after ``as_of`` is incomplete; activities after it are
        ignored; weeks up to it are rows.
    max_increase : float, default 0.10
        10% rule: allowed rise over the reference (:func:`runload.flags.ramp`).
    recovery_drop : float, default 0.20
        Drop that makes a recovery week (:func:`runload.flags.recovery_week`).
    min_base_m : float, default 10 000
        Reference-week minimum, m: the 10% and recovery rules judge a week only when its
        reference is ≥ this, and a shorter week is a low week.
    max_build_weeks : int, default 4
        Longest build streak before ``flag_missing_recovery``.
    break_weeks : int, default 2
        Low weeks in a row that make a break: the first week back at or above
        ``min_base_m`` after them is a return from a break (``return_from_break``),
        which the 10% rule cannot judge.
    spike : float, default 0.10
        Session spike threshold (:func:`session_spikes`).
    spike_window_days : float, default 30
        Session spike window, days.
    acwr_threshold : float, default 1.5
        ``flag_acwr`` when the chosen ACWR at the end of the week is above it.
    acwr_method : {'rolling', 'uncoupled', 'ewma'}, default 'rolling'
        Which ACWR ``flag_acwr`` judges (all three are columns).
    ewma : {'williams', 'simple', 'banister'}, default 'williams'
        EWMA smoothing (:func:`runload.acwr.ewma_lambda`).
    acute_days : int, default 7
        Acute window of the ACWR: the recent load, the numerator of the ratio, days.
    chronic_days : int, default 28
        Chronic window of the ACWR: the longer base load, the denominator, days.
    monotony_ddof : int, default 1
        SD convention of Foster's monotony (:func:`runload.acwr.weekly_monotony`).

    Returns
    -------
    DataFrame
        The columns of :data:`runload.columns.WEEKLY` in order, one row per athlete and
        local week from the week of the first activity to the week of ``as_of``
        (weeks without running have distance 0), sorted by athlete and ``week_start``.
        ``weekly.attrs["parameters"]`` holds the parameters used (a plain dict).

    Notes
    -----
    The rules (DESIGN.md, "The weekly rules, precisely"; ``docs/load_rules.md``):

    * ``complete`` is False for an athlete's first week and for a week ending after
      ``as_of``; such weeks show their distance but raise no flag, are no recovery or
      low week, and the first is no reference (week 2 has none either).
    * ``reference_m``: the previous week's distance, except after ONE recovery week,
      when it is the reference of that recovery week (the last build week);
      ``change_pct`` = 100 × (distance − reference) / reference.
    * ``recovery_week``: reference ≥ ``min_base_m`` and distance ≤ (1 −
      ``recovery_drop``) × reference.
    * ``flag_ramp``: reference ≥ ``min_base_m`` and distance > (1 + ``max_increase``) ×
      reference — a heuristic that a randomised trial found not protective (Buist et al.
      2008); ``return_from_break`` marks the first normal week after ``break_weeks`` low
      weeks.
    * ``build_streak`` counts complete build weeks; a recovery or low week resets it.
      ``flag_missing_recovery``: streak > ``max_build_weeks``.
    * ``flag_session_spike``: a run of the week longer than (1 + ``spike``) × the longest
      run of the previous 30 days (Frandsen et al. 2025, large cohort).
    * ``acwr_*``: value on the week's last day (the last day of data for an incomplete
      week); ``flag_acwr`` needs ``chronic_days`` days of history (contested metric).
    * ``monotony``, ``strain``: Foster (1998) over the 7 days, missing days as 0.

    :data:`runload.flags.EVIDENCE` gives a short evidence label per flag.

    Examples
    --------
    >>> weekly = weekly_load(activities, tz="Europe/Oslo")        # doctest: +SKIP
    >>> weekly.loc[weekly.flag_ramp, ["week_start", "distance_m"]]  # doctest: +SKIP
    """
    first_day = week_start_day(week_start)
    if acwr_method not in _ACWR_COLUMNS:
        raise ParameterError(
            f"acwr_method must be one of {sorted(_ACWR_COLUMNS)}, got {acwr_method!r}"
        )
    # the windows first: ewma_lambda checks its argument as plain "days"
    acute_n, chronic_n = _check_windows(acute_days, chronic_days)
    ewma_lambda(acute_n, ewma)  # validates the smoothing name
    for name, value in (
        ("max_increase", max_increase),
        ("min_base_m", min_base_m),
        ("spike", spike),
        ("acwr_threshold", acwr_threshold),
    ):
        flags._check_fraction(name, value)
    flags._check_fraction("recovery_drop", recovery_drop, upper=1.0)
    flags._check_int("max_build_weeks", max_build_weeks)
    flags._check_int("break_weeks", break_weeks)
    if isinstance(monotony_ddof, bool) or monotony_ddof not in (0, 1):
        raise ParameterError(f"monotony_ddof must be 0 or 1, got {monotony_ddof!r}")
    window = float(spike_window_days)
    if not np.isfinite(window) or window <= 0:
        raise ParameterError(f"spike_window_days must be > 0, got {spike_window_days!r}")
    parameters = {
        "week_start": WEEKDAYS[first_day],
        "tz": _plain_tz(_tz_of(activities, tz)),
        "as_of": None if as_of is None else str(as_of),
        "max_increase": float(max_increase),
        "recovery_drop": float(recovery_drop),
        "min_base_m": float(min_base_m),
        "max_build_weeks": int(max_build_weeks),
        "break_weeks": int(break_weeks),
        "spike": float(spike),
        "spike_window_days": window,
        "acwr_threshold": float(acwr_threshold),
        "acwr_method": acwr_method,
        "ewma": ewma,
        "acute_days": acute_n,
        "chronic_days": chronic_n,
        "monotony_ddof": int(monotony_ddof),
    }

    acts, ends = _prepare(activities, tz=tz, as_of=as_of)
    if acts.empty:
        weekly = empty(WEEKLY)
        weekly.attrs["parameters"] = parameters
        return weekly

    # -- weekly sums over every week from the first activity to the end of data
    first = _week_of(acts.groupby("athlete", sort=True)["date"].min(), first_day)
    last = _week_of(_last_day(ends).reindex(first.index), first_day)
    totals = _totals(acts, _week_of(acts["date"], first_day))
    weekly = _fill(_spans(first, last, 7), totals).rename(columns={"key": "week_start"})
    position = weekly.groupby("athlete", sort=False).cumcount()
    week_end = weekly["week_start"] + pd.Timedelta(days=7)
    weekly["complete"] = (position > 0) & (week_end <= weekly["athlete"].map(ends).astype(week_end.dtype))

    # -- the week-to-week rules
    weekly["low_week"] = flags.low_week(weekly, min_base_m=min_base_m)
    weekly["reference_m"] = flags.reference_distance(
        weekly, recovery_drop=recovery_drop, min_base_m=min_base_m
    )
    weekly["change_pct"] = flags.change_pct(weekly)
    weekly["progression"] = flags.progression(weekly, min_base_m=min_base_m)
    weekly["recovery_week"] = flags.recovery_week(
        weekly, recovery_drop=recovery_drop, min_base_m=min_base_m
    )
    weekly["return_from_break"] = flags.return_from_break(
        weekly, min_base_m=min_base_m, break_weeks=break_weeks
    )
    weekly["build_streak"] = flags.build_streak(weekly)

    # -- session spikes
    spikes = _spikes(acts, float(spike), window)
    if spikes.empty:
        weekly["max_spike_pct"] = np.nan
    else:
        spike_week = _week_of(spikes["local_time"].dt.normalize(), first_day)
        worst = spikes.groupby([spikes["athlete"], spike_week.rename("week_start")])[
            "spike_pct"
        ].max()
        weekly = weekly.merge(
            worst.rename("max_spike_pct").reset_index(), on=["athlete", "week_start"], how="left"
        )

    # -- ACWR (value on the week's last day of data), monotony and strain
    daily = _daily(acts, ends)
    ratios = daily_acwr(daily, acute_days=acute_n, chronic_days=chronic_n, ewma=ewma)
    day_of_week = pd.DataFrame(
        {
            "athlete": weekly["athlete"],
            "week_start": weekly["week_start"],
            "date": np.minimum(
                weekly["week_start"] + pd.Timedelta(days=6),
                weekly["athlete"].map(_last_day(ends)).astype(weekly["week_start"].dtype),
            ),
        }
    )
    at_end = day_of_week.merge(
        ratios[["athlete", "date", "acwr_rolling", "acwr_uncoupled", "acwr_ewma"]],
        on=["athlete", "date"],
        how="left",
    ).drop(columns="date")
    weekly = weekly.merge(at_end, on=["athlete", "week_start"], how="left")
    mono = weekly_monotony(daily, week_start=first_day, ddof=monotony_ddof)
    weekly = weekly.merge(mono, on=["athlete", "week_start"], how="left")

    # -- flags
    weekly["flag_ramp"] = flags.ramp(weekly, max_increase=max_increase, min_base_m=min_base_m)
    weekly["flag_missing_recovery"] = flags.missing_recovery(
        weekly, max_build_weeks=max_build_weeks
    )
    weekly["flag_session_spike"] = flags.session_spike(weekly, spike=spike)
    weekly["flag_acwr"] = flags.acwr_high(
        weekly, threshold=acwr_threshold, column=_ACWR_COLUMNS[acwr_method]
    )

    weekly = conform(weekly, WEEKLY, extra=False)
    weekly = weekly.sort_values(["athlete", "week_start"], kind="stable").reset_index(drop=True)
    weekly.attrs["parameters"] = parameters
    return weekly

"""The running rules as flags: one short function per rule.

Every function takes a ``weekly`` frame (one row per athlete and consecutive local
week, as :func:`runload.load.weekly_load` builds it; any row order) and returns a
Series on the same index — boolean for the flags — with every threshold a keyword
default. The rules, their defaults and worked example are those of DESIGN.md
("The weekly rules, precisely") and ``docs/load_rules.md``.

Incomplete weeks (``complete`` False: an athlete's first week and a week the data
has not finished) never raise a flag, are never a recovery or low week and never
reset a build streak.

How much each rule is worth is in :data:`EVIDENCE`; show it next to the flag.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .errors import ParameterError

__all__ = [
    "EVIDENCE",
    "PROGRESSION_CATEGORIES",
    "SPIKE_CATEGORIES",
    "SPIKE_HAZARD_RATIOS",
    "low_week",
    "reference_distance",
    "recovery_week",
    "change_pct",
    "progression",
    "ramp",
    "return_from_break",
    "build_streak",
    "missing_recovery",
    "session_spike",
    "spike_category",
    "acwr_high",
]

#: Short evidence label of each flag; show it wherever the flag is shown.
EVIDENCE: dict[str, str] = {
    "flag_ramp": "heuristic; RCT found no protection (Buist 2008)",
    "recovery_week": "coaching advice; no trial of recovery weeks",
    "flag_missing_recovery": "coaching advice (3-4 build weeks then recover); untested",
    "return_from_break": "descriptive; no threshold tested",
    "progression": "cohort: >30%/week linked to some injuries (Nielsen 2014)",
    "flag_session_spike": "large cohort: HR 1.52-2.28 for >10% spikes (Frandsen 2025)",
    "flag_acwr": "contested: ratio artefacts (Lolli 2019, Impellizzeri 2020)",
    "monotony": "descriptive (Foster 1998); weak evidence for injury",
}

#: Nielsen et al. (2014) weekly progression categories, in order.
PROGRESSION_CATEGORIES = ("<10%", "10-30%", ">30%")

#: Frandsen et al. (2025) single-session spike categories, in order.
SPIKE_CATEGORIES = ("<=10%", "10-30%", "30-100%", ">100%")

#: Frandsen et al. (2025) hazard ratios of running-related injury vs a spike <= 10%.
SPIKE_HAZARD_RATIOS = {"<=10%": 1.0, "10-30%": 1.64, "30-100%": 1.52, ">100%": 2.28}

# Relative tolerance of threshold comparisons, so that "exactly +10%" computed in
# floating point (20 km -> 22 km) is not a ramp.
_RTOL = 1e-9


def _gt(a, b):
    """a > b beyond rounding."""
    return a > b + _RTOL * np.abs(b)


def _le(a, b):
    """a <= b up to rounding."""
    return a <= b + _RTOL * np.abs(b)


def _order(weekly: pd.DataFrame) -> pd.DataFrame:
    """``weekly`` sorted by athlete and week (a sorted view; the input is untouched)."""
    if not weekly.index.is_unique:
        raise ParameterError("the weekly frame must have a unique index")
    return weekly.sort_values(["athlete", "week_start"], kind="stable")


def _prev(sorted_weekly: pd.DataFrame, column, periods: int = 1):
    """The value ``periods`` weeks earlier for the same athlete (NaN/None before the start)."""
    return sorted_weekly.groupby("athlete", sort=False)[column].shift(periods)


def _check_fraction(name: str, value, *, upper: float | None = None) -> float:
    try:
        value = float(value)
    except (TypeError, ValueError) as exc:
        raise ParameterError(f"{name} must be a number, got {value!r}") from exc
    if not np.isfinite(value) or value < 0 or (upper is not None and value >= upper):
        bound = f"in [0, {upper})" if upper is not None else ">= 0"
        raise ParameterError(f"{name} must be {bound}, got {value!r}")
    return value


def low_week(weekly: pd.DataFrame, *, min_base_m: float = 10_000) -> pd.Series:
    """Complete weeks whose running distance is below ``min_base_m``.

    Parameters
    ----------
    weekly : DataFrame
        With ``distance_m`` (m) and ``complete``.
    min_base_m : float, default 10 000
        Smallest weekly distance, m, that counts as a training base.

    Returns
    -------
    Series of bool
        ``low_t`` = complete and *d_t* < ``min_base_m``.

    Notes
    -----
    A low week resets the build streak, and a week after ``break_weeks`` low weeks is a
    return from a break. The 10 km base is runload's convention (no study behind it):
    percentages of a tiny base are meaningless.
    """
    base = _check_fraction("min_base_m", min_base_m)
    return (weekly["complete"].astype(bool) & (weekly["distance_m"] < base)).rename("low_week")


def _recovery_rule(distance, reference, complete, recovery_drop, min_base_m):
    """recovery_t = complete and reference >= base and d <= (1 - drop) x reference."""
    with np.errstate(invalid="ignore"):
        return (
            complete
            & (reference >= min_base_m)
            & _le(distance, (1.0 - recovery_drop) * reference)
        )


def reference_distance(
    weekly: pd.DataFrame, *, recovery_drop: float = 0.20, min_base_m: float = 10_000
) -> pd.Series:
    """The distance, m, each week is compared with.

    Parameters
    ----------
    weekly : DataFrame
        With ``athlete``, ``week_start``, ``distance_m`` and ``complete``; consecutive
        weeks per athlete.
    recovery_drop : float, default 0.20
        A week at most (1 − ``recovery_drop``) × its reference is a recovery week.
    min_base_m : float, default 10 000
        Smallest reference, m, for a recovery week.

    Returns
    -------
    Series of float
        ``reference_t`` = ``reference_{t−1}`` when week *t − 1* was a recovery week and
        week *t − 2* was not; otherwise *d_{t−1}*. NaN when week *t − 1* is incomplete
        (an athlete's first two weeks have no reference).

    Notes
    -----
    "After this recovery week, you can safely start back from where you left off"
    (coaching article "Low Back Pain in Runners: Prevention & Treatment", article A of
    ``docs/sources.md``): the week after ONE recovery week is compared with the last
    build week before it. After two recovery weeks in a row the reference is the
    previous week again. The recurrence is sequential (a recovery week depends on its
    reference), so it runs one step per week, vectorised over athletes.
    """
    drop = _check_fraction("recovery_drop", recovery_drop, upper=1.0)
    base = _check_fraction("min_base_m", min_base_m)
    w = _order(weekly)
    codes = pd.factorize(w["athlete"])[0]
    pos = w.groupby("athlete", sort=False).cumcount().to_numpy()
    n_ath = int(codes.max()) + 1 if len(w) else 0
    n_weeks = int(pos.max()) + 1 if len(w) else 0
    dist = np.full((n_ath, n_weeks), np.nan)
    comp = np.zeros((n_ath, n_weeks), dtype=bool)
    dist[codes, pos] = w["distance_m"].to_numpy(dtype=float, na_value=np.nan)
    comp[codes, pos] = w["complete"].to_numpy(dtype=bool)
    ref = np.full((n_ath, n_weeks), np.nan)
    rec = np.zeros((n_ath, n_weeks), dtype=bool)
    for t in range(1, n_weeks):
        carry = rec[:, t - 1] & ~rec[:, t - 2] if t >= 2 else np.zeros(n_ath, dtype=bool)
        r = np.where(carry, ref[:, t - 1], dist[:, t - 1])
        ref[:, t] = np.where(comp[:, t - 1], r, np.nan)
        rec[:, t] = _recovery_rule(dist[:, t], ref[:, t], comp[:, t], drop, base)
    out = pd.Series(ref[codes, pos], index=w.index, name="reference_m")
    return out.reindex(weekly.index)


def recovery_week(
    weekly: pd.DataFrame, *, recovery_drop: float = 0.20, min_base_m: float = 10_000
) -> pd.Series:
    """Recovery weeks: a clear drop from the reference.

    Parameters
    ----------
    weekly : DataFrame
        With ``distance_m``, ``reference_m`` (from :func:`reference_distance`) and
        ``complete``.
    recovery_drop : float, default 0.20
        Fractional drop that makes a recovery week.
    min_base_m : float, default 10 000
        Smallest reference, m.

    Returns
    -------
    Series of bool
        complete and ``reference_m`` ≥ ``min_base_m`` and *d_t* ≤ (1 − ``recovery_drop``)
        × ``reference_m``. A week with no running after a build is a recovery week.

    Notes
    -----
    Rule from coaching advice (article A of ``docs/sources.md``, "Low Back Pain in
    Runners: Prevention & Treatment"): build "for 3 to 4 weeks and then have one week as
    “recovery” where you drop your mileage by 20%". Evidence: coaching practice; no trial
    has tested recovery weeks.
    """
    drop = _check_fraction("recovery_drop", recovery_drop, upper=1.0)
    base = _check_fraction("min_base_m", min_base_m)
    out = _recovery_rule(
        weekly["distance_m"].to_numpy(dtype=float, na_value=np.nan),
        weekly["reference_m"].to_numpy(dtype=float, na_value=np.nan),
        weekly["complete"].to_numpy(dtype=bool),
        drop,
        base,
    )
    return pd.Series(out, index=weekly.index, name="recovery_week")


def change_pct(weekly: pd.DataFrame) -> pd.Series:
    """Week-on-week change, %: 100 × (distance − reference) / reference.

    NaN for incomplete weeks and where the reference is missing or 0.
    """
    ref = weekly["reference_m"].astype(float)
    ok = weekly["complete"].astype(bool) & (ref > 0)
    pct = 100.0 * (weekly["distance_m"].astype(float) - ref) / ref.where(ok)
    return pct.rename("change_pct")


def progression(weekly: pd.DataFrame, *, min_base_m: float = 10_000) -> pd.Series:
    """Nielsen et al. (2014) progression category of each week.

    Parameters
    ----------
    weekly : DataFrame
        With ``change_pct``, ``reference_m`` and ``complete``.
    min_base_m : float, default 10 000
        Only weeks whose reference is at least this, m, are categorised (as for
        :func:`ramp`).

    Returns
    -------
    Series of str
        ``"<10%"`` (change ≤ +10%, decreases included), ``"10-30%"`` (+10% < change ≤
        +30%) or ``">30%"``; missing where no category applies.

    Notes
    -----
    Boundaries follow runload's ramp rule (exactly +10% is allowed), so at the default
    ``max_increase`` a week is ``"10-30%"`` or ``">30%"`` exactly when it is a ramp.
    Strength of evidence: a cohort of 873 novice runners; weekly progression > 30% was
    associated with some distance-related injury types, not with all injuries (Nielsen
    et al. 2014) — observational, small subgroup counts.

    References
    ----------
    .. [1] Nielsen RO et al. (2014) Excessive progression in weekly running distance and
       risk of running-related injuries. J Orthop Sports Phys Ther 44(10):739–747.
    """
    base = _check_fraction("min_base_m", min_base_m)
    pct = weekly["change_pct"].to_numpy(dtype=float, na_value=np.nan)
    ok = (
        weekly["complete"].to_numpy(dtype=bool)
        & (weekly["reference_m"].to_numpy(dtype=float, na_value=np.nan) >= base)
        & np.isfinite(pct)
    )
    labels = np.select(
        [_le(pct, 10.0), _le(pct, 30.0)], list(PROGRESSION_CATEGORIES[:2]), PROGRESSION_CATEGORIES[2]
    )
    out = pd.Series(labels, index=weekly.index, dtype="string", name="progression")
    return out.where(ok)


def ramp(
    weekly: pd.DataFrame, *, max_increase: float = 0.10, min_base_m: float = 10_000
) -> pd.Series:
    """The 10% rule: weekly distance rose more than ``max_increase`` over its reference.

    Parameters
    ----------
    weekly : DataFrame
        With ``distance_m``, ``reference_m`` and ``complete``.
    max_increase : float, default 0.10
        Largest allowed rise as a fraction of the reference.
    min_base_m : float, default 10 000
        Below this reference, m, no ramp is computed (see :func:`return_from_break`).

    Returns
    -------
    Series of bool
        complete and ``reference_m`` ≥ ``min_base_m`` and *d_t* > (1 + ``max_increase``)
        × ``reference_m``. Exactly +10% is not a ramp.

    Notes
    -----
    Strength of evidence: a heuristic. A randomised trial of 532 novice runners found
    that a 10%-rule programme did not protect: 20.8% injured vs 20.3% on a standard
    programme (Buist et al. 2008). Cohort data (Nielsen et al. 2014) suggest larger
    jumps (> 30%) matter more than 10%.

    References
    ----------
    .. [1] Buist I et al. (2008) No effect of a graded training program on the number of
       running-related injuries in novice runners: a randomized controlled trial. Am J
       Sports Med 36(1):33–39.
    """
    inc = _check_fraction("max_increase", max_increase)
    base = _check_fraction("min_base_m", min_base_m)
    ref = weekly["reference_m"].astype(float)
    with np.errstate(invalid="ignore"):
        out = (
            weekly["complete"].astype(bool)
            & (ref >= base)
            & _gt(weekly["distance_m"].astype(float), (1.0 + inc) * ref)
        )
    return out.fillna(False).astype(bool).rename("flag_ramp")


def return_from_break(
    weekly: pd.DataFrame, *, min_base_m: float = 10_000, break_weeks: int = 2
) -> pd.Series:
    """Running again after a break: a normal week after ``break_weeks`` low weeks.

    Parameters
    ----------
    weekly : DataFrame
        With ``athlete``, ``week_start``, ``distance_m`` and ``complete``.
    min_base_m : float, default 10 000
        A complete week below this, m, is low.
    break_weeks : int, default 2
        Number of low weeks that make a break.

    Returns
    -------
    Series of bool
        complete, not low, and the ``break_weeks`` weeks before were all (complete and)
        low. Such a week has no usable reference, so the 10% rule cannot judge it.

    Notes
    -----
    Descriptive: marks where percentage rules are silent. No threshold has been tested.
    """
    k = _check_int("break_weeks", break_weeks)
    w = _order(weekly)
    low = low_week(w, min_base_m=min_base_m).astype("int64")
    # number of low weeks among the k weeks before: difference of a running count
    count = low.groupby(w["athlete"], sort=False).cumsum()
    shifted = count.groupby(w["athlete"], sort=False)
    before = shifted.shift(1).fillna(0) - shifted.shift(k + 1).fillna(0)
    before = before.where(w.groupby("athlete", sort=False).cumcount() >= k, 0)
    out = w["complete"].astype(bool) & (low == 0) & (before == k)
    return out.rename("return_from_break").reindex(weekly.index)


def build_streak(weekly: pd.DataFrame) -> pd.Series:
    """Consecutive complete build weeks ending at each week.

    Parameters
    ----------
    weekly : DataFrame
        With ``athlete``, ``week_start``, ``complete``, ``recovery_week`` and
        ``low_week``.

    Returns
    -------
    Series of int64
        0 for a recovery or low week and for an athlete's first (incomplete) week;
        the previous value + 1 for a complete build week; the previous value unchanged
        for an incomplete final week (it neither builds nor recovers).
    """
    w = _order(weekly)
    complete = w["complete"].astype(bool)
    first = w.groupby("athlete", sort=False).cumcount() == 0
    rest = w["recovery_week"].astype(bool) | w["low_week"].astype(bool)
    reset = (complete & rest) | (first & ~complete)
    build = (complete & ~rest).astype("int64")
    segment = reset.astype("int64").groupby(w["athlete"], sort=False).cumsum()
    streak = build.groupby([w["athlete"], segment], sort=False).cumsum()
    return streak.astype("int64").rename("build_streak").reindex(weekly.index)


def missing_recovery(weekly: pd.DataFrame, *, max_build_weeks: int = 4) -> pd.Series:
    """More than ``max_build_weeks`` build weeks in a row without a recovery week.

    Parameters
    ----------
    weekly : DataFrame
        With ``build_streak`` and ``complete``.
    max_build_weeks : int, default 4
        Longest build before a recovery week is due.

    Returns
    -------
    Series of bool
        complete and ``build_streak`` > ``max_build_weeks``.

    Notes
    -----
    Coaching advice (article A of ``docs/sources.md``, "Low Back Pain in Runners:
    Prevention & Treatment": "for 3 to 4 weeks and then have one week as “recovery”").
    Strength of evidence: expert opinion; no study has tested build/recovery cycles for
    injury.
    """
    k = _check_int("max_build_weeks", max_build_weeks)
    out = weekly["complete"].astype(bool) & (weekly["build_streak"] > k)
    return out.rename("flag_missing_recovery")


def spike_category(spike_pct) -> pd.Series:
    """Frandsen et al. (2025) category of a session spike, % over the 30-day longest run.

    ``"<=10%"`` (including shorter runs), ``"10-30%"``, ``"30-100%"``, ``">100%"``;
    missing where ``spike_pct`` is NaN (no earlier run in the window).
    """
    s = pd.Series(spike_pct, dtype=float) if not isinstance(spike_pct, pd.Series) else spike_pct
    pct = s.to_numpy(dtype=float, na_value=np.nan)
    labels = np.select(
        [_le(pct, 10.0), _le(pct, 30.0), _le(pct, 100.0)],
        list(SPIKE_CATEGORIES[:3]),
        SPIKE_CATEGORIES[3],
    )
    out = pd.Series(labels, index=s.index, dtype="string", name="spike_category")
    return out.where(np.isfinite(pct))


def session_spike(weekly: pd.DataFrame, *, spike: float = 0.10) -> pd.Series:
    """Weeks with a run longer than (1 + ``spike``) × the longest run of the 30 days before.

    Parameters
    ----------
    weekly : DataFrame
        With ``max_spike_pct`` (largest spike of the week's runs, %, see
        :func:`runload.load.session_spikes`) and ``complete``.
    spike : float, default 0.10
        Allowed excess over the longest run of the window (0.10 = +10%).

    Returns
    -------
    Series of bool
        complete and ``max_spike_pct`` > 100 × ``spike``. A run with no earlier run in
        the window has no spike.

    Notes
    -----
    Strength of evidence: a large prospective cohort (about 5 200 runners): compared with runs at most 10% longer than the longest run of the previous 30 days,
    the injury hazard was 1.64 times higher for 10–30% longer, 1.52 for 30–100% and
    2.28 for > 100% longer runs. Week-to-week ratios and ACWR were not associated with
    injury in the same data. Observational: association, not proof of cause.

    References
    ----------
    .. [1] Frandsen JSB et al. (2025) How much running is too much? Identifying high-risk
       running sessions in a 5200-person cohort study. Br J Sports Med 59:1203.
    """
    s = _check_fraction("spike", spike)
    pct = weekly["max_spike_pct"].astype(float)
    out = weekly["complete"].astype(bool) & _gt(pct, 100.0 * s).fillna(False)
    return out.astype(bool).rename("flag_session_spike")


def acwr_high(
    weekly: pd.DataFrame, *, threshold: float = 1.5, column: str = "acwr_rolling"
) -> pd.Series:
    """Weeks whose acute:chronic workload ratio at the week's end is above ``threshold``.

    Parameters
    ----------
    weekly : DataFrame
        With the ACWR ``column`` (NaN before 28 days of history) and ``complete``.
    threshold : float, default 1.5
        The "danger zone" of Gabbett (2016).
    column : {'acwr_rolling', 'acwr_uncoupled', 'acwr_ewma'}
        Which ratio to judge.

    Returns
    -------
    Series of bool
        complete and ACWR > ``threshold``; never before 28 days of history (the ratio is
        NaN there).

    Notes
    -----
    Strength of evidence: contested. The ratio was proposed from team-sport data
    (Gabbett 2016; Hulin et al. 2016). Lolli et al. (2019) showed that the coupled ratio
    (acute week inside the chronic window) correlates spuriously with its own
    numerator, and Impellizzeri et al. (2020, 2021) that ratio scaling does not
    normalise load and that the evidence does not support using ACWR to manage injury
    risk. In runners, Frandsen et al. (2025) found no association between ACWR and
    injury. Treat the flag as a description of a load change, not a risk estimate.

    References
    ----------
    .. [1] Gabbett TJ (2016) The training-injury prevention paradox. Br J Sports Med
       50:273–280.
    .. [2] Lolli L et al. (2019) Mathematical coupling causes spurious correlation within
       the conventional acute-to-chronic workload ratio calculations. Br J Sports Med
       53:921–922.
    .. [3] Impellizzeri FM et al. (2020) Acute:chronic workload ratio: conceptual issues
       and fundamental pitfalls. Int J Sports Physiol Perform 15:907–913.
    """
    if column not in ("acwr_rolling", "acwr_uncoupled", "acwr_ewma"):
        raise ParameterError(
            f"column must be 'acwr_rolling', 'acwr_uncoupled' or 'acwr_ewma', got {column!r}"
        )
    thr = _check_fraction("threshold", threshold)
    values = weekly[column].astype(float)
    out = weekly["complete"].astype(bool) & _gt(values, thr).fillna(False)
    return out.astype(bool).rename("flag_acwr")


def _check_int(name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ParameterError(f"{name} must be a whole number >= 1, got {value!r}")
    return int(value)

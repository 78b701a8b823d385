"""Acute:chronic workload ratios (rolling and EWMA) and Foster's monotony and strain.

All functions work on a *daily* table: one row per athlete and consecutive local day,
days without running included as 0 (:func:`runload.load.daily_load`). Load is
running distance in metres unless another ``column`` is named.

Strength of evidence: ACWR is contested (Lolli et al. 2019; Impellizzeri et al. 2020,
2021) and was not associated with injury in a large running cohort (Frandsen et al.
2025). Monotony and strain are descriptive (Foster 1998). See ``docs/load_rules.md``.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from .errors import ParameterError

__all__ = [
    "EWMA_SMOOTHING",
    "ewma_lambda",
    "half_life_days",
    "daily_acwr",
    "weekly_monotony",
]

#: EWMA smoothing constants λ(N) for a window of N days.
EWMA_SMOOTHING = {
    "williams": lambda n: 2.0 / (n + 1.0),
    "simple": lambda n: 1.0 / n,
    "banister": lambda n: 1.0 - math.exp(-1.0 / n),
}


def ewma_lambda(days: float, smoothing: str = "williams") -> float:
    """Decay constant λ of an EWMA over ``days`` days.

    Parameters
    ----------
    days : float
        The window N, days (7 acute, 28 chronic; 42 for a TrainingPeaks-style CTL).
    smoothing : {'williams', 'simple', 'banister'}
        ``'williams'``: λ = 2/(N+1) (Williams et al. 2017, the usual EWMA "span");
        ``'simple'``: λ = 1/N (the update x_t = x_{t−1} + (load − x_{t−1})/N of the
        TrainingPeaks-style ATL/CTL); ``'banister'``: λ = 1 − e^(−1/N) (exponential decay
        with time constant N, the Banister impulse-response form used by GoldenCheetah's
        PMC).

    Returns
    -------
    float
        λ, so that EWMA_t = λ × load_t + (1 − λ) × EWMA_{t−1}.

    Notes
    -----
    Half-lives, days (the lag after which a load's weight has halved,
    ln 0.5 / ln(1 − λ)); pick the smoothing and N whose half-life matches the tool you
    compare with (check its documentation for N and the update it uses):

    ======  ==========  ==========  ============
    N       williams    simple      banister
    ======  ==========  ==========  ============
    7       2.41        4.50        4.85
    28      9.70        19.06       19.41
    42      14.55       28.76       29.11
    ======  ==========  ==========  ============

    With 'williams' a 28-day chronic EWMA forgets as fast as a 14-day 'simple' one: the
    same N does not mean the same memory across tools.
    """
    try:
        fn = EWMA_SMOOTHING[smoothing]
    except KeyError as exc:
        raise ParameterError(
            f"ewma smoothing must be one of {sorted(EWMA_SMOOTHING)}, got {smoothing!r}"
        ) from exc
    days = _check_days("days", days)
    return float(fn(days))


def half_life_days(days: float, smoothing: str = "williams") -> float:
    """Half-life, days, of the EWMA over ``days`` days with ``smoothing`` (see :func:`ewma_lambda`)."""
    lam = ewma_lambda(days, smoothing)
    return math.log(0.5) / math.log(1.0 - lam) if lam < 1 else 0.0


def _check_days(name: str, value) -> float:
    try:
        value = float(value)
    except (TypeError, ValueError) as exc:
        raise ParameterError(f"{name} must be a number of days, got {value!r}") from exc
    if not np.isfinite(value) or value < 1:
        raise ParameterError(f"{name} must be at least 1 day, got {value!r}")
    return value


def _grouped(daily: pd.DataFrame, column: str):
    if not {"athlete", "date", column} <= set(daily.columns):
        raise ParameterError(f"the daily table needs columns 'athlete', 'date' and {column!r}")
    ordered = daily.sort_values(["athlete", "date"], kind="stable")
    load = ordered[column].astype(float).fillna(0.0)
    return ordered, load, load.groupby(ordered["athlete"], sort=False)


def _ratio(acute: pd.Series, chronic: pd.Series) -> pd.Series:
    """acute / chronic; NaN where chronic is 0 or missing."""
    return acute / chronic.where(chronic > 0)


def daily_acwr(
    daily: pd.DataFrame,
    *,
    acute_days: int = 7,
    chronic_days: int = 28,
    ewma: str = "williams",
    column: str = "distance_m",
) -> pd.DataFrame:
    """Rolling (coupled and uncoupled) and EWMA acute:chronic workload ratios, per day.

    Parameters
    ----------
    daily : DataFrame
        One row per athlete and consecutive day: ``athlete``, ``date`` and ``column``
        (missing values count as 0).
    acute_days, chronic_days : int, default 7 and 28
        Window lengths, days.
    ewma : {'williams', 'simple', 'banister'}, default 'williams'
        Smoothing of the EWMA ratio (see :func:`ewma_lambda` for the half-lives).
    column : str, default 'distance_m'
        The daily load.

    Returns
    -------
    DataFrame
        ``athlete``, ``date`` and, on the index of ``daily``:
        ``acute_m`` (mean daily load of the last ``acute_days`` days, today included),
        ``chronic_m`` (mean of the last ``chronic_days`` days),
        ``acwr_rolling`` = acute / chronic (coupled: the acute days are inside the
        chronic window), ``acwr_uncoupled`` = acute / mean of the ``chronic_days −
        acute_days`` days before the acute window, ``ewma_acute_m``, ``ewma_chronic_m``
        and ``acwr_ewma`` = their ratio. Every ratio is NaN until ``chronic_days`` days
        of history exist and where its denominator is 0.

    Notes
    -----
    Rolling ACWR: Gabbett (2016), Hulin et al. (2016); coupled vs uncoupled: Windt &
    Gabbett (2017). EWMA: Williams et al. (2017), EWMA_t = λ load_t + (1 − λ) EWMA_{t−1},
    started from 0 the day before the athlete's first day (no load known before the
    data, as TrainingPeaks-style charts start), so early chronic values are low; that is
    one reason no ratio is given before ``chronic_days`` days.

    Strength of evidence: contested. Coupling creates a spurious correlation between the
    ratio and the acute load (Lolli et al. 2019); ratio scaling does not remove the
    influence of chronic load and the injury evidence is weak (Impellizzeri et al. 2020,
    2021); in about 5 200 runners ACWR was not associated with injury (Frandsen et al. 2025).

    References
    ----------
    .. [1] Gabbett TJ (2016) Br J Sports Med 50:273–280.
    .. [2] Windt J, Gabbett TJ (2017) Br J Sports Med 51:428–435.
    .. [3] Williams S et al. (2017) Better way to determine the acute:chronic workload
       ratio? Br J Sports Med 51:209–210.
    .. [4] Lolli L et al. (2019) Br J Sports Med 53:921–922.
    .. [5] Impellizzeri FM et al. (2020) Int J Sports Physiol Perform 15:907–913.
    """
    acute_n = int(_check_days("acute_days", acute_days))
    chronic_n = int(_check_days("chronic_days", chronic_days))
    if chronic_n <= acute_n:
        raise ParameterError("chronic_days must be longer than acute_days")
    lam_a = ewma_lambda(acute_n, ewma)
    lam_c = ewma_lambda(chronic_n, ewma)
    ordered, load, by = _grouped(daily, column)
    day = by.cumcount()
    enough = day >= chronic_n - 1

    def rolling_sum(n: int) -> pd.Series:
        return by.rolling(n, min_periods=n).sum().droplevel(0)

    acute_sum = rolling_sum(acute_n)
    chronic_sum = rolling_sum(chronic_n)
    acute = acute_sum / acute_n
    chronic = chronic_sum / chronic_n
    before = (chronic_sum - acute_sum) / (chronic_n - acute_n)

    def zero_started_ewm(lam: float) -> pd.Series:
        # pandas starts the recursion at the first value; starting it at 0 the day
        # before subtracts (1 - λ)^(t + 1) × first value.
        started = by.ewm(alpha=lam, adjust=False).mean().droplevel(0)
        first = by.transform("first")
        return started - (1.0 - lam) ** (day + 1) * first

    ewma_acute = zero_started_ewm(lam_a)
    ewma_chronic = zero_started_ewm(lam_c)
    out = pd.DataFrame(
        {
            "athlete": ordered["athlete"],
            "date": ordered["date"],
            "acute_m": acute,
            "chronic_m": chronic,
            "acwr_rolling": _ratio(acute, chronic).where(enough),
            "acwr_uncoupled": _ratio(acute, before).where(enough),
            "ewma_acute_m": ewma_acute,
            "ewma_chronic_m": ewma_chronic,
            "acwr_ewma": _ratio(ewma_acute, ewma_chronic).where(enough),
        },
        index=ordered.index,
    )
    return out.reindex(daily.index)


def weekly_monotony(
    daily: pd.DataFrame,
    *,
    week_start: int = 0,
    column: str = "distance_m",
    ddof: int = 1,
) -> pd.DataFrame:
    """Foster's (1998) training monotony and strain per athlete and local week.

    Parameters
    ----------
    daily : DataFrame
        One row per athlete and day: ``athlete``, ``date`` and ``column``.
    week_start : int, default 0
        First day of the week, Monday = 0 ... Sunday = 6.
    column : str, default 'distance_m'
        The daily load.
    ddof : int, default 1
        Delta degrees of freedom of the SD (1: sample SD over the 7 days, as a
        spreadsheet's STDEV; 0: population SD). Published implementations differ.

    Returns
    -------
    DataFrame
        ``athlete``, ``week_start``, ``monotony`` = mean / SD of the 7 daily loads and
        ``strain`` = weekly load × monotony (in the unit of ``column``). Days of the week
        missing from ``daily`` count as 0. Monotony is NaN when the SD is 0 (a week with
        the same load every day, including a week off).

    Notes
    -----
    Foster proposed monotony > 2 with high strain as a marker of overtraining and
    illness in a small group of athletes. Strength of evidence for running injury: weak,
    descriptive. Load here is distance, not Foster's session-RPE × minutes.

    References
    ----------
    .. [1] Foster C (1998) Monitoring training in athletes with reference to
       overtraining syndrome. Med Sci Sports Exerc 30(7):1164–1168.
    """
    if not isinstance(ddof, (int, np.integer)) or isinstance(ddof, bool) or ddof not in (0, 1):
        raise ParameterError(f"ddof must be 0 or 1, got {ddof!r}")
    if not {"athlete", "date", column} <= set(daily.columns):
        raise ParameterError(f"the daily table needs columns 'athlete', 'date' and {column!r}")
    date = pd.to_datetime(daily["date"]).dt.normalize()
    start = date - pd.to_timedelta((date.dt.day_of_week - week_start) % 7, unit="D")
    load = daily[column].astype(float).fillna(0.0)
    frame = pd.DataFrame({"athlete": daily["athlete"], "week_start": start, "s": load, "ss": load**2})
    sums = frame.groupby(["athlete", "week_start"], sort=True)[["s", "ss"]].sum()
    n = 7
    mean = sums["s"] / n
    var = ((sums["ss"] - n * mean**2) / (n - ddof)).clip(lower=0.0)
    sd = np.sqrt(var)
    # SD below rounding noise of the sums is 0
    sd = sd.where(sd > 1e-9 * np.maximum(mean.abs(), 1.0))
    monotony = mean / sd
    out = pd.DataFrame({"monotony": monotony, "strain": sums["s"] * monotony}).reset_index()
    return out

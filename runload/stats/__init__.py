"""Relate weekly training load to back-pain episodes, with honest statistics.

:func:`associate` is the entry point; the methods live in their own modules:
:mod:`~runload.stats.lagged` (week-level lagged risk ratio),
:mod:`~runload.stats.casecrossover` (time-stratified case-crossover),
:mod:`~runload.stats.dose` (dose-response categories),
:mod:`~runload.stats.describe` (lagged correlation, superposed epochs),
:mod:`~runload.stats.exact` (exact and mid-p inference),
:mod:`~runload.stats.permutation` (circular-shift permutation p-values) and
:mod:`~runload.stats.summary` (plain-language lines). ``docs/pain_analysis.md``
explains how to read the results and reports their simulated error rates.
"""

from __future__ import annotations

import os
from collections.abc import Iterable

import numpy as np
import pandas as pd

from ..columns import ASSOCIATIONS, conform, empty
from ..errors import ParameterError
from .casecrossover import case_crossover_rows, conditional_logit_rows
from .describe import correlation_rows, superposed_epoch
from .dose import dose_masks
from .exact import common_odds_ratio_exact, mh_odds_ratio, mh_rate_ratio, rate_ratio_exact
from .lagged import binary_masks, lagged_rows
from .panel import build_panel, exposure_columns
from .summary import summary_line, warning_line

__all__ = [
    "associate",
    "superposed_epoch",
    "rate_ratio_exact",
    "common_odds_ratio_exact",
    "mh_rate_ratio",
    "mh_odds_ratio",
    "METHODS",
    "DEFAULT_INCREMENTS",
]

#: The analyses :func:`associate` can run.
METHODS = ("lagged", "case_crossover", "dose_response", "correlation")

#: Increment each continuous exposure's odds ratio refers to (10 %-points, 10 km).
DEFAULT_INCREMENTS = {"change_pct": 10.0, "distance_m": 10_000.0}

# the headline p-value of each method, first available wins (see docs/pain_analysis.md,
# "Simulation": with a runner's few onsets Fisher's and the mid-p tests reject far
# less often than 5% under the null; the circular-shift permutation p is near 5%)
_HEADLINE = {
    "lagged_risk_ratio": ("p_permutation", "p_midp"),
    "dose_response": ("p_permutation", "p_midp"),
    "case_crossover": ("p_midp",),
    "conditional_logit": ("p_wald",),
    "lagged_correlation": ("p_permutation",),
}


def associate(
    weekly: pd.DataFrame,
    episodes,
    *,
    exposures: Iterable[str] | None = None,
    lag_weeks: int | Iterable[int] = 1,
    washout_weeks: int = 4,
    methods: Iterable[str] = METHODS,
    stratum_weeks: int = 5,
    increments: dict | None = None,
    ci_method: str = "mid-p",
    n_permutations: int = 999,
    seed: int = 0,
    alpha: float = 0.05,
    min_events: int = 5,
    pooled: bool = True,
) -> pd.DataFrame:
    """Did back-pain onsets follow the flagged load patterns?

    Parameters
    ----------
    weekly : pandas.DataFrame
        Weekly table (:data:`runload.columns.WEEKLY`, from :func:`runload.weekly_load`):
        ``athlete``, ``week_start``, ``complete`` and the exposures. One or many
        athletes.
    episodes : pandas.DataFrame or path
        Episodes (:data:`runload.columns.EPISODES`), or a pain-log file, read with
        :func:`runload.read_pain_log` and its defaults. Episodes without an athlete
        belong to the only athlete of ``weekly``.
    exposures : list of str, optional
        The weekly columns to relate to pain: boolean ones are binary exposures,
        numeric ones continuous. Default: every boolean ``flag_*`` column (so flags
        added later are picked up without code changes) plus ``change_pct`` and
        ``distance_m``.
    lag_weeks : int or sequence of int, default 1
        Weeks from the exposure week to the outcome week (0-3 are sensible; 0 is the
        same week, open to reverse causation). A sequence gives rows for each lag.
    washout_weeks : int, default 4
        Weeks after an episode's end that are not at risk. Four weeks matches the
        de Vet et al. (2002) rule that a new episode needs a pain-free month
        (``runload.pain.DEFAULT_MIN_GAP_DAYS`` = 28): no new onset can occur then,
        so counting those weeks would dilute the unexposed and exposed risks alike
        -- and the low running after an episode would look protective.
    methods : sequence of str, default all of ``METHODS``
        ``"lagged"`` (risk ratio of binary flags), ``"case_crossover"`` (binary:
        Mantel-Haenszel; continuous: conditional logit), ``"dose_response"``
        (Nielsen progression and Frandsen spike categories), ``"correlation"``
        (lagged Spearman correlation of continuous exposures with severity).
    stratum_weeks : int, default 5
        Length of the fixed calendar blocks of the case-crossover (time-stratified
        referents; up to 4 referents per onset). Not 4: referents after an onset
        fall in the episode and are excluded, so a training cycle as long as the
        block (the advised 3 build + 1 recovery weeks) biases a 4-week block (see
        ``docs/pain_analysis.md``).
    increments : dict, optional
        Per continuous exposure, the increase its odds ratio refers to (defaults:
        :data:`DEFAULT_INCREMENTS`, 10 percentage points of ``change_pct`` and 10 km
        of ``distance_m``; other columns: 1 unit).
    ci_method : {"mid-p", "exact"}, default "mid-p"
        Interval of the risk and odds ratios: mid-p (Rothman & Greenland) or exact
        (conservative, at least nominal coverage).
    n_permutations : int, default 999
        Circular shifts per permutation test (0 skips them). A history of ``T``
        weeks has only ``T - 1`` non-zero shifts: when ``T - 1 <= n_permutations`` all
        are enumerated and the p-value is exact, never below ``1 / T``; otherwise
        ``n_permutations`` distinct shifts are drawn and ``p >= 1 / (n_permutations +
        1)``. The pooled test does the same over the ``prod(T_i)`` joint shifts of the
        athletes with an onset (:mod:`runload.stats.permutation`; Phipson & Smyth 2010).
    seed : int, default 0
        Seed of the permutations: the same seed gives the same table (an enumerated,
        exact permutation p does not depend on it).
    alpha : float, default 0.05
        1 - confidence level of the intervals.
    min_events : int, default 5
        Fewer onsets than this puts a "too few to say anything" warning on a row.
        Independently, a ratio row whose exposed or unexposed group holds fewer than
        :data:`runload.stats.summary.MIN_GROUP_WEEKS` (5) weeks gets a sparse-data
        warning (Greenland et al. 2016), and a row without an estimate says why
        (:func:`runload.stats.summary.not_estimable_reason`).
    pooled : bool, default True
        Add a ``pooled`` row per exposure and method when there are several
        athletes (Mantel-Haenszel stratified by athlete).

    Returns
    -------
    pandas.DataFrame
        Tidy, columns of :data:`runload.columns.ASSOCIATIONS`; one row per athlete
        (and ``pooled``), exposure, method and lag. ``p_value`` is the headline
        p-value: for the lagged and dose-response risk ratios the circular-shift
        permutation p (the mid-p when ``n_permutations=0``), for the case-crossover
        the mid-p of the exact conditional test, the Wald p of the conditional
        logit, the permutation p of the correlation. Fisher's exact p is always in
        ``p_exact``: it is valid but conservative with a runner's few onsets (see
        ``docs/pain_analysis.md``). ``summary`` says the result in words and
        ``warning`` says why it cannot say much. With no episodes every row carries
        the warning "no pain episodes in the log". ``attrs["parameters"]`` holds the
        options used (exposures as resolved, increments merged with the defaults), so
        the report can print what produced the table.

    Raises
    ------
    runload.errors.ParameterError
        Unknown method or exposure, bad lag, or a weekly table without
        ``athlete``/``week_start``.

    Notes
    -----
    *At risk.* A week whose days lie in an episode or its washout is not an
    exposure week, and an outcome week must start pain free: pain reduces running,
    and counting those weeks would fake a protective effect of the load flags.

    *Lagged risk ratio.* Onsets after exposed vs after unexposed weeks at risk,
    per athlete and Mantel-Haenszel over athletes; exact/mid-p interval for the
    (common) rate ratio; ``p_exact`` is Fisher's exact test (the exact test of no
    association in K tables for the pooled row); ``p_permutation`` circularly
    shifts each athlete's episode pattern, keeping the autocorrelation of the
    series -- every shift when there are no more than ``n_permutations`` (an exact
    test), else that many distinct ones, so never below 1 / (number of shifts).

    *Case-crossover.* Hazard week before each onset vs the other weeks of the same
    fixed calendar block (Maclure 1991; Janes et al. 2005).

    The simulated false-positive rate and power of each p-value are in
    ``docs/pain_analysis.md`` (``benchmarks/sim_stats.py``).

    References
    ----------
    .. [1] Maclure M. Am J Epidemiol 1991;133:144-153.
    .. [2] Janes H, Sheppard L, Lumley T. Epidemiology 2005;16:717-726.
    .. [3] Mantel N, Haenszel W. J Natl Cancer Inst 1959;22:719-748.
    .. [4] Rothman KJ, Greenland S, Lash TL. Modern Epidemiology, 3rd ed., 2008.
    .. [5] de Vet HCW et al. Spine 2002;27:2409-2416.
    .. [6] Buist I et al. No effect of a graded training program on the number of
       running-related injuries in novice runners. Am J Sports Med 2008;36:33-39.
    .. [7] Nielsen RO et al. J Orthop Sports Phys Ther 2014;44:739-747.
    .. [8] Frandsen JSB et al. Br J Sports Med 2025;59:1203.
    .. [9] Phipson B, Smyth GK. Permutation p-values should never be zero. Stat Appl
       Genet Mol Biol 2010;9:Article 39.
    .. [10] Greenland S, Mansournia MA, Altman DG. Sparse data bias: a problem hiding
       in plain sight. BMJ 2016;352:i1981.
    """
    lags = _lags(lag_weeks)
    methods = _methods(methods)
    if ci_method not in ("mid-p", "exact"):
        raise ParameterError(f"ci_method must be 'mid-p' or 'exact', got {ci_method!r}")
    if not 0 < alpha < 1:
        raise ParameterError(f"alpha must lie in (0, 1), got {alpha!r}")
    for name, v in (("washout_weeks", washout_weeks), ("n_permutations", n_permutations)):
        if int(v) < 0:
            raise ParameterError(f"{name} must be >= 0, got {v!r}")
    if int(stratum_weeks) < 2:
        raise ParameterError(f"stratum_weeks must be >= 2, got {stratum_weeks!r}")
    if isinstance(episodes, (str, os.PathLike)):
        from ..pain import read_pain_log

        episodes = read_pain_log(episodes)
    if not isinstance(episodes, pd.DataFrame):
        raise ParameterError("episodes must be a DataFrame (runload.read_pain_log) or a path")
    binary, continuous = exposure_columns(weekly, exposures)
    steps = {**DEFAULT_INCREMENTS, **(increments or {})}
    carry = [*binary, *continuous, *(c for c in ("progression", "change_pct", "max_spike_pct")
                                     if c in weekly.columns)]
    panel = build_panel(weekly, episodes, washout_weeks=int(washout_weeks), columns=carry)
    midp = ci_method == "mid-p"
    rng = np.random.default_rng(seed)
    rows: list[dict] = []
    for lag in lags:
        if "lagged" in methods and binary:
            masks = {name: binary_masks(panel.frame, name) for name in binary}
            rows += lagged_rows(panel, masks, lag=lag, method="lagged_risk_ratio",
                                n_permutations=n_permutations, rng=rng, alpha=alpha, midp=midp,
                                pooled=pooled)
        if "case_crossover" in methods:
            rows += case_crossover_rows(panel, binary, lag=lag, stratum_weeks=int(stratum_weeks),
                                        alpha=alpha, midp=midp, pooled=pooled)
            rows += conditional_logit_rows(panel, continuous, lag=lag, stratum_weeks=int(stratum_weeks),
                                           increments=steps, alpha=alpha, pooled=pooled)
        if "dose_response" in methods:
            masks = dose_masks(panel.frame)
            if masks:
                rows += lagged_rows(panel, masks, lag=lag, method="dose_response",
                                    n_permutations=n_permutations, rng=rng, alpha=alpha,
                                    midp=midp, pooled=pooled)
        if "correlation" in methods:
            rows += correlation_rows(panel, continuous, lag=lag, n_permutations=n_permutations, rng=rng)
    table = (empty(ASSOCIATIONS) if not rows else
             _finish(rows, alpha=alpha, min_events=min_events,
                     no_episodes=_no_episodes(episodes, panel)))
    table.attrs["parameters"] = {
        "exposures": [*binary, *continuous], "lag_weeks": lags[0] if len(lags) == 1 else lags,
        "washout_weeks": int(washout_weeks), "methods": methods,
        "stratum_weeks": int(stratum_weeks), "increments": steps, "ci_method": ci_method,
        "n_permutations": int(n_permutations), "seed": seed, "alpha": alpha,
        "min_events": min_events, "pooled": pooled,
    }
    return table


def _lags(lag_weeks) -> list[int]:
    values = [lag_weeks] if np.ndim(lag_weeks) == 0 else list(lag_weeks)
    out = []
    for v in values:
        if isinstance(v, bool) or not float(v).is_integer() or not 0 <= int(v) <= 52:
            raise ParameterError(f"lag_weeks must be whole weeks in 0-52 (0-3 sensible), got {v!r}")
        out.append(int(v))
    if not out:
        raise ParameterError("lag_weeks is empty")
    return list(dict.fromkeys(out))


def _methods(methods) -> tuple[str, ...]:
    methods = (methods,) if isinstance(methods, str) else tuple(methods)
    unknown = [m for m in methods if m not in METHODS]
    if unknown:
        raise ParameterError(f"unknown method(s) {unknown}; choose from {METHODS}")
    return methods


def _no_episodes(episodes: pd.DataFrame, panel) -> bool | str:
    """False when some episode is used; else why none is (see :func:`warning_line`)."""
    if not panel.episodes.empty:
        return False
    given = int(episodes["onset"].notna().sum()) if "onset" in episodes.columns else 0
    if not given:
        return True
    return (f"none of the pain log's {given} episode{'s' if given != 1 else ''} belongs to "
            "the weekly table (other athletes' names, see the warning): nothing to relate "
            "the load to")


def _finish(rows: list[dict], *, alpha: float, min_events: int,
            no_episodes: bool | str) -> pd.DataFrame:
    level = f"{100 * (1 - alpha):g}%"
    for row in rows:
        row["p_value"] = next((row[k] for k in _HEADLINE[row["method"]]
                               if k in row and not pd.isna(row[k])), np.nan)
        row["summary"] = summary_line(row, level=level)
        row["warning"] = warning_line(row, min_events=min_events, no_episodes=no_episodes)
    table = pd.DataFrame(rows)
    for name in ("warning", "summary"):
        table[name] = table[name].astype("string")
    order = {"lagged_risk_ratio": 0, "case_crossover": 1, "conditional_logit": 2,
             "dose_response": 3, "lagged_correlation": 4}
    table = table.assign(
        _m=table["method"].map(order),
        _pooled=table["athlete"].eq("pooled"),
    ).sort_values(["lag_weeks", "_m", "exposure", "_pooled", "athlete"], kind="stable")
    return conform(table, ASSOCIATIONS, extra=False).reset_index(drop=True)

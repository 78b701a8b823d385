"""Case-crossover analysis with time-stratified referents, at weekly resolution.

Each new onset is its own case; the athlete is their own control. For an onset in
week ``w`` the *hazard window* is the exposure week ``t = w - lag`` (the week before
the onset for ``lag=1``). Its *referents* are the other exposure weeks of the same
**time stratum** -- fixed calendar blocks of ``stratum_weeks`` weeks counted from
Monday 1970-01-05, the same for every athlete -- that are at risk in the same sense
as the hazard window (clear exposure week, outcome week free of any episode and its
washout) and are not themselves followed by an onset. Weekday matching is automatic
with whole weeks.

Fixed, disjoint strata decided before looking at the data make the conditional
likelihood of the matched sets unbiased ("time-stratified" referents, Janes et al.
2005); referents after the onset are allowed, which is sound for exposures the
pain cannot cause -- but pain does change running, which is why windows overlapping
an episode or its washout are excluded. Calendar blocks also control for slow
trends and season.

Binary exposures: one 2x2 table per matched set, Mantel-Haenszel odds ratio over
sets (and athletes) with an exact or mid-p conditional interval
(:func:`runload.stats.exact.common_odds_ratio_exact`). Continuous exposures:
conditional logistic regression (:class:`statsmodels.discrete.conditional_models.ConditionalLogit`),
odds ratio per ``increment`` of the exposure with a Wald interval.

References
----------
.. [1] Maclure M. The case-crossover design: a method for studying transient effects
   on the risk of acute events. Am J Epidemiol 1991;133(2):144-153.
.. [2] Janes H, Sheppard L, Lumley T. Case-crossover analyses of air pollution
   exposure data: referent selection strategies and their implications for bias.
   Epidemiology 2005;16(6):717-726.
.. [3] Mantel N, Haenszel W. J Natl Cancer Inst 1959;22:719-748.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from statsmodels.discrete.conditional_models import ConditionalLogit

from .exact import common_odds_ratio_exact, mh_odds_ratio
from .lagged import binary_masks
from .panel import EPOCH, Panel, lag_pairs

__all__ = ["matched_windows", "case_crossover_rows", "conditional_logit_rows"]

_MAX_LOG_OR = np.log(1e4)  # a Wald limit beyond 10 000-fold per increment means separation


def matched_windows(panel: Panel, *, lag: int, stratum_weeks: int) -> pd.DataFrame:
    """Every at-risk exposure window with its stratum and whether it is a case.

    Returns
    -------
    pandas.DataFrame
        ``row`` (panel row of the exposure week), ``athlete``, ``stratum`` (calendar
        block number), ``case`` (an onset followed at the lag).
    """
    frame = panel.frame
    onset = frame["onset"].to_numpy(dtype=bool)
    free = frame["free"].to_numpy(dtype=bool)
    clear = frame["clear"].to_numpy(dtype=bool)
    at = np.zeros(len(frame), dtype=bool)
    ev = np.zeros(len(frame), dtype=bool)
    for start, stop in panel.bounds.values():
        at[start:stop], ev[start:stop] = lag_pairs(onset[start:stop], free[start:stop],
                                                   clear[start:stop], lag)
    stratum = (frame["week_start"] - EPOCH).dt.days.to_numpy() // (7 * stratum_weeks)
    rows = np.flatnonzero(at & frame["complete"].to_numpy(dtype=bool))
    return pd.DataFrame(
        {
            "row": rows,
            "athlete": frame["athlete"].to_numpy()[rows],
            "stratum": stratum[rows],
            "case": ev[rows],
        }
    )


def _sets(windows: pd.DataFrame, value: np.ndarray) -> pd.DataFrame:
    """Long table of matched sets: ``set`` id (the case's row), ``athlete``, ``case``, ``x``."""
    win = windows.assign(x=value[windows["row"].to_numpy()])
    win = win.loc[win["x"].notna()]
    cases = win.loc[win["case"], ["row", "athlete", "stratum"]].rename(columns={"row": "set"})
    refs = win.loc[~win["case"], ["athlete", "stratum", "x"]]
    members = cases.merge(refs, on=["athlete", "stratum"], how="inner").assign(case=False)
    has_ref = cases["set"].isin(members["set"])
    own = cases.loc[has_ref].merge(win[["row", "x"]], left_on="set", right_on="row").drop(columns="row")
    own = own.assign(case=True)
    return pd.concat([own, members], ignore_index=True)[["set", "athlete", "case", "x"]]


def case_crossover_rows(panel: Panel, names: list[str], *, lag: int, stratum_weeks: int,
                        alpha: float, midp: bool, pooled: bool = True) -> list[dict]:
    """Mantel-Haenszel case-crossover rows for binary exposures (module docstring)."""
    windows = matched_windows(panel, lag=lag, stratum_weeks=stratum_weeks)
    rows = []
    for name in names:
        exposed, unexposed = binary_masks(panel.frame, name)
        value = np.where(exposed, 1.0, np.where(unexposed, 0.0, np.nan))
        sets = _sets(windows, value)
        sets = sets.assign(
            ec=(sets["case"] & (sets["x"] == 1)).astype(int),
            uc=(sets["case"] & (sets["x"] == 0)).astype(int),
            er=(~sets["case"] & (sets["x"] == 1)).astype(int),
            ur=(~sets["case"] & (sets["x"] == 0)).astype(int),
        )
        per_set = sets.groupby(["athlete", "set"], sort=True)[["ec", "er", "uc", "ur"]].sum()
        owner = per_set.index.get_level_values("athlete").to_numpy()
        tables = per_set.to_numpy(dtype=np.int64).reshape(-1, 2, 2)
        # for the plain-language reason of a row without sets (summary.not_estimable_reason)
        known = exposed | unexposed
        recorded = {a: int(known[start:stop].sum()) for a, (start, stop) in panel.bounds.items()}
        cases = windows.loc[windows["case"]].groupby("athlete").size()
        onsets = {a: int(cases.get(a, 0)) for a in panel.bounds}
        for athlete in panel.bounds:
            row = _mh_row(athlete, name, lag, tables[owner == athlete], alpha, midp)
            rows.append({**row, "recorded_weeks": recorded[athlete], "onsets": onsets[athlete]})
        if pooled and len(panel.bounds) > 1:
            row = _mh_row("pooled", name, lag, tables, alpha, midp)
            rows.append({**row, "recorded_weeks": sum(recorded.values()), "onsets": sum(onsets.values())})
    return rows


def _mh_row(athlete, name, lag, tables, alpha, midp) -> dict:
    if len(tables):
        estimate = mh_odds_ratio(tables)
        ci_low, ci_high, p_exact, p_midp = common_odds_ratio_exact(tables, alpha=alpha, midp=midp)
    else:
        estimate = ci_low = ci_high = p_exact = p_midp = np.nan
    return {
        "athlete": athlete,
        "exposure": name,
        "method": "case_crossover",
        "lag_weeks": lag,
        "estimate": estimate,
        "ci_low": ci_low,
        "ci_high": ci_high,
        "p_exact": p_exact,
        "p_midp": p_midp,
        "p_permutation": np.nan,
        "exposed_n": int(tables[:, 0, :].sum()),
        "exposed_events": int(tables[:, 0, 0].sum()),
        "unexposed_n": int(tables[:, 1, :].sum()),
        "unexposed_events": int(tables[:, 1, 0].sum()),
    }


def conditional_logit_rows(panel: Panel, names: list[str], *, lag: int, stratum_weeks: int,
                           increments: dict, alpha: float, pooled: bool = True) -> list[dict]:
    """Conditional logistic regression rows for continuous exposures.

    The odds ratio is per ``increments[name]`` units of the exposure (10 percentage
    points of ``change_pct``, 10 km of ``distance_m`` by default); the interval and p
    are Wald's from :class:`~statsmodels.discrete.conditional_models.ConditionalLogit`.
    """
    windows = matched_windows(panel, lag=lag, stratum_weeks=stratum_weeks)
    complete = panel.frame["complete"].to_numpy(dtype=bool)
    rows = []
    for name in names:
        value = pd.to_numeric(panel.frame[name], errors="coerce").to_numpy(dtype=float)
        value = np.where(complete & np.isfinite(value), value, np.nan)
        step = float(increments.get(name, 1.0))
        sets = _sets(windows, value)
        groups = [(a, sets.loc[sets["athlete"] == a]) for a in panel.bounds]
        if pooled and len(panel.bounds) > 1:
            groups.append(("pooled", sets))
        for athlete, part in groups:
            rows.append(_clogit_row(athlete, name, lag, part, step, alpha))
    return rows


def _clogit_row(athlete, name, lag, part, step, alpha) -> dict:
    row = {
        "athlete": athlete,
        "exposure": name,
        "method": "conditional_logit",
        "lag_weeks": lag,
        "estimate": np.nan,
        "ci_low": np.nan,
        "ci_high": np.nan,
        "p_exact": np.nan,
        "p_midp": np.nan,
        "p_permutation": np.nan,
        "exposed_n": len(part),
        "exposed_events": int(part["case"].sum()),
        "unexposed_n": pd.NA,
        "unexposed_events": pd.NA,
        "increment": step,
        "fit_problem": pd.NA,
    }
    spread = part.groupby("set")["x"].agg(lambda s: s.max() - s.min()) if len(part) else pd.Series()
    if not (spread > 0).any():
        row["fit_problem"] = "no matched set in which the exposure varies"
        return row
    endog = part["case"].to_numpy(dtype=float)
    exog = (part["x"].to_numpy(dtype=float) / step)[:, None]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            fit = ConditionalLogit(endog, exog, groups=part["set"].to_numpy()).fit(disp=False)
        except (np.linalg.LinAlgError, ValueError) as exc:
            row["fit_problem"] = f"conditional logit failed: {exc}"
            return row
    beta = float(fit.params[0])
    low, high = np.asarray(fit.conf_int(alpha=alpha))[0]
    unbounded = not (np.isfinite(fit.bse[0]) and abs(low) < _MAX_LOG_OR and abs(high) < _MAX_LOG_OR)
    if unbounded or any("converge" in str(w.message).lower() for w in caught):
        # separation: the likelihood keeps rising as the odds ratio runs off
        row["fit_problem"] = ("the matched sets cannot bound the odds ratio "
                              "(separation: too few onsets for a regression)")
        return row
    row.update(estimate=float(np.exp(beta)), ci_low=float(np.exp(low)), ci_high=float(np.exp(high)),
               p_wald=float(fit.pvalues[0]))
    return row

"""Plain-language lines for the association table, and honest warnings.

Every result row gets one sentence a runner can read ("after a week more than 10%
above its reference, 3 of 11 weeks were followed by a pain onset the next week,
against 2 of 80 otherwise; risk ratio 11 (95% CI 1.6-74)") and, when the counts are
too small to say anything, a warning saying so.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

__all__ = ["exposure_phrase", "format_number", "not_estimable_reason", "summary_line", "warning_line"]

_PHRASES = {
    "flag_ramp": "a week more than 10% above its reference",
    "flag_missing_recovery": "a build week without the due recovery week",
    "flag_session_spike": "a week with a run over 10% longer than the longest of the 30 days before",
    "flag_acwr": "a week with a high acute:chronic workload ratio",
}

_UNITS = {
    "change_pct": ("percentage points more weekly change", 1.0),
    "distance_m": ("km more weekly distance", 1000.0),
}


def exposure_phrase(name: str) -> str:
    """Words for an exposure column: ``flag_ramp`` -> "a week more than 10% above ..."."""
    if name in _PHRASES:
        return _PHRASES[name]
    label = name[5:] if name.startswith("flag_") else name
    return f"a week flagged '{label.replace('_', ' ')}'"


def format_number(x) -> str:
    """Two significant figures, whole numbers from 10 up; '-' when undefined."""
    if x is None or pd.isna(x):
        return "-"
    x = float(x)
    if math.isinf(x):
        return "infinity"
    if x == 0:
        return "0"
    if abs(x) >= 1e4 or abs(x) < 1e-3:
        return f"{x:.1e}"
    if abs(x) >= 10:
        return f"{x:.0f}"
    return f"{x:.2g}"


def _later(lag: int) -> str:
    if lag == 0:
        return "in the same week"
    if lag == 1:
        return "the next week"
    return f"{lag} weeks later"


def _interval(row, level: str) -> str:
    if pd.isna(row["ci_low"]) and pd.isna(row["ci_high"]):
        return ""
    return f" ({level} CI {format_number(row['ci_low'])}\u2013{format_number(row['ci_high'])})"


def not_estimable_reason(row: dict) -> str | None:
    """Why a ratio row has no estimate (NaN), or None when it has one.

    Parameters
    ----------
    row : mapping
        One row of the association table (``method``, ``athlete``, ``estimate`` and
        the four counts).

    Returns
    -------
    str or None
        A plain-language reason, e.g. "no athlete had both exposed and unexposed
        weeks at risk with a pain onset among them" for a pooled Mantel-Haenszel
        row whose strata carry no information; None for a row with an estimate
        (including 0 and infinity) and for the correlation rows.

    Notes
    -----
    The Mantel-Haenszel ratio only uses strata (athletes) with both exposed and
    unexposed weeks at risk; it is undefined (0/0) when none of those strata has an
    onset, even if the totals over all athletes have onsets in both arms [1]_.

    References
    ----------
    .. [1] Rothman KJ, Greenland S, Lash TL. Modern Epidemiology, 3rd ed., 2008, ch. 15.
    """
    method = row["method"]
    if method not in ("lagged_risk_ratio", "case_crossover", "dose_response", "conditional_logit"):
        return None
    if not pd.isna(row["estimate"]):
        return None
    problem = row.get("fit_problem")
    if problem is not None and not pd.isna(problem):
        return str(problem)
    events = row["exposed_events"] + (0 if pd.isna(row["unexposed_events"]) else row["unexposed_events"])
    if events == 0:
        return "no new pain onset among the weeks at risk"
    if method == "conditional_logit":
        return "the model could not be fitted"
    if row["exposed_n"] == 0:
        return "no exposed weeks at risk"
    if row["unexposed_n"] == 0:
        return "no unexposed weeks at risk"
    if method == "case_crossover":
        return "no pain onset whose comparison weeks differed from it in the exposure"
    if row["athlete"] == "pooled":
        return "no athlete had both exposed and unexposed weeks at risk with a pain onset among them"
    return "the counts do not define a ratio"


def _estimate(row, level: str) -> str:
    reason = not_estimable_reason(row)
    if reason is not None:
        return f"not estimable ({reason})"
    return f"{format_number(row['estimate'])}{_interval(row, level)}"


def summary_line(row: dict, *, level: str = "95%") -> str:
    """One sentence for one result row (a mapping with the association columns).

    A ratio row without an estimate reads "... risk ratio not estimable (<reason>)"
    (see :func:`not_estimable_reason`) instead of showing a dash.
    """
    method = row["method"]
    lag = int(row["lag_weeks"])
    who = "" if row["athlete"] != "pooled" else "All athletes together: "
    est = _estimate(row, level)
    if method in ("lagged_risk_ratio", "dose_response"):
        if method == "lagged_risk_ratio":
            after, otherwise = f"after {exposure_phrase(row['exposure'])}", "otherwise"
        else:
            category, _, reference = str(row["exposure"]).partition(" vs ")
            after, otherwise = f"after weeks with {category}", f"after {reference} weeks"
        return (
            f"{who}{after}, {row['exposed_events']} of {_n(row['exposed_n'], 'week')} "
            f"{'was' if row['exposed_events'] == 1 else 'were'} followed by a pain onset "
            f"{_later(lag)}, against {row['unexposed_events']} of {row['unexposed_n']} "
            f"{otherwise}; risk ratio {est}"
        )
    if method == "case_crossover":
        cases = row["exposed_events"] + row["unexposed_events"]
        refs = row["exposed_n"] + row["unexposed_n"] - cases
        exposed_refs = row["exposed_n"] - row["exposed_events"]
        when = "in the week of" if lag == 0 else ("in the week before" if lag == 1 else f"{lag} weeks before")
        return (
            f"{who}{row['exposed_events']} of {_n(cases, 'pain onset')} "
            f"had {exposure_phrase(row['exposure'])} {when} {'it' if cases == 1 else 'them'}, "
            f"against {exposed_refs} of {_n(refs, 'comparison week')} of the same athletes in "
            f"the same calendar blocks; odds ratio {est}"
        )
    if method == "conditional_logit":
        words, per = _UNITS.get(row["exposure"], (f"units more {row['exposure']}", 1.0))
        step = format_number(row.get("increment", 1.0) / per)
        when = "in the week of" if lag == 0 else ("in the week before" if lag == 1 else f"{lag} weeks before")
        return (
            f"{who}each {step} {words} {when} a pain onset: odds ratio {est}, "
            f"from {_n(row['exposed_events'], 'onset')} compared with their own other weeks"
        )
    if method == "lagged_correlation":
        return (
            f"Spearman correlation of {row['exposure']} with pain severity {_later(lag)}: "
            f"rho {format_number(row['estimate'])} over {_n(row['exposed_n'], 'week')} "
            f"(permutation p {format_number(row['p_permutation'])}); a description, not a cause"
        )
    return f"{method} {row['exposure']}: {format_number(row['estimate'])}"


def _n(count, noun: str) -> str:
    """``count`` and ``noun``, plural unless the count is one ("1 week", "3 weeks")."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def warning_line(row: dict, *, min_events: int = 5, no_episodes: bool = False) -> str | None:
    """Why a row cannot say much, or None."""
    if no_episodes:
        return "no pain episodes in the log: nothing to relate the load to"
    problem = row.get("fit_problem")
    if problem is not None and not pd.isna(problem):
        return str(problem)
    method = row["method"]
    if method == "lagged_correlation":
        if row["exposed_n"] < 10:
            return f"only {row['exposed_n']} weeks to correlate: too few to say anything"
        if row["exposed_events"] == 0:
            return "no week with pain in the paired weeks: the correlation is undefined"
        return None
    events = row["exposed_events"] + (0 if pd.isna(row["unexposed_events"]) else row["unexposed_events"])
    if events == 0:
        return "no new pain onset among the weeks at risk: nothing to estimate"
    if method != "conditional_logit":
        if row["exposed_n"] == 0:
            return "no exposed weeks at risk: nothing to compare"
        if row["unexposed_n"] == 0:
            return "no unexposed weeks at risk: nothing to compare"
    reason = not_estimable_reason(row)
    if reason is not None:
        return f"not estimable: {reason}"
    if events < min_events:
        low, high = row["ci_low"], row["ci_high"]
        span = ""
        if not (pd.isna(low) or pd.isna(high)):
            span = f" (the interval runs from {format_number(low)} to {format_number(high)})"
        onsets = "pain onset" if events == 1 else "pain onsets"
        return f"only {events} {onsets}: too few to say anything{span}"
    if np.isinf(row["ci_high"]) or row["ci_low"] == 0:
        return "an empty cell: the interval is unbounded on one side"
    return None

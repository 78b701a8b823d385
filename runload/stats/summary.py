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

__all__ = ["exposure_phrase", "format_number", "summary_line", "warning_line"]

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


def summary_line(row: dict, *, level: str = "95%") -> str:
    """One sentence for one result row (a mapping with the association columns)."""
    method = row["method"]
    lag = int(row["lag_weeks"])
    who = "" if row["athlete"] != "pooled" else "All athletes together: "
    est = format_number(row["estimate"])
    if method in ("lagged_risk_ratio", "dose_response"):
        if method == "lagged_risk_ratio":
            after, otherwise = f"after {exposure_phrase(row['exposure'])}", "otherwise"
        else:
            category, _, reference = str(row["exposure"]).partition(" vs ")
            after, otherwise = f"after weeks with {category}", f"after {reference} weeks"
        return (
            f"{who}{after}, {row['exposed_events']} of {row['exposed_n']} weeks were followed by a "
            f"pain onset {_later(lag)}, against {row['unexposed_events']} of {row['unexposed_n']} "
            f"{otherwise}; risk ratio {est}{_interval(row, level)}"
        )
    if method == "case_crossover":
        cases = row["exposed_events"] + row["unexposed_events"]
        refs = row["exposed_n"] + row["unexposed_n"] - cases
        exposed_refs = row["exposed_n"] - row["exposed_events"]
        when = "in the week of" if lag == 0 else ("in the week before" if lag == 1 else f"{lag} weeks before")
        return (
            f"{who}{row['exposed_events']} of {cases} pain onsets had {exposure_phrase(row['exposure'])} "
            f"{when} them, against {exposed_refs} of {refs} comparison weeks of the same athletes in "
            f"the same calendar blocks; odds ratio {est}{_interval(row, level)}"
        )
    if method == "conditional_logit":
        words, per = _UNITS.get(row["exposure"], (f"units more {row['exposure']}", 1.0))
        step = format_number(row.get("increment", 1.0) / per)
        when = "in the week of" if lag == 0 else ("in the week before" if lag == 1 else f"{lag} weeks before")
        return (
            f"{who}each {step} {words} {when} a pain onset: odds ratio {est}{_interval(row, level)}, "
            f"from {row['exposed_events']} onsets compared with their own other weeks"
        )
    if method == "lagged_correlation":
        return (
            f"Spearman correlation of {row['exposure']} with pain severity {_later(lag)}: "
            f"rho {format_number(row['estimate'])} over {row['exposed_n']} weeks "
            f"(permutation p {format_number(row['p_permutation'])}); a description, not a cause"
        )
    return f"{method} {row['exposure']}: {est}"


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

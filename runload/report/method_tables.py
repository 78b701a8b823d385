"""One table per association method: its headers, counts, estimates and p-values.

:data:`P_LABELS` names each p-value column for its test; ``_METHOD_VIEWS`` says, per
method, what its estimate and counts are and which p-value is its headline.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from .flagged import _flag_name
from .format import _MISSING, _dist, _e, _num, _table

#: The p-value columns of the association tables, with their names in the report.
P_LABELS = {
    "p_permutation": "p (permutation)",
    "p_exact": "p (Fisher exact)",
    "p_midp": "p (mid-p)",
    "p_wald": "p (Wald)",
}

#: How each method's rows are shown: title, what its counts are, its estimate and its
#: p-values, headline first (the order of ``p_value`` in ``runload.associate``; see
#: ``docs/pain_analysis.md``, "Which p-value"). ``p_wald`` is the conditional logit's
#: ``p_value`` (the table has no column of its own for it).
_METHOD_VIEWS: dict[str, dict[str, Any]] = {
    "lagged_risk_ratio": {
        "title": "Lagged risk ratio: onsets after flagged weeks and after other weeks",
        "estimate": "risk ratio",
        "ci": "ratio",
        "p": ("p_permutation", "p_midp", "p_exact"),
        "counts": ("exposed weeks: followed by an onset / at risk",
                   "unexposed weeks: followed by an onset / at risk"),
        "about": "Weeks at risk (pain free and clear of any episode and its washout), split by "
                 "the exposure, and how many were followed by a new pain onset at the lag.",
        "why": "with a runner's few onsets Fisher's exact test and its mid-p are valid but "
               "raise far fewer than 5% false alarms, while the permutation p (circular shift "
               "of the episode pattern) holds the 5% level; when no permutations were run the "
               "mid-p is the headline",
    },
    "case_crossover": {
        "title": "Case-crossover: the week before each onset against comparison weeks",
        "estimate": "odds ratio (Mantel–Haenszel)",
        "ci": "ratio",
        "p": ("p_midp", "p_exact"),
        "counts": ("onsets: hazard week exposed / all onsets",
                   "comparison weeks: exposed / all"),
        "about": "Each pain onset is compared with itself: its hazard week (the week at the lag "
                 "before the onset) against the other weeks at risk of the same calendar block "
                 "(its comparison weeks). Onsets without a comparison week are left out.",
        "why": "the mid-p of the exact conditional test (no permutation p is computed for "
               "this design); Fisher's exact p is the same test without the mid-p correction",
    },
    "conditional_logit": {
        "title": "Case-crossover, continuous exposures: conditional logistic regression",
        "estimate": "odds ratio",
        "ci": "wald",
        "p": ("p_wald",),
        "counts": ("onsets (matched sets)", "weeks compared (hazard and comparison weeks)"),
        "about": "The same matched sets as the case-crossover, with the exposure as a number: "
                 "the odds ratio is per increment of the exposure.",
        "why": "the Wald p of the regression is the only p-value",
    },
    "dose_response": {
        "title": "Dose-response: each category against the lowest",
        "estimate": "risk ratio",
        "ci": "ratio",
        "p": ("p_permutation", "p_midp", "p_exact"),
        "counts": ("category weeks: followed by an onset / at risk",
                   "reference weeks: followed by an onset / at risk"),
        "about": "Lagged risk ratios of weeks in a category of weekly progression or session "
                 "spike against weeks of the lowest category.",
        "why": "as for the lagged risk ratio, the permutation p (the mid-p when no "
               "permutations were run)",
    },
    "lagged_correlation": {
        "title": "Lagged correlation with pain severity (a description, not a test of cause)",
        "estimate": "Spearman ρ",
        "ci": None,
        "p": ("p_permutation",),
        "counts": ("week pairs", "pairs with pain in the later week"),
        "about": "Spearman's correlation between a week's exposure and the pain severity at "
                 "the lag.",
        "why": "the permutation p is the only p-value (the textbook p of a correlation of "
               "autocorrelated weeks is far too small)",
    },
}


def _ratio_num(value: Any) -> str:
    """An estimate or a limit: two decimals, ∞ for an unbounded one."""
    if value is not None and not pd.isna(value) and np.isinf(value):
        return "∞" if value > 0 else "−∞"
    return _num(value, "{:.2f}")


def _interval(row: Mapping[str, Any]) -> str:
    low, high = row.get("ci_low"), row.get("ci_high")
    if (low is None or pd.isna(low)) and (high is None or pd.isna(high)):
        return _MISSING
    return f'<span class="nowrap">{_ratio_num(low)} – {_ratio_num(high)}</span>'


def _p_of(row: Mapping[str, Any], column: str) -> Any:
    return row.get("p_value") if column == "p_wald" else row.get(column)


def _headline_p(row: Mapping[str, Any], columns: Sequence[str]) -> str | None:
    """Which of ``columns`` the row's headline ``p_value`` is (the first that equals it)."""
    value = row.get("p_value")
    if value is None or pd.isna(value):
        return None
    for column in columns:
        p = _p_of(row, column)
        if p is not None and not pd.isna(p) and float(p) == float(value):
            return column
    return None


def _p_cell(row: Mapping[str, Any], column: str, headline: str | None) -> str:
    text = _num(_p_of(row, column), "{:.3f}")
    if column == headline:
        return f'<strong title="the headline p-value of this row">{text}</strong>'
    return text


def _ratio(events: Any, n: Any) -> str:
    return f"{_e(events)} / {_e(n)}"


def _counts(row: Mapping[str, Any], method: str) -> list[str]:
    """The two count cells of a row, as the method's headers describe them."""
    if method == "case_crossover":
        a, c = int(row["exposed_events"]), int(row["unexposed_events"])
        onsets = a + c
        refs = int(row["exposed_n"]) + int(row["unexposed_n"]) - onsets
        return [_ratio(a, onsets), _ratio(int(row["exposed_n"]) - a, refs)]
    if method == "conditional_logit":
        return [_e(row.get("exposed_events")), _e(row.get("exposed_n"))]
    if method == "lagged_correlation":
        return [_e(row.get("exposed_n")), _e(row.get("exposed_events"))]
    return [_ratio(row.get("exposed_events"), row.get("exposed_n")),
            _ratio(row.get("unexposed_events"), row.get("unexposed_n"))]


def _increment(row: Mapping[str, Any], units: str) -> str:
    step = row.get("increment")
    if step is None or pd.isna(step):
        return _MISSING
    if row.get("exposure") == "distance_m":
        return f"per {_dist(step, units, 0)} {units} more weekly distance"
    if row.get("exposure") == "change_pct":
        return f"per {step:g} percentage points more weekly change"
    return f"per {step:g} more {_e(row.get('exposure'))}"


def _exposure_cell(row: Mapping[str, Any]) -> str:
    name = str(row.get("exposure"))
    return _e(_flag_name(name) if name.startswith("flag_") else name)


def _method_table(rows: list[dict], method: str, *, several: bool, level: str,
                  ci_method: str, units: str) -> str:
    view = _METHOD_VIEWS[method]
    p_columns = list(view["p"])
    ci = {"ratio": f"{level} CI ({ci_method})", "wald": f"{level} CI (Wald)", None: None}[view["ci"]]
    headers = (["athlete"] if several else []) + ["exposure", "lag (weeks)", view["estimate"]]
    if method == "conditional_logit":
        headers.append("odds ratio refers to")
    if ci:
        headers.append(ci)
    headers += [P_LABELS[c] for c in p_columns] + list(view["counts"])
    body = []
    for r in rows:
        headline = _headline_p(r, p_columns)
        cells = ([_e(r.get("athlete"))] if several else []) + [
            _exposure_cell(r), _e(r.get("lag_weeks")), _ratio_num(r.get("estimate"))]
        if method == "conditional_logit":
            cells.append(_increment(r, units))
        if ci:
            cells.append(_interval(r))
        cells += [_p_cell(r, c, headline) for c in p_columns] + _counts(r, method)
        body.append(cells)
    first = 2 + several  # the lag
    numeric = [i for i, h in enumerate(headers) if i >= first and h != "odds ratio refers to"
               and not (ci and h == ci)]
    lines = "".join(
        f"<li>{_e(r.get('summary'))}"
        + ("" if r.get("warning") is None or pd.isna(r.get("warning")) else
           f' <span class="warn">({_e(r.get("warning"))})</span>') + "</li>"
        for r in rows)
    headline_name = P_LABELS[p_columns[0]]
    return (f'<h3 id="assoc-{method.replace("_", "-")}">{_e(view["title"])}</h3>'
            f"<p>{_e(view['about'])} Headline p: <b>{_e(headline_name)}</b>: {_e(view['why'])}."
            "</p>"
            + _table(headers, body, numeric=numeric, stack=True)
            + f'<ul class="lines">{lines}</ul>')

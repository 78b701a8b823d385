"""Plain-language lines for the association table, and honest warnings.

Every result row gets one sentence a runner can read ("after a week more than 10%
above its reference, 3 of 11 weeks were followed by a pain onset the next week,
against 2 of 80 otherwise; risk ratio 11 (95% CI 1.6-74)") and, when the counts are
too small to say anything, a warning saying so: a ratio that cannot be estimated says
why (an exposure never recorded comes before "no onset"), and a ratio resting on a
tiny exposed or unexposed group gets a sparse-data warning (:func:`warning_line`).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

__all__ = ["MIN_GROUP_WEEKS", "exposure_phrase", "format_number", "not_estimable_reason", "sparse_group",
           "summary_line", "warning_line"]

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
        the four counts); optionally ``recorded_weeks`` (complete weeks with the
        exposure recorded, set by the lagged and dose-response rows) and ``onsets``
        (onsets with a hazard window at risk, set by the case-crossover rows).

    Returns
    -------
    str or None
        A plain-language reason, e.g. "no week had this recorded" for a habit that was
        never logged, "every week at risk was flagged, none without it to compare
        with", or "no athlete had both exposed and unexposed weeks at risk with a pain
        onset among them" for a pooled Mantel-Haenszel row whose strata carry no
        information; None for a row with an estimate (including 0 and infinity) and
        for the correlation rows.

    Notes
    -----
    The reasons are tried from the most basic up: an exposure never recorded, no
    week at risk with it recorded, no exposed or no unexposed group to compare, and
    only then no onset. A ratio needs both groups; "no new pain onset" is only the
    reason when both groups exist (a runner with seven onsets and a habit that was
    never logged would otherwise read "no new pain onset").

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
    if method == "conditional_logit":
        return "no new pain onset among the weeks at risk" if events == 0 else "the model could not be fitted"
    recorded = row.get("recorded_weeks")
    exposed_n, unexposed_n = row["exposed_n"], row["unexposed_n"]
    if method == "dose_response":
        if recorded is not None and not pd.isna(recorded) and recorded == 0:
            return "no week fell in this category or in the reference category"
        if exposed_n == 0 and unexposed_n == 0:
            return ("no week in these categories was at risk (they all fell in or just after "
                    "a pain episode)")
        if exposed_n == 0:
            return "no week at risk fell in this category, so there is nothing to compare"
        if unexposed_n == 0:
            return "no week at risk fell in the reference category, so there is nothing to compare with"
    elif method == "case_crossover":
        if recorded is not None and not pd.isna(recorded) and recorded == 0:
            return "no week had this recorded"
        onsets = row.get("onsets")
        if exposed_n == 0 and unexposed_n == 0:
            if onsets is not None and not pd.isna(onsets) and onsets == 0:
                return "no new pain onset among the weeks at risk"
            return ("no pain onset had this recorded in the week before it and in a comparison "
                    "week of the same calendar block")
        if exposed_n == 0:
            return ("neither the weeks before the onsets nor their comparison weeks were flagged, "
                    "so there is nothing to compare")
        if unexposed_n == 0:
            return ("the weeks before the onsets and their comparison weeks were all flagged, "
                    "none without it to compare with")
    else:
        if recorded is not None and not pd.isna(recorded) and recorded == 0:
            return "no week had this recorded"
        if exposed_n == 0 and unexposed_n == 0:
            return ("no week with this recorded was at risk (they all fell in or just after "
                    "a pain episode)")
        if exposed_n == 0:
            return "no week at risk was flagged, so there is nothing to compare"
        if unexposed_n == 0:
            return "every week at risk was flagged, none without it to compare with"
    if events == 0:
        return "no new pain onset among the weeks at risk"
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


#: Fewer weeks at risk than this in the exposed or the unexposed group (for the
#: case-crossover: exposed or unexposed hazard and comparison weeks) puts a
#: sparse-data warning on a ratio row, whatever the total number of onsets.
MIN_GROUP_WEEKS = 5


def warning_line(row: dict, *, min_events: int = 5, no_episodes: bool | str = False,
                 min_group_weeks: int = MIN_GROUP_WEEKS) -> str | None:
    """Why a row cannot say much, or None.

    Parameters
    ----------
    row : mapping
        One row of the association table.
    min_events : int, default 5
        Fewer onsets than this in the row: "only N pain onsets: too few to say
        anything".
    no_episodes : bool or str, default False
        No episode to relate the load to: ``True`` when the pain log was empty, or the
        warning to give (why none of the log's episodes could be used).
    min_group_weeks : int, default :data:`MIN_GROUP_WEEKS` (5)
        Fewer weeks than this in the exposed or the unexposed group of a ratio row
        (lagged, dose-response, case-crossover): a sparse-data warning, even when the
        row has enough onsets in total.

    Returns
    -------
    str or None
        The first that applies: no episodes; a fit problem; not estimable (with the
        reason of :func:`not_estimable_reason`); too few onsets; a tiny group; an
        interval open on one side.

    Notes
    -----
    *Tiny groups.* A ratio whose exposed (or unexposed) group holds a handful of
    weeks rests on a cell of zero, one or two onsets: "1 of 1 week was followed by an
    onset, against 6 of 66" gives a risk ratio of 11 from a single week. Estimates
    from such sparse cells are unstable and biased away from 1 (sparse-data bias),
    whatever the total number of onsets [1]_; an exact interval keeps its coverage
    but the point estimate should not be read. The threshold of 5 weeks is a
    convention, the same number as ``min_events`` and as the familiar rule of thumb of
    about five per cell of a 2x2 table; the warning says which group is small and how
    many onsets it holds, so a reader can judge.

    References
    ----------
    .. [1] Greenland S, Mansournia MA, Altman DG. Sparse data bias: a problem hiding in
       plain sight. BMJ 2016;352:i1981.
    """
    if isinstance(no_episodes, str):
        return no_episodes
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
    reason = not_estimable_reason(row)
    if reason is not None:
        return f"not estimable: {reason}"
    events = row["exposed_events"] + (0 if pd.isna(row["unexposed_events"]) else row["unexposed_events"])
    if events < min_events:
        low, high = row["ci_low"], row["ci_high"]
        span = ""
        if not (pd.isna(low) or pd.isna(high)):
            span = f" (the interval runs from {format_number(low)} to {format_number(high)})"
        onsets = "pain onset" if events == 1 else "pain onsets"
        return f"only {events} {onsets}: too few to say anything{span}"
    sparse = sparse_group(row, min_group_weeks=min_group_weeks)
    if sparse is not None:
        return sparse
    if np.isinf(row["ci_high"]) or row["ci_low"] == 0:
        return "an empty cell: the interval is unbounded on one side"
    return None


def sparse_group(row: dict, *, min_group_weeks: int = MIN_GROUP_WEEKS) -> str | None:
    """The sparse-data warning of a ratio row whose exposed or unexposed group is tiny.

    Returns None for the conditional logit and the correlation rows, and when both
    groups hold at least ``min_group_weeks`` weeks (see :func:`warning_line`).
    """
    method = row["method"]
    if method not in ("lagged_risk_ratio", "dose_response", "case_crossover"):
        return None
    exposed_n, unexposed_n = row["exposed_n"], row["unexposed_n"]
    if pd.isna(exposed_n) or pd.isna(unexposed_n):
        return None
    tail = ": too few for a reliable ratio (with so few weeks it tends to be exaggerated: sparse data)"
    if exposed_n < min_group_weeks:
        n, events = int(exposed_n), int(row["exposed_events"])
        which = {"lagged_risk_ratio": "flagged week at risk", "dose_response": "week at risk in this category",
                 "case_crossover": "flagged week among the onsets' and comparison weeks"}[method]
    elif unexposed_n < min_group_weeks:
        n, events = int(unexposed_n), int(row["unexposed_events"])
        which = {"lagged_risk_ratio": "unflagged week at risk",
                 "dose_response": "week at risk in the reference category",
                 "case_crossover": "unflagged week among the onsets' and comparison weeks"}[method]
    else:
        return None
    noun = which if n == 1 else which.replace("week", "weeks", 1)
    onsets = "case" if method == "case_crossover" else "onset"
    count = f"{events} {onsets}{'' if events == 1 else 's'}"
    after = "among them" if method == "case_crossover" else ("after it" if n == 1 else "after them")
    return f"only {n} {noun} ({count} {after}){tail}"

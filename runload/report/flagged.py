"""The weekly load flags: their names, the rules in words, the Flagged weeks section.

The mileage (load) flags are the ``flag_*`` columns of the weekly table except the
habit flags of :mod:`runload.habits`, which go to the prevention checklist.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from ..columns import WEEKLY
from .format import _MISSING, _check_units, _dcell, _dist, _e, _num, _pct, _table
from .methods import _ref
from .parameters import _parameters

#: Short names of the weekly flags, as the report shows them.
FLAG_NAMES = {
    "flag_ramp": "10% rule",
    "flag_missing_recovery": "no recovery week",
    "flag_session_spike": "session spike",
    "flag_acwr": "high ACWR",
}


def _habit_flags() -> dict[str, str]:
    """The habit flag columns of :mod:`runload.habits` and their checklist names."""
    try:
        from ..habits.rules import HABIT_NAMES
    except ImportError:
        return {}
    return dict(HABIT_NAMES)


def _flag_columns(weekly: pd.DataFrame) -> list[str]:
    """The mileage (load) flag columns; the habit flags go to the prevention checklist."""
    habits = _habit_flags()
    return [c for c in weekly.columns if c.startswith("flag_") and c not in habits]


def _has_habits(weekly: pd.DataFrame) -> bool:
    return any(c in weekly.columns for c in _habit_flags())


def _flag_name(column: str) -> str:
    return FLAG_NAMES.get(column, column.removeprefix("flag_").replace("_", " "))


def _evidence_labels() -> dict[str, str]:
    """The library's evidence label of each flag, keyed by flag column."""
    labels: dict[str, str] = {}
    for module in ("runload.flags", "runload.load", "runload.habits"):
        try:
            found = getattr(__import__(module, fromlist=["EVIDENCE"]), "EVIDENCE", None)
        except ImportError:
            continue
        for key, value in dict(found or {}).items():
            column = key if str(key).startswith("flag_") else f"flag_{key}"
            labels.setdefault(column, str(value))
    return labels


def _any_flag(weekly: pd.DataFrame) -> pd.Series:
    flags = _flag_columns(weekly)
    if not flags:
        return pd.Series(False, index=weekly.index)
    return weekly[flags].fillna(False).astype(bool).any(axis=1)


def _rule_text(column: str, row: Mapping[str, Any], params: Mapping[str, Any], units: str) -> str:
    """The rule a flagged week broke, in words, with this week's numbers."""
    if column == "flag_ramp":
        limit = params.get("max_increase", 0.10)
        return (f"up {_pct(row.get('change_pct'))} on the reference week "
                f"({_dist(row.get('distance_m'), units)} vs {_dist(row.get('reference_m'), units)} "
                f"{units}); the rule allows +{limit:.0%}")
    if column == "flag_missing_recovery":
        return (f"{row.get('build_streak', _MISSING)} build weeks in a row without a recovery week "
                f"(allowed: {params.get('max_build_weeks', 4)}; a recovery week is "
                f"≥{params.get('recovery_drop', 0.20):.0%} lower)")
    if column == "flag_session_spike":
        spike = params.get("spike", 0.10)
        return (f"a run {_pct(row.get('max_spike_pct'))} longer than any run of the 30 days "
                f"before it (the rule allows +{spike:.0%}); this week's longest run: "
                f"{_dist(row.get('longest_run_m'), units)} {units}")
    if column == "flag_acwr":
        ratio = row.get("acwr_rolling")
        return (f"acute:chronic workload ratio {_num(ratio, '{:.2f}')} above "
                f"{params.get('acwr_threshold', 1.5)}")
    return _e(WEEKLY.get(column, ("", column.removeprefix("flag_").replace("_", " ")))[1])


def flagged_weeks(weekly: pd.DataFrame, *, units: str = "km") -> pd.DataFrame:
    """One row per flagged week and flag: the rule broken, in words, and its evidence.

    Parameters
    ----------
    weekly : DataFrame
        Weekly table with flag columns.
    units : {'km', 'mi'}
        Units of the distances in the text.

    Returns
    -------
    DataFrame
        Columns ``athlete``, ``week_start``, ``distance_m``, ``flag``, ``rule``,
        ``evidence``, sorted by athlete and week.
    """
    _check_units(units)
    params = _parameters(weekly)
    evidence = _evidence_labels()
    records = []
    for column in _flag_columns(weekly):
        hit = weekly[weekly[column].fillna(False).astype(bool)]
        for row in hit.to_dict("records"):
            records.append({
                "athlete": row.get("athlete"),
                "week_start": row.get("week_start"),
                "distance_m": row.get("distance_m"),
                "flag": column,
                "rule": _rule_text(column, row, params, units),
                "evidence": evidence.get(column, pd.NA),
            })
    out = pd.DataFrame.from_records(
        records, columns=["athlete", "week_start", "distance_m", "flag", "rule", "evidence"])
    order = {c: i for i, c in enumerate(_flag_columns(weekly))}
    out = out.assign(_o=out["flag"].map(order)).sort_values(
        ["athlete", "week_start", "_o"], kind="stable")
    return out.drop(columns="_o").reset_index(drop=True)


#: Flag rows shown before "show the earlier flags".
_FLAGGED_SHOWN = 20


def _flagged_section(weekly: pd.DataFrame, units: str) -> str:
    table = flagged_weeks(weekly, units=units)
    several = weekly["athlete"].nunique() > 1
    table = table.sort_values(["athlete", "week_start"], ascending=[True, False], kind="stable")
    intro = ("<p>Each row is one rule a week broke, latest week first. The evidence label says how well research "
             "supports the rule as an injury warning; the 10% rule in particular is a heuristic "
             f"{_ref('buist2008')}.</p>")
    if table.empty:
        return (f'<section id="flagged"><h2>Flagged weeks</h2>{intro}'
                "<p>No week was flagged.</p></section>")
    headers = (["athlete"] if several else []) + [
        "week", f"distance ({units})", "rule", "what happened", "evidence"]
    rows = [
        ([_e(r["athlete"])] if several else []) + [
            _dcell(r["week_start"]),
            _dist(r["distance_m"], units),
            _e(_flag_name(r["flag"])),
            _e(r["rule"]),
            _e(r["evidence"]),
        ]
        for r in table.to_dict("records")
    ]
    shown = _table(headers, rows[:_FLAGGED_SHOWN], numeric=[1 + several], stack=True)
    if len(rows) > _FLAGGED_SHOWN:
        shown += (f"<details><summary>Show the {len(rows) - _FLAGGED_SHOWN} earlier "
                  "flags</summary>"
                  + _table(headers, rows[_FLAGGED_SHOWN:], numeric=[1 + several], stack=True)
                  + "</details>")
    return f'<section id="flagged"><h2>Flagged weeks</h2>{intro}{shown}</section>'

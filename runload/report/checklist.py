"""The Prevention checklist section: ✓ / ✗ / – per week and habit, with evidence labels."""

from __future__ import annotations

from typing import Any

import pandas as pd

from .charts import _checklist_chart
from .flagged import _habit_flags
from .format import _MISSING, _dcell, _e, _plural, _table

#: Weeks of the prevention checklist shown (table and chart), latest first.
CHECKLIST_WEEKS = 16

_SYMBOL_CLASS = {"✓": "kept", "✗": "missed", "–": "unjudged"}
_SYMBOL_WORD = {"✓": "kept", "✗": "missed", "–": "not judged"}


def _checklist_cell(symbol: Any, habit: str) -> str:
    text = _MISSING if symbol is None or pd.isna(symbol) else str(symbol)
    word = _SYMBOL_WORD.get(text, "not judged")
    return (f'<span class="check {_SYMBOL_CLASS.get(text, "unjudged")}" '
            f'title="{_e(habit)}: {word}">{_e(text)}</span>')


def _checklist_section(weekly: pd.DataFrame, *, last_weeks: int = CHECKLIST_WEEKS) -> str:
    """The prevention checklist: ✓ / ✗ / – per week and habit, with evidence labels."""
    from ..habits import prevention_checklist

    table = prevention_checklist(weekly, load_flags=True)
    evidence: dict[str, str] = dict(table.attrs.get("evidence") or {})
    flags: dict[str, str] = dict(table.attrs.get("flags") or {})
    habits = _habit_flags()
    names = list(flags)
    athletes = [str(a) for a in pd.unique(table["athlete"].dropna())]
    several = len(athletes) > 1
    shown_weeks = min(last_weeks, int(table.groupby("athlete", dropna=False).size().max()))
    head = ('<section id="checklist"><h2>Prevention checklist</h2>'
            "<p>Each week's prevention habits (cross-training, strength, core work and full "
            "rehab after back pain, strides, shoe rotation, sleep, uneven surfaces) next to the "
            "mileage rules, for the last "
            f"{_plural(shown_weeks, 'week')} (latest first): ✓ kept, ✗ missed, – not judged "
            "(a partial week, a rule that does not apply yet, or nothing recorded: missing "
            "data never counts as kept). For the mileage rules ✓ means the flag was not "
            "raised.</p><p><b>Evidence.</b> The habits are expert, physiotherapist or coaching "
            "advice, not trial results: none of their thresholds was tested for preventing "
            "running injuries or back pain. Hover a column header, or read the legend below, "
            "for each rule's evidence label.</p>")
    headers = (["athlete"] if several else []) + ["week"] + [
        f'<span title="{_e(evidence.get(n, ""))}">{_e(n)}</span>' for n in names]
    parts = [head]
    for athlete in athletes or [None]:
        mine = table if athlete is None else table[table["athlete"].astype("string") == athlete]
        shown = mine.sort_values("week_start", ascending=False, kind="stable").head(last_weeks)
        if several:
            parts.append(f"<h3>{_e(athlete)}</h3>")
        parts.append(_checklist_chart(weekly, athlete, len(names),
                                      min(last_weeks, len(mine))))
        rows = [
            ([_e(r["athlete"])] if several else [])
            + [_dcell(r["week_start"]) + ("" if r.get("complete", True)
                                          else " <span class=muted>(partial)</span>")]
            + [_checklist_cell(r[n], n) for n in names]
            for r in shown.to_dict("records")
        ]
        parts.append(_table(headers, rows, table_id="checklist-table" if not several else None))
    legend = "".join(
        f"<dt>{_e(n)}</dt><dd>{'habit' if flags[n] in habits else 'mileage rule'}; "
        f"{_e(evidence.get(n))}</dd>" for n in names)
    parts.append('<h3>Evidence labels</h3><dl class="params evidence">' + legend + "</dl>")
    parts.append("<p class=note>The associations below treat each habit flag (a missed habit) "
                 "as an exposure like the mileage flags. Habit rules and thresholds: "
                 "docs/habits.md.</p></section>")
    return "".join(parts)

"""The Weekly mileage section (the charts) and the All weeks section (the table)."""

from __future__ import annotations

import pandas as pd

from .athletes import _episodes_of
from .charts import _weekly_chart
from .flagged import _flag_columns, _flag_name
from .format import _dcell, _dist, _e, _pct, _plural, _table


def _chart_section(weekly: pd.DataFrame, episodes: pd.DataFrame | None, units: str) -> str:
    athletes = list(pd.unique(weekly["athlete"].astype("string").fillna("runner")))
    parts = ['<section id="chart"><h2>Weekly mileage</h2>']
    for athlete in athletes:
        mine = weekly[weekly["athlete"].astype("string").fillna("runner") == athlete]
        who = f" for {athlete}" if len(athletes) > 1 else ""
        if len(athletes) > 1:
            parts.append(f"<h3>{_e(athlete)}</h3>")
        parts.append(_weekly_chart(mine, _episodes_of(episodes, athlete, len(athletes)), units,
                                   who=who))
    parts.append("</section>")
    return "".join(parts)


def _onset_days(episodes: pd.DataFrame | None, athlete: str, n_athletes: int) -> pd.Series:
    """The days (midnight, as written) on which ``athlete``'s back-pain episodes began."""
    mine = _episodes_of(episodes, athlete, n_athletes)
    if mine is None or not len(mine):
        return pd.Series([], dtype="datetime64[ns]")
    return pd.to_datetime(mine["onset"]).dt.to_period("D").dt.start_time


def _weeks_section(weekly: pd.DataFrame, episodes: pd.DataFrame | None, units: str) -> str:
    flags = _flag_columns(weekly)
    several = weekly["athlete"].nunique() > 1
    names = weekly["athlete"].astype("string").fillna("runner")
    athletes = list(pd.unique(names))
    onsets = {athlete: _onset_days(episodes, athlete, len(athletes)) for athlete in athletes}
    headers = (["athlete"] if several else []) + [
        "week", f"distance ({units})", "runs", f"longest ({units})", "change", "recovery",
        "streak", "flags"] + (["pain onsets"] if episodes is not None else [])
    rows = []
    for r in weekly.assign(_who=names).sort_values(["athlete", "week_start"]).to_dict("records"):
        week = pd.Timestamp(r["week_start"])
        raised = [_flag_name(c) for c in flags if bool(r.get(c)) and not pd.isna(r.get(c))]
        cells = ([_e(r["athlete"])] if several else []) + [
            _dcell(week) + ("" if r.get("complete", True) else " <span class=muted>(partial)</span>"),
            _dist(r["distance_m"], units),
            _e(r.get("runs")),
            _dist(r.get("longest_run_m"), units),
            _pct(r.get("change_pct")),
            "yes" if r.get("recovery_week") is True else "",
            _e(r.get("build_streak")),
            _e(", ".join(raised)),
        ]
        if episodes is not None:
            days = onsets[r["_who"]]
            n = int(((days >= week) & (days < week + pd.Timedelta(days=7))).sum())
            cells.append(str(n) if n else "")
        rows.append(cells)
    first_num = 1 + several
    return ('<section id="weeks"><h2>All weeks</h2><details><summary>Show the weekly table '
            f"({_plural(len(weekly), 'week')})</summary>"
            "<p class=note>(partial): the first week of the data or a week not over at its "
            "end, shown but judged by no rule (see Methods).</p>"
            + _table(headers, rows, numeric=[first_num, first_num + 1, first_num + 2,
                                             first_num + 3, first_num + 5])
            + "</details></section>")

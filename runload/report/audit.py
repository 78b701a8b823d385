"""The coach's squad audit page: :func:`render_audit` and :func:`write_audit`."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import ParameterError
from ..progress import progress as _progress
from .athletes import _episodes_of
from .charts import _weekly_chart
from .flagged import _flag_name, flagged_weeks
from .format import (
    _MISSING,
    _check_units,
    _date,
    _dcell,
    _dist,
    _e,
    _is_one,
    _num,
    _pct,
    _plural,
    _table,
)
from .methods import _methods_section
from .page import _nav, _page, _write
from .parameters import _keyword_defaults, _parameters, _parameters_section, _recorded
from .problems import _problems_section, _problems_table


def _slug(index: int, name: str) -> str:
    return f"athlete-{index}-" + (re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-").lower() or "x")


def render_audit(
    audit: pd.DataFrame,
    weekly: pd.DataFrame,
    *,
    episodes: pd.DataFrame | None = None,
    problems: Mapping[str, pd.DataFrame] | None = None,
    units: str = "km",
    title: str | None = None,
    parameters: Mapping[str, Any] | None = None,
    inventory: Mapping[str, int] | None = None,
    chart_weeks: int = 52,
    recent_weeks: int = 12,
    progress: bool = False,
) -> str:
    """The HTML text of :func:`write_audit` (same parameters, without ``path``)."""
    _check_units(units)
    if not isinstance(chart_weeks, int) or chart_weeks < 4:
        raise ParameterError(f"chart_weeks must be a whole number >= 4, got {chart_weeks!r}")
    problems = dict(problems or {})
    from ..audit import squad_audit

    recorded = _recorded(audit)
    options = _keyword_defaults(squad_audit, skip=("problems", "as_of"))
    options.update({k: v for k, v in recorded.items() if k in options or k == "as_of"})
    slugs = {str(a): _slug(i, str(a)) for i, a in enumerate(audit["athlete"])}
    counts = audit["risk"].value_counts()
    head = (f"{_plural(len(audit), 'athlete')}: {int(counts.get('high', 0))} high, "
            f"{int(counts.get('moderate', 0))} moderate, {int(counts.get('low', 0))} low risk")
    as_of = _date(audit["current_week"].max()) if len(audit) else _MISSING
    rows = []
    for r in audit.to_dict("records"):
        name = str(r["athlete"])
        rows.append([
            f'<a href="#{slugs[name]}">{_e(name)}</a>',
            f'<span class="tag risk-{_e(r["risk"])}">{_e(r["risk"])}</span>',
            _dist(r["current_distance_m"], units),
            _dist(r["distance_4wk_m"], units),
            _pct(r["trend_pct"]),
            _e(", ".join(_flag_name("flag_" + f.strip()) for f in str(r["active_flags"]).split(",")
                         if f.strip())) if r["active_flags"] else "",
            _e(r["weeks_since_recovery"]) if not pd.isna(r["weeks_since_recovery"]) else "none",
            _pain_cell(r["pain_recent"], r["last_pain_onset"], logged=episodes is not None),
            _e(r["data_problems"]),
        ])
    table = _table(
        ["athlete", "risk", f"this week ({units})", f"4 weeks ({units})", "trend",
         "active flags", "weeks since recovery",
         f"back pain ({int(options.get('pain_weeks', 8))} wk)", "file problems"],
        rows, numeric=[2, 3, 4, 6, 8], table_id="audit-table", stack=True)
    overview = (
        '<section id="overview"><h2>Squad overview</h2>'
        f'<p class="headline">{_e(head)}</p>'
        f"<p>Current week: the week of {as_of}. Sorted by risk: active flags (raised in the last "
        f"{_plural(int(options.get('recent_weeks', 2)), 'week')}) count one point each, back "
        f"pain in the last {_plural(int(options.get('pain_weeks', 8)), 'week')} two points; "
        "this is a "
        "triage order, not a prediction. Tap an athlete for their weeks.</p>"
        + table + "</section>")
    sections = [overview]
    bar = _progress(audit["athlete"].tolist(), desc="athlete pages", unit="athlete",
                    enabled=progress)
    n = len(audit)
    for name in bar:
        name = str(name)
        mine = weekly[weekly["athlete"].astype("string") == name].sort_values("week_start")
        eps = _episodes_of(episodes, name, n) if episodes is not None else None
        sections.append(_athlete_section(name, slugs[name], audit[audit["athlete"] == name].iloc[0],
                                         mine, eps, problems.get(name), units,
                                         chart_weeks=chart_weeks, recent_weeks=recent_weeks))
    sections.append(_problems_section(
        pd.concat([p for p in problems.values() if p is not None and len(p)], ignore_index=True)
        if any(p is not None and len(p) for p in problems.values())
        else _problems_table(None, None), inventory))
    more = [(f"squad_audit: {k}", v) for k, v in options.items()]
    more += [("audit page: chart_weeks", chart_weeks), ("audit page: recent_weeks", recent_weeks)]
    sections.append(_parameters_section(weekly, parameters, units, episodes=episodes, more=more))
    sections.append(_methods_section(_parameters(weekly), squad=True, audit=True))
    nav = _nav([("overview", "Overview"), ("problems", "File problems"),
                ("parameters", "Parameters"), ("methods", "Methods")])
    return _page(title=title or "Squad audit", subtitle=_e(head) + f"; week of {as_of}.",
                 nav=nav, content="\n".join(sections))


def _pain_cell(recent: Any, last_onset: Any, *, logged: bool) -> str:
    """The squad table's back-pain cell: yes / no / – when not known (no pain log)."""
    if pd.isna(recent):
        why = "not in the pain log" if logged else "no pain log"
        return f'{_MISSING} <span class=muted>({why})</span>'
    return ("yes" if recent else "no") + (
        f" <span class=muted>(last {_dcell(last_onset)})</span>" if not pd.isna(last_onset)
        else "")


def _athlete_section(name: str, slug: str, row: pd.Series, weekly: pd.DataFrame,
                     episodes: pd.DataFrame | None, problems: pd.DataFrame | None, units: str,
                     *, chart_weeks: int, recent_weeks: int) -> str:
    parts = [f'<section id="{slug}"><h2>{_e(name)} '
             f'<span class="tag risk-{_e(row["risk"])}">{_e(row["risk"])}</span></h2>']
    cards = [
        (f"{_dist(row['current_distance_m'], units)} {units}", "this week"),
        (_pct(row["trend_pct"]), "4-week trend"),
        (_MISSING if pd.isna(row["weeks_since_recovery"]) else str(row["weeks_since_recovery"]),
         "week since recovery" if _is_one(row["weeks_since_recovery"]) else "weeks since recovery"),
        (_MISSING, "back-pain episodes: " + ("no pain log" if episodes is None
                                             else "not in the pain log"))
        if pd.isna(row["pain_episodes"]) else
        (str(row["pain_episodes"]),
         "back-pain episode" if _is_one(row["pain_episodes"]) else "back-pain episodes"),
    ]
    parts.append('<div class="cards">' + "".join(
        f'<div class="card"><span class="value">{_e(v)}</span><span class="label">{_e(label)}'
        "</span></div>" for v, label in cards) + "</div>")
    if len(weekly):
        shown = weekly.iloc[-chart_weeks:]
        parts.append(_weekly_chart(shown, episodes, units, who=f" for {name}"))
        recent = weekly.iloc[-recent_weeks:]
        flagged = flagged_weeks(recent, units=units)
        if len(flagged):
            parts.append(f"<h3>Flags in the last {_plural(recent_weeks, 'week')}</h3>")
            parts.append(_table(
                ["week", f"distance ({units})", "rule", "what happened", "evidence"],
                [[_dcell(r["week_start"]), _dist(r["distance_m"], units), _e(_flag_name(r["flag"])),
                  _e(r["rule"]), _e(r["evidence"])] for r in flagged.to_dict("records")],
                numeric=[1], stack=True))
        else:
            parts.append(f"<p>No flag in the last {_plural(recent_weeks, 'week')}.</p>")
    else:
        parts.append("<p>No running weeks in the data.</p>")
    if episodes is not None and len(episodes):
        parts.append("<h3>Back-pain episodes</h3>" + _table(
            ["onset", "end", "worst pain (0-10)", "notes"],
            [[_dcell(r.get("onset")), _dcell(r.get("end")), _num(r.get("max_severity"), "{:.0f}"),
              _e(r.get("notes"))] for r in episodes.sort_values("onset").to_dict("records")],
            numeric=[2]))
    if problems is not None and len(problems):
        parts.append(f"<p class=warn>{_plural(len(problems), 'file')} with problems: "
                     + ", ".join(f"<code>{_e(s)}</code> ({_e(k)})"
                                 for s, k in zip(problems["source"], problems["kind"],
                                                 strict=True)) + "</p>")
    parts.append('<p><a href="#overview">Back to the squad table</a></p></section>')
    return "".join(parts)


def write_audit(
    audit: pd.DataFrame,
    weekly: pd.DataFrame,
    *,
    path: str | Path,
    episodes: pd.DataFrame | None = None,
    problems: Mapping[str, pd.DataFrame] | None = None,
    units: str = "km",
    title: str | None = None,
    parameters: Mapping[str, Any] | None = None,
    inventory: Mapping[str, int] | None = None,
    chart_weeks: int = 52,
    recent_weeks: int = 12,
    progress: bool = False,
) -> Path:
    """Write the coach's squad audit as one self-contained HTML page.

    Parameters
    ----------
    audit : DataFrame
        The table of :func:`runload.audit.squad_audit`, riskiest athlete first.
    weekly : DataFrame
        The weekly tables of all athletes (``athlete`` column), for their charts.
    path : str or Path
        Where to write the ``.html`` file.
    episodes : DataFrame, optional
        The squad's back-pain episodes (``athlete`` column).
    problems : mapping of str to DataFrame, optional
        Problem files per athlete.
    units : {'km', 'mi'}
        Distance unit shown.
    title : str, optional
        Page title ("Squad audit").
    parameters : mapping, optional
        Extra settings to record.
    inventory : mapping, optional
        Files seen / activity / non-activity / problem files of the whole squad.
    chart_weeks : int
        Each athlete's chart shows their last ``chart_weeks`` weeks.
    recent_weeks : int
        Each athlete's section lists the flags of their last ``recent_weeks`` weeks.
    progress : bool
        Show a progress bar on stderr while the athlete sections are drawn.

    Returns
    -------
    Path
        The file written.

    Notes
    -----
    The page opens with the squad table (one row per athlete, sorted by risk); each
    athlete's name links to their own section with a weekly chart, recent flags,
    back-pain episodes and file problems.
    """
    text = render_audit(audit, weekly, episodes=episodes, problems=problems, units=units,
                        title=title, parameters=parameters, inventory=inventory,
                        chart_weeks=chart_weeks, recent_weeks=recent_weeks, progress=progress)
    return _write(text, path)

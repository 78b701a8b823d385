"""The Summary section: the numbers of the report's summary line and its cards."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from ..columns import to_display
from .flagged import _any_flag, _flag_columns, _flag_name
from .format import _MISSING, _date, _e, _plural
from .problems import _problem_words


def summarize(weekly: pd.DataFrame, episodes: pd.DataFrame | None = None) -> dict[str, Any]:
    """The numbers of the report's summary line.

    Parameters
    ----------
    weekly : DataFrame
        Weekly table (``runload.columns.WEEKLY``), one athlete or several.
    episodes : DataFrame, optional
        Back-pain episodes; ``None`` when no pain log was given.

    Returns
    -------
    dict
        ``weeks`` (rows: athlete-weeks when there are several athletes),
        ``athletes``, ``calendar_weeks`` (distinct weeks the data span),
        ``weeks_flagged``, ``flag_counts`` (flag column -> weeks),
        ``last_week`` (Timestamp), ``first_week``, ``weeks_since_recovery`` (int or None:
        weeks from the last recovery week to the last week of the data),
        ``episodes`` (int or None), ``episodes_outside`` (how many of them began
        outside the weeks of the data: before the first or after the last), ``distance_m``
        (total), ``runs``.
    """
    flags = _flag_columns(weekly)
    week_start = pd.to_datetime(weekly["week_start"]) if len(weekly) else pd.Series(dtype="M8[ns]")
    last = week_start.max() if len(weekly) else None
    since = None
    if len(weekly) and "recovery_week" in weekly.columns:
        rec = week_start[weekly["recovery_week"].fillna(False).astype(bool)]
        if len(rec):
            since = int((last - rec.max()).days // 7)
    any_flag = _any_flag(weekly)
    athletes = int(weekly["athlete"].nunique()) if "athlete" in weekly.columns else 1
    outside = 0
    if episodes is not None and len(episodes) and len(weekly) and "onset" in episodes.columns:
        onset = pd.to_datetime(episodes["onset"])
        if getattr(onset.dt, "tz", None) is not None:
            onset = onset.dt.tz_localize(None)
        starts = week_start.dt.tz_localize(None) if week_start.dt.tz is not None else week_start
        outside = int(((onset < starts.min())
                       | (onset >= starts.max() + pd.Timedelta(days=7))).sum())
    return {
        "weeks": int(len(weekly)),
        "athletes": max(athletes, 1) if len(weekly) else athletes,
        "calendar_weeks": int(week_start.nunique()) if len(weekly) else 0,
        "weeks_flagged": int(any_flag.sum()),
        "flag_counts": {c: int(weekly[c].fillna(False).astype(bool).sum()) for c in flags},
        "first_week": week_start.min() if len(weekly) else None,
        "last_week": last,
        "weeks_since_recovery": since,
        "episodes": None if episodes is None else int(len(episodes)),
        "episodes_outside": outside,
        "distance_m": float(weekly["distance_m"].sum()) if len(weekly) else 0.0,
        "runs": int(weekly["runs"].sum()) if "runs" in weekly.columns and len(weekly) else 0,
    }


def headline(summary: Mapping[str, Any]) -> str:
    """The summary in one line: "12 weeks flagged, last recovery week 6 weeks ago, ..."."""
    several = summary.get("athletes", 1) > 1
    parts = [_plural(summary["weeks_flagged"], "athlete-week" if several else "week") + " flagged"]
    since = summary["weeks_since_recovery"]
    last = "the latest recovery week of any athlete" if several else "last recovery week"
    if since is None:
        parts.append("no recovery week in the data")
    elif since == 0:
        parts.append(f"{last} is the latest week")
    else:
        parts.append(f"{last} {_plural(since, 'week')} ago")
    if summary["episodes"] is None:
        parts.append("no pain log given")
    else:
        parts.append(_plural(summary["episodes"], "pain episode") + _outside(summary))
    return ", ".join(parts)


def _outside(summary: Mapping[str, Any]) -> str:
    """`` (1 outside the weeks of the data)`` when some episodes began outside them."""
    n = summary.get("episodes_outside") or 0
    return f" ({n} outside the weeks of the data)" if n else ""


def _summary_section(weekly: pd.DataFrame, episodes: pd.DataFrame | None, units: str,
                     problems: pd.DataFrame, inventory: Mapping[str, int] | None = None) -> str:
    s = summarize(weekly, episodes)
    several = s["athletes"] > 1
    total = f"{float(to_display(s['distance_m'], units)):,.0f} {units}"
    if several:
        distance = (f"by {s['athletes']} athletes over {_plural(s['calendar_weeks'], 'week')} "
                    f"({_plural(s['weeks'], 'athlete-week')})")
        since_label = "since the latest recovery week of any athlete"
    else:
        distance = f"run in {_plural(s['weeks'], 'week')}"
        since_label = "since the last recovery week"
    since = s["weeks_since_recovery"]
    cards = [
        (total, distance),
        (f"{s['runs']:,}", "run" if s["runs"] == 1 else "runs"),
        (str(s["weeks_flagged"]),
         ("athlete-week" if several else "week") + ("" if s["weeks_flagged"] == 1 else "s")
         + " flagged"),
        (_MISSING if since is None else str(since),
         ("week" if since == 1 else "weeks") + " " + since_label),
        (_MISSING if s["episodes"] is None else str(s["episodes"]),
         ("back-pain episode" if s["episodes"] == 1 else "back-pain episodes") + _outside(s)),
        _problem_words(problems, inventory),
    ]
    card_html = "".join(
        f'<div class="card"><span class="value">{_e(v)}</span>'
        f'<span class="label">{_e(label)}</span></div>' for v, label in cards)
    per_flag = ", ".join(
        f"{_e(_flag_name(c))}: {_plural(n, 'athlete-week' if several else 'week')}"
        for c, n in s["flag_counts"].items())
    span = (f"From the week of {_date(s['first_week'])} to the week of {_date(s['last_week'])}"
            if s["weeks"] else "No weeks of data")
    return (
        '<section id="summary"><h2>Summary</h2>'
        f'<p class="headline">{_e(headline(s))}</p>'
        f'<div class="cards">{card_html}</div>'
        f"<p>{span}. Flags by rule: {per_flag or 'none computed'}. "
        "“Weeks ago” counts back from the last week of the data. A flag marks a load pattern "
        "that training advice warns about; it is not a diagnosis.</p></section>"
    )

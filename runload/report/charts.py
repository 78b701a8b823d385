"""The charts of the pages, each embedded as a ``<figure>`` with its description.

The weekly mileage chart with the back-pain bands, the forest plot of the association
estimates, the pain timeline of each athlete and the prevention checklist. The forest
and timeline charts are optional: without their plotting function they are left out.
"""

from __future__ import annotations

import inspect
from typing import Any

import pandas as pd

from ..errors import ParameterError
from .athletes import _episodes_of
from .format import _date, _figure, _new_figure, _plural


def _weekly_chart(weekly: pd.DataFrame, episodes: pd.DataFrame | None, units: str,
                  *, who: str = "") -> str:
    from ..plot.weekly import plot_weekly

    fig, ax = _new_figure()
    plot_weekly(weekly, units=units, ax=ax)
    n_bands = _pain_bands(ax, weekly, episodes)
    alt = (f"Bar chart of weekly running distance in {units}{who}, "
           f"{_plural(len(weekly), 'week')} from {_date(weekly['week_start'].min())} to "
           f"{_date(weekly['week_start'].max())}; flagged weeks are marked")
    caption = f"Weekly running distance ({units}) with the load flags"
    if n_bands:
        alt += f", {_plural(n_bands, 'back-pain episode')} shaded"
        caption += ("; red bands marked “pain” are back-pain episodes (onset to end), "
                    "green bands are recovery weeks")
    if "complete" in weekly.columns and not weekly["complete"].fillna(True).astype(bool).all():
        caption += (". " + PARTIAL_WEEK_TEXT)
    return _figure(fig, alt, caption + ".", wide=True)


#: What a hatched bar means (docs/load_rules.md, "Complete weeks").
PARTIAL_WEEK_TEXT = (
    "Hatched bars are partial weeks, shown but judged by no rule (no flag, no recovery week): "
    "the first week of the data, always, even when it starts on the first day of a week, because the "
    "training before it is unknown; and a week that ends after the end of the data (the day "
    "of the last recorded activity, or as_of), still in progress. A hatched bar is not "
    "missing data")


def _pain_bands(ax, weekly: pd.DataFrame, episodes: pd.DataFrame | None) -> int:
    """Shade each back-pain episode on a weekly chart; returns how many were drawn.

    The bands are red and labelled "pain" at their top (the chart's own legend, below
    the axes, is left as it is).
    """
    if episodes is None or len(episodes) == 0 or len(weekly) == 0:
        return 0
    first = pd.to_datetime(weekly["week_start"]).min()
    last = pd.to_datetime(weekly["week_start"]).max() + pd.Timedelta(days=7)
    onset = pd.to_datetime(episodes["onset"])
    end = pd.to_datetime(episodes["end"]) if "end" in episodes.columns else onset
    end = end.fillna(last) + pd.Timedelta(days=1)
    shown = (end >= first) & (onset <= last)
    for start, stop in zip(onset[shown], end[shown], strict=True):
        left, right = max(start, first), min(stop, last)
        ax.axvspan(left, right, color="#d62728", alpha=0.22, lw=0, zorder=0)
        ax.annotate("pain", xy=(left, 0.985), xycoords=("data", "axes fraction"),
                    rotation=90, va="top", ha="right", fontsize=7, color="#a01c1c")
    return int(shown.sum())


def _plot_function(*names: str):
    """The first of ``runload.plot.pain``'s functions ``names`` that exists, else None.

    The forest and pain-timeline charts are optional extras of the report (their data
    are in the tables next to them), so a missing plotting function leaves the chart
    out instead of failing the whole report.
    """
    try:
        from ..plot import pain
    except ImportError:
        return None
    for name in names:
        func = getattr(pain, name, None)
        if callable(func):
            return func
    return None


#: The methods whose rows the forest plot draws, one row each whatever the estimate
#: (as :func:`runload.plot.pain.forest`); lagged correlations are not ratios.
_RATIO_METHODS = ("lagged_risk_ratio", "case_crossover", "conditional_logit", "dose_response")


def _forest_chart(associations: pd.DataFrame) -> str | None:
    """The forest plot of every ratio row, or None when there is none (or no plot).

    The figure's height and the count in its description follow the rows the plot
    draws: every ratio row, including estimates of 0 or infinity and rows that could
    not be estimated.
    """
    plot = _plot_function("plot_forest", "forest")
    n_rows = int(associations["method"].isin(_RATIO_METHODS).sum())
    if plot is None or n_rows == 0:
        return None
    fig, ax = _new_figure(9.0, max(2.6, 0.34 * n_rows + 1.6))
    _call_flexibly(plot, associations=associations, ax=ax)
    return _figure(
        fig,
        f"Forest plot of {_plural(n_rows, 'association estimate')} with 95% confidence "
        "intervals",
        "Ratios with their confidence intervals on a log scale; 1 means no association; "
        "grey rows carry a warning (too few onsets, or too few weeks in the flagged or "
        "unflagged group). An estimate of 0 is an arrow from the left edge to its upper "
        "limit, an infinite one runs to the right edge, and a row that could not be "
        "estimated is labelled so.",
    )


def _timeline_chart(weekly: pd.DataFrame, episodes: pd.DataFrame, units: str) -> str:
    plot = _plot_function("plot_pain_timeline", "mileage_with_pain")
    if plot is None or episodes is None or len(episodes) == 0 or len(weekly) == 0:
        return ""
    parts = []
    athletes = [str(a) for a in pd.unique(weekly["athlete"].dropna())]
    for athlete in athletes:
        mine = _episodes_of(episodes, athlete, len(athletes))
        if mine is None or len(mine) == 0:
            continue
        fig, ax = _new_figure(9.0, 3.4)
        _call_flexibly(plot, weekly=weekly, episodes=mine, units=units, athlete=athlete, ax=ax)
        parts.append(_figure(
            fig, f"Weekly distance and {_plural(len(mine), 'back-pain episode')} of {athlete}",
            "Back-pain episodes (bands, onset to end) and their worst pain (line, right axis, "
            "0-10) over weekly distance."))
    return "".join(parts)


def _call_flexibly(func, **available: Any):
    """Call a plotting function with the arguments its signature asks for."""
    params = inspect.signature(func).parameters
    positional = [p for p in params.values()
                  if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    args, kwargs = [], {}
    for p in positional:
        if p.name in available:
            args.append(available[p.name])
        elif p.default is p.empty:
            raise ParameterError(f"{func.__name__} needs {p.name!r}")
    for name, p in params.items():
        if p.kind is p.KEYWORD_ONLY and name in available:
            kwargs[name] = available[name]
    return func(*args, **kwargs)


def _checklist_chart(weekly: pd.DataFrame, athlete: str | None, n_rows: int, weeks: int) -> str:
    from ..plot.habits import checklist_figsize, plot_checklist

    fig, ax = _new_figure(*checklist_figsize(weeks, n_rows))
    plot_checklist(weekly, athlete=athlete, last_weeks=weeks, load_flags=True, ax=ax)
    who = f" of {athlete}" if athlete else ""
    return _figure(
        fig, f"Prevention checklist{who}: {n_rows} habits and mileage rules over the last "
             f"{_plural(weeks, 'week')}",
        "Green ✓ kept, red ✗ missed, grey – not judged (partial week, rule not applicable, "
        "or nothing recorded). Each row label names the kind of its evidence; the full "
        "evidence labels are listed below.", wide=True)

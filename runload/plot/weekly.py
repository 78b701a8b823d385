"""Pictures of weekly load, ACWR and session spikes (matplotlib).

Every function takes ``ax=None`` (a new figure is made) and returns the Axes.
Distances are converted to ``units`` ('km' or 'mi') here, at the edge; the tables
stay in metres. Flag legends carry the evidence labels of
:data:`runload.flags.EVIDENCE`.
"""

from __future__ import annotations

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.patches import Patch

from ..acwr import daily_acwr
from ..columns import to_display
from ..errors import ParameterError
from ..flags import EVIDENCE, SPIKE_CATEGORIES, SPIKE_HAZARD_RATIOS

__all__ = ["plot_weekly", "plot_acwr", "plot_spikes"]

_UNIT_LABEL = {"km": "km", "mi": "miles", "m": "m"}

#: Colour and marker of each flag shown on the weekly chart.
_FLAG_STYLE = {
    "flag_ramp": ("tab:red", "^"),
    "flag_missing_recovery": ("tab:orange", "s"),
    "flag_session_spike": ("tab:purple", "D"),
}


#: The legend entry of the hatched bars: weeks with ``complete`` False (docs/load_rules.md).
PARTIAL_WEEK_LABEL = "partial week (not judged): first week of the data, or one still in progress"


def _flag_labels(weekly: pd.DataFrame) -> dict[str, str]:
    """Legend text of each flag, with the thresholds the table was built with."""
    p = {
        "max_increase": 0.10, "max_build_weeks": 4, "spike": 0.10, "spike_window_days": 30,
        **weekly.attrs.get("parameters", {}),
    }
    return {
        "flag_ramp": f"weekly rise > {100 * p['max_increase']:g}%",
        "flag_missing_recovery": f"> {p['max_build_weeks']} build weeks without recovery",
        "flag_session_spike": (
            f"run > {100 * p['spike']:g}% over {p['spike_window_days']:g}-day longest"
        ),
    }


_SPIKE_COLOURS = {
    "<=10%": "tab:gray",
    "10-30%": "tab:olive",
    "30-100%": "tab:orange",
    ">100%": "tab:red",
}


# legends sit under the axes, so they never hide a bar or a line
_BELOW = {"fontsize": "small", "loc": "upper left", "bbox_to_anchor": (0.0, -0.12), "ncol": 1,
          "frameon": False}


def _axes(ax):
    if ax is None:
        _, ax = plt.subplots(figsize=(10, 5), layout="constrained")
    return ax


def _date_axis(ax) -> None:
    locator = mdates.AutoDateLocator()
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))


def _one_athlete(table: pd.DataFrame, athlete, what: str) -> tuple[pd.DataFrame, str | None]:
    """Rows of one athlete; ``athlete=None`` is fine when the table has only one."""
    if "athlete" not in table.columns:
        return table, athlete
    names = pd.unique(table["athlete"].dropna())
    if athlete is None:
        if len(names) > 1:
            raise ParameterError(
                f"the {what} table has {len(names)} athletes; choose one with athlete=... "
                f"({', '.join(map(str, names[:5]))}{', ...' if len(names) > 5 else ''})"
            )
        athlete = names[0] if len(names) else None
    elif athlete not in set(names):
        raise ParameterError(f"athlete {athlete!r} is not in the {what} table")
    return table[table["athlete"] == athlete] if athlete is not None else table, athlete


def _units(units: str) -> str:
    if units not in ("km", "mi"):
        raise ParameterError(f"units must be 'km' or 'mi', got {units!r}")
    return units


def plot_weekly(weekly: pd.DataFrame, *, units: str = "km", ax=None, athlete=None):
    """Weekly running distance as bars, with recovery weeks and flags marked.

    Parameters
    ----------
    weekly : DataFrame
        The table of :func:`runload.load.weekly_load`.
    units : {'km', 'mi'}, default 'km'
        Display unit.
    ax : matplotlib Axes, optional
        Where to draw; a new figure when None.
    athlete : str, optional
        Which athlete (required when the table holds several).

    Returns
    -------
    matplotlib Axes
        One bar per week (zero weeks included, in the order of the table); recovery
        weeks shaded green behind their bars; ramp, missing-recovery and session-spike
        weeks marked above the bar in distinct colours; the partial weeks hatched
        (``complete`` False: the first week of the data and one still in progress,
        judged by no rule).
        The legend gives each flag with its strength of evidence.
    """
    units = _units(units)
    ax = _axes(ax)
    rows, athlete = _one_athlete(weekly, athlete, "weekly")
    rows = rows.sort_values("week_start")
    start = pd.to_datetime(rows["week_start"])
    height = np.asarray(to_display(rows["distance_m"].astype(float), units))
    complete = rows["complete"].astype(bool).to_numpy()
    bars = ax.bar(
        start,
        height,
        width=6,
        align="edge",
        color=np.where(complete, "tab:blue", "lightsteelblue"),
        edgecolor="tab:blue",
        linewidth=0.5,
        label="running distance",
    )
    for bar, done in zip(bars, complete, strict=True):
        if not done:
            bar.set_hatch("//")
    handles = [Patch(facecolor="tab:blue", label="running distance")]
    recovery = rows["recovery_week"].astype(bool).to_numpy()
    for day in start[recovery]:
        ax.axvspan(day, day + pd.Timedelta(days=7), color="tab:green", alpha=0.15, lw=0)
    if recovery.any():
        handles.append(Patch(facecolor="tab:green", alpha=0.3, label="recovery week"))
    top = float(np.nanmax(height)) if len(height) else 0.0
    step = 0.06 * (top if top > 0 else 1.0)
    labels = _flag_labels(weekly)
    for level, (column, (colour, marker)) in enumerate(_FLAG_STYLE.items(), start=1):
        hit = rows[column].astype(bool).to_numpy() if column in rows else np.zeros(len(rows), bool)
        if not hit.any():
            continue
        x = start[hit] + pd.Timedelta(days=3)
        marks = ax.scatter(
            x,
            height[hit] + level * step,
            color=colour,
            marker=marker,
            zorder=3,
            label=f"{labels[column]} — {EVIDENCE[column]}",
        )
        handles.append(marks)
    if (~complete).any():
        handles.append(Patch(facecolor="lightsteelblue", hatch="//", label=PARTIAL_WEEK_LABEL))
    ax.legend(handles=handles, **_BELOW)
    ax.set_ylabel(f"distance ({_UNIT_LABEL[units]})")
    ax.set_xlabel("week starting")
    _date_axis(ax)
    title = "Weekly running distance"
    ax.set_title(f"{title} — {athlete}" if athlete is not None else title)
    ax.set_ylim(bottom=0, top=top + 4 * step)
    return ax


_ACWR_LABELS = {
    "acwr_rolling": "rolling 7/28 d (coupled)",
    "acwr_uncoupled": "rolling 7/21 d (uncoupled)",
    "acwr_ewma": "EWMA",
}


def plot_acwr(
    table: pd.DataFrame,
    *,
    methods=("acwr_rolling", "acwr_uncoupled", "acwr_ewma"),
    threshold: float = 1.5,
    ax=None,
    athlete=None,
    **acwr_options,
):
    """Acute:chronic workload ratio over time, with the 0.8–1.3 band.

    Parameters
    ----------
    table : DataFrame
        Either the weekly table (ratios at each week's end, drawn at the week's last
        day) or a daily table (:func:`runload.load.daily_load`; its ratios are computed
        with :func:`runload.acwr.daily_acwr` when absent).
    methods : sequence of str
        Which of ``acwr_rolling``, ``acwr_uncoupled``, ``acwr_ewma`` to draw.
    threshold : float, default 1.5
        Drawn as a dashed line (the flag threshold).
    ax : matplotlib Axes, optional
    athlete : str, optional
        Which athlete (required when the table holds several).
    **acwr_options
        Passed to :func:`runload.acwr.daily_acwr` for a daily table without ratios
        (``ewma``, ``acute_days``, ``chronic_days``).

    Returns
    -------
    matplotlib Axes
        One line per method, the 0.8–1.3 "sweet spot" band (Gabbett 2016) and the
        threshold; the legend notes that ACWR is contested.
    """
    ax = _axes(ax)
    methods = list(methods)
    unknown = set(methods) - set(_ACWR_LABELS)
    if unknown or not methods:
        raise ParameterError(f"methods must be among {sorted(_ACWR_LABELS)}, got {methods!r}")
    rows, athlete = _one_athlete(table, athlete, "ACWR")
    if "week_start" in rows.columns:
        x = pd.to_datetime(rows["week_start"]) + pd.Timedelta(days=6)
    elif "date" in rows.columns:
        if not set(methods) <= set(rows.columns):
            rows = daily_acwr(rows, **acwr_options)
        x = pd.to_datetime(rows["date"])
    else:
        raise ParameterError("plot_acwr needs a weekly table (week_start) or a daily one (date)")
    band = ax.axhspan(0.8, 1.3, color="tab:green", alpha=0.15, lw=0,
                      label="0.8-1.3 band (Gabbett 2016)")
    for method in methods:
        ax.plot(x, rows[method].astype(float), marker=".", label=_ACWR_LABELS[method])
    ax.axhline(threshold, color="tab:red", ls="--", lw=1,
               label=f"threshold {threshold:g} — {EVIDENCE['flag_acwr']}")
    ax.legend(**_BELOW)
    ax.set_ylabel("acute:chronic ratio (distance)")
    ax.set_xlabel("date")
    _date_axis(ax)
    title = "Acute:chronic workload ratio"
    ax.set_title(f"{title} — {athlete}" if athlete is not None else title)
    band.set_zorder(0)
    return ax


def plot_spikes(spikes: pd.DataFrame, *, units: str = "km", ax=None, athlete=None):
    """Each run against the longest run of the 30 days before it.

    Parameters
    ----------
    spikes : DataFrame
        The table of :func:`runload.load.session_spikes`.
    units : {'km', 'mi'}, default 'km'
    ax : matplotlib Axes, optional
    athlete : str, optional
        Which athlete (required when the table holds several).

    Returns
    -------
    matplotlib Axes
        The 30-day longest run as a step line and every run as a point coloured by its
        Frandsen et al. (2025) category (legend: category and hazard ratio); runs with
        no earlier run in the window are hollow.
    """
    units = _units(units)
    ax = _axes(ax)
    rows, athlete = _one_athlete(spikes, athlete, "spikes")
    rows = rows.sort_values("start_time")
    when = pd.to_datetime(rows["local_time"])
    distance = np.asarray(to_display(rows["distance_m"].astype(float), units))
    prior = np.asarray(to_display(rows["longest_prior_m"].astype(float), units))
    ax.step(when, prior, where="post", color="black", lw=1,
            label="longest run of the previous 30 days")
    category = rows["spike_category"]
    for name in SPIKE_CATEGORIES:
        hit = (category == name).fillna(False).to_numpy(dtype=bool)
        if not hit.any():
            continue
        hr = SPIKE_HAZARD_RATIOS[name]
        label = f"{name} longer (HR {hr:g})" if name != "<=10%" else "<=10% longer (reference)"
        ax.scatter(when[hit], distance[hit], color=_SPIKE_COLOURS[name], zorder=3, label=label)
    none = category.isna().to_numpy()
    if none.any():
        ax.scatter(when[none], distance[none], facecolors="none", edgecolors="tab:gray",
                   zorder=3, label="no run in the previous 30 days")
    ax.legend(**_BELOW,
              title=f"session spikes — {EVIDENCE['flag_session_spike']}", title_fontsize="small")
    ax.set_ylabel(f"run distance ({_UNIT_LABEL[units]})")
    ax.set_xlabel("date")
    _date_axis(ax)
    title = "Session spikes"
    ax.set_title(f"{title} — {athlete}" if athlete is not None else title)
    ax.set_ylim(bottom=0)
    return ax

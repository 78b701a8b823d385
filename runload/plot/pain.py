"""Pictures of back pain against training load.

Every function takes ``ax=None`` (a new figure) and returns the Axes.

* :func:`forest` -- estimates and intervals of :func:`runload.associate`, log scale
  (estimates of 0 drawn up to their upper limit, NaN ones listed as not estimable);
* :func:`mileage_with_pain` -- weekly mileage with pain episodes as bands and the
  severity as a line;
* :func:`superposed_epoch` -- load in the weeks before each onset, lined up.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from ..columns import EPISODES, conform, to_display
from ..errors import ParameterError

__all__ = ["forest", "mileage_with_pain", "superposed_epoch", "plot_forest", "plot_pain_timeline",
           "plot_superposed_epoch"]

_RATIO_METHODS = ("lagged_risk_ratio", "case_crossover", "conditional_logit", "dose_response")


def _axes(ax):
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 4.5))
    return ax


def forest(associations: pd.DataFrame, *, method: str | None = None, athlete: str | None = None,
           ax=None):
    """Forest plot of ratio estimates with their confidence intervals.

    Parameters
    ----------
    associations : pandas.DataFrame
        The table of :func:`runload.associate`.
    method : str, optional
        Only this method (e.g. ``"lagged_risk_ratio"``); default all ratio methods.
    athlete : str, optional
        Only this athlete (or ``"pooled"``).
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
        Log-scaled ratio axis with a line at 1 (no association) and one row (y tick)
        per result row; rows carrying a warning are drawn in grey.

    Notes
    -----
    Every row is shown, none is dropped:

    * an estimate above 0 is a square with its interval; a limit that is open (a
      lower limit of 0, an upper limit of infinity) or missing runs to the edge of
      the axis with an arrow;
    * an estimate of **0** (no onset after an exposed week) cannot sit on a log
      scale, but its upper limit is the informative part (e.g. "0 (95% CI 0-1.8)"):
      it is drawn as an interval from the left edge of the axis to the upper limit,
      with a left-pointing arrow at the edge labelled "0";
    * an **infinite** estimate (no onset after the unexposed weeks) is drawn the
      same way from the lower limit to the right edge, labelled "\u221e";
    * a row without an estimate (NaN) gets its y tick labelled "not estimable" and
      nothing drawn.
    """
    ax = _axes(ax)
    rows = associations.loc[associations["method"].isin(_RATIO_METHODS)]
    if method is not None:
        rows = rows.loc[rows["method"] == method]
    if athlete is not None:
        rows = rows.loc[rows["athlete"] == athlete]
    rows = rows.reset_index(drop=True)
    if rows.empty:
        ax.text(0.5, 0.5, "no estimate to show", ha="center", va="center", transform=ax.transAxes)
        ax.set_axis_off()
        return ax
    estimate = rows["estimate"].astype(float)
    zero = estimate.eq(0).to_numpy()
    infinite = np.isposinf(estimate.to_numpy())
    missing = estimate.isna().to_numpy()
    y = np.arange(len(rows))[::-1]
    values = np.concatenate([estimate, rows["ci_low"].astype(float), rows["ci_high"].astype(float)])
    values = values[np.isfinite(values) & (values > 0)]
    if values.size == 0:
        values = np.array([1.0])
    lo_edge, hi_edge = min(values.min(), 1.0) / 2, max(values.max(), 1.0) * 2
    low = rows["ci_low"].astype(float).where(rows["ci_low"] > 0, lo_edge).fillna(lo_edge).clip(lower=lo_edge)
    high = rows["ci_high"].astype(float).where(np.isfinite(rows["ci_high"].astype(float)), hi_edge)
    high = high.fillna(hi_edge).clip(upper=hi_edge)
    colours = np.where(rows["warning"].notna(), "0.6", "C0")
    for i, (yi, est, lo, hi, col) in enumerate(zip(y, estimate, low, high, colours, strict=True)):
        if missing[i]:
            continue
        if zero[i]:
            lo = lo_edge
        if infinite[i]:
            hi = hi_edge
        ax.plot([lo, hi], [yi, yi], color=col, lw=2)
        if zero[i] or infinite[i]:
            edge, inward, mark = (lo_edge, lo_edge * 1.6, "0") if zero[i] else (hi_edge, hi_edge / 1.6, "\u221e")
            ax.annotate("", xy=(edge, yi), xytext=(inward, yi),
                        arrowprops={"arrowstyle": "-|>", "color": col, "lw": 2})
            ax.annotate(mark, xy=(edge, yi), xytext=(4 if zero[i] else -4, 5), textcoords="offset points",
                        ha="left" if zero[i] else "right", va="bottom", fontsize=9, color=col)
            continue
        ax.plot([est], [yi], "s", color=col, ms=6)
        if lo <= lo_edge:
            ax.annotate("", xy=(lo, yi), xytext=(lo * 1.3, yi), arrowprops={"arrowstyle": "->", "color": col})
        if hi >= hi_edge:
            ax.annotate("", xy=(hi, yi), xytext=(hi / 1.3, yi), arrowprops={"arrowstyle": "->", "color": col})
    ax.axvline(1.0, color="k", lw=1, ls="--")
    ax.set_xscale("log")
    ax.set_xlim(lo_edge, hi_edge)
    labels = [f"{e} [{m.replace('_', ' ')}, lag {lag}] \u2013 {a}" + (" \u2013 not estimable" if nan else "")
              for e, m, lag, a, nan in zip(rows["exposure"], rows["method"], rows["lag_weeks"],
                                           rows["athlete"], missing, strict=True)]
    ax.set_yticks(y, labels, fontsize=8)
    ax.set_xlabel("ratio (log scale; 1 = no association)")
    ax.set_title("Load patterns and back-pain onsets")
    ax.plot([], [], "s-", color="0.6", label="carries a warning (too few onsets or weeks)")
    ax.plot([], [], "s-", color="C0", label="estimate and confidence interval")
    if zero.any():
        ax.plot([], [], "<-", color="0.3", label="estimate 0: interval up to its upper limit")
    ax.legend(loc="best", fontsize=8)
    return ax


def mileage_with_pain(weekly: pd.DataFrame, episodes: pd.DataFrame, *, athlete: str | None = None,
                      units: str = "km", ax=None):
    """Weekly running distance with pain episodes as bands and severity as a line.

    Parameters
    ----------
    weekly : pandas.DataFrame
        The weekly table.
    episodes : pandas.DataFrame
        Episodes (:func:`runload.read_pain_log`).
    athlete : str, optional
        Which athlete; needed when ``weekly`` has several.
    units : {"km", "mi", "m"}, default "km"
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
        The mileage axes; the severity (0-10) is on a twin axis on the right.
    """
    ax = _axes(ax)
    athletes = weekly["athlete"].dropna().unique()
    if athlete is None:
        if len(athletes) != 1:
            raise ParameterError("weekly has several athletes; pass athlete=")
        athlete = athletes[0]
    week = weekly.loc[weekly["athlete"] == athlete].sort_values("week_start")
    eps = conform(episodes, EPISODES, extra=False)
    eps = eps.loc[eps["athlete"].isna() | (eps["athlete"] == athlete)]
    starts = pd.to_datetime(week["week_start"])
    ax.bar(starts, to_display(week["distance_m"], units), width=6, align="edge", color="C0",
           alpha=0.8, label=f"weekly distance ({units})")
    ax.set_ylabel(f"distance per week ({units})")
    twin = ax.twinx()
    times, levels = [], []
    for onset, end, severity in zip(eps["onset"], eps["end"].fillna(eps["onset"]), eps["max_severity"],
                                    strict=True):
        stop = end + pd.Timedelta(days=1)
        ax.axvspan(onset, stop, color="C3", alpha=0.2, lw=0)
        level = 0.0 if pd.isna(severity) else float(severity)
        times += [onset, onset, stop, stop]
        levels += [0.0, level, level, 0.0]
    if times:
        twin.plot(times, levels, color="C3", lw=1.5, label="pain severity (0-10)")
    twin.set_ylim(0, 10.5)
    twin.set_ylabel("pain severity (0-10)")
    ax.plot([], [], color="C3", alpha=0.3, lw=8, label="pain episode")
    ax.plot([], [], color="C3", lw=1.5, label="pain severity (right axis)")
    ax.legend(loc="upper left", fontsize=8)
    ax.set_title(f"Weekly mileage and back pain \u2013 {athlete}")
    ax.set_xlabel("week")
    return ax


def superposed_epoch(epochs: pd.DataFrame, *, units: str | None = "km", label: str = "weekly distance",
                     ax=None):
    """Load in the weeks before each pain onset, every onset lined up at week 0.

    Parameters
    ----------
    epochs : pandas.DataFrame
        From :func:`runload.stats.superposed_epoch` (``onset``, ``week_offset``,
        ``value``).
    units : {"km", "mi", "m"} or None, default "km"
        Display unit of a distance; ``None`` for any other value (e.g. ``change_pct``).
    label : str, default "weekly distance"
        What the value is, for the axis label.
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
        One thin line per onset and their mean (thick) with the interquartile band.
    """
    ax = _axes(ax)
    if epochs.empty:
        ax.text(0.5, 0.5, "no pain onsets", ha="center", va="center", transform=ax.transAxes)
        ax.set_axis_off()
        return ax
    values = epochs["value"] if units is None else to_display(epochs["value"], units)
    key = epochs["athlete"].astype("string").fillna("") + " " + epochs["onset"].astype("string")
    frame = epochs.assign(shown=values, key=key)
    wide = frame.pivot(index="week_offset", columns="key", values="shown")
    ax.plot(wide.index, wide.to_numpy(), color="0.6", lw=0.8, alpha=0.6)
    mean = wide.mean(axis=1)
    q1, q3 = wide.quantile(0.25, axis=1), wide.quantile(0.75, axis=1)
    ax.fill_between(wide.index, q1, q3, color="C0", alpha=0.2, label="middle half of onsets")
    ax.plot(wide.index, mean, color="C0", lw=2.5, label=f"mean of {wide.shape[1]} onsets")
    ax.axvline(0, color="C3", ls="--", lw=1, label="onset week")
    unit = f" ({units})" if units else ""
    ax.set_ylabel(f"{label}{unit}")
    ax.set_xlabel("weeks relative to the pain onset")
    ax.set_title("Load before back-pain onsets (superposed epochs)")
    ax.legend(loc="best", fontsize=8)
    return ax


#: Names used by :mod:`runload.report` (same functions).
plot_forest = forest
plot_pain_timeline = mileage_with_pain
plot_superposed_epoch = superposed_epoch

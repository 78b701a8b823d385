"""The prevention checklist as a picture: weeks across, habits down, ✓ / ✗ / –.

Every function takes ``ax=None`` (a new figure) and returns the Axes.
"""

from __future__ import annotations

import re
import textwrap

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.colors import ListedColormap
from matplotlib.patches import Patch

from ..errors import ParameterError
from ..habits.checklist import KEPT, MISSED, NOT_JUDGED, prevention_checklist

__all__ = ["plot_checklist", "checklist_figsize"]

_COLOURS = {NOT_JUDGED: "#e6e6e6", KEPT: "#a6d96a", MISSED: "#f46d43"}
_CODES = {NOT_JUDGED: 0, KEPT: 1, MISSED: 2}
#: Height of one habit row and width of one week column of a new figure, inches.
ROW_IN, WEEK_IN = 0.42, 0.34
#: Characters per line of a row label before it wraps.
LABEL_CHARS = 30


def _evidence_kind(label: str) -> str:
    """The kind of evidence of a label: its text before the first ``(``, ``;`` or ``:``."""
    return re.split(r"[(;:]", str(label), maxsplit=1)[0].strip() or str(label)


def _row_label(name: str, evidence: str | None) -> str:
    """``name — evidence kind`` on one line, or broken after the dash when too long."""
    parts = [name] if evidence is None else [f"{name} — {_evidence_kind(evidence)}"]
    if len(parts[0]) > LABEL_CHARS and evidence is not None:
        parts = [f"{name} —", _evidence_kind(evidence)]
    lines = [line for part in parts for line in textwrap.wrap(
        part, LABEL_CHARS, break_long_words=False, break_on_hyphens=False)]
    return "\n".join(lines) or name


def checklist_figsize(n_weeks: int, n_rows: int) -> tuple[float, float]:
    """A figure size, inches, that holds ``n_weeks`` × ``n_rows`` checklist cells.

    For a caller that makes its own figure and passes ``ax=``: about
    :data:`WEEK_IN` per week and :data:`ROW_IN` per row plus room for the labels,
    title, legend and week ticks at the default ``fontsize``. :func:`plot_checklist`
    without ``ax`` sizes its figure exactly instead.
    """
    width = min(16.0, 3.0 + WEEK_IN * max(int(n_weeks), 1))
    return width, 2.2 + ROW_IN * max(int(n_rows), 1)


def plot_checklist(
    weekly_with_habits: pd.DataFrame,
    *,
    athlete: str | None = None,
    last_weeks: int | None = 26,
    load_flags: bool = False,
    evidence: bool = True,
    fontsize: float = 11.0,
    ax=None,
):
    """Grid of the prevention checklist: one column per week, one row per habit.

    Parameters
    ----------
    weekly_with_habits : DataFrame
        From :func:`runload.habits.weekly_habits` (or its
        :func:`~runload.habits.prevention_checklist`).
    athlete : str, optional
        Which athlete; required when the table holds several.
    last_weeks : int or None, default 26
        Show only the latest weeks (``None``: all).
    load_flags : bool, default False
        Add the mileage flags as rows (✓ = not raised).
    evidence : bool, default True
        Put the kind of each rule's evidence in its row label (``strength — expert
        advice``, ``no ramp — heuristic``: the evidence label up to its first
        parenthesis or semicolon; the full labels are in the table's
        ``attrs["evidence"]``).
    fontsize : float, default 11
        Size of the row labels and the ✓ / ✗ / – marks, points; the week ticks and the
        legend are one point smaller, the title one point larger.
    ax : matplotlib Axes, optional
        Where to draw; default a new figure with constrained layout, as wide as the
        weeks and labels need and exactly as tall as :data:`ROW_IN` per row plus its
        title, legend and week ticks (no blank band).

    Returns
    -------
    matplotlib.axes.Axes
        Green ✓ kept, red ✗ missed, grey – not judged (incomplete week, not
        applicable, or not recorded).

    Notes
    -----
    Sized for phones: a report shows the PNG 700 CSS px wide on a phone (scrolling
    sideways), so labels are 11 pt, wrapped at :data:`LABEL_CHARS` characters, and
    the legend sits between the title and the grid, where it never leaves a gap
    however many rows there are.
    """
    table = (weekly_with_habits if "flags" in weekly_with_habits.attrs
             and "evidence" in weekly_with_habits.attrs
             else prevention_checklist(weekly_with_habits, load_flags=load_flags))
    names = list(table.attrs["flags"])
    athletes = table["athlete"].dropna().unique()
    if athlete is None:
        if len(athletes) > 1:
            raise ParameterError(f"the table holds {len(athletes)} athletes; pass athlete=")
    else:
        table = table.loc[table["athlete"] == athlete]
        if table.empty:
            raise ParameterError(f"no weeks for athlete {athlete!r}")
    table = table.sort_values("week_start")
    if last_weeks is not None:
        if isinstance(last_weeks, bool) or int(last_weeks) < 1:
            raise ParameterError(f"last_weeks must be >= 1 or None, got {last_weeks!r}")
        table = table.tail(int(last_weeks))
    if not np.isfinite(fontsize) or fontsize <= 0:
        raise ParameterError(f"fontsize must be a positive number of points, got {fontsize!r}")
    new_figure = ax is None
    if new_figure:
        _, ax = plt.subplots(figsize=checklist_figsize(len(table), len(names)),
                             layout="constrained")
    small = fontsize - 1
    symbols = table[names].astype("string").fillna(NOT_JUDGED).to_numpy().T
    codes = np.select([symbols == KEPT, symbols == MISSED], [_CODES[KEPT], _CODES[MISSED]],
                      _CODES[NOT_JUDGED]).astype(float).reshape(symbols.shape)
    cmap = ListedColormap([_COLOURS[NOT_JUDGED], _COLOURS[KEPT], _COLOURS[MISSED]])
    ax.imshow(codes, aspect="auto", cmap=cmap, vmin=0, vmax=2, interpolation="nearest")
    rows, cols = np.indices(symbols.shape)
    for r, c, s in zip(rows.ravel(), cols.ravel(), symbols.ravel(), strict=True):
        ax.text(c, r, s, ha="center", va="center", fontsize=fontsize)
    labels = [_row_label(n, table.attrs["evidence"][n] if evidence else None) for n in names]
    ax.set_yticks(range(len(names)), labels, fontsize=fontsize, linespacing=1.1)
    weeks = pd.to_datetime(table["week_start"]).dt.strftime("%Y-%m-%d").tolist()
    step = max(1, len(weeks) // 12)
    ax.set_xticks(range(0, len(weeks), step), weeks[::step], rotation=45, ha="right",
                  rotation_mode="anchor", fontsize=small)
    ax.set_xlabel("week starting", fontsize=fontsize)
    who = f" — {athlete}" if athlete is not None else ""
    # the legend sits between the grid and the title: the title is lifted by its height
    ax.legend(handles=[Patch(facecolor=_COLOURS[KEPT], label=f"{KEPT} kept"),
                       Patch(facecolor=_COLOURS[MISSED], label=f"{MISSED} missed"),
                       Patch(facecolor=_COLOURS[NOT_JUDGED], label=f"{NOT_JUDGED} not judged")],
              loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=3, fontsize=small,
              frameon=False, borderaxespad=0.2, handlelength=1.2, columnspacing=1.2)
    ax.set_title(f"Prevention checklist{who}\n(expert advice, not trial results)",
                 fontsize=fontsize + 1, pad=2.4 * small)
    if new_figure:
        _fit_height(ax, len(names))
    return ax


def _fit_height(ax, n_rows: int) -> None:
    """Make a new figure exactly as tall as its rows (:data:`ROW_IN` each) and decorations.

    Constrained layout keeps the title, legend, labels and ticks at fixed sizes in
    points; one layout pass measures them, and the figure height becomes those plus
    the rows, so the grid fills the figure to the ticks with no band left blank.
    """
    fig = ax.figure
    fig.draw_without_rendering()
    decorations = fig.get_figheight() - ax.get_position().height * fig.get_figheight()
    fig.set_figheight(decorations + ROW_IN * max(n_rows, 1))

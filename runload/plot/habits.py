"""The prevention checklist as a picture: weeks across, habits down, ✓ / ✗ / –.

Every function takes ``ax=None`` (a new figure) and returns the Axes.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.colors import ListedColormap
from matplotlib.patches import Patch

from ..errors import ParameterError
from ..habits.checklist import KEPT, MISSED, NOT_JUDGED, prevention_checklist

__all__ = ["plot_checklist"]

_COLOURS = {NOT_JUDGED: "#e6e6e6", KEPT: "#a6d96a", MISSED: "#f46d43"}
_CODES = {NOT_JUDGED: 0, KEPT: 1, MISSED: 2}


def plot_checklist(
    weekly_with_habits: pd.DataFrame,
    *,
    athlete: str | None = None,
    last_weeks: int | None = 26,
    load_flags: bool = False,
    evidence: bool = True,
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
        Put each habit's evidence label in its row label.
    ax : matplotlib Axes, optional
        Where to draw; default a new figure.

    Returns
    -------
    matplotlib.axes.Axes
        Green ✓ kept, red ✗ missed, grey – not judged (incomplete week, not
        applicable, or not recorded).
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
    if ax is None:
        width = min(16.0, 3.0 + 0.35 * max(len(table), 1))
        _, ax = plt.subplots(figsize=(width, 1.0 + 0.45 * len(names)))
    symbols = table[names].astype("string").fillna(NOT_JUDGED).to_numpy().T
    codes = np.select([symbols == KEPT, symbols == MISSED], [_CODES[KEPT], _CODES[MISSED]],
                      _CODES[NOT_JUDGED]).astype(float).reshape(symbols.shape)
    cmap = ListedColormap([_COLOURS[NOT_JUDGED], _COLOURS[KEPT], _COLOURS[MISSED]])
    ax.imshow(codes, aspect="auto", cmap=cmap, vmin=0, vmax=2, interpolation="nearest")
    rows, cols = np.indices(symbols.shape)
    for r, c, s in zip(rows.ravel(), cols.ravel(), symbols.ravel(), strict=True):
        ax.text(c, r, s, ha="center", va="center", fontsize=8)
    labels = [f"{n} — {table.attrs['evidence'][n]}" if evidence else n for n in names]
    ax.set_yticks(range(len(names)), labels, fontsize=8)
    weeks = pd.to_datetime(table["week_start"]).dt.strftime("%Y-%m-%d").tolist()
    step = max(1, len(weeks) // 12)
    ax.set_xticks(range(0, len(weeks), step), weeks[::step], rotation=45, ha="right", fontsize=8)
    ax.set_xlabel("week starting")
    who = f" — {athlete}" if athlete is not None else ""
    ax.set_title(f"Prevention checklist{who} (expert advice, not trial results)")
    ax.legend(handles=[Patch(facecolor=_COLOURS[KEPT], label=f"{KEPT} kept"),
                       Patch(facecolor=_COLOURS[MISSED], label=f"{MISSED} missed"),
                       Patch(facecolor=_COLOURS[NOT_JUDGED], label=f"{NOT_JUDGED} not judged")],
              loc="upper center", bbox_to_anchor=(0.5, -0.35), ncol=3, fontsize=8, frameon=False)
    return ax

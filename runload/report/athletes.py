"""Whose rows: the back-pain episodes of one athlete, or of the report's athletes."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd


def _episodes_of(episodes: pd.DataFrame | None, athlete: str | None, n_athletes: int):
    """The episodes of ``athlete``, and the unnamed ones when ``n_athletes`` is 1.

    An empty table stays empty; without an athlete name, or from a table without an
    ``athlete`` column, every episode is returned.
    """
    if episodes is None or len(episodes) == 0:
        return episodes.iloc[0:0] if episodes is not None else None
    if athlete is None or "athlete" not in episodes.columns:
        return episodes
    mine = episodes["athlete"].astype("string") == athlete
    unnamed = episodes["athlete"].isna() if n_athletes == 1 else False
    return episodes[(mine.fillna(False)) | unnamed]


def _episodes_for(episodes: pd.DataFrame | None, athletes: Sequence[str]
                  ) -> tuple[pd.DataFrame | None, int]:
    """The episodes of the report's athletes, and how many of other athletes were left out.

    Episodes without an athlete belong to the only athlete of a one-athlete report.
    """
    if episodes is None or "athlete" not in episodes.columns or not athletes:
        return episodes, 0
    name = episodes["athlete"].astype("string")
    keep = name.isin(list(athletes)).fillna(False)
    if len(athletes) == 1:
        keep = keep | name.isna()
    return episodes[keep.to_numpy(dtype=bool)], int((~keep).sum())

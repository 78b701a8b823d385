"""Dose-response: onset rate by progression and by session-spike category.

Two published categorisations of load increase, each compared with its lowest
category by the lagged risk ratio of :mod:`runload.stats.lagged` (same at-risk
rules, exact/mid-p interval, Mantel-Haenszel over athletes):

* **weekly progression** (Nielsen et al. 2014): change of weekly distance over the
  reference week, ``<10%`` (reference), ``10-30%``, ``>30%``. Taken from the weekly
  ``progression`` column when present, else computed from ``change_pct`` (exactly
  +10% falls in ``<10%``, as the 10% rule allows it).
* **session spike** (Frandsen et al. 2025): the week's largest run over the longest
  run of the previous 30 days, ``max_spike_pct``: ``<=10%`` (reference),
  ``10-30%``, ``30-100%``, ``>100%``. Frandsen et al. model single runs; here the
  week's largest spike stands for the week, a coarser exposure.

References
----------
.. [1] Nielsen RO, Parner ET, Nohr EA, et al. Excessive progression in weekly running
   distance and risk of running-related injuries: an association which varies
   according to type of injury. J Orthop Sports Phys Ther 2014;44(10):739-747.
.. [2] Frandsen JSB, Hulme A, Parner ET, et al. How much running is too much?
   Identifying high-risk running sessions in a 5200-person cohort study.
   Br J Sports Med 2025;59:1203.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import ParameterError

__all__ = ["PROGRESSION", "SPIKE", "progression_category", "spike_category", "dose_masks"]

#: Nielsen et al. 2014 categories, reference first.
PROGRESSION = ("<10%", "10-30%", ">30%")
#: Frandsen et al. 2025 categories, reference first.
SPIKE = ("<=10%", "10-30%", "30-100%", ">100%")


def progression_category(weekly: pd.DataFrame) -> pd.Series:
    """Nielsen category of each week (missing when the change is undefined)."""
    if "progression" in weekly.columns and weekly["progression"].notna().any():
        text = weekly["progression"].astype("string").str.replace("\u2013", "-").str.replace(" ", "")
        unknown = text.notna() & ~text.isin(PROGRESSION)
        if unknown.any():
            raise ParameterError(
                f"unknown progression category {text[unknown].iloc[0]!r}; expected one of {PROGRESSION}"
            )
        return text
    if "change_pct" not in weekly.columns:
        return pd.Series(pd.NA, index=weekly.index, dtype="string")
    change = pd.to_numeric(weekly["change_pct"], errors="coerce")
    return _cut(change, [10.0, 30.0], PROGRESSION)


def spike_category(weekly: pd.DataFrame) -> pd.Series:
    """Frandsen category of each week from ``max_spike_pct`` (missing when undefined)."""
    if "max_spike_pct" not in weekly.columns:
        return pd.Series(pd.NA, index=weekly.index, dtype="string")
    spike = pd.to_numeric(weekly["max_spike_pct"], errors="coerce")
    return _cut(spike, [10.0, 30.0, 100.0], SPIKE)


def _cut(values: pd.Series, edges, labels) -> pd.Series:
    """Right-closed bins: (-inf, e0], (e0, e1], ... (ek, inf)."""
    codes = np.searchsorted(np.asarray(edges), values.to_numpy(dtype=float), side="left")
    out = pd.Series(np.asarray(labels, dtype=object)[np.minimum(codes, len(labels) - 1)],
                    index=values.index, dtype="string")
    return out.mask(values.isna())


def dose_masks(frame: pd.DataFrame) -> dict:
    """Exposure masks of every non-reference category against the reference category.

    Returns
    -------
    dict
        ``"progression 10-30%"`` -> (weeks in the category, weeks in ``<10%``), ...,
        ``"spike >100%"`` -> (weeks in the category, weeks in ``<=10%``); only
        complete weeks.
    """
    complete = frame["complete"].to_numpy(dtype=bool)
    masks = {}
    for prefix, labels, category in (
        ("progression", PROGRESSION, progression_category(frame)),
        ("spike", SPIKE, spike_category(frame)),
    ):
        if category.isna().all():
            continue
        cat = category.fillna("").to_numpy(dtype=object)
        reference = complete & (cat == labels[0])
        for label in labels[1:]:
            masks[f"{prefix} {label} vs {labels[0]}"] = (complete & (cat == label), reference)
    return masks

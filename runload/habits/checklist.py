"""The per-week prevention checklist: ✓ / ✗ / – per habit, with its evidence label."""

from __future__ import annotations

import pandas as pd

from ..errors import ParameterError
from .rules import EVIDENCE, HABIT_NAMES

__all__ = ["prevention_checklist", "KEPT", "MISSED", "NOT_JUDGED"]

KEPT, MISSED, NOT_JUDGED = "✓", "✗", "–"


def prevention_checklist(weekly_with_habits: pd.DataFrame, *, load_flags: bool = False) -> pd.DataFrame:
    """One row per week, one column per habit: ✓ kept, ✗ missed, – not judged.

    Parameters
    ----------
    weekly_with_habits : DataFrame
        From :func:`runload.habits.weekly_habits`.
    load_flags : bool, default False
        Also add the mileage flags of :data:`runload.flags.EVIDENCE` present in the
        table (✓ = not raised), so the two sets of rules sit side by side.

    Returns
    -------
    DataFrame
        Same index as the input: ``athlete``, ``week_start``, ``complete`` and one
        column per habit named by :data:`runload.habits.rules.HABIT_NAMES`
        (``"strength"``, ``"sleep"`` ...) holding ``"✓"``, ``"✗"`` or ``"–"`` (the
        rule does not judge the week: incomplete week, not applicable, or not
        recorded). ``attrs["evidence"]`` maps each habit column to its evidence label
        and ``attrs["flags"]`` to the flag column it reads.
    """
    columns = {flag: name for flag, name in HABIT_NAMES.items() if flag in weekly_with_habits}
    if not columns:
        raise ParameterError("no habit flags in the table; build it with runload.weekly_habits")
    evidence = {name: EVIDENCE[flag] for flag, name in columns.items()}
    if load_flags:
        from ..flags import EVIDENCE as LOAD_EVIDENCE

        for flag, label in LOAD_EVIDENCE.items():
            if flag.startswith("flag_") and flag in weekly_with_habits:
                name = "no " + flag.removeprefix("flag_").replace("_", " ")
                columns[flag] = name
                evidence[name] = label
    out = weekly_with_habits[["athlete", "week_start", "complete"]].copy()
    for flag, name in columns.items():
        raised = weekly_with_habits[flag].astype("boolean")
        if flag not in HABIT_NAMES:  # mileage flags are False in incomplete weeks: not judged
            raised = raised.where(weekly_with_habits["complete"].astype(bool), pd.NA)
        symbol = pd.Series(NOT_JUDGED, index=out.index, dtype="string")
        symbol = symbol.mask(raised.eq(True).fillna(False), MISSED)
        symbol = symbol.mask(raised.eq(False).fillna(False), KEPT)
        out[name] = symbol
    out.attrs = {"evidence": evidence, "flags": {name: flag for flag, name in columns.items()}}
    return out

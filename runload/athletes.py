"""Whose rows: matching the athlete names of a log to the athletes of the data.

Pain logs, habits logs and sleep data name their athletes by hand, so the names can
differ from those of the activities: a runner's log says ``me`` (the README's template)
while the activities are named after their export, or a coach types ``Gus`` for
``gus``. One rule serves :func:`runload.associate`, the habits layer and the squad
audit (the command line applies the same rule before reading, with errors instead of
warnings):

* rows without an athlete are the only athlete's (an error with several);
* when the data hold one athlete and every named row names one single other athlete,
  those rows are taken as that athlete's, with a warning saying how to name them alike;
* otherwise rows of other athletes are dropped with a warning naming them and the
  closest known name.
"""

from __future__ import annotations

import difflib
import warnings
from collections.abc import Iterable
from typing import Any

import pandas as pd

from .errors import ParameterError, RunloadWarning

__all__ = ["unmatched_athletes", "fill_athlete", "match_athletes"]


def unmatched_athletes(names: Iterable[Any], known: Iterable[Any]) -> str | None:
    """Say which pain-log names match no athlete, and what they may have meant.

    Parameters
    ----------
    names : iterable
        The athlete names of the pain log (missing values are ignored).
    known : iterable
        The athletes of the activity data.

    Returns
    -------
    str or None
        E.g. ``'Gus' (did you mean 'gus'?); the athletes are bea, chen, gus``, or None
        when every name matches.

    Notes
    -----
    The closest match is :func:`difflib.get_close_matches` on the lower-cased names
    (cut-off 0.6), so a change of case, a typo or a missing letter is suggested.
    """
    known = sorted({str(k) for k in known if not pd.isna(k)})
    unknown = sorted({str(n) for n in names if not pd.isna(n)} - set(known))
    if not unknown:
        return None
    lower = {k.lower(): k for k in known}
    parts = []
    for name in unknown:
        close = difflib.get_close_matches(name.lower(), list(lower), n=1, cutoff=0.6)
        parts.append(repr(name) + (f" (did you mean {lower[close[0]]!r}?)" if close else ""))
    return f"{', '.join(parts)}; the athletes are {', '.join(known) or 'none'}"


def fill_athlete(frame: pd.DataFrame, athletes, what: str, *,
                 against: str = "the weekly table") -> pd.DataFrame:
    """Give rows without an athlete the only athlete of ``athletes``."""
    if frame.empty or "athlete" not in frame.columns:
        frame = frame.assign(athlete=pd.Series(pd.NA, index=frame.index, dtype="string"))
    missing = frame["athlete"].isna()
    if not missing.any():
        return frame.assign(athlete=frame["athlete"].astype("string"))
    names = pd.unique(pd.Series(athletes, dtype="string").dropna())
    if len(names) != 1:
        raise ParameterError(
            f"the {what} has rows without an athlete and {against} has "
            f"{len(names)} athletes; add an 'athlete' column"
        )
    return frame.assign(athlete=frame["athlete"].astype("string").fillna(names[0]))


def match_athletes(frame: pd.DataFrame, athletes, what: str, rows: str, *,
                   against: str = "the weekly table", absent: str = "without weekly data",
                   alike: str = "read the activities with athlete={name!r} to name them alike",
                   drop_warning: bool = True, stacklevel: int = 2) -> pd.DataFrame:
    """The rows of ``frame`` (a log) named as the athletes of ``athletes``.

    The rule of :func:`runload.associate` and the command line: rows without an athlete
    are the only athlete's (:func:`fill_athlete`); when ``athletes`` holds one athlete
    and every named row names one single other athlete (the README's ``me``), those rows
    are taken as that athlete's, with a :class:`~runload.errors.RunloadWarning` naming
    both; otherwise rows of other athletes are dropped, with a warning naming them and
    the closest known name (:func:`unmatched_athletes`) unless
    ``drop_warning`` is False. ``what`` names the log (``"habits log"``), ``rows`` its
    rows (``"habits-log row(s)"``), ``against`` the table the names are matched to and
    ``absent`` the athletes left out (``"without weekly data"``); ``alike`` says how
    to name both alike (``{name}``: the log's name, ``{athlete}``: the athlete's).
    """
    if frame.empty or "athlete" not in frame.columns:
        frame = frame.assign(athlete=pd.Series(pd.NA, index=frame.index, dtype="string"))
    frame = frame.assign(athlete=frame["athlete"].astype("string"))
    known = [str(a) for a in pd.unique(pd.Series(athletes, dtype="string").dropna())]
    named = frame["athlete"].notna().to_numpy(dtype=bool)
    other = named & ~frame["athlete"].isin(known).to_numpy(dtype=bool)
    names = sorted(set(frame.loc[other, "athlete"].astype(str)))
    if len(known) == 1 and len(names) == 1 and other.sum() == named.sum():
        warnings.warn(f"the {what} names one athlete, {names[0]!r}: its rows are taken as "
                      f"those of {known[0]!r}, the only athlete of {against}; "
                      + alike.format(name=names[0], athlete=known[0]),
                      RunloadWarning, stacklevel=stacklevel + 1)
        frame = frame.assign(athlete=frame["athlete"].mask(other, known[0]))
        other[:] = False
    frame = fill_athlete(frame, known, what, against=against)
    if other.any():
        if drop_warning:
            warnings.warn(f"{int(other.sum())} {rows} of athletes {absent} ignored: "
                          f"{unmatched_athletes(names, known)}; correct the names in "
                          f"the {what} if they are meant to be these athletes",
                          RunloadWarning, stacklevel=stacklevel + 1)
        frame = frame.loc[~other]
    return frame

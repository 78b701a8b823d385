"""Rehab adherence after back-pain episodes, and whether the next episode came sooner.

Article B (``docs/sources.md``): back pain tends to recur, partly because "once the pain
subsides, most runners just go back to their normal training routine"; the advice is to
"complete a full 8-week rehab program, even if their pain goes away after the first
couple of weeks", then keep core work at least weekly. With ``rehab`` rows in the habits
log, :func:`rehab_adherence` says for each episode whether every week of the programme
had rehab, and :func:`rehab_recurrence` compares the time to the next episode after
completed and abandoned programmes.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..athletes import fill_athlete, match_athletes
from ..columns import EPISODES, conform
from ..errors import ParameterError

__all__ = ["rehab_adherence", "rehab_recurrence", "ADHERENCE", "DEFAULT_PROGRAMME_WEEKS"]

#: Length of the rehab programme advised by article B, weeks.
DEFAULT_PROGRAMME_WEEKS = 8

#: Columns of :func:`rehab_adherence`.
ADHERENCE = {
    "athlete": ("string", "athlete"),
    "onset": ("datetime64[ns]", "first day of the episode"),
    "end": ("datetime64[ns]", "last day of pain (NaT when ongoing)"),
    "programme_end": ("datetime64[ns]", "onset + programme_weeks weeks (exclusive)"),
    "rehab_sessions": ("int64", "rehab sessions logged in the programme"),
    "rehab_weeks": ("int64", "programme weeks with at least min_sessions_per_week sessions"),
    "completed": ("boolean", "every programme week had rehab; NA when the programme had not ended by as_of or there is no log"),
    "stopped_after_pain": ("boolean", "rehab stopped in a week after the pain ended (article B's pattern)"),
    "next_onset": ("datetime64[ns]", "onset of the athlete's next episode (NaT when none)"),
    "days_to_next_onset": ("float64", "days from this onset to the next (NaN when none)"),
}


def _check(programme_weeks, min_sessions_per_week) -> tuple[int, int]:
    for name, v in (("programme_weeks", programme_weeks),
                    ("min_sessions_per_week", min_sessions_per_week)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1:
            raise ParameterError(f"{name} must be a whole number >= 1, got {v!r}")
    return int(programme_weeks), int(min_sessions_per_week)


def rehab_adherence(
    episodes: pd.DataFrame,
    habits: pd.DataFrame | None,
    *,
    programme_weeks: int = DEFAULT_PROGRAMME_WEEKS,
    min_sessions_per_week: int = 1,
    kinds=("rehab",),
    as_of=None,
) -> pd.DataFrame:
    """Was the full rehab programme done after each back-pain episode?

    Parameters
    ----------
    episodes : DataFrame
        Episodes (:data:`runload.columns.EPISODES`, :func:`runload.read_pain_log`).
    habits : DataFrame or None
        The habits log (:func:`runload.read_habits_log`); ``None`` gives NA for
        ``completed``. Rows without an athlete are the only athlete's of the
        episodes (and episodes without one the only athlete's of the log; two logs
        without names are one runner's). When the episodes name one athlete and every
        named row of the log names one single other athlete (the README's ``me``),
        the rows are taken as that athlete's, with a
        :class:`~runload.errors.RunloadWarning` naming both. Otherwise rows of
        athletes without episodes are left out silently (they had no pain to rehab).
    programme_weeks : int, default 8
        Length of the programme from the onset, weeks (article B).
    min_sessions_per_week : int, default 1
        Rehab sessions a programme week needs to count as done.
    kinds : sequence of str, default ('rehab',)
        Log kinds that count as rehab sessions.
    as_of : date-like, optional
        Last day of the log; a programme ending after it is not judged. Default:
        each athlete's latest logged date.

    Returns
    -------
    DataFrame
        Columns of :data:`ADHERENCE`, one row per episode, sorted by athlete and onset.

    Notes
    -----
    Programme week *k* (0-based) is the 7 days from onset + 7*k. ``completed`` needs
    every one of the ``programme_weeks`` weeks to have rehab — also the weeks after
    the pain ended, which is the point of the advice. ``stopped_after_pain`` marks a
    programme whose first week without rehab started after the last day of pain.
    Strength of evidence: a physiotherapist's advice (article B); untested. Compare
    the groups with :func:`rehab_recurrence`; with few episodes, say little.
    """
    weeks, per_week = _check(programme_weeks, min_sessions_per_week)
    eps = conform(episodes, EPISODES, extra=False)
    eps = eps.loc[eps["onset"].notna()].sort_values(["athlete", "onset"], kind="stable")
    eps = eps.reset_index(drop=True)
    log = None
    unnamed = False
    if habits is not None and len(habits):
        log, eps, unnamed = _same_athletes(habits, eps)
    elif len(eps) and eps["athlete"].isna().any():
        eps = eps.assign(athlete=eps["athlete"].astype("string"))
    programme_end = eps["onset"] + pd.Timedelta(days=7 * weeks)
    nxt = eps.groupby(eps["athlete"].fillna("\0"), sort=False)["onset"].shift(-1)
    out = pd.DataFrame(
        {
            "athlete": eps["athlete"],
            "onset": eps["onset"],
            "end": eps["end"],
            "programme_end": programme_end,
            "next_onset": nxt,
            "days_to_next_onset": (nxt - eps["onset"]).dt.days.astype("float64"),
        }
    )
    sessions = np.zeros(len(eps), dtype="int64")
    done_weeks = np.zeros(len(eps), dtype="int64")
    first_gap = np.full(len(eps), weeks, dtype="int64")
    completed = pd.array([pd.NA] * len(eps), dtype="boolean")
    if log is not None and len(eps):
        rehab = log.loc[log["kind"].isin(list(kinds)), ["athlete", "date"]]
        pairs = eps[["athlete", "onset"]].reset_index(names="episode").merge(rehab, on="athlete")
        offset = (pairs["date"] - pairs["onset"]).dt.days
        pairs = pairs.loc[(offset >= 0) & (offset < 7 * weeks)].assign(week=offset // 7)
        per = pairs.groupby(["episode", "week"]).size()
        sessions = per.groupby(level="episode").sum().reindex(range(len(eps)), fill_value=0)
        sessions = sessions.to_numpy(dtype="int64")
        grid = np.zeros((len(eps), weeks), dtype="int64")
        if len(per):
            e = per.index.get_level_values("episode").to_numpy()
            k = per.index.get_level_values("week").to_numpy()
            grid[e, k] = per.to_numpy()
        ok = grid >= per_week
        done_weeks = ok.sum(axis=1)
        first_gap = np.where(ok.all(axis=1), weeks, np.argmin(ok, axis=1))
        last_logged = log.groupby("athlete")["date"].max()
        horizon = (pd.Series(pd.Timestamp(as_of).normalize(), index=eps.index) if as_of is not None
                   else eps["athlete"].map(last_logged))
        over = (programme_end - pd.Timedelta(days=1)) <= horizon
        completed = pd.array(done_weeks == weeks, dtype="boolean")
        completed[~over.fillna(False).to_numpy(dtype=bool)] = pd.NA
    gap_start = eps["onset"] + pd.to_timedelta(7 * first_gap, unit="D")
    stopped = pd.array((first_gap < weeks) & (gap_start > eps["end"].fillna(gap_start)).to_numpy(),
                       dtype="boolean")
    stopped[pd.isna(completed)] = pd.NA
    out["rehab_sessions"] = sessions
    out["rehab_weeks"] = done_weeks
    out["completed"] = completed
    out["stopped_after_pain"] = stopped
    if unnamed:
        out["athlete"] = pd.Series(pd.NA, index=out.index, dtype="string")
    return conform(out, ADHERENCE, extra=False)


_ONE = "\0"  # the athlete of two logs that name nobody


def _same_athletes(habits: pd.DataFrame, eps: pd.DataFrame):
    """The habits log and the episodes with the same athlete names (see rehab_adherence)."""
    log = habits.loc[:, [c for c in ("athlete", "date", "kind") if c in habits.columns]]
    if "athlete" not in log.columns:
        log = log.assign(athlete=pd.Series(pd.NA, index=log.index, dtype="string"))
    named = eps["athlete"].dropna().unique()
    if not len(named) and log["athlete"].isna().all():
        one = pd.Series(_ONE, dtype="string")
        return (log.assign(athlete=one.repeat(len(log)).set_axis(log.index)),
                eps.assign(athlete=one.repeat(len(eps)).set_axis(eps.index)), True)
    if len(named):
        log = match_athletes(log, named, "habits log", "habits-log row(s)",
                             against="the episode table", absent="without episodes",
                             alike="name them alike in both logs", drop_warning=False,
                             stacklevel=3)
    else:
        log = log.assign(athlete=log["athlete"].astype("string"))
    eps = fill_athlete(eps, log["athlete"], "episode table", against="the habits log")
    log = fill_athlete(log, eps["athlete"], "habits log", against="the episode table")
    return log, eps, False


def rehab_recurrence(adherence: pd.DataFrame) -> pd.DataFrame:
    """Time to the next episode after completed and abandoned rehab programmes.

    Parameters
    ----------
    adherence : DataFrame
        From :func:`rehab_adherence`.

    Returns
    -------
    DataFrame
        One row per ``completed`` value (True, False; episodes with NA left out):
        ``episodes``, ``recurred`` (followed by another episode),
        ``median_days_to_next`` (over the episodes that recurred; NaN when none).

    Notes
    -----
    Descriptive only: a runner's adherence is not randomised, and a handful of
    episodes cannot show a difference. Say "came sooner" only with many episodes.
    """
    judged = adherence.loc[adherence["completed"].notna()]
    rows = []
    for done in (True, False):
        part = judged.loc[judged["completed"].astype(bool) == done]
        recurred = part["next_onset"].notna()
        rows.append(
            {
                "completed": done,
                "episodes": int(len(part)),
                "recurred": int(recurred.sum()),
                "median_days_to_next": float(part.loc[recurred, "days_to_next_onset"].median())
                if recurred.any() else np.nan,
            }
        )
    return pd.DataFrame(rows)

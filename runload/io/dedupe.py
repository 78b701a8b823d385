"""Find the same activity read from several files, and keep the best copy.

A runner's files often hold one run more than once: the FIT from the watch and the GPX
or TCX an app exported from it, two devices worn on one run, a re-upload, the same file
in a Strava and a Garmin export. Counting them all would double the weekly mileage.

Two rows of one athlete are the same activity when

* their files are byte-identical (same ``activity_id``), or
* their time intervals ``[start_time, start_time + elapsed_time_s]`` overlap by at least
  ``min_overlap`` (default 50%) of the *shorter* one, and their distances differ by at
  most ``max_distance_diff`` (default 10%) of the larger one. When either distance is
  missing or zero, the overlap must instead cover ``min_overlap`` of the *longer*
  interval (two treadmill runs without distance on the same evening are not enough).

Of each group of copies the best row is kept (``duplicate_of`` NA) and every other row
gets ``duplicate_of`` = the kept row's ``activity_id``. Best means, in order: format
(FIT, then TCX, then GPX — the device's own file first — then a manual Strava entry,
``csv``), then where the distance comes from (``device``, ``laps``, ``records``,
``gps``, then ``manual``), then a file read in full over one
read only in part (``damaged``), then the most filled-in columns, then the smaller
``source`` (so the choice never depends on reading order).

A duplicate is not a broken file: it is no problem row; ``inventory['duplicates']``
counts the rows marked. Weekly totals must use ``duplicate_of.isna()`` rows only.

The comparison is vectorised: rows are sorted by athlete and start, and each row is
compared with its next ``window`` neighbours only (copies of one activity start within
minutes of each other, so they are neighbours), which is linear in the number of rows.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from ..columns import ACTIVITIES

__all__ = ["FORMAT_RANK", "DISTANCE_SOURCE_RANK", "mark_duplicates", "simultaneous_pairs"]

#: Preferred formats, best first; ``csv`` (a manual Strava entry, typed in) comes last.
FORMAT_RANK = {"fit": 0, "tcx": 1, "gpx": 2, "csv": 3}
#: Preferred distance sources, best first; ``manual`` (typed in) comes last.
DISTANCE_SOURCE_RANK = {"device": 0, "laps": 1, "records": 2, "gps": 3, "manual": 4}


def _quality_rank(df: pd.DataFrame, damaged: Iterable[str] = ()) -> np.ndarray:
    """Rank of each row, 0 = best copy (format, distance source, intact, completeness,
    source)."""
    fmt = df["format"].map(FORMAT_RANK).astype("float64").fillna(9).to_numpy()
    dist = df["distance_source"].map(DISTANCE_SOURCE_RANK).astype("float64").fillna(9).to_numpy()
    cols = [c for c in ACTIVITIES if c in df.columns and c != "duplicate_of"]
    filled = df[cols].notna().sum(axis=1).to_numpy()
    source = df["source"].astype("str").to_numpy()
    hurt = df["source"].isin(list(damaged)).to_numpy(dtype=bool)
    order = np.lexsort((source, -filled, hurt, dist, fmt))
    rank = np.empty(len(df), dtype=np.int64)
    rank[order] = np.arange(len(df))
    return rank


def mark_duplicates(
    activities: pd.DataFrame,
    *,
    min_overlap: float = 0.5,
    max_distance_diff: float = 0.10,
    window: int = 8,
    damaged: Iterable[str] = (),
) -> pd.DataFrame:
    """Set ``duplicate_of`` on the rows that repeat another row's activity.

    Parameters
    ----------
    activities : DataFrame
        With the :data:`runload.columns.ACTIVITIES` columns (at least ``athlete``,
        ``activity_id``, ``source``, ``format``, ``start_time``, ``elapsed_time_s``,
        ``moving_time_s``, ``distance_m``, ``distance_source``).
    min_overlap : float
        Fraction of the shorter interval two copies must share (0-1).
    max_distance_diff : float
        Largest relative difference of the two distances (of the larger one).
    window : int
        How many following rows (by start time) each row is compared with.
    damaged : iterable of str
        Sources that were read only in part (they have problem rows); among otherwise
        equal copies an intact file is kept.

    Returns
    -------
    DataFrame
        A copy of ``activities`` with ``duplicate_of`` filled; row order is unchanged.
        ``duplicate_of`` values already present are replaced.
    """
    out = activities.copy()
    n = len(out)
    dup = np.full(n, None, dtype=object)
    if n < 2:
        out["duplicate_of"] = pd.array(dup, dtype="string")
        return out
    rank = _quality_rank(out, damaged)
    ids = out["activity_id"].astype("str").to_numpy()
    athlete = out["athlete"].astype("str").fillna("").to_numpy()
    left, right = _identical_pairs(ids, athlete)
    i2, j2 = _overlap_pairs(out, athlete, min_overlap=min_overlap,
                            max_distance_diff=max_distance_diff, window=window)
    left = np.concatenate([left, i2])
    right = np.concatenate([right, j2])
    best = _best_of_groups(rank, left, right)
    by_rank = np.empty(n, dtype=np.int64)
    by_rank[rank] = np.arange(n)
    keeper = by_rank[best]
    marked = keeper != np.arange(n)
    dup[marked] = ids[keeper[marked]]
    out["duplicate_of"] = pd.array(dup, dtype="string")
    return out


def _identical_pairs(ids: np.ndarray, athlete: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pairs (first row, other row) of rows with the same id and athlete."""
    frame = pd.DataFrame({"key": pd.Series(ids) + "\x00" + pd.Series(athlete)})
    first = frame.groupby("key", sort=False).cumcount().to_numpy() > 0
    if not first.any():
        return np.empty(0, np.int64), np.empty(0, np.int64)
    head = frame.reset_index().groupby("key", sort=False)["index"].transform("first").to_numpy()
    rows = np.flatnonzero(first)
    return head[rows].astype(np.int64), rows.astype(np.int64)


def _intervals(df: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Start (s since the epoch, NaN when missing), duration (elapsed, else moving; s)
    and distance (m) of each row, as float arrays."""
    start = pd.to_datetime(df["start_time"], utc=True)
    start_s = (start - pd.Timestamp(0, tz="UTC")).dt.total_seconds().to_numpy(
        dtype="float64", na_value=np.nan)
    elapsed = pd.to_numeric(df["elapsed_time_s"], errors="coerce").astype("float64")
    moving = pd.to_numeric(df["moving_time_s"], errors="coerce").astype("float64")
    duration = elapsed.fillna(moving).to_numpy()
    distance = pd.to_numeric(df["distance_m"], errors="coerce").astype("float64").to_numpy()
    return start_s, duration, distance


def _neighbour_pairs(df: pd.DataFrame, athlete: np.ndarray, *, min_overlap: float,
                     max_distance_diff: float, window: int
                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Pairs of rows of one athlete, each row with its next ``window`` neighbours by start.

    Returns
    -------
    left, right : numpy.ndarray of int64
        Row positions of the pairs (``left`` starts first).
    simultaneous : numpy.ndarray of bool
        The intervals overlap by at least ``min_overlap`` of the shorter one.
    same : numpy.ndarray of bool
        The duplicate rule of the module docstring holds.
    """
    start_s, duration, distance = _intervals(df)
    ok = np.isfinite(start_s) & np.isfinite(duration) & (duration > 0)
    rows = np.flatnonzero(ok)
    empty = np.empty(0, np.int64)
    if len(rows) < 2:
        return empty, empty, np.empty(0, bool), np.empty(0, bool)
    order = rows[np.lexsort((start_s[rows], athlete[rows]))]
    lefts, rights, together, sames = [], [], [], []
    for k in range(1, min(window, len(order) - 1) + 1):
        i, j = order[:-k], order[k:]
        keep = athlete[i] == athlete[j]
        i, j = i[keep], j[keep]
        s_i, s_j = start_s[i], start_s[j]
        e_i, e_j = s_i + duration[i], s_j + duration[j]
        overlap = np.minimum(e_i, e_j) - np.maximum(s_i, s_j)
        shorter = np.minimum(duration[i], duration[j])
        longer = np.maximum(duration[i], duration[j])
        d_i, d_j = distance[i], distance[j]
        have = np.isfinite(d_i) & np.isfinite(d_j) & (d_i > 0) & (d_j > 0)
        with np.errstate(invalid="ignore"):
            close = np.abs(d_i - d_j) <= max_distance_diff * np.maximum(d_i, d_j)
        simultaneous = overlap >= min_overlap * shorter
        same = np.where(have, simultaneous & close, overlap >= min_overlap * longer)
        lefts.append(i)
        rights.append(j)
        together.append(simultaneous)
        sames.append(same)
    return (np.concatenate(lefts).astype(np.int64), np.concatenate(rights).astype(np.int64),
            np.concatenate(together), np.concatenate(sames))


def _overlap_pairs(df: pd.DataFrame, athlete: np.ndarray, *, min_overlap: float,
                   max_distance_diff: float, window: int) -> tuple[np.ndarray, np.ndarray]:
    """Pairs of rows whose intervals overlap and distances agree (see module docstring)."""
    left, right, _, same = _neighbour_pairs(df, athlete, min_overlap=min_overlap,
                                            max_distance_diff=max_distance_diff, window=window)
    return left[same], right[same]


def simultaneous_pairs(
    activities: pd.DataFrame,
    *,
    min_overlap: float = 0.5,
    max_distance_diff: float = 0.10,
    window: int = 8,
) -> pd.DataFrame:
    """Pairs of one athlete's activities that happened at the same time.

    The candidates :func:`mark_duplicates` compares (each row with its next ``window``
    rows of the same athlete by start), kept when their intervals
    ``[start_time, start_time + elapsed_time_s]`` overlap by at least ``min_overlap`` of
    the shorter one.

    Parameters
    ----------
    activities : DataFrame
        With ``athlete``, ``activity_id``, ``start_time``, ``elapsed_time_s``,
        ``moving_time_s``, ``distance_m`` and ``duplicate_of`` (as
        :func:`mark_duplicates` leaves it).
    min_overlap, max_distance_diff, window
        As in :func:`mark_duplicates`.

    Returns
    -------
    DataFrame
        Columns ``left`` and ``right`` (row positions in ``activities``, ``left`` the
        earlier start) and ``same`` (bool): True when both rows are copies of one
        activity (they fall in one group of :func:`mark_duplicates`). A simultaneous pair
        that is not the same activity is impossible for one person: two people's
        activities read as one athlete, or a copy whose distance disagrees.
    """
    n = len(activities)
    if n < 2:
        return pd.DataFrame({"left": np.empty(0, np.int64), "right": np.empty(0, np.int64),
                             "same": np.empty(0, bool)})
    athlete = activities["athlete"].astype("str").fillna("").to_numpy()
    left, right, together, _ = _neighbour_pairs(
        activities, athlete, min_overlap=min_overlap, max_distance_diff=max_distance_diff,
        window=window)
    left, right = left[together], right[together]
    ids = activities["activity_id"].astype("str").to_numpy()
    kept = activities["duplicate_of"].astype("string").fillna(
        activities["activity_id"].astype("string")).astype("str").to_numpy()
    same = (kept[left] == kept[right]) | (ids[left] == ids[right])
    return pd.DataFrame({"left": left, "right": right, "same": same})


def _best_of_groups(rank: np.ndarray, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """For each row, the best (smallest) rank among the rows linked to it, transitively."""
    best = rank.copy()
    if len(left) == 0:
        return best
    while True:
        before = best.copy()
        np.minimum.at(best, left, best[right])
        np.minimum.at(best, right, best[left])
        if np.array_equal(before, best):
            return best

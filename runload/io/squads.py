"""A source folder that holds a squad, not one runner.

``read_activities("squad/")`` on a folder of athlete folders reads everyone as one
athlete: weeks of several runners added up, and their group runs taken for duplicates of
each other. Nothing in a file says whose it is, but time does: one person cannot do two
activities at once. :func:`squad_message` looks for activities of different immediate
sub-folders that happen at the same time without being copies of one recording, and
:func:`warn_squads` turns a finding into one :class:`runload.errors.RunloadWarning` per
source folder that names the sub-folders and says how to read a squad. The rule and why
it stays quiet for one runner's layouts are in ``docs/inputs.md``.
"""

from __future__ import annotations

import os
import warnings
from typing import Any

import numpy as np
import pandas as pd

from ..errors import RunloadWarning
from .dedupe import simultaneous_pairs

__all__ = ["SQUAD_MIN_CONFLICTS", "SQUAD_MIN_CONFLICT_SHARE", "squad_message", "warn_squads"]


#: A folder is a squad when two of its sub-folders share at least this many pairs of
#: activities that happen at the same time without being one activity ...
SQUAD_MIN_CONFLICTS = 3
#: ... and those pairs are at least this share of the smaller sub-folder's activities.
SQUAD_MIN_CONFLICT_SHARE = 0.05


def _subfolders(sources: pd.Series, root: str) -> pd.Series:
    """The immediate sub-folder (or archive) of ``root`` each source lies in; NA for a
    file directly in ``root`` or a source outside it."""
    inside = sources.str.startswith(root)
    rel = sources.str.slice(len(root)).str.lstrip("/" + os.sep)
    head = rel.str.extract(r"^([^/\\!]+)([/\\!])")
    return head[0].where(inside & head[1].notna()).astype("string")


def squad_message(
    activities: pd.DataFrame,
    *,
    root: str,
    rows: Any = None,
    athlete: str | None = None,
    min_overlap: float = 0.5,
    max_distance_diff: float = 0.10,
    min_conflicts: int = SQUAD_MIN_CONFLICTS,
    min_share: float = SQUAD_MIN_CONFLICT_SHARE,
    pairs: pd.DataFrame | None = None,
) -> str | None:
    """Why a folder read as one athlete looks like a squad, or None when it does not.

    Parameters
    ----------
    activities : DataFrame
        The activities table (duplicates marked).
    root : str
        The folder given as a source (a file or an archive is never a squad).
    rows : array of bool, optional
        The rows read from ``root`` (default: every row).
    athlete : str, optional
        The athlete the folder was read as, for the message.
    min_overlap, max_distance_diff : float
        The duplicate rule (:func:`runload.io.dedupe.mark_duplicates`).
    min_conflicts : int
        Fewest conflicting pairs between two sub-folders.
    min_share : float
        Fewest conflicting pairs as a share of the smaller sub-folder's activities.
    pairs : DataFrame, optional
        :func:`runload.io.dedupe.simultaneous_pairs` of ``activities`` when already
        computed (with ``min_overlap`` and ``max_distance_diff``); computed otherwise.

    Returns
    -------
    str or None
        The warning text: the sub-folders, the conflicting pairs with an example, the
        duplicates matched across sub-folders, and how to read a squad.

    Notes
    -----
    The sub-folders are the immediate children of ``root`` (folders, or archives) that
    hold activities. Two activities *conflict* when they are of different sub-folders,
    overlap in time by at least ``min_overlap`` of the shorter one, and are not copies
    of one activity (:func:`runload.io.dedupe.simultaneous_pairs`). One person cannot do
    two activities at once, so a conflict is either two people or a copy whose distance
    disagrees by more than ``max_distance_diff``; the second is rare, hence the two
    thresholds. One runner's layouts give none: a Strava and a Garmin export of the same
    runner side by side share copies (same recording, distances within 10%), year or
    month folders do not overlap in time, and the folders inside an export
    (``activities/``, ``DI_CONNECT/``) are below the first level.
    """
    if not os.path.isdir(root) or len(activities) < 2:
        return None
    mine = np.ones(len(activities), bool) if rows is None else np.asarray(rows, bool)
    group = _subfolders(activities["source"].astype("string"), root)
    group = group.where(mine).reset_index(drop=True)
    size = group.value_counts()
    if len(size) < 2:
        return None
    if pairs is None:
        pairs = simultaneous_pairs(activities, min_overlap=min_overlap,
                                   max_distance_diff=max_distance_diff)
    a = group.iloc[pairs["left"].to_numpy()].to_numpy(dtype=object, na_value=None)
    b = group.iloc[pairs["right"].to_numpy()].to_numpy(dtype=object, na_value=None)
    known = pd.notna(a) & pd.notna(b)
    clash = known & (a != b) & ~pairs["same"].to_numpy(dtype=bool)
    if not clash.any():
        return None
    conflict = pairs.loc[clash].reset_index(drop=True)
    a, b = a[clash].astype(str), b[clash].astype(str)
    ordered = pd.DataFrame({"low": np.where(a < b, a, b), "high": np.where(a < b, b, a)})
    per_pair = ordered.groupby(["low", "high"]).size()
    smaller = np.minimum(size.reindex(per_pair.index.get_level_values("low")).to_numpy(),
                         size.reindex(per_pair.index.get_level_values("high")).to_numpy())
    count = per_pair.to_numpy()
    if not ((count >= min_conflicts) & (count >= min_share * smaller)).any():
        return None
    return _squad_text(activities, root, sorted(size.index), group, conflict, athlete)


def _squad_text(activities: pd.DataFrame, root: str, names: list[str], group: pd.Series,
                conflict: pd.DataFrame, athlete: str | None) -> str:
    """The squad warning (see :func:`squad_message`)."""
    shown = ", ".join(names[:12]) + (f" and {len(names) - 12} more" if len(names) > 12 else "")
    left, right = conflict["left"].iloc[0], conflict["right"].iloc[0]
    when = pd.Timestamp(activities["start_time"].iloc[right]).strftime("%Y-%m-%d %H:%M UTC")
    source = activities["source"].astype("str")
    example = (f"{_relative(source.iloc[left], root)} and {_relative(source.iloc[right], root)},"
               f" both under way at {when}")
    # duplicates whose kept copy lies in another sub-folder
    ids = activities["activity_id"].astype("str").reset_index(drop=True)
    kept = activities["duplicate_of"].astype("string").reset_index(drop=True)
    home = group[kept.isna().to_numpy()].groupby(ids[kept.isna().to_numpy()]).first()
    of = home.reindex(kept.fillna("").astype("str")).reset_index(drop=True)
    across = int((kept.notna() & group.notna() & of.notna() & (of != group)).fillna(False).sum())
    folders = [os.path.join(root, name) for name in names[:2]]
    listed = ", ".join(repr(f) for f in folders) + (", ..." if len(names) > 2 else "")
    star = os.path.join(root, "*")
    who = f" as one athlete ({athlete!r})" if athlete is not None else " as one athlete"
    return (
        f"{root} looks like a squad, not one runner: it was read{who}, but its "
        f"sub-folders {shown} hold {len(conflict)} pairs of activities that happen at the "
        f"same time without being the same recording (e.g. {example}); one person cannot "
        f"do two activities at once"
        + (f", and {across} activities of one sub-folder were taken for duplicates of "
           f"another's" if across else "")
        + ". Read a squad one source per athlete: runload.read_activities(["
        f"{listed}]), `runload weekly {star}` or `runload audit {root}`"
    )


def _relative(source: str, root: str) -> str:
    return source[len(root):].lstrip("/" + os.sep) if source.startswith(root) else source


def _two_children(path: str) -> bool:
    """Whether ``path`` is a folder with two or more sub-folders or archives to compare."""
    if not os.path.isdir(path):
        return False
    found = 0
    with os.scandir(path) as entries:
        for entry in entries:
            if entry.is_dir() or entry.name.lower().endswith((".zip", ".zip.gz")):
                found += 1
                if found == 2:
                    return True
    return False


def warn_squads(frame: pd.DataFrame, results: list[Any], paths: list[str],
                 athletes: list[str], *, min_overlap: float, max_distance_diff: float) -> None:
    """Warn once per source folder that looks like a squad (:func:`squad_message`).

    Parameters
    ----------
    frame : DataFrame
        The assembled activities table of a :func:`runload.read_activities` call.
    results : list of runload.io.ingest.FileResult
        The per-file results (their ``origin`` says which source a file came from).
    paths, athletes : list of str
        The sources and the athlete each was read as.
    min_overlap, max_distance_diff : float
        The duplicate rule the table was built with.
    """
    folders = [i for i, path in enumerate(paths) if _two_children(path)]
    if not folders or len(frame) < 2:
        return  # the usual case (a folder of files, an export): no table work at all
    origins = {r.source: r.origin for r in results}
    origin = frame["source"].astype("str").map(origins).to_numpy()
    pairs = simultaneous_pairs(frame, min_overlap=min_overlap,
                               max_distance_diff=max_distance_diff)
    for index in folders:
        message = squad_message(frame, root=paths[index], rows=origin == index,
                                athlete=athletes[index], pairs=pairs)
        if message is not None:
            warnings.warn(message, RunloadWarning, stacklevel=3)

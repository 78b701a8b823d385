"""Reading a squad folder: one sub-folder or archive per athlete."""

from __future__ import annotations

from pathlib import Path

from ..errors import ParameterError
from .errors import NothingReadError, UsageError

# Archive suffixes that hold one athlete in a squad folder.
_ARCHIVES = (".zip", ".tar", ".tar.gz", ".tgz")


def _squad_members(squad: Path) -> list[tuple[str, Path]]:
    if not squad.exists():
        raise UsageError("no such squad folder; check the path", source=str(squad))
    if not squad.is_dir():
        raise UsageError("SQUAD_DIR must be a folder holding one folder or .zip per athlete",
                         source=str(squad))
    members = []
    for entry in sorted(squad.iterdir()):
        if entry.name.startswith((".", "__MACOSX")):
            continue
        name = entry.name.lower()
        if entry.is_dir():
            members.append((entry.name, entry))
        elif name.endswith(_ARCHIVES):
            stem = entry.name
            for suffix in sorted(_ARCHIVES, key=len, reverse=True):
                if name.endswith(suffix):
                    stem = entry.name[: -len(suffix)]
                    break
            members.append((stem, entry))
    return members


def read_squad(squad: Path, *, tz: str | None = None, quiet: bool = True,
               read_options: dict | None = None):
    """Read a squad folder: one sub-folder or archive per athlete.

    Parameters
    ----------
    squad : Path
        The squad folder.
    tz : str, optional
        IANA time zone for files without a UTC offset.
    quiet : bool
        No progress bar.
    read_options : dict, optional
        Cache and pool options passed to :func:`runload.read_activities`
        (``cache``, ``cache_dir``, ``workers``).

    Returns
    -------
    activities : DataFrame
        All athletes' activities (``athlete`` = the folder or archive name).
    problems : dict of str to DataFrame
        Each athlete's problems table.
    counts : dict
        The file inventory summed over the athletes.

    Raises
    ------
    UsageError
        ``squad`` is missing or not a folder.
    NothingReadError
        No athlete folder inside ``squad``.
    """
    import pandas as pd

    from ..io import inventory, problems, read_activities
    from ..progress import progress

    members = _squad_members(squad)
    if not members:
        raise NothingReadError("no athlete folder or .zip inside; put one folder per athlete "
                               "in the squad folder", source=str(squad))
    frames, tables = [], {}
    counts: dict[str, int] = {}
    for name, path in progress(members, desc="athletes", unit="athlete", quiet=quiet):
        try:
            activities = read_activities(str(path), athlete=name, tz=tz, errors="skip",
                                         **(read_options or {}))
        except ParameterError as exc:
            raise UsageError(exc.message, source=exc.source) from exc
        for key, value in inventory(activities).items():
            counts[key] = counts.get(key, 0) + int(value)
        tables[name] = problems(activities)
        frames.append(activities)
    read = [f for f in frames if len(f)]
    activities = pd.concat(read or frames[:1], ignore_index=True)
    activities.attrs = {"tz": tz}
    return activities, tables, counts


"""Cohort scale: read and analyse many athletes' histories on a Dask cluster.

Needs the ``cluster`` extra (``pip install "runload[cluster]"``: dask.distributed).

* :func:`dask_map` — ``[func(x) for x in items]`` as Dask tasks (batches of files),
  in order; what ``read_activities(..., engine="dask")`` uses.
* :func:`read_cohort` — every athlete's files read as tasks, each athlete's activities
  assembled (duplicates, export metadata) on a worker and written as one partition of
  a Parquet dataset partitioned by athlete (``out/activities/athlete=<name>/``), the
  problems likewise (``out/problems/``); returns one inventory row per athlete.
* :func:`map_athletes` — run any per-athlete stage on such a dataset, one task per
  athlete; :func:`weekly_cohort` is it with :func:`runload.weekly_load`.
* :func:`load_cohort` — read the dataset (or some athletes of it) back.

Without a ``client`` a ``distributed.LocalCluster`` is started for the call and closed
after it. On a real cluster, pass a ``distributed.Client`` connected to its scheduler;
``out`` (and the source folders) must then be paths every worker sees (a shared file
system). See ``docs/performance.md``.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pandas as pd

from .errors import ParameterError, ReadError

__all__ = [
    "dask_map",
    "read_cohort",
    "load_cohort",
    "map_athletes",
    "weekly_cohort",
]

_PART = "part-0.parquet"


@contextlib.contextmanager
def _client(client=None, *, n_workers: int | None = None):
    """The given client, or a LocalCluster client closed on exit."""
    try:
        import distributed
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise ParameterError(
            'engine "dask" needs dask.distributed: pip install "runload[cluster]"'
        ) from exc
    if client is not None:
        yield client
        return
    cluster = distributed.LocalCluster(
        n_workers=n_workers, threads_per_worker=1, dashboard_address=None
    )
    try:
        with distributed.Client(cluster) as local:
            yield local
    finally:
        cluster.close()


def _apply_batch(func: Callable, batch: list) -> list:
    return [func(item) for item in batch]


def _batches(items: list, size: int) -> list[list]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def dask_map(
    func: Callable[[Any], Any],
    items: Iterable[Any],
    *,
    client=None,
    batch_size: int = 32,
) -> list[Any]:
    """``[func(item) for item in items]`` as Dask tasks, in the order of ``items``.

    Parameters
    ----------
    func : callable
        A picklable function of one item (e.g. :func:`runload.io.ingest.read_entry`).
    items : iterable
        Picklable items.
    client : distributed.Client, optional
        Default: a LocalCluster for this call.
    batch_size : int, default 32
        Items per task (a task per file would make the scheduler the bottleneck).

    Returns
    -------
    list
    """
    if batch_size < 1:
        raise ParameterError(f"batch_size must be >= 1, got {batch_size}")
    items = list(items)
    if not items:
        return []
    batches = _batches(items, batch_size)
    with _client(client) as c:
        futures = c.map(_apply_batch, [func] * len(batches), batches, pure=False)
        return [result for batch in c.gather(futures) for result in batch]


def _athlete_sources(sources) -> dict[str, list[str]]:
    """athlete -> paths, from a mapping, a list of paths or a folder of athlete folders."""
    if isinstance(sources, Mapping):
        out = {}
        for athlete, paths in sources.items():
            if isinstance(paths, (str, os.PathLike)):
                paths = [paths]
            out[str(athlete)] = [os.fspath(p) for p in paths]
        return out
    if isinstance(sources, (str, os.PathLike)):
        root = Path(sources)
        if not root.is_dir():
            raise ReadError("no such folder", source=os.fspath(root), kind="unreadable")
        folders = sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
        return {p.name: [os.fspath(p)] for p in folders}
    from .io.ingest import default_athlete

    out: dict[str, list[str]] = {}
    for path in sources:
        out.setdefault(default_athlete(path), []).append(os.fspath(path))
    return out


def _assemble_athlete(athlete: str, out: str, options: dict, logs: list, *batches: list) -> dict:
    """On a worker: one athlete's rows assembled and written as its partitions."""
    from . import columns
    from .io import ingest

    results = [r for batch in batches for r in batch]
    frame = ingest.assemble_activities(
        results,
        athletes=[athlete] * max(1, len(logs)),
        logs=logs,
        min_overlap=options["min_overlap"],
        max_distance_diff=options["max_distance_diff"],
    )
    problems = pd.DataFrame.from_records(frame.attrs["problems"])
    problems = columns.conform(problems, columns.PROBLEMS, extra=False)
    inventory = frame.attrs["inventory"]
    frame.attrs = {}  # kept apart as the problems partition and the returned inventory
    _write_partition(frame.drop(columns=["athlete"]), Path(out) / "activities", athlete)
    _write_partition(problems, Path(out) / "problems", athlete)
    return {"athlete": athlete, **inventory}


def _write_partition(frame: pd.DataFrame, root: Path, athlete: str) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder = root / f"athlete={quote(athlete, safe='')}"
    folder.mkdir(parents=True, exist_ok=True)
    table = pa.Table.from_pandas(frame.reset_index(drop=True), preserve_index=False)
    tmp = folder / f".{_PART}.{os.getpid()}.tmp"
    pq.write_table(table, tmp)
    os.replace(tmp, folder / _PART)


def read_cohort(
    sources,
    out: str | os.PathLike,
    *,
    client=None,
    batch_size: int = 32,
    recursive: bool = True,
    min_overlap: float = 0.5,
    max_distance_diff: float = 0.10,
) -> pd.DataFrame:
    """Read a cohort's activity files on a Dask cluster into a partitioned dataset.

    Parameters
    ----------
    sources : path, list of paths or mapping
        A folder holding one folder (or export archive folder) per athlete; a list of
        paths (athlete named as by :func:`runload.read_activities`); or a mapping
        ``athlete -> path or list of paths``.
    out : path
        Output folder; written: ``out/activities/athlete=<name>/part-0.parquet``
        (:data:`runload.columns.ACTIVITIES` less ``athlete``, which is the partition
        key; names URL-quoted) and ``out/problems/athlete=<name>/part-0.parquet``.
        On a cluster it must be on storage every worker can write.
    client : distributed.Client, optional
        Default: a LocalCluster for this call.
    batch_size : int, default 32
        Files per reading task.
    recursive, min_overlap, max_distance_diff
        As for :func:`runload.read_activities`.

    Returns
    -------
    DataFrame
        One row per athlete: ``athlete`` and the inventory counts of
        :func:`runload.io.inventory` (``files_seen``, ``activities``, ...).

    Notes
    -----
    The folders are listed in the calling process (cheap); the files are read in
    tasks of ``batch_size`` files (:func:`runload.io.ingest.read_entry`: summary rows
    only, never sample streams), and each athlete is assembled by a task that
    depends on their reading tasks, so nothing but the per-athlete inventory comes
    back to the caller. Re-running overwrites each athlete's partition.
    """
    from .io.archives import Limits, WalkLog, walk
    from .io.ingest import read_entry

    if batch_size < 1:
        raise ParameterError(f"batch_size must be >= 1, got {batch_size}")
    per_athlete = _athlete_sources(sources)
    if not per_athlete:
        raise ParameterError("no athletes found in sources")
    out = os.fspath(out)
    options = {"min_overlap": min_overlap, "max_distance_diff": max_distance_diff}
    with _client(client) as c:
        summaries = []
        for athlete, paths in per_athlete.items():
            entries, logs = [], []
            for origin, path in enumerate(paths):
                if not os.path.exists(path):
                    raise ReadError("no such file or folder", source=path, kind="unreadable")
                log = WalkLog()
                logs.append(log)
                entries.extend(
                    walk(path, limits=Limits(), log=log, recursive=recursive, origin=origin)
                )
            batches = _batches(entries, batch_size)
            futures = c.map(_apply_batch, [read_entry] * len(batches), batches, pure=False)
            summaries.append(
                c.submit(_assemble_athlete, athlete, out, options, logs, *futures, pure=False)
            )
        rows = c.gather(summaries)
    return pd.DataFrame(rows)


def load_cohort(
    out: str | os.PathLike, *, athletes: Iterable[str] | None = None, table: str = "activities"
) -> pd.DataFrame:
    """Read a dataset written by :func:`read_cohort` back into one table.

    Parameters
    ----------
    out : path
        The ``out`` folder of :func:`read_cohort`.
    athletes : iterable of str, optional
        Only these athletes (only their partitions are read).
    table : {'activities', 'problems'}
        Which table.

    Returns
    -------
    DataFrame
        :data:`runload.columns.ACTIVITIES` (or ``PROBLEMS`` plus ``athlete``).
    """
    from . import columns

    if table not in ("activities", "problems"):
        raise ParameterError(f"table must be 'activities' or 'problems', got {table!r}")
    names = _athletes_in(out) if athletes is None else list(athletes)
    frames = [_read_partition(out, name, table) for name in names]
    spec = (
        columns.ACTIVITIES
        if table == "activities"
        else {"athlete": ("string", "athlete"), **columns.PROBLEMS}
    )
    if not frames:
        return columns.empty(spec)
    return columns.conform(pd.concat(frames, ignore_index=True), spec, extra=False)


def _athletes_in(out) -> list[str]:
    from urllib.parse import unquote

    root = Path(out) / "activities"
    if not root.is_dir():
        raise ReadError(
            "not a runload cohort dataset (no activities/ folder)",
            source=os.fspath(out),
            kind="unreadable",
        )
    return sorted(
        unquote(p.name.split("=", 1)[1])
        for p in root.iterdir()
        if p.is_dir() and p.name.startswith("athlete=")
    )


def _read_partition(out, athlete: str, table: str = "activities") -> pd.DataFrame:
    import pyarrow.parquet as pq

    path = Path(out) / table / f"athlete={quote(athlete, safe='')}" / _PART
    frame = pq.read_table(path).to_pandas()
    frame.insert(0, "athlete", pd.Series(athlete, index=frame.index, dtype="string"))
    return frame


def _run_athlete(func: Callable, out: str, athlete: str, kwargs: dict) -> pd.DataFrame:
    from . import columns

    frame = columns.conform(_read_partition(out, athlete), columns.ACTIVITIES, extra=False)
    return func(frame, **kwargs)


def map_athletes(
    func: Callable[..., pd.DataFrame],
    out: str | os.PathLike,
    *,
    client=None,
    athletes: Iterable[str] | None = None,
    **kwargs,
) -> pd.DataFrame:
    """Run a per-athlete stage on a cohort dataset, one Dask task per athlete.

    Parameters
    ----------
    func : callable
        ``func(activities, **kwargs) -> DataFrame`` on one athlete's activities
        (e.g. :func:`runload.weekly_load`); must be picklable.
    out : path
        The ``out`` folder of :func:`read_cohort`.
    client : distributed.Client, optional
        Default: a LocalCluster for this call.
    athletes : iterable of str, optional
        Only these athletes.
    **kwargs
        Passed to ``func``.

    Returns
    -------
    DataFrame
        The per-athlete results concatenated, in athlete order.
    """
    out = os.fspath(out)
    names = _athletes_in(out) if athletes is None else list(athletes)
    if not names:
        return pd.DataFrame()
    with _client(client) as c:
        futures = [c.submit(_run_athlete, func, out, name, kwargs, pure=False) for name in names]
        frames = c.gather(futures)
    return pd.concat(frames, ignore_index=True)


def weekly_cohort(
    out: str | os.PathLike, *, client=None, athletes: Iterable[str] | None = None, **weekly_options
) -> pd.DataFrame:
    """:func:`runload.weekly_load` of every athlete of a cohort dataset, on Dask.

    Parameters
    ----------
    out : path
        The ``out`` folder of :func:`read_cohort`.
    client : distributed.Client, optional
        Default: a LocalCluster for this call.
    athletes : iterable of str, optional
        Only these athletes.
    **weekly_options
        Options of :func:`runload.weekly_load` (``week_start``, ``tz``, ``as_of``,
        thresholds ...).

    Returns
    -------
    DataFrame
        The weekly table (:data:`runload.columns.WEEKLY`) of all athletes; equal to
        ``weekly_load`` on each athlete's activities, concatenated.
    """
    from .load import weekly_load

    return map_athletes(weekly_load, out, client=client, athletes=athletes, **weekly_options)

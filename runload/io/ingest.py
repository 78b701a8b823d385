"""Read a folder, a file or an export archive into the activities table.

The work is split so that it can be run in parallel and cached:

1. :func:`runload.io.archives.walk` turns each ``source`` into :class:`Entry` values
   (one per activity-file candidate; cheap, in the calling process);
2. :func:`read_entry` — a pure, picklable, top-level function — reads one entry into a
   :class:`FileResult` (bytes -> gunzip -> detect format -> reader -> rows + problems);
3. :func:`_read_entries` runs step 2 over all entries (the one place a process pool
   plugs in);
4. the results are assembled: Strava metadata joined, duplicates marked, rows sorted by
   ``start_time`` then ``source``. Nothing depends on the order entries were read in.
"""

from __future__ import annotations

import hashlib
import os
import sys
import warnings
import zipfile
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from importlib import import_module
from typing import Any, NamedTuple

import pandas as pd

from .. import columns
from ..errors import ParameterError, ReadError, RunloadWarning, UnsafeInputError
from .archives import (
    STRAVA_MANUAL,
    Entry,
    Limits,
    WalkLog,
    close_zips,
    gunzip,
    open_path,
    open_zip,
    read_member,
    walk,
)
from .dedupe import mark_duplicates
from .exports import missing_message, strava_manual
from .sniff import UNSUPPORTED_EXTENSIONS, detect, extension
from .sports import infer_sports
from .squads import warn_squads
from .timecheck import speed_problems, time_problems

__all__ = [
    "READERS",
    "FileResult",
    "read_entry",
    "read_activities",
    "problems",
    "inventory",
    "activity_hash",
    "problem_summary",
    "assemble_activities",
    "default_athlete",
    "conservation_line",
]

#: Format -> reader, as ``"module:function"`` (imported when first needed) or a callable
#: ``reader(data: bytes, *, source: str) -> runload.io.parsed.Parsed``.
READERS: dict[str, str | Callable[..., Any]] = {
    "fit": "runload.io.fit:parse_fit",
    "gpx": "runload.io.gpx:parse_gpx",
    "tcx": "runload.io.tcx:parse_tcx",
}

_ERRORS = ("warn", "raise", "skip")
_DEFAULT = Limits()
_WHITESPACE = b" \t\r\n"


class FileResult(NamedTuple):
    """What reading one file gave.

    Attributes
    ----------
    source : str
        The file (``archive.zip!member`` inside archives).
    status : str
        ``'activity'`` (at least one activity row, possibly with problems: salvaged),
        ``'non_activity'`` (a valid file that holds no activity by design: FIT
        monitoring/settings, GPX route) or ``'problem'`` (nothing could be kept).
    activities : list of dict
        The rows, with ``activity_id``, ``source`` and ``format`` filled.
    problems : list of dict
        Problem records ``{source, kind, message, salvaged}``.
    note : str or None
        Why a non-activity file holds no activity.
    origin : int
        Index of the ``source`` argument the file was found under.
    """

    source: str
    status: str
    activities: list[dict[str, Any]]
    problems: list[dict[str, Any]]
    note: str | None = None
    origin: int = 0


def activity_hash(data: bytes) -> str:
    """The stable id of a file: the first 16 hex digits of the SHA-256 of its bytes."""
    return hashlib.sha256(data).hexdigest()[:16]


def load_reader(table: Mapping[str, Any], fmt: str, *, what: str = "reader",
                source: str | None = None) -> Callable[..., Any]:
    """The reader of ``fmt`` in ``table``: a callable, or a ``"module:name"`` imported now.

    Readers are named lazily so that reading GPX never imports fitdecode, and tests can
    swap a reader by replacing the table entry.
    """
    reader = table[fmt]
    if callable(reader):
        return reader
    module, _, name = reader.partition(":")
    try:
        return getattr(import_module(module), name)
    except (ImportError, AttributeError) as exc:
        raise ReadError(f"no {fmt.upper()} {what} available ({reader}): {exc}",
                        source=source, kind="unsupported") from exc


def _problem(source: str, kind: str, message: str, *, salvaged: bool = False) -> dict[str, Any]:
    return {"source": source, "kind": kind, "message": message, "salvaged": salvaged}


def _failed(entry: Entry, kind: str, message: str) -> FileResult:
    return FileResult(entry.source, "problem", [], [_problem(entry.source, kind, message)],
                      origin=entry.origin)


def entry_bytes(entry: Entry) -> bytes:
    """The raw bytes of an entry (read from disk or from its zip), under the size caps.

    Raises
    ------
    ReadError, UnsafeInputError
        The file cannot be read, or breaks a limit.
    """
    limits = entry.limits
    if entry.data is not None:
        return entry.data
    if entry.member is None:
        return open_path(entry.path, max_bytes=limits.max_file_bytes, source=entry.source)
    try:
        zf = open_zip(entry.path)
        info = zf.getinfo(entry.member)
        return read_member(zf, info, cap=limits.max_file_bytes, limits=limits,
                           source=entry.source)
    except (OSError, KeyError, zipfile.BadZipFile) as exc:
        raise ReadError(f"cannot read the archive member: {exc}", source=entry.source,
                        kind="unreadable") from exc


def unwrap(data: bytes, *, name: str, limits: Limits, source: str,
           depth: int = 0) -> tuple[bytes, str | None, list[tuple[str, str]]]:
    """Gunzip (repeatedly, within ``max_depth``) and detect the format of a file's bytes.

    Returns
    -------
    data : bytes
        The decompressed bytes.
    format : str or None
        ``'fit'``, ``'gpx'``, ``'tcx'``, ``'zip'`` or ``None`` (not recognised).
    problems : list of (kind, message)
        ``truncated`` when a gzip stream ended early.
    """
    found: list[tuple[str, str]] = []
    fmt = detect(data[:4096], name=name)
    while fmt == "gzip":
        depth += 1
        if depth > limits.max_depth:
            raise UnsafeInputError(f"gzip nested {depth} deep, over max_depth="
                                   f"{limits.max_depth}; refused", source=source)
        data, truncated = gunzip(data, max_bytes=limits.max_file_bytes, source=source)
        if truncated:
            found.append(("truncated", "the gzip stream ends early; what came before is read"))
        fmt = detect(data[:4096], name=name[:-3] if name.lower().endswith(".gz") else name)
    return data, fmt, found


def read_entry(entry: Entry) -> FileResult:
    """Read one file (or archive member) into a :class:`FileResult`.

    A pure function of the entry: it reads the bytes (under the size caps), gunzips
    them, detects the format from the content (the extension only as a hint), runs the
    reader and turns everything that goes wrong into problem records. It never raises
    for a bad file.

    Parameters
    ----------
    entry : Entry
        From :func:`runload.io.archives.walk`.

    Returns
    -------
    FileResult
        Rows with ``activity_id`` (hash of the decompressed bytes; ``-2``, ``-3`` ...
        appended for the second, third ... leg of a multisport file), ``source`` and
        ``format`` filled; ``athlete`` is filled later.
    """
    if entry.refusal is not None:
        return _failed(entry, *entry.refusal)
    if entry.reader == STRAVA_MANUAL:
        return _read_strava_manual(entry)
    name = entry.member or entry.path
    try:
        raw = entry_bytes(entry)
        data, fmt, found = unwrap(raw, name=name, limits=entry.limits, source=entry.source)
        if not data:
            raise ReadError("the file is empty (0 bytes)", source=entry.source, kind="empty")
        if fmt not in columns.FORMATS:
            raise ReadError(_unsupported(name, fmt), source=entry.source, kind="unsupported")
        if fmt in ("gpx", "tcx"):
            data_in = data.lstrip(_WHITESPACE)
        else:
            data_in = data
        parsed = load_reader(READERS, fmt)(data_in, source=entry.source)
    except ReadError as exc:
        return _failed(entry, exc.kind, exc.message)
    except Exception as exc:  # a reader bug must not lose the other files of the batch
        return _failed(entry, "unreadable", f"{type(exc).__name__}: {exc}")
    return _result(entry, fmt, activity_hash(data), parsed, found)


def _read_strava_manual(entry: Entry) -> FileResult:
    """The manual entries of a Strava ``activities.csv`` (:func:`strava_manual`): one
    activity file whose rows were typed in (``format='csv'``,
    ``distance_source='manual'``); the same checks of times and speed as a recorded
    file's rows."""
    try:
        rows, found, labels = strava_manual(entry_bytes(entry))
    except ReadError as exc:
        return _failed(entry, exc.kind, exc.message)
    issues = list(found)
    for row, label in zip(rows, labels, strict=True):
        row["source"] = entry.source
        start = row.get("start_time")
        if start is not None:
            issues.extend(time_problems(
                pd.Timestamp(start), _number(row.get("elapsed_time_s")),
                _number(row.get("moving_time_s")), sport=row.get("sport"), leg=label))
    for row, label in zip(rows, labels, strict=True):
        issues.extend(speed_problems(
            _number(row.get("distance_m")), _number(row.get("elapsed_time_s")),
            _number(row.get("moving_time_s")), leg=label))
    if not rows:
        return _failed(entry, "empty", "the Strava activities.csv holds no manual entry")
    records = [_problem(entry.source, kind, message, salvaged=True) for kind, message in issues]
    return FileResult(entry.source, "activity", rows, records, None, entry.origin)


def _unsupported(name: str, fmt: str | None) -> str:
    ext = extension(name)
    if fmt == "zip":
        return "a zip archive where an activity file was expected (nested too deep?)"
    if ext in UNSUPPORTED_EXTENSIONS:
        return f"'{ext}' files are not read by runload (FIT, GPX and TCX are)"
    return "not a FIT, GPX or TCX file (content not recognised)"


def _result(entry: Entry, fmt: str, digest: str, parsed: Any,
            found: list[tuple[str, str]]) -> FileResult:
    rows = []
    issues = list(found) + [tuple(p) for p in parsed.problems]
    for leg, activity in enumerate(parsed.activities):
        row = dict(activity)
        row["activity_id"] = digest if leg == 0 else f"{digest}-{leg + 1}"
        row["source"] = entry.source
        row["format"] = fmt
        if not _representable(row.get("start_time")):
            issues.append(("bad_time", f"start time {row['start_time']} cannot be stored "
                                       "(before 1678 or after 2261); left empty"))
            row["start_time"] = None
        rows.append(row)
    issues.extend(_speed_issues(rows))
    salvaged = bool(rows)
    records = [_problem(entry.source, kind, message, salvaged=salvaged)
               for kind, message in issues]
    if rows:
        status = "activity"
    elif records:
        status = "problem"
    elif parsed.not_activity:
        status = "non_activity"
    else:
        status = "problem"
        records = [_problem(entry.source, "empty", "the file holds no activity")]
    note = parsed.not_activity if status == "non_activity" else None
    return FileResult(entry.source, status, rows, records, note, entry.origin)


def _speed_issues(rows: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """The impossible-speed rule (:func:`runload.io.timecheck.speed_problems`) for the rows
    of one file: applied here, once for every reader, as it needs the distance."""
    found = []
    for leg, row in enumerate(rows):
        found.extend(speed_problems(
            _number(row.get("distance_m")), _number(row.get("elapsed_time_s")),
            _number(row.get("moving_time_s")),
            leg=f"activity {leg + 1}" if len(rows) > 1 else None))
    return found


def _number(value: Any) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return float("nan")
    return number


class ReadOptions(NamedTuple):
    """How :func:`_read_entries` reads the files of one :func:`read_activities` call."""

    workers: int | None = 1
    cache: bool | str = False
    cache_dir: str | os.PathLike | None = None
    engine: str = "local"
    client: Any = None
    settings: str = ""


#: Read in this process, no cache: what a bare call of :func:`_read_entries` does.
IN_PROCESS = ReadOptions()


def _read_entries(entries: Iterable[Entry], *, progress: bool = False,
                  options: ReadOptions = IN_PROCESS) -> list[FileResult]:
    """Read every entry: in this process, a process pool or Dask, through the cache.

    The results come back in the order of ``entries`` whatever the engine and the
    number of workers (:func:`runload.io.pool.map_files`,
    :func:`runload.cluster.dask_map`); files whose summary is cached
    (:func:`runload.io.cache.read_cached`) are not read at all.
    """
    entries = list(entries)

    def run(func: Callable[[Any], Any], items: list[Any]) -> list[Any]:
        if options.engine == "dask":
            from ..cluster import dask_map

            return dask_map(func, items, client=options.client)
        if options.workers == 1 or len(items) < 2:
            if progress and items:
                from tqdm import tqdm

                items = tqdm(items, desc="reading activity files", unit="file", file=sys.stderr)
            return [func(item) for item in items]
        from .pool import map_files

        return map_files(func, items, workers=options.workers)

    if options.cache:
        from .cache import read_cached

        return read_cached(entries, cache_dir=options.cache_dir, map_func=run,
                           verify=options.cache == "verify",
                           settings=options.settings)
    return run(read_entry, entries)


def default_athlete(path: str | os.PathLike) -> str:
    """The athlete a source is read as when none is given.

    Parameters
    ----------
    path : str or os.PathLike
        A folder, an export archive or an activity file.

    Returns
    -------
    str
        The folder's name for a folder, the archive's stem for a ``.zip``/``.zip.gz``
        (``export_12345.zip`` -> ``export_12345``), the parent folder's name for a file
        (``"athlete"`` when there is none).
    """
    path = os.fspath(path)
    full = os.path.abspath(path)
    base = os.path.basename(full.rstrip(os.sep))
    if os.path.isdir(full):
        return base or "athlete"
    low = base.lower()
    for suffix in (".zip.gz", ".zip"):
        if low.endswith(suffix):
            return base[: -len(suffix)]
    return os.path.basename(os.path.dirname(full)) or "athlete"


def _check_options(errors: str, tz: str | Mapping[str, str] | None) -> None:
    if errors not in _ERRORS:
        raise ParameterError(f"errors must be one of {_ERRORS}, got {errors!r}")
    if tz is None:
        return
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    for zone in (tz.values() if isinstance(tz, Mapping) else [tz]):
        try:
            ZoneInfo(str(zone))
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ParameterError(f"unknown time zone {zone!r} (use an IANA name such as "
                                 "'Europe/Paris')") from exc


def read_activities(
    source: str | os.PathLike | Iterable[str | os.PathLike],
    *,
    athlete: str | None = None,
    tz: str | Mapping[str, str] | None = None,
    errors: str = "warn",
    recursive: bool = True,
    progress: bool = False,
    max_file_bytes: int = _DEFAULT.max_file_bytes,
    max_archive_bytes: int = _DEFAULT.max_archive_bytes,
    max_members: int = _DEFAULT.max_members,
    max_ratio: float = _DEFAULT.max_ratio,
    max_depth: int = _DEFAULT.max_depth,
    min_overlap: float = 0.5,
    max_distance_diff: float = 0.10,
    workers: int | None = None,
    cache: bool | str = True,
    cache_dir: str | os.PathLike | None = None,
    engine: str = "local",
    client: Any = None,
) -> pd.DataFrame:
    """Read activity files, folders and export archives into one activities table.

    Parameters
    ----------
    source : path or list of paths
        A FIT, GPX or TCX file (gzipped or not), a folder (walked recursively), a zip
        (per-activity download, Strava bulk export, Garmin Connect account export), or
        a list of them.
    athlete : str, optional
        Athlete name for every row. Default: per source, the folder's name for a
        folder, the archive's stem for a zip (``export_123.zip`` -> ``export_123``) and
        the parent folder's name for a single file.
    tz : str or dict, optional
        IANA time zone of the athlete (``'Europe/Paris'``), or a mapping athlete -> zone
        for several athletes; validated and stored in
        ``activities.attrs['tz']`` for :func:`runload.weekly_load`. It does **not** fill
        ``utc_offset_s``: that column holds only what the file itself tells (NA
        otherwise); the weekly stage falls back on ``tz`` where it is NA.
    errors : {'warn', 'raise', 'skip'}
        What to do with files that could not be read in full. ``'warn'`` (default):
        keep going and emit one :class:`runload.RunloadWarning` summarising them;
        ``'skip'``: the same, silently; ``'raise'``: raise the :class:`runload.ReadError`
        of the first problem file (by source) after reading everything.
    recursive : bool
        Walk sub-folders of folders (default True).
    progress : bool
        Show a tqdm progress bar on stderr.
    max_file_bytes, max_archive_bytes, max_members, max_ratio, max_depth
        Safety limits (defaults 256 MiB, 8 GiB, 100 000 members, 200-fold, 3 levels);
        see :mod:`runload.io.archives`.
    min_overlap, max_distance_diff
        Duplicate rule (defaults 0.5 and 0.10); see :mod:`runload.io.dedupe`.
    workers : int, optional
        Processes reading files (:func:`runload.io.pool.map_files`); default all the
        cores this process may use; ``1`` reads in this process. The table is the same
        whatever the number.
    cache : bool or 'verify', default True
        Use the summary cache (:mod:`runload.io.cache`): files unchanged since the last
        run (same path, size and modification time, same runload version and reading
        code) are not read again; ``False`` reads every file and leaves the cache alone
        (CLI ``--no-cache``); ``'verify'`` also re-hashes every file (SHA-256) and uses a
        cached summary only when the content is the one cached, for file systems whose
        modification times cannot be trusted (CLI ``--verify-cache``; costs a read of
        every file, still no parsing).
    cache_dir : path, optional
        Cache folder; default ``$RUNLOAD_CACHE_DIR``, else the user cache directory
        (``platformdirs.user_cache_dir("runload")``).
    engine : {'local', 'dask'}, default 'local'
        ``'dask'`` reads the files as tasks on a Dask cluster (extra ``cluster``;
        :func:`runload.cluster.dask_map`); see also :func:`runload.cluster.read_cohort`.
    client : distributed.Client, optional
        The Dask client for ``engine='dask'``; default a LocalCluster for the call.

    Returns
    -------
    DataFrame
        :data:`runload.columns.ACTIVITIES` columns, one row per activity (per leg of a
        multisport file), sorted by ``start_time`` (missing last) then ``source``.
        ``attrs['problems']`` holds the problem records (see :func:`problems`),
        ``attrs['inventory']`` the file counts (see :func:`inventory`), ``attrs['tz']``
        the ``tz`` argument and ``attrs['parameters']`` the options that shape the
        table (athlete, tz, recursion, size limits, duplicate matching), which the
        report prints.

    Raises
    ------
    ReadError
        A ``source`` does not exist; or, with ``errors='raise'``, a file had a problem.
    ParameterError
        Bad ``errors``, ``tz``, ``engine`` or ``workers``; ``engine='dask'`` without
        dask.distributed installed (checked before anything is read, cached or not).

    Warns
    -----
    RunloadWarning
        With ``errors='warn'``, one summary of the files with problems. Whatever
        ``errors``, one per source folder that looks like a squad: sub-folders whose
        activities happen at the same time without being copies of one recording
        (:func:`squad_message`); read a squad one source per athlete.

    Notes
    -----
    Every file found is accounted for, exactly once:
    ``files_seen == activity_files + non_activity_files + problem_files``. A file that
    was read in part (salvaged) is an activity file *and* has problem rows with
    ``salvaged=True``. Files that are not activity files at all (photos, CSV, JSON,
    ``routes/`` of a Strava export) are counted as ``ignored_files`` only; macOS junk
    (``__MACOSX/``, ``._*``, ``.DS_Store``) and hidden folders are not counted.
    """
    _check_options(errors, tz)
    if engine not in ("local", "dask"):
        raise ParameterError(f"engine must be 'local' or 'dask', got {engine!r}")
    if workers is not None and (not isinstance(workers, int) or workers < 1):
        raise ParameterError(f"workers must be a positive integer, got {workers!r}")
    if cache not in (True, False, "verify"):
        raise ParameterError(f"cache must be True, False or 'verify', got {cache!r}")
    if engine == "dask":
        _require_dask()
    limits = Limits(max_file_bytes, max_archive_bytes, max_members, max_ratio, max_depth)
    paths = _as_paths(source)
    athletes, logs, entries = [], [], []
    for origin, path in enumerate(paths):
        if not os.path.exists(path):
            raise ReadError("no such file or folder", source=path, kind="unreadable")
        athletes.append(athlete if athlete is not None else default_athlete(path))
        log = WalkLog()
        logs.append(log)
        entries.extend(walk(path, limits=limits, log=log, recursive=recursive, origin=origin))
    # one batch for all sources: one pool, one cache load and save
    settings = ""
    if cache:
        from .cache import settings_key  # imports pyarrow: only when the cache is used

        settings = settings_key(limits, readers=READERS)
    if engine == "local" and any(not isinstance(r, str) for r in READERS.values()):
        # a reader registered as an object (not "module:name") may not exist in a worker
        # started by forkserver or spawn: read in this process
        workers = 1
    options = ReadOptions(workers, cache, cache_dir, engine, client, settings)
    try:
        results = _read_entries(entries, progress=progress, options=options)
    finally:
        close_zips()
    frame = assemble_activities(results, athletes=athletes, logs=logs,
                                min_overlap=min_overlap, max_distance_diff=max_distance_diff)
    records = frame.attrs["problems"]
    frame.attrs["tz"] = dict(tz) if isinstance(tz, Mapping) else tz
    frame.attrs["parameters"] = {
        "athlete": athlete, "tz": frame.attrs["tz"], "recursive": recursive,
        "max_file_bytes": max_file_bytes, "max_archive_bytes": max_archive_bytes,
        "max_members": max_members, "max_ratio": max_ratio, "max_depth": max_depth,
        "min_overlap": min_overlap, "max_distance_diff": max_distance_diff,
    }
    _report(records, len(results), errors)
    warn_squads(frame, results, paths, athletes, min_overlap=min_overlap,
                 max_distance_diff=max_distance_diff)
    return frame


#: Message of a missing Dask (the same as :mod:`runload.cluster`'s).
_NO_DASK = 'engine "dask" needs dask.distributed: pip install "runload[cluster]"'


def _require_dask() -> None:
    """Raise :class:`ParameterError` when ``engine='dask'`` cannot run here.

    Checked before anything is read, so that the answer does not depend on the cache:
    with every file cached, nothing would reach Dask and a missing install would go
    unnoticed until the first uncached file.
    """
    try:
        import_module("distributed")
    except ImportError as exc:
        raise ParameterError(_NO_DASK) from exc


def _as_paths(source: Any) -> list[str]:
    if isinstance(source, (str, os.PathLike)):
        return [os.fspath(source)]
    try:
        paths = [os.fspath(s) for s in source]
    except TypeError as exc:
        raise ParameterError("source must be a path or a list of paths") from exc
    if not paths:
        raise ParameterError("source is an empty list")
    return paths


def assemble_activities(
    results: list[FileResult],
    *,
    athletes: list[str],
    logs: list[WalkLog],
    min_overlap: float = 0.5,
    max_distance_diff: float = 0.10,
) -> pd.DataFrame:
    """The activities table of files already read, with its problems and inventory.

    The second half of :func:`read_activities`, for callers that read the files
    themselves (:func:`read_entry` on a pool or a cluster, as
    :func:`runload.cluster.read_cohort` does on Dask workers): rows joined with the export
    metadata, sports inferred, duplicates marked, sorted by start time.

    Parameters
    ----------
    results : list of FileResult
        One per file found by :func:`runload.io.archives.walk`, in walk order (the output
        of :func:`read_entry` over the walk's entries).
    athletes : list of str
        The athlete of each source, indexed by ``FileResult.origin``.
    logs : list of runload.io.archives.WalkLog
        The walk logs of the sources (export metadata, ignored files, export layouts).
    min_overlap, max_distance_diff : float
        Duplicate matching, as in :func:`read_activities`.

    Returns
    -------
    pandas.DataFrame
        The activities table (:data:`runload.columns.ACTIVITIES` plus ``athlete``), with
        ``attrs['problems']`` (problem records sorted by source, kind and message) and
        ``attrs['inventory']`` (the counts :func:`inventory` returns).
    """
    metadata: dict[str, dict[str, Any]] = {}
    for log in logs:
        metadata.update(log.metadata)
    results = _apply_missing(results, logs)
    frame = _assemble(results, athletes, metadata, min_overlap=min_overlap,
                      max_distance_diff=max_distance_diff)
    frame.attrs["problems"] = sorted((p for r in results for p in r.problems),
                                     key=lambda p: (p["source"], p["kind"], p["message"]))
    frame.attrs["inventory"] = _inventory(results, frame, logs)
    return frame


def _assemble(results: list[FileResult], athletes: list[str],
              metadata: Mapping[str, Mapping[str, Any]], *, min_overlap: float,
              max_distance_diff: float) -> pd.DataFrame:
    rows = []
    for result in results:
        for row in result.activities:
            rows.append({**row, "athlete": athletes[result.origin]})
    if not rows:
        return columns.empty(columns.ACTIVITIES)
    frame = pd.DataFrame(rows)
    if "start_time" in frame.columns:
        frame["start_time"] = _as_ns(pd.to_datetime(frame["start_time"], utc=True))
    frame = columns.conform(frame, columns.ACTIVITIES, extra=False)
    frame = _join_metadata(frame, metadata)
    frame = infer_sports(frame)
    damaged = {r.source for r in results if r.problems}
    frame = mark_duplicates(frame, min_overlap=min_overlap, max_distance_diff=max_distance_diff,
                            damaged=damaged)
    frame = frame.sort_values(["start_time", "source", "activity_id"], na_position="last",
                              kind="mergesort")
    return frame.reset_index(drop=True)


def _apply_missing(results: list[FileResult], logs: list[WalkLog]) -> list[FileResult]:
    """Report the activities a Strava ``activities.csv`` lists whose file its export lacks
    (:attr:`WalkLog.missing`), once per export, and end the export's record where its
    files end.

    The problem (kind ``truncated`` when the archive was cut, else ``no_data``) goes on the
    ``activities.csv`` when it is a seen file (it holds manual entries), else on the cut's
    problem file. When files later than every file kept are missing (the end of a zip cut
    short), the record ends at the first of them: the manual entries from then on are left
    out, so that the weeks after the cut, which lost their recorded runs, do not show as
    real (zero-km, complete) weeks. Done here, not in :func:`read_entry`, because it
    depends on the other files of the export (and a cached result must not).
    """
    missing = {key: value for log in logs for key, value in log.missing.items()}
    if not missing:
        return results
    where = {r.source: i for i, r in enumerate(results)}
    out = list(results)
    for source, lost in sorted(missing.items()):
        kind = "truncated" if lost.cut else "no_data"
        i = where.get(source)
        if i is not None and out[i].activities:
            result = out[i]
            rows = result.activities
            if lost.cut_from is not None:
                cut_from = pd.Timestamp(lost.cut_from)
                rows = [r for r in rows if r.get("start_time") is None
                        or pd.isna(r["start_time"]) or pd.Timestamp(r["start_time"]) < cut_from]
            message = missing_message(lost, dropped=len(result.activities) - len(rows))
            kept = bool(rows)
            records = [{**p, "salvaged": kept} for p in result.problems]
            records.append(_problem(source, kind, message, salvaged=kept))
            out[i] = result._replace(status="activity" if kept else "problem",
                                     activities=rows, problems=records)
            continue
        j = where.get(lost.home) if lost.home is not None else None
        if j is None:
            continue  # no seen file to carry it (documented in docs/inputs.md)
        result = out[j]
        out[j] = result._replace(problems=[*result.problems, _problem(
            result.source, kind, missing_message(lost), salvaged=result.status == "activity")])
    return out


def _representable(value: Any) -> bool:
    """Whether a start time fits the nanosecond timestamps of the table (or is missing)."""
    if value is None:
        return True
    try:
        stamp = pd.Timestamp(value)
    except (ValueError, TypeError, OverflowError):
        return False
    if stamp is pd.NaT:
        return True
    if stamp.tzinfo is None:
        stamp = stamp.tz_localize("UTC")
    return _NS_MIN <= stamp <= _NS_MAX


_NS_MIN = pd.Timestamp.min.tz_localize("UTC")
_NS_MAX = pd.Timestamp.max.tz_localize("UTC")


def _as_ns(times: pd.Series) -> pd.Series:
    """UTC times in nanoseconds, the contract's dtype; times outside the nanosecond
    range (years before 1678 or after 2261) become NaT instead of failing the batch."""
    dtype = columns.ACTIVITIES["start_time"][0]
    inside = times.isna() | ((times >= _NS_MIN) & (times <= _NS_MAX))
    return times.where(inside).astype(dtype)


def _join_metadata(frame: pd.DataFrame, metadata: Mapping[str, Mapping[str, Any]]) -> pd.DataFrame:
    """Fill name, gear and (generic) sport from Strava's activities.csv, by source."""
    if not metadata:
        return frame
    meta = pd.DataFrame.from_dict(dict(metadata), orient="index")
    meta = meta.reindex(columns=["name", "gear", "sport"])
    joined = meta.reindex(frame["source"].astype("str").to_numpy())
    joined.index = frame.index
    out = frame.copy()
    name = joined["name"].astype("string")
    gear = joined["gear"].astype("string")
    out["name"] = name.fillna(out["name"]).astype("string")
    out["gear"] = gear.fillna(out["gear"]).astype("string")
    single = out["source"].map(out["source"].value_counts()) == 1
    generic = out["sport"].isna() | (out["sport"] == "other")
    sport = joined["sport"].astype("string")
    take = (single & generic & sport.notna()).to_numpy(dtype=bool, na_value=False)
    out["sport"] = out["sport"].mask(take, sport)
    return out


def _inventory(results: list[FileResult], frame: pd.DataFrame,
               logs: list[WalkLog]) -> dict[str, int]:
    status = Counter(r.status for r in results)
    layouts = Counter(kind for log in logs for kind in log.exports.values())
    salvaged = sum(1 for r in results if r.status == "activity" and r.problems)
    dup = int(frame["duplicate_of"].notna().sum()) if len(frame) else 0
    return {
        "files_seen": len(results),
        "activity_files": status["activity"],
        "non_activity_files": status["non_activity"],
        "problem_files": status["problem"],
        "salvaged_files": salvaged,
        "ignored_files": sum(log.ignored for log in logs),
        "activities": len(frame),
        "duplicates": dup,
        "strava_exports": layouts["strava"],
        "garmin_exports": layouts["garmin"],
    }


def _report(records: list[dict[str, Any]], seen: int, errors: str) -> None:
    """Warn once about the problems of a batch (``errors="warn"``), or raise the first.

    The warning counts files, in total and per kind: a file with two problems of one
    kind counts once under it, and a file with problems of two kinds under both (so
    the kinds can add up to more than the total): see :func:`problem_summary`.
    """
    if not records or errors == "skip":
        return
    if errors == "raise":
        first = records[0]
        cls = UnsafeInputError if first["kind"] == "unsafe" else ReadError
        if cls is UnsafeInputError:
            raise UnsafeInputError(first["message"], source=first["source"])
        raise ReadError(first["message"], source=first["source"], kind=first["kind"])
    warnings.warn(
        f"{problem_summary(records, seen)}; see runload.problems(activities)",
        RunloadWarning,
        stacklevel=3,
    )


def problem_summary(records: Iterable[Mapping[str, Any]], seen: int) -> str:
    """One line on the files with problems, counted in files, in total and per kind.

    Parameters
    ----------
    records : iterable of mapping
        Problem rows (``source``, ``kind``), e.g. ``runload.problems(a).to_dict("records")``.
    seen : int
        Files seen (``inventory(activities)["files_seen"]``).

    Returns
    -------
    str
        E.g. ``2 of 797 files had problems (truncated: 1 file, malformed_xml: 1 file)``;
        a file with problems of two kinds counts under both.
    """
    pairs = {(r["source"], r["kind"]) for r in records}
    files = {source for source, _ in pairs}
    kinds = Counter(kind for _, kind in pairs)
    summary = ", ".join(f"{kind}: {n} file{'' if n == 1 else 's'}"
                        for kind, n in sorted(kinds.items(), key=lambda kv: (-kv[1], kv[0])))
    return f"{len(files)} of {seen} files had problems ({summary})"


def problems(activities: pd.DataFrame) -> pd.DataFrame:
    """The problems table of a table returned by :func:`read_activities`.

    Parameters
    ----------
    activities : DataFrame
        As returned by :func:`read_activities` (the records travel in
        ``activities.attrs['problems']``).

    Returns
    -------
    DataFrame
        :data:`runload.columns.PROBLEMS` columns, one row per problem (a file may have
        several), sorted by source. Empty when there were none, or when ``attrs`` were
        lost (pandas drops them in some operations, e.g. concatenating frames whose
        attrs differ).
    """
    records = activities.attrs.get("problems") or []
    if not records:
        return columns.empty(columns.PROBLEMS)
    frame = pd.DataFrame.from_records(list(records))
    return columns.conform(frame, columns.PROBLEMS, extra=False)


def inventory(activities: pd.DataFrame) -> dict[str, int]:
    """The file counts of a table returned by :func:`read_activities`.

    Returns
    -------
    dict
        ``files_seen``, ``activity_files``, ``non_activity_files``, ``problem_files``
        (these conserve: seen = activity + non-activity + problem), ``salvaged_files``
        (activity files that also have problem rows), ``ignored_files`` (not activity
        files: photos, CSV, JSON ...), ``activities`` (rows), ``duplicates`` (rows
        with ``duplicate_of`` set), ``strava_exports`` and ``garmin_exports`` (bulk
        exports recognised). Empty when ``attrs`` were lost.
    """
    return dict(activities.attrs.get("inventory") or {})


def conservation_line(inventory: Mapping[str, int]) -> str:
    """The conservation line every front end prints, from :func:`inventory`.

    ``files seen 797 = activity files 644 + non-activity files 152 + problem files 1
    (nothing kept); 1 activity file read in part``. Problem files are the files of which
    nothing was kept; an activity file read in part (salvaged) is an activity file, so
    the sum still holds. A sum that does not hold says so (a bug to report).

    Parameters
    ----------
    inventory : mapping of str to int
        The counts of :func:`inventory` (``files_seen``, ``activity_files``,
        ``non_activity_files``, ``problem_files``, ``salvaged_files``).

    Returns
    -------
    str
    """
    seen, act, non, bad = (int(inventory.get(key, 0)) for key in (
        "files_seen", "activity_files", "non_activity_files", "problem_files"))
    part = int(inventory.get("salvaged_files", 0))
    line = (f"files seen {seen} = activity files {act} + non-activity files {non} "
            f"+ problem files {bad}" + (" (nothing kept)" if bad else ""))
    if part:
        line += f"; {part} activity file{'' if part == 1 else 's'} read in part"
    if seen != act + non + bad:
        line += "  (MISMATCH: please report this as a bug)"
    return line

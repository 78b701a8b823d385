"""A summary cache: a second run over an unchanged history reads only the cache.

What is cached is the per-file result of the ingest (:class:`runload.io.ingest.
FileResult`: activity rows, problems, status), one Parquet file per cache directory,
written with pyarrow. Large per-sample streams are never cached.

The key, and why
----------------
Each file is keyed by its ``source`` (path, or ``archive.zip!member``), the size and
modification time (ns) of the file on disk (of the archive, for members), the runload
version and the reading limits. A warm run therefore only lists the folders and
``stat``\\ s the files: no file is opened. Hashing every file on every run would cost a
full read of the history (the very thing the cache avoids).

The SHA-256 of each file's bytes is computed when the file is read (the bytes are in
memory then, so it costs ~1 ms per MB) and stored beside the result:

* ``verify=True`` re-reads and re-hashes every file on a warm run and uses the cached
  result only when the hash still matches: for file systems with coarse or unreliable
  modification times, or files rewritten in place within the same second with the same
  size;
* it identifies the content: a file that was only touched, copied or renamed (new key,
  same hash) is re-read but gives the same ``activity_id`` (itself a hash of the
  decompressed bytes).

Any change of size or mtime, a new file, a new runload version or other limits makes
the file be read again; entries of files no longer seen are kept (one cache can serve
several histories) until :func:`clear_cache`.

Location
--------
``cache_dir`` argument, else the ``RUNLOAD_CACHE_DIR`` environment variable, else the
platform's user cache directory (``platformdirs.user_cache_dir("runload")``, e.g.
``~/.cache/runload`` on Linux, ``~/Library/Caches/runload`` on macOS,
``%LOCALAPPDATA%\\runload\\Cache`` on Windows).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import tempfile
import time
import uuid
import warnings
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from .. import columns
from ..errors import RunloadWarning

__all__ = [
    "CACHE_ENV",
    "CACHE_FILE",
    "resolve_cache_dir",
    "read_cached",
    "read_entry_hashed",
    "clear_cache",
    "settings_key",
    "reader_fingerprint",
]

#: Environment variable naming the cache directory.
CACHE_ENV = "RUNLOAD_CACHE_DIR"
#: File name of the cache inside the cache directory.
CACHE_FILE = "file-summaries.parquet"

_KEY = ["source", "size", "mtime_ns", "settings"]
_FILE_COLUMNS = ["status", "note", "problems", "sha256", "version"]


def resolve_cache_dir(cache_dir: str | os.PathLike | None = None) -> Path:
    """The cache directory: the argument, else ``$RUNLOAD_CACHE_DIR``, else the user cache.

    Parameters
    ----------
    cache_dir : path, optional
        Explicit directory.

    Returns
    -------
    pathlib.Path
        The directory (not created).
    """
    if cache_dir is not None:
        return Path(cache_dir)
    env = os.environ.get(CACHE_ENV)
    if env:
        return Path(env)
    import platformdirs

    return Path(platformdirs.user_cache_dir("runload", appauthor=False))


def clear_cache(cache_dir: str | os.PathLike | None = None) -> bool:
    """Delete the summary cache.

    Returns
    -------
    bool
        Whether a cache file was there.
    """
    path = resolve_cache_dir(cache_dir) / CACHE_FILE
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    return True


def _version() -> str:
    from .. import __version__

    return __version__


def _file_key(entry) -> tuple[str, int, int] | None:
    """``(source, size, mtime_ns)`` of the file an entry comes from; None if unknown."""
    if entry.refusal is not None:
        return None
    try:
        st = os.stat(entry.path)
    except OSError:
        return None
    return entry.source, int(st.st_size), int(st.st_mtime_ns)


def read_entry_hashed(entry) -> tuple[Any, str | None]:
    """Read one entry, also returning the SHA-256 of its bytes (read once).

    A top-level function, so a process pool can run it.

    Returns
    -------
    (FileResult, str or None)
        The result of :func:`runload.io.ingest.read_entry`, and the hex digest of the
        file's bytes (``None`` when they could not be read).
    """
    from .ingest import entry_bytes, read_entry

    if entry.refusal is not None:
        return read_entry(entry), None
    try:
        raw = entry_bytes(entry)
    except Exception:  # noqa: BLE001 - read_entry turns it into the file's problem
        return read_entry(entry), None
    return read_entry(entry._replace(data=raw)), hashlib.sha256(raw).hexdigest()


def _sha_of(entry) -> str | None:
    from .ingest import entry_bytes

    try:
        return hashlib.sha256(entry_bytes(entry)).hexdigest()
    except Exception:  # noqa: BLE001 - unreadable now: not a cache hit
        return None


def read_cached(
    entries: Iterable[Any],
    *,
    cache_dir: str | os.PathLike | None = None,
    map_func: Callable[[Callable, list], list] | None = None,
    verify: bool = False,
    settings: str = "",
) -> list[Any]:
    """Read entries through the summary cache.

    Parameters
    ----------
    entries : iterable of runload.io.archives.Entry
        The files to read.
    cache_dir : path, optional
        See :func:`resolve_cache_dir`.
    map_func : callable, optional
        ``map_func(func, items) -> list`` used to read the files that are not cached
        (e.g. :func:`runload.io.pool.map_files`); default a plain loop.
    verify : bool, default False
        Re-hash every cached file and use the cache only when its content is unchanged.
    settings : str
        Anything else the results depend on (e.g. the reading limits); part of the key.

    Returns
    -------
    list of FileResult
        In the order of ``entries``; equal to reading every entry with
        :func:`runload.io.ingest.read_entry`.
    """
    from .ingest import FileResult, read_entry

    entries = list(entries)
    directory = resolve_cache_dir(cache_dir)
    version = _version()
    cached = _load(directory / CACHE_FILE, version)
    keys = [_file_key(e) for e in entries]
    results: list[Any] = [None] * len(entries)
    todo: list[int] = []
    for i, (entry, key) in enumerate(zip(entries, keys, strict=True)):
        hit = cached.get((*key, settings)) if key is not None else None
        if hit is not None and verify and _sha_of(entry) != hit["sha256"]:
            hit = None
        if hit is None:
            todo.append(i)
        else:
            results[i] = _result(FileResult, hit, entry)
    fresh: dict[tuple, dict] = {}
    if todo:
        plain = [i for i in todo if keys[i] is None]
        keyed = [i for i in todo if keys[i] is not None]
        runner = map_func or (lambda func, items: [func(item) for item in items])
        for i, (result, sha) in zip(
            keyed, runner(read_entry_hashed, [entries[i] for i in keyed]), strict=True
        ):
            results[i] = result
            fresh[(*keys[i], settings)] = _record(result, sha, version)
        for i, result in zip(plain, runner(read_entry, [entries[i] for i in plain]), strict=True):
            results[i] = result
    if fresh:
        cached.update(fresh)
        _save(directory, cached)
    return results


def _record(result, sha: str | None, version: str) -> dict[str, Any]:
    """What the cache keeps of one FileResult (source-free: it is in the key)."""
    return {
        "status": result.status,
        "note": result.note,
        "problems": json.dumps(
            [[p["kind"], p["message"], bool(p["salvaged"])] for p in result.problems]
        ),
        "sha256": sha,
        "version": version,
        "activities": [
            {k: v for k, v in row.items() if k != "source"} for row in result.activities
        ],
    }


def _result(file_result, record: dict[str, Any], entry):
    """Rebuild the FileResult of ``entry`` from its cache record."""
    source = entry.source
    rows = [{**row, "source": source} for row in record["activities"]]
    problems = [
        {"source": source, "kind": kind, "message": message, "salvaged": salvaged}
        for kind, message, salvaged in json.loads(record["problems"])
    ]
    return file_result(source, record["status"], rows, problems, record["note"], entry.origin)


def _load(path: Path, version: str) -> dict[tuple, dict]:
    """The cache records by key; empty when there is no (readable, current) cache.

    Converted column by column with pyarrow (no per-value pandas calls): a warm run over
    3,000 files spends a few tens of ms here.
    """
    try:
        table = pq.read_table(path, use_threads=False)  # no thread pool before a fork
        table = table.filter(pc.equal(table["version"], version))
    except (OSError, KeyError, pa.ArrowException):
        return {}
    if table.num_rows == 0:
        return {}
    columns = {}
    for name in table.column_names:
        column = table.column(name)
        if pa.types.is_timestamp(column.type):
            values = column.to_pandas().tolist()  # pd.Timestamp (ns), NaT
        else:
            values = column.to_pylist()
        columns[name] = values
    keys = list(zip(*(columns[k] for k in _KEY), strict=True))
    legs = columns["leg"]
    leg_names = [c for c in columns if c not in (*_KEY, *_FILE_COLUMNS, "leg")]
    leg_values = [columns[c] for c in leg_names]
    out: dict[tuple, dict] = {}
    for i, key in enumerate(keys):
        if legs[i] <= 0:
            out[key] = {
                "status": columns["status"][i],
                "note": columns["note"][i],
                "problems": columns["problems"][i],
                "sha256": columns["sha256"][i],
                "version": columns["version"][i],
                "activities": [],
            }
    for i, key in enumerate(keys):
        if legs[i] >= 0:
            row = {}
            for name, values in zip(leg_names, leg_values, strict=True):
                value = values[i]
                if value is not None and value is not pd.NaT:
                    row[name] = value
            out[key]["activities"].append(row)
    return out


def _save(directory: Path, records: dict[tuple, dict]) -> None:
    """Write the cache atomically (a temporary file renamed over the old one)."""
    rows = []
    for key, record in records.items():
        base = dict(zip(_KEY, key, strict=True))
        head = {**base, **{c: record[c] for c in _FILE_COLUMNS}}
        if not record["activities"]:
            rows.append({**head, "leg": -1})
        for leg, activity in enumerate(record["activities"]):
            extra = (
                head
                if leg == 0
                else {
                    **base,
                    "status": None,
                    "note": None,
                    "problems": None,
                    "sha256": None,
                    "version": record["version"],
                }
            )
            rows.append({**extra, **activity, "leg": leg})
    frame = pd.DataFrame(rows)
    known = {k: v for k, v in columns.ACTIVITIES.items() if k in frame.columns}
    try:
        # the dtypes read_activities gives these columns anyway (mixed objects such as
        # naive and aware start times would not convert to Arrow as they are)
        table = pa.Table.from_pandas(columns.conform(frame, known), preserve_index=False)
    except (pa.ArrowException, ValueError, TypeError) as exc:
        warnings.warn(
            f"the summary cache was not updated (a value could not be stored: {exc})",
            RunloadWarning,
            stacklevel=3,
        )
        return
    tmp = None
    try:
        directory.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{uuid.uuid4().hex}", suffix=".tmp")
        os.close(fd)
        pq.write_table(table, tmp)
        os.replace(tmp, directory / CACHE_FILE)
        _remove_stale(directory)
    except OSError as exc:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        warnings.warn(
            f"cannot write the summary cache in {directory} ({exc}); set cache_dir= or "
            f"${CACHE_ENV}, or cache=False",
            RunloadWarning,
            stacklevel=3,
        )


def _remove_stale(directory: Path, *, age_s: float = 3600.0) -> None:
    """Delete temporary files left by writers that were killed (older than ``age_s``)."""
    now = time.time()
    for path in directory.glob(".*.tmp"):
        with contextlib.suppress(OSError):
            if now - path.stat().st_mtime > age_s:
                path.unlink()


def settings_key(limits: Any, *, readers: Mapping[str, Any] | None = None) -> str:
    """The cache-key string of everything besides a file that its summary depends on.

    Parameters
    ----------
    limits : tuple-like
        The reading limits (:class:`runload.io.archives.Limits`).
    readers : mapping, optional
        Format -> reader (``"module:name"`` or a callable), e.g.
        :data:`runload.io.ingest.READERS`.

    Returns
    -------
    str
        The limits, the readers and :func:`reader_fingerprint`, so that a changed
        reader (even without a new version number) never serves a stale summary.
    """
    named = sorted((fmt, reader if isinstance(reader, str) else f"id:{id(reader)}")
                   for fmt, reader in (readers or {}).items())
    return repr((tuple(limits), named, reader_fingerprint()))


@functools.cache
def reader_fingerprint() -> str:
    """SHA-256 (16 hex digits) of the source of :mod:`runload.io` and the column contract."""
    here = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for path in sorted([*here.glob("*.py"), here.parent / "columns.py"]):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]

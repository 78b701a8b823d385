"""Walk folders, zip archives and gzip files into per-file entries, safely.

Nothing is ever extracted to disk: zip members and gzip streams are read into memory,
each under a size cap, and handed to the readers as bytes. Every file the walk meets is
either *ignored* (not an activity file: photos, CSVs, JSON, ``__MACOSX`` junk) or becomes
one :class:`Entry`, read later by :func:`runload.io.ingest.read_entry`. An entry the walk
already refused (a zip bomb, a ``../`` member name, nesting too deep) carries the reason
in ``refusal`` so that it is still accounted for as a problem file.

Safety limits (:class:`Limits`, all keyword options of :func:`runload.read_activities`):

===================== =========== =====================================================
limit                 default     what happens beyond it
===================== =========== =====================================================
``max_file_bytes``    256 MiB     a file (or a decompressed member) larger than this is
                                  refused, kind ``unsafe``
``max_archive_bytes`` 8 GiB       a member that would make its (top-level) archive expand
                                  to more than this in total is refused; it is also the
                                  cap of a nested archive read into memory
``max_members``       100 000     an archive with more members is refused as a whole
``max_ratio``         200         a member over 1 MiB that expands more than 200-fold is
                                  refused as a zip bomb
``max_depth``         3           zips nested deeper (``a.zip!b.zip!c.zip!d.fit`` is
                                  depth 3) are refused; gzip layers are not counted
                                  here, but more than ``max_depth`` gzip layers on one
                                  file (``x.fit.gz.gz.gz.gz``) are refused too
===================== =========== =====================================================

Member names that are absolute (``/etc/x``, ``C:\\x``) or climb out with ``..`` are
refused (kind ``unsafe``). In folders, symbolic links are never followed out of the
folder given: a link whose target lies outside is refused (kind ``unsafe``), and
directory links are not walked (their target is either outside, or inside and walked
anyway).
"""

from __future__ import annotations

import io
import os
import re
import stat
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from ..errors import ReadError, UnsafeInputError
from . import exports
from .sniff import ACTIVITY_EXTENSIONS, HEAD_BYTES, UNSUPPORTED_EXTENSIONS, extension, sniff

__all__ = [
    "Limits",
    "Entry",
    "WalkLog",
    "walk",
    "gunzip",
    "open_path",
    "open_zip",
    "close_zips",
    "read_member",
    "is_junk",
    "STRAVA_MANUAL",
]

MiB = 2**20
GiB = 2**30

#: A member smaller than this is never called a bomb, whatever its ratio.
RATIO_FLOOR_BYTES = 1 * MiB


class Limits(NamedTuple):
    """Safety limits of the walk and of reading one file (see the module docstring)."""

    max_file_bytes: int = 256 * MiB
    max_archive_bytes: int = 8 * GiB
    max_members: int = 100_000
    max_ratio: float = 200.0
    max_depth: int = 3


class Entry(NamedTuple):
    """One file to read: a path, a member of a zip on disk, or bytes already in memory.

    Attributes
    ----------
    source : str
        What the file is called in the tables: its path, ``archive.zip!member`` inside
        archives (``outer.zip!inner.zip!member`` when nested).
    path : str
        The file on disk the bytes come from (the outermost archive for members).
    member : str or None
        Member name inside the zip at ``path`` (top-level archives only).
    data : bytes or None
        The bytes, when the walk has read them already (members of nested archives).
    depth : int
        How many archives enclose the file.
    refusal : (kind, message) or None
        Set when the walk refused the file; it is then a problem, never read.
    origin : int
        Index of the ``source`` argument of read_activities the file was found under.
    limits : Limits
        The limits to read it with.
    reader : str or None
        ``'strava_manual'`` for the ``activities.csv`` of a Strava export that holds
        manual entries (read from the CSV, :func:`runload.io.exports.strava_manual`);
        None for an activity file (its format is told by its content).
    """

    source: str
    path: str
    member: str | None = None
    data: bytes | None = None
    depth: int = 0
    refusal: tuple[str, str] | None = None
    origin: int = 0
    limits: Limits = Limits()
    reader: str | None = None


#: :attr:`Entry.reader` of a Strava ``activities.csv`` read for its manual entries.
STRAVA_MANUAL = "strava_manual"


@dataclass
class WalkLog:
    """What the walk learns besides entries: ignored files and export metadata.

    Attributes
    ----------
    ignored : int
        Files that are not activity files (photos, CSV, JSON, routes of a Strava export).
    metadata : dict
        ``source -> {"name", "gear", "sport"}`` from a Strava ``activities.csv``.
    exports : dict
        ``source of the export root -> 'strava' | 'garmin'``.
    missing : dict
        ``source of a Strava activities.csv -> MissingFiles``
        (:func:`runload.io.exports.missing_files`): the activities it lists whose file the
        export lacks; applied when the results are assembled.
    """

    ignored: int = 0
    metadata: dict[str, dict[str, Any]] = field(default_factory=dict)
    exports: dict[str, str] = field(default_factory=dict)
    missing: dict[str, exports.MissingFiles] = field(default_factory=dict)
    _budget: dict[str, int] = field(default_factory=dict)


def is_junk(name: str) -> bool:
    """True for macOS resource forks and folders (``__MACOSX/``, ``._x``, ``.DS_Store``)."""
    parts = name.replace("\\", "/").split("/")
    return "__MACOSX" in parts or parts[-1].startswith("._") or parts[-1] == ".DS_Store"


_DRIVE = re.compile(r"^[A-Za-z]:")


def unsafe_member_name(name: str) -> str | None:
    """Why a zip member name is refused (absolute or climbing out), else ``None``."""
    norm = name.replace("\\", "/")
    if norm.startswith("/") or _DRIVE.match(norm):
        return f"absolute member name {name!r} refused"
    if ".." in norm.split("/"):
        return f"member name {name!r} climbs out of the archive ('..'); refused"
    return None


def _candidate(name: str, head: bytes | None, *, explicit: bool = False) -> bool | None:
    """Whether a file is an activity file to account for (``None``: need its head)."""
    if explicit:
        return True
    ext = extension(name)
    low = name.lower()
    if ext in ACTIVITY_EXTENSIONS or ext in UNSUPPORTED_EXTENSIONS or low.endswith(".zip"):
        return True
    if low.endswith(".gz") and ext in ("", ".zip"):
        return True
    if head is None:
        return None
    kind = sniff(head)
    if kind == "gzip":
        kind = sniff(_gz_inner_head(head))
    return kind in ("fit", "gpx", "tcx", "zip")


def _gz_inner_head(head: bytes) -> bytes:
    """The first decompressed bytes of a gzip stream (empty when they cannot be had)."""
    try:
        return zlib.decompressobj(31).decompress(head, 64)
    except zlib.error:
        return b""


def gunzip(data: bytes, *, max_bytes: int, source: str | None = None) -> tuple[bytes, bool]:
    """Decompress gzip ``data`` in a stream, never producing more than ``max_bytes``.

    Parameters
    ----------
    data : bytes
        The gzip file (several concatenated gzip members are read one after another).
    max_bytes : int
        Refuse to produce more than this many bytes.
    source : str, optional
        The file, for the error messages.

    Returns
    -------
    data : bytes
        The decompressed bytes.
    truncated : bool
        True when the stream ended before its end marker (what came before is returned).

    Raises
    ------
    UnsafeInputError
        The content would be larger than ``max_bytes`` (a gzip bomb, or just too big).
    ReadError
        The stream is corrupt (kind ``malformed``).
    """
    out = bytearray()
    rest = data
    chunk = 1 * MiB
    while rest:
        dec = zlib.decompressobj(31)
        pending = rest
        try:
            while pending:
                room = max_bytes - len(out) + 1
                piece = dec.decompress(pending, min(chunk, room))
                out += piece
                if len(out) > max_bytes:
                    raise UnsafeInputError(
                        f"gzip content larger than the limit of {max_bytes} bytes "
                        "(max_file_bytes); refused",
                        source=source,
                    )
                pending = dec.unconsumed_tail
                if dec.eof:
                    break
        except zlib.error as exc:
            if out:
                return bytes(out), True
            raise ReadError(f"corrupt gzip stream: {exc}", source=source, kind="malformed") from exc
        if not dec.eof:
            return bytes(out), True
        rest = dec.unused_data.lstrip(b"\x00")
    return bytes(out), False


def read_capped(fh, cap: int, *, chunk: int = MiB) -> bytes:
    """Read ``fh`` to its end or to ``cap + 1`` bytes, ``chunk`` bytes at a time.

    One ``read(cap + 1)`` would make Python allocate ``cap + 1`` bytes up front (8 GiB for
    a nested archive) when a zip member's declared compressed size is a lie; reading in
    chunks makes memory follow the bytes that really come.
    """
    parts: list[bytes] = []
    total = 0
    while total <= cap:
        piece = fh.read(min(chunk, cap + 1 - total))
        if not piece:
            break
        parts.append(piece)
        total += len(piece)
    return b"".join(parts)


def _member_problem(info: zipfile.ZipInfo, limits: Limits, *, cap: int) -> str | None:
    """Why a zip member is refused before it is read (sizes, ratio), else ``None``."""
    if info.file_size > cap:
        return (
            f"member would expand to {info.file_size} bytes, over the limit of {cap} bytes; "
            "refused"
        )
    if (
        info.file_size > RATIO_FLOOR_BYTES
        and info.file_size > limits.max_ratio * max(info.compress_size, 1)
    ):
        ratio = info.file_size / max(info.compress_size, 1)
        return (
            f"member expands {ratio:.0f}-fold ({info.compress_size} -> {info.file_size} bytes), "
            f"over max_ratio={limits.max_ratio:g}: looks like a zip bomb; refused"
        )
    return None


def read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, *, cap: int, limits: Limits,
                source: str) -> bytes:
    """Read one zip member after checking its name, size and ratio.

    Raises
    ------
    UnsafeInputError
        Unsafe name, too large, or a bomb.
    ReadError
        The member cannot be decompressed (kind ``unreadable``).
    """
    why = unsafe_member_name(info.filename) or _member_problem(info, limits, cap=cap)
    if why:
        raise UnsafeInputError(why, source=source)
    try:
        with zf.open(info) as fh:
            data = read_capped(fh, cap)
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, NotImplementedError,
            RuntimeError) as exc:
        raise ReadError(f"cannot read the archive member: {exc}", source=source,
                        kind="unreadable") from exc
    if len(data) > cap:
        raise UnsafeInputError(f"member larger than the limit of {cap} bytes; refused",
                               source=source)
    return data


def _member_head(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    try:
        with zf.open(info) as fh:
            return fh.read(HEAD_BYTES)
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, NotImplementedError,
            RuntimeError):
        return b""


def _refuse(source: str, path: str, kind: str, message: str, origin: int,
            limits: Limits) -> Entry:
    return Entry(source, path, refusal=(kind, message), origin=origin, limits=limits)


def walk(path: str, *, limits: Limits, log: WalkLog, recursive: bool = True,
         origin: int = 0) -> Iterator[Entry]:
    """The entries of one ``source``: a folder, an archive or a single file.

    Parameters
    ----------
    path : str
        Folder, zip, gzip or activity file.
    limits : Limits
        Safety limits.
    log : WalkLog
        Filled with the ignored-file count and the export metadata as the walk goes.
    recursive : bool
        Walk sub-folders of a folder (archives are always walked whole).
    origin : int
        Stored in each entry (the index of the source in a list of sources).

    Yields
    ------
    Entry
        One per activity-file candidate, in a deterministic order.
    """
    if os.path.isdir(path):
        yield from _walk_dir(path, limits=limits, log=log, recursive=recursive, origin=origin)
    else:
        yield from _walk_file(path, path, limits=limits, log=log, origin=origin, explicit=True)


def _walk_dir(root: str, *, limits: Limits, log: WalkLog, recursive: bool,
              origin: int) -> Iterator[Entry]:
    real_root = os.path.realpath(root)
    unreadable: list[OSError] = []
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False,
                                                onerror=unreadable.append):
        keep = []
        for name in sorted(dirnames):
            full = os.path.join(dirpath, name)
            if name.startswith(".") or name == "__MACOSX":
                continue
            if os.path.islink(full):
                if not _inside(full, real_root):
                    yield _refuse(full, full, "unsafe",
                                  "symbolic link to a folder outside the folder read; "
                                  "not followed", origin, limits)
                continue
            keep.append(name)
        files = sorted(f for f in filenames if not is_junk(f))
        skip_dirs = set()
        if exports.is_strava_root(files, keep):
            log.exports[dirpath] = "strava"
            skip_dirs = set(exports.STRAVA_SKIP_DIRS)
            csv_path = os.path.join(dirpath, exports.STRAVA_CSV)
            try:
                with open(csv_path, "rb") as fh:
                    table = exports.strava_csv(fh.read(limits.max_file_bytes))
            except OSError:
                table = exports.StravaCSV({}, [])
            for filename, values in table.metadata.items():
                log.metadata[os.path.join(dirpath, *filename.split("/"))] = values
            if recursive:  # else activities/ is not walked: nothing to compare
                present = [f for f in table.starts
                           if os.path.isfile(os.path.join(dirpath, *f.split("/")))]
                lost = exports.missing_files(table, present)
                if lost is not None:
                    log.missing[csv_path] = lost
            if table.manual:  # the CSV is then an activity file of its own
                files.remove(exports.STRAVA_CSV)
                yield Entry(csv_path, csv_path, origin=origin, limits=limits,
                            reader=STRAVA_MANUAL)
        elif exports.is_garmin_root(keep):
            log.exports[dirpath] = "garmin"
        ignored_dirs = [d for d in keep if d in skip_dirs]
        log.ignored += sum(_count_files(os.path.join(dirpath, d)) for d in ignored_dirs)
        dirnames[:] = [d for d in keep if d not in skip_dirs] if recursive else []
        for name in files:
            full = os.path.join(dirpath, name)
            if os.path.islink(full) and not _inside(full, real_root):
                yield _refuse(full, full, "unsafe",
                              "symbolic link to a file outside the folder read; not followed",
                              origin, limits)
                continue
            yield from _walk_file(full, full, limits=limits, log=log, origin=origin)
    for exc in unreadable:
        where = exc.filename or root
        yield _refuse(where, where, "unreadable", f"cannot list the folder: {exc.strerror}",
                      origin, limits)


def _count_files(folder: str) -> int:
    return sum(len(files) for _, _, files in os.walk(folder, followlinks=False))


def _inside(path: str, real_root: str) -> bool:
    real = os.path.realpath(path)
    return real == real_root or real.startswith(real_root.rstrip(os.sep) + os.sep)


def _walk_file(path: str, source: str, *, limits: Limits, log: WalkLog, origin: int,
               explicit: bool = False) -> Iterator[Entry]:
    decided = _candidate(path, None, explicit=explicit)
    try:
        regular = stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        regular = True  # let open() say what is wrong
    if not regular:  # a named pipe would block open() for ever; a device never ends
        if decided is None:
            log.ignored += 1
            return
        yield _refuse(source, path, "unreadable",
                      "not a regular file (a named pipe, socket or device); not read",
                      origin, limits)
        return
    try:
        with open(path, "rb") as fh:
            head = fh.read(HEAD_BYTES)
    except OSError as exc:
        if decided is None:
            log.ignored += 1
            return
        yield _refuse(source, path, "unreadable", f"cannot open the file: {exc}", origin, limits)
        return
    if decided is None:
        decided = _candidate(path, head)
    if not decided:
        log.ignored += 1
        return
    kind = sniff(head)
    if kind == "zip":
        yield from _walk_zip(path, source, path=path, data=None, depth=1, limits=limits, log=log,
                             origin=origin)
        return
    if kind == "gzip" and sniff(_gz_inner_head(head)) == "zip":
        try:
            data = open_path(path, max_bytes=limits.max_archive_bytes, source=source)
            inner, truncated = gunzip(data, max_bytes=limits.max_archive_bytes, source=source)
        except ReadError as exc:
            yield _refuse(source, path, exc.kind, exc.message, origin, limits)
            return
        if truncated:
            yield _refuse(source, path, "truncated", "the gzip stream ends early", origin, limits)
            return
        yield from _walk_zip(io.BytesIO(inner), source, path=path, data=inner, depth=1,
                             limits=limits, log=log, origin=origin)
        return
    yield Entry(source, path, origin=origin, limits=limits)


#: Zips opened by :func:`open_zip`, keyed by (process id, path, size, mtime); parsing the
#: central directory of a 3 000-member export for every member would dominate the read.
_OPEN_ZIPS: dict[tuple[int, str, int, int], zipfile.ZipFile] = {}


def open_zip(path: str) -> zipfile.ZipFile:
    """A read-only :class:`zipfile.ZipFile` of ``path``, kept open for the next member.

    One zip per process stays open (the key includes the process id, so a forked worker
    never shares a file offset with its parent); a changed file is reopened. Close with
    :func:`close_zips`.
    """
    st = os.stat(path)
    key = (os.getpid(), os.path.abspath(path), st.st_size, st.st_mtime_ns)
    zf = _OPEN_ZIPS.get(key)
    if zf is None:
        close_zips()
        zf = zipfile.ZipFile(path)
        _OPEN_ZIPS[key] = zf
    return zf


def close_zips() -> None:
    """Close the zips :func:`open_zip` keeps open in this process."""
    pid = os.getpid()
    for key in list(_OPEN_ZIPS):
        zf = _OPEN_ZIPS.pop(key)
        if key[0] == pid:
            zf.close()


def open_path(path: str, *, max_bytes: int, source: str | None = None) -> bytes:
    """Read a file from disk, refusing one larger than ``max_bytes``.

    Raises
    ------
    UnsafeInputError
        The file is larger than ``max_bytes``.
    ReadError
        It cannot be opened (kind ``unreadable``).
    """
    try:
        size = os.path.getsize(path)
        if size > max_bytes:
            raise UnsafeInputError(
                f"file of {size} bytes is over the limit of {max_bytes} bytes "
                "(max_file_bytes); refused",
                source=source or path,
            )
        with open(path, "rb") as fh:
            return read_capped(fh, max_bytes)
    except OSError as exc:
        raise ReadError(f"cannot open the file: {exc}", source=source or path,
                        kind="unreadable") from exc


def _walk_zip(zsrc: Any, display: str, *, path: str, data: bytes | None, depth: int,
              limits: Limits, log: WalkLog, origin: int, cut: bool = False) -> Iterator[Entry]:
    """Entries of one zip (on disk when ``data`` is None, else in memory; ``cut``: the
    complete members of a zip cut short)."""
    try:
        zf = zipfile.ZipFile(zsrc)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError) as exc:
        raw = data if data is not None else _head_and_tail(path, limits)
        if raw is None or not looks_cut_short(raw):
            yield _refuse(display, path, "malformed", f"not a readable zip archive: {exc}",
                          origin, limits)
            return
        if data is None:  # salvage needs the whole file
            try:
                raw = open_path(path, max_bytes=limits.max_archive_bytes, source=display)
            except ReadError as err:
                yield _refuse(display, path, err.kind, err.message, origin, limits)
                return
        yield from _walk_cut_zip(raw, display, path=path, depth=depth, limits=limits, log=log,
                                 origin=origin)
        return
    with zf:
        # not ZipInfo.is_dir(): it raises IndexError for an empty member name
        infos = [i for i in zf.infolist()
                 if not i.filename.endswith("/") and not is_junk(i.filename)]
        if len(infos) > limits.max_members:
            yield _refuse(display, path, "unsafe",
                          f"archive has {len(infos)} members, over max_members="
                          f"{limits.max_members}; refused", origin, limits)
            return
        names = [i.filename for i in infos]
        roots = exports.strava_roots(names)
        manual_csvs = set()  # activities.csv members holding manual entries
        for prefix in roots:
            log.exports[f"{display}!{prefix}"] = "strava"
            csv_name = prefix + exports.STRAVA_CSV
            try:
                csv_bytes = read_member(zf, zf.getinfo(csv_name),
                                        cap=limits.max_file_bytes, limits=limits,
                                        source=display)
            except ReadError:
                continue
            table = exports.strava_csv(csv_bytes)
            for filename, values in table.metadata.items():
                log.metadata[f"{display}!{prefix}{filename}"] = values
            present = {n[len(prefix):] for n in names if n.startswith(prefix)}
            lost = exports.missing_files(table, present, cut=cut)
            if lost is not None:
                log.missing[f"{display}!{csv_name}"] = lost
            if table.manual:
                manual_csvs.add(csv_name)
                yield Entry(f"{display}!{csv_name}", path,
                            member=csv_name if data is None else None,
                            data=csv_bytes if data is not None else None, depth=depth,
                            origin=origin, limits=limits, reader=STRAVA_MANUAL)
        if exports.is_garmin_archive(names):
            log.exports[display] = "garmin"
        budget_key = f"{origin}:{path}"
        for info in sorted(infos, key=lambda i: i.filename):
            name = info.filename
            source = f"{display}!{name}"
            why = unsafe_member_name(name)
            if why:
                yield _refuse(source, path, "unsafe", why, origin, limits)
                continue
            if exports.strava_skipped(name, roots):
                log.ignored += 1
                continue
            if name in manual_csvs:
                continue  # already an entry
            decided = _candidate(name, None)
            head = None
            if decided is None:
                head = _member_head(zf, info)
                decided = _candidate(name, head)
            if not decided:
                log.ignored += 1
                continue
            if head is None and (name.lower().endswith((".zip", ".gz"))):
                head = _member_head(zf, info)
            nested = head is not None and (
                sniff(head) == "zip"
                or (sniff(head) == "gzip" and sniff(_gz_inner_head(head)) == "zip")
            )
            cap = limits.max_archive_bytes if nested else limits.max_file_bytes
            why = _member_problem(info, limits, cap=cap)
            if why is None:
                spent = log._budget.get(budget_key, 0) + info.file_size
                if spent > limits.max_archive_bytes:
                    why = (f"the archive would expand to more than max_archive_bytes="
                           f"{limits.max_archive_bytes} bytes with this member; refused")
                else:
                    log._budget[budget_key] = spent
            if why:
                yield _refuse(source, path, "unsafe", why, origin, limits)
                continue
            if nested:
                if depth + 1 > limits.max_depth:
                    yield _refuse(source, path, "unsafe",
                                  f"archive nested {depth + 1} deep, over max_depth="
                                  f"{limits.max_depth}; refused", origin, limits)
                    continue
                try:
                    inner = read_member(zf, info, cap=cap, limits=limits, source=source)
                    if sniff(inner[:4]) == "gzip":
                        inner, truncated = gunzip(inner, max_bytes=cap, source=source)
                        if truncated:
                            raise ReadError("the gzip stream ends early", source=source,
                                            kind="truncated")
                except ReadError as exc:
                    yield _refuse(source, path, exc.kind, exc.message, origin, limits)
                    continue
                yield from _walk_zip(io.BytesIO(inner), source, path=path, data=inner,
                                     depth=depth + 1, limits=limits, log=log, origin=origin)
                continue
            if data is None:
                yield Entry(source, path, member=name, depth=depth, origin=origin, limits=limits)
                continue
            try:
                member = read_member(zf, info, cap=cap, limits=limits, source=source)
            except ReadError as exc:
                yield _refuse(source, path, exc.kind, exc.message, origin, limits)
                continue
            yield Entry(source, path, data=member, depth=depth, origin=origin, limits=limits)


# --- a zip cut short (an interrupted download or copy) ------------------------------------

_LOCAL = b"PK\x03\x04"
_CENTRAL = b"PK\x01\x02"
_END = b"PK\x05\x06"
#: The end-of-central-directory record lies within the last 22 + 65 535 bytes (its comment).
_END_SEARCH = 22 + 65_535


def _head_and_tail(path: str, limits: Limits) -> bytes | None:
    """The first 4 and the last :data:`_END_SEARCH` bytes of a file (enough for
    :func:`looks_cut_short`); None when it cannot be read."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(4)
            size = os.fstat(fh.fileno()).st_size
            fh.seek(max(4, size - _END_SEARCH))
            return head + fh.read(_END_SEARCH)
    except OSError:
        return None


def looks_cut_short(raw: bytes) -> bool:
    """True for a zip that starts with a local file header but has no end-of-central-
    directory record: the end of the file is missing (a download or copy interrupted)."""
    return raw[:4] == _LOCAL and _END not in raw[-_END_SEARCH:]


_IN_HEADER = "a member and any after it (the file ends inside that member's local header)"


class _Salvage(NamedTuple):
    """What :func:`salvage_zip` could keep of a zip cut short."""

    archive: bytes  # a valid zip of the complete members (empty when none)
    members: int  # how many
    lost: str | None  # the first member not kept (None: cut in the central directory)
    why: str  # why that member was not kept (what is lost, when ``lost`` is '' or None)


def salvage_zip(raw: bytes, *, max_members: int) -> _Salvage:
    """The complete members of a zip whose central directory is missing.

    Walks the local file headers from the start: each gives the member's name, method,
    CRC and sizes, so a member whose header and data are all present can be copied as is
    into a new archive, with a central directory made from the same headers. The walk
    stops at the first member that is incomplete (the cut), that writes its sizes after
    its data (flag bit 3, a *data descriptor*: its end cannot be found safely without the
    central directory), that is ZIP64, or after ``max_members + 1`` members (the caller
    refuses more). Nothing is decompressed here: the new archive is read like any other,
    so every limit (sizes, ratio, nesting, names) and the CRC check still apply.
    """
    out = bytearray()
    central = bytearray()
    count = 0
    pos = 0
    lost: str | None = None
    why = ""
    while raw[pos:pos + 4] == _LOCAL and count <= max_members:
        if pos + 30 > len(raw):
            lost, why = "", _IN_HEADER
            break
        (version, flags, method, mtime, mdate, crc, csize, usize, nlen,
         xlen) = struct.unpack_from("<HHHHHIIIHH", raw, pos + 4)
        name_end = pos + 30 + nlen
        if name_end > len(raw):
            lost, why = "", _IN_HEADER
            break
        name = raw[pos + 30:name_end].decode("utf-8" if flags & 0x800 else "cp437",
                                             errors="replace")
        if flags & 0x08:
            lost, why = name, ("it writes its sizes after its data (a data descriptor), so "
                               "its end cannot be found safely without the central "
                               "directory")
            break
        if 0xFFFFFFFF in (csize, usize):
            lost, why = name, "it is a ZIP64 member, whose sizes are only in the lost directory"
            break
        end = name_end + xlen + csize
        if end > len(raw):
            lost, why = name, "the file ends inside it"
            break
        central += struct.pack("<4sHHHHHHIIIHHHHHII", _CENTRAL, 20, version, flags, method,
                               mtime, mdate, crc, csize, usize, nlen, 0, 0, 0, 0, 0,
                               len(out))
        central += raw[pos + 30:name_end]
        out += raw[pos:end]
        count += 1
        pos = end
    if lost is None and count <= max_members:
        if pos >= len(raw):
            lost, why = "", "any later members (the file ends right after a member)"
        elif raw[pos:pos + 4] == _CENTRAL:
            why = ("only the central directory, written after the last member (the file was "
                   "cut inside the central directory)")
        else:
            lost, why = "", ("whatever follows the last complete member (its bytes are not a "
                             "zip member)")
    if count:
        out += central + struct.pack("<4sHHHHIIH", _END, 0, 0, min(count, 0xFFFF),
                                     min(count, 0xFFFF), len(central), len(out), 0)
    return _Salvage(bytes(out), count, lost, why)


def _walk_cut_zip(raw: bytes, display: str, *, path: str, depth: int, limits: Limits,
                  log: WalkLog, origin: int) -> Iterator[Entry]:
    """Entries of a zip cut short: its complete members, read from a rebuilt archive, and
    one ``truncated`` problem for what is lost (the member cut, or the zip itself)."""
    found = salvage_zip(raw, max_members=limits.max_members)
    cut = ("the zip archive looks cut short: its central directory, written at its end, is "
           "missing (an interrupted download or copy? download or copy it again)")
    before = set(log.missing)
    if found.members:
        yield from _walk_zip(io.BytesIO(found.archive), display, path=path,
                             data=found.archive, depth=depth, limits=limits, log=log,
                             origin=origin, cut=True)
    if found.members > limits.max_members:
        return  # refused as a whole by _walk_zip
    n = found.members
    # what was read first, what is lost last: front ends append "(nothing kept)" to the
    # message of a problem file, and that is said of what is lost
    kept = (f"the {n} complete member{'' if n == 1 else 's'} before the cut "
            f"{'was' if n == 1 else 'were'} read" if n else "no member before it is complete")
    if found.lost and unsafe_member_name(found.lost) is None:
        home = f"{display}!{found.lost}"
        message = f"{cut}; {kept}; lost: this member and any after it ({found.why})"
    else:
        home = display
        what = f"member {found.lost!r} and any after it ({found.why})" if found.lost \
            else found.why
        message = f"{cut}; {kept}; lost: {what}"
    for csv_source in set(log.missing) - before:  # a Strava export's listed files lost
        log.missing[csv_source] = log.missing[csv_source]._replace(home=home)
    yield _refuse(home, path, "truncated", message, origin, limits)

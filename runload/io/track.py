"""Read the per-sample streams (time, position, distance, heart rate ...) of one file."""

from __future__ import annotations

import io
import os
import zipfile
from collections.abc import Callable
from typing import Any

import pandas as pd

from .. import columns
from ..errors import ReadError, UnsafeInputError
from .archives import Limits, open_path, read_member
from .ingest import load_reader, unwrap
from .sniff import sniff

__all__ = ["TRACK_READERS", "read_track"]

#: Format -> track reader ``reader(data: bytes, *, source: str) -> DataFrame``, as
#: ``"module:function"`` or a callable.
TRACK_READERS: dict[str, str | Callable[..., Any]] = {
    "fit": "runload.io.fit:fit_track",
    "gpx": "runload.io.gpx:gpx_track",
    "tcx": "runload.io.tcx:tcx_track",
}

_DEFAULT = Limits()


def _split(source: str) -> tuple[str, list[str]]:
    """Split ``outer.zip!inner.zip!member`` into the file on disk and the member chain."""
    if os.path.exists(source) or "!" not in source:
        return source, []
    parts = source.split("!")
    for cut in range(len(parts) - 1, 0, -1):
        head = "!".join(parts[:cut])
        if os.path.isfile(head):
            return head, parts[cut:]
    return source, []


def read_track(
    source: str | os.PathLike,
    *,
    max_file_bytes: int = _DEFAULT.max_file_bytes,
    max_ratio: float = _DEFAULT.max_ratio,
    max_depth: int = _DEFAULT.max_depth,
) -> pd.DataFrame:
    """The per-sample streams of one activity file or archive member.

    Parameters
    ----------
    source : path
        A FIT, GPX or TCX file (gzipped or not), or an archive member written as in the
        ``source`` column of the activities table: ``export.zip!activities/123.fit.gz``,
        ``outer.zip!inner.zip!member.fit``.
    max_file_bytes, max_ratio, max_depth
        Safety limits, as for :func:`runload.read_activities`.

    Returns
    -------
    DataFrame
        :data:`runload.columns.TRACK` columns, one row per sample. For a multisport
        file the samples of all legs, in time order.

    Raises
    ------
    ReadError
        The file or member does not exist, cannot be read, or is not FIT/GPX/TCX.
    UnsafeInputError
        A safety limit was hit (member name, size, ratio, nesting).
    """
    text = os.fspath(source)
    limits = Limits(max_file_bytes, _DEFAULT.max_archive_bytes, _DEFAULT.max_members,
                    max_ratio, max_depth)
    path, members = _split(text)
    if not os.path.isfile(path):
        raise ReadError("no such file", source=text, kind="unreadable")
    if len(members) > max_depth:
        raise UnsafeInputError(f"archive nesting deeper than max_depth={max_depth}",
                               source=text)
    with open(path, "rb") as fh:
        on_disk_zip = sniff(fh.read(8)) == "zip"
    data = None if members and on_disk_zip else open_path(
        path, max_bytes=max_file_bytes if not members else limits.max_archive_bytes, source=text)
    shown = path
    for depth, member in enumerate(members, start=1):
        container: Any = path
        if data is not None:
            data, fmt, _ = unwrap(data, name=shown, limits=limits, source=shown)
            if fmt != "zip":
                raise ReadError("not a zip archive", source=shown, kind="unsupported")
            container = io.BytesIO(data)
        shown = f"{shown}!{member}"
        last = depth == len(members)
        try:
            with zipfile.ZipFile(container) as zf:
                info = zf.getinfo(member)
                data = read_member(zf, info, limits=limits, source=shown,
                                   cap=max_file_bytes if last else limits.max_archive_bytes)
        except KeyError as exc:
            raise ReadError("no such member in the archive", source=shown,
                            kind="unreadable") from exc
        except zipfile.BadZipFile as exc:
            raise ReadError(f"not a readable zip archive: {exc}", source=shown,
                            kind="malformed") from exc
    data, fmt, _ = unwrap(data, name=shown, limits=limits, source=text)
    if not data:
        raise ReadError("the file is empty (0 bytes)", source=text, kind="empty")
    if fmt not in columns.FORMATS:
        raise ReadError("not a FIT, GPX or TCX file", source=text, kind="unsupported")
    if fmt in ("gpx", "tcx"):
        data = data.lstrip(b" \t\r\n")
    track = load_reader(TRACK_READERS, fmt, what="track reader", source=text)(data, source=text)
    return columns.conform(track, columns.TRACK, extra=False)

"""FIT ``record`` streams decoded with numpy, equal to fitdecode value for value.

A 1-hour run at 1 Hz holds ~3,600 ``record`` messages; fitdecode builds a Python
object per field of each (~100-200 ms per file). Every message of one definition has
the same byte layout, so :func:`record_arrays` gathers the bytes of all ``record``
messages that share a definition (found by :func:`runload.io.fitscan.scan_fit`) into
one ``(n, size)`` array, views it through a numpy structured dtype built from the
definition's field sizes, base types and architecture (endianness), and applies
fitdecode's own profile (``fitdecode.profile``) to whole columns: invalid values per
base type (``None`` in fitdecode, NaN / NaT here), scale and offset exactly as
fitdecode computes them (``float(raw) / scale - offset``), non-accumulating components
(``speed`` -> ``enhanced_speed``, ``altitude`` -> ``enhanced_altitude``) and
``date_time`` fields.

The result is ``None`` — decode with fitdecode instead — for anything the fast path
does not reproduce exactly: compressed-timestamp headers, accumulating components
(``compressed_speed_distance``, ``cycles``), subfields, date-times below
``0x10000000`` (device-relative), and every file :func:`~runload.io.fitscan.scan_fit`
refuses (truncation ...; a checksum mismatch too, unless ``crc="report"`` asks to decode
the bytes as fitdecode does and say so). Fields that are not plain numbers in fitdecode
(enums, strings, arrays, byte fields, 64-bit integers, unknown fields, developer
fields, and any name a developer field also uses) are left out; every column that is
returned equals fitdecode's ``message.get_value(name)`` for every message
(``tests/test_fitrecords.py`` checks all corpus files).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable

import fitdecode
import numpy as np
from fitdecode import profile, types

from .fitscan import scan_fit

__all__ = ["record_arrays", "decode_records", "FIT_EPOCH_S"]

#: Seconds from the Unix epoch to the FIT epoch (1989-12-31T00:00:00Z).
FIT_EPOCH_S = 631065600
_FIT_DATETIME_MIN = 0x10000000
_RECORD = profile.MESSAGE_TYPES[20]

# base type byte -> (numpy type char, invalid value or None for NaN); numeric only
_NUMERIC = {
    0x00: ("u1", 0xFF),
    0x01: ("i1", 0x7F),
    0x02: ("u1", 0xFF),
    0x83: ("i2", 0x7FFF),
    0x84: ("u2", 0xFFFF),
    0x85: ("i4", 0x7FFFFFFF),
    0x86: ("u4", 0xFFFFFFFF),
    0x88: ("f4", None),
    0x89: ("f8", None),
    0x0A: ("u1", 0),
    0x8B: ("u2", 0),
    0x8C: ("u4", 0),
}
_PLAIN_TYPES = {"date_time"} | {
    bt.name for bt in types.BASE_TYPES.values() if bt.name not in ("string", "byte")
}


class _Unsupported(Exception):
    """The file needs fitdecode (raised internally, turned into ``None``)."""


def record_arrays(
    data: bytes,
    *,
    fields: Iterable[str] | None = None,
    raw_times: bool = False,
    duplicates: str = "first",
    crc: str = "require",
) -> dict[str, np.ndarray] | None:
    """Decode the ``record`` messages of a FIT file into numpy columns.

    Parameters
    ----------
    data : bytes
        The whole FIT file.
    fields : iterable of str, optional
        fitdecode field names wanted (e.g. ``{"timestamp", "distance",
        "heart_rate"}``); default every plain numeric field found.
    raw_times : bool, default False
        Give ``date_time`` fields as float raw FIT seconds (what fitdecode gives with
        ``processor=None``) instead of ``datetime64[s]``; device-relative times
        (below ``0x10000000``) are then kept as they are.
    duplicates : {'first', 'last'}, default 'first'
        When a message holds two fields of one name (``enhanced_speed`` written and
        also expanded from ``speed``): ``'first'`` is ``message.get_value(name)``;
        ``'last'`` is what a loop over ``message.fields`` assigning by name keeps.
    crc : {'require', 'report'}, default 'require'
        As for :func:`~runload.io.fitscan.scan_fit`: ``'require'`` gives ``None`` for a
        file whose checksums do not match; ``'report'`` decodes its records all the
        same (fitdecode's values; the mismatch is in the scan :func:`decode_records`
        returns).

    Returns
    -------
    dict of str to numpy.ndarray, or None
        One array per field, one element per ``record`` message in file order:
        float64 in the profile's units after scale and offset (NaN where fitdecode
        gives ``None``, including messages whose definition lacks the field), or
        ``datetime64[s]`` (UTC, NaT when invalid) for ``date_time`` fields such as
        ``timestamp``. ``None`` when the file needs the full fitdecode path.

    Notes
    -----
    Values are those of ``fitdecode.FitReader`` (default processor, or
    ``processor=None`` with ``raw_times=True``), component expansions placed before
    the field they come from, as fitdecode orders them.
    """
    result = decode_records(
        data, fields=fields, raw_times=raw_times, duplicates=duplicates, crc=crc
    )
    return None if result is None else result[0]


def decode_records(
    data: bytes,
    *,
    fields: Iterable[str] | None = None,
    raw_times: bool = False,
    duplicates: str = "first",
    keep: Iterable[str] = (),
    crc: str = "require",
):
    """:func:`record_arrays`, also returning the names left out and the scan.

    ``keep`` and ``crc`` are passed to :func:`~runload.io.fitscan.scan_fit`, so one
    walk also gives the reduced summary stream (and, with ``crc="report"``, the
    checksums that do not match, :attr:`~runload.io.fitscan.FitScan.bad_crc`).

    Returns
    -------
    (dict, set, FitScan) or None
        The columns, the names found in a form the fast path does not reproduce
        (enums, strings, arrays ...), and the :class:`~runload.io.fitscan.FitScan`
        of the file (message counts, the reduced summary stream).
    """
    if duplicates not in ("first", "last"):
        from ..errors import ParameterError

        raise ParameterError(f"duplicates must be 'first' or 'last', got {duplicates!r}")
    scan = scan_fit(data, keep=keep, records=True, crc=crc)
    if scan is None:
        return None
    wanted = None if fields is None else frozenset(fields)
    grouped: dict = {}  # identical definitions (files that redefine often) share a run
    for defn, off in scan.records:
        if off:
            grouped.setdefault(defn, []).extend(off)
    runs = [(d, np.asarray(off, dtype=np.int64)) for d, off in grouped.items()]
    try:
        plans = [
            _plan(defn, wanted, raw_times=raw_times, last=duplicates == "last") for defn, _ in runs
        ]
    except _Unsupported:
        return None
    dropped = set().union(*(p[1] for p in plans)) if plans else set()
    if any(defn.dev_fields for defn, _ in runs):
        names = _developer_names(scan.reduced)
        if names is None:
            return None
        dropped |= names
    total = sum(off.size for _, off in runs)
    if len(runs) > 1:
        rank = np.empty(total, dtype=np.int64)
        rank[np.argsort(np.concatenate([off for _, off in runs]), kind="stable")] = np.arange(total)
    buf = np.frombuffer(data, dtype=np.uint8)
    out: dict[str, np.ndarray] = {}
    start = 0
    for (defn, off), (columns, _) in zip(runs, plans, strict=True):
        where = rank[start : start + off.size] if len(runs) > 1 else slice(None)
        start += off.size
        columns = {k: v for k, v in columns.items() if k not in dropped}
        if not columns:
            continue
        rows = _gather(buf, off, defn.size, _dtype(defn))
        for name, spec in columns.items():
            try:
                values = _decode(rows, spec)
            except _Unsupported:
                return None
            col = out.get(name)
            if col is None:
                col = out[name] = (
                    np.full(total, np.datetime64("NaT"), dtype="datetime64[s]")
                    if values.dtype.kind == "M"
                    else np.full(total, np.nan)
                )
            col[where] = values
    return out, dropped, scan


def _dtype(defn) -> np.dtype:
    """Structured dtype of one data message of ``defn`` (record header byte skipped)."""
    endian = ">" if defn.big_endian else "<"
    names, formats, offsets = [], [], []
    pos = 1
    for i, (_num, size, base) in enumerate(defn.fields):
        spec = _NUMERIC.get(base)
        if spec is not None and size == np.dtype(spec[0]).itemsize:
            names.append(f"f{i}")
            formats.append(endian + spec[0])
            offsets.append(pos)
        pos += size
    return np.dtype({"names": names, "formats": formats, "offsets": offsets, "itemsize": defn.size})


def _gather(buf: np.ndarray, off: np.ndarray, size: int, dtype: np.dtype) -> np.ndarray:
    """The data messages at byte offsets ``off`` as a structured array."""
    n = off.size
    if off[-1] - off[0] == (n - 1) * size and (n < 2 or np.all(np.diff(off) == size)):
        return np.frombuffer(buf, dtype=dtype, count=n, offset=int(off[0]))
    block = buf[off[:, None] + np.arange(size)]
    return block.view(dtype).reshape(n)


def _plan(defn, wanted, *, raw_times, last):
    """For one record definition: the columns it gives, and the names to leave out.

    Returns ``({name: spec}, dropped)`` where ``spec`` is ``(column, base, scale,
    offset, bits, bit_offset, is_time)`` and ``dropped`` holds names this definition
    gives in a form the fast path does not reproduce (fitdecode's field of that name
    is then not a plain number in some message).
    """
    chosen: dict[str, tuple | None] = {}

    def add(name, spec):
        if last or name not in chosen:
            chosen[name] = spec

    for i, (num, size, base) in enumerate(defn.fields):
        field = _RECORD.fields.get(num)
        numeric = _NUMERIC.get(base)
        scalar = numeric is not None and size == np.dtype(numeric[0]).itemsize
        if field is None:
            add(f"unknown_{num}", None)
            continue
        if field.subfields:
            raise _Unsupported(field.name)
        for comp in field.components or ():
            if comp.accumulate:
                raise _Unsupported(comp.name)
            target = _RECORD.fields[comp.def_num]
            if target.subfields:
                raise _Unsupported(target.name)
            spec = None
            if scalar and _plain(target) and target.type.name != "date_time":
                spec = (f"f{i}", base, comp.scale, comp.offset, comp.bits, comp.bit_offset, False)
            add(target.name, spec)
        is_time = field.type.name == "date_time" and not raw_times
        if field.type.name == "date_time" and (field.scale or field.offset):
            scalar = False
        spec = None
        if scalar and _plain(field):
            spec = (f"f{i}", base, field.scale, field.offset, None, None, is_time)
        add(field.name, spec)
    dropped = {name for name, spec in chosen.items() if spec is None}
    columns = {
        name: spec
        for name, spec in chosen.items()
        if spec is not None and (wanted is None or name in wanted)
    }
    return columns, dropped


def _plain(field) -> bool:
    """A field fitdecode gives as a plain number (or a date_time)."""
    scale_ok = all(isinstance(v, (int, float)) or v is None for v in (field.scale, field.offset))
    return field.type.name in _PLAIN_TYPES and not field.type.enum and scale_ok


def _decode(rows: np.ndarray, spec) -> np.ndarray:
    """One column of values from the structured rows, as fitdecode computes them."""
    column, base, scale, offset, bits, bit_offset, is_time = spec
    raw = rows[column]
    kind, invalid = _NUMERIC[base]
    if invalid is None:
        bad = np.isnan(raw)
        value = raw.astype(np.float64)
    else:
        raw = raw.astype(np.int64)
        bad = raw == invalid
        if bits is not None:
            raw = (raw >> bit_offset) & ((1 << bits) - 1)
        value = raw
    if is_time:
        if np.any(value[~bad] < _FIT_DATETIME_MIN):
            raise _Unsupported("device-relative date_time")
        out = (value + FIT_EPOCH_S).astype("datetime64[s]")
        out[bad] = np.datetime64("NaT")
        return out
    value = value.astype(np.float64)
    if scale:
        value = value / scale
    if offset:
        value = value - offset
    value[bad] = np.nan
    return value


def _developer_names(reduced: bytes) -> set[str] | None:
    """Names of the developer fields a file describes (they may shadow profile names)."""
    names = set()
    reader = fitdecode.FitReader(
        reduced,
        check_crc=fitdecode.CrcCheck.DISABLED,
        error_handling=fitdecode.ErrorHandling.IGNORE,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            for frame in reader:
                if (
                    frame.frame_type == fitdecode.FIT_FRAME_DATA
                    and frame.name == "field_description"
                ):
                    name = frame.get_value("field_name", fallback=None)
                    if isinstance(name, str):
                        names.add(name)
        except Exception:  # noqa: BLE001 - undecodable descriptions: the caller falls back
            return None
        finally:
            reader.close()
    return names

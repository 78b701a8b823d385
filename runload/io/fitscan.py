"""FIT summary fast path: walk the record headers, decode only the summary messages.

Weekly mileage needs a handful of a FIT file's messages (``file_id``, ``sport``,
``session``, ``lap``, ``activity``, developer-field descriptions); a 1-hour run holds
~4,000 messages, nearly all ``record`` samples. Decoding every message with fitdecode
costs ~100-200 ms per file; this module walks the record headers and definition
messages in pure byte arithmetic, skips the bytes of every other data message using the
size its definition gives, and builds a *reduced* FIT stream — each FIT header, every
definition message, only the wanted data messages, with the header's data size and
both CRCs fixed — which fitdecode then decodes. Definition messages of skipped
message types are dropped too (unless they declare developer fields, which can
register developer types), so a file that redefines its local types thousands of
times costs no more than one that does not. The messages fitdecode returns are
the same objects, with the same values, as on the full stream, so a reader's
summarising code runs unchanged.

The file CRC (and the header CRC, when the header has one) is verified with
:func:`runload.io.crc.fit_crc` (not fitdecode's pure-Python loop). A checksum that does
not match is not a reason to leave the fast path: the structure is walked all the same
and, with ``crc="report"``, the mismatches are returned in :attr:`FitScan.bad_crc`, from
which :func:`fast_fit_messages` builds the very ``bad_crc`` problems the full path
reports (fitdecode, in the read-only CRC mode the reader uses, only compares the
checksums; it decodes every message the same either way). Anything the walker does not
fully understand returns ``None``, and the caller falls back to the full fitdecode
path, which then reports the problem exactly as before: truncation, a corrupt header,
trailing bytes, compressed-timestamp record headers (their timestamps accumulate over
*every* message, so skipping messages would change them), a data message of an
undefined local type, a zero-size field.

Chained FIT files (several header/data/CRC blocks in one file) are handled: each
block is reduced separately.

Why this equals the full path: fitdecode's per-file decoding state is the local
definitions (every kept data message follows its own definition, which is kept), the developer types (all
``developer_data_id`` / ``field_description`` messages are kept), the compressed
timestamp accumulator (files with compressed headers are refused), the component
accumulators (kept per global message number, and every message of a kept global
number is kept) and the last timestamp (used only for ``hr`` messages, never kept by
default). ``tests/test_fitscan.py`` checks equality on every corpus file.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from typing import NamedTuple

import fitdecode
import numpy as np
from fitdecode import profile

from .crc import fit_crc

__all__ = [
    "SUMMARY_MESSAGES",
    "Definition",
    "FitScan",
    "scan_fit",
    "CRC_MODES",
    "reduce_fit",
    "summary_messages",
    "mesg_nums",
    "fast_fit_messages",
]

#: Messages a summary needs (names of ``fitdecode.profile``); developer data
#: descriptions are always kept because later definitions refer to them.
SUMMARY_MESSAGES = frozenset(
    {"file_id", "sport", "session", "lap", "activity", "developer_data_id", "field_description"}
)
_ALWAYS = frozenset({0, 206, 207})  # file_id, field_description, developer_data_id
_RECORD = 20


class Definition(NamedTuple):
    """One definition message, as the walker read it.

    Attributes
    ----------
    global_num : int
        Global message number (20 = ``record``).
    big_endian : bool
        Architecture byte of the definition.
    fields : tuple of (int, int, int)
        ``(field_def_num, size_bytes, base_type_byte)`` in message order.
    dev_fields : tuple of (int, int, int)
        ``(field_def_num, size_bytes, developer_data_index)``.
    size : int
        Bytes of one data message of this definition, record header included.
    """

    global_num: int
    big_endian: bool
    fields: tuple
    dev_fields: tuple
    size: int


class FitScan(NamedTuple):
    """What :func:`scan_fit` found in a FIT file.

    Attributes
    ----------
    reduced : bytes
        A valid FIT stream (chained when the input was) with every header, the
        kept data messages and their definitions.
    counts : dict of int to int
        Number of data messages per global message number, over the whole file.
    records : list of (Definition, list of int)
        Only with ``records=True``: for each definition message of ``record``
        messages, in file order, the byte offsets of the data messages that use it.
    n_files : int
        Number of FIT files (header/data/CRC blocks; more than 1 when chained).
    bad_crc : tuple of (int, str)
        Only with ``crc="report"``: the checksums that do not match, in file order, as
        ``(file_number, part)`` — ``file_number`` 1-based (the chained FIT file),
        ``part`` ``'header'`` (the header CRC) or ``'file'`` (the CRC after the data).
        Empty when every checksum matches.
    """

    reduced: bytes
    counts: dict
    records: list
    n_files: int
    bad_crc: tuple = ()


def mesg_nums(names: Iterable[str]) -> frozenset[int]:
    """Global message numbers of the fitdecode profile message ``names``.

    Parameters
    ----------
    names : iterable of str
        Message names, e.g. ``{"session", "lap"}``.

    Returns
    -------
    frozenset of int
    """
    by_name = {mt.name: num for num, mt in profile.MESSAGE_TYPES.items()}
    from ..errors import ParameterError

    unknown = sorted(set(names) - set(by_name))
    if unknown:
        raise ParameterError(f"unknown FIT message names: {unknown}")
    return frozenset(by_name[name] for name in names)


_KEEP_CACHE: dict[frozenset, frozenset] = {}


def _keep_nums(keep: Iterable[str]) -> frozenset[int]:
    key = frozenset(keep)
    nums = _KEEP_CACHE.get(key)
    if nums is None:
        nums = _KEEP_CACHE[key] = mesg_nums(key) | _ALWAYS
    return nums


#: Values of the ``crc`` option of :func:`scan_fit`.
CRC_MODES = ("require", "report")


def scan_fit(
    data: bytes,
    *,
    keep: Iterable[str] = SUMMARY_MESSAGES,
    records: bool = False,
    crc: str = "require",
):
    """Walk a FIT file's record headers without decoding its data messages.

    Parameters
    ----------
    data : bytes
        The whole FIT file.
    keep : iterable of str, default :data:`SUMMARY_MESSAGES`
        Names of the data messages to keep in the reduced stream.
    records : bool, default False
        Also collect the offsets of every ``record`` data message per definition
        (for :mod:`runload.io.fitrecords`).
    crc : {'require', 'report'}, default 'require'
        What a header or file checksum that does not match does: ``'require'``
        returns ``None``; ``'report'`` scans the file all the same and lists the
        mismatches in :attr:`FitScan.bad_crc` (a header CRC of 0 means "not
        computed", as the FIT protocol and fitdecode have it, and is not checked).

    Returns
    -------
    FitScan or None
        ``None`` when the file is not one the walker fully understands (truncated,
        trailing bytes, compressed-timestamp headers, a checksum mismatch with
        ``crc='require'`` ...): decode it with fitdecode.

    Raises
    ------
    runload.errors.ParameterError
        For an unknown message name in ``keep`` or an unknown ``crc`` mode.
    """
    if crc not in CRC_MODES:
        from ..errors import ParameterError

        raise ParameterError(f"crc must be one of {CRC_MODES}, got {crc!r}")
    report = crc == "report"
    keep_nums = _keep_nums(keep)
    n = len(data)
    pos = 0
    parts: list[bytes] = []
    counts: dict[int, int] = {}
    runs: list = []
    bad: list[tuple[int, str]] = []
    if n < 14:
        return None
    while pos < n:
        if n - pos < 12:
            return None
        hsize = data[pos]
        if hsize not in (12, 14) or data[pos + 8 : pos + 12] != b".FIT":
            return None
        body = pos + hsize
        end = body + int.from_bytes(data[pos + 4 : pos + 8], "little")
        if end + 2 > n:
            return None
        number = len(parts) + 1
        if hsize >= 14:
            header_crc = int.from_bytes(data[pos + 12 : pos + 14], "little")
            if header_crc and fit_crc(data[pos : pos + 12]) != header_crc:
                if not report:
                    return None
                bad.append((number, "header"))
        if fit_crc(memoryview(data)[pos : end + 2]) != 0:
            if not report:
                return None
            bad.append((number, "file"))
        spans = _walk_body(data, body, end, keep_nums, counts, runs if records else None)
        if spans is None:
            return None
        parts.append(_rebuild(data[pos : pos + hsize], data, spans))
        pos = end + 2
    return FitScan(b"".join(parts), counts, runs, len(parts), tuple(bad))


def _walk_body(data, start, end, keep_nums, counts, runs):
    """Walk the messages of one FIT block; kept byte spans, or None if not understood."""
    sizes = [0] * 16
    gnums = [-1] * 16
    kept = [False] * 16
    offsets: list = [None] * 16
    seen = [0] * 16
    spans = []
    buf = np.frombuffer(data, dtype=np.uint8)
    p = start
    while p < end:
        h = data[p]
        lm = h & 0x0F
        if h & 0x80:  # compressed timestamp header: timestamps depend on every message
            return None
        if h & 0x40:
            if p + 6 > end:
                return None
            if seen[lm]:
                counts[gnums[lm]] = counts.get(gnums[lm], 0) + seen[lm]
                seen[lm] = 0
            big = bool(data[p + 2])
            gnum = int.from_bytes(data[p + 3 : p + 5], "big" if big else "little")
            nf = data[p + 5]
            q = p + 6 + 3 * nf
            if q > end:
                return None
            fdefs = data[p + 6 : q]
            fsizes = fdefs[1::3]
            if 0 in fsizes:
                return None
            size = 1 + sum(fsizes)
            dev = ()
            if h & 0x20:
                if q >= end:
                    return None
                nd = data[q]
                ddefs = data[q + 1 : q + 1 + 3 * nd]
                q += 1 + 3 * nd
                if q > end or 0 in ddefs[1::3]:
                    return None
                size += sum(ddefs[1::3])
                dev = tuple(zip(ddefs[0::3], ddefs[1::3], ddefs[2::3], strict=True))
            kept[lm] = gnum in keep_nums
            if kept[lm] or dev:
                spans.append((p, q))
            sizes[lm] = size
            gnums[lm] = gnum
            if runs is not None and gnum == _RECORD:
                offsets[lm] = []
                runs.append(
                    (
                        Definition(
                            gnum,
                            big,
                            tuple(zip(fdefs[0::3], fsizes, fdefs[2::3], strict=True)),
                            dev,
                            size,
                        ),
                        offsets[lm],
                    )
                )
            else:
                offsets[lm] = None
            p = q
        else:
            size = sizes[lm]
            if not size:  # data message of an undefined local type
                return None
            if kept[lm]:
                spans.append((p, p + size))
                run = 1
            elif p + _MIN_RUN * size <= end and all(
                data[p + i * size] == h for i in range(1, _MIN_RUN)
            ):
                run = _run_length(buf, p, size, h, (end - p) // size)
                if offsets[lm] is not None:
                    offsets[lm].extend(range(p, p + run * size, size))
            else:
                run = 1
                if offsets[lm] is not None:
                    offsets[lm].append(p)
            seen[lm] += run
            p += run * size
    if p != end:
        return None
    for lm in range(16):
        if seen[lm]:
            counts[gnums[lm]] = counts.get(gnums[lm], 0) + seen[lm]
    return spans


#: Skipped data messages in a row (same local type) before the walker looks for the
#: end of the run with numpy instead of message by message.
_MIN_RUN = 4


def _run_length(buf: np.ndarray, start: int, size: int, header: int, limit: int) -> int:
    """How many data messages of ``size`` bytes with record header ``header`` follow
    each other from ``start`` (at most ``limit``).

    Correct by induction: a message starting with a data header of local type ``t`` is
    ``size`` bytes long, so the next message starts ``size`` bytes later; the run ends
    at the first message whose header byte differs. Searched in growing windows, so a
    short run costs one small numpy call and a long one O(its length).
    """
    count, window = 0, 256
    while count < limit:
        take = min(window, limit - count)
        first = start + count * size
        heads = buf[first : first + take * size : size]
        miss = np.flatnonzero(heads != header)
        if miss.size:
            return count + int(miss[0])
        count += take
        window *= 4
    return count


def _rebuild(header: bytes, data: bytes, spans) -> bytes:
    """A FIT block of ``header`` and the byte ``spans`` of ``data``, sizes and CRCs fixed."""
    body = b"".join([data[a:b] for a, b in _merge(spans)])
    head = bytearray(header)
    head[4:8] = len(body).to_bytes(4, "little")
    if len(head) >= 14 and int.from_bytes(head[12:14], "little"):
        head[12:14] = fit_crc(bytes(head[:12])).to_bytes(2, "little")
    block = bytes(head) + body
    return block + fit_crc(block).to_bytes(2, "little")


def _merge(spans):
    """Join touching spans so the reduced body is built from few slices."""
    merged = []
    for a, b in spans:
        if merged and merged[-1][1] == a:
            merged[-1][1] = b
        else:
            merged.append([a, b])
    return merged


def reduce_fit(data: bytes, *, keep: Iterable[str] = SUMMARY_MESSAGES) -> bytes | None:
    """The reduced FIT stream of ``data`` (see the module docstring), or ``None``.

    Parameters
    ----------
    data : bytes
        The whole FIT file.
    keep : iterable of str, default :data:`SUMMARY_MESSAGES`
        Names of the data messages to keep.

    Returns
    -------
    bytes or None
        A valid FIT stream fitdecode decodes to the same kept messages, or ``None``
        when the full fitdecode path must be used.
    """
    scan = scan_fit(data, keep=keep)
    return None if scan is None else scan.reduced


def summary_messages(
    data: bytes, *, keep: Iterable[str] = SUMMARY_MESSAGES
) -> list[fitdecode.FitDataMessage] | None:
    """Decode only the summary messages of a FIT file, with fitdecode.

    Parameters
    ----------
    data : bytes
        The whole FIT file.
    keep : iterable of str, default :data:`SUMMARY_MESSAGES`
        Names of the data messages wanted.

    Returns
    -------
    list of fitdecode.FitDataMessage or None
        The kept data messages in file order, each equal to what
        ``fitdecode.FitReader`` yields for it on the whole file; ``None`` when the
        file needs the full fitdecode path (then nothing was decoded).

    Notes
    -----
    fitdecode's own CRC check is disabled on the reduced stream (its pure-Python
    CRC would cost more than the rest): :func:`scan_fit` already verified the
    original file's CRCs with :func:`runload.io.crc.fit_crc`. Warnings fitdecode
    emits while decoding (e.g. a field size that is not a multiple of its base type)
    come from definition messages, which are all kept, so they are the same as on the
    full path.
    """
    reduced = reduce_fit(data, keep=keep)
    if reduced is None:
        return None
    reader = fitdecode.FitReader(reduced, check_crc=fitdecode.CrcCheck.DISABLED)
    try:
        return [frame for frame in reader if frame.frame_type == fitdecode.FIT_FRAME_DATA]
    finally:
        reader.close()


def fast_fit_messages(data: bytes, *, records: bool = False):
    """:func:`runload.io.fit.read_fit_messages` through the fast paths, or ``None``.

    The summary messages come from the reduced stream (:func:`scan_fit`), decoded by
    fitdecode exactly as ``read_fit_messages`` decodes the whole file
    (``processor=None``, lenient errors); the record columns from
    :func:`runload.io.fitrecords.decode_records` with raw times and last-field-wins
    semantics, as ``read_fit_messages`` builds them. Checksums that do not match
    (:attr:`FitScan.bad_crc`) become the ``bad_crc`` problems ``read_fit_messages``
    reports for them, with the same messages, in the same order.

    Parameters
    ----------
    data : bytes
        The whole FIT file.
    records : bool, default False
        Also decode the ``record`` stream (:data:`runload.io.fit.RECORD_FIELDS`).

    Returns
    -------
    runload.io.fit.FitMessages or None
        Equal to ``read_fit_messages(data, source=..., records=records)``; ``None``
        when the file needs the full path (which then also reports its problems).
    """
    from .fit import RECORD_FIELDS, SUMMARY_MESSAGES, FitMessages, crc_problem
    from .fitrecords import decode_records

    if records:
        decoded = decode_records(
            data,
            fields=RECORD_FIELDS,
            raw_times=True,
            duplicates="last",
            keep=SUMMARY_MESSAGES,
            crc="report",
        )
        if decoded is None:
            return None
        columns, dropped, scan = decoded
        if dropped & set(RECORD_FIELDS):
            return None
    else:
        scan = scan_fit(data, keep=SUMMARY_MESSAGES, crc="report")
        if scan is None:
            return None
    summary = _decode_summary(scan.reduced, SUMMARY_MESSAGES)
    if summary is None:
        return None
    n_records = scan.counts.get(_RECORD, 0)
    if records:
        columns = {
            name: columns[name] if name in columns else np.full(n_records, np.nan)
            for name in RECORD_FIELDS
        }
    problems = [crc_problem(part, number) for number, part in scan.bad_crc]
    return FitMessages(summary, columns if records else None, n_records, problems, scan.n_files)


def _decode_summary(reduced: bytes, names) -> list[dict] | None:
    """The summary dicts of ``read_fit_messages`` from a reduced stream (None on error)."""
    summary = []
    n_files = 0
    reader = fitdecode.FitReader(
        reduced,
        processor=None,
        check_crc=fitdecode.CrcCheck.DISABLED,
        error_handling=fitdecode.ErrorHandling.IGNORE,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            for frame in reader:
                if isinstance(frame, fitdecode.FitDataMessage):
                    if frame.name in names:
                        message = {"_message": frame.name, "_file": n_files - 1}
                        for field in frame.fields:
                            if field.value is not None and field.name not in message:
                                message[field.name] = field.value
                        summary.append(message)
                elif isinstance(frame, fitdecode.FitHeader):
                    n_files += 1
        except Exception:  # noqa: BLE001 - any decoding error: the full path reports it
            return None
        finally:
            reader.close()
    return summary

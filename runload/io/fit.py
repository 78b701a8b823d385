"""Read FIT activity files (Garmin, Wahoo, COROS, Suunto, Strava, Zwift ...).

:func:`parse_fit` turns the bytes of one FIT file into activity rows (one per session,
so a multisport file gives one row per leg) and the problems found on the way;
:func:`fit_track` gives the per-sample streams. Both follow the reader contract of
:mod:`runload.io.parsed`: pure functions of the bytes, no file access.

The seam
--------
Decoding and summarising are separate, so a faster decoder can replace the inner loop
without changing any output:

1. :func:`read_fit_messages` ``(data, *, source, records=False) -> FitMessages`` is the
   only function that touches the FIT binary format (through fitdecode). It returns the
   summary messages (``file_id``, ``session``, ``lap``, ``activity``, ``sport``,
   ``device_info``, ``timestamp_correlation``) as plain dicts of profile field names to
   scaled values, with every ``date_time`` left as the raw FIT ``uint32`` (seconds since
   1989-12-31 UTC, or device-relative when below ``0x10000000``), and, only when
   ``records=True``, the record stream as float columns (:data:`RECORD_FIELDS`). It
   also reports what went wrong while reading (truncation, checksums, corrupt chained
   files) as ``(kind, message)`` problems, and raises
   :class:`runload.errors.ReadError` when nothing at all could be read. A replacement
   must return the same :class:`FitMessages`.
2. :func:`summarise_fit` ``(messages, *, source, records=None) -> Parsed`` turns those
   messages into activity rows and problems. It needs no FIT knowledge beyond the
   profile's field names.
3. Records are decoded only when needed: :func:`parse_fit` asks for them only when a
   session has no ``total_distance`` (or the file has no session at all);
   :func:`fit_track` always does.

:func:`parse_fit` and :func:`fit_track` get their :class:`FitMessages` from
:func:`fit_messages`, which first tries the fast path
:func:`runload.io.fitscan.fast_fit_messages` (skips the record bytes, decodes only the
summary messages; vectorised record decoding) and falls back to
:func:`read_fit_messages` — the reference — whenever the fast path declines
(truncation, a corrupt header, compressed timestamps ...), so those problems are still
reported by the reference path. A checksum mismatch alone does not make it decline: the
fast path reports the same ``bad_crc`` problems (:func:`crc_problem`, shared by both
paths) and keeps the data, as the reference does. Both give equal :class:`FitMessages`;
``fast=False`` forces the reference path. When the fast path declines,
:func:`parse_fit` makes one reference pass with the records (broken files are the ones
that need them), instead of two.

Rules
-----
* **One row per session**; a session repeated byte for byte in a chained file (same
  start, sport, times and distance) is counted once and reported as ``duplicate``.
  ``transition`` legs of a multisport file are kept as sport ``'other'`` (their time is
  neither running nor cross-training a runner would log); run legs are running.
* **Distance**: the session's ``total_distance`` (the device's own figure,
  ``distance_source='device'``); else the sum of its laps' ``total_distance``
  (``'laps'``); else the last record ``distance`` within the session (``'records'``);
  else the haversine length of its GPS points (``'gps'``); else NaN and a ``no_data``
  problem.
* **Times**: ``start_time`` is the session's ``start_time`` in UTC, ``elapsed_time_s``
  its ``total_elapsed_time``, ``moving_time_s`` its ``total_timer_time``.
  ``utc_offset_s`` is the ``activity`` message's ``local_timestamp − timestamp``,
  rounded to 15 min (ignored when beyond ±14 h, as some apps write a placeholder).
* **Device-relative times** (a FIT ``date_time`` below ``0x10000000`` counts seconds
  since the device was switched on, not a date): converted exactly when the file has a
  ``timestamp_correlation`` message; otherwise estimated from the ``activity`` message's
  ``local_timestamp`` (a real local date) — then the start is the local time taken as
  UTC, may be off by the unknown time-zone offset, and a ``bad_time`` problem says so;
  with neither, ``start_time`` is NaT and a ``bad_time`` problem is reported. The row is
  always kept.
* **Impossible times** (start before 1990 or more than a day in the future, negative
  elapsed time, a run longer than 48 h, timer time longer than elapsed time): the row is
  kept with the file's values and a ``bad_time`` problem.
* **No session message** (files cut off before the summary is written, some SDK
  samples): one row is built from the records (first/last timestamp, last distance,
  mean heart rate) and a problem says so. Its sport is the ``sport`` message's, else
  the laps'; when the file states none, ``sport`` is ``None`` (not ``'other'``), so
  that the ingest infers it from the name or speed (``sport_inferred``), as for a GPX
  without ``<type>``. A session without a sport field takes the same fallback.
* **Broken files**: a truncated file or a stream that stops being decodable keeps what
  was recorded before the break (``truncated``, naming the byte offset; a session
  summary written before the break is kept as the device's figure); a checksum mismatch
  keeps the decoded data (``bad_crc``); a corrupt chained file keeps the files before it
  (``malformed``). When nothing can be kept, :class:`runload.errors.ReadError` is raised
  with the problem kind.
* Not activity files (``file_id.type`` ``monitoring_b``, ``settings``, ``sleep`` ...):
  ``Parsed([], [], not_activity="FIT file type <type>")``.

References
----------
.. [1] Garmin, *FIT Protocol* and *FIT SDK Profile* (messages ``file_id``, ``session``,
   ``lap``, ``record``, ``activity``, ``timestamp_correlation``; ``date_time`` below
   ``0x10000000`` is system time), https://developer.garmin.com/fit/protocol/
.. [2] fitdecode, https://fitdecode.readthedocs.io/
"""

from __future__ import annotations

import io
import re
import struct
import warnings
from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple

import fitdecode
import numpy as np
import pandas as pd

from ..columns import RUNNING_SPORTS, TRACK, conform
from ..errors import ReadError
from .parsed import Parsed
from .sports import fit_sport
from .timecheck import time_problems

__all__ = [
    "FIT_EPOCH_UNIX_S",
    "FIT_RELATIVE_LIMIT",
    "RECORD_FIELDS",
    "SUMMARY_MESSAGES",
    "FitMessages",
    "crc_problem",
    "fit_messages",
    "fit_track",
    "parse_fit",
    "read_fit_messages",
    "summarise_fit",
]

#: Sports whose activities should have a distance: a run or ride without one is a
#: ``no_data`` problem; a strength, yoga or other session without one is normal.
_DISTANCE_SPORTS = frozenset(
    {"running", "trail_running", "treadmill_running", "cycling", "swimming", "walking", "hiking"}
)

#: Unix time of the FIT epoch, 1989-12-31T00:00:00Z, s.
FIT_EPOCH_UNIX_S = 631_065_600
#: FIT ``date_time`` values below this are device-relative (system time), not dates.
FIT_RELATIVE_LIMIT = 0x10000000
#: Degrees per FIT semicircle.
SEMICIRCLE_DEG = 180.0 / 2**31
#: Mean Earth radius for the haversine distance, m (IUGG).
EARTH_RADIUS_M = 6_371_008.8

#: Messages :func:`read_fit_messages` always returns.
SUMMARY_MESSAGES = frozenset(
    {"file_id", "session", "lap", "activity", "sport", "device_info", "timestamp_correlation"}
)
#: Record fields :func:`read_fit_messages` returns with ``records=True``.
RECORD_FIELDS = (
    "timestamp",
    "position_lat",
    "position_long",
    "distance",
    "enhanced_speed",
    "speed",
    "enhanced_altitude",
    "altitude",
    "heart_rate",
    "cadence",
    "fractional_cadence",
)

#: Sports whose FIT cadence counts strides (one foot) per minute.
ON_FOOT_SPORTS = (*RUNNING_SPORTS, "walking", "hiking")

_MAX_OFFSET_S = 14 * 3600
_OFFSET_STEP_S = 900
_OFFSET_RE = re.compile(r"@ (\d+)")
#: Exceptions a corrupt stream can raise inside fitdecode besides its own FitError
#: (``AssertionError``: fitdecode asserts that a message fits in the header's data size,
#: which a wrong declared size breaks).
_DECODE_ERRORS = (
    fitdecode.FitError,
    AssertionError,
    struct.error,
    ValueError,
    KeyError,
    IndexError,
    TypeError,
    OverflowError,
    ZeroDivisionError,
    UnicodeDecodeError,
    AttributeError,
)


class FitMessages(NamedTuple):
    """What :func:`read_fit_messages` decoded from one FIT file.

    Attributes
    ----------
    summary : list of dict
        The :data:`SUMMARY_MESSAGES` in file order. Each is a dict of profile field
        names to values (scaled to the profile's units: m, s, bpm; enums as their
        profile names, or ints when unknown), plus ``'_message'`` (the message name) and
        ``'_file'`` (0-based index of the chained FIT file it came from). ``date_time``
        fields are raw FIT ``uint32`` seconds.
    records : dict of str to numpy.ndarray, or None
        With ``records=True``: one float64 array per :data:`RECORD_FIELDS` name (NaN
        where a record lacks the field; ``timestamp`` raw FIT seconds; positions in
        semicircles), plus ``'_file'``. ``None`` when records were not requested.
    n_records : int
        Number of record messages seen (decoded or not).
    problems : list of (str, str)
        ``(kind, message)`` for what went wrong while reading: ``truncated``,
        ``bad_crc``, ``malformed``.
    n_files : int
        Number of FIT headers read (more than 1 for chained files).
    """

    summary: list[dict[str, Any]]
    records: dict[str, np.ndarray] | None
    n_records: int
    problems: list[tuple[str, str]]
    n_files: int


def _number(value: Any) -> float | None:
    """A scalar field value as float, None for missing or non-numeric values."""
    if value is None or isinstance(value, bool | str | tuple | list | bytes):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _offset_of(exc: BaseException, default: int) -> int:
    """The byte offset fitdecode names in an error message (``... @ 7471``)."""
    match = _OFFSET_RE.search(str(exc))
    return int(match.group(1)) if match else default


def _cut_off(exc: fitdecode.FitEOFError, *, n_files: int, size: int, data_start: int,
             data_size: int) -> str:
    """Say where a FIT file that ends too soon breaks, against what its header declares.

    Parameters
    ----------
    exc : fitdecode.FitEOFError
        The failed read: ``offset`` where it started (byte), ``expected`` and ``got``
        (bytes).
    n_files : int
        Number of FIT headers read; the break is in the last one.
    size : int
        Length of the whole file (bytes): where the break is.
    data_start : int
        Offset of the data of the last FIT file, just after its header (byte).
    data_size : int
        Data size its header declares (bytes), without the 2-byte checksum after it.

    Returns
    -------
    str
        The problem message.

    Notes
    -----
    fitdecode reads the data one message at a time, then the 2-byte checksum. A read
    of more than 1 byte, or one that got some bytes, is inside a message (only the
    1-byte record header starts one), so only then does the message say "in the
    middle of a message". A read that starts past the declared end of the data is in
    a message that overruns it.
    """
    header = "its header" if n_files <= 1 else f"the header of chained FIT file {n_files}"
    present = max(size - data_start, 0)
    data_end = data_start + data_size
    if present < data_size:
        where = " in the middle of a message" if exc.got > 0 or exc.expected > 1 else ""
        return (
            f"the file ends at byte {size}{where}: {header} declares {data_size} bytes of "
            f"data, only {present} are present; what was recorded before the break is kept"
        )
    if exc.offset <= data_end:
        return (
            f"the file ends at byte {size}, before the end of the 2-byte checksum that "
            f"follows the {data_size} bytes of data {header} declares (all of them are "
            "present); the decoded data is kept"
        )
    return (
        f"the file ends at byte {size} in the middle of a message that runs past the end of "
        f"the data {header} declares ({data_size} bytes, up to byte {data_end}); what was "
        "recorded before the break is kept"
    )


def crc_problem(part: str, number: int) -> tuple[str, str]:
    """The ``bad_crc`` problem of a checksum that does not match.

    Both decoding paths (:func:`read_fit_messages` and
    :func:`runload.io.fitscan.fast_fit_messages`) build their checksum problems here,
    so their messages cannot drift apart.

    Parameters
    ----------
    part : {'header', 'file'}
        ``'header'``: the CRC in bytes 12-13 of a 14-byte FIT header (over the first
        12 bytes); ``'file'``: the CRC after the data (over the header and the data).
    number : int
        1-based number of the FIT file (the chained FIT file) it belongs to.

    Returns
    -------
    (str, str)
        ``('bad_crc', message)``.
    """
    if part == "header":
        return "bad_crc", f"the header checksum of FIT file {number} does not match"
    return (
        "bad_crc",
        f"the checksum of FIT file {number} does not match its bytes; the decoded data is kept",
    )


def _read_problem(exc: BaseException, *, n_files: int, size: int, data_start: int = 0,
                  data_size: int = 0) -> tuple[str, str]:
    """Turn a decoding error into a ``(kind, message)`` problem.

    ``data_start`` and ``data_size`` (bytes) place the data of the last FIT file read,
    as its header declares it (see :func:`_cut_off`).
    """
    offset = _offset_of(exc, size)
    if isinstance(exc, fitdecode.FitEOFError):
        return "truncated", _cut_off(exc, n_files=n_files, size=size, data_start=data_start,
                                     data_size=data_size)
    if isinstance(exc, fitdecode.FitHeaderError):
        if n_files == 0:
            kind = "truncated" if "truncated" in str(exc) else "malformed"
            return kind, f"not a readable FIT file: {exc}"
        return "malformed", (
            f"chained FIT file {n_files + 1} at byte {offset} has a corrupt header ({exc}); "
            f"the {n_files} FIT file(s) before it are kept"
        )
    if isinstance(exc, fitdecode.FitParseError):
        return "truncated", (
            f"the data cannot be decoded past byte {offset} of {size} ({exc}); "
            "what was recorded before the break is kept"
        )
    if isinstance(exc, AssertionError):
        return "malformed", (
            f"a message of FIT file {max(n_files, 1)} runs past the data size its header "
            "declares (the header's size field is wrong or the data is corrupt)"
        )
    return "malformed", f"corrupt FIT data near byte {offset} ({type(exc).__name__}: {exc})"


def read_fit_messages(data: bytes, *, source: str, records: bool = False) -> FitMessages:
    """Decode the summary messages (and optionally the records) of a FIT file.

    This is the decoding half of the FIT reader (see the module docstring): the only
    function that reads the binary format. Chained FIT files (several headers in one
    file) are read one after the other.

    Parameters
    ----------
    data : bytes
        The whole FIT file.
    source : str
        Where the bytes came from, for error messages.
    records : bool, default False
        Also decode the ``record`` stream into float columns.

    Returns
    -------
    FitMessages

    Raises
    ------
    runload.errors.ReadError
        ``kind='empty'`` for no bytes; the problem kind (``malformed``, ``truncated``)
        when not even the first FIT header and one message could be read.

    Notes
    -----
    fitdecode is run with CRC checks in read-only mode and lenient error handling, so
    recoverable oddities (misaligned field sizes, developer fields without a
    description) do not stop reading; its warnings about them are silenced. Real
    problems — a checksum mismatch, the end of the data, an undecodable message — are
    returned as problems, with what was decoded before them.
    """
    if not data:
        raise ReadError("the file is empty (0 bytes)", source=source, kind="empty")
    summary: list[dict[str, Any]] = []
    rows: list[tuple[float | None, ...]] = []
    problems: list[tuple[str, str]] = []
    n_files = 0
    n_records = 0
    n_messages = 0
    next_start = 0  # where the next chained FIT file's header begins (byte)
    data_start = data_size = 0  # the data of the current FIT file, as its header declares
    record_index = {name: i for i, name in enumerate(RECORD_FIELDS)}
    n_fields = len(RECORD_FIELDS)
    reader = fitdecode.FitReader(
        io.BytesIO(data),
        processor=None,
        check_crc=fitdecode.CrcCheck.READONLY,
        error_handling=fitdecode.ErrorHandling.IGNORE,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            for frame in reader:
                if isinstance(frame, fitdecode.FitDataMessage):
                    n_messages += 1
                    name = frame.name
                    if name == "record":
                        n_records += 1
                        if records:
                            row: list[float | None] = [None] * n_fields
                            for field in frame.fields:
                                i = record_index.get(field.name)
                                if i is not None:
                                    row[i] = _number(field.value)
                            rows.append(tuple(row))
                    elif name in SUMMARY_MESSAGES:
                        message = {"_message": name, "_file": n_files - 1}
                        for field in frame.fields:
                            if field.value is not None and field.name not in message:
                                message[field.name] = field.value
                        summary.append(message)
                elif isinstance(frame, fitdecode.FitHeader):
                    n_files += 1
                    data_start = next_start + frame.header_size
                    data_size = frame.body_size
                    next_start = data_start + data_size + 2
                    if frame.crc_matched is False:
                        problems.append(crc_problem("header", n_files))
                elif isinstance(frame, fitdecode.FitCRC) and not frame.matched:
                    problems.append(crc_problem("file", n_files))
        except _DECODE_ERRORS as exc:
            problem = _read_problem(exc, n_files=n_files, size=len(data), data_start=data_start,
                                    data_size=data_size)
            if n_messages == 0:
                raise ReadError(problem[1], source=source, kind=problem[0]) from exc
            problems.append(problem)
    if n_files == 0:
        raise ReadError("not a FIT file", source=source, kind="malformed")
    columns = None
    if records:
        table = np.array(rows, dtype=float).reshape(len(rows), n_fields)
        columns = {name: table[:, i] for name, i in record_index.items()}
    return FitMessages(summary, columns, n_records, problems, n_files)


# --- summarising --------------------------------------------------------------------


def _first(messages: Iterable[Mapping[str, Any]], field: str) -> Any:
    """The first value of ``field`` among ``messages``, or None."""
    for message in messages:
        value = message.get(field)
        if value is not None:
            return value
    return None


def _raw_time(value: Any) -> float | None:
    """A raw FIT date_time as float seconds, None when missing or not a number."""
    number = _number(value)
    return number if number is not None and number >= 0 else None


def _time_anchor(summary: list[dict[str, Any]]) -> tuple[float | None, str | None]:
    """Seconds to add to device-relative FIT times to make them FIT dates.

    Returns ``(shift_s, how)``: ``how`` is ``'exact'`` (timestamp_correlation),
    ``'estimate'`` (activity local_timestamp, time zone unknown) or None.
    """
    for message in summary:
        if message["_message"] != "timestamp_correlation":
            continue
        real = _raw_time(message.get("timestamp"))
        system = _raw_time(message.get("system_timestamp"))
        if real is not None and system is not None and real >= FIT_RELATIVE_LIMIT > system:
            return real - system, "exact"
    for message in summary:
        if message["_message"] != "activity":
            continue
        stamp = _raw_time(message.get("timestamp"))
        local = _raw_time(message.get("local_timestamp"))
        if stamp is not None and local is not None and local >= FIT_RELATIVE_LIMIT > stamp:
            return local - stamp, "estimate"
    return None, None


def _to_utc(raw: np.ndarray, shift_s: float | None) -> pd.DatetimeIndex:
    """Raw FIT times (s) -> UTC; device-relative ones shifted by ``shift_s`` or NaT."""
    raw = np.asarray(raw, dtype=float)
    relative = raw < FIT_RELATIVE_LIMIT
    unix = raw + FIT_EPOCH_UNIX_S
    if shift_s is None:
        unix = np.where(relative, np.nan, unix)
    else:
        unix = np.where(relative, unix + shift_s, unix)
    ns = np.round(unix * 1e9)
    out = np.full(ns.shape, np.datetime64("NaT", "ns"))
    ok = np.isfinite(ns)
    out[ok] = ns[ok].astype("int64").astype("datetime64[ns]")
    return pd.DatetimeIndex(out).tz_localize("UTC")


def _utc_offset_s(summary: list[dict[str, Any]]) -> int | None:
    """local_timestamp − timestamp of the activity message, rounded to 15 min."""
    for message in summary:
        if message["_message"] != "activity":
            continue
        stamp = _raw_time(message.get("timestamp"))
        local = _raw_time(message.get("local_timestamp"))
        if stamp is None or local is None:
            continue
        if stamp < FIT_RELATIVE_LIMIT or local < FIT_RELATIVE_LIMIT:
            continue
        offset = round((local - stamp) / _OFFSET_STEP_S) * _OFFSET_STEP_S
        if abs(offset) <= _MAX_OFFSET_S:
            return int(offset)
    return None


def _device(summary: list[dict[str, Any]]) -> str | None:
    """'manufacturer product' from the first file_id message."""
    file_ids = [m for m in summary if m["_message"] == "file_id"]
    if not file_ids:
        return None
    file_id = file_ids[0]
    product = None
    for key in ("product_name", "garmin_product", "product"):
        value = file_id.get(key)
        if value is not None and str(value).strip():
            product = str(value).strip()
            break
    parts = [str(p).strip() for p in (file_id.get("manufacturer"), product) if p is not None]
    parts = [p for p in parts if p]
    return " ".join(parts) if parts else None


def _haversine_m(lat_deg: np.ndarray, lon_deg: np.ndarray) -> float:
    """Length of a polyline on a sphere, m (points with NaN are dropped)."""
    ok = np.isfinite(lat_deg) & np.isfinite(lon_deg)
    lat = np.radians(lat_deg[ok])
    lon = np.radians(lon_deg[ok])
    if lat.size < 2:
        return float("nan")
    dlat = np.diff(lat)
    dlon = np.diff(lon)
    a = np.sin(dlat / 2) ** 2 + np.cos(lat[:-1]) * np.cos(lat[1:]) * np.sin(dlon / 2) ** 2
    return float(np.sum(2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))))


def _records_distance(
    records: Mapping[str, np.ndarray] | None, window: np.ndarray | None
) -> tuple[float, str | None]:
    """Distance of the records in ``window`` (bool mask): last distance, else GPS."""
    if records is None:
        return float("nan"), None
    distance = records["distance"] if window is None else records["distance"][window]
    distance = distance[np.isfinite(distance)]
    if distance.size:
        return float(distance[-1]), "records"
    lat = records["position_lat"] if window is None else records["position_lat"][window]
    lon = records["position_long"] if window is None else records["position_long"][window]
    gps = _haversine_m(lat * SEMICIRCLE_DEG, lon * SEMICIRCLE_DEG)
    if np.isfinite(gps):
        return gps, "gps"
    return float("nan"), None


def _dedupe_sessions(
    sessions: list[dict[str, Any]],
) -> tuple[list[dict[str, Any]], list[tuple[str, str]]]:
    """Drop sessions that repeat an earlier one exactly (chained copies)."""
    keys = ("start_time", "timestamp", "sport", "sub_sport", "total_elapsed_time",
            "total_timer_time", "total_distance")
    seen: dict[tuple, int] = {}
    kept: list[dict[str, Any]] = []
    problems: list[tuple[str, str]] = []
    for number, session in enumerate(sessions, start=1):
        key = tuple(session.get(k) for k in keys)
        if key in seen:
            problems.append(
                (
                    "duplicate",
                    f"session {number} repeats session {seen[key]} (same start, sport, times "
                    "and distance); it is counted once",
                )
            )
            continue
        seen[key] = number
        kept.append(session)
    return kept, problems


def _time_problems(
    row: dict[str, Any], *, leg: str, raw_start: float | None, how: str | None
) -> list[tuple[str, str]]:
    """bad_time problems of one activity row: device-relative and missing starts, then
    the shared rule of :func:`runload.io.timecheck.time_problems`."""
    problems = []
    start = row["start_time"]
    if raw_start is not None and raw_start < FIT_RELATIVE_LIMIT:
        if how == "estimate":
            problems.append(
                (
                    "bad_time",
                    f"{leg}: the file's times are device-relative (seconds since the device "
                    "was switched on); the start was estimated from the activity's local "
                    "time stamp, time zone unknown (may be off by hours)",
                )
            )
        elif how is None:
            problems.append(
                (
                    "bad_time",
                    f"{leg}: the file's times are device-relative (seconds since the device "
                    "was switched on) and it holds no real date; start time unknown",
                )
            )
    elif start is pd.NaT or start is None:
        problems.append(("bad_time", f"{leg}: the file gives no start time"))
    problems.extend(time_problems(start, row["elapsed_time_s"], row["moving_time_s"],
                                  sport=row["sport"], leg=leg))
    return problems


def _float(value: Any) -> float:
    number = _number(value)
    return float("nan") if number is None else number


def _heart_rate(value: Any) -> float:
    """A heart rate in bpm; 0 (written by apps without a sensor) is missing."""
    number = _float(value)
    return number if number > 0 else float("nan")


def _fallback_sport(summary: list[dict[str, Any]]) -> str | None:
    """The sport a file states outside its sessions: its sport message, else its laps.

    ``None`` when neither states one (a file cut off before any of them, some SDK
    samples): the sport is then missing, not ``'other'``, so that the ingest infers it
    from the file's name or speed as for a GPX without ``<type>``
    (:func:`runload.io.sports.infer_sports`, ``sport_inferred=True``). A file that does
    state a sport, even ``generic``, keeps it (``generic`` is ``'other'``).
    """
    for name in ("sport", "lap"):
        messages = [m for m in summary if m["_message"] == name]
        sport = _first(messages, "sport")
        if sport is not None:
            return fit_sport(sport, _first(messages, "sub_sport"))
    return None


def _session_sport(session: Mapping[str, Any], summary: list[dict[str, Any]]) -> str | None:
    """The sport of a session; a session stating none takes :func:`_fallback_sport`."""
    if session.get("sport") is None and session.get("sub_sport") is None:
        return _fallback_sport(summary)
    return fit_sport(session.get("sport"), session.get("sub_sport"))


def _row_from_session(
    session: Mapping[str, Any],
    *,
    laps: list[dict[str, Any]],
    records: Mapping[str, np.ndarray] | None,
    shift_s: float | None,
    common: Mapping[str, Any],
    summary: list[dict[str, Any]],
) -> tuple[dict[str, Any], float | None, float | None]:
    """One activity row from a session message; also its raw start and end.

    ``summary`` (the file's summary messages) gives the sport of a session that states
    none (:func:`_session_sport`)."""
    elapsed = _float(session.get("total_elapsed_time"))
    raw_start = _raw_time(session.get("start_time"))
    raw_end = _raw_time(session.get("timestamp"))
    if raw_start is None and raw_end is not None and np.isfinite(elapsed):
        raw_start = raw_end - elapsed
    if raw_start is not None and (raw_end is None or raw_end < raw_start):
        raw_end = raw_start + elapsed if np.isfinite(elapsed) else None
    if not np.isfinite(elapsed) and raw_start is not None and raw_end is not None:
        elapsed = raw_end - raw_start
    distance = _float(session.get("total_distance"))
    source = "device" if np.isfinite(distance) else None
    if source is None and raw_start is not None and raw_end is not None:
        starts = np.array([_float(_raw_time(lap.get("start_time"))) for lap in laps])
        lap_distance = np.array([_float(lap.get("total_distance")) for lap in laps])
        inside = (starts >= raw_start) & (starts < raw_end) & np.isfinite(lap_distance)
        if inside.any():
            distance, source = float(lap_distance[inside].sum()), "laps"
    if source is None and records is not None:
        window = None
        if raw_start is not None and raw_end is not None:
            stamps = records["timestamp"]
            window = (stamps >= raw_start) & (stamps <= raw_end)
        distance, source = _records_distance(records, window)
    start = _to_utc(np.array([np.nan if raw_start is None else raw_start]), shift_s)[0]
    row = {
        "format": "fit",
        "sport": _session_sport(session, summary),
        "start_time": start,
        "utc_offset_s": common["utc_offset_s"],
        "elapsed_time_s": elapsed,
        "moving_time_s": _float(session.get("total_timer_time")),
        "distance_m": distance,
        "distance_source": source,
        "ascent_m": _float(session.get("total_ascent")),
        "avg_heart_rate_bpm": _heart_rate(session.get("avg_heart_rate")),
        "device": common["device"],
    }
    return row, raw_start, raw_end


def _row_from_records(
    summary: list[dict[str, Any]],
    records: Mapping[str, np.ndarray],
    *,
    shift_s: float | None,
    common: Mapping[str, Any],
) -> tuple[dict[str, Any], float | None]:
    """One activity row from the record stream of a file without sessions."""
    stamps = records["timestamp"][np.isfinite(records["timestamp"])]
    raw_start = float(stamps.min()) if stamps.size else None
    elapsed = float(stamps.max() - stamps.min()) if stamps.size else float("nan")
    distance, source = _records_distance(records, None)
    activities = [m for m in summary if m["_message"] == "activity"]
    heart = records["heart_rate"]
    heart = heart[np.isfinite(heart) & (heart > 0)]
    start = _to_utc(np.array([np.nan if raw_start is None else raw_start]), shift_s)[0]
    row = {
        "format": "fit",
        "sport": _fallback_sport(summary),
        "start_time": start,
        "utc_offset_s": common["utc_offset_s"],
        "elapsed_time_s": elapsed,
        "moving_time_s": _float(_first(activities, "total_timer_time")),
        "distance_m": distance,
        "distance_source": source,
        "ascent_m": float("nan"),
        "avg_heart_rate_bpm": float(heart.mean()) if heart.size else float("nan"),
        "device": common["device"],
    }
    return row, raw_start


def _file_type(summary: list[dict[str, Any]]) -> Any:
    return _first((m for m in summary if m["_message"] == "file_id"), "type")


def _needs_records(summary: list[dict[str, Any]]) -> bool:
    """Whether the activity rows need the record stream (missing session distances)."""
    sessions = [m for m in summary if m["_message"] == "session"]
    if not sessions:
        return True
    return any(_number(s.get("total_distance")) is None for s in sessions)


def summarise_fit(
    messages: FitMessages, *, source: str, records: Mapping[str, np.ndarray] | None = None
) -> Parsed:
    """Turn decoded FIT messages into activity rows and problems.

    This is the summarising half of the FIT reader (see the module docstring).

    Parameters
    ----------
    messages : FitMessages
        From :func:`read_fit_messages`.
    source : str
        Where the bytes came from, for error messages.
    records : dict of numpy.ndarray, optional
        Record columns (``messages.records`` of a ``records=True`` read) for sessions
        without ``total_distance`` and files without sessions. Defaults to
        ``messages.records``.

    Returns
    -------
    runload.io.parsed.Parsed

    Raises
    ------
    runload.errors.ReadError
        When the file holds neither a session nor a record (kind ``empty``, or the kind
        of the reading problem that cut it short).
    """
    summary = messages.summary
    records = messages.records if records is None else records
    problems = list(messages.problems)
    sessions = [m for m in summary if m["_message"] == "session"]
    file_type = _file_type(summary)
    if file_type is not None and file_type != "activity" and not sessions:
        return Parsed([], problems, not_activity=f"FIT file type {file_type}")
    shift_s, how = _time_anchor(summary)
    common = {"utc_offset_s": _utc_offset_s(summary), "device": _device(summary)}
    rows: list[dict[str, Any]] = []
    if sessions:
        sessions, duplicates = _dedupe_sessions(sessions)
        problems.extend(duplicates)
        laps = [m for m in summary if m["_message"] == "lap"]
        for number, session in enumerate(sessions, start=1):
            row, raw_start, _ = _row_from_session(
                session, laps=laps, records=records, shift_s=shift_s, common=common,
                summary=summary,
            )
            leg = f"session {number}" if len(sessions) > 1 else "activity"
            problems.extend(_time_problems(row, leg=leg, raw_start=raw_start, how=how))
            if row["distance_source"] is None and row.get("sport") in _DISTANCE_SPORTS:
                problems.append(
                    ("no_data", f"{leg}: no distance in the session, its laps, records or GPS")
                )
            rows.append(row)
    elif records is not None and len(records["timestamp"]):
        row, raw_start = _row_from_records(summary, records, shift_s=shift_s, common=common)
        count = len(records["timestamp"])
        if not any(kind == "truncated" for kind, _ in problems):
            problems.append(
                (
                    "malformed",
                    f"the file has no session message; the activity was summarised from its "
                    f"{count} records",
                )
            )
        else:
            problems.append(
                (
                    "truncated",
                    f"the file was cut off before its session summary; the activity was "
                    f"summarised from the {count} records before the break",
                )
            )
        problems.extend(_time_problems(row, leg="activity", raw_start=raw_start, how=how))
        if row["distance_source"] is None and row.get("sport") in _DISTANCE_SPORTS:
            problems.append(("no_data", "activity: no distance in the records or GPS"))
        rows.append(row)
    else:
        if problems:
            kind, message = problems[0]
            raise ReadError(message, source=source, kind=kind)
        raise ReadError(
            "the FIT file holds no session and no record", source=source, kind="empty"
        )
    return Parsed(rows, problems)


def fit_messages(data: bytes, *, source: str, records: bool = False, fast: bool = True
                 ) -> FitMessages:
    """Decoded FIT messages, through the fast path when it applies.

    Parameters
    ----------
    data : bytes
        The whole FIT file.
    source : str
        Where the bytes came from, for error messages.
    records : bool, default False
        Also decode the ``record`` stream.
    fast : bool, default True
        Try :func:`runload.io.fitscan.fast_fit_messages` first; it returns the same
        :class:`FitMessages` as :func:`read_fit_messages` or declines (``None``), and
        then — or when it is not available or fails — :func:`read_fit_messages` is used.

    Returns
    -------
    FitMessages
    """
    messages = _fast_messages(data, records=records) if fast else None
    if messages is None:
        messages = read_fit_messages(data, source=source, records=records)
    return messages


def _fast_messages(data: bytes, *, records: bool) -> FitMessages | None:
    """:func:`runload.io.fitscan.fast_fit_messages`, or None when it declines or fails."""
    try:
        from .fitscan import fast_fit_messages

        return fast_fit_messages(data, records=records)
    except Exception:  # noqa: BLE001 - an accelerator must never break reading
        return None


def parse_fit(data: bytes, *, source: str, fast: bool = True) -> Parsed:
    """Read a FIT file's activities.

    Parameters
    ----------
    data : bytes
        The whole FIT file (already gunzipped / taken out of its archive).
    source : str
        Where the bytes came from (``path`` or ``archive.zip!member``), for messages.
    fast : bool, default True
        Use the fast decoding path where it applies (see :func:`fit_messages`); the
        result is the same either way.

    Returns
    -------
    runload.io.parsed.Parsed
        One activity dict per session (per leg of a multisport file) with ``format``,
        ``sport``, ``start_time`` (UTC), ``utc_offset_s``, ``elapsed_time_s``,
        ``moving_time_s``, ``distance_m``, ``distance_source``, ``ascent_m``,
        ``avg_heart_rate_bpm``, ``device``; the problems found; or ``not_activity`` for
        monitoring, settings and other non-activity FIT files.

    Raises
    ------
    runload.errors.ReadError
        When nothing can be kept (empty file, not FIT, broken before the first message).

    Notes
    -----
    The rules for distance, times, sports and broken files are in the module docstring
    and in ``docs/fit.md``. Records are decoded only for sessions without a
    ``total_distance`` and for files without sessions.

    Examples
    --------
    >>> parsed = parse_fit(open("run.fit", "rb").read(), source="run.fit")  # doctest: +SKIP
    >>> parsed.activities[0]["distance_m"]  # doctest: +SKIP
    9008.22
    """
    messages = _fast_messages(data, records=False) if fast else None
    if messages is not None and _needs_records(messages.summary) and messages.n_records:
        messages = _fast_messages(data, records=True)
    if messages is None and fast:
        # the fast path declined (a broken or unusual file): one reference pass, with
        # the records, which such files often need
        messages = read_fit_messages(data, source=source, records=True)
    elif messages is None:
        messages = read_fit_messages(data, source=source)
        if _needs_records(messages.summary) and messages.n_records:
            messages = read_fit_messages(data, source=source, records=True)
    return summarise_fit(messages, source=source)


def _record_sports(summary: list[dict[str, Any]], stamps: np.ndarray) -> np.ndarray:
    """The contract sport of each record: the sport of the session it falls in."""
    sessions = [m for m in summary if m["_message"] == "session"]
    if not sessions:
        return np.full(stamps.shape, _fallback_sport(summary), dtype=object)
    starts = np.array([_float(_raw_time(s.get("start_time"))) for s in sessions])
    sports = np.array([_session_sport(s, summary) for s in sessions], dtype=object)
    order = np.argsort(np.where(np.isfinite(starts), starts, -np.inf), kind="stable")
    starts, sports = starts[order], sports[order]
    where = np.searchsorted(np.where(np.isfinite(starts), starts, -np.inf), stamps, side="right") - 1
    where = np.where(np.isfinite(stamps), np.clip(where, 0, len(sports) - 1), 0)
    return sports[where]


def fit_track(data: bytes, *, source: str, fast: bool = True) -> pd.DataFrame:
    """The per-sample streams (record messages) of a FIT file.

    Parameters
    ----------
    data : bytes
        The whole FIT file.
    source : str
        Where the bytes came from, for error messages.
    fast : bool, default True
        Use the fast decoding path where it applies (see :func:`fit_messages`).

    Returns
    -------
    pandas.DataFrame
        The :data:`runload.columns.TRACK` columns, one row per record message, all legs
        of a multisport file in file order: ``time`` (UTC; device-relative times
        converted as for :func:`parse_fit`, else NaT), ``elapsed_s`` (since the first
        record), ``lat_deg``/``lon_deg`` (semicircles × 180 / 2³¹), ``distance_m``,
        ``speed_m_s`` (``enhanced_speed``, else ``speed``), ``heart_rate_bpm``,
        ``cadence_spm``, ``elevation_m`` (``enhanced_altitude``, else ``altitude``).

    Raises
    ------
    runload.errors.ReadError
        When nothing can be read (see :func:`read_fit_messages`).

    Notes
    -----
    FIT stores running cadence per leg (strides/min, ``cadence`` plus
    ``fractional_cadence``); for on-foot sports (running, walking, hiking) the column
    is steps/min = 2 × (cadence + fractional_cadence). For other sports (cycling: crank
    rev/min) the value is kept as written. Problems found while reading (truncation,
    checksums) are not returned here; :func:`parse_fit` reports them.
    """
    messages = fit_messages(data, source=source, records=True, fast=fast)
    records = messages.records
    if records is None or not len(records["timestamp"]):
        return conform(pd.DataFrame(), TRACK, extra=False)
    shift_s, _ = _time_anchor(messages.summary)
    stamps = records["timestamp"]
    first = stamps[np.isfinite(stamps)]
    elapsed = stamps - first[0] if first.size else np.full(stamps.shape, np.nan)
    speed = np.where(np.isfinite(records["enhanced_speed"]), records["enhanced_speed"],
                     records["speed"])
    elevation = np.where(np.isfinite(records["enhanced_altitude"]), records["enhanced_altitude"],
                         records["altitude"])
    cadence = records["cadence"]
    fraction = np.nan_to_num(records["fractional_cadence"], nan=0.0)
    on_foot = np.isin(_record_sports(messages.summary, stamps), ON_FOOT_SPORTS)
    cadence = np.where(on_foot, 2.0 * (cadence + fraction), cadence)
    frame = pd.DataFrame(
        {
            "time": _to_utc(stamps, shift_s),
            "elapsed_s": elapsed,
            "lat_deg": records["position_lat"] * SEMICIRCLE_DEG,
            "lon_deg": records["position_long"] * SEMICIRCLE_DEG,
            "distance_m": records["distance"],
            "speed_m_s": speed,
            "heart_rate_bpm": records["heart_rate"],
            "cadence_spm": cadence,
            "elevation_m": elevation,
        }
    )
    return conform(frame, TRACK, extra=False)

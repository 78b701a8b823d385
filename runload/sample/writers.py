"""Byte-deterministic writers: FIT (through fit_tool), GPX 1.1, TCX, gzip and zip.

Every byte depends only on the arguments: timestamps in headers are the activity's own
times, gzip members carry ``mtime=0`` and no file name, zip entries carry one fixed
``date_time``, fixed permissions and are written in sorted order.

FIT files are encoded with fit_tool's message classes and :class:`FitFileBuilder`
(messages, definition messages, record headers, file header and CRC are fit_tool's).
fit_tool builds and serialises a Python object of ~80 fields per record message, about
a millisecond each, which would make the ~1000 FIT files here take minutes. So the
record messages take one shortcut: their values are FIT-encoded with numpy (the scale
and offset of the profile), the first record goes through fit_tool (which writes its
definition message), and the rest are packed in exactly that definition's layout and
appended as fit_tool records -- checked against fit_tool's own bytes for the first
record, and in the tests against files built message by message.
"""

from __future__ import annotations

import functools
import gzip
import io
import re
import zipfile
from collections.abc import Mapping
from typing import Any

import numpy as np
from fit_tool.base_type import BaseType
from fit_tool.exceptions import FitEncodingError
from fit_tool.fit_file_builder import FitFileBuilder
from fit_tool.profile.messages.activity_message import ActivityMessage
from fit_tool.profile.messages.device_info_message import DeviceInfoMessage
from fit_tool.profile.messages.event_message import EventMessage
from fit_tool.profile.messages.file_id_message import FileIdMessage
from fit_tool.profile.messages.lap_message import LapMessage
from fit_tool.profile.messages.monitoring_message import MonitoringMessage
from fit_tool.profile.messages.record_message import RecordMessage
from fit_tool.profile.messages.session_message import SessionMessage
from fit_tool.profile.profile_type import (
    Activity,
    Event,
    EventType,
    FileType,
    LapTrigger,
    SessionTrigger,
    Sport,
    SubSport,
)
from fit_tool.record import Record, RecordHeader

__all__ = [
    "FIT_EPOCH_S",
    "ZIP_DATE_TIME",
    "fit_activity",
    "fit_monitoring",
    "gpx_activity",
    "tcx_activity",
    "fit_cut_off",
    "gpx_cut_off",
    "gzip_bytes",
    "zip_bytes",
    "lap_bounds",
    "iso_times",
]

#: Seconds from the Unix epoch to the FIT epoch (1989-12-31T00:00:00Z).
FIT_EPOCH_S = 631_065_600

#: The date and time stamped on every zip entry.
ZIP_DATE_TIME = (2026, 11, 21, 0, 0, 0)

#: (FIT sport, FIT sub-sport) written for each contract sport.
FIT_SPORT = {
    "running": (Sport.RUNNING, SubSport.STREET),
    "trail_running": (Sport.RUNNING, SubSport.TRAIL),
    "treadmill_running": (Sport.RUNNING, SubSport.TREADMILL),
    "cycling": (Sport.CYCLING, SubSport.ROAD),
    "swimming": (Sport.SWIMMING, SubSport.LAP_SWIMMING),
    "walking": (Sport.WALKING, SubSport.GENERIC),
    "hiking": (Sport.HIKING, SubSport.GENERIC),
    "strength_training": (Sport.TRAINING, SubSport.STRENGTH_TRAINING),
}

_RECORD_FIELDS = (
    "timestamp",
    "position_lat",
    "position_long",
    "altitude",
    "heart_rate",
    "cadence",
    "distance",
    "speed",
)
_SEMICIRCLES_PER_DEG = 2**31 / 180.0


def iso_times(unix_s: np.ndarray) -> np.ndarray:
    """ISO 8601 UTC strings (``2025-06-01T06:30:00Z``) of integer Unix seconds."""
    stamps = np.asarray(unix_s, dtype="int64").astype("datetime64[s]")
    return np.char.add(np.datetime_as_string(stamps, unit="s"), "Z")


def lap_bounds(distance_m: np.ndarray, *, lap_m: float) -> np.ndarray:
    """Indices of the records that start each lap (auto-lap every ``lap_m`` metres).

    The last index is the final record, so lap *i* runs from ``bounds[i]`` to
    ``bounds[i + 1]`` and the lap distances add up to the final distance exactly.
    """
    n = distance_m.size
    if n < 2 or not np.isfinite(lap_m):
        return np.array([0, n - 1])
    marks = np.arange(lap_m, distance_m[-1], lap_m)
    starts = np.searchsorted(distance_m, marks)
    starts = starts[(starts > 0) & (starts < n - 1)]
    return np.unique(np.concatenate(([0], starts, [n - 1])))


# --------------------------------------------------------------------------- FIT


def _ms(unix_s: float) -> int:
    """fit_tool's date_time setters take milliseconds since the Unix epoch."""
    return int(round(unix_s * 1000))


@functools.cache
def _blank(cls: type) -> Any:
    """One blank fit_tool message of ``cls``, never modified (see :func:`_message`)."""
    return cls()


def _message(cls: type, **values: Any) -> Any:
    """A fit_tool message of ``cls`` holding ``values`` (property name -> value).

    A fit_tool message constructor builds 80-200 ``Field`` objects, several
    milliseconds for a lap or session message. Here only the fields given are copied
    from a cached blank message (fresh value lists, shared read-only metadata), in the
    profile's order, and set through fit_tool's own property setters, so the encoded
    message is the one the full constructor gives.
    """
    blank = _blank(cls)
    message = object.__new__(cls)
    message.__dict__.update(blank.__dict__)
    fields = []
    for field in blank.fields:
        if field.name in values:
            new = object.__new__(type(field))
            new.__dict__.update(field.__dict__)
            new.encoded_values = []
            fields.append(new)
    message.fields = fields
    message.developer_fields = []
    missing = set(values) - {field.name for field in fields}
    if missing:
        raise FitEncodingError(f"{cls.__name__} has no fields {sorted(missing)}")
    for name, value in values.items():
        setattr(message, name, value)
    return message


class _PackedRecord:
    """A record message whose payload fit_tool's definition already laid out.

    Quacks like the data message of a fit_tool :class:`Record` (``local_id``,
    ``size``, ``to_bytes``), so the builder writes it with its header and CRC.
    """

    __slots__ = ("local_id", "payload")

    def __init__(self, local_id: int, payload: bytes) -> None:
        self.local_id = local_id
        self.payload = payload

    @property
    def size(self) -> int:
        return len(self.payload)

    def to_bytes(self) -> bytes:
        return self.payload


_NUMPY_TYPES = {
    BaseType.ENUM: "u1", BaseType.UINT8: "u1", BaseType.SINT8: "i1", BaseType.UINT16: "<u2",
    BaseType.SINT16: "<i2", BaseType.UINT32: "<u4", BaseType.SINT32: "<i4",
}


def _add_records(
    builder: FitFileBuilder, names: list[str], matrix: np.ndarray, *, packed: bool = True
) -> None:
    """Add record messages (rows of FIT-encoded integers) to ``builder``.

    The first row goes through fit_tool's ``RecordMessage`` and
    :meth:`FitFileBuilder.add`, which writes the definition message. The other rows are
    packed with numpy in exactly that definition's field order, sizes and base types and
    appended as fit_tool records; the packed first row must equal fit_tool's own
    encoding of it, so the fast path cannot drift from the library. With
    ``packed=False`` every row goes through fit_tool (slow; the reference in tests).
    """
    for row in matrix[: None if not packed else 1].tolist():
        message = RecordMessage(local_id=1)
        for name, value in zip(names, row, strict=True):
            field = next(f for f in message.fields if f.name == name)
            field.set_encoded_value(0, value)
        builder.add(message)
    if not packed:
        return
    definition = builder.definition_map[1]
    by_id = {f.field_id: f.name for f in message.fields}
    columns = [names.index(by_id[d.field_id]) for d in definition.field_definitions]
    dtype = np.dtype(
        [(f"f{k}", _NUMPY_TYPES[d.base_type]) for k, d in enumerate(definition.field_definitions)]
    )
    packed = np.empty(matrix.shape[0], dtype=dtype)
    for k, column in enumerate(columns):
        packed[f"f{k}"] = matrix[:, column]
    raw = packed.tobytes()
    width = dtype.itemsize
    if raw[:width] != message.to_bytes():
        raise FitEncodingError("packed record layout differs from fit_tool's encoding")
    header = RecordHeader(is_definition=False, local_id=1)
    builder.records.extend(
        Record(header, _PackedRecord(1, raw[k : k + width]))
        for k in range(width, len(raw), width)
    )


def _encoded_records(track: Mapping[str, Any], start_unix_s: int) -> tuple[list[str], np.ndarray]:
    """The record fields present in ``track`` and their FIT-encoded integer columns."""
    cols: dict[str, np.ndarray] = {
        "timestamp": start_unix_s - FIT_EPOCH_S + track["elapsed_s"],
    }
    if track.get("lat") is not None:
        cols["position_lat"] = np.rint(track["lat"] * _SEMICIRCLES_PER_DEG)
        cols["position_long"] = np.rint(track["lon"] * _SEMICIRCLES_PER_DEG)
    if track.get("altitude_m") is not None:
        cols["altitude"] = np.rint((track["altitude_m"] + 500.0) * 5.0)
    if track.get("heart_rate_bpm") is not None:
        cols["heart_rate"] = track["heart_rate_bpm"]
    if track.get("cadence_rpm") is not None:
        cols["cadence"] = track["cadence_rpm"]
    if track.get("distance_m") is not None:
        cols["distance"] = np.rint(track["distance_m"] * 100.0)
    if track.get("speed_m_s") is not None:
        cols["speed"] = np.rint(track["speed_m_s"] * 1000.0)
    names = [name for name in _RECORD_FIELDS if name in cols]
    matrix = np.stack([np.asarray(cols[name], dtype=np.int64) for name in names], axis=1)
    return names, matrix


def _event(timestamp_s: int, event_type: EventType) -> EventMessage:
    return _message(
        EventMessage, timestamp=_ms(timestamp_s), event=Event.TIMER, event_type=event_type,
        event_group=0,
    )


def fit_activity(
    track: Mapping[str, Any],
    *,
    sport: str,
    start_unix_s: int,
    utc_offset_s: int,
    manufacturer: int,
    product: int,
    serial_number: int,
    software_version: float = 15.2,
    lap_m: float = 1000.0,
    packed_records: bool = True,
) -> bytes:
    """Encode one activity as a FIT activity file.

    Parameters
    ----------
    track : mapping
        The streams and totals of :func:`runload.sample.routes.simulate` (``lat`` may be
        None: no GPS).
    sport : str
        A contract sport (see :data:`FIT_SPORT`).
    start_unix_s : int
        Start, seconds since the Unix epoch (UTC).
    utc_offset_s : int
        Local time minus UTC at the end, s; stored as the activity's ``local_timestamp``.
    manufacturer, product, serial_number : int
        ``file_id`` / ``device_info`` identity (FIT profile numbers).
    software_version : float
        Firmware version in ``device_info``.
    lap_m : float
        Auto-lap distance, m (``inf`` for a single lap).
    packed_records : bool
        Pack the record messages after the first with numpy in fit_tool's layout
        (default); False adds every record message through fit_tool (same bytes, ~10x
        slower).

    Returns
    -------
    bytes
        The FIT file: file_id, device_info, timer events, records, laps, session,
        activity (with ``local_timestamp``).
    """
    fit_sport, fit_sub = FIT_SPORT[sport]
    builder = FitFileBuilder(auto_define=True, min_string_size=0)
    end_s = start_unix_s + int(track["total_elapsed_s"])

    builder.add(
        _message(
            FileIdMessage, type=FileType.ACTIVITY, manufacturer=manufacturer, product=product,
            serial_number=serial_number, time_created=_ms(start_unix_s),
        )
    )

    builder.add(
        _message(
            DeviceInfoMessage, timestamp=_ms(start_unix_s), device_index=0,
            manufacturer=manufacturer, product=product, serial_number=serial_number,
            software_version=software_version,
        )
    )

    builder.add(_event(start_unix_s, EventType.START))

    names, matrix = _encoded_records(track, start_unix_s)
    elapsed = track["elapsed_s"]
    pause_at = track["pause_at_s"] if track["pause_s"] else None
    resume = (
        int(np.searchsorted(elapsed, pause_at + track["pause_s"])) if pause_at is not None
        else elapsed.size
    )
    for lo, hi in ((0, resume), (resume, elapsed.size)):
        if lo >= hi:
            continue
        if lo > 0:  # the timer stopped at the pause and started again
            builder.add(_event(start_unix_s + pause_at, EventType.STOP_ALL))
            builder.add(_event(start_unix_s + pause_at + track["pause_s"], EventType.START))
        _add_records(builder, names, matrix[lo:hi], packed=packed_records)
    builder.add(_event(end_s, EventType.STOP_ALL))

    dist = track["distance_m"]
    has_distance = dist is not None and track["total_distance_m"] > 0
    bounds = lap_bounds(dist, lap_m=lap_m) if has_distance else np.array([0, elapsed.size - 1])
    cum = np.round(dist[bounds], 2) if has_distance else None
    if has_distance:
        cum[-1] = round(track["total_distance_m"], 2)
    hr = track.get("heart_rate_bpm")
    lap_count = bounds.size - 1
    for k in range(lap_count):
        a, b = bounds[k], bounds[k + 1]
        t0 = 0 if k == 0 else int(elapsed[a])
        t1 = int(track["total_elapsed_s"]) if k == lap_count - 1 else int(elapsed[b])
        lap_elapsed = t1 - t0
        lap_timer = lap_elapsed
        if pause_at is not None and t0 <= pause_at < t1:
            lap_timer -= track["pause_s"]
        lap: dict[str, Any] = {
            "message_index": k,
            "timestamp": _ms(start_unix_s + t1),
            "event": Event.LAP,
            "event_type": EventType.STOP,
            "start_time": _ms(start_unix_s + t0),
            "total_elapsed_time": float(lap_elapsed),
            "total_timer_time": float(lap_timer),
        }
        if has_distance:
            lap["total_distance"] = float(cum[k + 1] - cum[k])
        if hr is not None:
            lap["avg_heart_rate"] = int(np.rint(hr[a : b + 1].mean()))
            lap["max_heart_rate"] = int(hr[a : b + 1].max())
        lap["lap_trigger"] = LapTrigger.DISTANCE if k < lap_count - 1 else LapTrigger.SESSION_END
        lap["sport"] = fit_sport
        lap["sub_sport"] = fit_sub
        builder.add(_message(LapMessage, **lap))

    session: dict[str, Any] = {
        "message_index": 0,
        "timestamp": _ms(end_s),
        "event": Event.SESSION,
        "event_type": EventType.STOP,
        "start_time": _ms(start_unix_s),
        "sport": fit_sport,
        "sub_sport": fit_sub,
        "total_elapsed_time": float(track["total_elapsed_s"]),
        "total_timer_time": float(track["timer_s"]),
        "total_calories": int(track.get("calories", 0)),
        "first_lap_index": 0,
        "num_laps": lap_count,
        "trigger": SessionTrigger.ACTIVITY_END,
    }
    if has_distance:
        session["total_distance"] = float(round(track["total_distance_m"], 2))
        session["avg_speed"] = track["total_distance_m"] / track["timer_s"]
        session["max_speed"] = track["max_speed"]
    if track.get("lat") is not None:
        session["start_position_lat"] = float(track["lat"][0])
        session["start_position_long"] = float(track["lon"][0])
    if hr is not None:
        session["avg_heart_rate"] = int(track["avg_hr"])
        session["max_heart_rate"] = int(track["max_hr"])
    if track.get("altitude_m") is not None:
        session["total_ascent"] = int(track["ascent_m"])
        session["total_descent"] = int(track["descent_m"])
    if track.get("cadence_rpm") is not None:
        session["avg_cadence"] = int(np.rint(track["cadence_rpm"].mean()))
    if sport == "swimming":
        session["pool_length"] = 25.0
    builder.add(_message(SessionMessage, **session))

    builder.add(
        _message(
            ActivityMessage, timestamp=_ms(end_s), total_timer_time=float(track["timer_s"]),
            num_sessions=1, type=Activity.MANUAL, event=Event.ACTIVITY,
            event_type=EventType.STOP, local_timestamp=end_s - FIT_EPOCH_S + int(utc_offset_s),
        )
    )
    return builder.build_bytes()


def fit_monitoring(
    *,
    day_start_unix_s: int,
    utc_offset_s: int,
    manufacturer: int,
    product: int,
    serial_number: int,
    steps: np.ndarray,
    heart_rate_bpm: np.ndarray,
    interval_s: int = 4 * 3600,
) -> bytes:
    """A daily monitoring file (``file_id.type`` monitoring_b): no activity inside.

    Parameters
    ----------
    day_start_unix_s : int
        Local midnight of the day, as Unix seconds (UTC).
    utc_offset_s : int
        Local time minus UTC, s (for the local timestamp of the first message).
    manufacturer, product, serial_number : int
        The watch.
    steps, heart_rate_bpm : numpy.ndarray
        One value per interval: cumulative steps and the heart rate.
    interval_s : int
        Seconds between monitoring messages.
    """
    builder = FitFileBuilder(auto_define=True, min_string_size=0)
    builder.add(
        _message(
            FileIdMessage, type=FileType.MONITORING_B, manufacturer=manufacturer,
            product=product, serial_number=serial_number, time_created=_ms(day_start_unix_s),
        )
    )
    for i, (count, bpm) in enumerate(zip(steps.tolist(), heart_rate_bpm.tolist(), strict=True)):
        stamp = day_start_unix_s + (i + 1) * interval_s
        builder.add(
            _message(
                MonitoringMessage, timestamp=_ms(stamp),
                activity_type=6 if count else 8,  # walking, or sedentary
                cycles=float(count) / 2.0,  # strides: two steps
                heart_rate=int(bpm), local_timestamp=stamp - FIT_EPOCH_S + utc_offset_s,
            )
        )
    return builder.build_bytes()


# --------------------------------------------------------------------------- GPX

_GPX_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<gpx creator="{creator}" version="1.1" xmlns="http://www.topografix.com/GPX/1/1" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
    'xsi:schemaLocation="http://www.topografix.com/GPX/1/1 '
    "http://www.topografix.com/GPX/1/1/gpx.xsd "
    "http://www.garmin.com/xmlschemas/GpxExtensions/v3 "
    "http://www.garmin.com/xmlschemas/GpxExtensionsv3.xsd "
    "http://www.garmin.com/xmlschemas/TrackPointExtension/v1 "
    'http://www.garmin.com/xmlschemas/TrackPointExtensionv1.xsd" '
    'xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v1" '
    'xmlns:gpxx="http://www.garmin.com/xmlschemas/GpxExtensions/v3">\n'
    " <metadata>\n  <time>{time}</time>\n </metadata>\n"
    " <trk>\n  <name>{name}</name>\n  <type>{type}</type>\n  <trkseg>\n"
)
_GPX_TAIL = "  </trkseg>\n </trk>\n</gpx>\n"


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def gpx_activity(
    track: Mapping[str, Any],
    *,
    start_unix_s: int,
    name: str,
    gpx_type: str,
    creator: str = "StravaGPX iPhone",
    heart_rate: bool = True,
) -> bytes:
    """A GPX 1.1 track as a phone app writes it (Strava-like ``<type>``).

    Parameters
    ----------
    track : mapping
        Streams of :func:`runload.sample.routes.simulate` (``lat`` required).
    start_unix_s : int
        Start, Unix seconds (UTC); times are written as ``...Z``.
    name : str
        Track name (``Morning Run``).
    gpx_type : str
        The ``<type>`` text (``running``, ``cycling``, ``hiking`` ...).
    creator : str
        The ``creator`` attribute.
    heart_rate : bool
        Write heart rate and cadence extensions (a paired strap).
    """
    times = iso_times(start_unix_s + track["elapsed_s"])
    head = _GPX_HEAD.format(
        creator=_escape(creator), time=times[0], name=_escape(name), type=gpx_type
    )
    lat = track["lat"].tolist()
    lon = track["lon"].tolist()
    ele = np.round(track["altitude_m"], 1).tolist()
    if heart_rate:
        hr = track["heart_rate_bpm"].astype(int).tolist()
        cad = track["cadence_rpm"].astype(int).tolist()
        body = "".join(
            f'   <trkpt lat="{a:.7f}" lon="{o:.7f}">\n    <ele>{e:.1f}</ele>\n'
            f"    <time>{t}</time>\n    <extensions>\n     <gpxtpx:TrackPointExtension>\n"
            f"      <gpxtpx:hr>{h}</gpxtpx:hr>\n      <gpxtpx:cad>{c}</gpxtpx:cad>\n"
            "     </gpxtpx:TrackPointExtension>\n    </extensions>\n   </trkpt>\n"
            for a, o, e, t, h, c in zip(lat, lon, ele, times.tolist(), hr, cad, strict=True)
        )
    else:
        body = "".join(
            f'   <trkpt lat="{a:.7f}" lon="{o:.7f}">\n    <ele>{e:.1f}</ele>\n'
            f"    <time>{t}</time>\n   </trkpt>\n"
            for a, o, e, t in zip(lat, lon, ele, times.tolist(), strict=True)
        )
    return (head + body + _GPX_TAIL).encode("utf-8")


# --------------------------------------------------------------------------- TCX

_TCX_SPORT = {
    "running": "Running",
    "trail_running": "Running",
    "treadmill_running": "Running",
    "cycling": "Biking",
}


def tcx_activity(
    track: Mapping[str, Any],
    *,
    sport: str,
    start_unix_s: int,
    device_name: str,
    product_id: int,
    unit_id: int,
    lap_m: float = 1000.0,
    leading_whitespace: bool = False,
) -> bytes:
    """A Garmin Training Center (TCX v2) activity with auto-laps.

    Parameters
    ----------
    track : mapping
        Streams and totals of :func:`runload.sample.routes.simulate`.
    sport : str
        A contract sport; TCX knows only Running, Biking and Other.
    start_unix_s : int
        Start, Unix seconds (UTC).
    device_name, product_id, unit_id : str, int, int
        The ``<Creator>`` device.
    lap_m : float
        Auto-lap distance, m; the lap ``DistanceMeters`` add up to the total exactly.
    leading_whitespace : bool
        Start the file with blanks before ``<?xml`` (what Strava exports do).
    """
    times = iso_times(start_unix_s + track["elapsed_s"])
    elapsed = track["elapsed_s"]
    dist = track["distance_m"]
    bounds = lap_bounds(dist, lap_m=lap_m)
    cum = np.round(dist[bounds], 2)
    cum[-1] = round(track["total_distance_m"], 2)
    hr = track["heart_rate_bpm"].astype(int)
    cad = track["cadence_rpm"].astype(int)
    has_gps = track.get("lat") is not None
    pieces = [
        " " * 10 if leading_whitespace else "",
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<TrainingCenterDatabase xsi:schemaLocation="http://www.garmin.com/xmlschemas/'
        "TrainingCenterDatabase/v2 http://www.garmin.com/xmlschemas/TrainingCenterDatabasev2.xsd\" "
        'xmlns:ns3="http://www.garmin.com/xmlschemas/ActivityExtension/v2" '
        'xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n'
        f' <Activities>\n  <Activity Sport="{_TCX_SPORT.get(sport, "Other")}">\n'
        f"   <Id>{times[0]}</Id>\n",
    ]
    lap_count = bounds.size - 1
    for k in range(lap_count):
        a, b = int(bounds[k]), int(bounds[k + 1])
        t0 = 0 if k == 0 else int(elapsed[a])
        t1 = int(track["total_elapsed_s"]) if k == lap_count - 1 else int(elapsed[b])
        lap_timer = t1 - t0
        if track["pause_s"] and t0 <= track["pause_at_s"] < t1:
            lap_timer -= track["pause_s"]
        seg = slice(a, b + 1 if k == lap_count - 1 else b)
        pieces.append(
            f'   <Lap StartTime="{iso_times(np.array([start_unix_s + t0]))[0]}">\n'
            f"    <TotalTimeSeconds>{lap_timer:.1f}</TotalTimeSeconds>\n"
            f"    <DistanceMeters>{cum[k + 1] - cum[k]:.2f}</DistanceMeters>\n"
            f"    <MaximumSpeed>{track['speed_m_s'][a : b + 1].max():.3f}</MaximumSpeed>\n"
            f"    <Calories>{int(lap_timer * 0.2)}</Calories>\n"
            f"    <AverageHeartRateBpm>\n     <Value>{int(np.rint(hr[a : b + 1].mean()))}</Value>\n"
            f"    </AverageHeartRateBpm>\n    <MaximumHeartRateBpm>\n"
            f"     <Value>{hr[a : b + 1].max()}</Value>\n    </MaximumHeartRateBpm>\n"
            "    <Intensity>Active</Intensity>\n"
            f"    <TriggerMethod>{'Distance' if k < lap_count - 1 else 'Manual'}</TriggerMethod>\n"
            "    <Track>\n"
        )
        rows = zip(
            times[seg].tolist(),
            (track["lat"][seg].tolist() if has_gps else [None] * (seg.stop - seg.start)),
            (track["lon"][seg].tolist() if has_gps else [None] * (seg.stop - seg.start)),
            np.round(track["altitude_m"][seg], 1).tolist(),
            np.round(dist[seg], 2).tolist(),
            hr[seg].tolist(),
            cad[seg].tolist(), strict=False,
        )
        pieces.append(
            "".join(
                f"     <Trackpoint>\n      <Time>{t}</Time>\n"
                + (
                    f"      <Position>\n       <LatitudeDegrees>{la:.7f}</LatitudeDegrees>\n"
                    f"       <LongitudeDegrees>{lo:.7f}</LongitudeDegrees>\n      </Position>\n"
                    if la is not None
                    else ""
                )
                + f"      <AltitudeMeters>{e:.1f}</AltitudeMeters>\n"
                f"      <DistanceMeters>{d:.2f}</DistanceMeters>\n"
                f"      <HeartRateBpm>\n       <Value>{h}</Value>\n      </HeartRateBpm>\n"
                f"      <Cadence>{c}</Cadence>\n     </Trackpoint>\n"
                for t, la, lo, e, d, h, c in rows
            )
        )
        pieces.append("    </Track>\n   </Lap>\n")
    pieces.append(
        '   <Creator xsi:type="Device_t">\n'
        f"    <Name>{_escape(device_name)}</Name>\n    <UnitId>{unit_id}</UnitId>\n"
        f"    <ProductID>{product_id}</ProductID>\n    <Version>\n"
        "     <VersionMajor>12</VersionMajor>\n     <VersionMinor>10</VersionMinor>\n"
        "     <BuildMajor>0</BuildMajor>\n     <BuildMinor>0</BuildMinor>\n    </Version>\n"
        "   </Creator>\n  </Activity>\n </Activities>\n</TrainingCenterDatabase>\n"
    )
    return "".join(pieces).encode("utf-8")


# --------------------------------------------------------------------------- damaged files


def fit_cut_off(data: bytes, *, keep: float) -> bytes:
    """The first ``keep`` of a FIT file's bytes: a transfer broken off mid-stream.

    Parameters
    ----------
    data : bytes
        A complete FIT activity file (:func:`fit_activity`).
    keep : float
        Fraction of the bytes kept, 0 < keep < 1. With about 0.9 or more the cut falls
        among the record messages, before the laps, the session and the activity
        message, which FIT writes at the end.

    Returns
    -------
    bytes
        The cut-off file: its header still announces the full data size, the data
        stops inside a message and the closing CRC is missing, as in a sync or a copy
        that was interrupted.
    """
    if not 0 < keep < 1:
        raise ValueError(f"keep must be between 0 and 1, got {keep}")
    return data[: int(len(data) * keep)]


def gpx_cut_off(data: bytes, *, keep: float) -> bytes:
    """A GPX track that ends inside a ``<trkpt>``: an app that crashed while writing.

    Parameters
    ----------
    data : bytes
        A complete GPX file (:func:`gpx_activity`).
    keep : float
        Fraction of the track points kept, 0 < keep < 1.

    Returns
    -------
    bytes
        The file up to and including the ``<time>`` of the first point not kept; that
        ``<trkpt>``, the ``<trkseg>``, ``<trk>`` and ``<gpx>`` are never closed, so the
        file is not well-formed XML.
    """
    if not 0 < keep < 1:
        raise ValueError(f"keep must be between 0 and 1, got {keep}")
    starts = [match.start() for match in re.finditer(rb"<trkpt ", data)]
    if not starts:
        raise ValueError("the GPX has no track points to cut")
    start = starts[min(int(len(starts) * keep), len(starts) - 1)]
    end = data.index(b"</time>", start) + len(b"</time>\n")
    return data[:end]


# --------------------------------------------------------------------------- archives


def gzip_bytes(data: bytes) -> bytes:
    """gzip ``data`` reproducibly: ``mtime=0``, no file name, level 9."""
    buffer = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", compresslevel=9, fileobj=buffer, mtime=0) as fh:
        fh.write(data)
    return buffer.getvalue()


def zip_bytes(members: Mapping[str, bytes]) -> bytes:
    """A zip of ``members`` (name -> bytes), reproducible byte for byte.

    Entries are written in sorted name order with one fixed ``date_time``
    (:data:`ZIP_DATE_TIME`), Unix permissions 0644 and deflate level 9; members that
    are already compressed (``.gz``, ``.zip``, ``.jpg``) are stored.
    """
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, mode="w") as archive:
        for name in sorted(members):
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE_TIME)
            info.create_system = 3
            info.external_attr = 0o100644 << 16
            stored = name.endswith((".gz", ".zip", ".jpg"))
            info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
            archive.writestr(info, members[name], compresslevel=None if stored else 9)
    return buffer.getvalue()

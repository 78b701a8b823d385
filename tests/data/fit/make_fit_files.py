"""Write the hand-made FIT files of tests/test_fit.py with fit-tool.

Run from the repository root: ``.venv/bin/python tests/data/fit/make_fit_files.py``.
Each file has answers known by construction; tests/test_fit.py checks them.

- ``no_session.fit``: a run with a ``sport`` message and 61 records (every 10 s from
  2024-03-04T06:00:00Z, distance 0 .. 1200 m, heart rate 150, cadence 85 + 0.5
  strides/min) but no lap, session or activity message.
- ``offset_plus10h.fit``: a trail run of 5000 m starting 2024-01-10T20:00:00Z,
  1800 s elapsed, 1750 s timer, 120 m ascent, 140 bpm; the activity message's
  ``local_timestamp`` is 10 h after its ``timestamp`` (Australian eastern time).
- ``gps_only.fit``: a run whose session has no ``total_distance`` and whose 11 records
  have positions only, 0.001 degree of latitude apart along the Greenwich meridian.
- ``impossible_times.fit``: a run starting in 2100 lasting 50 h.
- ``laps_only.fit``: a run whose session has no ``total_distance`` but whose two laps
  have 1000 m and 1500 m (its records say 2600 m, so the laps must win).
- ``device_relative.fit``: an FR70-style run whose times are device-relative (FIT
  ``date_time`` < 0x10000000) with a ``timestamp_correlation`` message that ties
  system time 1000 s to 2023-05-06T07:08:09Z.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from fit_tool.fit_file_builder import FitFileBuilder
from fit_tool.profile.messages.activity_message import ActivityMessage
from fit_tool.profile.messages.file_id_message import FileIdMessage
from fit_tool.profile.messages.lap_message import LapMessage
from fit_tool.profile.messages.record_message import RecordMessage
from fit_tool.profile.messages.session_message import SessionMessage
from fit_tool.profile.messages.sport_message import SportMessage
from fit_tool.profile.messages.timestamp_correlation_message import (
    TimestampCorrelationMessage,
)
from fit_tool.profile.profile_type import FileType, Manufacturer, Sport, SubSport

HERE = Path(__file__).resolve().parent
FIT_EPOCH_UNIX_S = 631_065_600


def ms(when: dt.datetime) -> int:
    """fit-tool's time unit: ms since the Unix epoch."""
    return round(when.timestamp() * 1000)


def device_ms(system_s: int) -> int:
    """fit-tool time for a device-relative FIT value ``system_s``."""
    return (system_s + FIT_EPOCH_UNIX_S) * 1000


def file_id(builder: FitFileBuilder, created_ms: int) -> None:
    message = FileIdMessage()
    message.type = FileType.ACTIVITY
    message.manufacturer = Manufacturer.GARMIN.value
    message.product = 3113  # garmin_product fr945
    message.serial_number = 0x12345678
    message.time_created = created_ms
    builder.add(message)


def session(builder, *, start_ms, end_ms, elapsed_s, timer_s, distance_m=None,
            sport=Sport.RUNNING, sub_sport=SubSport.GENERIC, ascent_m=None, hr=None):
    lap = LapMessage()
    lap.timestamp = end_ms
    lap.start_time = start_ms
    lap.total_elapsed_time = elapsed_s
    lap.total_timer_time = timer_s
    if distance_m is not None:
        lap.total_distance = distance_m
    builder.add(lap)
    message = SessionMessage()
    message.timestamp = end_ms
    message.start_time = start_ms
    message.total_elapsed_time = elapsed_s
    message.total_timer_time = timer_s
    message.sport = sport
    message.sub_sport = sub_sport
    if distance_m is not None:
        message.total_distance = distance_m
    if ascent_m is not None:
        message.total_ascent = ascent_m
    if hr is not None:
        message.avg_heart_rate = hr
    builder.add(message)


def no_session() -> FitFileBuilder:
    start = dt.datetime(2024, 3, 4, 6, 0, 0, tzinfo=dt.UTC)
    builder = FitFileBuilder(auto_define=True, min_string_size=50)
    file_id(builder, ms(start))
    sport = SportMessage()
    sport.sport = Sport.RUNNING
    sport.sub_sport = SubSport.GENERIC
    builder.add(sport)
    for i in range(61):
        record = RecordMessage()
        record.timestamp = ms(start) + i * 10_000
        record.distance = 20.0 * i
        record.heart_rate = 150
        record.cadence = 85
        record.fractional_cadence = 0.5
        record.position_lat = 51.0 + i * 1e-4
        record.position_long = -0.1
        builder.add(record)
    return builder


def offset_plus10h() -> FitFileBuilder:
    start = dt.datetime(2024, 1, 10, 20, 0, 0, tzinfo=dt.UTC)
    end = start + dt.timedelta(seconds=1800)
    builder = FitFileBuilder(auto_define=True, min_string_size=50)
    file_id(builder, ms(start))
    for i in range(31):
        record = RecordMessage()
        record.timestamp = ms(start) + i * 60_000
        record.distance = 5000.0 * i / 30
        record.heart_rate = 140
        builder.add(record)
    session(builder, start_ms=ms(start), end_ms=ms(end), elapsed_s=1800.0, timer_s=1750.0,
            distance_m=5000.0, sub_sport=SubSport.TRAIL, ascent_m=120, hr=140)
    activity = ActivityMessage()
    activity.timestamp = ms(end)
    # fit-tool takes local_timestamp as raw FIT seconds, not Unix ms
    activity.local_timestamp = round((end + dt.timedelta(hours=10)).timestamp()) - FIT_EPOCH_UNIX_S
    activity.num_sessions = 1
    activity.total_timer_time = 1750.0
    builder.add(activity)
    return builder


def gps_only() -> FitFileBuilder:
    start = dt.datetime(2022, 7, 1, 5, 30, 0, tzinfo=dt.UTC)
    builder = FitFileBuilder(auto_define=True, min_string_size=50)
    file_id(builder, ms(start))
    for i in range(11):
        record = RecordMessage()
        record.timestamp = ms(start) + i * 30_000
        record.position_lat = 51.5 + 0.001 * i
        record.position_long = 0.0
        builder.add(record)
    session(builder, start_ms=ms(start), end_ms=ms(start) + 300_000, elapsed_s=300.0,
            timer_s=300.0)
    return builder


def impossible_times() -> FitFileBuilder:
    start = dt.datetime(2100, 1, 1, 8, 0, 0, tzinfo=dt.UTC)
    end = start + dt.timedelta(hours=50)
    builder = FitFileBuilder(auto_define=True, min_string_size=50)
    file_id(builder, ms(start))
    record = RecordMessage()
    record.timestamp = ms(start)
    record.distance = 0.0
    builder.add(record)
    session(builder, start_ms=ms(start), end_ms=ms(end), elapsed_s=50 * 3600.0,
            timer_s=50 * 3600.0, distance_m=200_000.0)
    return builder


def device_relative() -> FitFileBuilder:
    builder = FitFileBuilder(auto_define=True, min_string_size=50)
    file_id(builder, device_ms(500))
    correlation = TimestampCorrelationMessage()
    correlation.timestamp = ms(dt.datetime(2023, 5, 6, 7, 8, 9, tzinfo=dt.UTC))
    correlation.system_timestamp = device_ms(1000)
    builder.add(correlation)
    for i in range(13):
        record = RecordMessage()
        record.timestamp = device_ms(1000 + 5 * i)
        record.distance = 15.0 * i
        builder.add(record)
    session(builder, start_ms=device_ms(1000), end_ms=device_ms(1060), elapsed_s=60.0,
            timer_s=60.0, distance_m=180.0)
    return builder


def laps_only() -> FitFileBuilder:
    start = dt.datetime(2021, 10, 3, 9, 0, 0, tzinfo=dt.UTC)
    builder = FitFileBuilder(auto_define=True, min_string_size=50)
    file_id(builder, ms(start))
    for i in range(14):
        record = RecordMessage()
        record.timestamp = ms(start) + i * 60_000
        record.distance = 200.0 * i
        builder.add(record)
    for lap_start, seconds, metres in ((0, 360, 1000.0), (360, 420, 1500.0)):
        lap = LapMessage()
        lap.start_time = ms(start) + lap_start * 1000
        lap.timestamp = ms(start) + (lap_start + seconds) * 1000
        lap.total_elapsed_time = float(seconds)
        lap.total_timer_time = float(seconds)
        lap.total_distance = metres
        builder.add(lap)
    message = SessionMessage()
    message.start_time = ms(start)
    message.timestamp = ms(start) + 780_000
    message.total_elapsed_time = 780.0
    message.total_timer_time = 780.0
    message.sport = Sport.RUNNING
    builder.add(message)
    return builder


def main() -> None:
    for name, build in [
        ("no_session.fit", no_session),
        ("offset_plus10h.fit", offset_plus10h),
        ("gps_only.fit", gps_only),
        ("impossible_times.fit", impossible_times),
        ("laps_only.fit", laps_only),
        ("device_relative.fit", device_relative),
    ]:
        build().build().to_file(str(HERE / name))


if __name__ == "__main__":
    main()

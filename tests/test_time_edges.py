"""Times at the edges: before 1990, in the future, timer > elapsed, 27-day activities,
daylight-saving nights, files without any time and clock jumps.

Each must give a ``bad_time`` problem row and a sensible activity, and never put a run
into a wrong week. FIT files are written with fit_tool, GPX and TCX by hand. Where a
reader does not yet meet the rule, the test is marked ``xfail(strict=True)`` with the
bug, so it shows in every run and turns into a failure the day it is fixed.
"""

from __future__ import annotations

import datetime as dt
import warnings
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest
from conftest import CORPUS, corpus_available
from fit_tool.fit_file_builder import FitFileBuilder
from fit_tool.profile.messages.activity_message import ActivityMessage
from fit_tool.profile.messages.file_id_message import FileIdMessage
from fit_tool.profile.messages.record_message import RecordMessage
from fit_tool.profile.messages.session_message import SessionMessage
from fit_tool.profile.profile_type import FileType, Manufacturer, Sport, SubSport

from runload import inventory, problems, read_activities, weekly_load
from runload.errors import RunloadWarning
from runload.io.fit import parse_fit
from runload.io.gpx import parse_gpx
from runload.io.tcx import parse_tcx

FIT_EPOCH_UNIX_S = 631_065_600
UTC = dt.UTC


def ms(when: dt.datetime) -> int:
    """fit_tool's time unit: ms since the Unix epoch."""
    return round(when.timestamp() * 1000)


def fit_run(start: dt.datetime, *, elapsed_s: float, timer_s: float | None = None,
            distance_m: float = 5000.0, offset_h: float | None = None,
            sport=Sport.RUNNING, raw_start: int | None = None) -> bytes:
    """A FIT run: file_id, records every 10 min, a session and an activity message.

    ``raw_start`` writes FIT date_time values directly (seconds since 1989-12-31),
    for device-relative times below 0x10000000.
    """
    timer_s = elapsed_s if timer_s is None else timer_s
    t0 = ms(start) if raw_start is None else (raw_start + FIT_EPOCH_UNIX_S) * 1000
    t1 = t0 + round(elapsed_s * 1000)
    builder = FitFileBuilder(auto_define=True, min_string_size=50)
    file_id = FileIdMessage()
    file_id.type = FileType.ACTIVITY
    file_id.manufacturer = Manufacturer.GARMIN.value
    file_id.product = 3113
    file_id.time_created = t0
    builder.add(file_id)
    steps = max(2, min(50, int(elapsed_s // 600) + 1))
    for i in range(steps):
        record = RecordMessage()
        record.timestamp = t0 + round(i * elapsed_s * 1000 / (steps - 1))
        record.distance = distance_m * i / (steps - 1)
        builder.add(record)
    session = SessionMessage()
    session.start_time = t0
    session.timestamp = t1
    session.total_elapsed_time = elapsed_s
    session.total_timer_time = timer_s
    session.total_distance = distance_m
    session.sport = sport
    session.sub_sport = SubSport.GENERIC
    builder.add(session)
    if offset_h is not None:
        activity = ActivityMessage()
        activity.timestamp = t1
        # fit_tool takes local_timestamp as raw FIT seconds
        activity.local_timestamp = round(t1 / 1000 + offset_h * 3600) - FIT_EPOCH_UNIX_S
        activity.num_sessions = 1
        activity.total_timer_time = timer_s
        builder.add(activity)
    return builder.build().to_bytes()


def gpx(times: list[str | None], *, lat0: float = 51.0, kind: str = "running") -> bytes:
    """A one-segment GPX track, points 55 m apart, with the given <time> texts."""
    points = "".join(
        f'<trkpt lat="{lat0 + i * 0.0005:.6f}" lon="0.0">'
        + (f"<time>{t}</time>" if t else "") + "</trkpt>"
        for i, t in enumerate(times)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<gpx version="1.1" creator="hand" xmlns="http://www.topografix.com/GPX/1/1">'
        f"<trk><type>{kind}</type><trkseg>{points}</trkseg></trk></gpx>"
    ).encode()


def tcx(times: list[str | None], *, ident: str | None, lap_start: str | None,
        total_s: float = 300.0, distance_m: float = 1000.0, positions: bool = False) -> bytes:
    """A one-lap TCX run with trackpoints at the given <Time> texts."""
    points = []
    for i, t in enumerate(times):
        inner = f"<Time>{t}</Time>" if t else ""
        if positions:
            inner += (f"<Position><LatitudeDegrees>{51 + i * 0.0005:.6f}</LatitudeDegrees>"
                      "<LongitudeDegrees>0.0</LongitudeDegrees></Position>")
        else:
            inner += f"<DistanceMeters>{distance_m * i / max(len(times) - 1, 1)}</DistanceMeters>"
        points.append(f"<Trackpoint>{inner}</Trackpoint>")
    lap_attr = f' StartTime="{lap_start}"' if lap_start else ""
    lap_dist = "" if positions else f"<DistanceMeters>{distance_m}</DistanceMeters>"
    ident_el = f"<Id>{ident}</Id>" if ident else ""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<TrainingCenterDatabase '
        'xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2"><Activities>'
        f'<Activity Sport="Running">{ident_el}<Lap{lap_attr}>'
        f"<TotalTimeSeconds>{total_s}</TotalTimeSeconds>{lap_dist}"
        f"<Track>{''.join(points)}</Track></Lap></Activity></Activities>"
        "</TrainingCenterDatabase>"
    ).encode()


def bad_times(parsed) -> list[str]:
    return [message for kind, message in parsed.problems if kind == "bad_time"]


def iso(when: dt.datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def next_year() -> dt.datetime:
    """A start a year ahead of today (the readers compare with the clock)."""
    now = dt.datetime.now(UTC).replace(microsecond=0)
    return now.replace(year=now.year + 1, month=6, day=1, hour=8, minute=0, second=0)


# --- before 1990 ------------------------------------------------------------------------


def test_fit_date_near_the_fit_epoch_is_device_relative_and_kept():
    # FIT cannot write a date before 1989-12-31; values that small are seconds since the
    # device was switched on: no date is invented, the row is kept, a problem says so
    data = fit_run(dt.datetime(1989, 12, 31, tzinfo=UTC), elapsed_s=1800.0, raw_start=86_400)
    result = parse_fit(data, source="early.fit")
    (row,) = result.activities
    assert row["start_time"] is pd.NaT
    assert row["distance_m"] == 5000.0 and row["elapsed_time_s"] == 1800.0
    assert any("device-relative" in m for m in bad_times(result))


@pytest.mark.parametrize("reader", ["gpx", "tcx"])
def test_xml_start_before_1990_is_flagged(reader):
    times = ["1985-06-01T10:00:00Z", "1985-06-01T10:05:00Z"]
    if reader == "gpx":
        result = parse_gpx(gpx(times), source="old.gpx")
    else:
        result = parse_tcx(tcx(times, ident=times[0], lap_start=times[0]), source="old.tcx")
    assert result.activities[0]["distance_m"] > 0
    assert bad_times(result)


def test_placeholder_1901_time_is_dropped_not_used():
    # the Unix INT32_MIN placeholder some encoders write
    times = ["1901-12-13T20:45:52Z", "2024-06-01T10:00:20Z", "2024-06-01T10:00:40Z"]
    result = parse_gpx(gpx(times), source="p.gpx")
    (row,) = result.activities
    assert row["start_time"] == pd.Timestamp("2024-06-01T10:00:20Z")
    assert row["elapsed_time_s"] == 20.0
    assert bad_times(result)


# --- the future -------------------------------------------------------------------------


def test_fit_start_next_year_is_flagged_and_kept():
    start = next_year()
    result = parse_fit(fit_run(start, elapsed_s=1800.0), source="future.fit")
    (row,) = result.activities
    assert row["start_time"] == pd.Timestamp(start)
    assert any("in the future" in m for m in bad_times(result))


@pytest.mark.parametrize("reader", ["gpx", "tcx"])
def test_xml_start_in_the_future_is_flagged(reader):
    start = next_year()
    times = [iso(start), iso(start + dt.timedelta(minutes=5))]
    if reader == "gpx":
        result = parse_gpx(gpx(times), source="future.gpx")
    else:
        result = parse_tcx(tcx(times, ident=times[0], lap_start=times[0]), source="f.tcx")
    assert bad_times(result)


def _folder_with_a_bad_start(tmp_path, start: dt.datetime):
    for week in range(4):
        when = dt.datetime(2024, 3, 4, 7, tzinfo=UTC) + dt.timedelta(weeks=week)
        (tmp_path / f"run{week}.fit").write_bytes(
            fit_run(when, elapsed_s=3000.0, distance_m=10_000.0, offset_h=1))
    (tmp_path / "bad.fit").write_bytes(fit_run(start, elapsed_s=3000.0, offset_h=1))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RunloadWarning)
        activities = read_activities(tmp_path)
        weekly = weekly_load(activities)
    return activities, weekly


def test_future_start_never_makes_a_future_week(tmp_path):
    activities, weekly = _folder_with_a_bad_start(tmp_path, next_year())
    assert "bad_time" in set(problems(activities)["kind"])
    assert weekly["week_start"].max() < pd.Timestamp("2024-04-01")
    assert weekly["distance_m"].sum() == 40_000.0  # the four real runs, not the bad one
    with pytest.warns(RunloadWarning, match="more than a day after now") as caught:
        weekly_load(activities)
    assert sum("more than a day after now" in str(w.message) for w in caught) == 1


def test_far_future_placeholder_start_is_flagged(tmp_path):
    activities, _ = _folder_with_a_bad_start(tmp_path, dt.datetime(2099, 6, 1, tzinfo=UTC))
    flagged = problems(activities)
    assert flagged.loc[flagged["kind"] == "bad_time", "source"].str.endswith("bad.fit").any()
    assert len(activities) == 5 and inventory(activities)["activity_files"] == 5


# --- timer > elapsed, 27-day activities --------------------------------------------------


def test_fit_timer_longer_than_elapsed_keeps_both_figures():
    start = dt.datetime(2024, 5, 5, 7, tzinfo=UTC)
    result = parse_fit(fit_run(start, elapsed_s=1800.0, timer_s=7200.0), source="t.fit")
    (row,) = result.activities
    assert (row["elapsed_time_s"], row["moving_time_s"]) == (1800.0, 7200.0)
    assert any("timer time" in m for m in bad_times(result))


def test_tcx_timer_longer_than_elapsed_is_flagged():
    times = ["2024-06-01T10:00:00Z", "2024-06-01T10:05:00Z"]
    result = parse_tcx(tcx(times, ident=times[0], lap_start=times[0], total_s=6000.0),
                       source="t.tcx")
    (row,) = result.activities
    assert row["moving_time_s"] > row["elapsed_time_s"]
    assert any("timer time" in m for m in bad_times(result))


def test_fit_27_day_run_is_flagged_and_counted_once_in_its_start_week(tmp_path):
    start = dt.datetime(2024, 3, 4, 7, tzinfo=UTC)  # a Monday
    data = fit_run(start, elapsed_s=27 * 86_400.0, distance_m=42_195.0, offset_h=0)
    result = parse_fit(data, source="long.fit")
    (row,) = result.activities
    assert row["elapsed_time_s"] == 27 * 86_400.0
    assert any("longer than 48 h" in m for m in bad_times(result))
    (tmp_path / "long.fit").write_bytes(data)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RunloadWarning)
        weekly = weekly_load(read_activities(tmp_path))
    assert weekly["distance_m"].tolist() == [42_195.0]
    assert weekly["week_start"].tolist() == [pd.Timestamp("2024-03-04")]


def test_fit_27_day_hike_is_no_time_problem():
    start = dt.datetime(2024, 3, 4, 7, tzinfo=UTC)
    data = fit_run(start, elapsed_s=27 * 86_400.0, sport=Sport.HIKING)
    result = parse_fit(data, source="hike.fit")
    assert result.activities[0]["sport"] == "hiking"
    assert not bad_times(result)  # a thru-hike may last weeks; only runs > 48 h are odd


@pytest.mark.parametrize("reader", ["gpx", "tcx"])
def test_xml_27_day_run_is_flagged(reader):
    times = ["2024-06-01T10:00:00Z", "2024-06-14T10:00:00Z", "2024-06-28T10:00:00Z"]
    if reader == "gpx":
        result = parse_gpx(gpx(times), source="long.gpx")
    else:
        result = parse_tcx(tcx(times, ident=times[0], lap_start=times[0]), source="long.tcx")
    assert result.activities[0]["elapsed_time_s"] == 27 * 86_400.0
    assert bad_times(result)


# --- clock jumps --------------------------------------------------------------------------


def test_gpx_clock_jump_is_flagged():
    times = ["2024-06-01T10:00:00Z", "2025-06-01T10:00:20Z", "2025-06-01T10:00:40Z"]
    result = parse_gpx(gpx(times), source="jump.gpx")
    assert bad_times(result)


def test_gpx_clock_jump_keeps_distance_and_start():
    times = ["2024-06-01T10:00:00Z", "2025-06-01T10:00:20Z", "2025-06-01T10:00:40Z"]
    (row,) = parse_gpx(gpx(times), source="jump.gpx").activities
    assert row["start_time"] == pd.Timestamp("2024-06-01T10:00:00Z")
    assert row["distance_m"] == pytest.approx(2 * 55.6, rel=0.01)


def test_gpx_points_out_of_order_use_earliest_and_latest():
    times = ["2024-06-01T10:00:20Z", "2024-06-01T10:00:00Z", "2024-06-01T10:00:40Z"]
    result = parse_gpx(gpx(times), source="order.gpx")
    (row,) = result.activities
    assert row["start_time"] == pd.Timestamp("2024-06-01T10:00:00Z")
    assert row["elapsed_time_s"] == 40.0
    assert any("go back in time" in m for m in bad_times(result))  # a clock jump back


# --- files without any time ---------------------------------------------------------------


def test_gpx_route_is_a_non_activity_file(tmp_path):
    route = (
        '<?xml version="1.0"?><gpx version="1.1" creator="r" '
        'xmlns="http://www.topografix.com/GPX/1/1"><rte><rtept lat="51" lon="0"/>'
        '<rtept lat="51.01" lon="0"/></rte></gpx>'
    )
    (tmp_path / "route.gpx").write_text(route)
    activities = read_activities(tmp_path)
    assert len(activities) == 0
    assert inventory(activities)["non_activity_files"] == 1


def test_track_without_times_is_kept_with_a_problem_and_in_no_week(tmp_path):
    (tmp_path / "a.gpx").write_bytes(gpx(["2024-06-03T10:00:00Z", "2024-06-03T10:20:00Z"]))
    (tmp_path / "notime.gpx").write_bytes(gpx([None] * 20, lat0=40.0))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RunloadWarning)
        activities = read_activities(tmp_path, tz="UTC")
    notime = activities[activities["source"].str.endswith("notime.gpx")].iloc[0]
    assert pd.isna(notime["start_time"]) and notime["distance_m"] > 1000
    assert "no times" in " ".join(problems(activities)["message"])
    with pytest.warns(RunloadWarning, match="without a start time are left out"):
        weekly = weekly_load(activities)
    assert weekly["week_start"].tolist() == [pd.Timestamp("2024-06-03")]
    assert weekly["distance_m"].iloc[0] == pytest.approx(55.6, rel=0.01)


def test_mapmyfitness_style_tcx_without_times():
    # MapMyFitness writes positions without times; neither Id nor lap give one either
    result = parse_tcx(tcx([None] * 10, ident=None, lap_start=None, positions=True),
                       source="mmf.tcx")
    (row,) = result.activities
    assert row["start_time"] is pd.NaT or pd.isna(row["start_time"])
    assert row["distance_m"] == pytest.approx(9 * 55.6, rel=0.01)
    assert row["distance_source"] == "gps"
    assert any("no times" in m for m in bad_times(result))


@pytest.mark.skipif(not corpus_available(), reason="shared corpus not found")
def test_corpus_gpx_with_times_on_5_of_296_points(tmp_path):
    # gpxpy's cerknicko-without-times: the few timed points still place it in its week
    path = CORPUS / "gpx" / "gpxpy__cerknicko-without-times.gpx"
    (tmp_path / path.name).write_bytes(path.read_bytes())
    with pytest.warns(RunloadWarning, match="1 of 1 files had problems"):
        activities = read_activities(tmp_path, tz="Europe/Ljubljana")
    (row,) = activities.to_dict("records")
    assert row["start_time"] == pd.Timestamp("2010-08-05T16:22:52Z")
    # 4.6 km between 5 timed points 57 s apart: an impossible speed, reported, no sport guessed
    (problem,) = problems(activities).to_dict("records")
    assert problem["kind"] == "bad_time" and problem["salvaged"]
    assert row["sport"] == "other"
    weekly = weekly_load(activities.assign(sport="running"))
    assert weekly["week_start"].tolist() == [pd.Timestamp("2010-08-02")]
    assert weekly["distance_m"].iloc[0] == pytest.approx(row["distance_m"])


# --- daylight saving nights ---------------------------------------------------------------

DST_NIGHTS = [
    # zone, local date of the change, is it the spring (short) night
    ("Europe/Berlin", dt.date(2024, 3, 31), True),
    ("Europe/Berlin", dt.date(2024, 10, 27), False),
    ("America/New_York", dt.date(2024, 3, 10), True),
    ("America/New_York", dt.date(2024, 11, 3), False),
]


def _local_week(local: dt.datetime, week_start: str) -> pd.Timestamp:
    first = 0 if week_start == "monday" else 6
    day = pd.Timestamp(local.date())
    return day - pd.Timedelta(days=(day.day_of_week - first) % 7)


@pytest.mark.parametrize(("zone", "day", "spring"), DST_NIGHTS,
                         ids=[f"{z}-{d}" for z, d, _ in DST_NIGHTS])
def test_run_at_0130_on_the_dst_night_lands_in_its_local_week(tmp_path, zone, day, spring):
    tzinfo = ZoneInfo(zone)
    # 01:30 local exists on both nights (the jumps are at 02:00 or 03:00); on the autumn
    # night in New York it happens twice: fold=0 and fold=1 are both that Sunday
    locals_ = [dt.datetime(day.year, day.month, day.day, 1, 30, tzinfo=tzinfo, fold=f)
               for f in ((0,) if spring else (0, 1))]
    if len(locals_) == 2 and locals_[0].utcoffset() == locals_[1].utcoffset():
        locals_.pop()  # Berlin repeats 02:00-03:00, not 01:30: one instant only
    # and a late run the evening before, and one on the Sunday evening after the change
    before = day - dt.timedelta(days=1)
    locals_.append(dt.datetime(before.year, before.month, before.day, 23, 30, tzinfo=tzinfo))
    locals_.append(dt.datetime(day.year, day.month, day.day, 23, 30, tzinfo=tzinfo))
    for i, when in enumerate(locals_):
        start = when.astimezone(UTC)
        times = [iso(start + dt.timedelta(seconds=20 * k)) for k in range(30)]
        (tmp_path / f"run{i}.gpx").write_bytes(gpx(times, lat0=50 + i))
    activities = read_activities(tmp_path, tz=zone)
    assert activities["utc_offset_s"].isna().all()  # GPX: the zone comes from tz=
    for week_start in ("monday", "sunday"):
        weekly = weekly_load(activities, week_start=week_start)
        expected = pd.Series([_local_week(w.replace(tzinfo=None), week_start)
                              for w in locals_])
        got = weekly.set_index("week_start")["runs"]
        assert got[got > 0].to_dict() == expected.value_counts().sort_index().to_dict()
        assert weekly["distance_m"].sum() == pytest.approx(activities["distance_m"].sum())


@pytest.mark.parametrize(("zone", "day"), [("Europe/Berlin", dt.date(2024, 10, 27)),
                                           ("America/New_York", dt.date(2024, 3, 10))])
def test_fit_local_offset_on_the_dst_night(tmp_path, zone, day):
    # the watch writes the offset it showed; it wins over tz=
    local = dt.datetime(day.year, day.month, day.day, 1, 30, tzinfo=ZoneInfo(zone))
    start = local.astimezone(UTC)
    offset_h = local.utcoffset().total_seconds() / 3600
    (tmp_path / "dst.fit").write_bytes(fit_run(start, elapsed_s=1800.0, offset_h=offset_h))
    activities = read_activities(tmp_path, tz="Asia/Tokyo")
    assert activities["utc_offset_s"].iloc[0] == offset_h * 3600
    weekly = weekly_load(activities, week_start="sunday")
    assert weekly["week_start"].tolist() == [pd.Timestamp(day)]  # the change is on a Sunday


def test_sunday_week_in_berlin_autumn_differs_from_utc(tmp_path):
    # 01:30 CEST on Sunday 27 Oct 2024 is 23:30 UTC on Saturday: UTC binning would put it
    # into the week before
    local = dt.datetime(2024, 10, 27, 1, 30, tzinfo=ZoneInfo("Europe/Berlin"))
    start = local.astimezone(UTC)
    assert start.weekday() == 5
    times = [iso(start + dt.timedelta(seconds=20 * k)) for k in range(30)]
    (tmp_path / "r.gpx").write_bytes(gpx(times))
    activities = read_activities(tmp_path, tz="Europe/Berlin")
    weekly = weekly_load(activities, week_start="sunday")
    assert weekly["week_start"].tolist() == [pd.Timestamp("2024-10-27")]
    assert np.isclose(weekly["distance_m"].iloc[0], activities["distance_m"].iloc[0])

"""A FIT file that states no sport gets one from its name or speed, like a GPX without
``<type>``; a FIT file that states a sport (even ``generic``) keeps it."""

from __future__ import annotations

import datetime as dt
import sys
import warnings

import pytest
from conftest import CORPUS, TEST_DATA, corpus_available

import runload
from runload.errors import RunloadWarning
from runload.io.fit import parse_fit

needs_corpus = pytest.mark.skipif(not corpus_available(), reason="corpus not available")

FENIX = "fit/fitparse__activity-small-fenix2-run.fit"  # a 9008.22 m run
GEAR = "fit/garminsdk__WithGearChangeData.fit"  # records only, 12.5 km at 22.7 km/h


def _read(path, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RunloadWarning)
        return runload.read_activities(path, cache=False, **kwargs)


def _mk():
    sys.path.insert(0, str(TEST_DATA / "fit"))
    import make_fit_files as mk

    return mk


@needs_corpus
@pytest.mark.parametrize("fast", [True, False])
def test_records_only_file_states_no_sport_on_both_paths(fast):
    (row,) = parse_fit((CORPUS / GEAR).read_bytes(), source="x.fit", fast=fast).activities
    assert row["sport"] is None


@needs_corpus
def test_records_only_file_gets_its_sport_from_speed(tmp_path):
    path = tmp_path / "ride_less_name.fit"
    path.write_bytes((CORPUS / GEAR).read_bytes())
    (row,) = _read(path).to_dict("records")
    assert row["sport"] == "cycling"  # 12466 m in 1978 s: 6.3 m/s
    assert row["sport_inferred"]


@needs_corpus
def test_cut_off_run_counts_as_a_run(tmp_path):
    """Cut before the session and sport messages: what came before the break is a run."""
    data = (CORPUS / FENIX).read_bytes()[:60000]
    fast = parse_fit(data, source="x.fit", fast=True).activities
    full = parse_fit(data, source="x.fit", fast=False).activities
    assert [r["sport"] for r in fast] == [r["sport"] for r in full] == [None]
    path = tmp_path / "cut.fit"  # a name without a hint: the speed decides (3.6 m/s)
    path.write_bytes(data)
    activities = _read(path)
    (row,) = activities.to_dict("records")
    assert row["sport"] == "running" and row["sport_inferred"]
    assert row["distance_m"] == pytest.approx(5005.99)
    assert "truncated" in set(runload.problems(activities)["kind"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RunloadWarning)  # no UTC offset in a cut file
        weekly = runload.weekly_load(activities)
    assert weekly["runs"].sum() == 1
    assert weekly["distance_m"].sum() == pytest.approx(5005.99)


def _records_file(*, sport=None, session_sport="absent"):
    """A FIT file of 61 records (1200 m in 600 s, 2 m/s), with an optional ``sport``
    message and an optional session (``session_sport=None``: a session without sport)."""
    mk = _mk()
    from fit_tool.fit_file_builder import FitFileBuilder
    from fit_tool.profile.messages.record_message import RecordMessage
    from fit_tool.profile.messages.session_message import SessionMessage
    from fit_tool.profile.messages.sport_message import SportMessage
    from fit_tool.profile.profile_type import SubSport

    start = dt.datetime(2024, 3, 4, 6, 0, 0, tzinfo=dt.UTC)
    builder = FitFileBuilder(auto_define=True, min_string_size=50)
    mk.file_id(builder, mk.ms(start))
    if sport is not None:
        message = SportMessage()
        message.sport = sport
        message.sub_sport = SubSport.GENERIC
        builder.add(message)
    for i in range(61):
        record = RecordMessage()
        record.timestamp = mk.ms(start) + i * 10_000
        record.distance = 20.0 * i
        builder.add(record)
    if session_sport != "absent":
        session = SessionMessage()
        session.start_time = mk.ms(start)
        session.timestamp = mk.ms(start) + 600_000
        session.total_elapsed_time = 600.0
        session.total_timer_time = 600.0
        session.total_distance = 1200.0
        if session_sport is not None:
            session.sport = session_sport
        builder.add(session)
    return builder.build().to_bytes()


def test_generic_sport_message_is_kept(tmp_path):
    from fit_tool.profile.profile_type import Sport

    data = _records_file(sport=Sport.GENERIC)
    for fast in (True, False):
        assert parse_fit(data, source="x.fit", fast=fast).activities[0]["sport"] == "other"
    (tmp_path / "x.fit").write_bytes(data)
    (row,) = _read(tmp_path / "x.fit").to_dict("records")
    assert row["sport"] == "other" and not row["sport_inferred"]


def test_generic_session_is_kept(tmp_path):
    from fit_tool.profile.profile_type import Sport

    (tmp_path / "x.fit").write_bytes(_records_file(session_sport=Sport.GENERIC))
    (row,) = _read(tmp_path / "x.fit").to_dict("records")
    assert row["sport"] == "other" and not row["sport_inferred"]


def test_session_without_sport_is_inferred(tmp_path):
    data = _records_file(session_sport=None)
    for fast in (True, False):
        assert parse_fit(data, source="x.fit", fast=fast).activities[0]["sport"] is None
    (tmp_path / "x.fit").write_bytes(data)
    (row,) = _read(tmp_path / "x.fit").to_dict("records")
    assert row["sport"] == "running" and row["sport_inferred"]  # 2 m/s


def test_session_without_sport_takes_the_files_sport_message():
    from fit_tool.profile.profile_type import Sport

    data = _records_file(sport=Sport.CYCLING, session_sport=None)
    (row,) = parse_fit(data, source="x.fit").activities
    assert row["sport"] == "cycling"


def test_records_only_without_sport_is_inferred(tmp_path):
    data = _records_file()
    assert parse_fit(data, source="x.fit").activities[0]["sport"] is None
    (tmp_path / "morning_walk.fit").write_bytes(data)
    (row,) = _read(tmp_path / "morning_walk.fit").to_dict("records")
    assert row["sport"] == "walking" and row["sport_inferred"]  # the name wins over speed

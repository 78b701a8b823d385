"""TCX reader: the corpus against GROUND_TRUTH.tsv (lap sums), and a hand-made file."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import TEST_DATA

from runload import columns
from runload.errors import ReadError
from runload.io.tcx import parse_tcx, tcx_track

SPORT_WORDS = {"Running": "running", "Biking": "cycling", "Other": "other"}


def _tcx_rows(ground_truth):
    return {r["local_path"]: r for r in ground_truth if r["format"] == "tcx"}


def _activity_files(ground_truth):
    return sorted(rel for rel, row in _tcx_rows(ground_truth).items() if not row["error"])


def test_every_corpus_tcx_is_covered(corpus, ground_truth):
    on_disk = {str(p.relative_to(corpus)) for p in corpus.glob("tcx/*.tcx")}
    on_disk |= {str(p.relative_to(corpus)) for p in corpus.glob("broken/*.tcx")}
    assert on_disk == set(_tcx_rows(ground_truth))


def test_corpus_activities(corpus, ground_truth):
    rows = _tcx_rows(ground_truth)
    checked = 0
    for rel in _activity_files(ground_truth):
        row = rows[rel]
        data = (corpus / rel).read_bytes()
        parsed = parse_tcx(data, source=rel)
        acts = parsed.activities
        assert parsed.problems == [] and parsed.not_activity is None, rel
        assert len(acts) == int(row["n_sessions"]), rel
        for act in acts:
            assert set(act) <= set(columns.ACTIVITIES), rel
            assert act["format"] == "tcx"
            assert act["distance_source"] == "laps"
        # lap sums: distance and timer time, over all activities of the file
        assert sum(a["distance_m"] for a in acts) == pytest.approx(
            float(row["distance_m"]), abs=1e-3), rel  # the tsv has 3 decimals
        assert sum(a["moving_time_s"] for a in acts) == pytest.approx(
            float(row["timer_s"]), abs=1e-3), rel
        # start of the first activity; sports in file order
        assert acts[0]["start_time"] == pd.Timestamp(row["start_time_utc"]), rel
        assert [a["sport"] for a in acts] == [SPORT_WORDS[w] for w in row["sport"].split("+")]
        # elapsed: first to last trackpoint time (per activity; the file's span for one)
        if len(acts) == 1:
            assert acts[0]["elapsed_time_s"] == pytest.approx(float(row["elapsed_s"]),
                                                              abs=1e-3), rel
        # the stream: every trackpoint, positions where the file has them
        track = tcx_track(data, source=rel)
        assert len(track) == int(row["n_points"]), rel
        assert int(track["lat_deg"].notna().sum()) == int(row["n_points_gps"]), rel
        assert list(track.columns[: len(columns.TRACK)]) == list(columns.TRACK)
        if row["stream_end_distance_m"]:
            # the last trackpoint distance of the file (legs without one stay at 0)
            last = track.loc[track["distance_m"] > 0, "distance_m"].iloc[-1]
            assert last == pytest.approx(float(row["stream_end_distance_m"]), abs=0.01), rel
        checked += 1
    assert checked == 14


def test_corpus_multisport_legs(corpus):
    rel = "tcx/goldencheetah__activity_165850259_multi-session.tcx"
    data = (corpus / rel).read_bytes()
    acts = parse_tcx(data, source=rel).activities
    assert [a["sport"] for a in acts] == ["running", "cycling", "running", "cycling"]
    assert [str(a["start_time"].date()) for a in acts] == [
        "2011-11-29", "2011-12-01", "2011-12-04", "2011-12-07"]
    assert all(a["device"] == "Forerunner305 (Unit ID 3815748186)" for a in acts)
    # each leg's elapsed time is its own, far below the file's 8-day span
    assert all(a["elapsed_time_s"] < 4 * 3600 for a in acts)
    track = tcx_track(data, source=rel)
    assert sorted(track["leg"].unique()) == [0, 1, 2, 3]


def test_corpus_devices_and_heart_rate(corpus):
    def first(rel):
        return parse_tcx((corpus / rel).read_bytes(), source=rel).activities[0]

    garmin = first("tcx/runpandas__run_garmin.tcx")
    assert garmin["device"] == "Garmin Forerunner 620"
    # lap-time-weighted mean of the three laps' AverageHeartRateBpm
    assert 100 < garmin["avg_heart_rate_bpm"] < 200
    assert "device" not in first("tcx/runpandas__11km.tcx")  # no <Creator>
    polar = first("tcx/goldencheetah__2020-02-05_17-25-14_Training-with-Notes.tcx")
    assert polar["distance_m"] == 0.0 and polar["device"] == "Polar Vantage V"


def test_corpus_malformed_keeps_nothing(corpus):
    rel = "broken/runpandas__malformed.tcx"
    with pytest.raises(ReadError) as info:
        parse_tcx((corpus / rel).read_bytes(), source=rel)
    assert info.value.kind == "malformed_xml"
    # the same position the standard library reports (GROUND_TRUTH.tsv)
    assert "line 4653, column 6" in info.value.message
    assert info.value.source == rel


def test_hand_made_bom_whitespace_two_laps():
    data = (TEST_DATA / "tcx" / "bom_whitespace_two_laps.tcx").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf\n\n")
    parsed = parse_tcx(data, source="h.tcx")
    (act,) = parsed.activities
    assert act["distance_m"] == 1500.0
    assert act["moving_time_s"] == 400.0
    assert act["elapsed_time_s"] == 700.0  # 07:00:00 to 07:11:40
    assert act["start_time"] == pd.Timestamp("2024-03-04T07:00:00Z")
    assert act["avg_heart_rate_bpm"] == pytest.approx((140 * 300 + 180 * 100) / 400)
    assert act["sport"] == "running"
    assert act["device"] == "Hand Watch 1"
    assert act["ascent_m"] == pytest.approx(20.0)
    track = tcx_track(data, source="h.tcx")
    assert track["distance_m"].tolist() == [0.0, 1000.0, 1000.0, 1500.0]
    assert track["cadence_spm"].iloc[:2].tolist() == [170.0, 172.0]  # RunCadence x 2
    assert track["speed_m_s"].iloc[:2].tolist() == [3.3, 3.4]
    assert track["heart_rate_bpm"].iloc[:2].tolist() == [130.0, 150.0]


def _tcx(body: str) -> bytes:
    return ('<?xml version="1.0"?><TrainingCenterDatabase xmlns='
            '"http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2"><Activities>'
            f"{body}</Activities></TrainingCenterDatabase>").encode()


def test_fallbacks_without_laps():
    pts = ("<Trackpoint><Time>2021-05-01T06:00:00Z</Time><Position><LatitudeDegrees>0"
           "</LatitudeDegrees><LongitudeDegrees>0</LongitudeDegrees></Position></Trackpoint>"
           "<Trackpoint><Time>2021-05-01T06:05:00Z</Time><Position><LatitudeDegrees>0.009"
           "</LatitudeDegrees><LongitudeDegrees>0</LongitudeDegrees></Position></Trackpoint>")
    data = _tcx(f'<Activity Sport="Running"><Id>2021-05-01T06:00:00Z</Id><Lap>'
                f"<Track>{pts}</Track></Lap></Activity>")
    (act,) = parse_tcx(data, source="f.tcx").activities
    assert act["distance_source"] == "gps"
    assert act["distance_m"] == pytest.approx(1000.75, abs=0.1)  # 0.009 deg of meridian
    assert act["start_time"] == pd.Timestamp("2021-05-01T06:00:00Z")  # from <Id>
    assert np.isnan(act["moving_time_s"])
    assert act["elapsed_time_s"] == 300.0


def test_not_tcx_and_empty():
    with pytest.raises(ReadError) as info:
        parse_tcx(b"   ", source="e.tcx")
    assert info.value.kind == "empty"
    with pytest.raises(ReadError) as info:
        parse_tcx(b'<gpx xmlns="http://www.topografix.com/GPX/1/1"/>', source="g.tcx")
    assert info.value.kind == "malformed"
    with pytest.raises(ReadError) as info:
        parse_tcx(_tcx(""), source="n.tcx")
    assert info.value.kind == "empty"


def test_multisport_session_nesting():
    def leg(sport, start, metres):
        return (f'<Activity Sport="{sport}"><Id>{start}</Id><Lap StartTime="{start}">'
                f"<TotalTimeSeconds>600</TotalTimeSeconds><DistanceMeters>{metres}"
                "</DistanceMeters></Lap></Activity>")

    body = ("<MultiSportSession><Id>2022-06-05T08:00:00Z</Id><FirstSport>"
            + leg("Biking", "2022-06-05T08:00:00Z", 5000)
            + "</FirstSport><NextSport><Transition><TotalTimeSeconds>60</TotalTimeSeconds>"
            "<DistanceMeters>0</DistanceMeters></Transition>"
            + leg("Running", "2022-06-05T08:11:00Z", 2000)
            + "</NextSport></MultiSportSession>")
    acts = parse_tcx(_tcx(body), source="multi.tcx").activities
    assert [(a["sport"], a["distance_m"]) for a in acts] == [("cycling", 5000.0),
                                                             ("running", 2000.0)]
    assert acts[1]["start_time"] == pd.Timestamp("2022-06-05T08:11:00Z")


def test_results_do_not_depend_on_the_conversion_chunk(corpus, monkeypatch):
    rel = "tcx/goldencheetah__activity_165850259_multi-session.tcx"
    data = (corpus / rel).read_bytes()
    whole = tcx_track(data, source=rel)
    summary = parse_tcx(data, source=rel)
    monkeypatch.setattr("runload.io.tcx.CHUNK_POINTS", 5)
    pd.testing.assert_frame_equal(tcx_track(data, source=rel), whole)
    again = parse_tcx(data, source=rel)
    assert again.problems == summary.problems
    for one, other in zip(again.activities, summary.activities, strict=True):
        assert pd.Series(one, dtype=object).equals(pd.Series(other, dtype=object))


def test_courses_and_workouts_are_not_activities():
    course = ('<Courses><Course><Name>loop</Name><Lap><TotalTimeSeconds>600</TotalTimeSeconds>'
              "<DistanceMeters>2000</DistanceMeters></Lap><Track><Trackpoint>"
              "<Time>2021-05-01T06:00:00Z</Time><DistanceMeters>5</DistanceMeters>"
              "</Trackpoint></Track></Course></Courses>")
    data = _tcx("")[: -len(b"</TrainingCenterDatabase>")] + course.encode() + (
        b"</TrainingCenterDatabase>")
    parsed = parse_tcx(data, source="c.tcx")
    assert parsed.activities == [] and parsed.not_activity == "TCX with 1 courses, no activity"
    assert tcx_track(data, source="c.tcx").empty
    # a course before an activity lends it neither laps nor points
    run = ('<Activity Sport="Running"><Lap StartTime="2021-05-02T06:00:00Z">'
           "<TotalTimeSeconds>60</TotalTimeSeconds><DistanceMeters>200</DistanceMeters>"
           "</Lap></Activity>")
    both = (b'<?xml version="1.0"?><TrainingCenterDatabase xmlns='
            b'"http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2">'
            + course.encode() + b"<Activities>" + run.encode()
            + b"</Activities></TrainingCenterDatabase>")
    (act,) = parse_tcx(both, source="b.tcx").activities
    assert act["distance_m"] == 200.0 and act["moving_time_s"] == 60.0
    assert len(tcx_track(both, source="b.tcx")) == 0

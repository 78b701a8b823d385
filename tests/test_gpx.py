"""GPX reader: the corpus against GROUND_TRUTH.tsv, and hand-made files with known answers."""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd
import pytest
from conftest import TEST_DATA

from runload import columns
from runload.errors import ReadError
from runload.io import geo
from runload.io.gpx import gpx_track, parse_gpx

R = geo.EARTH_RADIUS_M
GPXPY_RADIUS_M = 6_378_137.0  # gpxpy.geo.EARTH_RADIUS (equatorial), used by length_2d


def _gpx_rows(ground_truth):
    return {r["local_path"]: r for r in ground_truth if r["format"] == "gpx"}


def _read(path):
    return path.read_bytes()


def _points_by_segment(data: bytes):
    """Independent reading of every <trkpt> position, per <trkseg> (regex, not XML)."""
    text = data.decode("utf-8-sig")
    segments = []
    for seg in re.findall(r"<trkseg>(.*?)</trkseg>", text, flags=re.S):
        pts = re.findall(r'<trkpt\s+lat="([^"]+)"\s+lon="([^"]+)"', seg)
        segments.append(np.array(pts, dtype=float).reshape(-1, 2))
    return segments


def _haversine_length(segments) -> float:
    """Mean-radius haversine length, segment gaps not counted (written out here on purpose)."""
    total = 0.0
    for pts in segments:
        if len(pts) < 2:
            continue
        phi = np.radians(pts[:, 0])
        lam = np.radians(pts[:, 1])
        a = (np.sin(np.diff(phi) / 2) ** 2
             + np.cos(phi[:-1]) * np.cos(phi[1:]) * np.sin(np.diff(lam) / 2) ** 2)
        total += float(np.sum(2 * R * np.arcsin(np.sqrt(a))))
    return total


ACTIVITY_FILES = [
    "gpx/goldencheetah__A_ride_mapped_on_11_22_2011.gpx",
    "gpx/goldencheetah__Move_2014_01_16_19_48_44.gpx",
    "gpx/goldencheetah__UrbanBiker2019-04-18_16-12.gpx",
    "gpx/gpxpy__Mojstrovka.gpx",
    "gpx/gpxpy__around-visnjan-with-car.gpx",
    "gpx/gpxpy__cerknicko-jezero.gpx",
    "gpx/gpxpy__cerknicko-without-times.gpx",
    "gpx/gpxpy__gpx1.0_with_all_fields.gpx",
    "gpx/gpxpy__korita-zbevnica.gpx",
    "gpx/gpxpy__track-with-empty-segment.gpx",
    "gpx/runpandas__4383adb2-5170-467c-85b8-2d983c415e5b.gpx",
    "gpx/runpandas__68d141b2-ef47-4476-bac5-fd72f4faf678.gpx",
    "gpx/runpandas__garmin_connect.gpx",
    "gpx/runpandas__nike_run.gpx",
    "gpx/runpandas__run.gpx",
    "gpx/runpandas__strava_export.gpx",
]

#: Files where the jump filter rightly removes distance: (file, metres not counted).
#: cerknicko-jezero has a 184 m step stamped 2 s after the previous point (92 m/s).
FILTERED = {"gpx/gpxpy__cerknicko-jezero.gpx": 184.0}


def test_every_corpus_gpx_is_covered(corpus, ground_truth):
    listed = set(_gpx_rows(ground_truth))
    on_disk = {str(p.relative_to(corpus)) for p in corpus.glob("gpx/*.gpx")}
    on_disk |= {str(p.relative_to(corpus)) for p in corpus.glob("broken/*.gpx")}
    assert on_disk <= listed
    covered = set(ACTIVITY_FILES) | {
        "gpx/gpxpy__route.gpx",
        "gpx/gpxpy__unicode_with_bom.gpx",
        "broken/goldencheetah__MetadataOnly.gpx",
    }
    assert on_disk == covered


@pytest.mark.parametrize("rel", ACTIVITY_FILES)
def test_corpus_activity(rel, corpus, ground_truth):
    row = _gpx_rows(ground_truth)[rel]
    data = _read(corpus / rel)
    parsed = parse_gpx(data, source=rel)
    assert parsed.not_activity is None
    assert len(parsed.activities) == 1  # several <trk> are one outing
    act = parsed.activities[0]
    assert set(act) <= set(columns.ACTIVITIES)
    assert act["format"] == "gpx"
    assert act["distance_source"] == "gps"

    # distance: without the filter, exactly the mean-radius haversine of the same points
    expected = _haversine_length(_points_by_segment(data))
    unfiltered = parse_gpx(data, source=rel, max_speed_m_s=None).activities[0]
    assert unfiltered["distance_m"] == pytest.approx(expected, rel=1e-9)
    # ... and gpxpy's length_2d, rescaled from its equatorial radius, within 0.3%
    gpxpy_mean_radius = float(row["distance_m"]) * R / GPXPY_RADIUS_M
    assert unfiltered["distance_m"] == pytest.approx(gpxpy_mean_radius, rel=3e-3)
    # with the jump filter: the same, except where it drops a known implausible step
    dropped = FILTERED.get(rel, 0.0)
    assert act["distance_m"] == pytest.approx(expected - dropped, rel=3e-3, abs=5.0)

    # point counts: every <trkpt> is in the unfiltered stream
    track = gpx_track(data, source=rel, max_speed_m_s=None)
    assert len(track) == int(row["n_points"])
    assert list(track.columns[: len(columns.TRACK)]) == list(columns.TRACK)
    assert str(track["time"].dtype) == "datetime64[ns, UTC]"

    # times
    if row["start_time_utc"] and not row["start_time_utc"].startswith("1901"):
        assert act["start_time"] == pd.Timestamp(row["start_time_utc"])
        if "segments=1 " in row["notes"] and row["elapsed_s"]:
            assert act["elapsed_time_s"] == pytest.approx(float(row["elapsed_s"]), abs=1e-3)
        assert act["moving_time_s"] <= act["elapsed_time_s"] + 1e-9
    else:
        assert pd.isna(act["start_time"])
        assert np.isnan(act["elapsed_time_s"])
        assert [kind for kind, _ in parsed.problems] == ["bad_time"]


def test_corpus_sports_devices_and_names(corpus):
    def read(rel):
        return parse_gpx(_read(corpus / rel), source=rel).activities[0]

    strava = read("gpx/runpandas__strava_export.gpx")
    assert strava["sport"] == "running"  # <type>9</type>: Strava's Run code
    assert strava["device"] == "StravaGPX"
    assert strava["name"] == "Ciclofaixa Recife Antigo x Jaqueira 002 - 12km livre"
    assert strava["avg_heart_rate_bpm"] > 100
    assert read("gpx/runpandas__garmin_connect.gpx")["sport"] == "running"
    assert read("gpx/gpxpy__korita-zbevnica.gpx")["sport"] == "other"  # junk "jkljkl"
    nike = read("gpx/runpandas__nike_run.gpx")
    assert "sport" not in nike  # no <type>: left to the ingest
    assert nike["device"] == "gpx.py -- https://github.com/tkrajina/gpxpy"
    urban = read("gpx/goldencheetah__UrbanBiker2019-04-18_16-12.gpx")
    assert urban["ascent_m"] > 0 and urban["avg_heart_rate_bpm"] > 0


def test_corpus_bogus_times(corpus):
    rel = "gpx/gpxpy__Mojstrovka.gpx"
    parsed = parse_gpx(_read(corpus / rel), source=rel)
    (kind, message), = parsed.problems
    assert kind == "bad_time" and "1901-12-13" in message
    assert parsed.activities[0]["distance_m"] > 2000  # the track itself is kept


def test_corpus_no_times(corpus):
    rel = "gpx/goldencheetah__A_ride_mapped_on_11_22_2011.gpx"
    parsed = parse_gpx(_read(corpus / rel), source=rel)
    assert parsed.problems == [("bad_time", "no times: the track points have no <time>")]
    assert pd.isna(parsed.activities[0]["start_time"])
    assert parsed.activities[0]["distance_m"] > 90_000


def test_corpus_route_and_waypoints_are_not_activities(corpus):
    route = parse_gpx(_read(corpus / "gpx/gpxpy__route.gpx"), source="route.gpx")
    assert route.activities == [] and route.problems == []
    assert route.not_activity.startswith("GPX route, no track")
    bom = parse_gpx(_read(corpus / "gpx/gpxpy__unicode_with_bom.gpx"), source="bom.gpx")
    assert bom.activities == [] and "waypoints only" in bom.not_activity
    assert gpx_track(_read(corpus / "gpx/gpxpy__route.gpx"), source="route.gpx").empty


def test_corpus_metadata_only_is_empty(corpus):
    rel = "broken/goldencheetah__MetadataOnly.gpx"
    with pytest.raises(ReadError) as info:
        parse_gpx(_read(corpus / rel), source=rel)
    assert info.value.kind == "empty" and info.value.source == rel


def test_meridian_three_points():
    data = (TEST_DATA / "gpx" / "meridian_3pt.gpx").read_bytes()
    act = parse_gpx(data, source="m.gpx").activities[0]
    assert act["distance_m"] == pytest.approx(R * math.radians(0.02), rel=1e-12)
    assert act["start_time"] == pd.Timestamp("2024-03-04T07:00:00Z")
    assert act["elapsed_time_s"] == 720.0
    assert act["moving_time_s"] == 720.0  # 3.1 m/s throughout
    assert act["avg_heart_rate_bpm"] == 150.0
    assert act["sport"] == "running"
    assert act["name"] == "hand-made"
    assert act["device"] == "runload tests"
    assert act["ascent_m"] == 0.0
    track = gpx_track(data, source="m.gpx")
    np.testing.assert_allclose(track["distance_m"], [0, R * math.radians(0.01),
                                                     R * math.radians(0.02)])
    np.testing.assert_allclose(track["cadence_spm"], 170.0)  # 85 strides/min, running
    np.testing.assert_allclose(track["elapsed_s"], [0, 360, 720])
    assert track["speed_m_s"].iloc[1] == pytest.approx(R * math.radians(0.01) / 360)


def test_gps_jump_is_dropped():
    data = (TEST_DATA / "gpx" / "gps_jump.gpx").read_bytes()
    track = gpx_track(data, source="j.gpx")
    assert len(track) == 10
    assert not np.isclose(track["lon_deg"], 7.01).any()
    act = parse_gpx(data, source="j.gpx").activities[0]
    assert act["distance_m"] == pytest.approx(R * math.radians(0.001), rel=1e-9)
    raw = parse_gpx(data, source="j.gpx", max_speed_m_s=None).activities[0]
    assert raw["distance_m"] > 1500  # the 786 m spike there and back


def test_two_segments_gap_not_counted():
    data = (TEST_DATA / "gpx" / "two_segments.gpx").read_bytes()
    act = parse_gpx(data, source="s.gpx").activities[0]
    assert act["distance_m"] == pytest.approx(2 * R * math.radians(0.001), rel=1e-9)
    assert act["elapsed_time_s"] == 1280.0  # wall clock includes the pause
    assert act["moving_time_s"] == 80.0
    track = gpx_track(data, source="s.gpx")
    assert track["segment"].nunique() == 2
    assert track["step_counted"].tolist() == [False, True, False, True]


def _minimal(points: str, *, version="1.1", head="") -> bytes:
    ns = f"http://www.topografix.com/GPX/{version.replace('.', '/')}"
    return (f'<?xml version="1.0"?>{head}<gpx version="{version}" creator="t" xmlns="{ns}">'
            f"<trk><trkseg>{points}</trkseg></trk></gpx>").encode()


def test_track_without_times():
    data = _minimal('<trkpt lat="1" lon="1"/><trkpt lat="1.001" lon="1"/>')
    parsed = parse_gpx(data, source="t.gpx")
    act = parsed.activities[0]
    assert pd.isna(act["start_time"]) and np.isnan(act["moving_time_s"])
    assert parsed.problems[0][0] == "bad_time" and "no times" in parsed.problems[0][1]
    assert act["distance_m"] == pytest.approx(R * math.radians(0.001))


def test_gpx10_speed_and_naive_times():
    pts = ('<trkpt lat="0" lon="0"><time>2020-01-01T10:00:00</time><speed>2.5</speed></trkpt>'
           '<trkpt lat="0.001" lon="0"><time>2020-01-01T10:01:00</time><speed>2.0</speed>'
           "</trkpt>")
    data = _minimal(pts, version="1.0")
    track = gpx_track(data, source="t.gpx")
    assert track["speed_m_s"].tolist() == [2.5, 2.0]
    act = parse_gpx(data, source="t.gpx").activities[0]
    assert act["start_time"] == pd.Timestamp("2020-01-01T10:00:00Z")  # GPX times are UTC
    assert "sport" not in act


def test_leading_whitespace_and_bom():
    pts = '<trkpt lat="0" lon="0"/><trkpt lat="0.001" lon="0"/>'
    data = b"\xef\xbb\xbf\n\n  " + _minimal(pts)
    act = parse_gpx(data, source="t.gpx").activities[0]
    assert act["distance_m"] == pytest.approx(R * math.radians(0.001))


def test_not_gpx_and_empty():
    with pytest.raises(ReadError) as info:
        parse_gpx(b"", source="e.gpx")
    assert info.value.kind == "empty"
    with pytest.raises(ReadError) as info:
        parse_gpx(b"<TrainingCenterDatabase/>", source="x.gpx")
    assert info.value.kind == "malformed"
    with pytest.raises(ReadError) as info:
        parse_gpx(_minimal("")[:-1] + b"<", source="x.gpx")
    assert info.value.kind == "malformed_xml" and "line 1" in info.value.message
    with pytest.raises(ReadError) as info:
        parse_gpx(b'<gpx xmlns="http://www.topografix.com/GPX/1/1"><trk/></gpx>', source="t")
    assert info.value.kind == "empty"


def test_results_do_not_depend_on_the_conversion_chunk(corpus, monkeypatch):
    rel = "gpx/goldencheetah__UrbanBiker2019-04-18_16-12.gpx"  # 3 segments, hr, cad
    data = (corpus / rel).read_bytes()
    whole = gpx_track(data, source=rel)
    summary = parse_gpx(data, source=rel)
    monkeypatch.setattr("runload.io.gpx.CHUNK_POINTS", 7)
    pd.testing.assert_frame_equal(gpx_track(data, source=rel), whole)
    again = parse_gpx(data, source=rel)
    assert again.problems == summary.problems
    for one, other in zip(again.activities, summary.activities, strict=True):
        assert pd.Series(one, dtype=object).equals(pd.Series(other, dtype=object))


def test_waypoint_extensions_do_not_leak_into_track_points():
    data = (
        b'<?xml version="1.0"?><gpx version="1.1" creator="t" '
        b'xmlns="http://www.topografix.com/GPX/1/1" '
        b'xmlns:x="http://www.garmin.com/xmlschemas/TrackPointExtension/v2">'
        b'<wpt lat="5" lon="5"><extensions><x:TrackPointExtension><x:hr>99</x:hr>'
        b"<x:speed>9</x:speed></x:TrackPointExtension></extensions></wpt>"
        b'<trk><trkseg><trkpt lat="0" lon="0"/><trkpt lat="0.001" lon="0"><extensions>'
        b"<x:TrackPointExtension><x:hr>150</x:hr></x:TrackPointExtension></extensions>"
        b"</trkpt></trkseg></trk></gpx>"
    )
    track = gpx_track(data, source="w.gpx")
    assert track["heart_rate_bpm"].isna().tolist() == [True, False]
    assert track["heart_rate_bpm"].iloc[1] == 150.0
    assert track["speed_m_s"].isna().all()  # no times, no file speed on the track points

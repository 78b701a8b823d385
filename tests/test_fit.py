"""The FIT reader against the real-file corpus, hand-made files and broken bytes."""

from __future__ import annotations

import gzip
import io
import math
import zipfile
from functools import cache

import fitdecode
import numpy as np
import pandas as pd
import pytest
from conftest import CORPUS, TEST_DATA, corpus_available
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from runload.columns import ACTIVITIES, SPORTS, TRACK, conform
from runload.errors import ReadError
from runload.io.fit import (
    SEMICIRCLE_DEG,
    fit_messages,
    fit_track,
    parse_fit,
    read_fit_messages,
    summarise_fit,
)
from runload.io.parsed import Parsed
from runload.io.sports import fit_sport

FIT_DATA = TEST_DATA / "fit"


def _ground_truth() -> list[dict[str, str]]:
    """GROUND_TRUTH.tsv rows written with fitdecode (read at collection time)."""
    if not corpus_available():
        return []
    import csv

    with open(CORPUS / "GROUND_TRUTH.tsv", newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    return [r for r in rows if r["format"] == "fit" and r["tool"].startswith("fitdecode")]


GROUND_TRUTH = _ground_truth()


@cache
def corpus_bytes(key: str) -> bytes:
    """The bytes of a corpus FIT file named as in GROUND_TRUTH.tsv (gunzipped, unzipped)."""
    if "::" in key:
        archive, member = key.split("::", 1)
        with zipfile.ZipFile(CORPUS / archive) as zf:
            return zf.read(member)
    data = (CORPUS / key).read_bytes()
    return gzip.decompress(data) if key.endswith(".gz") else data


@cache
def parsed(key: str) -> Parsed:
    """parse_fit of a corpus file, decoded once per test session."""
    return parse_fit(corpus_bytes(key), source=key)


def kinds(result: Parsed) -> set[str]:
    return {kind for kind, _ in result.problems}


def messages_of(result: Parsed, kind: str) -> str:
    return " | ".join(message for k, message in result.problems if k == kind)


def expected_sports(text: str) -> list[str]:
    """'generic+transition+running/trail' -> contract sports, one per session."""
    out = []
    for part in text.split("+"):
        sport, _, sub = part.partition("/")
        out.append(fit_sport(sport, sub or None))
    return out


def read_hand_made(name: str) -> bytes:
    return (FIT_DATA / name).read_bytes()


# --- every FIT file of the corpus against GROUND_TRUTH.tsv -----------------------------

SESSION_ROWS = [r for r in GROUND_TRUTH if r["sport"] and int(r["n_sessions"] or 0) > 0]
DEDUPED = "broken/fitparse__activity-activity-filecrc.fit"


@pytest.mark.parametrize("truth", SESSION_ROWS, ids=[r["local_path"] for r in SESSION_ROWS])
def test_sessions_match_ground_truth(truth):
    key = truth["local_path"]
    result = parsed(key)
    rows = result.activities
    sports = expected_sports(truth["sport"])
    n_sessions = int(truth["n_sessions"])
    factor = 1
    if key == DEDUPED:
        # the chained copy repeats the same session: counted once
        assert "duplicate" in kinds(result)
        factor, n_sessions, sports = 2, 1, sports[:1]
    assert len(rows) == n_sessions
    assert [row["sport"] for row in rows] == sports
    assert all(row["format"] == "fit" for row in rows)

    start = truth["start_time_utc"]
    if start.startswith("raw:"):
        # device-relative: a best guess, and the file is flagged
        assert "bad_time" in kinds(result)
        assert "device-relative" in messages_of(result, "bad_time")
    else:
        assert rows[0]["start_time"] == pd.Timestamp(start)

    elapsed = sum(row["elapsed_time_s"] for row in rows) * factor
    timer = sum(row["moving_time_s"] for row in rows) * factor
    assert elapsed == pytest.approx(float(truth["elapsed_s"]), abs=1e-3)
    assert timer == pytest.approx(float(truth["timer_s"]), abs=1e-3)

    if truth["distance_m"]:
        total = sum(row["distance_m"] for row in rows) * factor
        assert total == pytest.approx(float(truth["distance_m"]), rel=1e-4, abs=1e-6)
        assert {row["distance_source"] for row in rows} == {"device"}
    elif truth["stream_end_distance_m"]:
        # no session total: the last record distance
        assert rows[0]["distance_m"] == pytest.approx(float(truth["stream_end_distance_m"]))
        assert rows[0]["distance_source"] == "records"
    else:
        assert math.isnan(rows[0]["distance_m"])
        assert "no_data" in kinds(result)


def test_every_corpus_fit_file_is_covered():
    if not corpus_available():
        pytest.skip("shared corpus not found")
    on_disk = {
        str(p.relative_to(CORPUS))
        for folder in ("fit", "broken")
        for p in (CORPUS / folder).iterdir()
        if p.name.endswith((".fit", ".fit.gz"))
    }
    members = set()
    for archive in (CORPUS / "exports").glob("*.zip"):
        with zipfile.ZipFile(archive) as zf:
            members |= {
                f"exports/{archive.name}::{name}"
                for name in zf.namelist()
                if name.lower().endswith(".fit") and not name.startswith("__MACOSX")
            }
    truth = {r["local_path"] for r in GROUND_TRUTH}
    assert on_disk | members <= truth
    assert len(members) == 4


@pytest.mark.parametrize("truth", GROUND_TRUTH, ids=[r["local_path"] for r in GROUND_TRUTH])
def test_rows_fit_the_activities_contract(truth):
    result = parsed(truth["local_path"])
    for row in result.activities:
        assert set(row) <= set(ACTIVITIES)
        assert row["sport"] is None or row["sport"] in SPORTS  # None: states no sport
    for kind, message in result.problems:
        assert kind in {"truncated", "bad_crc", "malformed", "no_data", "bad_time", "duplicate"}
        assert message
    frame = conform(pd.DataFrame(result.activities), ACTIVITIES)
    assert list(frame.columns) == list(ACTIVITIES)


# --- multisport, chained, not-activity files ----------------------------------------------


@pytest.mark.usefixtures("corpus")
def test_multisport_gives_one_row_per_leg():
    rows = parsed("fit/fitparse__activity-large-fenxi2-multisport.fit").activities
    assert [r["sport"] for r in rows] == [
        "other", "other", "running", "other", "running", "other", "cycling",
    ]
    runs = [r["distance_m"] for r in rows if r["sport"] == "running"]
    assert runs == pytest.approx([2245.23, 12740.37])
    starts = [r["start_time"] for r in rows]
    assert starts == sorted(starts)
    assert {r["utc_offset_s"] for r in rows} == {7200}


@pytest.mark.usefixtures("corpus")
def test_chained_triathlon():
    key = "fit/fitparse__sample_mulitple_header.fit"
    result = parsed(key)
    assert [r["sport"] for r in result.activities] == [
        "swimming", "other", "cycling", "other", "running",
    ]
    assert result.problems == []
    assert read_fit_messages(corpus_bytes(key), source=key).n_files == 4
    assert result.activities[-1]["distance_m"] == pytest.approx(9805.92)
    assert result.activities[0]["device"] == "garmin fr920xt"


@pytest.mark.usefixtures("corpus")
@pytest.mark.parametrize(
    ("key", "kind"),
    [
        ("fit/fitparse__MonitoringFile.fit", "monitoring_b"),
        ("fit/fitparse__Settings.fit", "settings"),
    ],
)
def test_not_activity_files_are_flagged(key, kind):
    result = parsed(key)
    assert result.activities == []
    assert result.problems == []
    assert result.not_activity == f"FIT file type {kind}"


@pytest.mark.usefixtures("corpus")
@pytest.mark.parametrize(
    ("key", "sport", "distance", "count"),
    [
        # no session, sport or lap message: no sport stated (the ingest infers one)
        ("fit/garminsdk__WithGearChangeData.fit", None, 12466.05, 1979),
        ("fit/fitparse__DeveloperData.fit", None, 3710.0, 3),
    ],
)
def test_files_without_session_are_built_from_records(key, sport, distance, count):
    result = parsed(key)
    (row,) = result.activities
    assert row["sport"] == sport
    assert row["distance_m"] == pytest.approx(distance)
    assert row["distance_source"] == "records"
    assert "malformed" in kinds(result)
    assert f"{count} records" in messages_of(result, "malformed")


@pytest.mark.usefixtures("corpus")
def test_records_only_file_times():
    (row,) = parsed("fit/garminsdk__WithGearChangeData.fit").activities
    assert row["start_time"] == pd.Timestamp("2022-06-22T23:08:37Z")
    assert row["moving_time_s"] == pytest.approx(1978.0)
    assert row["elapsed_time_s"] == pytest.approx(1978.0)
    assert row["utc_offset_s"] == -6 * 3600
    # DeveloperData's records carry no timestamps at all
    result = parsed("fit/fitparse__DeveloperData.fit")
    assert result.activities[0]["start_time"] is pd.NaT
    assert "bad_time" in kinds(result)


# --- broken files ---------------------------------------------------------------------

BROKEN = [
    # key, problem kinds, distance kept, words in the message
    ("broken/fitparse__activity-filecrc.fit", {"bad_crc"}, 5.73, "checksum"),
    ("broken/fitparse__activity-activity-filecrc.fit", {"bad_crc", "duplicate"}, 5.73, "FIT file 2"),
    ("broken/fitparse__activity-settings-corruptheader.fit", {"malformed"}, 5.73, "byte 771"),
    ("broken/fitparse__activity-settings-nodata.fit", {"truncated"}, 5.73,
     "the file ends at byte 786 in the middle of a message: the header of chained FIT file 2 "
     "declares 68 bytes of data, only 3 are present"),
    ("broken/fitparse__activity-unexpected-eof.fit", {"truncated"}, 5.73,
     "the file ends at byte 768: its header declares 757 bytes of data, only 756 are present"),
    ("broken/fitparse__elemnt-bolt-no-application-id-inside-developer-data-id.fit", set(), 963.65,
     ""),
    ("broken/fitparse__nick.fit", {"truncated"}, 113550.87,
     "the file ends at byte 403456 in the middle of a message that runs past the end of the "
     "data its header declares (403440 bytes, up to byte 403454)"),
    ("broken/fitparse__strava-android-app-201.10-b1218918.fit", {"truncated"}, 11274.04,
     "byte 7471"),
    ("broken/goldencheetah__2012_02_05_09_03_59.fit", {"no_data"}, float("nan"), "no distance"),
]


@pytest.mark.usefixtures("corpus")
@pytest.mark.parametrize(("key", "expected", "distance", "words"), BROKEN,
                         ids=[b[0] for b in BROKEN])
def test_broken_files_are_salvaged(key, expected, distance, words):
    result = parsed(key)
    assert kinds(result) == expected
    (row,) = result.activities
    if math.isnan(distance):
        assert math.isnan(row["distance_m"])
    else:
        assert row["distance_m"] == pytest.approx(distance)
    assert words in " ".join(message for _, message in result.problems)


@pytest.mark.usefixtures("corpus")
def test_strava_session_figure_kept_despite_break():
    # the session summary is written before the stream breaks at 928 m
    key = "broken/fitparse__strava-android-app-201.10-b1218918.fit"
    (row,) = parsed(key).activities
    assert row["distance_source"] == "device"
    assert row["elapsed_time_s"] == 3558.0
    assert row["device"] == "strava 102"
    messages = read_fit_messages(corpus_bytes(key), source=key, records=True)
    assert messages.n_records == 473
    assert np.nanmax(messages.records["distance"]) == pytest.approx(928.25)


@pytest.mark.usefixtures("corpus")
def test_truncated_file_without_session_says_so():
    result = parsed("broken/fitparse__nick.fit")
    (row,) = result.activities
    assert row["distance_source"] == "records"
    assert row["sport"] == "cycling"  # from its lap
    assert "14391 records" in messages_of(result, "truncated")


def test_nothing_readable_raises():
    with pytest.raises(ReadError) as info:
        parse_fit(b"", source="empty.fit")
    assert info.value.kind == "empty"
    with pytest.raises(ReadError) as info:
        parse_fit(b"<gpx>this is not a FIT file at all</gpx>", source="x.fit")
    assert info.value.kind == "malformed"
    data = read_hand_made("offset_plus10h.fit")
    with pytest.raises(ReadError) as info:
        parse_fit(data[:8], source="short.fit")
    assert info.value.kind == "truncated"
    with pytest.raises(ReadError) as info:
        parse_fit(data[:15], source="header-only.fit")
    assert info.value.kind == "truncated"
    assert info.value.source == "header-only.fit"


def test_truncating_a_file_keeps_what_came_before():
    data = read_hand_made("no_session.fit")
    result = parse_fit(data[: len(data) // 2], source="half.fit")
    assert "truncated" in kinds(result)
    assert len(data) == 1311 and data[0] == 12  # a 12-byte header declaring 1297 bytes of data
    assert ("the file ends at byte 655 in the middle of a message: its header declares 1297 "
            "bytes of data, only 643 are present; what was recorded before the break is kept"
            in messages_of(result, "truncated"))
    (row,) = result.activities
    assert 0 < row["distance_m"] < 1200.0
    assert row["start_time"] == pd.Timestamp("2024-03-04T06:00:00Z")


@pytest.mark.parametrize("cut", [1, 2])
def test_file_cut_in_its_checksum_says_the_data_is_all_there(cut):
    data = read_hand_made("no_session.fit")  # 12-byte header, 1297 bytes of data, checksum
    result = parse_fit(data[:-cut], source="no-crc.fit")
    assert (f"the file ends at byte {1311 - cut}, before the end of the 2-byte checksum that "
            "follows the 1297 bytes of data its header declares (all of them are present)"
            in messages_of(result, "truncated"))
    assert result.activities[0]["distance_m"] == parse_fit(data, source="x.fit").activities[0][
        "distance_m"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cut=st.integers(min_value=0, max_value=507), flips=st.lists(
    st.tuples(st.integers(min_value=0, max_value=507), st.integers(min_value=1, max_value=255)),
    max_size=3))
def test_damaged_bytes_never_crash(cut, flips):
    data = bytearray(read_hand_made("offset_plus10h.fit"))
    for at, xor in flips:
        data[at] ^= xor
    data = bytes(data[: max(cut, 1)] if cut < len(data) else data)
    try:
        result = parse_fit(data, source="damaged.fit")
    except ReadError as exc:
        assert exc.kind in {"empty", "truncated", "malformed", "bad_crc"}
    else:
        assert isinstance(result, Parsed)
        for row in result.activities:
            assert row["sport"] is None or row["sport"] in SPORTS


# --- times, offsets, devices ----------------------------------------------------------


def test_local_timestamp_gives_utc_offset():
    (row,) = parse_fit(read_hand_made("offset_plus10h.fit"), source="x").activities
    assert row["utc_offset_s"] == 36000
    assert row["start_time"] == pd.Timestamp("2024-01-10T20:00:00Z")
    assert row["sport"] == "trail_running"
    assert row["elapsed_time_s"] == 1800.0
    assert row["moving_time_s"] == 1750.0
    assert row["distance_m"] == 5000.0
    assert row["ascent_m"] == 120.0
    assert row["avg_heart_rate_bpm"] == 140.0
    assert row["device"] == "garmin fr945"


@pytest.mark.usefixtures("corpus")
@pytest.mark.parametrize(
    ("key", "offset"),
    [
        ("fit/fitparse__garmin-fenix-5-run.fit", -7 * 3600),
        ("fit/goldencheetah__Fr955v19.28andStryd.fit", 3600),
        ("fit/fitparse__coros-pace-2-cycling-misaligned-fields.fit", 0),
        # placeholder local_timestamp of 1989-12-31: no offset rather than a silly one
        ("fit/goldencheetah__14582164182.fit.gz", None),
        ("fit/fitparse__null_compressed_speed_dist.fit", None),
        # no activity message
        ("fit/fitparse__garmin-edge-500-activity.fit", None),
    ],
)
def test_utc_offsets_of_corpus_files(key, offset):
    assert parsed(key).activities[0]["utc_offset_s"] == offset


@pytest.mark.usefixtures("corpus")
@pytest.mark.parametrize(
    ("key", "device"),
    [
        ("fit/goldencheetah__Fr955v19.28andStryd.fit", "garmin fr955"),
        ("fit/fitparse__2019-02-17-062644-ELEMNT-297E-195-0.fit", "wahoo_fitness 28"),
        ("fit/goldencheetah__2024-10-14-070422-Pool Swim-BingiWatch.fit", "development Watch6,18"),
        ("fit/goldencheetah__Karoo-Botley_BW_Swanmore_Wickham-2025-05-09-1238.fit",
         "hammerhead Karoo 2"),
        ("fit/goldencheetah__10kUNLP2014-Garmin15.fit", "garmin 1932"),
        ("fit/fitparse__developer-types-sample.fit", "stryd"),
        ("exports/goldencheetah__4077461142.zip::4077461142.fit", "garmin fenix6x"),
    ],
)
def test_device_names(key, device):
    assert parsed(key).activities[0]["device"] == device


@pytest.mark.usefixtures("corpus")
def test_device_relative_times_are_estimated_and_flagged():
    result = parsed("fit/fitparse__compressed-speed-distance.fit")
    (row,) = result.activities
    # activity.local_timestamp 2012-02-13T12:21:03 (local) at device time 17221751;
    # the session started 3887 s of device time earlier
    assert row["start_time"] == pd.Timestamp("2012-02-13T11:16:16Z")
    assert pd.isna(row["utc_offset_s"])
    assert "time zone unknown" in messages_of(result, "bad_time")
    assert row["distance_m"] == pytest.approx(10248.67)


def test_device_relative_times_with_a_correlation_are_exact():
    data = read_hand_made("device_relative.fit")
    result = parse_fit(data, source="x")
    assert result.problems == []
    (row,) = result.activities
    assert row["start_time"] == pd.Timestamp("2023-05-06T07:08:09Z")
    track = fit_track(data, source="x")
    assert track["time"].iloc[-1] == pd.Timestamp("2023-05-06T07:09:09Z")


def test_impossible_times_keep_the_row():
    result = parse_fit(read_hand_made("impossible_times.fit"), source="x")
    (row,) = result.activities
    assert row["start_time"] == pd.Timestamp("2100-01-01T08:00:00Z")
    assert row["distance_m"] == 200_000.0
    text = messages_of(result, "bad_time")
    assert "future" in text
    assert "longer than 48 h" in text
    assert kinds(result) == {"bad_time"}


@pytest.mark.usefixtures("corpus")
def test_timer_longer_than_elapsed_is_flagged_but_kept():
    result = parsed("fit/goldencheetah__14582164182.fit.gz")
    (row,) = result.activities
    assert (row["elapsed_time_s"], row["moving_time_s"]) == (1632.0, 2760.0)
    assert "longer than elapsed" in messages_of(result, "bad_time")


@pytest.mark.usefixtures("corpus")
def test_zero_heart_rate_is_missing():
    (row,) = parsed("fit/fitparse__null_compressed_speed_dist.fit").activities
    assert math.isnan(row["avg_heart_rate_bpm"])
    (row,) = parsed("fit/fitparse__2013-02-06-12-11-14.fit").activities
    assert row["avg_heart_rate_bpm"] == 147.0
    assert row["ascent_m"] == 168.0


# --- hand-made distance fallbacks -----------------------------------------------------


def test_no_session_file():
    result = parse_fit(read_hand_made("no_session.fit"), source="x")
    (row,) = result.activities
    assert row["sport"] == "running"  # from its sport message
    assert row["start_time"] == pd.Timestamp("2024-03-04T06:00:00Z")
    assert row["elapsed_time_s"] == 600.0
    assert row["distance_m"] == 1200.0
    assert row["distance_source"] == "records"
    assert row["avg_heart_rate_bpm"] == 150.0
    assert kinds(result) == {"malformed"}


def test_lap_distances_when_the_session_has_none():
    result = parse_fit(read_hand_made("laps_only.fit"), source="x")
    (row,) = result.activities
    assert row["distance_m"] == 2500.0
    assert row["distance_source"] == "laps"
    assert result.problems == []


def test_gps_distance_when_nothing_else():
    (row,) = parse_fit(read_hand_made("gps_only.fit"), source="x").activities
    assert row["distance_source"] == "gps"
    expected = 6_371_008.8 * math.radians(0.010)
    assert row["distance_m"] == pytest.approx(expected, rel=1e-4)


# --- the seam ---------------------------------------------------------------------------


def test_seam_decode_then_summarise():
    data = read_hand_made("offset_plus10h.fit")
    summary_only = read_fit_messages(data, source="x")
    assert summary_only.records is None
    assert summary_only.n_records == 31
    names = [m["_message"] for m in summary_only.summary]
    assert names == ["file_id", "lap", "session", "activity"]
    assert summarise_fit(summary_only, source="x") == parse_fit(data, source="x")
    with_records = read_fit_messages(data, source="x", records=True)
    assert with_records.records["distance"][-1] == pytest.approx(5000.0)
    assert summarise_fit(with_records, source="x") == parse_fit(data, source="x")


def as_frame(result: Parsed) -> pd.DataFrame:
    return conform(pd.DataFrame(result.activities), ACTIVITIES)


# Files whose reference (pure fitdecode) decoding is cheap enough for every test run,
# with the broken ones where the fast path declines.
REFERENCE_KEYS = [
    "fit/fitparse__Activity.fit",
    "fit/fitparse__garmin-fenix-5-walk.fit",
    "fit/fitparse__DeveloperData.fit",
    "fit/fitparse__MonitoringFile.fit",
    "fit/fitparse__antfs-dump.63.fit",
    "fit/fitparse__sample_mulitple_header.fit",
    "fit/goldencheetah__10kUNLP2014-Garmin15.fit",
    "fit/tormoder__unterminated-strings.fit",
    "broken/fitparse__activity-activity-filecrc.fit",
    "broken/fitparse__activity-settings-corruptheader.fit",
    "broken/fitparse__strava-android-app-201.10-b1218918.fit",
    "broken/goldencheetah__2012_02_05_09_03_59.fit",
]


@pytest.mark.usefixtures("corpus")
@pytest.mark.parametrize("key", REFERENCE_KEYS)
def test_fast_path_equals_reference_path(key):
    data = corpus_bytes(key)
    reference = parse_fit(data, source=key, fast=False)
    result = parsed(key)
    pd.testing.assert_frame_equal(as_frame(result), as_frame(reference))
    assert result.problems == reference.problems
    assert result.not_activity == reference.not_activity
    fast = fit_messages(data, source=key, records=True)
    slow = read_fit_messages(data, source=key, records=True)
    assert fast.summary == slow.summary
    for name, column in slow.records.items():
        np.testing.assert_array_equal(fast.records[name], column)


@pytest.mark.parametrize("name", ["no_session.fit", "gps_only.fit", "device_relative.fit"])
def test_hand_made_files_same_on_both_paths(name):
    data = read_hand_made(name)
    fast, slow = parse_fit(data, source=name), parse_fit(data, source=name, fast=False)
    pd.testing.assert_frame_equal(as_frame(fast), as_frame(slow))
    assert fast.problems == slow.problems
    pd.testing.assert_frame_equal(fit_track(data, source=name),
                                  fit_track(data, source=name, fast=False))


# --- fit_track ------------------------------------------------------------------------


def test_track_columns_and_units():
    data = read_hand_made("no_session.fit")
    track = fit_track(data, source="x")
    assert list(track.columns) == list(TRACK)
    assert [str(t) for t in track.dtypes] == [dtype for dtype, _ in TRACK.values()]
    assert len(track) == 61
    assert track["elapsed_s"].iloc[-1] == 600.0
    assert track["distance_m"].iloc[-1] == 1200.0
    # running cadence: 2 x (85 + 0.5) strides/min = 171 steps/min
    assert (track["cadence_spm"] == 171.0).all()
    assert track["lat_deg"].iloc[10] == pytest.approx(51.001, abs=1e-6)
    assert track["lon_deg"].iloc[0] == pytest.approx(-0.1, abs=1e-6)
    assert track["time"].iloc[0] == pd.Timestamp("2024-03-04T06:00:00Z")


@pytest.mark.usefixtures("corpus")
def test_track_of_a_real_run_matches_fitdecode():
    key = "fit/fitparse__Activity.fit"
    data = corpus_bytes(key)
    track = fit_track(data, source=key)
    records = [
        {f.name: f.value for f in frame.fields}
        for frame in fitdecode.FitReader(io.BytesIO(data))
        if isinstance(frame, fitdecode.FitDataMessage) and frame.name == "record"
    ]
    assert len(track) == len(records) == 14
    first = records[0]
    assert track["lat_deg"].iloc[0] == pytest.approx(495280430 * SEMICIRCLE_DEG)
    assert track["lat_deg"].iloc[0] == pytest.approx(41.513926, abs=1e-6)
    assert track["lon_deg"].iloc[0] == pytest.approx(first["position_long"] * 180 / 2**31)
    assert track["time"].iloc[0] == pd.Timestamp(first["timestamp"])
    assert track["elevation_m"].tolist() == pytest.approx([r["enhanced_altitude"] for r in records])
    assert track["speed_m_s"].tolist() == pytest.approx([r["enhanced_speed"] for r in records])
    assert track["distance_m"].iloc[-1] == pytest.approx(5.73)


@pytest.mark.usefixtures("corpus")
def test_cycling_cadence_is_not_doubled():
    key = "fit/tormoder__unterminated-strings.fit"
    data = corpus_bytes(key)
    cadence = [
        next((f.value for f in frame.fields if f.name == "cadence"), None)
        for frame in fitdecode.FitReader(io.BytesIO(data))
        if isinstance(frame, fitdecode.FitDataMessage) and frame.name == "record"
    ]
    track = fit_track(data, source=key)
    expected = np.array([np.nan if c is None else c for c in cadence], dtype=float)
    np.testing.assert_array_equal(track["cadence_spm"].to_numpy(), expected)
    assert len(track) == 33


@pytest.mark.usefixtures("corpus")
def test_track_of_a_file_without_records_is_empty():
    track = fit_track(corpus_bytes("fit/fitparse__Settings.fit"), source="x")
    assert list(track.columns) == list(TRACK)
    assert track.empty


@pytest.mark.usefixtures("corpus")
def test_track_cadence_per_leg_of_a_triathlon():
    key = "fit/fitparse__sample_mulitple_header.fit"
    data = corpus_bytes(key)
    track = fit_track(data, source=key)
    raw = fit_messages(data, source=key, records=True).records
    assert len(track) == len(raw["timestamp"]) == 1773
    legs = parsed(key).activities
    run_start, bike_start = legs[4]["start_time"], legs[2]["start_time"]
    running = (track["time"] >= run_start).to_numpy()
    cycling = ((track["time"] >= bike_start) & (track["time"] < legs[3]["start_time"])).to_numpy()
    fraction = np.nan_to_num(raw["fractional_cadence"])
    expected_run = 2 * (raw["cadence"][running] + fraction[running])
    np.testing.assert_allclose(track["cadence_spm"].to_numpy()[running], expected_run)
    assert np.nanmedian(expected_run) > 140  # steps/min of a run, not strides
    np.testing.assert_array_equal(track["cadence_spm"].to_numpy()[cycling], raw["cadence"][cycling])
    assert track["time"].is_monotonic_increasing


def test_sessions_without_distance_are_a_problem_only_for_distance_sports():
    """A strength or yoga session has no distance by nature; a run without one does."""
    import datetime as dt
    import sys

    sys.path.insert(0, str(TEST_DATA / "fit"))
    import make_fit_files as mk
    from fit_tool.fit_file_builder import FitFileBuilder
    from fit_tool.profile.profile_type import Sport, SubSport

    def one(sport, sub_sport):
        start = dt.datetime(2024, 3, 4, 18, 0, tzinfo=dt.UTC)
        builder = FitFileBuilder(auto_define=True)
        mk.file_id(builder, mk.ms(start))
        mk.session(builder, start_ms=mk.ms(start), end_ms=mk.ms(start) + 1_800_000,
                   elapsed_s=1800.0, timer_s=1800.0, sport=sport, sub_sport=sub_sport)
        return parse_fit(builder.build().to_bytes(), source="x.fit")

    strength = one(Sport.TRAINING, SubSport.STRENGTH_TRAINING)
    assert strength.activities[0]["sport"] == "strength_training"
    assert strength.problems == []
    run = one(Sport.RUNNING, SubSport.GENERIC)
    assert [kind for kind, _ in run.problems] == ["no_data"]

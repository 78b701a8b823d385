"""The sample-data generator: byte-identical regeneration, files that read back to what
was intended, and a planted pain effect that runload itself finds."""

from __future__ import annotations

import gzip
import hashlib
import io
import warnings
import zipfile
from pathlib import Path

import fitdecode
import numpy as np
import pandas as pd
import pytest

import runload
from runload.sample import painlog, routes, writers

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_data"
SQUAD = ("bea", "chen", "dario", "emma", "femi", "gus")
TZ = "Europe/London"


def _sums(path: Path) -> dict[str, str]:
    lines = (path / "SHA256SUMS").read_text().splitlines()
    return {line[66:]: line[:64] for line in lines}


@pytest.fixture(scope="module")
def truth() -> pd.DataFrame:
    frame = pd.read_csv(SAMPLE / "truth" / "activities.csv", keep_default_na=False,
                        na_values={"gps_distance_m": [""], "avg_heart_rate_bpm": [""],
                                   "ascent_m": [""]})
    frame["start_time"] = pd.to_datetime(frame["start_time"], utc=True)
    return frame


@pytest.fixture(scope="module")
def alex() -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", runload.RunloadWarning)
        return runload.read_activities(SAMPLE / "alex", athlete="alex", tz=TZ)


@pytest.fixture(scope="module")
def activities(alex) -> pd.DataFrame:
    frames = [alex]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", runload.RunloadWarning)
        for name in SQUAD:
            frames.append(runload.read_activities(SAMPLE / "squad" / name, athlete=name, tz=TZ))
    return pd.concat(frames, ignore_index=True)


@pytest.fixture(scope="module")
def matched(activities, truth) -> pd.DataFrame:
    """Read-back rows joined to the truth rows of the same file."""
    acts = activities.copy()
    acts["file"] = [
        str(Path(source).relative_to(SAMPLE)) if "!" not in source
        else str(Path(source.split("!", 1)[0]).relative_to(SAMPLE)) + "!" + source.split("!", 1)[1]
        for source in acts["source"]
    ]
    return truth.loc[truth["format"] != ""].merge(acts, on="file", suffixes=("", "_read"))


# ----------------------------------------------------------------------------- bytes


@pytest.mark.slow
def test_regeneration_is_byte_identical(tmp_path):
    committed = _sums(SAMPLE)
    runload.write_sample_data(tmp_path)
    regenerated = {
        str(p.relative_to(tmp_path)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in tmp_path.rglob("*") if p.is_file() and p.name != "SHA256SUMS"
    }
    assert regenerated == committed
    on_disk = {
        str(p.relative_to(SAMPLE)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in SAMPLE.rglob("*")
        if p.is_file() and p.name not in ("SHA256SUMS", "README.md")
    }
    assert on_disk == committed


def test_sample_data_stays_small():
    total = sum(p.stat().st_size for p in SAMPLE.rglob("*") if p.is_file())
    assert total < 20 * 1024 * 1024


def test_gzip_and_zip_carry_no_time_or_name():
    data = writers.gzip_bytes(b"hello")
    assert data[4:8] == b"\0\0\0\0"  # mtime 0
    assert data[3] & 0x08 == 0  # no file name
    assert gzip.decompress(data) == b"hello"
    archive = writers.zip_bytes({"b.txt": b"2", "a.txt": b"1", "c.gz": data})
    with zipfile.ZipFile(io.BytesIO(archive)) as zf:
        infos = zf.infolist()
    assert [i.filename for i in infos] == ["a.txt", "b.txt", "c.gz"]
    assert {i.date_time for i in infos} == {writers.ZIP_DATE_TIME}
    assert infos[2].compress_type == zipfile.ZIP_STORED
    assert writers.zip_bytes({"a.txt": b"1"}) == writers.zip_bytes({"a.txt": b"1"})


def _track(seed=1, **options):
    defaults = dict(sport="running", distance_m=8000.0, moving_time_s=2600,
                    home=(51.5, -0.04), pause_s=40)
    defaults.update(options)
    return routes.simulate(np.random.default_rng(seed), **defaults)


def test_packed_fit_records_equal_fit_tool_encoding():
    track = _track()
    options = dict(sport="running", start_unix_s=1_750_000_000, utc_offset_s=3600,
                   manufacturer=1, product=3992, serial_number=123)
    fast = writers.fit_activity(track, **options)
    slow = writers.fit_activity(track, packed_records=False, **options)
    assert fast == slow


def _messages(data: bytes) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    with fitdecode.FitReader(io.BytesIO(data)) as reader:
        for frame in reader:
            if isinstance(frame, fitdecode.FitDataMessage):
                out.setdefault(frame.name, []).append(
                    {f.name: f.value for f in frame.fields if f.value is not None}
                )
    return out


def test_fit_activity_round_trips_through_fitdecode():
    track = _track()
    data = writers.fit_activity(
        track, sport="trail_running", start_unix_s=1_750_000_000, utc_offset_s=32_400,
        manufacturer=1, product=3992, serial_number=123,
    )
    msgs = _messages(data)
    file_id = msgs["file_id"][0]
    assert file_id["type"] == "activity"
    assert file_id["manufacturer"] == "garmin"
    assert file_id["garmin_product"] == "fr255"
    session = msgs["session"][0]
    assert (session["sport"], session["sub_sport"]) == ("running", "trail")
    assert session["total_distance"] == pytest.approx(8000.0, abs=0.005)
    assert session["total_timer_time"] == 2600
    assert session["total_elapsed_time"] == 2640
    assert session["start_time"] == pd.Timestamp(1_750_000_000, unit="s", tz="UTC")
    assert session["avg_heart_rate"] == track["avg_hr"]
    assert session["total_ascent"] == track["ascent_m"]
    laps = msgs["lap"]
    assert sum(lap["total_distance"] for lap in laps) == pytest.approx(8000.0, abs=0.005)
    assert len(msgs["record"]) == track["elapsed_s"].size
    assert msgs["record"][-1]["distance"] == pytest.approx(8000.0, abs=0.005)
    activity = msgs["activity"][0]
    offset = activity["local_timestamp"] - activity["timestamp"]
    assert offset == pd.Timedelta(hours=9)
    stops = [e for e in msgs["event"] if e["event_type"] == "stop_all"]
    assert len(stops) == 2  # the pause and the end


def test_gps_track_is_a_smooth_route_of_the_intended_length():
    track = _track(route="out_and_back", interval_s=(1, 1))
    assert track["gps_distance_m"] == pytest.approx(8000.0, rel=0.01)
    lat, lon = track["lat"], track["lon"]
    steps = routes.EARTH_RADIUS_M * np.hypot(
        np.radians(np.diff(lat)), np.radians(np.diff(lon)) * np.cos(np.radians(lat[1:]))
    )
    assert steps.max() < 12.0  # no jumps at 1 s
    assert np.hypot(lat[-1] - lat[0], lon[-1] - lon[0]) < 3e-4  # back home
    assert 120 < track["avg_hr"] < 185


# ----------------------------------------------------------------------------- read back


def test_every_activity_file_reads_back(matched, truth):
    files = truth.loc[truth["format"] != "", "file"]
    assert set(files) == set(matched["file"])


def test_sports_and_starts_read_back(matched):
    assert (matched["sport"] == matched["sport_read"]).all()
    gap = (matched["start_time_read"] - matched["start_time"]).abs()
    assert gap.max() <= pd.Timedelta(seconds=6)  # phone copies start a few seconds late


def test_fit_distance_is_the_device_distance(matched):
    fit = matched.loc[(matched["format"] == "fit") & (matched["distance_m"] > 0)]
    assert len(fit) > 800
    rel = (fit["distance_m_read"] - fit["distance_m"]).abs() / fit["distance_m"]
    assert rel.max() < 1e-4


def test_gpx_distance_is_the_path_length(matched):
    gpx = matched.loc[matched["format"] == "gpx"]
    assert len(gpx) > 150
    rel = (gpx["distance_m_read"] - gpx["distance_m"]).abs() / gpx["distance_m"]
    assert rel.max() < 0.01


def test_tcx_distance_is_the_lap_sum(matched):
    tcx = matched.loc[matched["format"] == "tcx"]
    assert len(tcx) > 100
    assert np.allclose(tcx["distance_m_read"], tcx["distance_m"], rtol=0, atol=0.02)


def test_fit_files_tell_their_utc_offset(matched):
    fit = matched.loc[matched["format"] == "fit"]
    assert (fit["utc_offset_s_read"] == fit["utc_offset_s"]).all()
    tokyo = fit.loc[fit["utc_offset_s"] == 9 * 3600]
    assert len(tokyo) >= 6
    monday = tokyo.loc[tokyo["name"] == "Imperial Palace loop"].iloc[0]
    assert monday["start_time"].day_name() == "Sunday"  # Monday morning in Tokyo


def test_watch_and_phone_copies_are_duplicates(matched):
    copies = matched.loc[matched["duplicate_of"] != ""]
    assert len(copies) >= 5
    assert copies["duplicate_of_read"].notna().all()


def test_non_activity_files_are_not_activities(activities):
    garmin = activities.loc[activities["source"].str.contains("DI-Connect-Uploaded-Files")]
    assert (garmin["format"] == "fit").all()
    assert not activities["source"].str.contains("!routes/").any()


def test_alex_has_two_damaged_uploads(alex):
    problems = runload.problems(alex)
    files = {source: set(group["kind"]) for source, group in problems.groupby("source")}
    assert len(files) == 2
    cut_fit = next(s for s in files if s.endswith(".fit"))
    crashed_gpx = next(s for s in files if s.endswith(".gpx"))
    for source in files:
        assert "export_31415926.zip!activities/" in source  # where Strava keeps uploads
    assert files[cut_fit] == {"truncated"}
    assert problems.loc[problems["source"] == cut_fit, "salvaged"].all()
    assert files[crashed_gpx] == {"malformed_xml"}
    assert not problems.loc[problems["source"] == crashed_gpx, "salvaged"].any()
    inventory = runload.inventory(alex)
    assert (inventory["problem_files"], inventory["salvaged_files"]) == (1, 1)
    # the run salvaged from the cut-off FIT is a copy of the watch's full file: not counted
    salvaged = alex.loc[alex["source"] == cut_fit].iloc[0]
    assert salvaged["distance_source"] == "records"
    kept = alex.loc[alex["activity_id"] == salvaged["duplicate_of"]].iloc[0]
    assert kept["format"] == "fit" and "DI-Connect-Uploaded-Files" in kept["source"]
    assert 0.9 * kept["distance_m"] < salvaged["distance_m"] < kept["distance_m"]
    assert not alex["source"].eq(crashed_gpx).any()  # nothing kept of the malformed GPX
    # activities.csv lists both, like any upload
    with zipfile.ZipFile(SAMPLE / "alex" / "export_31415926.zip") as zf:
        listed = zf.read("activities.csv").decode()
    for source in files:
        assert source.rsplit("!", 1)[1] + "," in listed


def test_damaged_files_end_where_they_were_cut():
    track = _track()
    fit = writers.fit_activity(track, sport="running", start_unix_s=1_750_000_000, utc_offset_s=0,
                               manufacturer=1, product=3992, serial_number=123)
    cut = writers.fit_cut_off(fit, keep=0.9)
    assert fit.startswith(cut) and len(cut) == int(0.9 * len(fit))
    gpx = writers.gpx_activity(track, start_unix_s=1_750_000_000, name="Run", gpx_type="running")
    broken = writers.gpx_cut_off(gpx, keep=0.5)
    assert gpx.startswith(broken)
    assert broken.count(b"<trkpt ") == broken.count(b"</trkpt>") + 1 == track["lat"].size // 2 + 1
    assert broken.rstrip().endswith(b"</time>")
    with pytest.raises(ValueError, match="keep"):
        writers.fit_cut_off(fit, keep=1.0)


# ----------------------------------------------------------------------------- pain


def test_pain_logs_read_back_to_the_planted_onsets():
    hazard = pd.read_csv(SAMPLE / "truth" / "hazard.csv", parse_dates=["week_start"])
    onsets = hazard.loc[hazard["onset"]]
    alex = runload.read_pain_log(SAMPLE / "pain" / "alex_episodes.csv", athlete="alex")
    squad = runload.read_pain_log(SAMPLE / "pain" / "squad_diary.csv")
    episodes = pd.concat([alex, squad], ignore_index=True)
    assert len(episodes) == len(onsets)
    week = episodes["onset"] - pd.to_timedelta(episodes["onset"].dt.day_of_week, unit="D")
    got = sorted(zip(episodes["athlete"], week, strict=True))
    want = sorted(zip(onsets["athlete"], onsets["week_start"], strict=True))
    assert got == want


def test_planted_exposures_are_what_runload_flags(activities):
    weekly = runload.weekly_load(activities, tz=TZ, as_of="2026-11-15")
    weekly["exposed"] = weekly[list(painlog.EXPOSURES)].any(axis=1)
    weekly["week_start"] = weekly["week_start"] + pd.Timedelta(days=7)
    hazard = pd.read_csv(SAMPLE / "truth" / "hazard.csv", parse_dates=["week_start"])
    both = hazard.merge(weekly[["athlete", "week_start", "exposed"]], on=["athlete", "week_start"])
    assert len(both) == len(hazard)
    assert (both["exposed_prev"] == both["exposed"]).all()


def test_associate_finds_the_planted_effect_in_the_squad(activities):
    squad = activities.loc[activities["athlete"].isin(SQUAD)]
    weekly = runload.weekly_load(squad, tz=TZ, as_of="2026-11-15")
    weekly["flag_load"] = weekly["flag_ramp"] | weekly["flag_session_spike"]
    episodes = runload.read_pain_log(SAMPLE / "pain" / "squad_diary.csv")
    table = runload.associate(weekly, episodes, exposures=["flag_load"], methods=["lagged"],
                              n_permutations=199)
    pooled = table.loc[table["athlete"] == "pooled"].iloc[0]
    assert pooled["estimate"] > 3
    assert pooled["ci_low"] > 1
    assert pooled["p_value"] < 0.05


def test_readme_states_what_associate_finds(activities):
    """The association figures quoted in sample_data/README.md are what the code gives."""
    text = (SAMPLE / "README.md").read_text()
    episodes = {"squad": runload.read_pain_log(SAMPLE / "pain" / "squad_diary.csv"),
                "alex": runload.read_pain_log(SAMPLE / "pain" / "alex_episodes.csv")}
    for who, athletes in (("squad", SQUAD), ("alex", ("alex",))):
        acts = activities.loc[activities["athlete"].isin(athletes)]
        weekly = runload.weekly_load(acts, tz=TZ, as_of="2026-11-15")
        weekly["flag_load"] = weekly["flag_ramp"] | weekly["flag_session_spike"]
        table = runload.associate(weekly, episodes[who], exposures=["flag_load"],
                                  methods=["lagged"])
        row = table.loc[table["athlete"] == ("pooled" if who == "squad" else "alex")].iloc[0]
        counts = (f"{row['exposed_events']} onsets after {row['exposed_n']} exposed weeks, "
                  f"{row['unexposed_events']} after {row['unexposed_n']}" if who == "squad" else
                  f"{row['exposed_events']} of {row['exposed_n']} against "
                  f"{row['unexposed_events']} of {row['unexposed_n']}")
        assert counts in text, (who, counts)
        if who == "squad":
            stated = (f"risk ratio of {row['estimate']:.0f} (95% mid-p CI {row['ci_low']:.1f}-"
                      f"{row['ci_high']:.0f}; {counts};\ncircular-shift permutation p = "
                      f"{row['p_permutation']:.3f}, Fisher exact p = {row['p_exact']:.3f}, "
                      f"mid-p {row['p_midp']:.3f})")
        else:
            stated = (f"it is {row['estimate']:.1f} ({row['ci_low']:.1f}-{row['ci_high']:.0f}; "
                      f"{counts}; permutation p = {row['p_permutation']:.2f}, exact\n"
                      f"p = {row['p_exact']:.2f}, mid-p {row['p_midp']:.2f})")
        assert stated in text, (who, stated)

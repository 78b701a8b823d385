"""read_activities with small fake readers: the table, problems, inventory, errors modes."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import pickle
import random
import shutil
import warnings
import zipfile

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from runload import columns
from runload.errors import ParameterError, ReadError, RunloadWarning
from runload.io import ingest, inventory, problems, read_activities, read_track
from runload.io.archives import Entry, Limits, WalkLog, walk
from runload.io.dedupe import mark_duplicates
from runload.io.parsed import Parsed

FIT_HEAD = bytes([14, 0x10, 0, 0, 0, 0, 0, 0]) + b".FIT" + b"\0\0"


def fake_bytes(fmt: str, acts=(), **extra) -> bytes:
    """A tiny file that sniffs as ``fmt`` and carries its activities as JSON."""
    payload = json.dumps({"acts": list(acts), **extra}).encode()
    if fmt == "fit":
        return FIT_HEAD + payload
    root = {"gpx": "gpx", "tcx": "TrainingCenterDatabase"}[fmt]
    return b'<?xml version="1.0"?>\n<' + root.encode() + b"><!--" + payload + b"--></" \
        + root.encode() + b">"


def _payload(data: bytes) -> dict:
    if data[8:12] == b".FIT":
        return json.loads(data[14:])
    return json.loads(data.split(b"<!--", 1)[1].rsplit(b"-->", 1)[0])


def fake_reader(data: bytes, *, source: str) -> Parsed:
    d = _payload(data)
    if "raise" in d:
        raise ReadError(d["raise"][1], source=source, kind=d["raise"][0])
    if "crash" in d:
        raise KeyError("reader bug")
    return Parsed(d["acts"], [tuple(p) for p in d.get("problems", [])], d.get("not"))


def fake_track(data: bytes, *, source: str) -> pd.DataFrame:
    n = len(_payload(data)["acts"])
    return pd.DataFrame({"elapsed_s": [float(i) for i in range(n + 1)],
                         "distance_m": [10.0 * i for i in range(n + 1)]})


def run(start: str = "2024-01-01T10:00:00Z", dist: float = 5000.0, dur: float = 1800.0,
        sport: str = "running", **kw) -> dict:
    return {"start_time": start, "distance_m": dist, "elapsed_time_s": dur, "sport": sport,
            "distance_source": "device", **kw}


@pytest.fixture
def fakes(monkeypatch):
    """Swap the format readers for the fake ones."""
    for fmt in ("fit", "gpx", "tcx"):
        monkeypatch.setitem(ingest.READERS, fmt, fake_reader)
    from runload.io import track

    for fmt in ("fit", "gpx", "tcx"):
        monkeypatch.setitem(track.TRACK_READERS, fmt, fake_track)


def write(path, data: bytes):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def read_quiet(*args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RunloadWarning)
        return read_activities(*args, **kwargs)


def test_folder_table_contract(fakes, tmp_path):
    folder = tmp_path / "alice"
    a = write(folder / "a.fit", fake_bytes("fit", [run("2024-01-02T10:00:00Z")]))
    write(folder / "sub" / "b.gpx", fake_bytes("gpx", [run("2024-01-01T10:00:00Z", 3000)]))
    multi = fake_bytes("fit", [run("2024-01-03T10:00:00Z", 1000, 600, "swimming"),
                               run("2024-01-03T10:10:00Z", 40000, 3600, "cycling")])
    write(folder / "multi.fit", multi)
    df = read_activities(folder)
    assert list(df.columns) == list(columns.ACTIVITIES)
    for name, (dtype, _) in columns.ACTIVITIES.items():
        assert str(df[name].dtype) == str(pd.Series(dtype=dtype).dtype), name
    assert list(df["distance_m"]) == [3000, 5000, 1000, 40000]
    assert df["start_time"].is_monotonic_increasing
    assert (df["athlete"] == "alice").all()
    digest = hashlib.sha256(a.read_bytes()).hexdigest()[:16]
    assert df.loc[1, "activity_id"] == digest
    assert df.loc[1, "source"] == str(a)
    multi_id = hashlib.sha256(multi).hexdigest()[:16]
    assert list(df["activity_id"].iloc[2:]) == [multi_id, multi_id + "-2"]
    assert df["utc_offset_s"].isna().all()
    assert df["duplicate_of"].isna().all()
    assert inventory(df) == {"files_seen": 3, "activity_files": 3, "non_activity_files": 0,
                             "problem_files": 0, "salvaged_files": 0, "ignored_files": 0,
                             "activities": 4, "duplicates": 0, "strava_exports": 0,
                             "garmin_exports": 0}
    assert problems(df).empty
    assert list(problems(df).columns) == list(columns.PROBLEMS)


def test_athlete_option_and_defaults(fakes, tmp_path):
    f = write(tmp_path / "bob" / "x.fit", fake_bytes("fit", [run()]))
    with zipfile.ZipFile(tmp_path / "export_42.zip", "w") as zf:
        zf.writestr("y.fit", fake_bytes("fit", [run("2024-03-01T10:00:00Z")]))
    df = read_activities([f, tmp_path / "export_42.zip"])
    assert sorted(df["athlete"]) == ["bob", "export_42"]
    df = read_activities(tmp_path, athlete="Carol")
    assert set(df["athlete"]) == {"Carol"}


def test_gzip_same_id_counts_once(fakes, tmp_path):
    data = fake_bytes("fit", [run()])
    write(tmp_path / "a.fit", data)
    write(tmp_path / "copy" / "a.fit.gz", gzip.compress(data))
    df = read_activities(tmp_path)
    assert len(df) == 2
    assert df["activity_id"].nunique() == 1
    assert df["duplicate_of"].notna().sum() == 1
    kept = df[df["duplicate_of"].isna()]
    assert kept["source"].item() == str(tmp_path / "a.fit")
    assert inventory(df)["duplicates"] == 1


def test_problems_kinds_conservation_and_warning(fakes, tmp_path):
    write(tmp_path / "good.fit", fake_bytes("fit", [run()]))
    write(tmp_path / "salvaged.fit", fake_bytes(
        "fit", [run("2024-02-01T10:00:00Z")], problems=[["truncated", "ends early"]]))
    write(tmp_path / "crc.fit", fake_bytes("fit", **{"raise": ["bad_crc", "CRC mismatch"]}))
    write(tmp_path / "empty.gpx", b"")
    write(tmp_path / "route.gpx", fake_bytes("gpx", **{"not": "GPX route"}))
    write(tmp_path / "nothing.tcx", fake_bytes("tcx"))
    write(tmp_path / "bug.fit", fake_bytes("fit", crash=True))
    write(tmp_path / "track.kml", b"<kml/>")
    write(tmp_path / "notes.txt", b"hello")
    write(tmp_path / "photo.jpg", b"\xff\xd8\xff")
    write(tmp_path / "__MACOSX" / "._good.fit", b"junk")
    write(tmp_path / "._x.fit", b"junk")
    with pytest.warns(RunloadWarning, match=r"^6 of 8 files had problems") as record:
        df = read_activities(tmp_path)
    assert len(record) == 1
    assert "runload.problems(activities)" in str(record[0].message)
    probs = problems(df)
    kinds = dict(zip(probs["source"].map(os.path.basename), probs["kind"], strict=True))
    assert kinds == {"salvaged.fit": "truncated", "crc.fit": "bad_crc", "empty.gpx": "empty",
                     "nothing.tcx": "empty", "bug.fit": "unreadable",
                     "track.kml": "unsupported"}
    salvaged = dict(zip(probs["source"].map(os.path.basename), probs["salvaged"], strict=True))
    assert salvaged["salvaged.fit"] and not salvaged["crc.fit"]
    inv = inventory(df)
    assert inv["files_seen"] == inv["activity_files"] + inv["non_activity_files"] \
        + inv["problem_files"] == 8
    assert (inv["activity_files"], inv["non_activity_files"], inv["problem_files"]) == (2, 1, 5)
    assert inv["salvaged_files"] == 1
    assert inv["ignored_files"] == 2
    assert list(df["source"].map(os.path.basename)) == ["good.fit", "salvaged.fit"]


def test_warning_counts_files_per_kind(fakes, tmp_path):
    # one cut-off file with two truncated problems (the break, then the missing summary)
    write(tmp_path / "cut.fit", fake_bytes("fit", [run()], problems=[
        ["truncated", "the file ends at byte 6606"], ["truncated", "no session summary"]]))
    write(tmp_path / "phone.gpx", fake_bytes("gpx", **{"raise": ["malformed_xml", "no element"]}))
    write(tmp_path / "both.fit", fake_bytes("fit", [run("2024-02-01T10:00:00Z")], problems=[
        ["bad_crc", "checksum"], ["truncated", "ends at byte 10"]]))
    write(tmp_path / "good.fit", fake_bytes("fit", [run("2024-03-01T10:00:00Z")]))
    with pytest.warns(RunloadWarning) as record:
        df = read_activities(tmp_path)
    assert len(problems(df)) == 5
    assert str(record[0].message) == (
        "3 of 4 files had problems (truncated: 2 files, bad_crc: 1 file, "
        "malformed_xml: 1 file); see runload.problems(activities)")


def test_errors_modes(fakes, tmp_path):
    write(tmp_path / "a.fit", fake_bytes("fit", [run()]))
    write(tmp_path / "b.fit", fake_bytes("fit", **{"raise": ["bad_crc", "CRC mismatch"]}))
    write(tmp_path / "c.fit", b"")
    with pytest.raises(ReadError, match="CRC mismatch") as info:
        read_activities(tmp_path, errors="raise")
    assert info.value.kind == "bad_crc"
    assert info.value.source == str(tmp_path / "b.fit")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        df = read_activities(tmp_path, errors="skip")
    assert len(problems(df)) == 2 and len(df) == 1


def test_option_errors(tmp_path):
    with pytest.raises(ParameterError):
        read_activities(tmp_path, errors="ignore")
    with pytest.raises(ParameterError, match="time zone"):
        read_activities(tmp_path, tz="Mars/Olympus")
    with pytest.raises(ReadError, match="no such file"):
        read_activities(tmp_path / "missing")
    with pytest.raises(ParameterError):
        read_activities([])


def test_tz_kept_not_invented(fakes, tmp_path):
    write(tmp_path / "a.fit", fake_bytes("fit", [run(), run("2024-01-05T10:00:00Z",
                                                           utc_offset_s=3600)]))
    df = read_activities(tmp_path, tz="Europe/Paris")
    assert df.attrs["tz"] == "Europe/Paris"
    assert df["utc_offset_s"].isna().tolist() == [True, False]
    df = read_activities(tmp_path, tz={tmp_path.name: "America/New_York"})
    assert df.attrs["tz"] == {tmp_path.name: "America/New_York"}
    with pytest.raises(ParameterError):
        read_activities(tmp_path, tz={"x": "Nowhere/Land"})


def test_time_outside_nanosecond_range_is_nat(fakes, tmp_path):
    write(tmp_path / "a.fit", fake_bytes("fit", [run("2400-01-01T10:00:00Z"), run()]))
    df = read_quiet(tmp_path)
    assert str(df["start_time"].dtype) == "datetime64[ns, UTC]"
    assert df["start_time"].isna().tolist() == [False, True]
    assert problems(df)["kind"].tolist() == ["bad_time"]
    assert problems(df)["salvaged"].all()


def test_empty_folder(tmp_path):
    df = read_activities(tmp_path)
    assert df.empty and list(df.columns) == list(columns.ACTIVITIES)
    assert inventory(df)["files_seen"] == 0


def test_explicit_non_activity_file_is_unsupported(fakes, tmp_path):
    f = write(tmp_path / "photo.jpg", b"\xff\xd8\xff")
    df = read_quiet(f)
    assert problems(df)["kind"].tolist() == ["unsupported"]


def test_content_beats_extension(fakes, tmp_path):
    write(tmp_path / "really_a_gpx.fit", fake_bytes("gpx", [run()]))
    write(tmp_path / "noext", fake_bytes("tcx", [run("2024-02-01T10:00:00Z")]))
    write(tmp_path / "lying.fit.gz", fake_bytes("fit", [run("2024-03-01T10:00:00Z")]))
    df = read_activities(tmp_path)
    assert df["format"].tolist() == ["gpx", "tcx", "fit"]


def test_tcx_leading_whitespace_stripped(monkeypatch, tmp_path):
    seen = []

    def reader(data, *, source):
        seen.append(data[:1])
        return fake_reader(data, source=source)

    monkeypatch.setitem(ingest.READERS, "tcx", reader)
    write(tmp_path / "strava.tcx", b"  \r\n  " + fake_bytes("tcx", [run()]))
    df = read_activities(tmp_path)
    assert seen == [b"<"] and len(df) == 1


def test_entries_picklable_and_order_free(fakes, tmp_path, monkeypatch):
    for i in range(6):
        write(tmp_path / f"f{i}.fit", fake_bytes("fit", [run(f"2024-01-0{i + 1}T10:00:00Z")]))
    log = WalkLog()
    entries = list(walk(str(tmp_path), limits=Limits(), log=log))
    assert pickle.loads(pickle.dumps(entries)) == entries
    result = ingest.read_entry(entries[0])
    assert pickle.loads(pickle.dumps(result)) == result
    assert pickle.loads(pickle.dumps(ingest.read_entry)) is ingest.read_entry
    forward = read_activities(tmp_path)
    original = ingest._read_entries

    def shuffled(entries, *, progress=False, options=ingest.IN_PROCESS):
        out = original(entries, progress=progress, options=options)
        random.Random(1).shuffle(out)
        return out

    monkeypatch.setattr(ingest, "_read_entries", shuffled)
    pd.testing.assert_frame_equal(read_activities(tmp_path), forward)


def test_progress_on_stderr(fakes, tmp_path, capsys):
    write(tmp_path / "a.fit", fake_bytes("fit", [run()]))
    read_activities(tmp_path, progress=True)
    captured = capsys.readouterr()
    assert "reading activity files" in captured.err and captured.out == ""


def test_non_recursive(fakes, tmp_path):
    write(tmp_path / "a.fit", fake_bytes("fit", [run()]))
    write(tmp_path / "sub" / "b.fit", fake_bytes("fit", [run("2024-02-01T10:00:00Z")]))
    assert len(read_activities(tmp_path, recursive=False)) == 1
    assert len(read_activities(tmp_path)) == 2


def test_reader_missing_is_a_problem_not_a_crash(monkeypatch, tmp_path):
    monkeypatch.setitem(ingest.READERS, "fit", "runload.io.no_such_module:parse_fit")
    write(tmp_path / "a.fit", fake_bytes("fit", [run()]))
    df = read_quiet(tmp_path)
    assert problems(df)["kind"].tolist() == ["unsupported"]


def test_read_track_file_member_nested_and_errors(fakes, tmp_path):
    data = fake_bytes("fit", [run(), run()])
    f = write(tmp_path / "a.fit.gz", gzip.compress(data))
    assert len(read_track(f)) == 3
    inner = tmp_path / "inner.zip"
    with zipfile.ZipFile(inner, "w") as zf:
        zf.writestr("act/x.fit", data)
    with zipfile.ZipFile(tmp_path / "outer.zip", "w") as zf:
        zf.write(inner, "inner.zip")
        zf.writestr("y.gpx.gz", gzip.compress(fake_bytes("gpx", [run()])))
    track = read_track(f"{tmp_path / 'outer.zip'}!inner.zip!act/x.fit")
    assert list(track.columns) == list(columns.TRACK)
    assert track["distance_m"].tolist() == [0.0, 10.0, 20.0]
    assert len(read_track(f"{tmp_path / 'outer.zip'}!y.gpx.gz")) == 2
    df = read_activities(tmp_path / "outer.zip")
    for source in df["source"]:
        assert len(read_track(source)) >= 2
    with pytest.raises(ReadError, match="no such member"):
        read_track(f"{tmp_path / 'outer.zip'}!nope.fit")
    with pytest.raises(ReadError, match="no such file"):
        read_track(tmp_path / "missing.fit")
    with pytest.raises(ReadError):
        read_track(write(tmp_path / "x.txt", b"hello"))


def test_read_entry_refusal_and_direct(fakes, tmp_path):
    entry = Entry("x.zip!../e", "x.zip", refusal=("unsafe", "climbs out"))
    result = ingest.read_entry(entry)
    assert result.status == "problem" and result.problems[0]["kind"] == "unsafe"
    data = fake_bytes("fit", [run()])
    result = ingest.read_entry(Entry("mem!a.fit", "mem", data=data))
    assert result.status == "activity"
    assert result.activities[0]["activity_id"] == ingest.activity_hash(data)


SMALL = [
    fake_bytes("fit", [run("2024-01-01T10:00:00Z", 5000)]),
    fake_bytes("gpx", [run("2024-01-01T10:00:30Z", 5100)]),
    fake_bytes("tcx", [run("2024-01-02T10:00:00Z", 8000)]),
    fake_bytes("fit", [run("2024-01-03T10:00:00Z", 1000, 600, "swimming"),
                       run("2024-01-03T10:11:00Z", 20000, 3000, "cycling")]),
    fake_bytes("gpx", **{"not": "route"}),
    fake_bytes("fit", problems=[["truncated", "x"]], acts=[run("2024-01-04T10:00:00Z")]),
    fake_bytes("tcx", **{"raise": ["malformed_xml", "bad"]}),
]


def _ext(data: bytes) -> str:
    if data[8:12] == b".FIT":
        return ".fit"
    return ".gpx" if b"<gpx>" in data else ".tcx"


def _canon(df: pd.DataFrame) -> pd.DataFrame:
    out = df.sort_values(["start_time", "source", "activity_id"]).drop(
        columns=["source", "athlete"]).reset_index(drop=True)
    out.attrs = {}
    return out


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(picks=st.lists(st.integers(0, len(SMALL) - 1), min_size=1, max_size=6),
       seed=st.integers(0, 10**6), gz=st.lists(st.booleans(), min_size=6, max_size=6))
def test_folder_equals_concat_of_files(fakes, tmp_path_factory, picks, seed, gz):
    """Reading a folder = deduplicating the concatenation of reading each file alone."""
    folder = tmp_path_factory.mktemp("prop")
    rng = random.Random(seed)
    names = []
    for n, i in enumerate(picks):
        data = SMALL[i]
        name = f"{rng.randrange(10**6)}_{n}{_ext(data)}"
        if gz[n]:
            data, name = gzip.compress(data), name + ".gz"
        sub = rng.choice(["", "a", "a/b"])
        names.append(write(folder / sub / name, data))
    rng.shuffle(names)
    whole = read_quiet(folder, athlete="x")
    parts = [read_quiet(p, athlete="x") for p in names]
    frames = [p for p in parts if len(p)]
    concat = pd.concat(frames, ignore_index=True) if frames else columns.empty(columns.ACTIVITIES)
    expected = mark_duplicates(columns.conform(concat, columns.ACTIVITIES))
    pd.testing.assert_frame_equal(_canon(whole), _canon(expected), check_dtype=False)
    inv = inventory(whole)
    assert inv["files_seen"] == sum(inventory(p)["files_seen"] for p in parts)
    assert len(problems(whole)) == sum(len(problems(p)) for p in parts)
    shutil.rmtree(folder)


def test_assemble_activities_is_read_activities_in_two_steps(fakes, tmp_path):
    """Reading the walk's entries yourself (as a cluster does) and assembling them gives
    the same table, problems and inventory as read_activities."""
    folder = tmp_path / "dana"
    write(folder / "a.fit", fake_bytes("fit", [run("2024-01-02T10:00:00Z")]))
    write(folder / "b.gpx", fake_bytes("gpx", [run("2024-01-02T10:00:05Z", 5010)]))
    write(folder / "bad.fit", fake_bytes("fit", **{"raise": ["bad_crc", "CRC mismatch"]}))
    write(folder / "notes.txt", b"hello")
    expected = read_quiet(folder, cache=False)
    log = WalkLog()
    entries = list(walk(str(folder), limits=Limits(), log=log, origin=0))
    results = [ingest.read_entry(entry) for entry in entries]
    got = ingest.assemble_activities(results, athletes=[ingest.default_athlete(folder)],
                                     logs=[log])
    pd.testing.assert_frame_equal(got, expected)
    assert got.attrs["problems"] == expected.attrs["problems"]
    assert inventory(got) == inventory(expected)
    assert inventory(got)["duplicates"] == 1 and len(problems(got)) == 1


def test_default_athlete(tmp_path):
    (tmp_path / "erin").mkdir()
    assert ingest.default_athlete(tmp_path / "erin") == "erin"
    assert ingest.default_athlete(tmp_path / "export_7.zip") == "export_7"
    assert ingest.default_athlete(tmp_path / "export_7.ZIP.gz") == "export_7"
    assert ingest.default_athlete(tmp_path / "erin" / "run.fit") == "erin"


# --- engine="dask" without dask: the same error, cached or not ----------------------------


def test_dask_engine_without_dask_fails_upfront_cached_or_not(fakes, tmp_path, monkeypatch):
    import sys

    folder = tmp_path / "ida"
    write(folder / "a.fit", fake_bytes("fit", [run("2024-01-02T10:00:00Z")]))
    read_quiet(folder)  # warm the cache: nothing would reach dask
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed fails
    messages = []
    for cache in (True, False):
        with pytest.raises(ParameterError) as info:
            read_activities(folder, engine="dask", cache=cache)
        messages.append(str(info.value))
    assert messages[0] == messages[1]
    assert "runload[cluster]" in messages[0]


# --- an impossible speed is a bad_time problem, not a ride ---------------------------------


def test_gpx_with_times_on_few_points_is_bad_time_not_a_ride(tmp_path, corpus):
    # gpxpy's cerknicko-without-times: 5 of 296 points timed, 4.6 km "in 57 s"
    path = corpus / "gpx" / "gpxpy__cerknicko-without-times.gpx"
    shutil.copy(path, tmp_path / path.name)
    with pytest.warns(RunloadWarning, match="bad_time: 1 file"):
        activities = read_activities(tmp_path)
    (row,) = activities.to_dict("records")
    assert row["sport"] != "cycling"
    assert row["sport"] == "other" and row["sport_inferred"]
    (problem,) = problems(activities).to_dict("records")
    assert problem["kind"] == "bad_time" and problem["salvaged"]
    assert "only part of the track" in problem["message"]
    assert inventory(activities)["salvaged_files"] == 1
    # the same track with all its times: no problem
    shutil.copy(corpus / "gpx" / "gpxpy__cerknicko-jezero.gpx", tmp_path / path.name)
    full = read_activities(tmp_path, cache=False)
    assert len(problems(full)) == 0

"""The summary cache: warm runs read nothing, changed files are re-read, same results."""

from __future__ import annotations

import os
import shutil

import pandas as pd
import pytest

import runload
from runload import columns
from runload.io import cache
from runload.io.archives import Limits, WalkLog, walk
from runload.io.cache import (
    CACHE_ENV,
    CACHE_FILE,
    clear_cache,
    read_cached,
    resolve_cache_dir,
    settings_key,
)
from runload.io.ingest import read_entry

FILES = [
    "fit/fitparse__Activity.fit",
    "fit/fitparse__garmin-fenix-5-run.fit",
    "fit/fitparse__Settings.fit",
    "broken/fitparse__activity-filecrc.fit",
    "broken/fitparse__activity-unexpected-eof.fit",
    "gpx/gpxpy__around-visnjan-with-car.gpx",
]


@pytest.fixture()
def history(corpus, tmp_path):
    folder = tmp_path / "history"
    folder.mkdir()
    for name in FILES:
        shutil.copy(corpus / name, folder / name.split("/")[-1])
    return folder


def _entries(folder):
    return list(walk(str(folder), limits=Limits(), log=WalkLog()))


class Recorder:
    """A map function that remembers which files it was asked to read."""

    def __init__(self):
        self.sources = []

    def __call__(self, func, items):
        self.sources.extend(item.source for item in items)
        return [func(item) for item in items]


def _table(results):
    rows = [row for r in results for row in r.activities]
    frame = columns.conform(pd.DataFrame(rows), columns.ACTIVITIES, extra=False)
    return frame.reset_index(drop=True)


def _same(got, expected):
    assert [(r.source, r.status, r.problems, r.note, r.origin) for r in got] == [
        (r.source, r.status, r.problems, r.note, r.origin) for r in expected
    ]
    pd.testing.assert_frame_equal(_table(got), _table(expected))


def test_cold_then_warm(history, tmp_path):
    entries = _entries(history)
    expected = [read_entry(e) for e in entries]
    store = tmp_path / "cache"
    cold = Recorder()
    _same(read_cached(entries, cache_dir=store, map_func=cold), expected)
    assert sorted(cold.sources) == sorted(e.source for e in entries)
    assert (store / CACHE_FILE).is_file()
    warm = Recorder()
    _same(read_cached(entries, cache_dir=store, map_func=warm), expected)
    assert warm.sources == []


def test_changed_and_new_files_are_read_again(history, corpus, tmp_path):
    store = tmp_path / "cache"
    read_cached(_entries(history), cache_dir=store)
    changed = history / "fitparse__Activity.fit"
    changed.write_bytes(changed.read_bytes()[:-10])  # now truncated
    shutil.copy(corpus / "fit/fitparse__garmin-fenix-5-walk.fit", history / "new.fit")
    entries = _entries(history)
    again = Recorder()
    got = read_cached(entries, cache_dir=store, map_func=again)
    assert sorted(again.sources) == sorted([str(changed), str(history / "new.fit")])
    _same(got, [read_entry(e) for e in entries])


def test_verify_catches_a_change_that_keeps_size_and_mtime(history, tmp_path):
    store = tmp_path / "cache"
    read_cached(_entries(history), cache_dir=store)
    path = history / "fitparse__garmin-fenix-5-run.fit"
    stat = path.stat()
    data = bytearray(path.read_bytes())
    data[100] ^= 0xFF
    path.write_bytes(bytes(data))
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    plain = Recorder()
    read_cached(_entries(history), cache_dir=store, map_func=plain)
    assert plain.sources == []  # size + mtime say unchanged: trusted
    checked = Recorder()
    got = read_cached(_entries(history), cache_dir=store, map_func=checked, verify=True)
    assert checked.sources == [str(path)]
    _same(got, [read_entry(e) for e in _entries(history)])


def test_new_version_or_settings_invalidate(history, tmp_path, monkeypatch):
    store = tmp_path / "cache"
    entries = _entries(history)
    read_cached(entries, cache_dir=store)
    other = Recorder()
    read_cached(entries, cache_dir=store, map_func=other, settings=settings_key(Limits()))
    assert len(other.sources) == len(entries)
    monkeypatch.setattr(runload, "__version__", "99.0")
    bumped = Recorder()
    read_cached(entries, cache_dir=store, map_func=bumped)
    assert len(bumped.sources) == len(entries)


def test_location(tmp_path, monkeypatch):
    monkeypatch.delenv(CACHE_ENV, raising=False)
    default = resolve_cache_dir()
    assert "runload" in str(default).lower()
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "env"))
    assert resolve_cache_dir() == tmp_path / "env"
    assert resolve_cache_dir(tmp_path / "arg") == tmp_path / "arg"


def test_clear_and_corrupt_cache(history, tmp_path):
    store = tmp_path / "cache"
    entries = _entries(history)
    read_cached(entries, cache_dir=store)
    (store / CACHE_FILE).write_bytes(b"not parquet")
    again = Recorder()
    _same(read_cached(entries, cache_dir=store, map_func=again), [read_entry(e) for e in entries])
    assert len(again.sources) == len(entries)
    assert clear_cache(store) is True
    assert clear_cache(store) is False


def test_hash_is_stored(history, tmp_path):
    store = tmp_path / "cache"
    entries = _entries(history)
    read_cached(entries, cache_dir=store)
    stored = cache._load(store / CACHE_FILE, runload.__version__)
    import hashlib

    for entry in entries:
        key = (entry.source, *os.stat(entry.path)[6:7], os.stat(entry.path).st_mtime_ns, "")
        record = stored[key]
        assert record["sha256"] == hashlib.sha256(open(entry.path, "rb").read()).hexdigest()


def test_unwritable_cache_warns_and_still_reads(history, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    entries = _entries(history)
    with pytest.warns(runload.RunloadWarning, match="cannot write the summary cache"):
        got = read_cached(entries, cache_dir=blocker / "cache")
    _same(got, [read_entry(e) for e in entries])


def test_mixed_naive_and_aware_start_times_are_cached(corpus, tmp_path, monkeypatch):
    from runload.io import ingest
    from runload.io.parsed import Parsed

    folder = tmp_path / "gpx"
    folder.mkdir()
    for i in range(2):
        shutil.copy(corpus / "gpx/gpxpy__around-visnjan-with-car.gpx", folder / f"{i}.gpx")

    def fake(data, *, source):
        naive = source.endswith("0.gpx")
        start = pd.Timestamp("2024-05-01 07:00") if naive else pd.Timestamp("2024-05-02 07:00Z")
        return Parsed(
            [{"format": "gpx", "sport": "running", "start_time": start, "distance_m": 5000.0}], []
        )

    monkeypatch.setitem(ingest.READERS, "gpx", fake)
    entries = _entries(folder)
    store = tmp_path / "cache"
    cold = read_cached(entries, cache_dir=store)
    warm = Recorder()
    got = read_cached(entries, cache_dir=store, map_func=warm)
    assert warm.sources == []
    _same(got, cold)


def test_stale_temporary_files_are_removed(history, tmp_path):
    store = tmp_path / "cache"
    store.mkdir()
    stale = store / ".killed-writer.tmp"
    stale.write_bytes(b"")
    os.utime(stale, (1_000_000_000, 1_000_000_000))
    fresh = store / ".running-writer.tmp"
    fresh.write_bytes(b"")
    read_cached(_entries(history), cache_dir=store)
    assert not stale.exists()
    assert fresh.exists()


def test_changed_reader_code_invalidates(history, tmp_path, monkeypatch):
    """A reader changed without a new version number must not serve stale summaries."""
    from runload.io import cache as cache_module

    store = tmp_path / "cache"
    entries = _entries(history)
    key = settings_key(Limits())
    read_cached(entries, cache_dir=store, settings=key)
    same = Recorder()
    read_cached(entries, cache_dir=store, map_func=same, settings=settings_key(Limits()))
    assert same.sources == []
    monkeypatch.setattr(cache_module, "reader_fingerprint", lambda: "changed-code")
    assert settings_key(Limits()) != key
    changed = Recorder()
    read_cached(entries, cache_dir=store, map_func=changed, settings=settings_key(Limits()))
    assert len(changed.sources) == len(entries)


def test_read_activities_cache_verify(history, tmp_path):
    """``cache='verify'`` notices a file rewritten with the same size and mtime; the plain
    cache trusts size and mtime (the documented trade-off)."""
    import warnings

    store = tmp_path / "cache"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", runload.RunloadWarning)
        runload.read_activities(history, cache=True, cache_dir=store, workers=1)
        source = history / "fitparse__garmin-fenix-5-run.fit"
        other = history / "fitparse__Activity.fit"
        stat = source.stat()
        swapped = other.read_bytes()[: stat.st_size].ljust(stat.st_size, b"\0")
        source.write_bytes(swapped)  # another activity's bytes, same size, same mtime
        os.utime(source, ns=(stat.st_atime_ns, stat.st_mtime_ns))
        trusted = runload.read_activities(history, cache=True, cache_dir=store, workers=1)
        verified = runload.read_activities(history, cache="verify", cache_dir=store, workers=1)
        fresh = runload.read_activities(history, cache=False, workers=1)
    pd.testing.assert_frame_equal(verified, fresh)
    assert not trusted.equals(fresh)
    with pytest.raises(runload.errors.ParameterError, match="cache must be"):
        runload.read_activities(history, cache="always")

"""The process pool returns the same results, in the same order, for any worker count."""

from __future__ import annotations

import threading

import pytest

from runload.errors import ParameterError
from runload.io.archives import Limits, WalkLog, walk
from runload.io.ingest import read_entry
from runload.io.pool import default_workers, map_files

SMALL = [
    "fit/fitparse__Activity.fit",
    "fit/fitparse__garmin-fenix-5-run.fit",
    "fit/fitparse__garmin-fenix-5-walk.fit",
    "fit/fitparse__Settings.fit",
    "broken/fitparse__activity-filecrc.fit",
    "broken/fitparse__activity-unexpected-eof.fit",
    "broken/goldencheetah__MetadataOnly.gpx",
    "gpx/gpxpy__around-visnjan-with-car.gpx",
]


@pytest.fixture(scope="module")
def entries(corpus):
    found = []
    for name in SMALL:
        found.extend(walk(str(corpus / name), limits=Limits(), log=WalkLog()))
    return found


def _same(got, expected):
    """Equal FileResults (NaN == NaN: pickling gives NaNs that are not the same object)."""
    assert [(r.source, r.status, r.problems, r.note, r.origin) for r in got] == [
        (r.source, r.status, r.problems, r.note, r.origin) for r in expected
    ]
    for a, b in zip(got, expected, strict=True):
        assert repr(a.activities) == repr(b.activities)


def test_same_results_in_order_whatever_the_workers(entries):
    one = map_files(read_entry, entries, workers=1)
    assert [r.source for r in one] == [e.source for e in entries]
    _same(map_files(read_entry, entries, workers=2, chunksize=1), one)
    _same(map_files(read_entry, entries * 2, workers=3), one * 2)


def test_small_batches_and_defaults():
    assert map_files(abs, [], workers=4) == []
    assert map_files(abs, range(-3, 0)) == [3, 2, 1]
    assert default_workers() >= 1


def test_pool_with_threads_running():
    """A caller with threads (Jupyter, Dask) gets forkserver workers, same results."""
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait, daemon=True)
    thread.start()
    try:
        assert map_files(abs, range(-40, 0), workers=2) == list(range(40, 0, -1))
    finally:
        stop.set()
        thread.join()


@pytest.mark.parametrize("bad", [0, -1, 1.5, "2"])
def test_bad_worker_counts(bad):
    with pytest.raises(ParameterError):
        map_files(abs, [1], workers=bad)
    with pytest.raises(ParameterError):
        map_files(abs, [1], workers=1, chunksize=bad)

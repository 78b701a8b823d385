"""The inputs fuzzing found, kept: each once escaped as a non-runload exception.

The files are in ``tests/data/hostile/`` (written by its ``make_hostile.py``, which says
what each one broke). Read one by one and as a folder, they must give rows or problem
rows, and the pain logs a :class:`runload.errors.PainLogError`.
"""

from __future__ import annotations

import io
import warnings

import pytest
from conftest import TEST_DATA

from runload import inventory, problems, read_activities, read_pain_log
from runload.errors import PainLogError, ReadError, RunloadWarning
from runload.io.fit import fit_track, parse_fit
from runload.io.gpx import parse_gpx
from runload.io.tcx import parse_tcx

HOSTILE = TEST_DATA / "hostile"
READERS = {".fit": (parse_fit, fit_track), ".gpx": (parse_gpx,), ".tcx": (parse_tcx,)}


@pytest.mark.parametrize("path", sorted(p for p in HOSTILE.iterdir() if p.suffix in READERS),
                         ids=lambda p: p.name)
def test_each_file_gives_rows_or_a_read_error(path):
    for reader in READERS[path.suffix]:
        try:
            reader(path.read_bytes(), source=path.name)
        except ReadError as exc:
            assert exc.kind and exc.source == path.name


def test_the_folder_is_read_and_every_file_accounted_for():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RunloadWarning)
        activities = read_activities(HOSTILE)
    inv = inventory(activities)
    assert inv["files_seen"] == 6  # fit, gpx, tcx, and the three zips' members / the zip
    assert inv["files_seen"] == (inv["activity_files"] + inv["non_activity_files"]
                                 + inv["problem_files"])
    kinds = problems(activities).set_index("source")["kind"].to_dict()
    assert kinds[str(HOSTILE / "zip_unknown_version.zip")] == "malformed"
    assert kinds[str(HOSTILE / "fit_declared_size_short.fit")] == "malformed"
    sources = set(activities["source"])
    assert str(HOSTILE / "tcx_lap_time_overflow.tcx") in sources
    assert str(HOSTILE / "zip_empty_member_name.zip") + "!" in sources
    assert str(HOSTILE / "zip_lying_compressed_size.zip") + "!inner.zip!run.fit" in sources


def test_members_are_read_in_chunks_whatever_their_declared_size():
    """One read(cap + 1) allocates cap + 1 bytes up front: 8 GiB for a nested archive."""
    from runload.io.archives import read_capped

    class Recorder(io.BytesIO):
        asked: list[int] = []

        def read(self, n=-1):
            self.asked.append(n)
            return super().read(n)

    data = bytes(range(256)) * 20_000
    fh = Recorder(data)
    assert read_capped(fh, 8 * 2**30) == data
    assert max(fh.asked) <= 2**20
    assert read_capped(Recorder(data), 1000) == data[:1001]  # one past the cap: refused


@pytest.mark.parametrize(("name", "message"), [("pain_utf16_odd.csv", "UTF-16"),
                                               ("pain_year_3024.csv", "in the future")])
def test_hostile_pain_logs(name, message):
    with pytest.raises(PainLogError, match=message):
        read_pain_log(HOSTILE / "pain" / name, today="2030-01-01")


def test_the_long_fuzz_run_runs(tmp_path):
    """benchmarks/fuzz.py with a tiny budget: every target is exercised, nothing fails."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("fuzz", TEST_DATA.parents[1] / "benchmarks"
                                                  / "fuzz.py")
    fuzz = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(fuzz)
    summary = fuzz.fuzz(budget=18, seconds=None, seed=3, targets=fuzz.TARGETS, timeout=120,
                        crashes=tmp_path / "crashes", memory_mb=0, log_every=0)
    assert summary["cases"] == 18
    assert summary["failures"] == 0, summary["failure_kinds"]
    assert sum(sum(c.values()) for c in summary["per_target"].values()) == 18

"""Proof that nothing is lost: every file is an activity, non-activity or problem file.

``runload.inventory(activities)`` counts the files a run met; they must conserve::

    files_seen == activity_files + non_activity_files + problem_files

and ``files_seen`` must equal the activity-file candidates counted independently here
(``.fit``/``.gpx``/``.tcx``/``.gz``/unsupported activity formats, and the same inside
zips, nested zips included). Checked over the whole shared corpus, over a folder with
injected broken files, over the same folder zipped, over random mixtures (hypothesis),
and on the command line, which prints the line.
"""

from __future__ import annotations

import gzip
import io
import os
import random
import shutil
import warnings
import zipfile
from pathlib import Path

import pytest
from conftest import TEST_DATA
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from runload import cli, inventory, problems, read_activities
from runload.columns import PROBLEM_KINDS
from runload.errors import RunloadWarning
from runload.io.archives import is_junk
from runload.io.sniff import ACTIVITY_EXTENSIONS, UNSUPPORTED_EXTENSIONS, extension
from runload.report import conservation_line

COUNTED = ("files_seen", "activity_files", "non_activity_files", "problem_files")


def read_quietly(source, **options):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RunloadWarning)
        return read_activities(source, **options)


def conserves(activities) -> dict[str, int]:
    """The inventory, after checking that it conserves and agrees with the tables."""
    inv = inventory(activities)
    seen, act, non, bad = (inv[k] for k in COUNTED)
    assert seen == act + non + bad, inv
    table = problems(activities)
    assert set(table["kind"]) <= set(PROBLEM_KINDS)
    # every activity file has rows, every problem file has a problem row
    assert activities["source"].nunique() == act
    unsalvaged = set(table.loc[~table["salvaged"], "source"])
    salvaged = set(table.loc[table["salvaged"], "source"])
    assert len(unsalvaged) == bad
    assert unsalvaged.isdisjoint(set(activities["source"]))
    assert salvaged <= set(activities["source"])
    assert inv["salvaged_files"] == len(salvaged)
    assert inv["activities"] == len(activities)
    return inv


def _candidate(name: str) -> bool:
    ext = extension(name)
    low = name.lower()
    return (ext in ACTIVITY_EXTENSIONS or ext in UNSUPPORTED_EXTENSIONS or low.endswith(".gz")
            or low.endswith(".zip"))


def count_candidates(root: Path) -> int:
    """Activity-file candidates under ``root``, zips opened (independent of runload)."""

    def in_zip(data: bytes) -> int:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            total = 0
            for info in zf.infolist():
                if info.is_dir() or is_junk(info.filename) or not _candidate(info.filename):
                    continue
                nested = info.filename.lower().endswith(".zip")
                total += in_zip(zf.read(info)) if nested else 1
            return total

    total = 0
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if not d.startswith(".") and d != "__MACOSX"]
        for name in filenames:
            if is_junk(name) or not _candidate(name):
                continue
            path = Path(dirpath) / name
            total += in_zip(path.read_bytes()) if name.lower().endswith(".zip") else 1
    return total


# --- the whole corpus ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def corpus_read(corpus):
    return read_quietly(corpus)


def test_whole_corpus_conserves(corpus, corpus_read):
    inv = conserves(corpus_read)
    assert inv["files_seen"] == count_candidates(corpus)
    assert inv["activity_files"] > 60 and inv["problem_files"] >= 1
    # every file of the broken folder is named in the activities or the problems
    broken = {p.name for p in (corpus / "broken").iterdir()}
    named = set(problems(corpus_read)["source"].map(os.path.basename))
    named |= set(corpus_read["source"].map(os.path.basename))
    assert broken <= named


# --- a folder with injected broken files ------------------------------------------------


def _good_files() -> dict[str, bytes]:
    return {
        "run.fit": (TEST_DATA / "fit" / "offset_plus10h.fit").read_bytes(),
        "trail.gpx": (TEST_DATA / "gpx" / "two_segments.gpx").read_bytes(),
        "laps.tcx": (TEST_DATA / "tcx" / "bom_whitespace_two_laps.tcx").read_bytes(),
    }


def injected_folder(root: Path, rng: random.Random) -> dict[str, int]:
    """Write good files, broken copies and junk; return the expected inventory."""
    root.mkdir(parents=True, exist_ok=True)
    good = _good_files()
    for name, data in good.items():
        (root / name).write_bytes(data)
    # truncated copies: FIT salvages the start, XML keeps nothing
    fit = good["run.fit"]
    (root / "cut_half.fit").write_bytes(fit[: len(fit) // 2])
    (root / "cut_header.fit").write_bytes(fit[:10])
    (root / "cut.gpx").write_bytes(good["trail.gpx"][:300])
    (root / "cut.tcx").write_bytes(good["laps.tcx"][:500])
    # random bytes under activity names, and empty files
    for ext in (".fit", ".gpx", ".tcx"):
        (root / f"random{ext}").write_bytes(bytes(rng.randrange(1, 256) for _ in range(777)))
        (root / f"empty{ext}").write_bytes(b"")
    (root / "empty.fit.gz").write_bytes(gzip.compress(b""))
    (root / "run.fit.gz").write_bytes(gzip.compress(fit))  # same bytes: a duplicate, still seen
    # a zip with a good member, a corrupt member and a traversal name
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("ok.gpx", good["trail.gpx"])
        zf.writestr("bad.fit", fit)
        zf.writestr("../escape.tcx", good["laps.tcx"])
    data = bytearray(buf.getvalue())
    start = data.find(b"bad.fit") + len(b"bad.fit")  # local header name -> its data
    for i in range(start + 5, start + 40):
        data[i] ^= 0xA5
    (root / "bundle.zip").write_bytes(bytes(data))
    # a route (non-activity), an unsupported format, and files that are not counted
    (root / "route.gpx").write_text(
        '<?xml version="1.0"?><gpx version="1.1" creator="r" '
        'xmlns="http://www.topografix.com/GPX/1/1"><rte><rtept lat="1" lon="2"/></rte></gpx>')
    (root / "track.kml").write_text("<kml/>")
    (root / "notes.txt").write_text("easy week")
    (root / "photo.jpg").write_bytes(b"\xff\xd8\xff\xe0")
    (root / "._run.fit").write_bytes(b"resource fork")
    activity = 3 + 1 + 1 + 1  # good, cut_half.fit salvaged, run.fit.gz, bundle!ok.gpx
    non = 1
    problem = 1 + 2 + 3 + 3 + 1 + 2 + 1  # cut_header, cut xml, random, empty, empty gz,
    # bundle: bad.fit + ../escape.tcx; track.kml
    return {"files_seen": activity + non + problem, "activity_files": activity,
            "non_activity_files": non, "problem_files": problem}


def test_injected_folder_conserves_exactly(tmp_path):
    expected = injected_folder(tmp_path / "runner", random.Random(1))
    activities = read_quietly(tmp_path / "runner")
    inv = conserves(activities)
    assert {k: inv[k] for k in COUNTED} == expected
    assert inv["files_seen"] == count_candidates(tmp_path / "runner")
    assert inv["ignored_files"] == 2  # notes.txt, photo.jpg (the ._ fork is junk)
    kinds = problems(activities).set_index("source")["kind"]
    root = str(tmp_path / "runner")
    assert kinds[f"{root}/bundle.zip!../escape.tcx"] == "unsafe"
    assert kinds[f"{root}/empty.fit"] == "empty"
    assert kinds[f"{root}/track.kml"] == "unsupported"
    assert inv["duplicates"] >= 1  # run.fit.gz is the same run as run.fit
    assert list((tmp_path / "runner").parent.iterdir()) == [tmp_path / "runner"]  # wrote nothing


def test_the_same_folder_zipped_conserves_the_same(tmp_path):
    expected = injected_folder(tmp_path / "runner", random.Random(2))
    archive = shutil.make_archive(str(tmp_path / "export"), "zip", tmp_path / "runner")
    activities = read_quietly(archive)
    inv = conserves(activities)
    # the zip's own junk handling matches the folder's; the nested bundle.zip is walked
    assert {k: inv[k] for k in COUNTED} == expected
    assert activities["source"].str.startswith(archive + "!").all()


# --- random mixtures -------------------------------------------------------------------------

POOL = {
    "good.fit": "activity", "good.gpx": "activity", "good.tcx": "activity",
    "half.fit": "activity", "header.fit": "problem", "cut.gpx": "problem",
    "noise.fit": "problem", "noise.gpx": "problem", "noise.tcx": "problem",
    "empty.fit": "problem", "empty.tcx": "problem", "route.gpx": "non_activity",
    "other.kml": "problem", "readme.txt": "ignored", "good.fit.gz": "activity",
}


def _pool_bytes(name: str, rng: random.Random) -> bytes:
    good = _good_files()
    stem, ext = name.split(".", 1)
    if stem == "good":
        base = {"fit": "run.fit", "gpx": "trail.gpx", "tcx": "laps.tcx"}[ext.split(".")[0]]
        data = good[base]
        return gzip.compress(data) if ext.endswith(".gz") else data
    if name == "half.fit":
        return good["run.fit"][:300]
    if name == "header.fit":
        return good["run.fit"][:13]
    if name == "cut.gpx":
        return good["trail.gpx"][: rng.randrange(1, 400)]
    if stem == "noise":
        return bytes(rng.randrange(1, 256) for _ in range(rng.randrange(1, 600)))
    if stem == "empty":
        return b""
    if name == "route.gpx":
        return (b'<gpx xmlns="http://www.topografix.com/GPX/1/1"><rte>'
                b'<rtept lat="1" lon="1"/></rte></gpx>')
    return b"text"


@settings(max_examples=8, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(names=st.lists(st.sampled_from(sorted(POOL)), min_size=1, max_size=10),
       seed=st.integers(0, 2**16), zipped=st.booleans())
def test_random_mixtures_conserve(tmp_path_factory, names, seed, zipped):
    rng = random.Random(seed)
    root = tmp_path_factory.mktemp("mix")
    folder = root / "athlete"
    folder.mkdir()
    expected = {"activity": 0, "non_activity": 0, "problem": 0, "ignored": 0}
    for i, name in enumerate(names):
        path = folder / f"{i:02d}_{name}"
        path.write_bytes(_pool_bytes(name, rng))
        expected[POOL[name]] += 1
    source = shutil.make_archive(str(root / "athlete"), "zip", folder) if zipped else folder
    inv = conserves(read_quietly(source))
    assert (inv["activity_files"], inv["non_activity_files"], inv["problem_files"],
            inv["ignored_files"]) == (expected["activity"], expected["non_activity"],
                                      expected["problem"], expected["ignored"])


# --- the command line and the report print the line -----------------------------------------


def test_cli_prints_the_conservation_line(tmp_path, capsys):
    injected_folder(tmp_path / "runner", random.Random(3))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        code = cli.main(["activities", str(tmp_path / "runner")])
    out = capsys.readouterr()
    assert code == 0
    text = out.out + out.err
    expected = injected_folder(tmp_path / "again", random.Random(3))
    line = (f"files seen {expected['files_seen']} = activity files "
            f"{expected['activity_files']} + non-activity files "
            f"{expected['non_activity_files']} + problem files {expected['problem_files']}")
    assert line in text
    assert "MISMATCH" not in text


def test_conservation_line_says_mismatch():
    good = {"files_seen": 3, "activity_files": 1, "non_activity_files": 1, "problem_files": 1}
    assert conservation_line(good) == (
        "files seen 3 = activity files 1 + non-activity files 1 + problem files 1 (nothing kept)")
    assert conservation_line({**good, "salvaged_files": 1}).endswith(
        "(nothing kept); 1 activity file read in part")
    assert "MISMATCH" in conservation_line({**good, "files_seen": 4})

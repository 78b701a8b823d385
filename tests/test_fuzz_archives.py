"""Hostile archives, generated: member names, nesting, sizes, corrupt bytes.

Hypothesis builds zips (and gzip layers) from a hostile alphabet — ``../`` and absolute
names, empty and NUL names, backslashes, nested zips, ``__MACOSX`` junk, duplicate
names, corrupt or truncated bytes — and reads them with :func:`runload.read_activities`.
It must never raise (only warn), never write a file, conserve the inventory and refuse
every unsafe name. The long version is ``benchmarks/fuzz.py --targets archive``.
"""

from __future__ import annotations

import gzip
import io
import os
import warnings
import zipfile

from conftest import TEST_DATA
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from runload import inventory, problems, read_activities
from runload.columns import PROBLEM_KINDS
from runload.errors import RunloadWarning
from runload.io.archives import unsafe_member_name

FIT = (TEST_DATA / "fit" / "offset_plus10h.fit").read_bytes()
GPX = (TEST_DATA / "gpx" / "meridian_3pt.gpx").read_bytes()
TCX = (TEST_DATA / "tcx" / "bom_whitespace_two_laps.tcx").read_bytes()
FUZZ = settings(max_examples=15, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])

NAMES = st.one_of(
    st.sampled_from(["run.fit", "a/b/run.gpx", "x.tcx", "../up.fit", "../../etc/x.gpx",
                     "/abs.fit", "C:\\win.fit", "a\\..\\..\\b.tcx", "__MACOSX/._run.fit",
                     "._x.fit", ".DS_Store", "", "dir/", "nested.zip", "run.fit.gz",
                     "photo.jpg", "activities.csv", "track.kml", "a/./b.fit", "x.FIT"]),
    st.text(alphabet="ab./\\:.._-é\x00", min_size=0, max_size=12),
)
CONTENT = st.one_of(st.sampled_from([FIT, GPX, TCX, b"", gzip.compress(FIT)]),
                    st.binary(max_size=200))


def zipped(members: list[tuple[str, bytes]]) -> bytes:
    buf = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns on duplicate names
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
            for name, data in members:
                zf.writestr(zipfile.ZipInfo(name), data)
    return buf.getvalue()


@st.composite
def archives(draw, depth: int = 0):
    members = []
    for _ in range(draw(st.integers(0, 5))):
        name = draw(NAMES)
        if depth < 4 and draw(st.integers(0, 5)) == 0:
            data = draw(archives(depth=depth + 1))
            name = name if name.endswith(".zip") else name + ".zip"
        else:
            data = draw(CONTENT)
        members.append((name, data))
    return zipped(members)


def read_checked(path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RunloadWarning)
        activities = read_activities(path)
    inv = inventory(activities)
    assert inv["files_seen"] == (inv["activity_files"] + inv["non_activity_files"]
                                 + inv["problem_files"])
    table = problems(activities)
    assert set(table["kind"]) <= set(PROBLEM_KINDS)
    return activities, table


@FUZZ
@given(data=archives(), damage=st.sampled_from(["none", "truncate", "flip", "gzip"]),
       where=st.floats(0, 1, exclude_max=True))
def test_generated_archives(tmp_path_factory, data, damage, where):
    folder = tmp_path_factory.mktemp("zips")
    name = "export.zip"
    if damage == "truncate":
        data = data[: int(len(data) * where)]
    elif damage == "flip" and data:
        data = bytearray(data)
        data[int(len(data) * where)] ^= 0x5A
        data = bytes(data)
    elif damage == "gzip":
        data, name = gzip.compress(data), "export.zip.gz"
    path = folder / name
    path.write_bytes(data)
    before = sorted(os.listdir(folder))
    activities, table = read_checked(path)
    assert sorted(os.listdir(folder)) == before  # nothing extracted
    # every member with an unsafe name is refused, never read
    for source in activities["source"]:
        assert unsafe_member_name(source.split("!", 1)[1]) is None
    for source, kind in zip(table["source"], table["kind"], strict=True):
        if "!" in source and unsafe_member_name(source.rsplit("!", 1)[-1]):
            assert kind == "unsafe"


def test_empty_and_nul_member_names_are_no_crash(tmp_path):
    """ZipInfo.is_dir() raises IndexError for an empty name (zipfile cuts names at NUL)."""
    data = zipped([("", GPX), ("\x00evil.fit", FIT), ("ok.fit", FIT)])
    (tmp_path / "x.zip").write_bytes(data)
    activities, table = read_checked(tmp_path / "x.zip")
    assert inventory(activities)["files_seen"] == 3
    assert len(activities) >= 1


def test_zip_needing_an_unknown_version_is_a_problem_not_a_crash(tmp_path):
    """zipfile raises NotImplementedError ('zip file version 25.5') when opening it."""
    data = bytearray(zipped([("run.fit", FIT)]))
    central = data.find(b"PK\x01\x02")
    data[central + 6] = 255  # version needed to extract
    (tmp_path / "x.zip").write_bytes(bytes(data))
    (tmp_path / "ok.fit").write_bytes(FIT)
    activities, table = read_checked(tmp_path)
    assert len(activities) == 1
    assert table.set_index("source")["kind"][str(tmp_path / "x.zip")] == "malformed"


@FUZZ
@given(members=st.lists(st.tuples(NAMES, CONTENT), max_size=6))
def test_member_names_in_a_folder_export(tmp_path_factory, members):
    # the same names as files of an unzipped export (only the ones a file system allows)
    root = tmp_path_factory.mktemp("export")
    written = 0
    for i, (name, data) in enumerate(members):
        safe = name.replace("\x00", "").replace("\\", "_").lstrip("/").replace("..", "_")
        if not safe or safe.endswith("/") or safe in (".", ""):
            continue
        path = root / f"{i}_{safe}".replace("/", "_")
        path.write_bytes(data)
        written += 1
    activities, _ = read_checked(root)
    inv = inventory(activities)
    assert inv["files_seen"] + inv["ignored_files"] <= written

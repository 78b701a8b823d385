"""A zip cut short (an interrupted download or copy): say so, and keep the complete members."""

from __future__ import annotations

import io
import zipfile

import pytest
from test_ingest import fake_bytes, fakes, read_quiet, run, write  # noqa: F401

from runload.io import inventory, problems
from runload.io.archives import looks_cut_short, salvage_zip
from runload.io.ingest import conservation_line

pytestmark = pytest.mark.usefixtures("fakes")


def zip_of(members: list[tuple[str, bytes]], *, compression=zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=compression) as zf:
        for name, data in members:
            zf.writestr(name, data)
    return buf.getvalue()


def runs(n: int) -> list[tuple[str, bytes]]:
    return [(f"activities/{i}.fit",
             fake_bytes("fit", [run(f"2024-01-{i + 1:02d}T10:00:00Z", 5000 + i)], pad="x" * 300))
            for i in range(n)]


def member_end(data: bytes, k: int) -> int:
    """Offset just after the k-th member's data (0-based) in a zip written by zipfile."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        infos = zf.infolist()
    nxt = infos[k + 1].header_offset if k + 1 < len(infos) else data.find(b"PK\x01\x02")
    return nxt


def check_conserved(df):
    inv = inventory(df)
    assert inv["files_seen"] == inv["activity_files"] + inv["non_activity_files"] \
        + inv["problem_files"]
    assert "MISMATCH" not in conservation_line(inv)
    return inv


@pytest.mark.parametrize("compression", [zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED])
def test_half_a_zip_keeps_its_complete_members(tmp_path, compression):
    data = zip_of(runs(6), compression=compression)
    cut = data[: len(data) // 2]
    assert looks_cut_short(cut) and not looks_cut_short(data)
    z = write(tmp_path / "export_1.zip", cut)
    df = read_quiet(z)
    kept = len(df)
    assert 0 < kept < 6
    assert df["source"].tolist() == [f"{z}!activities/{i}.fit" for i in range(kept)]
    probs = problems(df)
    (problem,) = probs.to_dict("records")
    assert problem["kind"] == "truncated" and not problem["salvaged"]
    # the member cut, or the zip itself when the cut is inside a member's header
    assert problem["source"] in (f"{z}!activities/{kept}.fit", str(z))
    assert "cut short" in problem["message"]
    assert "interrupted download or copy" in problem["message"]
    assert f"the {kept} complete members before the cut were read" in problem["message"]
    inv = check_conserved(df)
    assert (inv["files_seen"], inv["activity_files"], inv["problem_files"]) == (kept + 1, kept, 1)


def test_cut_exactly_after_a_member(tmp_path):
    data = zip_of(runs(3))
    z = write(tmp_path / "x.zip", data[: member_end(data, 1)])
    df = read_quiet(z)
    assert len(df) == 2
    (problem,) = problems(df).to_dict("records")
    assert problem["source"] == str(z) and problem["kind"] == "truncated"
    assert "lost: any later members" in problem["message"]
    check_conserved(df)


def test_cut_inside_the_central_directory_keeps_everything(tmp_path):
    data = zip_of(runs(3))
    z = write(tmp_path / "x.zip", data[: data.find(b"PK\x01\x02") + 10])
    df = read_quiet(z)
    assert len(df) == 3
    (problem,) = problems(df).to_dict("records")
    assert "cut inside the central directory" in problem["message"]
    check_conserved(df)


def test_cut_in_the_first_member_gives_the_clear_message(tmp_path):
    data = zip_of(runs(2))
    z = write(tmp_path / "x.zip", data[:60])
    df = read_quiet(z)
    assert df.empty
    (problem,) = problems(df).to_dict("records")
    assert problem["kind"] == "truncated"
    assert "cut short" in problem["message"] and "no member before it is complete" in \
        problem["message"]
    check_conserved(df)


def test_data_descriptor_members_are_not_salvaged(tmp_path):
    """A zip written to a stream puts the sizes after the data: stop there, safely."""

    class Unseekable(io.RawIOBase):
        def __init__(self):
            self.buf = bytearray()

        def writable(self):
            return True

        def write(self, b):
            self.buf += b
            return len(b)

    out = Unseekable()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in runs(3):
            zf.writestr(name, data)
    data = bytes(out.buf)
    assert data[6] & 0x08  # flag bit 3: data descriptor
    found = salvage_zip(data[: len(data) // 2], max_members=100)
    assert found.members == 0 and "data descriptor" in found.why
    z = write(tmp_path / "x.zip", data[: len(data) // 2])
    df = read_quiet(z)
    assert df.empty
    (problem,) = problems(df).to_dict("records")
    assert problem["kind"] == "truncated" and "data descriptor" in problem["message"]
    check_conserved(df)


def test_salvaged_members_keep_the_safety_rules(tmp_path):
    data = zip_of([("../evil.fit", fake_bytes("fit", [run()])), *runs(3)])
    z = write(tmp_path / "x.zip", data[: member_end(data, 2) + 60])
    df = read_quiet(z)
    probs = problems(df).set_index("source")["kind"]
    assert probs[f"{z}!../evil.fit"] == "unsafe"
    assert len(df) == 2
    assert probs[f"{z}!activities/2.fit"] == "truncated"
    check_conserved(df)


def test_salvaged_member_with_a_wrong_crc_is_unreadable_not_kept(tmp_path):
    data = bytearray(zip_of(runs(3), compression=zipfile.ZIP_STORED))
    data[70] ^= 0xFF  # inside the first member's data (header and name: 46 bytes)
    z = write(tmp_path / "x.zip", bytes(data[: member_end(bytes(data), 1) + 60]))
    df = read_quiet(z)
    assert df["source"].tolist() == [f"{z}!activities/1.fit"]
    kinds = problems(df).set_index("source")["kind"]
    assert kinds[f"{z}!activities/0.fit"] == "unreadable"
    check_conserved(df)


def test_too_many_members_refused_as_a_whole(tmp_path):
    data = zip_of(runs(5))
    z = write(tmp_path / "x.zip", data[: member_end(data, 3) + 60])
    df = read_quiet(z, max_members=2)
    assert df.empty
    assert problems(df)["kind"].tolist() == ["unsafe"]


def test_cut_nested_zip_and_cut_strava_export(tmp_path):
    inner = zip_of(runs(4))
    outer = zip_of([("inner.zip", inner[: member_end(inner, 1) + 60]),
                    ("b.fit", fake_bytes("fit", [run("2024-03-01T10:00:00Z")]))])
    z = write(tmp_path / "outer.zip", outer)
    df = read_quiet(z)
    assert sorted(df["source"]) == [f"{z}!b.fit", f"{z}!inner.zip!activities/0.fit",
                                    f"{z}!inner.zip!activities/1.fit"]
    assert problems(df)["source"].tolist() == [f"{z}!inner.zip!activities/2.fit"]
    check_conserved(df)
    # a Strava export whose CSV came first: its metadata still joins
    csv = (b"Activity ID,Activity Date,Activity Name,Activity Type,Filename\n"
           b'1,"Jan 1, 2024, 10:00:00 AM",Named,Run,activities/0.fit\n')
    export = zip_of([("activities.csv", csv), *runs(4)])
    s = write(tmp_path / "export_2.zip", export[: member_end(export, 2) + 60])
    df = read_quiet(s)
    assert df["name"].tolist()[0] == "Named"
    assert inventory(df)["strava_exports"] == 1
    check_conserved(df)

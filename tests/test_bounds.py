"""Bounds: hostile sizes, archives, XML and file-system objects, through the whole ingest.

The reader-level cases (entity bombs, external entities, the zip-bomb ratio, ``../``
member names, nesting depth, symlinks out of the folder) are in ``test_xml_safety.py``
and ``test_archives.py``. Here the same attacks arrive the way users meet them — inside
folders, zips and gzip files read by :func:`runload.read_activities` — together with what
those tests do not cover: zip headers that lie about sizes, the total-size budget of an
archive, bombs inside nested archives, multi-gigabyte sparse files (``truncate()`` costs
no disk), symlink loops, dangling links and named pipes. Every case must end as a problem
row (kind ``unsafe`` where it is refused for safety), with memory bounded (checked with
the peak resident size), nothing written, and the file inventory conserved.
"""

from __future__ import annotations

import gzip
import io
import os
import subprocess
import sys
import threading
import time
import warnings
import zipfile
from pathlib import Path

import pytest
from conftest import ROOT, TEST_DATA

from runload import inventory, problems, read_activities
from runload.errors import RunloadWarning

MiB = 2**20
GiB = 2**30
GPX_NS = 'xmlns="http://www.topografix.com/GPX/1/1"'
FIT = (TEST_DATA / "fit" / "offset_plus10h.fit").read_bytes()
GPX = (TEST_DATA / "gpx" / "two_segments.gpx").read_bytes()


def read_quietly(source, **options):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RunloadWarning)
        return read_activities(source, **options)


def _status_kib(field: str) -> int:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise KeyError(field)


def _reset_peak() -> bool:
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")  # Linux: reset the peak resident size (VmHWM) to the current one
    except OSError:
        return False
    return True


def read_bounded(source, *, limit_mib: float = 64, **options):
    """read_activities; fails when the process's resident memory grows past ``limit_mib``.

    Resident memory, not tracemalloc: ``fh.read(max_file_bytes + 1)`` reserves address
    space it never touches, which costs no memory and would fool an allocation tracer.
    """
    measured = sys.platform.startswith("linux") and _reset_peak()
    before = _status_kib("VmRSS") if measured else 0
    activities = read_quietly(source, **options)
    if measured:
        grown = (_status_kib("VmHWM") - before) / 1024
        assert grown < limit_mib, f"resident memory grew {grown:.0f} MiB"
    inv = inventory(activities)
    assert inv["files_seen"] == (inv["activity_files"] + inv["non_activity_files"]
                                 + inv["problem_files"])
    return activities


def kinds_by_name(activities) -> dict[str, str]:
    table = problems(activities).drop_duplicates("source")
    return dict(zip(table["source"].map(lambda s: s.rsplit("/", 1)[-1]), table["kind"],
                    strict=True))


def zip_bytes(members: dict[str, bytes], method=zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


# --- XML bombs and fetches, the way they arrive --------------------------------------------

BILLION_LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE gpx [\n <!ENTITY lol "lol">\n'
    + "".join(f' <!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">\n'
              for i in range(1, 10))
    + f"]>\n<gpx {GPX_NS}><trk><name>&lol9;</name></trk></gpx>\n"
).encode()
QUADRATIC = (
    '<?xml version="1.0"?>\n<!DOCTYPE TrainingCenterDatabase [<!ENTITY a "' + "x" * 100_000
    + '">]>\n<TrainingCenterDatabase><Activities><Activity Sport="Running"><Id>'
    + "&a;" * 5_000 + "</Id></Activity></Activities></TrainingCenterDatabase>\n"
).encode()
XXE = (f'<?xml version="1.0"?><!DOCTYPE gpx [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
       f"<gpx {GPX_NS}><trk><name>&x;</name></trk></gpx>").encode()
EXTERNAL_DTD = (f'<?xml version="1.0"?><!DOCTYPE gpx SYSTEM "http://127.0.0.1:9/gpx.dtd">'
                f"<gpx {GPX_NS}><trk/></gpx>").encode()
PARAMETER_ENTITY = (
    '<?xml version="1.0"?><!DOCTYPE gpx [<!ENTITY % p SYSTEM "http://127.0.0.1:9/p.dtd">%p;]>'
    f"<gpx {GPX_NS}/>").encode()


def test_xml_attacks_in_a_folder_a_zip_and_gzip_are_unsafe_rows(tmp_path):
    attacks = {"laughs.gpx": BILLION_LAUGHS, "quadratic.tcx": QUADRATIC, "xxe.gpx": XXE,
               "dtd.gpx": EXTERNAL_DTD, "param.gpx": PARAMETER_ENTITY}
    folder = tmp_path / "runner"
    folder.mkdir()
    for name, data in attacks.items():
        (folder / name).write_bytes(data)
        (folder / f"{name}.gz").write_bytes(gzip.compress(data))
    (folder / "bombs.zip").write_bytes(zip_bytes(attacks))
    (folder / "fine.gpx").write_bytes(GPX)
    activities = read_bounded(folder)
    table = problems(activities)
    assert len(activities) == 1 and inventory(activities)["problem_files"] == 15
    assert set(table["kind"]) == {"unsafe"}
    text = " ".join(table["message"])
    assert "root:" not in text and "lollol" not in text and "xxxxx" not in text
    assert sorted(p.name for p in tmp_path.iterdir()) == ["runner"]  # nothing written


def test_deeply_nested_xml_is_no_recursion_error(tmp_path):
    depth = 50_000
    body = (f'<?xml version="1.0"?><gpx {GPX_NS}><trk><trkseg>'
            + "<extensions>" * depth + "</extensions>" * depth
            + '<trkpt lat="1" lon="1"><time>2024-01-01T00:00:00Z</time></trkpt>'
            '<trkpt lat="1.001" lon="1"><time>2024-01-01T00:01:00Z</time></trkpt>'
            "</trkseg></trk></gpx>")
    (tmp_path / "deep.gpx").write_text(body)
    activities = read_bounded(tmp_path, limit_mib=400)
    assert len(activities) == 1 or kinds_by_name(activities) == {"deep.gpx": "malformed_xml"}


# --- zip bombs: ratio, total size, lying headers, nesting ----------------------------------


def _lying_zip(payload: bytes, *, declared: int) -> bytes:
    """A zip whose one member declares ``declared`` bytes but inflates to ``payload``."""
    data = bytearray(zip_bytes({"run.fit": payload}))
    local = data.find(b"PK\x03\x04")
    central = data.find(b"PK\x01\x02")
    data[local + 22: local + 26] = declared.to_bytes(4, "little")
    data[central + 24: central + 28] = declared.to_bytes(4, "little")
    return bytes(data)


@pytest.mark.parametrize("declared", [100, len(FIT)])
def test_member_that_lies_about_its_size_stays_under_max_file_bytes(tmp_path, declared):
    # the header says the member is small, so the ratio check cannot see the bomb; what
    # bounds the memory is max_file_bytes (zipfile inflates up to the size asked for)
    (tmp_path / "liar.zip").write_bytes(
        _lying_zip(FIT + b"\0" * (64 * MiB), declared=declared))
    activities = read_bounded(tmp_path, limit_mib=40, max_file_bytes=8 * MiB)
    kinds = kinds_by_name(activities)
    assert kinds == {"liar.zip!run.fit": kinds["liar.zip!run.fit"]}
    assert kinds["liar.zip!run.fit"] in {"unreadable", "unsafe", "bad_crc", "malformed"}


def test_many_small_members_hit_the_archive_total(tmp_path):
    members = {f"r{i:02d}.fit": FIT + bytes(i) for i in range(20)}
    (tmp_path / "many.zip").write_bytes(zip_bytes(members))
    budget = 8 * (len(FIT) + 20)
    activities = read_bounded(tmp_path, max_archive_bytes=budget)
    inv = inventory(activities)
    assert inv["files_seen"] == 20
    assert 7 <= inv["activity_files"] <= 8 and inv["problem_files"] == 20 - inv["activity_files"]
    refused = problems(activities)
    refused = refused[~refused["salvaged"]]
    assert set(refused["kind"]) == {"unsafe"}
    assert refused["message"].str.contains("max_archive_bytes").all()


def test_bomb_inside_a_nested_zip_is_refused(tmp_path):
    bomb = b"\0" * (16 * MiB)
    inner = zip_bytes({"bomb.fit": bomb, "ok.fit": FIT})
    (tmp_path / "outer.zip").write_bytes(zip_bytes({"inner.zip": inner}))
    activities = read_bounded(tmp_path, limit_mib=48)
    assert kinds_by_name(activities) == {"outer.zip!inner.zip!bomb.fit": "unsafe"}
    assert len(activities) == 1


def test_zip_quine_like_self_nesting_stops_at_max_depth(tmp_path):
    data = zip_bytes({"run.fit": FIT})
    for _ in range(12):
        data = zip_bytes({"next.zip": data})
    (tmp_path / "deep.zip").write_bytes(data)
    activities = read_bounded(tmp_path)
    (kind,) = set(problems(activities)["kind"])
    assert kind == "unsafe" and "max_depth" in problems(activities)["message"].item()
    assert inventory(activities)["files_seen"] == 1


def test_gzip_layers_beyond_max_depth(tmp_path):
    data = FIT
    for _ in range(6):
        data = gzip.compress(data)
    (tmp_path / "run.fit.gz").write_bytes(data)
    activities = read_bounded(tmp_path)
    assert kinds_by_name(activities) == {"run.fit.gz": "unsafe"}


def test_gzip_bomb_at_default_limits_is_refused_without_inflating(tmp_path):
    # 272 MiB of zeros gzip to ~270 kB; the default max_file_bytes is 256 MiB, and the
    # stream is inflated in 1 MiB steps, so memory stays near that limit, never beyond
    compressor = gzip.GzipFile(tmp_path / "bomb.fit.gz", "wb", compresslevel=1)
    chunk = b"\0" * (16 * MiB)
    with compressor:
        for _ in range(17):
            compressor.write(chunk)
    del chunk
    start = time.monotonic()
    activities = read_bounded(tmp_path, limit_mib=300)
    assert kinds_by_name(activities) == {"bomb.fit.gz": "unsafe"}
    assert time.monotonic() - start < 60


# --- multi-gigabyte files, sparse -----------------------------------------------------------


@pytest.mark.parametrize("name", ["huge.fit", "huge.gpx", "huge.tcx", "huge.zip", "huge.fit.gz"])
def test_several_gigabyte_sparse_file_is_refused_unread(tmp_path, name):
    path = tmp_path / name
    with open(path, "wb") as fh:
        if name.endswith(".gz"):
            fh.write(b"\x1f\x8b")  # looks gzipped, is not
        elif name.endswith(".fit"):
            fh.write(FIT[:14])
        fh.truncate(5 * GiB)
    (tmp_path / "ok.fit").write_bytes(FIT)
    activities = read_bounded(tmp_path, limit_mib=32)
    kinds = kinds_by_name(activities)
    assert len(activities) == 1 and list(kinds) == [name]
    if name != "huge.zip":
        assert kinds[name] == "unsafe"
        message = problems(activities)["message"].item()
        assert str(5 * GiB) in message and "max_file_bytes" in message


def test_sparse_file_given_directly(tmp_path):
    path = tmp_path / "huge.gpx"
    with open(path, "wb") as fh:
        fh.truncate(3 * GiB)
    activities = read_bounded(path, limit_mib=32)
    assert problems(activities)["kind"].tolist() == ["unsafe"]


def test_several_gigabyte_pain_log_is_refused_clearly(tmp_path):
    # in a process limited to 1.5 GiB of address space: reading it whole would fail
    path = tmp_path / "pain.csv"
    with open(path, "wb") as fh:
        fh.write(b"onset,severity\n")
        fh.truncate(3 * GiB)
    code = (
        "import resource, sys\n"
        "resource.setrlimit(resource.RLIMIT_AS, (1536 * 2**20, 1536 * 2**20))\n"
        "from runload import read_pain_log\n"
        "from runload.errors import PainLogError\n"
        "try:\n"
        f"    read_pain_log({str(path)!r})\n"
        "except PainLogError as exc:\n"
        "    print('REFUSED', exc)\n"
        "except MemoryError:\n"
        "    print('MEMORY')\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, cwd=ROOT)
    assert done.stdout.startswith("REFUSED"), done.stdout + done.stderr[-500:]


# --- the file system: links and pipes -------------------------------------------------------


def test_symlink_loops_and_dangling_links_are_no_crash(tmp_path):
    root = tmp_path / "runner"
    (root / "sub").mkdir(parents=True)
    (root / "run.fit").write_bytes(FIT)
    os.symlink(root, root / "sub" / "loop")  # a folder link back up: not walked
    os.symlink(root / "sub" / "self.fit", root / "sub" / "self.fit")  # a link to itself
    os.symlink(tmp_path / "missing.gpx", root / "dangling.gpx")  # points outside, missing
    os.symlink(root / "gone.tcx", root / "inside_dangling.tcx")  # inside, missing
    activities = read_bounded(root)
    kinds = kinds_by_name(activities)
    assert len(activities) == 1
    assert kinds["dangling.gpx"] == "unsafe"
    assert kinds["self.fit"] in {"unreadable", "unsafe"}
    assert kinds["inside_dangling.tcx"] in {"unreadable", "unsafe"}


def test_symlink_to_a_file_inside_is_read_and_deduplicated(tmp_path):
    root = tmp_path / "runner"
    root.mkdir()
    (root / "run.fit").write_bytes(FIT)
    os.symlink(root / "run.fit", root / "alias.fit")
    activities = read_bounded(root)
    assert inventory(activities)["activity_files"] == 2
    assert activities["duplicate_of"].notna().sum() == 1


def test_named_pipe_in_the_folder_does_not_block(tmp_path):
    root = tmp_path / "runner"
    root.mkdir()
    (root / "run.fit").write_bytes(FIT)
    fifo = root / "pipe.fit"
    os.mkfifo(fifo)
    # if the reader blocks on the pipe (it opens it more than once), a writer unblocks
    # each open after 3 s, so the suite never hangs; the test then fails on the time
    done = threading.Event()

    def unblock():
        if done.wait(3):
            return
        while not done.is_set():
            try:
                fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
            except OSError:  # no reader waiting right now
                time.sleep(0.05)
                continue
            os.close(fd)

    thread = threading.Thread(target=unblock, daemon=True)
    thread.start()
    start = time.monotonic()
    try:
        activities = read_bounded(root)
    finally:
        done.set()
        thread.join(5)
    assert time.monotonic() - start < 2.5
    assert len(activities) == 1 and kinds_by_name(activities)["pipe.fit"] == "unreadable"
    assert "not a regular file" in problems(activities)["message"].item()
    os.mkfifo(root / "no_extension")  # a pipe that is no activity candidate: ignored
    assert inventory(read_bounded(root))["ignored_files"] == 1


def test_zero_byte_files_of_every_kind(tmp_path):
    for name in ("a.fit", "b.gpx", "c.tcx", "d.fit.gz", "e.zip", "f.kml"):
        Path(tmp_path / name).write_bytes(b"")
    activities = read_bounded(tmp_path)
    kinds = kinds_by_name(activities)
    assert inventory(activities)["problem_files"] == 6
    assert kinds["a.fit"] == kinds["b.gpx"] == kinds["c.tcx"] == kinds["d.fit.gz"] == "empty"
    assert kinds["f.kml"] == "empty"  # empty before unsupported: nothing to read

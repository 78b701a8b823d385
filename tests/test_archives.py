"""Archives: Strava and Garmin export layouts, gzip, nesting, and the safety limits."""

from __future__ import annotations

import gzip
import io
import os
import zipfile

import pytest
from test_ingest import fake_bytes, fakes, read_quiet, run, write  # noqa: F401

from runload.errors import UnsafeInputError
from runload.io import inventory, problems, read_activities
from runload.io.archives import Limits, gunzip, is_junk, unsafe_member_name

MiB = 2**20

pytestmark = pytest.mark.usefixtures("fakes")


def make_zip(path, members: dict[str, bytes], *, compression=zipfile.ZIP_DEFLATED):
    with zipfile.ZipFile(path, "w", compression=compression) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def zip_bytes(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    make_zip(buf, members)
    return buf.getvalue()


STRAVA_CSV = (
    "Activity ID,Activity Date,Activity Name,Activity Type,Activity Description,Elapsed Time,"
    "Distance,Max Heart Rate,Relative Effort,Commute,Activity Private Note,Activity Gear,"
    "Filename,Athlete Weight,Bike Weight,Elapsed Time,Moving Time,Distance\n"
    '8266525192,"Dec 19, 2022, 11:37:07 AM",Lunch Run,Run,,1800,5.00,,,false,,Pegasus 39,'
    "activities/8860310523.gpx.gz,,,1800.0,1700.0,5000.0\n"
    '8266525193,"Dec 20, 2022, 11:37:07 AM",Hill reps,Trail Run,,1800,5.00,,,false,,,'
    "activities/111.fit,,,1800.0,1700.0,5000.0\n"
    '8266525194,"Dec 21, 2022, 11:37:07 AM",Gym,Weight Training,,1800,0,,,false,,,'
    ",,,1800.0,1700.0,0\n"
)


def strava_export(tmp_path):
    generic = fake_bytes("gpx", [run("2022-12-19T11:37:07Z", sport="other", name="from file")])
    trail = fake_bytes("fit", [run("2022-12-20T11:37:07Z", sport="running")])
    return make_zip(tmp_path / "export_12345.zip", {
        "activities.csv": STRAVA_CSV.encode(),
        "profile.csv": b"a,b\n1,2\n",
        "messaging.json": b"{}",
        "profile.jpg": b"\xff\xd8\xff",
        "activities/8860310523.gpx.gz": gzip.compress(generic),
        "activities/111.fit": trail,
        "activities/222.tcx.gz": gzip.compress(fake_bytes("tcx", [run("2022-12-22T08:00:00Z")])),
        "routes/1.gpx": fake_bytes("gpx", **{"not": "route"}),
        "media/x.jpg": b"\xff\xd8\xff",
        "__MACOSX/activities/._111.fit": b"junk",
    })


def test_strava_export_joined(tmp_path):
    df = read_activities(strava_export(tmp_path))
    z = str(tmp_path / "export_12345.zip")
    assert df["source"].tolist() == [f"{z}!activities/8860310523.gpx.gz",
                                     f"{z}!activities/111.fit", f"{z}!activities.csv",
                                     f"{z}!activities/222.tcx.gz"]
    assert set(df["athlete"]) == {"export_12345"}
    assert df["name"].tolist()[:3] == ["Lunch Run", "Hill reps", "Gym"]
    assert df["gear"].tolist()[0] == "Pegasus 39"
    # the CSV's type replaces only a generic sport from the file; the manual entry's
    # sport is its Activity Type
    assert df["sport"].tolist() == ["running", "running", "strength_training", "running"]
    assert df["format"].tolist() == ["gpx", "fit", "csv", "tcx"]
    assert df["distance_source"].tolist()[2] == "manual"
    inv = inventory(df)
    # activities.csv holds a manual entry: an activity file of its own
    assert (inv["files_seen"], inv["activity_files"], inv["problem_files"]) == (4, 4, 0)
    # profile.csv, messaging.json, profile.jpg, routes/1.gpx, media/x.jpg
    assert inv["ignored_files"] == 5
    assert (inv["strava_exports"], inv["garmin_exports"]) == (1, 0)
    assert problems(df).empty


def test_strava_export_unzipped_folder(tmp_path):
    z = strava_export(tmp_path)
    root = tmp_path / "unzipped"
    with zipfile.ZipFile(z) as zf:
        for info in zf.infolist():
            write(root / info.filename, zf.read(info))
    df = read_activities(root)
    assert df["name"].tolist()[:2] == ["Lunch Run", "Hill reps"]
    assert df["source"].tolist()[0] == os.path.join(root, "activities", "8860310523.gpx.gz")
    assert df["source"].tolist()[2] == os.path.join(root, "activities.csv")
    assert len(df) == 4 and inventory(df)["files_seen"] == 4


def garmin_export(tmp_path, monitoring: bytes):
    part1 = zip_bytes({
        "user@example.com_1001.fit": fake_bytes("fit", [run("2023-05-01T06:00:00Z")]),
        "user@example.com_1002.fit": monitoring,
        "user@example.com_1003.tcx": fake_bytes("tcx", [run("2023-05-03T06:00:00Z")]),
    })
    part2 = zip_bytes({"user@example.com_2001.fit": fake_bytes(
        "fit", [run("2023-05-02T06:00:00Z")])})
    older = zip_bytes({"9_ACTIVITY.fit": fake_bytes("fit", [run("2019-01-01T06:00:00Z")])})
    root = "4bdb4ebf-6200bff583f6_1/DI_CONNECT/"
    return make_zip(tmp_path / "garmin.zip", {
        root + "DI-Connect-User/user_profile.json": b"{}",
        root + "DI-Connect-Fitness/u_0_summarizedActivities.json": b"[]",
        root + "DI-Connect-Uploaded-Files/UploadedFiles_0-_Part1.zip": part1,
        root + "DI-Connect-Uploaded-Files/UploadedFiles_0-_Part2.zip": part2,
        root + "DI-Connect-Fitness-Uploaded-Files/UploadedFiles_old.zip": older,
    })


def test_garmin_export_nested(tmp_path):
    df = read_activities(garmin_export(tmp_path, fake_bytes("fit", **{"not": "monitoring"})))
    z = str(tmp_path / "garmin.zip")
    part1 = f"{z}!4bdb4ebf-6200bff583f6_1/DI_CONNECT/DI-Connect-Uploaded-Files/" \
            "UploadedFiles_0-_Part1.zip"
    assert f"{part1}!user@example.com_1001.fit" in set(df["source"])
    assert len(df) == 4
    inv = inventory(df)
    assert (inv["files_seen"], inv["activity_files"], inv["non_activity_files"]) == (5, 4, 1)
    assert inv["ignored_files"] == 2
    assert (inv["strava_exports"], inv["garmin_exports"]) == (0, 1)


def test_unreadable_folder_reported(tmp_path, monkeypatch):
    locked = tmp_path / "locked"
    write(locked / "a.fit", fake_bytes("fit", [run()]))
    write(tmp_path / "b.fit", fake_bytes("fit", [run("2024-02-01T10:00:00Z")]))
    scandir = os.scandir

    def refusing(path="."):
        if os.fspath(path) == str(locked):
            raise PermissionError(13, "Permission denied", str(locked))
        return scandir(path)

    monkeypatch.setattr(os, "scandir", refusing)
    df = read_quiet(tmp_path)
    probs = problems(df)
    assert probs["kind"].tolist() == ["unreadable"]
    assert probs["source"].tolist() == [str(locked)]
    assert len(df) == 1 and inventory(df)["files_seen"] == 2


def test_garmin_export_real_monitoring_fit(corpus, tmp_path, monkeypatch):
    """With the real FIT reader, the corpus MonitoringFile.fit counts as non-activity."""
    fit = pytest.importorskip("runload.io.fit")
    from runload.io import ingest

    monkeypatch.setitem(ingest.READERS, "fit", fit.parse_fit)
    monitoring = (corpus / "fit" / "fitparse__MonitoringFile.fit").read_bytes()
    activity = (corpus / "fit" / "fitparse__Activity.fit").read_bytes()
    part = zip_bytes({"u_1.fit": activity, "u_2.fit": monitoring})
    z = make_zip(tmp_path / "g.zip", {
        "x_1/DI_CONNECT/DI-Connect-Uploaded-Files/UploadedFiles_0-_Part1.zip": part})
    df = read_activities(z, errors="skip")
    inv = inventory(df)
    assert inv["non_activity_files"] == 1 and inv["activity_files"] == 1
    assert df["source"].str.endswith("UploadedFiles_0-_Part1.zip!u_1.fit").all()


def test_zip_bomb_refused(tmp_path):
    bomb = b"\0" * (8 * MiB)  # deflates about 1000-fold
    z = make_zip(tmp_path / "bomb.zip", {"big.fit": bomb,
                                         "ok.fit": fake_bytes("fit", [run()])})
    df = read_quiet(z)
    probs = problems(df)
    assert probs["source"].tolist() == [f"{z}!big.fit"]
    assert probs["kind"].tolist() == ["unsafe"] and not probs["salvaged"].any()
    assert "zip bomb" in probs["message"].item()
    assert len(df) == 1
    with pytest.raises(UnsafeInputError):
        read_activities(z, errors="raise")


def test_size_limits(tmp_path):
    big = os.urandom(2 * MiB)
    z = make_zip(tmp_path / "big.zip", {"a.fit": big, "b.fit": fake_bytes("fit", [run()])})
    df = read_quiet(z, max_file_bytes=1 * MiB)
    assert problems(df)["kind"].tolist() == ["unsafe"]
    assert "over the limit" in problems(df)["message"].item()
    df = read_quiet(z, max_archive_bytes=1 * MiB)
    assert problems(df)["kind"].tolist() == ["unsafe"]
    df = read_quiet(z, max_members=1)
    probs = problems(df)
    assert probs["source"].tolist() == [str(z)] and inventory(df)["files_seen"] == 1
    plain = write(tmp_path / "huge.fit", FIT := fake_bytes("fit", [run()]) + b" " * (2 * MiB))
    df = read_quiet(plain, max_file_bytes=1 * MiB)
    assert problems(df)["kind"].tolist() == ["unsafe"] and FIT


def test_gzip_bomb_streamed(tmp_path):
    g = write(tmp_path / "bomb.fit.gz", gzip.compress(b"\0" * (4 * MiB)))
    df = read_quiet(g, max_file_bytes=1 * MiB)
    assert problems(df)["kind"].tolist() == ["unsafe"]
    with pytest.raises(UnsafeInputError):
        gunzip(g.read_bytes(), max_bytes=MiB)
    data, truncated = gunzip(gzip.compress(b"abc") + gzip.compress(b"def"), max_bytes=MiB)
    assert (data, truncated) == (b"abcdef", False)
    data, truncated = gunzip(gzip.compress(b"abc" * 1000)[:-12], max_bytes=MiB)
    assert truncated and data.startswith(b"abc")


def test_truncated_gzip_is_salvaged(tmp_path):
    data = fake_bytes("fit", [run()]) + b" " * 5000
    g = write(tmp_path / "cut.fit.gz", gzip.compress(data)[:-8])
    df = read_quiet(g)
    assert len(df) == 1
    probs = problems(df)
    assert probs["kind"].tolist() == ["truncated"] and probs["salvaged"].all()


def test_traversal_and_absolute_names_refused(tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("ok.fit", fake_bytes("fit", [run()]))
        zf.writestr(zipfile.ZipInfo("../evil.fit"), fake_bytes("fit", [run()]))
        zf.writestr(zipfile.ZipInfo("/etc/x.fit"), fake_bytes("fit", [run()]))
        zf.writestr(zipfile.ZipInfo("a/../../evil2.txt"), b"x")
    z = write(work / "evil.zip", buf.getvalue())
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    cwd_before = sorted(os.listdir(os.getcwd()))
    df = read_quiet(z)
    probs = problems(df)
    assert sorted(probs["source"]) == sorted([f"{z}!../evil.fit", f"{z}!/etc/x.fit",
                                              f"{z}!a/../../evil2.txt"])
    assert (probs["kind"] == "unsafe").all() and not probs["salvaged"].any()
    assert len(df) == 1
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == before
    assert sorted(os.listdir(os.getcwd())) == cwd_before
    assert not (tmp_path / "evil.fit").exists() and not os.path.exists("/etc/x.fit")
    inv = inventory(df)
    assert inv["files_seen"] == 4 and inv["problem_files"] == 3


def test_member_name_rules():
    assert unsafe_member_name("a/b.fit") is None
    assert unsafe_member_name("a..b.fit") is None
    assert unsafe_member_name("../x")
    assert unsafe_member_name("C:\\x.fit")
    assert unsafe_member_name("\\\\server\\x")
    assert is_junk("__MACOSX/a/._b.fit") and is_junk("._b.fit") and not is_junk("b.fit")


def test_nesting_depth(tmp_path):
    leaf = fake_bytes("fit", [run()])
    level3 = zip_bytes({"c.fit": leaf})
    level2 = zip_bytes({"b.zip": level3})
    z = make_zip(tmp_path / "outer.zip", {"a.zip": level2, "x.fit.gz": gzip.compress(leaf)})
    df = read_quiet(z)
    assert f"{z}!a.zip!b.zip!c.fit" in set(df["source"])
    assert f"{z}!x.fit.gz" in set(df["source"])
    level4 = zip_bytes({"a.zip": level2})
    z4 = make_zip(tmp_path / "deep.zip", {"d.zip": level4})
    df = read_quiet(z4)
    probs = problems(df)
    assert probs["source"].tolist() == [f"{z4}!d.zip!a.zip!b.zip"]
    assert probs["kind"].tolist() == ["unsafe"] and "max_depth" in probs["message"].item()
    df = read_quiet(z, max_depth=1)
    assert problems(df)["source"].tolist() == [f"{z}!a.zip"]


def test_gzipped_zip_and_bad_zip(tmp_path):
    inner = zip_bytes({"r.fit": fake_bytes("fit", [run()])})
    g = write(tmp_path / "export.zip.gz", gzip.compress(inner))
    write(tmp_path / "broken.zip", b"PK\x03\x04 not really a zip")
    # an end record whose directory is broken: malformed, not cut short
    write(tmp_path / "junk.zip", inner.replace(b"PK\x01\x02", b"PK\x01\x09"))
    df = read_quiet(tmp_path)
    assert df["source"].tolist() == [f"{g}!r.fit"]
    # a local header and no end record: a zip cut short; the other is malformed
    assert problems(df)["kind"].tolist() == ["truncated", "malformed"]
    assert "cut short" in problems(df)["message"][0]


def test_symlinks_not_followed_outside(tmp_path):
    outside = tmp_path / "outside"
    write(outside / "secret.fit", fake_bytes("fit", [run("2024-05-01T10:00:00Z")]))
    root = tmp_path / "root"
    write(root / "a.fit", fake_bytes("fit", [run()]))
    os.symlink(outside / "secret.fit", root / "link.fit")
    os.symlink(outside, root / "linkdir")
    os.symlink(root / "a.fit", root / "inside.fit")
    df = read_quiet(root)
    probs = problems(df)
    assert sorted(probs["source"].map(os.path.basename)) == ["link.fit", "linkdir"]
    assert (probs["kind"] == "unsafe").all()
    assert sorted(df["source"].map(os.path.basename)) == ["a.fit", "inside.fit"]
    assert "secret" not in " ".join(df["source"])


def test_macosx_junk_not_counted(tmp_path):
    z = make_zip(tmp_path / "Move.fit.zip", {
        "Move.fit": fake_bytes("fit", [run()]),
        "__MACOSX/._Move.fit": b"\0\x05\x16\x07junk",
    })
    df = read_activities(z)
    assert inventory(df)["files_seen"] == 1 and inventory(df)["ignored_files"] == 0


def test_limits_defaults_documented():
    limits = Limits()
    assert limits.max_file_bytes == 256 * MiB
    assert limits.max_depth == 3
    assert limits.max_ratio == 200

"""A Strava export whose activities.csv lists files it does not hold (a zip cut short, a
file deleted): said once, and the weeks after a cut are not invented from manual entries."""

from __future__ import annotations

import io
import warnings
import zipfile

import pandas as pd
import pytest
from test_exports_manual import HEADER
from test_ingest import fake_bytes, fakes, read_quiet, run, write  # noqa: F401

import runload
from runload.errors import RunloadWarning
from runload.io import inventory, problems
from runload.io.exports import missing_files, strava_csv
from runload.io.ingest import conservation_line

pytestmark = pytest.mark.usefixtures("fakes")

DAYS = ["2024-01-01", "2024-01-08", "2024-01-15", "2024-01-22", "2024-01-29", "2024-02-05"]
MONTHS = {"01": "Jan", "02": "Feb", "03": "Mar"}


def _date(day: str) -> str:
    year, month, dom = day.split("-")
    return f'"{MONTHS[month]} {int(dom)}, {year}, 10:00:00 AM"'


def csv_of(recorded: list[str], manual: list[str]) -> bytes:
    """activities.csv: a 10 km recorded run on each of ``recorded`` (file
    activities/<i>.fit) and a 30-minute gym session typed in on each of ``manual``."""
    rows = [f"{100 + i},{_date(day)},Run {i},Run,,3600,10.0,,,false,,,activities/{i}.fit,,,"
            "3600.0,3600.0,10000.0\n" for i, day in enumerate(recorded)]
    rows += [f"{900 + i},{_date(day)},Gym {i},Weight Training,,1800,0,,,false,,,,,,"
             "1800.0,1800.0,0.0\n" for i, day in enumerate(manual)]
    return (HEADER + "".join(rows)).encode()


def export_bytes(recorded: list[str], manual: list[str]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("activities.csv", csv_of(recorded, manual))  # first, as Strava writes it
        for i, day in enumerate(recorded):
            zf.writestr(f"activities/{i}.fit",
                        fake_bytes("fit", [run(f"{day}T10:00:00Z", 10000, 3600)], pad="x" * 300))
    return buf.getvalue()


def cut_after(data: bytes, member: str) -> bytes:
    """``data`` cut in the middle of ``member``'s data."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        info = zf.getinfo(member)
    return data[: info.header_offset + 30 + len(member) + info.compress_size // 2]


def weekly(df):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RunloadWarning)
        return runload.weekly_load(df, tz="UTC")


def test_missing_files_from_the_listing():
    table = strava_csv(csv_of(DAYS[:4], []))
    assert missing_files(table, [f"activities/{i}.fit" for i in range(4)]) is None
    lost = missing_files(table, ["activities/0.fit", "activities/2.fit"], cut=True)
    assert lost.count == 2 and lost.cut
    assert (lost.first, lost.last) == (pd.Timestamp("2024-01-08T10:00Z"),
                                       pd.Timestamp("2024-01-22T10:00Z"))
    # the record ends at the first missing file later than every file kept
    assert lost.cut_from == pd.Timestamp("2024-01-22T10:00Z")
    # a file missing in the middle: the end of the record is intact
    assert missing_files(table, ["activities/0.fit", "activities/2.fit",
                                 "activities/3.fit"]).cut_from is None


def test_cut_strava_export_invents_no_zero_weeks(tmp_path):
    """Recorded runs every week to 2024-02-05, a gym session every week to March; the
    zip is cut in the fourth run: the weeks after it are not shown as zero-km weeks."""
    gym = [*DAYS, "2024-02-12", "2024-02-19", "2024-02-26", "2024-03-04", "2024-03-11"]
    data = export_bytes(DAYS, gym)
    z = write(tmp_path / "export_1.zip", cut_after(data, "activities/3.fit"))
    df = read_quiet(z)
    assert sorted(df.loc[df["format"] != "csv", "start_time"].dt.strftime("%Y-%m-%d")) \
        == DAYS[:3]
    # manual entries from the first lost run (2024-01-22) on are left out
    manual = df[df["format"] == "csv"]
    assert manual["start_time"].max() < pd.Timestamp("2024-01-22T10:00Z")
    assert len(manual) == 3
    probs = problems(df).set_index("source")
    listing = probs.loc[f"{z}!activities.csv"]
    assert listing["kind"] == "truncated" and listing["salvaged"]
    assert listing["message"].startswith(
        "3 activities listed in activities.csv have no file in the archive, from 2024-01-22 "
        "to 2024-02-05: their distance is missing from those weeks")
    assert "its 8 manual entries from then on are left out" in listing["message"]
    cut = probs.loc[f"{z}!activities/3.fit"]
    assert cut["kind"] == "truncated" and not cut["salvaged"]
    # what was read first, what is lost last (front ends append "(nothing kept)")
    assert cut["message"].index("were read") < cut["message"].index("lost: this member")
    inv = inventory(df)
    assert (inv["files_seen"], inv["activity_files"], inv["problem_files"],
            inv["salvaged_files"]) == (5, 4, 1, 1)
    assert "MISMATCH" not in conservation_line(inv)
    weeks = weekly(df)
    assert weeks["week_start"].max() == pd.Timestamp("2024-01-15")
    assert not (weeks["complete"] & (weeks["distance_m"] == 0)).any()


def test_cut_export_without_manual_entries_reports_on_the_cut(tmp_path):
    data = export_bytes(DAYS, [])
    z = write(tmp_path / "export_1.zip", cut_after(data, "activities/4.fit"))
    df = read_quiet(z)
    assert len(df) == 4
    probs = problems(df)
    assert set(probs["source"]) == {f"{z}!activities/4.fit"}
    listing = probs[probs["message"].str.contains("listed in activities.csv")]
    assert listing["message"].tolist() == [
        "2 activities listed in activities.csv have no file in the archive, from 2024-01-29 "
        "to 2024-02-05: their distance is missing from those weeks; the export's record ends "
        "on 2024-01-29, where its last files are missing; download the export again"]
    assert (~probs["salvaged"]).all()
    inv = inventory(df)
    assert (inv["files_seen"], inv["problem_files"]) == (5, 1)  # the csv stays ignored


def test_file_missing_from_a_whole_export_folder(tmp_path):
    """A file deleted from an unzipped export: reported, manual entries all kept."""
    root = tmp_path / "export_1"
    with zipfile.ZipFile(io.BytesIO(export_bytes(DAYS, DAYS))) as zf:
        for info in zf.infolist():
            write(root / info.filename, zf.read(info))
    (root / "activities" / "2.fit").unlink()
    df = read_quiet(root)
    assert (df["format"] == "csv").sum() == len(DAYS)
    (problem,) = problems(df).to_dict("records")
    assert problem["source"] == str(root / "activities.csv")
    assert problem["kind"] == "no_data" and problem["salvaged"]
    assert problem["message"] == ("1 activity listed in activities.csv has no file in the "
                                  "export, on 2024-01-15: their distance is missing from "
                                  "those weeks")


def test_manual_entry_problems_name_the_activity_id(tmp_path):
    csv = (HEADER + '99000000001,"Jan 5, 2024, 7:00:00 AM",Fast,Run,,30,10,,,false,,,,,,'
           '30,30,10000\n99000000002,"not a date",Manual run,Run,,60,1,,,false,,,,,,'
           '60,60,1000\n').encode()
    z = tmp_path / "export_1.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("activities.csv", csv)
        zf.writestr("activities/readme.txt", "x")
    messages = problems(read_quiet(z))["message"].tolist()
    speed = [m for m in messages if "speed" in m]
    assert speed and all(m.startswith("manual entry 99000000001 (Fast): ") for m in speed)
    assert any(m.startswith("manual entry 99000000002 (Manual run): ") for m in messages)

"""Manual Strava entries (rows of activities.csv with no file) are activities."""

from __future__ import annotations

import math
import os
import warnings
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from test_ingest import fake_bytes, fakes, read_quiet, run, write  # noqa: F401

import runload
from runload.errors import RunloadWarning
from runload.io import inventory, problems
from runload.io.exports import MANUAL_DEVICE, strava_csv, strava_manual, strava_metadata
from runload.io.ingest import conservation_line

HEADER = (
    "Activity ID,Activity Date,Activity Name,Activity Type,Activity Description,Elapsed Time,"
    "Distance,Max Heart Rate,Relative Effort,Commute,Activity Private Note,Activity Gear,"
    "Filename,Athlete Weight,Bike Weight,Elapsed Time,Moving Time,Distance\n"
)
# 2024-01-01 is a Monday; the first Distance is in km (display unit), the second in m
ROWS = [
    '101,"Jan 1, 2024, 10:00:00 AM",Morning Run,Run,,1800,5.00,,,false,,,'
    "activities/9001.fit,,,1800.0,1790.0,5000.0\n",
    '102,"Jan 2, 2024, 6:30:00 PM",Gym,Weight Training,,1500,0.00,,,false,,,'
    ",,,1500.0,1500.0,0.0\n",
    '103,"Jan 3, 2024, 7:00:00 AM",Pool Swim,Swim,,2400,1.50,,,false,,,'
    ",,,2400.0,2300.0,1500.0\n",
    '104,"Jan 4, 2024, 12:15:00 PM",Treadmill at the gym,Run,,2700,8.00,,,false,,,'
    ",,,2700.0,2650.0,8000.0\n",
    '105,"Jan 9, 2024, 6:30:00 PM",Core,Weight Training,,1200,0.00,,,false,,,'
    ",,,1200.0,1200.0,0.0\n",
]
CSV = (HEADER + "".join(ROWS)).encode()


def export_zip(path: Path, csv: bytes = CSV, *, prefix: str = "") -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(prefix + "activities.csv", csv)
        zf.writestr(prefix + "profile.csv", b"a,b\n1,2\n")
        zf.writestr(prefix + "activities/9001.fit",
                    fake_bytes("fit", [run("2024-01-01T10:00:00Z", 5000, 1800)]))
    return path


# --- the CSV, read ------------------------------------------------------------------------


def test_manual_rows_from_the_csv_columns():
    rows, found, _ = strava_manual(CSV)
    assert found == []
    assert [r["sport"] for r in rows] == ["strength_training", "swimming", "running",
                                          "strength_training"]
    gym, swim, treadmill, _ = rows
    assert gym["start_time"] == pd.Timestamp("2024-01-02T18:30:00Z")
    assert swim["distance_m"] == 1500.0  # the metre column, not the km one
    assert treadmill["distance_m"] == 8000.0
    assert (treadmill["elapsed_time_s"], treadmill["moving_time_s"]) == (2700.0, 2650.0)
    for row in rows:
        assert row["format"] == "csv"
        assert row["distance_source"] == "manual"
        assert row["device"] == MANUAL_DEVICE
    assert gym["name"] == "Gym"
    # the ids are stable (from the Strava Activity ID) and distinct
    assert rows[0]["activity_id"] == strava_manual(CSV)[0][0]["activity_id"]
    assert len({r["activity_id"] for r in rows}) == 4
    # the file's row is metadata, as before
    assert set(strava_metadata(CSV)) == {"activities/9001.fit"}
    assert len(strava_csv(CSV).manual) == 4


def test_old_layout_distance_unit_unknown_and_bad_date():
    csv = (
        "Activity ID,Activity Date,Activity Name,Activity Type,Activity Description,"
        "Elapsed Time,Distance,Commute,Activity Gear,Filename\n"
        "7,2017-09-21 07:41:12,Track session,Run,,1800,5.0,false,,\n"
        "8,someday,Gym,Weight Training,,1800,0,false,,\n"
    )
    rows, found, _ = strava_manual(csv.encode())
    assert rows[0]["start_time"] == pd.Timestamp("2017-09-21T07:41:12Z")
    assert math.isnan(rows[0]["distance_m"])  # km or miles? not said: left empty
    assert rows[0]["elapsed_time_s"] == 1800.0
    assert rows[1]["start_time"] is None
    kinds = sorted(kind for kind, _ in found)
    assert kinds == ["bad_time", "no_data"]
    assert any("someday" in message for _, message in found)


def test_localised_2023_layout_by_position():
    header = ",".join(f"c{i}" for i in range(18)) + "\n"
    row = ('5,"Jan 5, 2024, 7:00:00 AM",Muscu,Weight Training,,900,"0,00",,,false,,,,,,'
           '900.0,880.0,"0,0"\n')
    file_row = ('6,"Jan 5, 2024, 8:00:00 AM",Course,Run,,900,"1,00",,,false,,,'
                "activities/6.fit,,,900.0,880.0,1000.0\n")
    rows, found, _ = strava_manual((header + row + file_row).encode())
    assert found == []
    (gym,) = rows
    assert gym["sport"] == "strength_training"
    assert (gym["elapsed_time_s"], gym["moving_time_s"], gym["distance_m"]) == (900.0, 880.0, 0.0)


def test_no_manual_entry_no_rows():
    only_files = (HEADER + ROWS[0]).encode()
    assert strava_manual(only_files) == ([], [], [])
    assert strava_manual(b"") == ([], [], [])
    assert strava_csv(b"a,b\n1,2\n").manual == []


# --- read_activities ----------------------------------------------------------------------


@pytest.mark.usefixtures("fakes")
def test_manual_entries_are_activities_and_count_for_habits(tmp_path):
    z = export_zip(tmp_path / "export_1.zip")
    df = read_quiet(z)
    manual = df[df["distance_source"] == "manual"]
    assert len(manual) == 4
    assert set(manual["source"]) == {f"{z}!activities.csv"}
    assert not manual["sport_inferred"].any()
    assert manual["duplicate_of"].isna().all()
    inv = inventory(df)
    # the FIT and activities.csv are seen; profile.csv is ignored
    assert (inv["files_seen"], inv["activity_files"], inv["ignored_files"]) == (2, 2, 1)
    assert inv["activities"] == 5
    assert "MISMATCH" not in conservation_line(inv)
    assert problems(df).empty
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RunloadWarning)
        weekly = runload.weekly_load(df, tz="UTC")
    by_week = weekly.set_index("week_start")
    first, second = pd.Timestamp("2024-01-01"), pd.Timestamp("2024-01-08")
    assert by_week.loc[first, "strength_sessions"] == 1
    assert by_week.loc[second, "strength_sessions"] == 1
    # a manual run counts as running (a treadmill run typed in): 5 km + 8 km
    assert by_week.loc[first, "runs"] == 2
    assert by_week.loc[first, "distance_m"] == pytest.approx(13000.0)
    # the swim is cross-training time
    assert by_week.loc[first, "cross_training_time_s"] >= 2300.0


@pytest.mark.usefixtures("fakes")
def test_unzipped_export_gives_the_same_rows(tmp_path):
    z = export_zip(tmp_path / "export_1.zip")
    root = tmp_path / "unzipped"
    with zipfile.ZipFile(z) as zf:
        for info in zf.infolist():
            write(root / info.filename, zf.read(info))
    a, b = read_quiet(z), read_quiet(root)
    assert len(a) == len(b) == 5
    assert (b["source"] == os.path.join(root, "activities.csv")).sum() == 4
    cols = ["activity_id", "sport", "start_time", "distance_m", "distance_source"]
    pd.testing.assert_frame_equal(a[cols].reset_index(drop=True), b[cols].reset_index(drop=True))
    assert inventory(a) | {"ignored_files": 0} == inventory(b) | {"ignored_files": 0}


@pytest.mark.usefixtures("fakes")
def test_export_in_a_folder_of_the_zip(tmp_path):
    z = export_zip(tmp_path / "export_1.zip", prefix="export_1/")
    df = read_quiet(z)
    assert (df["source"] == f"{z}!export_1/activities.csv").sum() == 4


@pytest.mark.usefixtures("fakes")
def test_csv_without_manual_entries_is_still_ignored(tmp_path):
    z = export_zip(tmp_path / "export_1.zip", (HEADER + ROWS[0]).encode())
    inv = inventory(read_quiet(z))
    assert (inv["files_seen"], inv["activities"], inv["ignored_files"]) == (1, 1, 2)


@pytest.mark.usefixtures("fakes")
def test_manual_copy_of_a_recorded_run_is_the_duplicate(tmp_path):
    """Typed in after a run the watch also recorded: the recorded file is kept."""
    csv = (HEADER + ROWS[0] + '106,"Jan 1, 2024, 10:01:00 AM",Run (typed),Run,,1800,5.1,,,'
           "false,,,,,,1800.0,1790.0,5100.0\n").encode()
    df = read_quiet(export_zip(tmp_path / "export_1.zip", csv))
    assert len(df) == 2
    fit = df[df["format"] == "fit"].iloc[0]
    manual = df[df["format"] == "csv"].iloc[0]
    assert pd.isna(fit["duplicate_of"])
    assert manual["duplicate_of"] == fit["activity_id"]
    assert inventory(df)["duplicates"] == 1


@pytest.mark.usefixtures("fakes")
def test_two_exports_of_one_account_share_manual_ids(tmp_path):
    (tmp_path / "old").mkdir()
    (tmp_path / "new").mkdir()
    a = export_zip(tmp_path / "old" / "export_1.zip")
    b = export_zip(tmp_path / "new" / "export_1.zip")
    df = read_quiet([a, b], athlete="ann")
    manual = df[df["format"] == "csv"]
    assert len(manual) == 8
    assert manual["duplicate_of"].notna().sum() == 4  # each entry counted once


@pytest.mark.usefixtures("fakes")
def test_bad_manual_rows_are_salvaged_problems(tmp_path):
    csv = (HEADER + '107,"not a date",Gym,Weight Training,,1500,0,,,false,,,,,,1500,1500,0\n'
           '108,"Jan 5, 2024, 7:00:00 AM",Fast,Run,,10,10,,,false,,,,,,10,10,10000\n').encode()
    z = export_zip(tmp_path / "export_1.zip", csv)
    df = read_quiet(z)
    probs = problems(df)
    assert set(probs["source"]) == {f"{z}!activities.csv"}
    assert set(probs["kind"]) == {"bad_time"}
    assert probs["salvaged"].all()
    inv = inventory(df)
    assert (inv["activity_files"], inv["salvaged_files"], inv["problem_files"]) == (2, 1, 0)
    fast = df[df["name"] == "Fast"].iloc[0]
    assert fast["sport"] == "running"  # stated: 10 km in 10 s is a bad time, not a ride


@pytest.mark.usefixtures("fakes")
def test_cached_read_gives_the_same_rows(tmp_path):
    z = export_zip(tmp_path / "export_1.zip")
    cols = ["activity_id", "source", "sport", "start_time", "distance_m", "distance_source",
            "name", "device"]
    first = read_quiet(z, cache=True, cache_dir=tmp_path / "cache")
    second = read_quiet(z, cache=True, cache_dir=tmp_path / "cache")
    pd.testing.assert_frame_equal(first[cols], second[cols])
    assert inventory(first) == inventory(second)


# --- the sample data: weekly strength sessions match the ground truth ---------------------

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = Path(os.environ.get("RUNLOAD_SAMPLE_DATA", ROOT / "sample_data"))


@pytest.mark.skipif(not (SAMPLE / "truth" / "activities.csv").is_file(),
                    reason="no sample data")
@pytest.mark.parametrize(("athlete", "export"), [
    ("alex", "alex/export_31415926.zip"),
    ("chen", "squad/chen/export_27182818.zip"),
])
def test_sample_strava_strength_sessions_match_the_truth(athlete, export):
    truth = pd.read_csv(SAMPLE / "truth" / "activities.csv")
    truth = truth[truth["file"].str.startswith(export + "!") & truth["duplicate_of"].isna()]
    manual = truth[truth["file"] == export + "!"]
    assert len(manual) > 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RunloadWarning)
        df = runload.read_activities(SAMPLE / export, athlete=athlete, cache=False)
        weekly = runload.weekly_load(df, tz="Europe/London")
    got_manual = df[df["distance_source"] == "manual"]
    assert len(got_manual) == len(manual)
    assert got_manual["sport"].value_counts().to_dict() == \
        manual["sport"].value_counts().to_dict()
    local = pd.to_datetime(truth.loc[truth["sport"] == "strength_training", "local_start"])
    weeks = (local.dt.normalize() - pd.to_timedelta(local.dt.day_of_week, unit="D")).value_counts()
    got = weekly.set_index("week_start")["strength_sessions"]
    expected = weeks.reindex(got.index, fill_value=0)
    assert got.sum() == len(local) > 0
    assert (got == expected).all()

"""A folder of athlete folders read as one runner is detected, and one runner's layouts are not.

The rule (:func:`runload.io.squads.squad_message`): activities of different immediate
sub-folders (or archives) of one source folder that happen at the same time without being
copies of one recording. One person cannot do two activities at once.
"""

from __future__ import annotations

import shutil
import warnings
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import runload
from runload.errors import RunloadWarning
from runload.io import inventory, read_activities
from runload.io.dedupe import mark_duplicates
from runload.io.squads import squad_message

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_data"
SQUAD = SAMPLE / "squad"

needs_sample = pytest.mark.skipif(not SQUAD.is_dir(), reason="sample_data/ not found")


def _read(source, **options):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        frame = read_activities(source, **options)
    squad = [str(w.message) for w in caught
             if issubclass(w.category, RunloadWarning) and "looks like a squad" in str(w.message)]
    return frame, squad


def _bea_files(month: str) -> list[Path]:
    return sorted(SQUAD.glob(f"bea/{month}-*"))


@needs_sample
def test_sample_squad_folder_read_as_one_runner_warns():
    frame, squad = _read(str(SQUAD))
    assert set(frame["athlete"]) == {"squad"}  # still read as asked ...
    (message,) = squad  # ... but said once
    # names every athlete folder (chen's is an export zip inside her folder)
    assert "bea, chen, dario, emma, femi, gus" in message
    assert "same time without being the same recording" in message
    # the cross-athlete "duplicates" are named too
    assert "taken for duplicates" in message
    # and how to read a squad
    assert "runload.read_activities([" in message
    assert f"runload weekly {SQUAD / '*'}" in message
    assert f"runload audit {SQUAD}" in message


@needs_sample
def test_strava_and_garmin_exports_of_one_runner_do_not_warn():
    # sample_data/alex: a Strava export and a Garmin export side by side, sharing copies
    frame, squad = _read(str(SAMPLE / "alex"))
    assert squad == []
    assert inventory(frame)["duplicates"] >= 3


@needs_sample
def test_synced_exports_full_of_true_duplicates_do_not_warn(tmp_path):
    # every watch run also in the "Strava" export (the same recordings): copies, no conflict
    files = _bea_files("2026-05") + _bea_files("2026-06")
    (tmp_path / "garmin").mkdir()
    for path in files:
        shutil.copy(path, tmp_path / "garmin" / path.name)
    with zipfile.ZipFile(tmp_path / "export_1.zip", "w") as archive:
        for path in files:
            archive.write(path, f"activities/{path.name}")
    frame, squad = _read(str(tmp_path))
    assert squad == []
    assert inventory(frame)["duplicates"] == len(files)


@needs_sample
def test_month_folders_of_one_runner_do_not_warn(tmp_path):
    for month in ("2026-05", "2026-06", "2026-07"):
        (tmp_path / month).mkdir()
        for path in _bea_files(month):
            shutil.copy(path, tmp_path / month / path.name)
    frame, squad = _read(str(tmp_path))
    assert squad == []
    assert frame["duplicate_of"].isna().all()


@needs_sample
def test_two_athletes_in_one_folder_warn(tmp_path):
    # bea and emma, September 2026: their group runs overlap without being one recording
    for name in ("bea", "emma"):
        (tmp_path / name).mkdir()
        for path in SQUAD.glob(f"{name}/*2026-09-*"):
            shutil.copy(path, tmp_path / name / path.name)
    folder, squad = _read(str(tmp_path))
    (message,) = squad
    assert "sub-folders bea, emma" in message
    assert folder["duplicate_of"].notna().any()  # a group run taken for one run
    # read as the message says, one source per athlete: no warning, and no activity of
    # one athlete is a duplicate of the other's
    frame, squad = _read([str(tmp_path / "bea"), str(tmp_path / "emma")])
    assert squad == []
    assert sorted(frame["athlete"].unique()) == ["bea", "emma"]
    athlete_of = frame.groupby("activity_id")["athlete"].first()
    marked = frame.loc[frame["duplicate_of"].notna()]
    assert (marked["duplicate_of"].map(athlete_of) == marked["athlete"]).all()
    assert len(marked) < folder["duplicate_of"].notna().sum()


# --- the thresholds, on hand-made tables -------------------------------------------------------


def _two_devices(root: Path, n: int, disagree: int) -> pd.DataFrame:
    """``n`` runs recorded by a watch and a phone, ``disagree`` of the phone's distances 20%
    short (a copy the duplicate rule cannot match)."""
    start = pd.Timestamp("2024-01-01 07:00", tz="UTC") + pd.to_timedelta(np.arange(n), "D")
    distance = np.full(n, 10_000.0)
    phone = distance.copy()
    phone[:disagree] *= 0.8
    rows = pd.DataFrame({
        "athlete": "runner",
        "activity_id": [f"w{i}" for i in range(n)] + [f"p{i}" for i in range(n)],
        "source": [str(root / "watch" / f"{i}.fit") for i in range(n)]
        + [str(root / "phone" / f"{i}.gpx") for i in range(n)],
        "format": ["fit"] * n + ["gpx"] * n,
        "start_time": np.concatenate([start, start + pd.Timedelta(seconds=20)]),
        "elapsed_time_s": 3000.0,
        "moving_time_s": 2950.0,
        "distance_m": np.concatenate([distance, phone]),
        "distance_source": ["device"] * n + ["gps"] * n,
    })
    return mark_duplicates(rows)


@pytest.mark.parametrize("disagree, warns", [(0, False), (2, False), (4, False), (5, True)])
def test_a_few_disagreeing_copies_are_not_a_squad(tmp_path, disagree, warns):
    # 3 pairs at least, and at least 5% of the smaller folder's 100 activities
    table = _two_devices(tmp_path, 100, disagree)
    message = squad_message(table, root=str(tmp_path), athlete="runner")
    assert (message is not None) == warns


def test_loose_files_and_single_files_are_never_a_squad(tmp_path):
    table = _two_devices(tmp_path, 20, 20)
    assert squad_message(table, root=str(tmp_path)) is not None
    # the same rows, but all loose in the folder: no sub-folders to tell apart
    flat = table.assign(source=table["source"].str.replace("/watch/", "/w_")
                        .str.replace("/phone/", "/p_"))
    assert squad_message(flat, root=str(tmp_path)) is None
    # a file, not a folder
    assert squad_message(table, root=str(tmp_path / "watch" / "0.fit")) is None


def test_duplicates_never_match_across_athletes(tmp_path):
    # the same recording under two athletes' folders stays one activity of each
    data = (SQUAD / "bea").glob("*.fit")
    path = next(iter(sorted(data)), None)
    if path is None:
        pytest.skip("sample_data/ not found")
    for name in ("ann", "bob"):
        (tmp_path / name).mkdir()
        shutil.copy(path, tmp_path / name / path.name)
    frame, squad = _read([str(tmp_path / "ann"), str(tmp_path / "bob")])
    assert sorted(frame["athlete"]) == ["ann", "bob"]
    assert frame["duplicate_of"].isna().all()
    assert squad == []
    # one athlete given for both: now they are copies of one activity
    same = runload.read_activities([str(tmp_path / "ann"), str(tmp_path / "bob")],
                                   athlete="ann")
    assert same["duplicate_of"].notna().sum() == 1

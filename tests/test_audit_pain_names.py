"""Pain-log names that match no athlete are said, not silently dropped (audit and associate)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import pandas as pd
import pytest

from runload.audit import squad_audit, unmatched_athletes
from runload.columns import ACTIVITIES, conform
from runload.errors import RunloadWarning
from runload.load import weekly_load
from runload.pain import read_pain_log

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_data"
DIARY = SAMPLE / "pain" / "squad_diary.csv"

needs_sample = pytest.mark.skipif(not DIARY.is_file(), reason="sample_data/ not found")


def _runs(athlete: str, first: str = "2026-05-18", weeks: int = 26) -> pd.DataFrame:
    start = pd.Timestamp(first, tz="UTC") + pd.to_timedelta(
        [7 * i + 2 for i in range(weeks)], "D") + pd.Timedelta(hours=7)
    return conform(pd.DataFrame({
        "athlete": athlete, "activity_id": [f"{athlete}-{i}" for i in range(weeks)],
        "source": [f"{athlete}/{i}.fit" for i in range(weeks)], "format": "fit",
        "sport": "running", "start_time": start, "utc_offset_s": 0,
        "distance_m": 10_000.0, "moving_time_s": 3300.0, "elapsed_time_s": 3400.0,
    }), ACTIVITIES)


def _renamed_diary(tmp_path: Path) -> Path:
    """The sample squad's diary with gus written Gus (as a coach's spreadsheet may)."""
    diary = pd.read_csv(DIARY, dtype=str, keep_default_na=False)
    diary["athlete"] = diary["athlete"].replace({"gus": "Gus"})
    path = tmp_path / "diary.csv"
    diary.to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def weekly() -> pd.DataFrame:
    acts = pd.concat([_runs("bea"), _runs("gus")], ignore_index=True)
    return weekly_load(acts)


@needs_sample
def test_audit_warns_about_a_renamed_athlete(weekly, tmp_path):
    # the whole squad's diary for two of its athletes: the others are named, not matched
    with pytest.warns(RunloadWarning, match="'dario', 'femi'; the athletes are bea, gus"):
        right = squad_audit(weekly, read_pain_log(DIARY)).set_index("athlete")
    assert right.loc["gus", "pain_episodes"] > 0
    renamed = read_pain_log(_renamed_diary(tmp_path))
    with pytest.warns(RunloadWarning) as caught:
        audit = squad_audit(weekly, renamed).set_index("athlete")
    (message,) = [str(w.message) for w in caught if "not in the squad" in str(w.message)]
    assert "'Gus' (did you mean 'gus'?)" in message
    assert "the athletes are bea, gus" in message
    # dario and femi of the diary are not in this audit: listed, with no suggestion
    assert "'dario'," in message and "'femi';" in message
    assert audit.loc["gus", "pain_episodes"] == 0  # still not guessed: the coach decides
    assert audit.loc["bea", "pain_episodes"] == right.loc["bea", "pain_episodes"]


def test_audit_is_silent_when_every_name_matches(weekly):
    episodes = pd.DataFrame({"athlete": ["gus", "bea"],
                             "onset": pd.to_datetime(["2026-07-05", "2026-08-01"]),
                             "end": pd.to_datetime(["2026-07-10", "2026-08-03"])})
    with warnings.catch_warnings():
        warnings.simplefilter("error", RunloadWarning)
        audit = squad_audit(weekly, episodes)
    assert audit.set_index("athlete")["pain_episodes"].to_dict() == {"bea": 1, "gus": 1}


def test_audit_warns_about_episodes_without_an_athlete(weekly):
    episodes = pd.DataFrame({"onset": pd.to_datetime(["2026-07-05"]),
                             "end": pd.to_datetime(["2026-07-10"])})
    with pytest.warns(RunloadWarning, match="1 pain episode without an athlete ignored"):
        squad_audit(weekly, episodes)


def test_unmatched_athletes_suggests_close_names():
    assert unmatched_athletes(["bea", "gus"], ["gus", "bea"]) is None
    text = unmatched_athletes(["Gus", "emmma", "zed", None], ["gus", "emma", "bea"])
    assert text == ("'Gus' (did you mean 'gus'?), 'emmma' (did you mean 'emma'?), 'zed'; "
                    "the athletes are bea, emma, gus")


@needs_sample
def test_associate_names_the_unmatched_athletes(weekly, tmp_path):
    from runload.stats import associate

    renamed = read_pain_log(_renamed_diary(tmp_path))
    with pytest.warns(RunloadWarning, match="without weekly data ignored") as caught:
        associate(weekly, renamed)
    (message,) = [str(w.message) for w in caught if "without weekly data" in str(w.message)]
    assert "'Gus' (did you mean 'gus'?)" in message and "the athletes are bea, gus" in message


@needs_sample
def test_cli_audit_says_which_names_match_nobody(tmp_path):
    squad = tmp_path / "squad"
    for name in ("bea", "gus"):
        (squad / name).mkdir(parents=True)
        for path in sorted((SAMPLE / "squad" / name).glob("*2026-0[67]-*")):
            shutil.copy(path, squad / name / path.name)
    script = Path(sys.executable).with_name("runload")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "runload.cli"]
    done = subprocess.run(
        [*command, "audit", str(squad), "--pain", str(_renamed_diary(tmp_path)),
         "-o", str(tmp_path / "audit.html")],
        capture_output=True, text=True, timeout=300,
        env={**os.environ, "RUNLOAD_CACHE_DIR": str(tmp_path / "cache")})
    assert done.returncode == 0, done.stderr
    assert "'Gus' (did you mean 'gus'?)" in done.stderr

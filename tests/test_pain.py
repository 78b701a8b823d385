"""Reading pain logs: both forms, the episode rule, and every kind of bad input."""

from __future__ import annotations

import io
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import runload
from runload.columns import EPISODES
from runload.errors import PainLogError, ParameterError, RunloadWarning
from runload.pain import episodes, read_pain_log

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data" / "pain"
TEMPLATES = ROOT / "docs" / "templates"
TODAY = "2025-06-30"


def log(text: str, tmp_path: Path, name: str = "pain.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_public_name_and_columns():
    got = runload.read_pain_log(TEMPLATES / "pain_log_episodes.csv", today=TODAY)
    assert list(got.columns) == list(EPISODES)
    assert got["onset"].dtype == "datetime64[ns]"
    assert got["max_severity"].dtype == "float64"


def test_episode_template():
    got = read_pain_log(TEMPLATES / "pain_log_episodes.csv", today=TODAY)
    assert got["onset"].tolist() == [pd.Timestamp("2024-03-04"), pd.Timestamp("2024-07-15")]
    assert got["end"].iloc[0] == pd.Timestamp("2024-03-10")
    assert pd.isna(got["end"].iloc[1])  # ongoing
    assert got["max_severity"].tolist() == [6.0, 4.0]
    assert got["time_lost_days"].tolist() == [3.0, 0.0]
    assert got["athlete"].tolist() == ["me", "me"]


def test_diary_template_groups_consecutive_days():
    got = read_pain_log(TEMPLATES / "pain_log_diary.csv", today=TODAY)
    assert len(got) == 1
    row = got.iloc[0]
    assert (row["onset"], row["end"]) == (pd.Timestamp("2024-03-04"), pd.Timestamp("2024-03-07"))
    assert row["max_severity"] == 6.0
    assert row["notes"] == "stiff after the long run; better"
    assert np.isnan(row["time_lost_days"])


def test_squad_file_and_athlete_selection():
    got = read_pain_log(DATA / "episodes_squad.csv", today=TODAY)
    assert got["athlete"].tolist() == ["ann", "ann", "bob", "bob"]
    assert got.loc[3, "notes"] == "ongoing, mild"
    bob = read_pain_log(DATA / "episodes_squad.csv", athlete="bob", today=TODAY)
    assert bob["athlete"].tolist() == ["bob", "bob"]
    with pytest.raises(PainLogError, match="no rows for athlete 'eve'"):
        read_pain_log(DATA / "episodes_squad.csv", athlete="eve", today=TODAY)


def test_athlete_argument_names_a_single_runner_log(tmp_path):
    got = read_pain_log(log("onset\n2024-01-02\n", tmp_path), athlete="me", today=TODAY)
    assert got["athlete"].tolist() == ["me"]
    anonymous = read_pain_log(log("onset\n2024-01-02\n", tmp_path), today=TODAY)
    assert anonymous["athlete"].isna().all()


def test_european_spreadsheet_bom_semicolon_decimal_comma_blank_line():
    got = read_pain_log(DATA / "diary_excel_de.csv", today=TODAY)
    # 0,5 is below min_severity 1 (pain free); 20.05 comes > 28 days later: new episode
    assert got["onset"].tolist() == [pd.Timestamp("2024-03-04"), pd.Timestamp("2024-05-20")]
    assert got["end"].tolist() == [pd.Timestamp("2024-03-05"), pd.Timestamp("2024-05-20")]
    assert got["max_severity"].tolist() == [6.0, 2.0]
    assert got.loc[0, "notes"] == "steif"


def test_latin1_is_read_with_a_warning():
    with pytest.warns(RunloadWarning, match="not UTF-8"):
        got = read_pain_log(DATA / "episodes_latin1.csv", today=TODAY)
    assert got.loc[0, "notes"] == "Rücken nach Bergläufen"
    explicit = read_pain_log(DATA / "episodes_latin1.csv", encoding="latin-1", today=TODAY)
    assert explicit.loc[0, "notes"] == "Rücken nach Bergläufen"


def test_trailing_separators_from_spreadsheets(tmp_path):
    got = read_pain_log(log("onset;severity;;\n2024-03-04;5;;\n2024-06-01;3;;\n", tmp_path), today=TODAY)
    assert got["max_severity"].tolist() == [5.0, 3.0]
    with pytest.raises(PainLogError, match="empty column name"):
        read_pain_log(log("onset,,severity\n2024-03-04,x,5\n", tmp_path), today=TODAY)


def test_excel_serial_dates(tmp_path):
    got = read_pain_log(log("onset,end\n45355,45361\n", tmp_path), today=TODAY)
    assert got.loc[0, "onset"] == pd.Timestamp("2024-03-04")
    assert got.loc[0, "end"] == pd.Timestamp("2024-03-10")


def test_buffer_and_dataframe_inputs():
    text = "date,severity\n2024-03-04,5\n2024-03-05,2\n"
    from_text = read_pain_log(io.StringIO(text), today=TODAY)
    from_bytes = read_pain_log(io.BytesIO(text.encode()), today=TODAY)
    frame = pd.DataFrame({"date": ["2024-03-04", "2024-03-05"], "severity": [5, 2]})
    from_frame = read_pain_log(frame, today=TODAY)
    for got in (from_bytes, from_frame):
        pd.testing.assert_frame_equal(got, from_text)
    assert from_text.loc[0, "max_severity"] == 5.0


def test_dataframe_input_is_not_modified():
    frame = pd.DataFrame({"onset": ["2024-03-04"], "severity": ["5"]})
    before = frame.copy()
    read_pain_log(frame, today=TODAY)
    pd.testing.assert_frame_equal(frame, before)


def test_duplicate_rows_dropped_with_warning(tmp_path):
    path = log("onset,severity\n2024-03-04,5\n2024-03-04,5\n", tmp_path)
    with pytest.warns(RunloadWarning, match=r"a duplicate row dropped \(line 3\)"):
        got = read_pain_log(path, today=TODAY)
    assert len(got) == 1


def test_close_logged_episodes_merge_after_de_vet(tmp_path):
    text = "onset,end,severity,time_lost_days\n2024-03-01,2024-03-05,4,1\n2024-03-20,2024-03-22,7,2\n2024-06-01,2024-06-02,3,\n"
    with pytest.warns(RunloadWarning, match="merged"):
        got = read_pain_log(log(text, tmp_path), today=TODAY)
    assert got["onset"].tolist() == [pd.Timestamp("2024-03-01"), pd.Timestamp("2024-06-01")]
    assert got.loc[0, "end"] == pd.Timestamp("2024-03-22")
    assert got.loc[0, "max_severity"] == 7.0
    assert got.loc[0, "time_lost_days"] == 3.0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        kept = read_pain_log(log(text, tmp_path), min_gap_days=0, today=TODAY)
    assert len(kept) == 3


def test_min_gap_is_counted_in_pain_free_days():
    diary = pd.DataFrame({"date": pd.to_datetime(["2024-01-01", "2024-01-30", "2024-03-29"]),
                          "severity": [3.0, 3.0, 3.0]})
    # 28 pain-free days between Jan 1 and Jan 30: a new episode; 58 days to Mar 29
    assert len(episodes(diary, min_gap_days=28)) == 3
    assert len(episodes(diary, min_gap_days=29)) == 2
    assert len(episodes(diary, min_gap_days=60)) == 1


def test_min_duration_days_drops_single_days(tmp_path):
    text = "date,severity\n2024-03-04,5\n2024-06-01,3\n2024-06-02,4\n"
    got = read_pain_log(log(text, tmp_path), min_duration_days=2, today=TODAY)
    assert got["onset"].tolist() == [pd.Timestamp("2024-06-01")]


@pytest.mark.parametrize(
    ("text", "line", "column", "message"),
    [
        ("onset,severity\n2024-03-04,5\n2024-13-01,5\n", 3, "onset", "no such date '2024-13-01': month 13"),
        ("onset,severity\n2024-03-04,11\n", 2, "severity", "severity '11' is outside 0-10"),
        ("onset,severity\n2024-03-04,-1\n", 2, "severity", "outside 0-10"),
        ("onset,severity\n2024-03-04,bad\n", 2, "severity", "severity 'bad' is not a number"),
        ("onset,end\n2024-03-04,2024-03-01\n", 2, "end", "end '2024-03-01' is before the onset"),
        ("onset,severity,mood\n2024-03-04,5,ok\n", 1, "mood", "unknown column"),
        ("onset,severity\n,5\n", 2, "onset", "missing date"),
        ("onset,severity\n2024-03-04,5,7\n", 2, None, "expected 2 fields"),
        ("onset,severity\n03/04/2024,5\n", 2, "onset", "ambiguous date"),
        ("onset,severity\n2030-01-01,5\n", 2, "onset", "in the future"),
        ("onset,time_lost_days\n2024-03-04,-2\n", 2, "time_lost_days", "outside >= 0"),
        ("date,severity\n2024-03-04,\n", 2, "severity", "missing severity"),
        ("date,severity\n2024-03-04,3\n2024-03-04,5\n", 3, "date", "rated twice (also on line 2)"),
        ("date,notes\n2024-03-04,x\n", 1, None, "needs a 'severity' column"),
        ("when,severity\n2024-03-04,5\n", 1, None, "no 'onset' column"),
        ("onset,date\n2024-03-04,2024-03-04\n", 1, None, "both 'onset'"),
        ("onset,Onset\n2024-03-04,2024-03-04\n", 1, "onset", "appears twice"),
    ],
)
def test_bad_logs_name_file_line_and_column(tmp_path, text, line, column, message):
    path = log(text, tmp_path, "bad.csv")
    with pytest.raises(PainLogError) as info:
        read_pain_log(path, today=TODAY)
    err = info.value
    assert err.source == str(path)
    assert err.line == line
    assert err.column == column
    assert message in str(err)
    assert str(err).startswith(f"{path}: line {line}")


def test_date_format_resolves_ambiguity(tmp_path):
    got = read_pain_log(log("onset\n03/04/2024\n", tmp_path), date_format="%d/%m/%Y", today=TODAY)
    assert got.loc[0, "onset"] == pd.Timestamp("2024-04-03")


def test_missing_file_is_a_pain_log_error(tmp_path):
    with pytest.raises(PainLogError, match="cannot open"):
        read_pain_log(tmp_path / "nope.csv")


@pytest.mark.parametrize("text", ["", "\n\n", "onset,end,severity\n", "date,severity\n\n"])
def test_empty_log_gives_no_episodes_not_a_crash(tmp_path, text):
    with pytest.warns(RunloadWarning, match="empty|no episodes"):
        got = read_pain_log(log(text, tmp_path), today=TODAY)
    assert got.empty
    assert list(got.columns) == list(EPISODES)


def test_bad_options():
    with pytest.raises(ParameterError):
        read_pain_log(io.StringIO("onset\n2024-01-01\n"), min_severity=11)
    with pytest.raises(ParameterError):
        read_pain_log(io.StringIO("onset\n2024-01-01\n"), min_gap_days=-1)
    with pytest.raises(ParameterError):
        read_pain_log(42)


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 400), st.integers(0, 10)), min_size=1, max_size=40,
                unique_by=lambda t: t[0]),
       st.integers(0, 40))
def test_diary_episodes_properties(days, gap):
    """Episodes cover every pain day, never overlap, and are >= gap pain-free days apart."""
    diary = pd.DataFrame({
        "date": pd.Timestamp("2024-01-01") + pd.to_timedelta([d for d, _ in days], unit="D"),
        "severity": [float(s) for _, s in days],
    })
    got = episodes(diary, min_gap_days=gap)
    pain = diary.loc[diary["severity"] >= 1, "date"]
    covered = [((got["onset"] <= d) & (got["end"] >= d)).sum() for d in pain]
    assert all(c == 1 for c in covered)
    if len(got) > 1:
        free_days = (got["onset"].iloc[1:].to_numpy() - got["end"].iloc[:-1].to_numpy()) / np.timedelta64(1, "D") - 1
        assert (free_days >= max(gap, 1)).all()
    assert got["max_severity"].sum() <= diary["severity"].sum()

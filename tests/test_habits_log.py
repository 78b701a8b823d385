"""The habits log: the template, the tidy result, and line-precise errors on bad rows."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest

import runload
from runload.errors import HabitsLogError, PainLogError
from runload.habits import HABITS_LOG, KINDS, read_habits_log

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "docs" / "templates" / "habits_log.csv"
TODAY = "2025-06-30"


def read(text: str, **kw) -> pd.DataFrame:
    return read_habits_log(io.StringIO(text), today=TODAY, **kw)


def error(text: str, **kw) -> HabitsLogError:
    with pytest.raises(HabitsLogError) as info:
        read(text, **kw)
    return info.value


def test_template_reads_with_every_kind_but_one():
    got = runload.read_habits_log(TEMPLATE, today=TODAY)
    assert list(got.columns) == list(HABITS_LOG)
    assert got["date"].dtype == "datetime64[ns]"
    assert set(got["kind"]) <= set(KINDS)
    assert len(got) == 8
    sleep = got.loc[got["kind"] == "sleep"].set_index("date")["duration_s"]
    assert sleep[pd.Timestamp("2024-03-05")] == 7.5 * 3600  # value = hours
    assert sleep[pd.Timestamp("2024-03-06")] == 410 * 60  # minutes asleep
    strength = got.loc[got["kind"] == "strength", "duration_s"]
    assert strength.tolist() == [25 * 60.0]
    assert got.loc[got["kind"] == "shoes", "value"].tolist() == ["Pegasus 40"]
    assert got["athlete"].isna().all()


def test_athlete_column_and_selection():
    text = "athlete,date,kind,minutes\nann,2024-01-02,core,10\nbob,2024-01-03,strength,30\n"
    assert read(text)["athlete"].tolist() == ["ann", "bob"]
    only = read(text, athlete="bob")
    assert only["kind"].tolist() == ["strength"]
    assert read("date,kind\n2024-01-02,core\n", athlete="ann")["athlete"].tolist() == ["ann"]


def test_kind_is_case_and_space_insensitive_and_semicolons_work():
    got = read("date;kind;minutes\n2024-01-02; Core ;12,5\n")
    assert got["kind"].tolist() == ["core"]
    assert got["duration_s"].tolist() == [750.0]


def test_accepts_a_dataframe():
    frame = pd.DataFrame({"date": ["2024-01-02"], "kind": ["rehab"], "minutes": [20]})
    got = read_habits_log(frame, today=TODAY)
    assert got["duration_s"].tolist() == [1200.0]


@pytest.mark.parametrize(
    ("text", "line", "column", "words"),
    [
        ("date,kind\n2024-01-02,core\n2024-01-03,yoga\n", 3, "kind", "unknown kind 'yoga'"),
        ("date,kind\n2024-01-02,core\n2024-13-40,core\n", 3, "date", "no such date"),
        ("date,kind\n03/04/2024,core\n", 2, "date", "ambiguous"),
        ("date,kind\n2030-01-01,core\n", 2, "date", "future"),
        ("date,kind,minutes\n2024-01-02,core,-5\n", 2, "minutes", "outside 0-1440"),
        ("date,kind,minutes\n2024-01-02,core,lots\n", 2, "minutes", "not a number"),
        ("date,kind,mood\n2024-01-02,core,good\n", 1, "mood", "unknown column"),
        ("date,kind,kind\n2024-01-02,core,core\n", 1, "kind", "twice"),
        ("date,kind\n2024-01-02,\n", 2, "kind", "missing kind"),
        ("date,kind\n,core\n", 2, "date", "missing date"),
        ("date,kind\n2024-01-02,core,extra\n", 2, None, "expected 2 fields"),
        ("date,kind,minutes,value\n2024-01-02,sleep,,\n", 2, "minutes", "sleep night needs"),
        ("date,kind,value\n2024-01-02,sleep,30\n", 2, "value", "outside 0-24"),
        ("date,kind,value\n2024-01-02,sleep,long\n", 2, "value", "not a number"),
        ("date,kind,minutes,value\n2024-01-02,sleep,300,8\n", 2, "value", "disagree"),
        ("date,kind,value\n2024-01-02,shoes,\n", 2, "value", "pair's name"),
        ("date,kind,value\n2024-01-02,strides,2.5\n", 2, "value", "whole number"),
        ("date,kind,value\n2024-01-02,strides,0\n", 2, "value", "whole number"),
    ],
)
def test_bad_rows_name_line_and_column(text, line, column, words):
    exc = error(text)
    assert exc.line == line
    assert exc.column == column
    assert words in str(exc)
    assert isinstance(exc, PainLogError) and isinstance(exc, ValueError)


def test_missing_required_column():
    exc = error("date,minutes\n2024-01-02,10\n")
    assert exc.line == 1 and "'kind'" in str(exc)


def test_error_names_the_file(tmp_path):
    path = tmp_path / "habits.csv"
    path.write_text("date,kind\n2024-01-02,pilates\n", encoding="utf-8")
    with pytest.raises(HabitsLogError) as info:
        read_habits_log(path, today=TODAY)
    assert info.value.source == str(path)
    assert str(info.value).startswith(f"{path}: line 2, column 'kind': unknown kind 'pilates'")


def test_missing_file_is_a_habits_log_error(tmp_path):
    with pytest.raises(HabitsLogError, match="cannot open the habits log"):
        read_habits_log(tmp_path / "nope.csv")


def test_empty_log_warns_and_is_empty():
    with pytest.warns(runload.RunloadWarning, match="empty"):
        got = read("")
    assert got.empty and list(got.columns) == list(HABITS_LOG)


def test_input_frame_not_modified():
    frame = pd.DataFrame({"date": ["2024-01-02"], "kind": ["Core"]})
    before = frame.copy()
    read_habits_log(frame, today=TODAY)
    pd.testing.assert_frame_equal(frame, before)

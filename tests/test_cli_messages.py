"""The messages of the ``runload`` command line, as a new user meets them.

Each test runs :func:`runload.cli.main` as the ``runload`` script does (arguments in,
exit code out, the text on standard output and standard error) on a few corpus files or
small hand-made ones, one process and no cache so that it stays fast.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
from conftest import error_lines, run_cli

from runload import cli

SAMPLE = Path(os.environ.get("RUNLOAD_SAMPLE_DATA",
                           Path(__file__).resolve().parents[1] / "sample_data"))
FENIX = "fit/fitparse__activity-small-fenix2-run.fit"  # 2015-08-15 14:45 UTC, offset +2 h
GPX = "gpx/runpandas__run.gpx"  # 2017-05-27 08:13 UTC, no UTC offset in the file
TRUNCATED = "broken/fitparse__activity-unexpected-eof.fit"  # part kept (two problem rows)
MALFORMED = "broken/runpandas__malformed.tcx"  # nothing kept


@pytest.fixture
def fenix(corpus, tmp_path) -> Path:
    path = tmp_path / "runs" / Path(FENIX).name
    path.parent.mkdir()
    shutil.copy(corpus / FENIX, path)
    return path


def no_reading(monkeypatch) -> list:
    """Make reading activity files fail the test; returns the list of calls."""
    import runload.io

    calls: list = []

    def refuse(*args, **kwargs):
        calls.append(args)
        raise AssertionError("activity files were read before the logs were checked")

    monkeypatch.setattr(runload.io, "read_activities", refuse)
    return calls


# --------------------------------------------------------------------------- 1: sample


def test_sample_without_fit_tool_is_one_clear_error(tmp_path, monkeypatch, capsys):
    """A core-only install (no fit-tool, the ``sample`` extra): no traceback."""
    import runload.sample

    monkeypatch.setattr(runload.sample, "writers", None)  # what a failed import leaves
    code, out, err = run_cli(capsys, "sample", str(tmp_path / "data"))
    assert code == 2
    assert error_lines(err) == [
        "runload: error: writing the sample data needs the optional package fit-tool, which "
        "is not installed; install it with: pip install 'runload[sample]'"]
    assert "Traceback" not in err and out == ""
    assert not (tmp_path / "data").exists()


def test_sample_names_another_missing_module(tmp_path, monkeypatch, capsys):
    import runload.sample

    def broken(directory):
        raise ModuleNotFoundError("No module named 'scipy'", name="scipy")

    monkeypatch.setattr(runload.sample, "write_sample_data", broken)
    code, _, err = run_cli(capsys, "sample", str(tmp_path / "data"))
    assert code == 2
    (line,) = error_lines(err)
    assert "(scipy cannot be imported)" in line and "pip install 'runload[sample]'" in line


# --------------------------------------------------------------------------- 2, 3: problems


def test_nothing_read_lists_the_problems_it_points_at(tmp_path, capsys):
    fake = tmp_path / "fake.fit"
    fake.write_text("not a FIT file\n", encoding="utf-8")
    code, out, err = run_cli(capsys, "activities", str(fake))
    assert code == 1
    (line,) = error_lines(err)
    assert "no activity could be read from any file; see the problems above" in line
    assert "they are listed at the end" in err
    assert "Problems: 1 in 1 file (1 not read):" in out
    listed = out[out.index("Problems:"):]
    assert f"{fake}: " in listed and "(nothing kept)" in listed
    assert "problem files 1 (nothing kept)" in out


def test_problem_counts_say_what_was_kept(corpus, tmp_path, capsys):
    folder = tmp_path / "runs"
    folder.mkdir()
    for name in (FENIX, TRUNCATED, MALFORMED):
        shutil.copy(corpus / name, folder / Path(name).name)
    code, out, err = run_cli(capsys, "activities", str(folder))
    assert code == 0, err
    # problem files are the files of which nothing was kept; the salvaged file is an
    # activity file, so the sum holds
    assert ("files seen 3 = activity files 2 + non-activity files 0 + problem files 1 "
            "(nothing kept); 1 activity file read in part") in out
    assert re.search(r"2 of 3 files had problems \(.*\); 1 not read, 1 read in part; "
                     r"they are listed at the end", err)
    header = re.search(r"Problems: (\d+) in 2 files \(1 not read, 1 read in part\):", out)
    assert header and int(header.group(1)) >= 2
    rows = out[header.end():].strip().splitlines()
    assert len(rows) == int(header.group(1))
    assert sum("(nothing kept)" in r for r in rows) == 1
    assert all(Path(TRUNCATED).name in r for r in rows if "(part kept)" in r)


# --------------------------------------------------------------------------- 4: log dates


@pytest.mark.parametrize(("cell", "words"), [
    ("2015-13-07", "no such date '2015-13-07': month 13"),
    ("2015-06-31", "no such date '2015-06-31': June has 30 days"),
    ("2015-02-29", "no such date '2015-02-29': February 2015 has 28 days"),
    ("31.06.2015", "no such date '31.06.2015': June has 30 days"),
    ("yesterday", "unparseable date 'yesterday'; write dates as YYYY-MM-DD"),
])
def test_impossible_dates_say_why(fenix, tmp_path, capsys, cell, words):
    pain = tmp_path / "pain.csv"
    pain.write_text(f"onset,end,severity\n2015-08-20,,5\n{cell},,3\n", encoding="utf-8")
    code, _, err = run_cli(capsys, "weekly", str(fenix), "--pain", str(pain))
    assert code == 1
    (line,) = error_lines(err)
    assert f"{pain}: line 3, column 'onset': {words}" in line
    assert "(fix that cell in the CSV" in line
    if "no such date" in words:
        assert "write dates as YYYY-MM-DD" not in line  # they already are


def test_us_dates_point_at_the_date_format_option(fenix, tmp_path, capsys):
    pain = tmp_path / "pain.csv"
    pain.write_text("onset,end,severity\n08/20/2015,08/27/2015,5\n", encoding="utf-8")
    code, _, err = run_cli(capsys, "weekly", str(fenix), "--pain", str(pain))
    assert code == 1
    (line,) = error_lines(err)
    assert "ambiguous date '08/20/2015'" in line
    assert "date_format='%m/%d/%Y' (month first) in Python" in line
    assert "--date-format '%m/%d/%Y' on the command line" in line
    code, out, err = run_cli(capsys, "weekly", str(fenix), "--pain", str(pain),
                             "--date-format", "%m/%d/%Y")
    assert code == 0, err
    assert "1 pain episode" in out
    habits = tmp_path / "habits.csv"
    habits.write_text("date,kind,minutes\n08/11/2015,strength,25\n", encoding="utf-8")
    code, _, err = run_cli(capsys, "weekly", str(fenix), "--habits", str(habits),
                           "--date-format", "%m/%d/%Y")
    assert code == 0, err
    code, _, err = run_cli(capsys, "weekly", str(fenix), "--pain", str(pain),
                           "--date-format", "month first")
    assert code == 2
    assert "--date-format must be a strptime format such as '%m/%d/%Y'" in err


def test_header_errors_say_which_header_is_expected(fenix, tmp_path, capsys):
    pain = tmp_path / "pain.csv"
    pain.write_text("onst,end,severity\n2015-08-20,,5\n", encoding="utf-8")
    code, _, err = run_cli(capsys, "weekly", str(fenix), "--pain", str(pain))
    assert code == 1
    (line,) = error_lines(err)
    assert f"{pain}: line 1:" in line
    assert ("fix the header row: expected onset,end,severity,location,time_lost_days,notes "
            "(episodes; onset required) or date,severity,location,notes (daily diary; date "
            "and severity required), optionally with an athlete column") in line
    assert "fix that cell" not in line
    habits = tmp_path / "habits.csv"
    habits.write_text("date,kind,minute\n2015-08-11,strength,25\n", encoding="utf-8")
    code, _, err = run_cli(capsys, "weekly", str(fenix), "--habits", str(habits))
    assert code == 1
    (line,) = error_lines(err)
    assert "line 1, column 'minute'" in line
    assert ("fix the header row: expected date,kind,minutes,value,notes (date and kind "
            "required), optionally with an athlete column; see docs/habits.md") in line
    rows = tmp_path / "rows.csv"
    rows.write_text("onset,severity\n2015-08-20,5,7\n", encoding="utf-8")
    code, _, err = run_cli(capsys, "weekly", str(fenix), "--pain", str(rows))
    (line,) = error_lines(err)
    assert "line 2: expected 2 fields" in line and "fix that line of the CSV" in line


# --------------------------------------------------------------------------- 5: legend


def test_weekly_table_explains_week_and_change(fenix, capsys):
    code, out, err = run_cli(capsys, "weekly", str(fenix))
    assert code == 0, err
    lines = out.splitlines()
    table = next(i for i, line in enumerate(lines) if "change_%" in line)
    legend = next(line for line in lines[table:] if line.startswith("week: "))
    assert legend.startswith("week: local date the week starts (Monday). change_%: ")
    assert ("against the reference week of the 10% rule: the previous week, or after a "
            "single recovery week the week before it (not always week-over-week") in legend
    code, out, _ = run_cli(capsys, "weekly", str(fenix), "--week-start", "sunday")
    assert "week: local date the week starts (Sunday)." in out
    code, out, _ = run_cli(capsys, "weekly", str(fenix), "--csv", "-")
    assert "week: local date" not in out  # standard output holds the CSV only


# --------------------------------------------------------------------------- 6: --as-of


def test_as_of_before_the_first_activity_is_an_error(fenix, capsys):
    code, out, err = run_cli(capsys, "weekly", str(fenix), "--as-of", "2015-01-01")
    assert code == 1
    (line,) = error_lines(err)
    assert line == (f"runload: error: {fenix}: --as-of 2015-01-01 is before the first "
                    "activity (2015-08-15): no week to show; give a later date or leave "
                    "--as-of out")
    assert "(no rows)" not in out and "weeks flagged" not in out
    code, _, err = run_cli(capsys, "report", str(fenix), "--as-of", "2015-01-01",
                           "-o", str(fenix.parent / "r.html"))
    assert code == 1 and "before the first activity" in err
    assert not (fenix.parent / "r.html").exists()
    code, out, err = run_cli(capsys, "weekly", str(fenix), "--as-of", "2015-08-31")
    assert code == 0, err


def test_as_of_before_one_athletes_first_activity_warns(corpus, tmp_path, capsys):
    for athlete, name in (("ann", FENIX), ("bob", GPX)):
        (tmp_path / athlete).mkdir()
        shutil.copy(corpus / name, tmp_path / athlete / Path(name).name)
    code, out, err = run_cli(capsys, "weekly", str(tmp_path / "ann"), str(tmp_path / "bob"),
                             "--as-of", "2016-01-01")
    assert code == 0, err
    assert ("runload: warning: --as-of 2016-01-01 is before the first activity of bob "
            "(2017-05-27); they have no week in the table") in err
    assert "2015-08-10" in out and "2017-05-22" not in out  # ann's weeks only


# --------------------------------------------------------------------------- 7: --help


def test_help_says_what_the_thresholds_are(capsys):
    code, out, _ = run_cli(capsys, "weekly", "--help")
    assert code == 0
    text = " ".join(out[out.index("rule thresholds"):].split())

    def option(name: str) -> str:
        return re.search(rf"--{name} \S+ (.*?)(?= --|$)", text).group(1)

    assert option("min-base-m").startswith("Reference-week minimum, m: the 10% and recovery "
                                           "rules judge a week only when its reference is ≥")
    assert "metres: 10000 = 10 km" in option("min-base-m")
    assert option("acute-days").startswith("Acute window of the ACWR: the recent load")
    assert option("chronic-days").startswith("Chronic window of the ACWR: the longer base")
    assert "(default 7)" in option("acute-days") and "days (days" not in text
    breaks = option("break-weeks")
    assert "return_from_break" not in breaks
    assert breaks.startswith("Low weeks in a row that make a break: the first week back")


# --------------------------------------------------------------------------- 8: audit table


@pytest.mark.skipif(not (SAMPLE / "squad" / "gus").is_dir(),
                    reason=f"no sample squad in {SAMPLE} (runload sample writes it)")
def test_audit_table_trend_and_recent_pain(tmp_path, capsys):
    squad = tmp_path / "squad"
    squad.mkdir()
    for name in ("bea", "gus"):
        (squad / name).symlink_to(SAMPLE / "squad" / name, target_is_directory=True)
    code, out, err = run_cli(capsys, "audit", str(squad), "--pain",
                             str(SAMPLE / "pain" / "squad_diary.csv"), "--tz", "Europe/London",
                             "--as-of", "2026-11-15", "-o", str(tmp_path / "audit.html"))
    assert code == 0, err
    lines = out.splitlines()
    header = next(line.split() for line in lines if line.split()[:1] == ["athlete"])
    assert header[-2:] == ["recent_pain", "file_problems"] and "trend_%" in header
    rows = {line.split()[0]: line.split() for line in lines if line.split()[:1] in (["bea"],
                                                                                 ["gus"])}
    # as audit.html shows them: "+4.4%" and "+0.6%"; recent pain never blank
    assert rows["gus"][4] == "+4.4" and rows["gus"][-2] == "yes"
    assert rows["bea"][4] == "+0.6" and rows["bea"][-2] == "no"
    text = (tmp_path / "audit.html").read_text(encoding="utf-8")
    assert "+4.4%" in text and "+0.6%" in text


def test_audit_trend_has_one_decimal_like_the_html():
    audit = pd.DataFrame({
        "athlete": ["a", "b", "c", "d"], "risk": ["low"] * 4,
        "current_distance_m": [1000.0] * 4, "distance_4wk_m": [4000.0] * 4,
        "trend_pct": [4.44, 4.0, -21.46, float("nan")], "active_flags": [""] * 4,
        "weeks_since_recovery": [1] * 4, "pain_recent": [True, False, False, pd.NA],
        "data_problems": [0] * 4,
    })
    view = cli._audit_view(audit, "km")
    assert view["trend_%"].tolist() == ["+4.4", "+4.0", "-21.5", "-"]
    assert view["recent_pain"].tolist()[:3] == ["yes", "no", "no"]


# --------------------------------------------------------------------------- 9: --tz


def test_activities_show_the_local_start_with_tz(corpus, tmp_path, capsys):
    folder = tmp_path / "runs"
    folder.mkdir()
    for name in (FENIX, GPX):
        shutil.copy(corpus / name, folder / Path(name).name)
    code, out, err = run_cli(capsys, "activities", str(folder), "--tz", "America/New_York")
    assert code == 0, err
    assert "start (UTC)" in out and "start (local)" in out
    assert "2015-08-15 14:45 2015-08-15 16:45" in out  # the watch's own offset, +2 h
    assert "2017-05-27 08:13 2017-05-27 04:13" in out  # no offset in the file: New York
    assert ("start (local): the wall-clock time of the file's own UTC offset, else of "
            "America/New_York (--tz)") in out
    code, out, _ = run_cli(capsys, "activities", str(folder))
    assert "start (local)" not in out


# --------------------------------------------------------------------------- 10: logs first


@pytest.mark.parametrize(("option", "content", "code", "words"), [
    ("--pain", None, 2, "no such pain log; check the path"),
    ("--pain", "onset,severity\n2015-13-01,5\n", 1, "no such date '2015-13-01'"),
    ("--habits", None, 2, "no such habits log; check the path"),
    ("--habits", "date,kind\n2015-08-11,yoga\n", 1, "unknown kind 'yoga'"),
    ("--sleep", None, 2, "no such sleep source; check the path"),
])
def test_logs_are_checked_before_any_activity_is_read(fenix, tmp_path, monkeypatch, capsys,
                                                       option, content, code, words):
    calls = no_reading(monkeypatch)
    path = tmp_path / "log.csv"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    for command in ("weekly", "report"):
        got, out, err = run_cli(capsys, command, str(fenix), option, str(path))
        assert got == code
        (line,) = error_lines(err)
        assert str(path) in line and words in line
        assert "files seen" not in out
    if option == "--pain":
        got, _, err = run_cli(capsys, "audit", str(fenix.parent), option, str(path))
        assert got == code and words in err
    assert calls == []


def test_a_folder_or_a_pipe_as_a_log(fenix, tmp_path, monkeypatch, capsys):
    import os

    calls = no_reading(monkeypatch)
    got, _, err = run_cli(capsys, "weekly", str(fenix), "--pain", str(tmp_path))
    assert got == 2 and "the pain log must be a CSV file, not a folder" in err
    if hasattr(os, "mkfifo"):
        fifo = tmp_path / "pipe.csv"
        os.mkfifo(fifo)
        got, _, err = run_cli(capsys, "weekly", str(fenix), "--habits", str(fifo))
        assert got == 1 and "named pipe" in err
    assert calls == []

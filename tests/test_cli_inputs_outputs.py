"""The command line's checks of its inputs and outputs before any activity file is read.

``--sleep`` must hold Garmin sleep data; a window option (``--acute-days``,
``--chronic-days``) is named in its error; a read of files that hold no activity but no
problem either says what the files were; ``-o`` and ``--csv`` are checked before the
history is read, with one exit code (2) for an output that cannot be written.
"""

from __future__ import annotations

import json
import shutil
import sys
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from conftest import error_lines, run_cli

from runload import cli
from runload.columns import ACTIVITIES, empty
from runload.errors import ParameterError
from runload.load import weekly_load

FENIX = "fit/fitparse__activity-small-fenix2-run.fit"  # 2015-08-15 14:45 UTC
SETTINGS = "fit/fitparse__Settings.fit"
MONITORING = "fit/fitparse__MonitoringFile.fit"
ROUTE = "gpx/gpxpy__route.gpx"
MALFORMED = "broken/runpandas__malformed.tcx"  # nothing kept


def no_reading(monkeypatch) -> list:
    """Make reading activity files fail the test; returns the list of calls."""
    import runload.io

    calls: list = []

    def refuse(*args, **kwargs):
        calls.append(args)
        raise AssertionError("activity files were read before the inputs were checked")

    monkeypatch.setattr(runload.io, "read_activities", refuse)
    return calls


@pytest.fixture
def fenix(corpus, tmp_path) -> Path:
    path = tmp_path / "runs" / Path(FENIX).name
    path.parent.mkdir()
    shutil.copy(corpus / FENIX, path)
    return path


def _night(day: str, hours: float) -> dict:
    return {"calendarDate": day, "deepSleepSeconds": hours * 3600 * 0.25,
            "lightSleepSeconds": hours * 3600 * 0.55, "remSleepSeconds": hours * 3600 * 0.2}


def _account_export(folder: Path, nights: list[dict]) -> Path:
    wellness = folder / "DI_CONNECT" / "DI-Connect-Wellness"
    wellness.mkdir(parents=True)
    (wellness / "2015-07-01_2015-10-09_123_sleepData.json").write_text(
        json.dumps(nights), encoding="utf-8")
    return folder


# ------------------------------------------------------------------ 1: --sleep without sleep


def test_sleep_source_without_sleep_data_is_an_error_before_reading(
        corpus, fenix, tmp_path, monkeypatch, capsys):
    strava = tmp_path / "export_1.zip"  # an activity export: no sleep in it
    with zipfile.ZipFile(strava, "w") as zf:
        zf.write(corpus / FENIX, "activities/1.fit")
        zf.writestr("activities.csv", "Activity ID,Activity Type\n1,Run\n")
    calls = no_reading(monkeypatch)
    for source in (strava, fenix.parent):  # a Strava zip; a folder of FIT files
        for command in ("weekly", "report"):
            code, out, err = run_cli(capsys, command, str(fenix), "--sleep", str(source),
                                     "-o", str(tmp_path / "r.html")) if command == "report" \
                else run_cli(capsys, command, str(fenix), "--sleep", str(source))
            assert code == 1
            (line,) = error_lines(err)
            assert line.startswith(f"runload: error: {source}: no Garmin sleep data")
            assert "*sleepData*.json" in line and "--sleep" in line
            assert "files seen" not in out
    assert calls == []


def test_sleep_files_without_a_night_are_an_error(fenix, tmp_path, monkeypatch, capsys):
    export = _account_export(tmp_path / "garmin", [])
    calls = no_reading(monkeypatch)
    code, _, err = run_cli(capsys, "weekly", str(fenix), "--sleep", str(export))
    assert code == 1
    (line,) = error_lines(err)
    assert str(export) in line and "hold no night" in line
    assert calls == []


def test_sleep_file_that_is_not_json_fails_before_reading(fenix, tmp_path, monkeypatch,
                                                         capsys):
    calls = no_reading(monkeypatch)
    code, _, err = run_cli(capsys, "weekly", str(fenix), "--sleep", str(fenix))
    assert code == 1
    (line,) = error_lines(err)
    assert str(fenix) in line and "not a JSON sleep file" in line
    assert calls == []


@pytest.mark.parametrize("form", ["folder", "zip", "file"])
def test_a_garmin_sleep_source_is_read_once_and_counted(fenix, tmp_path, monkeypatch,
                                                        capsys, form):
    export = _account_export(tmp_path / "garmin",
                             [_night("2015-08-13", 7.5), _night("2015-08-14", 6.0)])
    source = export
    if form == "zip":
        source = tmp_path / "account_export_1.zip"
        with zipfile.ZipFile(source, "w") as zf:
            for f in export.rglob("*.json"):
                zf.write(f, f.relative_to(export).as_posix())
    elif form == "file":
        (source,) = export.rglob("*.json")
    import runload.habits

    reads = []
    real = runload.habits.read_garmin_sleep

    def counted(*args, **kwargs):
        reads.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(runload.habits, "read_garmin_sleep", counted)
    code, out, err = run_cli(capsys, "weekly", str(fenix), "--sleep", str(source),
                             "--csv", "-", "-q")
    assert code == 0, err
    assert len(reads) == 1
    from io import StringIO

    table = pd.read_csv(StringIO(out))
    assert table["sleep_nights"].sum() == 2


# ------------------------------------------------------------------ 2: window options named


@pytest.mark.parametrize(("words", "named"), [
    (["--acute-days", "0"], "--acute-days must be a whole number of days >= 1, got 0"),
    (["--acute-days", "0.5"], "--acute-days must be a whole number of days >= 1, got '0.5'"),
    (["--acute-days", "-2"], "--acute-days must be a whole number of days >= 1, got -2"),
    (["--chronic-days", "0"], "--chronic-days must be a whole number of days >= 1, got 0"),
    (["--acute-days", "30"], "--chronic-days must be longer than --acute-days"),
    (["--spike-window-days", "0"], "--spike-window-days must be > 0"),
])
def test_every_window_option_is_named(fenix, monkeypatch, capsys, words, named):
    calls = no_reading(monkeypatch)
    code, out, err = run_cli(capsys, "weekly", str(fenix), *words)
    assert code == 2
    assert named in err
    assert "days must be at least" not in err
    assert calls == []


@pytest.mark.parametrize("value", [0, 0.5, -1])
def test_weekly_load_names_acute_days(value):
    with pytest.raises(ParameterError, match=r"^acute_days must be a whole number of days"):
        weekly_load(empty(ACTIVITIES), acute_days=value)


def test_weekly_load_still_checks_the_smoothing_name():
    with pytest.raises(ParameterError, match="ewma smoothing must be one of"):
        weekly_load(empty(ACTIVITIES), ewma="holt")


# ------------------------------------------------------------------ 3: nothing read, no problem


@pytest.mark.parametrize(("name", "what"), [
    (SETTINGS, "FIT file type settings"),
    (MONITORING, "FIT file type monitoring"),
    (ROUTE, "GPX route, no track"),
])
def test_no_activity_and_no_problem_says_what_the_files_are(corpus, capsys, name, what):
    code, out, err = run_cli(capsys, "weekly", str(corpus / name))
    assert code == 1
    assert "non-activity files 1 + problem files 0" in out
    (line,) = error_lines(err)
    assert "see the problems above" not in line
    assert f"holds no activity: 1 non-activity file ({what}" in line
    assert "Problems:" not in out + err


def test_non_activity_files_and_problems_name_both(corpus, tmp_path, capsys):
    folder = tmp_path / "mixed"
    folder.mkdir()
    for name in (SETTINGS, ROUTE, MALFORMED):
        shutil.copy(corpus / name, folder / Path(name).name)
    code, out, err = run_cli(capsys, "activities", str(folder))
    assert code == 1
    (line,) = error_lines(err)
    assert "2 non-activity files (" in line and "FIT file type settings: 1" in line
    assert "1 problem file, see the problems above" in line
    assert "Problems: 1 in 1 file" in out


# ------------------------------------------------------------------ 4: outputs checked first


def _unwritable_cases(tmp_path: Path) -> list[tuple[str, str]]:
    a_file = tmp_path / "a_file.txt"
    a_file.write_text("x", encoding="utf-8")
    cases = [
        (str(tmp_path / "no_such_folder" / "out"), "no such folder"),
        (str(a_file / "out"), "is not a folder"),
        (str(tmp_path), "is a folder; give a file name inside it"),
    ]
    if sys.platform.startswith("linux") and Path("/proc/self").exists():
        cases.append(("/proc/out", "cannot write there"))
    return cases


@pytest.mark.parametrize("command", ["activities", "weekly", "report", "audit"])
def test_unwritable_outputs_fail_before_reading_with_exit_code_2(
        fenix, tmp_path, monkeypatch, capsys, command):
    calls = no_reading(monkeypatch)
    source = str(fenix.parent) if command == "audit" else str(fenix)
    options = {"activities": ["--csv"], "weekly": ["--csv"], "report": ["-o"],
               "audit": ["-o", "--csv"]}[command]
    for option in options:
        for path, why in _unwritable_cases(tmp_path):
            target = path + (".csv" if option == "--csv" else ".html") \
                if not Path(path).is_dir() else path
            extra = [] if command != "audit" or option == "-o" else \
                ["-o", str(tmp_path / "audit.html")]
            code, out, err = run_cli(capsys, command, source, option, target, *extra)
            assert code == 2, (option, target, err)
            (line,) = error_lines(err)
            shown = "-o/--output" if option == "-o" else "--csv"
            assert line.startswith(f"runload: error: {shown} {target}: "), line
            assert why in line
            assert "files seen" not in out
    assert calls == []
    assert not (tmp_path / "no_such_folder").exists()  # never created silently


def test_a_writable_output_is_left_alone_until_written(fenix, tmp_path, monkeypatch, capsys):
    existing = tmp_path / "old.csv"
    existing.write_text("keep me\n", encoding="utf-8")
    new = tmp_path / "new.csv"
    monkeypatch.setattr(cli.weekly, "_read", lambda *a, **k: (_ for _ in ()).throw(
        KeyboardInterrupt()))
    for target in (existing, new):
        code, _, _ = run_cli(capsys, "weekly", str(fenix), "--csv", str(target))
        assert code == 130
    assert existing.read_text(encoding="utf-8") == "keep me\n"
    assert not new.exists()


def test_outputs_are_written_after_the_check(fenix, tmp_path, capsys):
    csv = tmp_path / "weekly.csv"
    code, out, err = run_cli(capsys, "weekly", str(fenix), "--csv", str(csv))
    assert code == 0, err
    assert csv.is_file() and f"to {csv}" in out
    html = tmp_path / "r.html"
    code, out, err = run_cli(capsys, "report", str(fenix), "-o", str(html))
    assert code == 0, err
    assert html.is_file()


def test_a_late_write_failure_is_bad_usage_too(fenix, tmp_path, monkeypatch, capsys):
    """A report that cannot be written after the check (a disk full meanwhile) exits 2
    as a failed check does, naming the option."""
    import runload.report
    from runload.errors import RunloadError

    def disk_full(*args, **kwargs):
        cause = OSError(28, "No space left on device")
        raise RunloadError("cannot write the report: No space left on device",
                           source=str(kwargs["path"])) from cause

    monkeypatch.setattr(runload.report, "write_report", disk_full)
    target = tmp_path / "r.html"
    code, _, err = run_cli(capsys, "report", str(fenix), "-o", str(target))
    assert code == 2
    (line,) = error_lines(err)
    assert line.startswith(f"runload: error: -o/--output {target}: cannot write there "
                           "(No space left on device)")

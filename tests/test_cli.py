"""The ``runload`` command line, run as a user runs it (a subprocess per command).

The commands run on a small folder of real corpus files and, when the sample data is
there (``sample_data/`` or ``$RUNLOAD_SAMPLE_DATA``), on the sample squad. The slow
commands start together in one session fixture so the whole file stays fast.
"""

from __future__ import annotations

import csv
import html
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pandas as pd
import pytest

import runload
from runload import cli
from runload.columns import ACTIVITIES, HABITS_WEEKLY, WEEKLY
from runload.habits import EVIDENCE

ROOT = Path(__file__).resolve().parents[1]
CORPUS = Path(os.environ.get("RUNLOAD_CORPUS", ROOT.parent / "shared" / "corpus"))
SAMPLE = Path(os.environ.get("RUNLOAD_SAMPLE_DATA", ROOT / "sample_data"))

RUNNER_FILES = [
    "fit/fitparse__activity-small-fenix2-run.fit",  # 9008.22 m on 2015-08-15
    "fit/fitparse__2013-02-06-12-11-14.fit",
    "fit/runpandas__run.fit",
    "tcx/runpandas__11km.tcx",
    "gpx/runpandas__run.gpx",
    "fit/fitparse__Settings.fit",  # a valid FIT file that holds no activity
    "broken/fitparse__activity-unexpected-eof.fit",  # truncated: part kept
    "broken/runpandas__malformed.tcx",  # malformed XML: nothing kept
]
FENIX_M = 9008.22  # GROUND_TRUTH.tsv: session total_distance of the fenix2 run

PAIN_CSV = (
    "onset,end,severity,location,notes\n"
    '2015-08-20,2015-08-27,5,lower back,"stiff <b>after</b> the long run & hills"\n'
    "2019-09-20,2019-09-22,3,lower back,\n"
)

#: The fenix run's week (Monday 2015-08-10): two strength sessions and a set of strides
#: logged, short nights from the watch (6 h) except one logged night of 8 h.
HABITS_CSV = (
    "date,kind,minutes,value,notes\n"
    "2015-08-11,strength,25,,squats & lunges\n"
    "2015-08-13,strength,30,,\n"
    "2015-08-14,strides,,6,after the easy run\n"
    "2015-08-16,sleep,,8,\n"
)
BAD_HABITS_CSV = "date,kind,minutes,value\n2015-08-11,strength,25,\n2015-08-12,core,ten,\n"


def garmin_sleep_json(first: str, nights: int, hours: float) -> str:
    """A Garmin ``sleepData`` file: ``nights`` nights of ``hours`` asleep from ``first``."""
    import json

    days = pd.date_range(first, periods=nights, freq="D")
    return json.dumps([
        {"calendarDate": day.strftime("%Y-%m-%d"), "deepSleepSeconds": hours * 3600 * 0.2,
         "lightSleepSeconds": hours * 3600 * 0.6, "remSleepSeconds": hours * 3600 * 0.2,
         "awakeSleepSeconds": 600}
        for day in days])


def runload_cmd(*args: str) -> list[str]:
    """The command a user types: ``runload ...`` (the installed script when present)."""
    script = Path(sys.executable).with_name("runload")
    if script.exists():
        return [str(script), *args]
    return [sys.executable, "-m", "runload.cli", *args]


def run(*args: str, cwd: Path | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run(runload_cmd(*args), capture_output=True, text=True, cwd=cwd,
                          timeout=timeout, env={**os.environ, "PYTHONWARNINGS": "ignore"})


def start(*args: str, cwd: Path | None = None) -> subprocess.Popen:
    return subprocess.Popen(runload_cmd(*args), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, cwd=cwd)


def finish(proc: subprocess.Popen, timeout: float = 300) -> subprocess.CompletedProcess:
    out, err = proc.communicate(timeout=timeout)
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("runload: error:")]


@pytest.fixture(scope="session")
def workspace(corpus, tmp_path_factory) -> Path:
    """A runner folder and a squad folder of corpus files, a pain log, an empty folder."""
    root = tmp_path_factory.mktemp("cli")
    runner = root / "runner"
    runner.mkdir()
    for name in RUNNER_FILES:
        shutil.copy(corpus / name, runner / Path(name).name)
    squad = root / "squad"
    (squad / "ann").mkdir(parents=True)
    (squad / "bob").mkdir()
    for name in RUNNER_FILES[:2]:
        shutil.copy(corpus / name, squad / "ann" / Path(name).name)
    for name in RUNNER_FILES[2:4]:
        shutil.copy(corpus / name, squad / "bob" / Path(name).name)
    with zipfile.ZipFile(squad / "cy.zip", "w") as archive:
        archive.write(corpus / "tcx/runpandas__run.tcx", "cy/run.tcx")
    (squad / "notes.txt").write_text("not an athlete\n", encoding="utf-8")
    (root / "pain.csv").write_text(PAIN_CSV, encoding="utf-8")
    (root / "squad_pain.csv").write_text(
        "athlete,onset,end,severity\nbob,2021-03-25,2021-04-02,6\n", encoding="utf-8")
    (root / "bad_pain.csv").write_text("onset,end,severity\n2015-13-45,,5\n", encoding="utf-8")
    (root / "habits.csv").write_text(HABITS_CSV, encoding="utf-8")
    (root / "bad_habits.csv").write_text(BAD_HABITS_CSV, encoding="utf-8")
    wellness = root / "garmin" / "DI_CONNECT" / "DI-Connect-Wellness"
    wellness.mkdir(parents=True)
    (wellness / "2015-08-01_2015-08-31_1_sleepData.json").write_text(
        garmin_sleep_json("2015-08-01", 31, 6.0), encoding="utf-8")
    (root / "empty").mkdir()
    return root


def sample_squad(root: Path) -> tuple[Path, Path, str] | None:
    """Two athletes of the sample squad (linked into ``root``), the diary and one athlete."""
    diary = SAMPLE / "pain" / "squad_diary.csv"
    if not ((SAMPLE / "squad").is_dir() and diary.is_file()):
        return None
    logged = sorted(set(pd.read_csv(diary)["athlete"]))
    folders = sorted(p.name for p in (SAMPLE / "squad").iterdir() if p.is_dir())
    chosen = [name for name in logged if name in folders][:2]
    squad = root / "sample_squad"
    squad.mkdir()
    for name in chosen:
        (squad / name).symlink_to(SAMPLE / "squad" / name, target_is_directory=True)
    return squad, diary, chosen[0]


@pytest.fixture(scope="session")
def runs(workspace) -> dict[str, subprocess.CompletedProcess]:
    """Every command of the tests, started together (they are slow one by one)."""
    w = workspace
    bad = {
        "missing": ("weekly", str(w / "nope")),
        "unknown": ("weekly", str(w / "runner"), "--bogus"),
        "bad_value": ("weekly", str(w / "runner"), "--max-increase", "ten"),
        "no_command": (),
        "empty": ("activities", str(w / "empty")),
        "empty_squad": ("audit", str(w / "empty")),
        "bad_pain": ("weekly", str(w / "runner" / "fitparse__activity-small-fenix2-run.fit"),
                     "--pain", str(w / "bad_pain.csv")),
        "missing_pain": ("report", str(w / "runner"), "--pain", str(w / "nope.csv")),
        "bad_habits": ("weekly", str(w / "runner" / "fitparse__activity-small-fenix2-run.fit"),
                       "--habits", str(w / "bad_habits.csv")),
        "missing_sleep": ("weekly", str(w / "runner" / "fitparse__activity-small-fenix2-run.fit"),
                          "--sleep", str(w / "nope.zip")),
        "version": ("--version",),
        "help": ("weekly", "--help"),
    }
    commands = {
        "activities": ("activities", str(w / "runner"), "--csv", str(w / "activities.csv")),
        "weekly": ("weekly", str(w / "runner"), "--pain", str(w / "pain.csv"), "--units", "mi",
                   "--week-start", "sunday", "--max-increase", "0.2",
                   "--csv", str(w / "weekly.csv")),
        "report": ("report", str(w / "runner"), "--pain", str(w / "pain.csv"),
                   "-o", str(w / "out" / "report.html")),
        "audit": ("audit", str(w / "squad"), "--pain", str(w / "squad_pain.csv"),
                  "-o", str(w / "audit.html"), "--csv", str(w / "audit.csv")),
        "habits_weekly": ("weekly", str(w / "runner"), "--habits", str(w / "habits.csv"),
                          "--sleep", str(w / "garmin"), "--strides",
                          "--csv", str(w / "habits_weekly.csv")),
        "habits_report": ("report", str(w / "runner"), "--pain", str(w / "pain.csv"),
                          "--habits", str(w / "habits.csv"), "--sleep", str(w / "garmin"),
                          "-o", str(w / "out" / "habits_report.html")),
    }
    for folder in ("out", "sample"):  # an output's folder must exist (it is not created)
        (w / folder).mkdir(exist_ok=True)
    sample = sample_squad(w)
    if sample is not None:
        squad, diary, athlete = sample
        commands["sample_report"] = (
            "report", str(squad / athlete), "--pain", str(diary), "--units", "mi",
            "-o", str(w / "sample" / "report.html"))
        commands["sample_audit"] = (
            "audit", str(squad), "--pain", str(diary), "-o", str(w / "sample" / "audit.html"),
            "--csv", str(w / "sample" / "audit.csv"))
    procs = {name: start(*args) for name, args in {**commands, **bad}.items()}
    return {name: finish(proc) for name, proc in procs.items()}


def test_version_and_help(runs):
    done = runs["version"]
    assert done.returncode == 0
    assert done.stdout.strip() == f"runload {runload.__version__}"
    helped = runs["help"]
    assert helped.returncode == 0
    text = " ".join(helped.stdout.split())
    for option in ("--max-increase", "--recovery-drop", "--min-base-m", "--max-build-weeks",
                   "--break-weeks", "--spike", "--acwr-threshold", "--pain", "--units",
                   "--week-start", "--csv", "--habits", "--sleep", "--strides"):
        assert option in text
    assert "habits log, CSV" in text and "Garmin Connect account export" in text
    assert "metres" in text and "weeks" in text and "fraction" in text


@pytest.mark.parametrize("module", ["runload", "runload.cli"])
def test_python_dash_m_runs_the_command_line(module):
    done = subprocess.run([sys.executable, "-m", module, "--version"], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0
    assert done.stdout.strip() == f"runload {runload.__version__}"


def test_threshold_defaults_come_from_the_library():
    import inspect

    from runload.load import weekly_load

    parser = cli.build_parser()
    args = parser.parse_args(["weekly", "x"])
    signature = inspect.signature(weekly_load).parameters
    names = [name for name, *_ in cli.threshold_options()]
    assert {"max_increase", "recovery_drop", "min_base_m", "max_build_weeks", "break_weeks",
            "spike", "acwr_threshold"} <= set(names)
    for name in names:
        assert getattr(args, name) == signature[name].default


def test_activities(runs, workspace):
    done = runs["activities"]
    assert done.returncode == 0, done.stderr
    assert ("files seen 8 = activity files 6 + non-activity files 1 + problem files 1 "
            "(nothing kept); 1 activity file read in part") in done.stdout
    assert "Problems: 2 in 2 files (1 not read, 1 read in part):" in done.stdout
    assert done.stdout.rstrip().splitlines()[-1].count("malformed") or "malformed" in done.stdout
    assert "fitparse__activity-small-fenix2-run.fit" in done.stdout
    table = pd.read_csv(workspace / "activities.csv")
    assert list(table.columns) == list(ACTIVITIES)
    fenix = table[table["source"].str.endswith("fitparse__activity-small-fenix2-run.fit")]
    assert len(fenix) == 1
    assert fenix["distance_m"].iloc[0] == pytest.approx(FENIX_M, abs=1.0)
    assert fenix["start_time"].iloc[0].startswith("2015-08-15T14:45:08")
    assert set(table["athlete"]) == {"runner"}
    assert "had problems" in done.stderr  # a warning, not a failure
    # the same words as the library's warning: files counted per kind
    assert re.search(r"\d+ of \d+ files had problems \((\w+: \d+ files?(, )?)+\); "
                     r"1 not read, 1 read in part; they are listed at the end", done.stderr)


def test_weekly(runs, workspace):
    done = runs["weekly"]
    assert done.returncode == 0, done.stderr
    assert "files seen 8 =" in done.stdout
    assert "pain episode" in done.stdout  # the summary line at the end
    table = pd.read_csv(workspace / "weekly.csv", parse_dates=["week_start"])
    assert list(table.columns) == [*WEEKLY, *HABITS_WEEKLY, "pain_onsets", "distance_mi",
                                   "longest_run_mi"]
    assert (table["week_start"].dt.day_of_week == 6).all()  # --week-start sunday
    week = table[table["week_start"] == "2015-08-09"]
    assert week["distance_m"].iloc[0] == pytest.approx(FENIX_M, abs=1.0)
    assert week["distance_mi"].iloc[0] == pytest.approx(FENIX_M / 1609.344, abs=0.001)
    assert table["pain_onsets"].sum() == 2
    assert table.loc[table["week_start"] == "2015-08-16", "pain_onsets"].iloc[0] == 1
    with open(workspace / "weekly.csv", newline="", encoding="utf-8") as fh:
        assert len(list(csv.reader(fh))) == len(table) + 1


def test_report(runs, workspace):
    done = runs["report"]
    assert done.returncode == 0, done.stderr
    assert "files seen 8 =" in done.stdout
    path = workspace / "out" / "report.html"
    assert f"report written to {path}" in done.stdout
    text = path.read_text(encoding="utf-8")
    for section in ('id="summary"', 'id="chart"', 'id="flagged"', 'id="associations"',
                    'id="pain"', 'id="problems"', 'id="parameters"', 'id="methods"'):
        assert section in text
    assert "data:image/png;base64," in text
    assert "stiff &lt;b&gt;after&lt;/b&gt; the long run &amp; hills" in text
    assert "<b>after</b>" not in text
    assert "runpandas__malformed.tcx" in text
    assert "max_increase" in text and runload.__version__ in text


def test_audit(runs, workspace):
    done = runs["audit"]
    assert done.returncode == 0, done.stderr
    assert "files seen 5 = activity files 5 + non-activity files 0 + problem files 0" in done.stdout
    table = pd.read_csv(workspace / "audit.csv")
    assert sorted(table["athlete"]) == ["ann", "bob", "cy"]
    assert table["risk_score"].is_monotonic_decreasing
    bob = table.set_index("athlete").loc["bob"]
    assert bob["pain_episodes"] == 1
    text = (workspace / "audit.html").read_text(encoding="utf-8")
    for name in ("ann", "bob", "cy"):
        assert 'href="#athlete-' in text and f">{name}</a>" in text
    assert text.count('<section id="athlete-') == 3


def test_missing_file(runs, workspace):
    done = runs["missing"]
    assert done.returncode == 2
    lines = error_lines(done.stderr)
    assert len(lines) == 1
    assert str(workspace / "nope") in lines[0] and "check the path" in lines[0]


def test_unknown_option_and_bad_value(runs):
    done = runs["unknown"]
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1
    assert "unrecognized arguments: --bogus" in done.stderr
    done = runs["bad_value"]
    assert done.returncode == 2
    assert "--max-increase must be a number" in done.stderr
    assert runs["no_command"].returncode == 2


def test_empty_folder(runs, workspace):
    done = runs["empty"]
    assert done.returncode == 1
    lines = error_lines(done.stderr)
    assert len(lines) == 1 and str(workspace / "empty") in lines[0]
    assert "no FIT, GPX or TCX file found" in lines[0]
    assert "files seen 0 = activity files 0 + non-activity files 0 + problem files 0" in done.stdout
    audit = runs["empty_squad"]
    assert audit.returncode == 1
    assert "one folder per athlete" in error_lines(audit.stderr)[0]


def test_unreadable_pain_log(runs):
    done = runs["bad_pain"]
    assert done.returncode == 1
    lines = error_lines(done.stderr)
    assert len(lines) == 1
    assert "bad_pain.csv" in lines[0] and "line 2" in lines[0]
    missing = runs["missing_pain"]
    assert missing.returncode == 2
    assert "nope.csv" in error_lines(missing.stderr)[0]


def test_weekly_with_habits(runs, workspace):
    done = runs["habits_weekly"]
    assert done.returncode == 0, done.stderr
    assert "habits_missed" in done.stdout
    table = pd.read_csv(workspace / "habits_weekly.csv", parse_dates=["week_start"])
    assert list(table.columns) == [*WEEKLY, *HABITS_WEEKLY, "distance_km", "longest_run_km"]
    week = table.set_index("week_start").loc["2015-08-10"]
    assert bool(week["complete"])  # the runner folder has later runs
    assert week["strength_sessions_counted"] == 2 and week["strength_time_s"] == 55 * 60
    assert not week["flag_low_strength"]
    assert week["stride_sets"] >= 1 and not week["flag_no_strides"]  # logged, and --strides ran
    # seven nights: six of 6 h from the Garmin export, Sunday's logged 8 h wins over it
    assert week["sleep_nights"] == 7 and week["short_sleep_nights"] == 6
    assert week["mean_sleep_s"] == pytest.approx((6 * 6 + 8) * 3600 / 7)
    assert week["flag_short_sleep"]
    assert week["flag_no_cross_training"]  # running only
    assert week["trail_share"] == 0 and week["flag_no_trail"]


def test_report_with_habits(runs, workspace):
    done = runs["habits_report"]
    assert done.returncode == 0, done.stderr
    text = (workspace / "out" / "habits_report.html").read_text(encoding="utf-8")
    assert '<section id="checklist"><h2>Prevention checklist</h2>' in text
    assert 'href="#checklist"' in text
    assert "not trial results" in text
    assert "habits.csv" in text and "garmin" in text  # recorded among the parameters
    for flag in ("flag_low_strength", "flag_short_sleep"):  # each habit's evidence label
        assert html.escape(EVIDENCE[flag]) in text
    # without a habits log the checklist still judges what the activities record
    plain = (workspace / "out" / "report.html").read_text(encoding="utf-8")
    assert runs["report"].returncode == 0 and 'id="checklist"' in plain


def test_unreadable_habits_log(runs):
    done = runs["bad_habits"]
    assert done.returncode == 1
    lines = error_lines(done.stderr)
    assert len(lines) == 1
    assert "bad_habits.csv" in lines[0] and "line 3" in lines[0] and "'minutes'" in lines[0]
    assert "docs/habits.md" in lines[0]
    missing = runs["missing_sleep"]
    assert missing.returncode == 2
    assert "nope.zip" in error_lines(missing.stderr)[0]


def test_progress_only_on_a_terminal():
    import io

    from runload.progress import progress, wants_progress

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    assert not wants_progress(stream=io.StringIO())
    assert wants_progress(stream=Terminal())
    assert not wants_progress(quiet=True, stream=Terminal())
    shown, silent = Terminal(), io.StringIO()
    assert list(progress(range(3), desc="files", stream=shown)) == [0, 1, 2]
    assert list(progress(range(3), desc="files", stream=silent)) == [0, 1, 2]
    assert "files" in shown.getvalue() and silent.getvalue() == ""


def on_a_terminal(*args: str) -> str:
    """Run ``runload ARGS`` with standard error on a pseudo-terminal; return what it showed."""
    import fcntl
    import pty
    import struct
    import termios

    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    proc = subprocess.Popen(runload_cmd(*args), stdin=slave, stdout=subprocess.DEVNULL,
                            stderr=slave)
    os.close(slave)
    shown = b""
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:  # the terminal closed
            break
        if not chunk:
            break
        shown += chunk
    os.close(master)
    proc.wait(timeout=120)
    return shown.decode("utf-8", "replace")


@pytest.mark.skipif(os.name != "posix", reason="needs a POSIX pseudo-terminal")
def test_progress_bar_on_a_terminal_only(runs, workspace):
    shown = on_a_terminal("audit", str(workspace / "squad"), "-o", str(workspace / "tty.html"))
    assert "athletes:" in shown and "3/3" in shown
    quiet = on_a_terminal("activities", str(workspace / "runner"), "--csv",
                          str(workspace / "tty.csv"), "--quiet")
    assert "files:" not in quiet and "file/s" not in quiet and "|" not in quiet
    assert "runload: warning" not in quiet  # --quiet also silences the warnings
    assert "athletes:" not in runs["audit"].stderr  # not a terminal: no bar


def test_csv_to_standard_output(workspace):
    done = run("activities", str(workspace / "runner" / "fitparse__activity-small-fenix2-run.fit"),
               "--csv", "-")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == ",".join(ACTIVITIES), done.stdout
    assert len(lines) == 2, done.stdout
    assert "files seen 1 = activity files 1" in done.stderr


def test_sample_command(tmp_path, monkeypatch, capsys):
    """``runload sample DIR`` calls the library's writer (the full run takes minutes)."""
    import runload.sample

    calls = []

    def fake(directory):
        calls.append(Path(directory))
        (Path(directory) / "alex").mkdir(parents=True)
        (Path(directory) / "alex" / "a.gpx").write_text("<gpx/>", encoding="utf-8")

    monkeypatch.setattr(runload.sample, "write_sample_data", fake)
    assert cli.main(["sample", str(tmp_path / "data")]) == 0
    assert calls == [tmp_path / "data"]
    assert f"sample data written to {tmp_path / 'data'} (1 files)" in capsys.readouterr().out
    (tmp_path / "file").write_text("x", encoding="utf-8")
    assert cli.main(["sample", str(tmp_path / "file")]) == 2
    assert "is not a folder" in capsys.readouterr().err


def test_sample_data_report_and_audit(runs, workspace):
    """The runner's report and the squad audit on (part of) the sample data."""
    if "sample_report" not in runs:
        pytest.skip(f"no sample data at {SAMPLE} (run `runload sample` or set "
                    "RUNLOAD_SAMPLE_DATA)")
    squad = workspace / "sample_squad"
    athlete = sorted(p.name for p in squad.iterdir())[0]  # the one the report was made for
    report, audit = runs["sample_report"], runs["sample_audit"]
    assert report.returncode == 0, report.stderr
    assert "files seen" in report.stdout
    text = (workspace / "sample" / "report.html").read_text(encoding="utf-8")
    assert f"Training load report: {athlete}" in text and "distance (mi)" in text
    assert 'id="associations"' in text and '<ul class="lines"><li>' in text
    assert audit.returncode == 0, audit.stderr
    table = pd.read_csv(workspace / "sample" / "audit.csv")
    assert sorted(table["athlete"]) == sorted(p.name for p in squad.iterdir())
    assert table["risk_score"].is_monotonic_decreasing
    assert set(table["risk"]) <= {"high", "moderate", "low"}
    assert table["pain_episodes"].sum() > 0


def test_cache_and_workers_options(workspace, tmp_path):
    """A warm run from the cache gives the same table as reading every file again."""
    cache = tmp_path / "cache"
    cold = run("activities", str(workspace / "runner"), "--cache-dir", str(cache),
               "--workers", "2", "--csv", str(tmp_path / "cold.csv"))
    assert cold.returncode == 0, cold.stderr
    assert any(cache.iterdir())  # the summaries were cached
    warm = run("activities", str(workspace / "runner"), "--cache-dir", str(cache),
               "--csv", str(tmp_path / "warm.csv"))
    fresh = run("activities", str(workspace / "runner"), "--no-cache", "--workers", "1",
                "--csv", str(tmp_path / "fresh.csv"))
    assert warm.returncode == 0 and fresh.returncode == 0
    cold_t, warm_t, fresh_t = (pd.read_csv(tmp_path / f"{n}.csv") for n in ("cold", "warm", "fresh"))
    pd.testing.assert_frame_equal(warm_t, cold_t)
    pd.testing.assert_frame_equal(fresh_t, cold_t)
    verified = run("activities", str(workspace / "runner"), "--cache-dir", str(cache),
                   "--verify-cache", "--csv", str(tmp_path / "verified.csv"))
    assert verified.returncode == 0, verified.stderr
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "verified.csv"), cold_t)
    both = run("activities", str(workspace / "runner"), "--no-cache", "--verify-cache")
    assert both.returncode == 2 and "not allowed with" in both.stderr
    bad = run("activities", str(workspace / "runner"), "--workers", "0")
    assert bad.returncode == 2
    assert "--workers" in bad.stderr and ">= 1" in bad.stderr

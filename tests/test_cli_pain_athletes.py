"""Pain-log athletes, option values and warnings on the command line (reviewer defects).

* the audit without a pain log says "not known" (``pd.NA`` / ``-`` / "no pain log"), not "no";
* the README's single-runner log (athlete ``me``) works for ``runload weekly EXPORT``, with
  a note; other mismatches are an error naming the log's names, before any file is read;
* option values (``--as-of``, the thresholds) are checked before any file is read, naming
  the option;
* pain-log warnings are printed once, in good grammar;
* ``runload sample`` has no cache or worker options.
"""

from __future__ import annotations

import io
import shutil
import warnings

import pandas as pd
import pytest
from conftest import FIRST_MONDAY, WORKED, run_cli
from conftest import weekly_runs as activities

from runload import cli
from runload.audit import AUDIT, squad_audit
from runload.errors import PainLogError, RunloadWarning
from runload.load import weekly_load
from runload.pain import read_pain_log

FENIX = "fit/fitparse__activity-small-fenix2-run.fit"  # 2015-08-15, in folder "runs"
FIRST = pd.Timestamp(FIRST_MONDAY)
README_LOG = ("athlete,onset,end,severity,location,time_lost_days,notes\n"
              "me,2015-08-17,2015-08-20,6,lower back,3,after the long run\n")


@pytest.fixture
def fenix(corpus, tmp_path):
    path = tmp_path / "runs" / "fenix.fit"
    path.parent.mkdir()
    shutil.copy(corpus / FENIX, path)
    return path


@pytest.fixture
def no_reading(monkeypatch):
    import runload.io

    def refuse(*args, **kwargs):
        raise AssertionError("activity files were read before the options and logs were checked")

    monkeypatch.setattr(runload.io, "read_activities", refuse)


@pytest.fixture(scope="module")
def squad_weekly():
    acts = pd.concat([activities("ann", WORKED), activities("bob", WORKED)], ignore_index=True)
    return weekly_load(acts, as_of=FIRST + pd.Timedelta(days=7 * len(WORKED) - 1))


# --------------------------------------------------------------------------- 1: unknown pain


def test_audit_without_a_pain_log_does_not_know_the_pain(squad_weekly):
    audit = squad_audit(squad_weekly)
    assert str(audit["pain_recent"].dtype) == AUDIT["pain_recent"][0] == "boolean"
    assert audit["pain_recent"].isna().all() and audit["pain_episodes"].isna().all()
    view = cli._audit_view(audit, "km")
    assert view["recent_pain"].tolist() == ["-", "-"]


def test_audit_with_a_log_naming_none_of_the_athletes_does_not_know(squad_weekly):
    nameless = pd.DataFrame({"onset": pd.to_datetime(["2024-01-10"]),
                             "end": pd.to_datetime(["2024-01-12"])})
    with pytest.warns(RunloadWarning, match="without an athlete"):
        audit = squad_audit(squad_weekly, nameless)
    assert audit["pain_recent"].isna().all()


def test_a_squad_log_knows_the_athletes_it_names_even_without_episodes(squad_weekly):
    # a diary with pain-free days only for ann, one episode for bob
    diary = ("athlete,date,severity\nann,2024-01-10,0\nbob,2024-01-10,4\n")
    episodes = read_pain_log(io.StringIO(diary))
    assert episodes.attrs["athletes"] == ["ann", "bob"]
    audit = squad_audit(squad_weekly, episodes).set_index("athlete")
    ann = audit.loc["ann", "pain_recent"]
    assert not pd.isna(ann) and not ann
    assert audit.loc["ann", "pain_episodes"] == 0 and audit.loc["bob", "pain_episodes"] == 1


def test_cli_audit_without_a_pain_log_shows_unknown(corpus, tmp_path, capsys):
    squad = tmp_path / "squad"
    (squad / "ann").mkdir(parents=True)
    shutil.copy(corpus / FENIX, squad / "ann" / "run.fit")
    code, out, err = run_cli(capsys, "audit", str(squad), "-o", str(tmp_path / "a.html"),
                             "--csv", str(tmp_path / "a.csv"))
    assert code == 0, err
    row = next(line.split() for line in out.splitlines() if line.split()[:1] == ["ann"])
    assert row[-2] == "-"
    text = (tmp_path / "a.html").read_text(encoding="utf-8")
    assert "(no pain log)" in text and "back-pain episodes: no pain log" in text
    assert 'back pain (8 wk)"><span>– <span class=muted>(no pain log)' in text
    assert 'back pain (8 wk)"><span>no' not in text
    table = pd.read_csv(tmp_path / "a.csv")
    assert table["pain_recent"].isna().all()


# --------------------------------------------------------------------------- 2: athlete names


def test_readme_log_of_one_runner_is_used_with_a_note(fenix, tmp_path, capsys):
    pain = tmp_path / "mypain.csv"
    pain.write_text(README_LOG, encoding="utf-8")
    code, out, err = run_cli(capsys, "weekly", str(fenix), "--pain", str(pain))
    assert code == 0, err
    notes = [line for line in err.splitlines() if line.startswith("runload: note:")]
    assert len(notes) == 1 and "'me'" in notes[0] and "'runs'" in notes[0]
    assert "--athlete me" in notes[0]
    assert "1 pain episode" in out
    # quiet: no note
    code, _, err = run_cli(capsys, "weekly", str(fenix), "--pain", str(pain), "-q")
    assert code == 0 and "note" not in err


def test_athlete_given_with_the_logs_name_needs_no_note(fenix, tmp_path, capsys):
    pain = tmp_path / "mypain.csv"
    pain.write_text(README_LOG, encoding="utf-8")
    code, out, err = run_cli(capsys, "weekly", str(fenix), "--pain", str(pain), "--athlete", "me")
    assert code == 0, err
    assert "note" not in err and "1 pain episode" in out


def test_other_name_is_an_error_before_any_file_is_read(fenix, tmp_path, capsys, no_reading):
    pain = tmp_path / "mypain.csv"
    pain.write_text(README_LOG, encoding="utf-8")
    code, _, err = run_cli(capsys, "weekly", str(fenix), "--pain", str(pain), "--athlete", "bob")
    assert code == 1
    (line,) = [x for x in err.splitlines() if x.startswith("runload: error:")]
    assert "no rows for athlete 'bob' (given with --athlete)" in line
    assert "the log names only 'me'" in line and "--athlete me" in line


def test_squad_log_naming_others_is_an_error_naming_them(fenix, tmp_path, capsys, no_reading):
    pain = tmp_path / "squad.csv"
    pain.write_text("athlete,onset\nbea,2015-08-17\nRuns,2015-08-18\n", encoding="utf-8")
    code, _, err = run_cli(capsys, "report", str(fenix), "--pain", str(pain),
                           "-o", str(tmp_path / "r.html"))
    assert code == 1
    (line,) = [x for x in err.splitlines() if x.startswith("runload: error:")]
    assert "no rows for athlete 'runs'" in line
    assert "the log names 'Runs', 'bea' (did you mean 'Runs'?)" in line


def test_habits_log_of_one_runner_is_used_too(fenix, tmp_path, capsys):
    habits = tmp_path / "habits.csv"
    habits.write_text("athlete,date,kind,minutes\nme,2015-08-12,strength,30\n",
                      encoding="utf-8")
    code, _, err = run_cli(capsys, "weekly", str(fenix), "--habits", str(habits))
    assert code == 0, err
    assert sum(line.startswith("runload: note: the habits log") for line in err.splitlines()) == 1


def test_read_pain_log_names_the_logs_athletes():
    with pytest.raises(PainLogError) as caught:
        read_pain_log(io.StringIO(README_LOG), athlete="export_31415926")
    message = str(caught.value)
    assert "no rows for athlete 'export_31415926'; the log names only 'me'" in message
    assert "athlete='me'" in message


def test_audit_names_unmatched_athletes_once(corpus, tmp_path, capsys):
    squad = tmp_path / "squad"
    (squad / "gus").mkdir(parents=True)
    shutil.copy(corpus / FENIX, squad / "gus" / "run.fit")
    pain = tmp_path / "pain.csv"
    pain.write_text("athlete,onset\nGus,2015-08-17\n", encoding="utf-8")
    code, out, err = run_cli(capsys, "audit", str(squad), "--pain", str(pain),
                             "-o", str(tmp_path / "a.html"))
    assert code == 0, err
    assert sum("did you mean 'gus'?" in line for line in err.splitlines()) == 1, err
    # the log names none of the athletes: their pain is not known
    row = next(line.split() for line in out.splitlines() if line.split()[:1] == ["gus"])
    assert row[-2] == "-"
    # ... and the names are checked before the squad is read
    import runload.io

    def refuse(*args, **kwargs):
        raise AssertionError("read")

    runload.io.read_activities, keep = refuse, runload.io.read_activities
    try:
        with pytest.raises(AssertionError, match="read"):
            run_cli(capsys, "audit", str(squad), "--pain", str(pain),
                    "-o", str(tmp_path / "a.html"))
    finally:
        runload.io.read_activities = keep
    assert "did you mean 'gus'?" in capsys.readouterr().err


# --------------------------------------------------------------------------- 3: option values


@pytest.mark.parametrize(("option", "value", "words"), [
    ("--as-of", "2024-13-01", "argument --as-of: no such date '2024-13-01': month 13"),
    ("--as-of", "yesterday", "argument --as-of: not a date 'yesterday'"),
    ("--max-increase", "-1", "--max-increase must be >= 0, got -1.0"),
    ("--recovery-drop", "1.5", "--recovery-drop must be in [0, 1.0)"),
    ("--acute-days", "40", "--chronic-days must be longer than --acute-days"),
])
def test_bad_option_values_fail_before_reading(fenix, capsys, no_reading, option, value, words):
    for command in ("weekly", "report", "audit"):
        source = str(fenix.parent.parent) if command == "audit" else str(fenix)
        code, _, err = run_cli(capsys, command, source, option, value)
        assert code == 2, err
        assert words in err
        assert "as_of" not in err and "max_increase" not in err


def test_good_as_of_values_still_work(fenix, capsys):
    code, _, err = run_cli(capsys, "weekly", str(fenix), "--as-of", "2015-08-31")
    assert code == 0, err


# --------------------------------------------------------------------------- 4: warnings once


@pytest.mark.parametrize(("text", "expected"), [
    ("onset,end,severity\n2015-08-01,2015-08-03,6\n2015-08-10,2015-08-12,4\n",
     "the episode starting on line 3 began fewer than 28 pain-free days after the previous "
     "one and was merged into it"),
    ("", "the pain log is empty: no episodes"),
])
def test_pain_log_warnings_are_printed_once(fenix, tmp_path, capsys, text, expected):
    pain = tmp_path / "p.csv"
    pain.write_text(text, encoding="utf-8")
    code, _, err = run_cli(capsys, "weekly", str(fenix), "--pain", str(pain))
    assert code == 0, err
    assert err.count(expected) == 1, err


def test_merge_warning_counts_several_episodes():
    text = ("onset,end,severity\n2024-01-01,2024-01-02,5\n2024-01-05,2024-01-06,5\n"
            "2024-01-09,2024-01-10,5\n")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        read_pain_log(io.StringIO(text), today="2024-06-01")
    (message,) = [str(w.message) for w in caught if "merged" in str(w.message)]
    assert "2 episodes starting on lines 3, 4 began" in message and "were merged" in message


# --------------------------------------------------------------------------- 5: sample options


def test_sample_has_no_cache_or_worker_options(capsys):
    with pytest.raises(SystemExit):
        cli.build_parser().parse_args(["sample", "--help"])
    out = capsys.readouterr().out
    for option in ("--workers", "--cache-dir", "--no-cache", "--verify-cache"):
        assert option not in out
    assert "--quiet" in out
    assert cli.main(["sample", "--workers", "2"]) == 2


@pytest.mark.parametrize("command", ["weekly", "report"])
def test_squad_logs_name_unknown_athletes_once(corpus, tmp_path, capsys, command):
    for name in ("gus", "bea"):
        (tmp_path / name).mkdir()
        shutil.copy(corpus / FENIX, tmp_path / name / "run.fit")
    habits = tmp_path / "habits.csv"
    habits.write_text("athlete,date,kind,minutes\ngus,2015-08-12,strength,30\n"
                      "Zed,2015-08-12,strength,30\n", encoding="utf-8")
    pain = tmp_path / "pain.csv"
    pain.write_text("athlete,onset\ngus,2015-08-20\nZoe,2015-08-12\n", encoding="utf-8")
    extra = ["-o", str(tmp_path / "r.html")] if command == "report" else []
    code, _, err = run_cli(capsys, command, str(tmp_path / "gus"), str(tmp_path / "bea"),
                           "--habits", str(habits), "--pain", str(pain), *extra)
    assert code == 0, err
    assert err.count("'Zed'") == 1 and err.count("'Zoe'") == 1

"""``make demo`` as the README promises: the sample data analysed, the report and the
audit page written to ``out/`` with the tables as CSV, and their paths printed.

Runs ``python -m runload.demo`` (what ``make demo`` runs) as a subprocess on the
repository's ``sample_data/`` (or ``$RUNLOAD_SAMPLE_DATA``) into a temporary folder.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from runload.columns import HABITS_WEEKLY
from runload.demo import RUNNER_PAIN, _has_sample

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = Path(os.environ.get("RUNLOAD_SAMPLE_DATA", ROOT / "sample_data"))

pytestmark = pytest.mark.skipif(
    not _has_sample(SAMPLE),
    reason=f"no sample data in {SAMPLE} (runload sample writes it in a few minutes)")

CSVS = ("activities", "weekly", "associations", "problems", "audit")


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> tuple[subprocess.CompletedProcess, Path]:
    out = tmp_path_factory.mktemp("demo") / "out"
    done = subprocess.run(
        [sys.executable, "-m", "runload.demo", "--out", str(out), "--data", str(SAMPLE), "-q"],
        capture_output=True, text=True, timeout=600, cwd=ROOT)
    return done, out


@pytest.mark.slow
def test_demo_prints_where_its_files_are(demo):
    done, out = demo
    assert done.returncode == 0, done.stderr[-3000:]
    lines = done.stdout.splitlines()
    opened = lines.index(next(line for line in lines if line.startswith("done in ")))
    assert lines[opened].endswith("Open these files:")
    assert lines[opened + 1].strip() == str((out / "report.html").resolve())
    assert lines[opened + 2].strip() == str((out / "audit.html").resolve())
    tables = lines[opened + 3]
    assert tables.startswith("tables (CSV): ")
    for name in CSVS:
        assert str(out / f"{name}.csv") in tables
    assert "nights of sleep" in done.stdout  # alex's Garmin export feeds the sleep habit
    assert "files seen" in done.stdout and "athletes:" in done.stdout
    assert "Traceback" not in done.stderr


@pytest.mark.slow
def test_demo_report_has_the_summary_and_the_prevention_checklist(demo):
    done, out = demo
    text = (out / "report.html").read_text(encoding="utf-8")
    for anchor in ("summary", "chart", "flagged", "checklist", "associations", "pain",
                   "weeks", "problems", "parameters", "methods"):
        assert f'<section id="{anchor}">' in text and f'href="#{anchor}"' in text
    checklist = text[text.index('<section id="checklist">'):]
    checklist = checklist[:checklist.index("</section>")]
    assert "data:image/png;base64," in checklist
    assert checklist.count('<span class="check ') == 16 * 12  # 16 weeks, 8 habits + 4 rules
    assert "not trial results" in checklist
    # the summary line printed on the terminal is the report's headline
    line = next(line.strip() for line in done.stdout.splitlines() if "weeks flagged" in line)
    assert f'<p class="headline">{line}</p>' in text
    episodes = pd.read_csv(SAMPLE / RUNNER_PAIN)
    assert line.endswith(f", {len(episodes)} pain episodes")


@pytest.mark.slow
def test_demo_tables(demo):
    _, out = demo
    for name in CSVS:
        assert (out / f"{name}.csv").is_file()
    weekly = pd.read_csv(out / "weekly.csv")
    assert set(HABITS_WEEKLY) <= set(weekly.columns)
    assert weekly["sleep_nights"].fillna(0).gt(0).any()  # from the Garmin export
    assert weekly["strides"].isna().all()  # the stride detector is off in the demo
    associations = pd.read_csv(out / "associations.csv")
    assert {"flag_low_strength", "flag_short_sleep"} <= set(associations["exposure"])
    assert len(pd.read_csv(out / "activities.csv")) > 0
    audit = pd.read_csv(out / "audit.csv")
    assert len(audit) > 1 and set(audit["risk"]) <= {"high", "moderate", "low"}
    page = (out / "audit.html").read_text(encoding="utf-8")
    for athlete in audit["athlete"]:
        assert str(athlete) in page


def test_demo_needs_no_sample_extra():
    """`make demo` installs only the core: the sample plan must import without fit-tool,
    and writing sample data without it must say what to install."""
    code = (
        "import sys\n"
        "sys.modules['fit_tool'] = None  # as if the `sample` extra were not installed\n"
        "import runload.demo\n"
        "from runload.sample.plan import DATA_END, HOME_TZ\n"
        "import runload.sample as sample\n"
        "assert sample.writers is None\n"
        "try:\n"
        "    sample.write_sample_data('unused')\n"
        "except ImportError as exc:\n"
        "    print(exc)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "pip install 'runload[sample]'" in done.stdout


@pytest.mark.slow
def test_demo_without_sample_data_or_fit_tool_says_what_to_install(tmp_path):
    """No sample data and no `sample` extra: one line naming the folder and the extra."""
    code = (
        "import sys\n"
        "sys.modules['fit_tool'] = None  # as if the `sample` extra were not installed\n"
        "from runload.demo import main\n"
        f"sys.exit(main(['--data', {str(tmp_path / 'none')!r}, '--out', "
        f"{str(tmp_path / 'out')!r}, '-q']))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert "has no sample data" in done.stderr
    assert "pip install 'runload[sample]'" in done.stderr

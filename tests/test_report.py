"""The HTML report and audit page: sections, numbers, escaping, self-containedness.

Built with the real pipeline: corpus files through ``read_activities``, the DESIGN.md
worked example through ``weekly_load``, pain logs through ``read_pain_log`` and
``associate``.
"""

from __future__ import annotations

import html
import re
import shutil
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from conftest import FIRST_MONDAY, WORKED
from conftest import weekly_runs as activities

import runload
from runload.audit import squad_audit
from runload.errors import ParameterError
from runload.flags import EVIDENCE
from runload.habits import EVIDENCE as HABIT_EVIDENCE
from runload.habits import prevention_checklist, read_habits_log, weekly_habits
from runload.load import weekly_load
from runload.pain import read_pain_log
from runload.plot.pain import forest
from runload.report import (
    REFERENCES,
    flagged_weeks,
    headline,
    render_audit,
    render_report,
    summarize,
    write_audit,
    write_report,
)
from runload.stats import associate

FIRST = pd.Timestamp(FIRST_MONDAY)
EVIL = "evil<img src=x onerror=alert(1)>.tcx"  # a broken file: listed in the problems
NOTE = 'stiff <script>alert("x")</script> & sore'


@pytest.fixture(scope="module")
def worked():
    acts = activities("ann", WORKED)
    weekly = weekly_load(acts, as_of=FIRST + pd.Timedelta(days=7 * len(WORKED) - 1))
    return acts, weekly


@pytest.fixture(scope="module")
def corpus_run(corpus, tmp_path_factory):
    """Real files (one with HTML in its name), a pain log with HTML in its notes."""
    folder = tmp_path_factory.mktemp("report") / "runner"
    folder.mkdir()
    for name in ("fit/fitparse__activity-small-fenix2-run.fit", "tcx/runpandas__11km.tcx",
                 "gpx/runpandas__run.gpx", "broken/fitparse__activity-unexpected-eof.fit"):
        shutil.copy(corpus / name, folder / Path(name).name)
    shutil.copy(corpus / "broken/runpandas__malformed.tcx", folder / EVIL)
    log = folder.parent / "pain.csv"
    log.write_text(f'onset,end,severity,notes\n2015-08-20,2015-08-24,5,"{NOTE.replace(chr(34), 2 * chr(34))}"\n'
                   "2021-03-25,,4,\n", encoding="utf-8")
    acts = runload.read_activities(folder, errors="skip")
    weekly = weekly_load(acts)
    episodes = read_pain_log(log, athlete="runner")
    associations = associate(weekly, episodes)
    return acts, weekly, episodes, associations


def test_summary_numbers_of_the_worked_example(worked):
    _, weekly = worked
    s = summarize(weekly, episodes=None)
    flags = [c for c in weekly.columns if c.startswith("flag_")]
    assert s["weeks"] == 14
    assert s["weeks_flagged"] == int(weekly[flags].any(axis=1).sum())
    assert s["weeks_since_recovery"] == 2  # weeks 10 and 11 were recovery weeks
    assert s["distance_m"] == pytest.approx(sum(WORKED) * 1000)
    assert headline(s) == (f"{s['weeks_flagged']} weeks flagged, last recovery week 2 weeks ago, "
                           "no pain log given")
    one = {**s, "weeks_flagged": 1, "weeks_since_recovery": 1, "episodes": 1}
    assert headline(one) == "1 week flagged, last recovery week 1 week ago, 1 pain episode"


def test_flagged_weeks_say_the_rule_and_its_evidence(worked):
    _, weekly = worked
    table = flagged_weeks(weekly)
    ramp = table[table["flag"] == "flag_ramp"]
    assert list(ramp["week_start"]) == [FIRST + pd.Timedelta(days=21)]  # week 3
    assert ramp["rule"].iloc[0] == ("up +11.4% on the reference week (39.0 vs 35.0 km); "
                                    "the rule allows +10%")
    assert ramp["evidence"].iloc[0] == EVIDENCE["flag_ramp"]
    missing = table[table["flag"] == "flag_missing_recovery"]
    assert missing["week_start"].iloc[0] == FIRST + pd.Timedelta(days=63)  # week 9
    assert missing["rule"].iloc[0].startswith("5 build weeks in a row without a recovery week")
    in_miles = flagged_weeks(weekly, units="mi")
    assert "(24.2 vs 21.7 mi)" in in_miles.loc[in_miles["flag"] == "flag_ramp", "rule"].iloc[0]


def test_report_sections_and_reproducibility(corpus_run, tmp_path):
    acts, weekly, episodes, associations = corpus_run
    path = write_report(acts, weekly, episodes=episodes, associations=associations,
                        path=tmp_path / "deep" / "report.html",
                        inventory=runload.inventory(acts), parameters={"sources": "runner/"})
    assert path == tmp_path / "deep" / "report.html"
    text = path.read_text(encoding="utf-8")
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in text
    for anchor in ("summary", "chart", "flagged", "associations", "pain", "weeks", "problems",
                   "parameters", "methods"):
        assert f'<section id="{anchor}">' in text and f'href="#{anchor}"' in text
    assert headline(summarize(weekly, episodes)) in text
    for line in associations["summary"].dropna():
        assert line.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") in text
    inv = runload.inventory(acts)
    assert f"files seen {inv['files_seen']} = activity files {inv['activity_files']}" in text
    assert "fitparse__activity-unexpected-eof.fit" in text and "truncated" in text
    assert f"runload version</dt><dd>{runload.__version__}</dd>" in text
    for name, value in weekly.attrs["parameters"].items():
        assert f"<dt>weekly_load: {name}</dt><dd>{value}</dd>" in text
    assert text.count("data:image/png;base64,") >= 2  # mileage chart and more
    for author in ("Buist", "Nielsen", "Frandsen", "Gabbett", "Hulin", "Williams", "Lolli",
                   "Impellizzeri", "Foster", "Maclure", "Janes", "de Vet"):
        assert author in text
    assert text.count('<li id="ref-') == len(REFERENCES)


def test_report_is_self_contained_and_escapes_user_text(corpus_run):
    acts, weekly, episodes, associations = corpus_run
    text = render_report(acts, weekly, episodes=episodes, associations=associations)
    assert "default-src 'none'" in text  # the page may not load anything
    assert not re.search(r"<script|<link|@import|url\(", text, re.I)
    assert not re.findall(r'\b(?:src|href)="(?!data:image/png;base64,|#)', text)
    assert runload.problems(acts)["source"].str.endswith(EVIL).any()
    assert "evil&lt;img src=x onerror=alert(1)&gt;.tcx" in text and "<img src=x" not in text
    assert "stiff &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; sore" in text


def test_report_without_pain_log_or_flags(worked):
    acts, weekly = worked
    text = render_report(acts, weekly.iloc[:3], units="mi")
    assert "No pain log was given" in text and 'id="pain"' not in text
    assert "No week was flagged." in text
    assert "distance (mi)" in text
    methods = text[text.index('<section id="methods">'):]
    assert "provided that reference is at least 6.2 mi." in " ".join(methods.split())
    with pytest.raises(ParameterError, match="units"):
        render_report(acts, weekly, units="furlong")


def test_forest_chart_when_no_ratio_is_above_zero(worked, tmp_path):
    # one onset (week 11), not after a flagged week: a ratio is 0 where a flag has
    # exposed weeks at risk and not estimable (NaN) elsewhere -- none is above 0
    acts, weekly = worked
    log = tmp_path / "pain.csv"
    log.write_text("onset,end,severity\n2024-03-20,2024-03-22,5\n", encoding="utf-8")
    associations = associate(weekly, read_pain_log(log, athlete="ann"))
    ratios = associations[associations["method"] != "lagged_correlation"]
    assert not (np.isfinite(ratios["estimate"]) & (ratios["estimate"] > 0)).any()
    assert ratios["estimate"].eq(0).sum() == 5 and ratios["estimate"].isna().sum() == 10
    ax = forest(associations)
    assert len(ax.get_yticklabels()) == len(ratios) == 15  # the plot draws every ratio row
    plt.close(ax.figure)
    text = render_report(acts, weekly, episodes=read_pain_log(log, athlete="ann"),
                         associations=associations)
    section = text[text.index('<section id="associations">'):]
    assert 'alt="Forest plot of 15 association estimates with 95% confidence intervals"' in section
    assert "An estimate of 0 is an arrow from the left edge to its upper limit" in section


def test_audit_page_links_every_athlete(worked, tmp_path):
    strange = "<b>dee</b>"
    acts = pd.concat([activities("ann", WORKED), activities(strange, [30, 30, 30, 24] * 3)],
                     ignore_index=True)
    weekly = weekly_load(acts, as_of=FIRST + pd.Timedelta(days=7 * len(WORKED) - 1))
    episodes = pd.DataFrame({"athlete": ["ann"], "onset": [FIRST + pd.Timedelta(days=80)],
                             "end": [pd.NaT], "notes": [NOTE]})
    audit = squad_audit(weekly, episodes)
    path = write_audit(audit, weekly, episodes=episodes, path=tmp_path / "audit.html",
                       problems={"ann": pd.DataFrame({"source": ["ann/x.fit"],
                                                      "kind": ["truncated"]})})
    text = path.read_text(encoding="utf-8")
    anchors = re.findall(r'<a href="#(athlete-[^"]+)">', text)
    assert len(anchors) == 2
    for anchor in anchors:
        assert f'<section id="{anchor}">' in text
    assert "&lt;b&gt;dee&lt;/b&gt;" in text and strange not in text
    assert "stiff &lt;script&gt;" in text
    assert text.index(">ann</a>") < text.index("&lt;b&gt;dee&lt;/b&gt;</a>")  # riskier first
    assert "ann/x.fit" in text
    with pytest.raises(ParameterError, match="chart_weeks"):
        render_audit(audit, weekly, chart_weeks=1)


HABITS_CSV = ("date,kind,minutes,value,notes\n"
              "2024-01-09,strength,25,,squats\n"
              "2024-01-11,strength,30,,\n"
              "2024-01-10,sleep,,6.5,\n")


@pytest.fixture(scope="module")
def with_habits(worked, tmp_path_factory):
    """The worked example with the habits: two strength sessions logged in week 2."""
    acts, weekly = worked
    log = tmp_path_factory.mktemp("habits") / "habits.csv"
    log.write_text(HABITS_CSV, encoding="utf-8")
    return acts, weekly_habits(weekly, acts, habits=read_habits_log(log, athlete="ann"))


def _section(text: str, anchor: str) -> str:
    start = text.index(f'<section id="{anchor}">')
    return text[start:text.index("</section>", start)]


def test_prevention_checklist_section(with_habits):
    acts, weekly = with_habits
    text = render_report(acts, weekly)
    assert 'href="#checklist">Prevention checklist</a>' in text
    section = _section(text, "checklist")
    assert "not trial results" in section
    checklist = prevention_checklist(weekly, load_flags=True)
    for name, label in checklist.attrs["evidence"].items():
        assert f'<span title="{html.escape(label)}">{html.escape(name)}</span>' in section
        assert f"<dt>{html.escape(name)}</dt>" in section and html.escape(label) in section
    assert html.escape(HABIT_EVIDENCE["flag_low_strength"]) in section
    assert "mileage rule; " + html.escape(EVIDENCE["flag_ramp"]) in section
    assert section.count("data:image/png;base64,") == 1  # the plot_checklist chart
    assert ('alt="Prevention checklist of ann: 12 habits and mileage rules over the last '
            '14 weeks"') in section
    assert "for the last 14 weeks (latest first)" in section
    # one row per week, latest first; week 2 kept the strength habit, week 3 did not
    table = section[section.index('<table id="checklist-table">'):]
    rows = re.findall(r"<tr><td[^>]*>.*?</tr>", table)
    assert len(rows) == len(weekly) == 14
    assert "2024-01-29" in rows[-5] and "2024-01-01" in rows[-1]
    strength = list(checklist.columns).index("strength") - 3 + 1  # after the week cell
    cells = lambda row: re.findall(r"<td[^>]*>(.*?)</td>", row)  # noqa: E731
    assert 'title="strength: kept">✓<' in cells(rows[-2])[strength]
    assert 'title="strength: missed">✗<' in cells(rows[-3])[strength]
    assert 'title="strength: not judged">–<' in cells(rows[-1])[strength]  # first week


def test_habit_flags_stay_out_of_the_mileage_summary(worked, with_habits):
    acts, weekly = worked
    _, habits = with_habits
    assert summarize(habits) == summarize(weekly)
    pd.testing.assert_frame_equal(flagged_weeks(habits), flagged_weeks(weekly))
    assert 'id="checklist"' not in render_report(acts, weekly)

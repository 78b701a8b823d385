"""What the report's words and numbers say, checked on the rendered HTML.

Each test reads the page as a new user does: the association tables name every
p-value and count for what it is, the Parameters section lists every option behind the
numbers, a report of several athletes counts weeks and athlete-weeks apart, plurals
agree, the problem card adds up with the inventory, the squad page speaks of a squad,
and a hatched (partial) week is explained.
"""

from __future__ import annotations

import html
import inspect
import re
import warnings

import numpy as np
import pandas as pd
import pytest
from conftest import FIRST_MONDAY, WORKED
from conftest import weekly_runs as activities

import runload
import runload.report.charts as report_charts
from runload.audit import squad_audit
from runload.load import weekly_load
from runload.plot.weekly import PARTIAL_WEEK_LABEL
from runload.report import render_audit, render_report
from runload.stats import associate
from runload.stats.simulate import simulate_squad

FIRST = pd.Timestamp(FIRST_MONDAY)


def _text(fragment: str) -> str:
    """The visible text of an HTML fragment, one space between words."""
    fragment = re.sub(r"<img[^>]*>", " ", fragment)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def _section(page: str, anchor: str) -> str:
    start = page.index(f'<section id="{anchor}">')
    return page[start:page.index("</section>", start)]


def _method_block(page: str, method: str) -> str:
    """The heading, table and sentences of one method in the associations section."""
    section = _section(page, "associations")
    start = section.index(f'<h3 id="assoc-{method.replace("_", "-")}">')
    end = section.find("<h3", start + 4)
    return section[start:end if end > 0 else len(section)]


def _table(block: str) -> tuple[list[str], list[list[str]]]:
    """Header texts and cell HTML of the first table of ``block``."""
    table = block[block.index("<table"):block.index("</table>")]
    headers = [_text(h) for h in re.findall(r"<th scope=\"col\"[^>]*>(.*?)</th>", table)]
    rows = [re.findall(r"<td[^>]*>(.*?)</td>", row)
            for row in re.findall(r"<tr><td.*?</tr>", table)]
    return headers, rows


def _p(value) -> str:
    return "–" if pd.isna(value) else f"{value:.3f}"


@pytest.fixture(scope="module")
def squad():
    """Two simulated runners (a planted effect of the ramp) with their associations."""
    weekly, episodes = simulate_squad(2, weeks=104, hazard=0.06, rate_ratio=2.0, rng=3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        associations = associate(weekly, episodes, n_permutations=49, seed=7)
    page = render_report(None, weekly, episodes=episodes, associations=associations)
    return weekly, episodes, associations, page


# --------------------------------------------------------------------------- 1. p-values


def test_every_p_value_is_named_for_its_test_and_none_is_shown_twice(squad):
    _, _, associations, page = squad
    section = _section(page, "associations")
    assert "p (perm.)" not in section
    assert not re.search(r"<th scope=\"col\"[^>]*>p</th>", section)  # no unnamed "p" column
    named = {"p_permutation": "p (permutation)", "p_exact": "p (Fisher exact)",
             "p_midp": "p (mid-p)"}
    for method in ("lagged_risk_ratio", "dose_response", "case_crossover"):
        headers, rows = _table(_method_block(page, method))
        assert len(headers) == len(set(headers))
        mine = associations[associations["method"] == method].reset_index(drop=True)
        assert len(rows) == len(mine)
        for column, label in named.items():
            if method == "case_crossover" and column == "p_permutation":
                assert label not in headers  # the design has no permutation p
                continue
            at = headers.index(label)
            assert [_text(r[at]) for r in rows] == [_p(v) for v in mine[column]]
        # the headline p of each row is the one in bold, and it is p_value
        for cells, p_value in zip(rows, mine["p_value"], strict=True):
            bold = [_text(c) for c in cells if "<strong" in c]
            assert bold == ([] if pd.isna(p_value) else [_p(p_value)])


def test_the_headline_p_of_each_method_is_the_documented_one(squad):
    _, _, associations, page = squad
    first_p = {"lagged_risk_ratio": "p (permutation)", "dose_response": "p (permutation)",
               "case_crossover": "p (mid-p)", "conditional_logit": "p (Wald)",
               "lagged_correlation": "p (permutation)"}
    for method, label in first_p.items():
        block = _method_block(page, method)
        headers, rows = _table(block)
        p_columns = [h for h in headers if h.startswith("p (")]
        assert p_columns[0] == label
        assert f"Headline p: {label}" in _text(block)
        at = headers.index(label)
        mine = associations[associations["method"] == method]
        shown = [c for c, v in zip(rows, mine["p_value"], strict=True) if not pd.isna(v)]
        assert shown and all("<strong" in c[at] for c in shown)
    # the conditional logit's Wald p is its p_value (the table has no other column for it)
    headers, rows = _table(_method_block(page, "conditional_logit"))
    wald = [_text(r[headers.index("p (Wald)")]) for r in rows]
    logit = associations[associations["method"] == "conditional_logit"]
    assert wald == [_p(v) for v in logit["p_value"]]


def test_without_permutations_the_mid_p_is_the_bold_headline(squad):
    weekly, episodes, _, _ = squad
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        associations = associate(weekly, episodes, n_permutations=0,
                                 methods=("lagged",))
    page = render_report(None, weekly, episodes=episodes, associations=associations)
    headers, rows = _table(_method_block(page, "lagged_risk_ratio"))
    perm, midp = headers.index("p (permutation)"), headers.index("p (mid-p)")
    assert {_text(r[perm]) for r in rows} == {"–"}
    estimable = associations["p_midp"].notna().to_numpy()
    assert estimable.any()
    for cells, has_p in zip(rows, estimable, strict=True):
        assert ("<strong" in cells[midp]) == bool(has_p)


# --------------------------------------------------------------------------- 2. counts


def test_case_crossover_counts_are_the_numbers_of_its_sentence(squad):
    _, _, associations, page = squad
    block = _method_block(page, "case_crossover")
    headers, rows = _table(block)
    assert "onsets: hazard week exposed / all onsets" in headers
    assert "comparison weeks: exposed / all" in headers
    assert not any("events / n" in h or h.startswith("exposed:") for h in headers)
    onsets = headers.index("onsets: hazard week exposed / all onsets")
    refs = headers.index("comparison weeks: exposed / all")
    mine = associations[associations["method"] == "case_crossover"]
    for cells, sentence in zip(rows, mine["summary"], strict=True):
        # "<a> of <cases> pain onsets had ... against <x> of <refs> comparison weeks ..."
        a, cases, x, n = re.search(r"(\d+) of (\d+) pain onsets?.*against (\d+) of (\d+) "
                                   r"comparison weeks?", sentence).groups()
        assert _text(cells[onsets]) == f"{a} / {cases}"
        assert _text(cells[refs]) == f"{x} / {n}"


def test_lagged_counts_are_weeks_at_risk_and_the_onsets_after_them(squad):
    _, _, associations, page = squad
    headers, rows = _table(_method_block(page, "lagged_risk_ratio"))
    exposed = headers.index("exposed weeks: followed by an onset / at risk")
    other = headers.index("unexposed weeks: followed by an onset / at risk")
    mine = associations[associations["method"] == "lagged_risk_ratio"]
    for cells, r in zip(rows, mine.to_dict("records"), strict=True):
        assert _text(cells[exposed]) == f"{r['exposed_events']} / {r['exposed_n']}"
        assert _text(cells[other]) == f"{r['unexposed_events']} / {r['unexposed_n']}"
        assert f"{r['exposed_events']} of {r['exposed_n']} weeks" in r["summary"]
    headers, _ = _table(_method_block(page, "conditional_logit"))
    assert "onsets (matched sets)" in headers and "odds ratio refers to" in headers
    headers, _ = _table(_method_block(page, "lagged_correlation"))
    assert headers[-2:] == ["week pairs", "pairs with pain in the later week"]


# --------------------------------------------------------------------------- 3. parameters


def _params(page: str) -> dict[str, str]:
    section = _section(page, "parameters")
    return {html.unescape(k): html.unescape(v)
            for k, v in re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", section)}


def test_parameters_list_every_option_of_every_stage(squad):
    weekly, episodes, associations, page = squad
    params = _params(page)
    assert params["runload version"] == runload.__version__
    for name in inspect.signature(associate).parameters:
        if name not in ("weekly", "episodes"):
            assert f"associate: {name}" in params, name
    used = associations.attrs["parameters"]  # what associate recorded it was run with
    assert params["associate: n_permutations"] == str(used["n_permutations"]) != "999"
    assert params["associate: lag_weeks"] == "1"
    for name in ("tz", "min_overlap", "max_distance_diff"):
        assert f"read_activities: {name}" in params
    for name in ("workers", "cache", "progress", "errors"):  # do not change the results
        assert f"read_activities: {name}" not in params
    for name in ("min_severity", "min_gap_days", "min_duration_days"):
        assert f"read_pain_log: {name}" in params
    for name in weekly.attrs.get("parameters", {}):
        assert f"weekly_load: {name}" in params
    # options the table records win over the defaults; a list of lags is shown as such
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        table = associate(weekly, episodes, lag_weeks=[1, 2], n_permutations=19, seed=5,
                          methods=("lagged",))
    table.attrs["parameters"] = {"n_permutations": 19, "seed": 5, "ci_method": "mid-p"}
    params = _params(render_report(None, weekly, episodes=episodes, associations=table))
    assert params["associate: lag_weeks"] == "1, 2"
    assert params["associate: n_permutations"] == "19" and params["associate: seed"] == "5"
    assert params["associate: methods"] == "lagged"


def test_read_options_come_from_the_activities_table(tmp_path):
    acts = activities("ann", WORKED)
    acts.attrs["tz"] = "Europe/Oslo"
    weekly = weekly_load(acts, as_of=FIRST + pd.Timedelta(days=7 * len(WORKED) - 1))
    params = _params(render_report(acts, weekly))
    assert params["read_activities: tz"] == "Europe/Oslo"
    assert params["read_activities: min_overlap"] == "0.5"
    assert not any(k.startswith("associate:") for k in params)  # no association shown
    assert not any(k.startswith("read_pain_log:") for k in params)  # no pain log given


# --------------------------------------------------------------------------- 4. counts, plurals


def test_several_athletes_count_calendar_weeks_and_athlete_weeks():
    acts = pd.concat([activities("ann", WORKED), activities("bob", [20] * len(WORKED))],
                     ignore_index=True)
    weekly = weekly_load(acts, as_of=FIRST + pd.Timedelta(days=7 * len(WORKED) - 1))
    page = render_report(acts, weekly)
    summary = _text(_section(page, "summary"))
    total = sum(WORKED) + 20 * len(WORKED)
    assert f"{total:,} km by 2 athletes over 14 weeks (28 athlete-weeks)" in summary
    assert "run in 28 weeks" not in summary
    assert "athlete-weeks flagged" in summary


def test_plurals_agree_with_their_numbers(tmp_path):
    acts = activities("ann", WORKED)
    weekly = weekly_load(acts, as_of=FIRST + pd.Timedelta(days=7 * len(WORKED) - 1))
    log = tmp_path / "pain.csv"
    log.write_text("athlete,onset,end,severity\nann,2024-03-20,2024-03-22,5\n"
                   "zoe,2024-02-01,2024-02-03,4\n", encoding="utf-8")
    episodes = runload.read_pain_log(log)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        associations = associate(weekly, episodes, n_permutations=9)
    page = render_report(acts, weekly.iloc[:13], episodes=episodes, associations=associations)
    text = _text(page)
    assert "1 back-pain episode " in _text(_section(page, "summary")) + " "
    assert "1 pain episode" in text  # the headline
    # no "1 <plural>" in the words of the page (the association sentences come from
    # runload.stats and are checked there)
    text = _text(re.sub(r'<ul class="lines">.*?</ul>', " ", page, flags=re.S))
    assert not re.search(r"\b1 (back-pain episodes|episodes|weeks|files|runs|athletes|"
                         r"pain episodes|athlete-weeks)\b", text)
    assert "1 episode of the pain log belongs to no athlete of this report" in text
    assert "zoe" not in _text(_section(page, "pain"))


# --------------------------------------------------------------------------- 5. problem card


PROBLEMS = pd.DataFrame({
    "source": ["a/cut.fit", "a/cut.fit", "a/broken.tcx"],
    "kind": ["truncated", "bad_crc", "malformed_xml"],
    "message": ["ends early", "checksum", "not XML"],
    "salvaged": [True, True, False],
})


def test_problem_card_splits_not_read_and_read_in_part():
    acts = activities("ann", WORKED)
    weekly = weekly_load(acts, as_of=FIRST + pd.Timedelta(days=7 * len(WORKED) - 1))
    inventory = {"files_seen": 13, "activity_files": 12, "non_activity_files": 0,
                 "problem_files": 1, "salvaged_files": 1}
    for given in (inventory, None):  # from the inventory, or from the table alone
        page = render_report(acts, weekly, problems=PROBLEMS, inventory=given)
        assert "2 files with problems (1 not read, 1 read in part)" in _text(
            _section(page, "summary"))
        assert "2 files could not be read in full: 1 not read at all" in _text(
            _section(page, "problems"))
    page = render_report(acts, weekly, problems=PROBLEMS.iloc[2:])
    assert "1 file with problems (1 not read, 0 read in part)" in _text(page)
    clean = _text(_section(render_report(acts, weekly), "summary"))
    assert "0 files with problems" in clean and "not read" not in clean


# --------------------------------------------------------------------------- 6. squad wording


def test_audit_page_speaks_of_a_squad():
    acts = pd.concat([activities("ann", WORKED), activities("bob", [30, 30, 30, 24] * 3),
                      activities("cy", [20] * 14)], ignore_index=True)
    weekly = weekly_load(acts, as_of=FIRST + pd.Timedelta(days=7 * len(WORKED) - 1))
    episodes = pd.DataFrame({"athlete": ["ann"], "onset": [FIRST + pd.Timedelta(days=80)],
                             "end": [pd.NaT]})
    audit = squad_audit(weekly, episodes)
    assert audit["weeks_since_recovery"].isna().any()  # cy never had a recovery week
    page = render_audit(audit, weekly, episodes=episodes)
    text = _text(page)
    assert "one runner" not in text.lower() and "the runner's" not in text
    methods = _text(_section(page, "methods"))
    assert "pooled across the athletes" in methods and "the squad" in methods
    assert "each athlete's first week of data" in methods
    # one episode, one week since recovery: singular on the athlete cards
    assert "1 back-pain episode " in text + " "
    params = _params(page)
    assert params["squad_audit: recent_weeks"] == "2" and params["squad_audit: pain_weeks"] == "8"


def test_single_runner_methods_keep_the_runner_wording(squad):
    acts = activities("ann", WORKED)
    weekly = weekly_load(acts, as_of=FIRST + pd.Timedelta(days=7 * len(WORKED) - 1))
    assert "With one runner's few episodes" in _text(_section(render_report(acts, weekly),
                                                              "methods"))
    _, _, _, page = squad  # two athletes: pooled, about the squad
    methods = _text(_section(page, "methods"))
    assert "pooled across the athletes" in methods and "one runner's" not in methods


# --------------------------------------------------------------------------- 7. partial weeks


def test_hatched_weeks_are_explained_as_partial_not_missing(monkeypatch):
    # the data start on a Monday, and the first week is still partial (docs/load_rules.md)
    acts = activities("ann", WORKED)
    weekly = weekly_load(acts, as_of=FIRST + pd.Timedelta(days=7 * len(WORKED) - 3))
    assert not weekly["complete"].iloc[0] and not weekly["complete"].iloc[-1]
    legends = []
    real = report_charts._figure  # the weekly chart's figure

    def spy(fig, alt, caption, **kw):
        for ax in fig.axes:
            if ax.get_legend() is not None:
                legends.append([t.get_text() for t in ax.get_legend().get_texts()])
        return real(fig, alt, caption, **kw)

    monkeypatch.setattr(report_charts, "_figure", spy)
    page = render_report(acts, weekly)
    chart = _text(_section(page, "chart"))
    assert "Hatched bars are partial weeks" in chart
    assert "the first week of the data, always, even when it starts on the first day of a week" in chart
    assert "still in progress" in chart and "not missing data" in chart
    assert legends and PARTIAL_WEEK_LABEL in legends[0]
    assert "incomplete week" not in legends[0]
    assert "(partial): the first week of the data" in _text(_section(page, "weeks"))
    methods = _text(_section(page, "methods"))
    assert ("the runner's first week of data, always, even when it starts on the first day "
            "of a week" in methods)


def test_no_partial_week_no_hatch_caption():
    acts = activities("ann", WORKED)
    weekly = weekly_load(acts, as_of=FIRST + pd.Timedelta(days=7 * len(WORKED) - 1))
    whole = weekly.iloc[1:-1].copy()  # drop the partial first and last weeks
    assert whole["complete"].all()
    assert "Hatched bars" not in _text(_section(render_report(acts, whole), "chart"))
    assert np.isfinite(whole["distance_m"]).all()


def test_habit_thresholds_are_among_the_parameters():
    from runload.habits import weekly_habits

    acts = activities("ann", WORKED)
    weekly = weekly_habits(weekly_load(acts, as_of=FIRST + pd.Timedelta(days=7 * 13)), acts,
                           min_strength_sessions=3)
    params = _params(render_report(acts, weekly))
    assert params["weekly_habits: min_strength_sessions"] == "3"
    for name in weekly.attrs["habit_parameters"]:
        assert f"weekly_habits: {name}" in params


def test_parameters_section_shows_the_options_actually_used(tmp_path):
    """Non-default options of read_activities and associate reach the Parameters section
    through the tables' attrs, not the signatures' defaults."""
    from pathlib import Path

    sample = Path(__file__).resolve().parents[1] / "sample_data" / "squad" / "dario"
    if not sample.is_dir():
        pytest.skip("no sample data")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", runload.RunloadWarning)
        acts = runload.read_activities(sample, tz="Europe/London", min_overlap=0.7, workers=1)
        weekly = runload.weekly_load(acts)
        episodes = runload.read_pain_log(sample.parents[1] / "pain" / "squad_diary.csv")
        table = runload.associate(weekly, episodes, n_permutations=99, seed=7, lag_weeks=2,
                                  methods=["lagged"])
    assert acts.attrs["parameters"]["min_overlap"] == 0.7
    assert table.attrs["parameters"]["n_permutations"] == 99
    out = runload.write_report(acts, weekly, path=tmp_path / "r.html", episodes=episodes,
                               associations=table)
    section = Path(out).read_text(encoding="utf-8").split('id="parameters"')[1]
    for name, value in (("read_activities: min_overlap", "0.7"),
                        ("associate: n_permutations", "99"), ("associate: seed", "7"),
                        ("associate: lag_weeks", "2")):
        assert f"<dt>{name}</dt><dd>{value}</dd>" in section, (name, value)

"""The advice runload follows is cited so that a reader can find it.

The habit and coaching rules come from two blog articles, "article A" and "article B",
defined with their titles and the quoted sentences in ``docs/sources.md`` and listed in
the report's References. Internal names of the files they were collected in ("seed 000",
"seed 003", a ``seeds/`` folder) mean nothing to a user and must not reach one.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from runload.flags import EVIDENCE as LOAD_EVIDENCE
from runload.habits import EVIDENCE, HABIT_NAMES

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ROOT / "docs" / "sources.md"
TITLES = {
    "A": "Low Back Pain in Runners: Prevention & Treatment",
    "B": "Low Back Pain: Rehab For Runners",
}
#: Where the sources are cited to users (docs, README, notebooks and their builder).
CITING = [
    "README.md",
    "docs/sources.md",
    "docs/habits.md",
    "docs/load_rules.md",
    "docs/notebooks.md",
    "docs/robustness.md",
    "notebooks/_build.py",
    *sorted(str(p.relative_to(ROOT)) for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")),
    *sorted(str(p.relative_to(ROOT)) for p in (ROOT / "runload").rglob("*.py")),
    *sorted(str(p.relative_to(ROOT)) for p in (ROOT / "docs").glob("*.md")),
    "runload/flags.py",
]
_INTERNAL = re.compile(r"\bseeds?\s*(?:article\s*)?0\d\d\b|\bseeds/", re.IGNORECASE)


def test_every_habit_label_names_its_article():
    assert sorted(EVIDENCE) == sorted(HABIT_NAMES)
    for flag, label in EVIDENCE.items():
        assert re.search(r"\(article [AB]\b", label), (flag, label)
        assert not _INTERNAL.search(label), (flag, label)
        # a table cell: notebook 2 shows the labels with display.max_colwidth = 90
        assert len(label) <= 90, (flag, label)
        # the kind of evidence stays first (plot_checklist's row labels use it)
        assert re.match(r"(expert|physiotherapist|coaching) advice\b", label), (flag, label)


def test_sources_md_defines_both_articles():
    text = SOURCES.read_text(encoding="utf-8")
    for letter, title in TITLES.items():
        assert re.search(rf"^## Article {letter} — \"{re.escape(title)}\"$", text, re.M), letter
    assert "expert opinion" in text and "not a study" in text
    # every habit flag and the coaching rules are traced to a quoted sentence
    for flag in [*EVIDENCE, "flag_missing_recovery", "recovery_week", "reference_m"]:
        assert f"`{flag}`" in text, flag
    assert "Jun 20, 2019" in text  # article B's date, as the article gives it


def test_report_references_define_the_articles():
    report = pytest.importorskip("runload.report")
    refs = report.REFERENCES
    used = {m for label in EVIDENCE.values() for m in re.findall(r"article ([AB])\b", label)}
    assert used == {"A", "B"}
    for letter in used:
        entry = refs[f"article_{letter.lower()}"]
        assert entry.startswith(f"Article {letter}: ") and TITLES[letter] in entry
        assert "not a study" in entry
    assert not any(_INTERNAL.search(text) for text in refs.values())
    assert not any(_INTERNAL.search(text) for text in LOAD_EVIDENCE.values())


@pytest.mark.parametrize("name", CITING)
def test_no_internal_seed_names(name):
    text = (ROOT / name).read_text(encoding="utf-8")
    found = [line.strip() for line in text.splitlines() if _INTERNAL.search(line)]
    assert not found, f"{name} cites sources by internal names: {found}"

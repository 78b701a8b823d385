"""Shared test fixtures: where the corpus is, and small helpers."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import pytest
from hypothesis import settings

# CI (CI=true) runs every property test on a fixed, reproducible set of examples: a red CI
# must mean a regression, not a new random draw. Local runs keep exploring new examples.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
    settings.load_profile("ci")

ROOT = Path(__file__).resolve().parents[1]
TEST_DATA = ROOT / "tests" / "data"
CORPUS = Path(os.environ.get("RUNLOAD_CORPUS", ROOT.parent / "shared" / "corpus"))


def corpus_available() -> bool:
    return (CORPUS / "GROUND_TRUTH.tsv").is_file()


needs_corpus = pytest.mark.skipif(
    not corpus_available(), reason=f"shared corpus not found at {CORPUS} (set RUNLOAD_CORPUS)"
)


@pytest.fixture(autouse=True)
def _private_cache(tmp_path_factory, monkeypatch):
    """Every test reads through its own summary cache, never the user's."""
    monkeypatch.setenv("RUNLOAD_CACHE_DIR", str(tmp_path_factory.mktemp("runload-cache")))


@pytest.fixture(scope="session")
def corpus() -> Path:
    if not corpus_available():
        pytest.skip(f"shared corpus not found at {CORPUS}")
    return CORPUS


@pytest.fixture(scope="session")
def ground_truth(corpus) -> list[dict[str, str]]:
    with open(corpus / "GROUND_TRUTH.tsv", newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


@pytest.fixture(scope="session")
def manifest(corpus) -> list[dict[str, str]]:
    with open(corpus / "MANIFEST.tsv", newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))

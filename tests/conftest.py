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


# --- a hand-made history with known weekly sums (report, audit tests) ------------------

#: A Monday: the first week of :func:`weekly_runs` histories.
FIRST_MONDAY = "2024-01-01"
#: The DESIGN.md worked example, km per week: week 3 breaks the 10% rule, week 4 is a
#: recovery week, week 9 the fifth build week in a row, weeks 10-11 are 0 km.
WORKED = [30, 32, 35, 39, 30, 39, 42, 45, 48, 50, 0, 0, 20, 22]


def weekly_runs(athlete: str, kms, *, first=None):
    """One run per week, on the Wednesday at 08:00 UTC, of ``kms`` kilometres.

    ``first`` is the Monday of the first week (default :data:`FIRST_MONDAY`); a 0 is a
    week without a run. Returns an activities table (:data:`runload.columns.ACTIVITIES`).
    """
    import pandas as pd

    from runload.columns import ACTIVITIES, conform

    first = pd.Timestamp(FIRST_MONDAY if first is None else first)
    rows = [
        {"athlete": athlete, "activity_id": f"{athlete}-{i}", "source": f"{athlete}/{i}.fit",
         "format": "fit", "sport": "running",
         "start_time": (first + pd.Timedelta(days=7 * i + 2, hours=8)).tz_localize("UTC"),
         "utc_offset_s": 0, "distance_m": km * 1000.0, "moving_time_s": km * 330.0,
         "elapsed_time_s": km * 340.0}
        for i, km in enumerate(kms) if km
    ]
    return conform(pd.DataFrame(rows), ACTIVITIES)


# --- the GPX/TCX readers' two paths (fast-path tests) -----------------------------------


def both_paths(monkeypatch, module, reader, data: bytes, **options):
    """``(element reader, fast path)`` outcomes of ``reader`` on ``data``.

    ``module`` is :mod:`runload.io.gpx` or :mod:`runload.io.tcx` (its ``FAST`` switch);
    an outcome is the result pickled (bit-exact) or the error raised (type, kind, text).
    """
    import pickle

    from runload.errors import RunloadError

    def outcome():
        try:
            return pickle.dumps(reader(data, source="f." + module.__name__[-3:], **options))
        except RunloadError as exc:
            return (type(exc).__name__, exc.kind, str(exc))

    monkeypatch.setattr(module, "FAST", False)
    reference = outcome()
    monkeypatch.setattr(module, "FAST", True)
    return reference, outcome()


def fast_path_used(module, data: bytes) -> bool:
    """Whether ``module``'s fast path reads ``data`` (else its element reader does)."""
    from runload.io.xmlsafe import prepare

    source = "f." + module.__name__[-3:]
    body, _ = prepare(data, source=source)
    return module._fast_read(body, source=source) is not None



# --- the command line, in-process ------------------------------------------------------


def run_cli(capsys, *args: str) -> tuple[int, str, str]:
    """``runload ARGS --no-cache --workers 1`` (for commands that read files), in-process:
    ``(exit code, stdout, stderr)``."""
    from runload import cli

    words = list(args)
    if words and words[0] in {"activities", "weekly", "report", "audit"}:
        words += ["--no-cache", "--workers", "1"]
    code = cli.main(words)
    out, err = capsys.readouterr()
    return code, out, err


def error_lines(err: str) -> list[str]:
    """The ``runload: error:`` lines of standard error."""
    return [line for line in err.splitlines() if line.startswith("runload: error:")]

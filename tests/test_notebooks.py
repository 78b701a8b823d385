"""The five notebooks: they run top to bottom on the sample data, and are committed clean.

Each notebook is executed with nbclient in a ``python3`` kernel that is *this*
interpreter (a kernelspec written to a temporary ``JUPYTER_PATH``, so a user-level
``python3`` kernel of another Python cannot be picked up), with the working folder
``notebooks/``, as a user opening it in Jupyter would. Cells tagged ``expect-figure``
must show an image and cells tagged ``expect-table`` an HTML table with rows (see
``notebooks/_build.py``, the source the notebooks are generated from).
"""

from __future__ import annotations

import ast
import importlib.util
import json
import os
import re
import sys
import time
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
SAMPLE = ROOT / "sample_data"
NAMES = [
    "01_my_running_history.ipynb",
    "02_load_rules.ipynb",
    "03_back_pain.ipynb",
    "04_coach_squad.ipynb",
    "05_reproduce.ipynb",
]
#: Seconds one cell may take before the run is declared stuck (not a speed test).
CELL_TIMEOUT = 600
#: What each notebook reads from sample_data/ with its default parameters.
SAMPLE_INPUTS = ["alex", "squad", "pain/alex_episodes.csv", "pain/squad_diary.csv"]


def _read(name: str):
    return nbformat.read(NOTEBOOKS / name, as_version=4)


def _tags(cell) -> set[str]:
    return set(cell.get("metadata", {}).get("tags", []))


# --------------------------------------------------------------------------- structure


@pytest.mark.parametrize("name", NAMES)
def test_committed_without_outputs(name):
    text = (NOTEBOOKS / name).read_text(encoding="utf-8")
    assert '"output_type"' not in text, f"{name} was committed with outputs; clear them"
    nb = nbformat.reads(text, as_version=4)
    counts = [c.execution_count for c in nb.cells if c.cell_type == "code"]
    assert counts and all(count is None for count in counts), f"{name} has execution counts"


@pytest.mark.parametrize("name", NAMES)
def test_title_then_one_parameters_cell(name):
    nb = _read(name)
    nbformat.validate(nb)
    title, parameters = nb.cells[0], nb.cells[1]
    assert title.cell_type == "markdown" and title.source.startswith("# ")
    assert parameters.cell_type == "code" and "parameters" in _tags(parameters)
    assert sum("parameters" in _tags(c) for c in nb.cells) == 1
    # only plain assignments of literals, so papermill -p can override every one
    names = []
    for node in ast.parse(parameters.source).body:
        assert isinstance(node, ast.Assign), ast.dump(node)
        ast.literal_eval(node.value)
        names += [t.id for t in node.targets]
    assert {"tz", "units", "week_start"} <= set(names)
    assert any(n.endswith("_path") for n in names)


@pytest.mark.parametrize("name", NAMES)
def test_papermill_sees_the_parameters(name):
    papermill = pytest.importorskip("papermill")
    found = papermill.inspect_notebook(str(NOTEBOOKS / name))
    assert {"tz", "units", "week_start"} <= set(found)


def test_notebooks_match_their_source(tmp_path):
    """notebooks/_build.py is the reviewable source: the committed files are its output."""
    spec = importlib.util.spec_from_file_location("notebooks_build", NOTEBOOKS / "_build.py")
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    for path in build.build(tmp_path):
        fresh = json.loads(path.read_text(encoding="utf-8"))
        committed = json.loads((NOTEBOOKS / path.name).read_text(encoding="utf-8"))
        assert fresh == committed, f"{path.name} differs from notebooks/_build.py: rebuild it"


def test_problems_by_kind_counts_salvaged_files(tmp_path):
    """Notebook 1's problems table counts files: a cut-off FIT file is one salvaged file."""
    import pandas as pd

    import runload
    from runload.columns import PROBLEM_KINDS

    data = (ROOT / "tests" / "data" / "fit" / "no_session.fit").read_bytes()
    (tmp_path / "cut.fit").write_bytes(data[: len(data) // 2])
    (tmp_path / "phone.gpx").write_text('<?xml version="1.0"?><gpx><trk><trkseg><trkpt',
                                        encoding="utf-8")
    activities = runload.read_activities(tmp_path, errors="skip")
    assert runload.problems(activities)["kind"].tolist().count("truncated") == 2
    (cell,) = [c for c in _read("01_my_running_history.ipynb").cells
               if c.cell_type == "code" and "by_kind" in c.source]
    shown = []
    exec(cell.source, {"runload": runload, "pd": pd, "PROBLEM_KINDS": PROBLEM_KINDS,
                       "activities": activities, "display": shown.append})
    by_kind = shown[0]
    assert by_kind.loc["truncated", ["problems", "files", "salvaged files"]].tolist() == [2, 1, 1]
    assert by_kind.loc["malformed_xml", ["problems", "files", "salvaged files"]].tolist() == [1, 1, 0]


# --------------------------------------------------------------------------- execution


@pytest.fixture(scope="session")
def kernel_path(tmp_path_factory):
    """A JUPYTER_PATH whose ``python3`` kernel is this interpreter (the project's venv)."""
    pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    from jupyter_client.kernelspec import KernelSpecManager

    root = tmp_path_factory.mktemp("jupyter")
    spec = root / "kernels" / "python3"
    spec.mkdir(parents=True)
    kernel = {
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 (runload tests)",
        "language": "python",
        # inline figures even when the test run sets another backend
        "env": {"MPLBACKEND": "module://matplotlib_inline.backend_inline"},
    }
    (spec / "kernel.json").write_text(json.dumps(kernel), encoding="utf-8")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("JUPYTER_PATH", os.fspath(root))
        found = KernelSpecManager().get_kernel_spec("python3")
        assert found.argv[0] == sys.executable
        yield root


@pytest.fixture(scope="session")
def sample_data():
    missing = [p for p in SAMPLE_INPUTS if not (SAMPLE / p).exists()]
    if missing:
        pytest.fail(
            f"sample_data/ lacks {', '.join(missing)}: the notebooks run on it by default "
            "(write it with `runload sample sample_data`)"
        )
    return SAMPLE


def _outputs(cell, kind: str) -> list:
    return [o for o in cell.get("outputs", []) if o.get("output_type") == kind]


def _rich(cell) -> list[dict]:
    return [o.get("data", {}) for o in cell.get("outputs", [])
            if o.get("output_type") in ("display_data", "execute_result")]


def _has_table_rows(html: str) -> bool:
    body = re.search(r"<tbody>(.*?)</tbody>", html, flags=re.S)
    return bool(body and "<tr" in body.group(1))


@pytest.mark.notebook
@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_notebook_runs(name, kernel_path, sample_data, record_property):
    from nbclient import NotebookClient

    nb = _read(name)
    client = NotebookClient(
        nb,
        timeout=CELL_TIMEOUT,
        kernel_name="python3",
        resources={"metadata": {"path": os.fspath(NOTEBOOKS)}},
    )
    start = time.perf_counter()
    client.execute()  # raises CellExecutionError, with the cell and traceback, on any error
    record_property("seconds", round(time.perf_counter() - start, 1))

    habits = importlib.util.find_spec("runload.habits") is not None
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        where = f"{name}, cell {index}:\n{cell.source[:300]}"
        assert not _outputs(cell, "error"), where
        tags = _tags(cell)
        if "needs-habits" in tags and not habits:
            continue
        if "expect-figure" in tags:
            assert any("image/png" in data for data in _rich(cell)), f"no figure in {where}"
        if "expect-table" in tags:
            tables = [d["text/html"] for d in _rich(cell) if "text/html" in d]
            assert any(_has_table_rows(html) for html in tables), f"no table with rows in {where}"


@pytest.mark.notebook
@pytest.mark.slow
def test_coach_notebook_runs_without_a_pain_log(kernel_path, sample_data):
    """``pain_log = None`` (the parameters cell says it may be): back pain is unknown."""
    from nbclient import NotebookClient

    nb = _read("04_coach_squad.ipynb")
    source = nb.cells[1].source
    assert re.search(r"^pain_log = .*$", source, flags=re.M)
    nb.cells[1].source = re.sub(r"^pain_log = .*$", "pain_log = None", source, flags=re.M)
    NotebookClient(nb, timeout=CELL_TIMEOUT, kernel_name="python3",
                   resources={"metadata": {"path": os.fspath(NOTEBOOKS)}}).execute()
    shown = "".join(d.get("text/html", "") + d.get("text/plain", "")
                    for cell in nb.cells if cell.cell_type == "code" for d in _rich(cell))
    assert "– (no pain log)" in shown
    printed = "".join(o.get("text", "") for cell in nb.cells if cell.cell_type == "code"
                      for o in _outputs(cell, "stream"))
    assert "back pain recently" not in printed

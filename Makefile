# runload — two commands set everything up: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
OUT    ?= out

.PHONY: demo test lint bench notebooks clean venv

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# core install (what a runner needs); re-run when pyproject.toml changes
$(VENV)/.core: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

# everything the test suite needs (dev extra: tests, notebooks kernel, sample encoder, dask)
$(VENV)/.dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(VENV)/.core $@

venv: $(VENV)/.dev

demo: $(VENV)/.core
	$(BIN)/python -m runload.demo --out $(OUT)

# the suite on every core (pytest-xdist; a test file stays on one worker)
test: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -n auto --dist loadfile

lint: $(VENV)/.dev
	$(BIN)/ruff check .

# JupyterLab on the notebooks (installs the `notebooks` extra)
notebooks: $(VENV)/.core
	$(BIN)/python -m pip install --quiet -e ".[notebooks]"
	$(BIN)/jupyter lab notebooks/

bench: $(VENV)/.dev
	$(BIN)/python benchmarks/run_all.py

clean:
	rm -rf $(VENV) $(OUT) .pytest_cache .ruff_cache build *.egg-info

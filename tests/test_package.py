"""The package as a user meets it: import, version, public names, errors."""

from __future__ import annotations

import subprocess
import sys
import tomllib

import pytest
from conftest import ROOT

import runload


def test_version_matches_pyproject():
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert runload.__version__ == meta["project"]["version"]


@pytest.mark.parametrize("name", sorted(runload._LAZY))
def test_every_public_name_resolves(name):
    assert callable(getattr(runload, name))


def test_unknown_attribute_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        runload.nope  # noqa: B018


def test_import_is_light():
    """`import runload` must not pull pandas or matplotlib: the CLI and workers start fast."""
    code = "import sys, runload; print('matplotlib' in sys.modules, 'pandas' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


def test_errors_keep_source_and_cause():
    try:
        try:
            raise ValueError("bad byte")
        except ValueError as exc:
            raise runload.ReadError("truncated at byte 12", source="a.fit", kind="truncated") from exc
    except runload.RunloadError as err:
        assert err.source == "a.fit"
        assert err.kind == "truncated"
        assert isinstance(err.__cause__, ValueError)
        assert str(err) == "a.fit: truncated at byte 12"

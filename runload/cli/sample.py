"""``runload sample``: write the synthetic sample data."""

from __future__ import annotations

import argparse
from pathlib import Path

from .errors import UsageError
from .output import _say


def cmd_sample(args: argparse.Namespace) -> int:
    """``runload sample``: write the sample data."""
    from ..sample import write_sample_data

    target = args.directory
    if target.exists() and not target.is_dir():
        raise UsageError("exists and is not a folder; choose another DIR", source=str(target))
    try:
        write_sample_data(target)
    except ImportError as exc:  # fit-tool is the optional `sample` extra
        missing = exc.name or getattr(exc.__cause__, "name", None) or "fit_tool"
        other = "" if missing.split(".")[0] == "fit_tool" else f" ({missing} cannot be imported)"
        raise UsageError(
            "writing the sample data needs the optional package fit-tool, which is not "
            f"installed{other}; install it with: pip install 'runload[sample]'") from exc
    files = [p for p in Path(target).rglob("*") if p.is_file()]
    _say(f"sample data written to {target} ({len(files)} files)")
    return 0


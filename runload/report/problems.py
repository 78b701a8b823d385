"""The problems in the input files: their counts and the File problems section."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from ..columns import PROBLEM_KINDS
from ..io.ingest import conservation_line
from .format import _e, _plural, _table


def _problems_table(activities: pd.DataFrame | None, problems: pd.DataFrame | None):
    if problems is not None:
        return problems
    records = [] if activities is None else list(activities.attrs.get("problems") or [])
    return pd.DataFrame.from_records(records, columns=["source", "kind", "message", "salvaged"])


def _problem_counts(problems: pd.DataFrame, inventory: Mapping[str, int] | None
                    ) -> tuple[int, int, int]:
    """Files with problems, of them not read at all and read in part.

    From the inventory (``problem_files``: nothing kept; ``salvaged_files``: an
    activity file with problem rows, see ``docs/inputs.md``) when it has them, else
    from the problems table (a file is read in part when one of its rows is salvaged).
    """
    if inventory and "problem_files" in inventory and "salvaged_files" in inventory:
        bad, part = int(inventory["problem_files"]), int(inventory["salvaged_files"])
        return bad + part, bad, part
    if problems is None or len(problems) == 0:
        return 0, 0, 0
    salvaged = problems.assign(_s=problems["salvaged"].eq(True) if "salvaged" in problems
                               else False).groupby("source")["_s"].any()
    part = int(salvaged.sum())
    return len(salvaged), len(salvaged) - part, part


def _problem_words(problems: pd.DataFrame, inventory: Mapping[str, int] | None) -> tuple[str, str]:
    """("2", "files with problems (1 not read, 1 read in part)") for a summary card."""
    total, bad, part = _problem_counts(problems, inventory)
    label = ("file" if total == 1 else "files") + " with problems"
    if total:
        label += f" ({bad} not read, {part} read in part)"
    return f"{total:,}", label


def _problems_section(problems: pd.DataFrame, inventory: Mapping[str, int] | None) -> str:
    head = '<section id="problems"><h2>Problems in the input files</h2>'
    conservation = ""
    if inventory:
        conservation = f"<p>{_e(conservation_line(inventory))}</p>"
    if problems is None or len(problems) == 0:
        return head + conservation + "<p>Every file was read in full.</p></section>"
    rows = [
        [
            f"<code>{_e(r.get('source'))}</code>",
            f'<span title="{_e(PROBLEM_KINDS.get(str(r.get("kind")), ""))}">{_e(r.get("kind"))}</span>',
            _e(r.get("message")),
            "yes" if r.get("salvaged") is True else "no",
        ]
        for r in problems.to_dict("records")
    ]
    total, bad, part = _problem_counts(problems, inventory)
    return (head + conservation
            + f"<p>{_plural(total, 'file')} could not be read in full: {bad} not read at all "
              f"(problem {'file' if bad == 1 else 'files'}), {part} read in part (the part "
              "before the problem was kept and used). “Kept” says which.</p>"
            + _table(["file", "problem", "details", "kept"], rows) + "</section>")

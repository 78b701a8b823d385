"""The small formatting helpers of the report pages.

Escaped text, numbers, distances, percentages and dates as table cells (a missing
value shows as a dash), plurals, the HTML table, and the figure embedded as a base64
PNG. Every other module of :mod:`runload.report` builds its HTML with these.
"""

from __future__ import annotations

import base64
import html
import io
import re
from collections.abc import Iterable, Sequence
from typing import Any

import pandas as pd

from ..columns import to_display
from ..errors import ParameterError

_DPI = 144  # sharp on desktop screens and on phones (the charts are 9 inches wide)
_MISSING = "–"


def _e(value: Any) -> str:
    """Escaped text of a value; missing values as a dash."""
    if value is None or (not isinstance(value, str) and pd.api.types.is_scalar(value)
                         and pd.isna(value)):
        return _MISSING
    return html.escape(str(value), quote=True)


def _num(value: Any, fmt: str = "{:.1f}") -> str:
    if value is None or pd.isna(value):
        return _MISSING
    return fmt.format(value)


def _dist(meters: Any, units: str, digits: int = 1) -> str:
    if meters is None or pd.isna(meters):
        return _MISSING
    return f"{float(to_display(float(meters), units)):.{digits}f}"


def _pct(value: Any, signed: bool = True) -> str:
    if value is None or pd.isna(value):
        return _MISSING
    return f"{value:+.1f}%" if signed else f"{value:.1f}%"


def _date(value: Any) -> str:
    if value is None or pd.isna(value):
        return _MISSING
    return pd.Timestamp(value).strftime("%Y-%m-%d")


def _dcell(value: Any) -> str:
    """A date that does not wrap in a table cell."""
    return f'<span class="nowrap">{_date(value)}</span>'


def _is_one(value: Any) -> bool:
    """Whether a count (possibly missing) is exactly one, for singular words."""
    return value is not None and not pd.isna(value) and value == 1


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else (plural or word + 's')}"


def _table(headers: Sequence[str], rows: Iterable[Sequence[str]], *, numeric: Iterable[int] = (),
           caption: str | None = None, table_id: str | None = None, stack: bool = False) -> str:
    """An HTML table from already-escaped cells, wrapped to scroll sideways on phones.

    With ``stack=True`` each row becomes a small card on narrow screens (every cell
    labelled with its column name), for tables too wide for a phone.
    """
    numeric = set(numeric)
    labels = [html.escape(re.sub(r"<[^>]+>", "", h), quote=True) for h in headers]
    head = "".join(
        f'<th scope="col"{" class=num" if i in numeric else ""}>{h}</th>'
        for i, h in enumerate(headers)
    )
    wrap = "<span>{}</span>" if stack else "{}"  # one flex item per cell on phones
    body = "".join(
        "<tr>" + "".join(
            f'<td{" class=num" if i in numeric else ""} data-label="{labels[i]}">'
            + wrap.format(cell) + "</td>"
            for i, cell in enumerate(row)
        ) + "</tr>"
        for row in rows
    )
    cap = f"<caption class=note>{caption}</caption>" if caption else ""
    attrs = (f' id="{table_id}"' if table_id else "") + (' class="stack"' if stack else "")
    return (f'<div class="scroll"><table{attrs}>{cap}<thead><tr>{head}</tr></thead>'
            f"<tbody>{body}</tbody></table></div>")


def _figure(fig, alt: str, caption: str, *, wide: bool = False) -> str:
    """Embed a matplotlib Figure as a base64 PNG ``<figure>``.

    A ``wide`` figure keeps a readable width on phones and scrolls sideways in its box.
    """
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=_DPI, bbox_inches="tight", facecolor="white")
    data = buffer.getvalue()
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    uri = "data:image/png;base64," + base64.b64encode(data).decode("ascii")
    klass = ' class="wide"' if wide else ""
    return (f'<figure{klass}><div class="scroll"><img src="{uri}" alt="{_e(alt)}" '
            f'width="{width}" height="{height}" loading="eager"></div>'
            f"<figcaption>{caption}</figcaption></figure>")


def _new_figure(width: float = 9.0, height: float = 3.8):
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height))
    return fig, fig.subplots()


def _check_units(units: str) -> None:
    if units not in ("km", "mi"):
        raise ParameterError(f"units must be 'km' or 'mi', got {units!r}")

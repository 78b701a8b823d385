"""Reading the small CSV logs a runner keeps by hand (pain log, habits log).

Shared by :mod:`runload.pain` and :mod:`runload.habits`: decoding (UTF-8 with or
without BOM, UTF-16, a Windows-1252/Latin-1 fallback with a warning), the separator
(``,`` ``;`` or tab, as European spreadsheets write them), blank lines and trailing
empty columns, and line-precise parsing of dates (ISO, ``DD.MM.YYYY``, Excel serials;
ambiguous ``03/04/2024`` refused), numbers (decimal commas) and text. Every problem is
a :class:`runload.errors.PainLogError` naming file, line and column; the habits reader
re-raises them as :class:`runload.errors.HabitsLogError`.
"""

from __future__ import annotations

import csv
import io
import os
import re
import warnings
from collections.abc import Iterable

import numpy as np
import pandas as pd

from .errors import PainLogError, ParameterError, RunloadWarning

__all__ = [
    "load_rows",
    "read_bytes",
    "decode",
    "sniff_delimiter",
    "drop_blank_columns",
    "norm",
    "as_table",
    "select_athlete",
    "drop_duplicates",
    "fail",
    "parse_dates",
    "parse_number",
    "text_column",
]

_EXCEL_EPOCH = pd.Timestamp("1899-12-30")
_EXCEL_SERIAL = re.compile(r"^\d{5}(\.0*)?$")  # 10000..99999: 1927-05-18 .. 2173-10-14
_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%d.%m.%Y", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S")
_AMBIGUOUS = re.compile(r"^\d{1,2}[/-]\d{1,2}[/-]\d{2,4}$")
#: Largest log file read, bytes: a hand-kept log is kilobytes; a bigger file is the wrong
#: file, and refusing it keeps a multi-gigabyte one from being read into memory.
MAX_LOG_BYTES = 64 * 2**20
_NS_MIN, _NS_MAX = pd.Timestamp.min, pd.Timestamp.max


def load_rows(path_or_buffer, encoding):
    """Return (source, header, rows, line numbers); header None for an empty log."""
    if isinstance(path_or_buffer, pd.DataFrame):
        frame = path_or_buffer
        header = [str(c) for c in frame.columns]
        values = frame.astype(object).where(frame.notna(), "").astype(str)
        rows = values.to_numpy().tolist()
        return "<DataFrame>", (header or None), rows, list(range(2, len(rows) + 2))
    source, raw = read_bytes(path_or_buffer)
    text = raw if isinstance(raw, str) else decode(raw, encoding, source)
    text = text.lstrip("\ufeff")
    lines_text = text.splitlines()
    first = next((ln for ln in lines_text if ln.strip()), None)
    if first is None:
        return source, None, [], []
    delimiter = sniff_delimiter(first)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header, rows, lines = None, [], []
    try:
        for fields in reader:
            if not any(f.strip() for f in fields):
                continue
            if header is None:
                header = fields
            else:
                rows.append(fields)
                lines.append(reader.line_num)
    except csv.Error as exc:
        raise PainLogError(f"not a readable CSV: {exc}", source=source, line=reader.line_num) from exc
    return source, header, rows, lines


def read_bytes(path_or_buffer):
    if isinstance(path_or_buffer, (str, os.PathLike)):
        source = os.fspath(path_or_buffer)
        try:
            with open(source, "rb") as fh:
                return source, _capped(fh.read(MAX_LOG_BYTES + 1), source)
        except OSError as exc:
            raise PainLogError(f"cannot open the pain log: {exc.strerror or exc}", source=source) from exc
    if hasattr(path_or_buffer, "read"):
        source = str(getattr(path_or_buffer, "name", "<buffer>"))
        return source, _capped(path_or_buffer.read(MAX_LOG_BYTES + 1), source)
    raise ParameterError(
        f"a log must be a path, a file-like object or a DataFrame, got {type(path_or_buffer).__name__}"
    )


def _capped(raw, source: str):
    if len(raw) > MAX_LOG_BYTES:
        raise PainLogError(
            f"the file is larger than {MAX_LOG_BYTES // 2**20} MiB; a log kept by hand is "
            "far smaller: is it the right file?", source=source)
    return raw


def decode(raw: bytes, encoding: str | None, source: str) -> str:
    if encoding is not None:
        try:
            return raw.decode(encoding)
        except (UnicodeDecodeError, LookupError) as exc:
            raise PainLogError(f"cannot decode the file as {encoding}: {exc}", source=source) from exc
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise PainLogError(
                f"the file starts like UTF-16 but is not valid UTF-16 ({exc.reason} at byte "
                f"{exc.start}); save it as UTF-8", source=source) from exc
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        warnings.warn(
            f"{source}: line {line} is not UTF-8; the file was read as Windows-1252/Latin-1 "
            "(save it as UTF-8, or pass encoding=, to be sure)",
            RunloadWarning,
            stacklevel=4,
        )
        try:
            return raw.decode("cp1252")
        except UnicodeDecodeError:
            return raw.decode("latin-1")


def sniff_delimiter(header_line: str) -> str:
    counts = {sep: header_line.count(sep) for sep in (",", ";", "\t")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def drop_blank_columns(header: list[str], rows: list[list[str]]):
    """Drop trailing header cells that are empty in the header and every row.

    Spreadsheets often save a separator after the last column (``onset;end;``).
    """
    keep = len(header)
    while keep and not header[keep - 1].strip() and not any(
        len(r) >= keep and r[keep - 1].strip() for r in rows
    ):
        keep -= 1
    if keep == len(header):
        return header, rows
    return header[:keep], [r[:keep] if len(r) > keep else r for r in rows]


def norm(name: str) -> str:
    return re.sub(r"\s+", "_", str(name).strip().lower())


def as_table(header, rows, lines, source) -> pd.DataFrame:
    width = len(header)
    for fields, line in zip(rows, lines, strict=True):
        if len(fields) != width and not (len(fields) > width and not any(f.strip() for f in fields[width:])):
            raise PainLogError(
                f"expected {width} fields as in the header, found {len(fields)}", source=source, line=line
            )
    data = [[f.strip() for f in fields[:width]] + [""] * (width - len(fields)) for fields in rows]
    table = pd.DataFrame(data, columns=[norm(h) for h in header], dtype="str")
    table["_line"] = np.asarray(lines, dtype="int64")
    return table


def select_athlete(table: pd.DataFrame, athlete, source) -> pd.DataFrame:
    if "athlete" not in table.columns:
        table = table.assign(athlete=athlete if athlete is not None else "")
        return table
    if athlete is None:
        return table
    kept = table.loc[table["athlete"] == str(athlete)]
    if kept.empty:
        raise PainLogError(f"no rows for athlete {athlete!r}", source=source, column="athlete")
    return kept


def drop_duplicates(table: pd.DataFrame, source) -> pd.DataFrame:
    fields = [c for c in table.columns if c != "_line"]
    dup = table.duplicated(subset=fields, keep="first")
    if dup.any():
        lines = ", ".join(str(x) for x in table.loc[dup, "_line"].head(10))
        warnings.warn(f"{source}: duplicate rows dropped (lines {lines})", RunloadWarning, stacklevel=3)
    return table.loc[~dup]


def fail(mask: pd.Series, table: pd.DataFrame, source, column, message) -> None:
    if mask.any():
        first = mask.idxmax()
        value = table.at[first, column] if column in table.columns else ""
        raise PainLogError(
            message.format(value=value), source=source, line=int(table.at[first, "_line"]), column=column
        )


def parse_dates(table, column, source, today, date_format, *, required) -> pd.Series:
    text = table[column].astype("str").str.strip()
    blank = text.eq("")
    if required:
        fail(blank, table, source, column, "missing date")
    parsed = pd.Series(pd.NaT, index=table.index, dtype="datetime64[ns]")
    serial = text.str.fullmatch(_EXCEL_SERIAL.pattern)
    if serial.any():
        days = pd.to_numeric(text.where(serial), errors="coerce")
        parsed = parsed.mask(serial, _EXCEL_EPOCH + pd.to_timedelta(days, unit="D"))
    formats: Iterable[str] = (date_format,) if date_format else _DATE_FORMATS
    for fmt in formats:
        todo = parsed.isna() & ~blank
        if not todo.any():
            break
        attempt = pd.to_datetime(text.where(todo), format=fmt, errors="coerce")
        # years before 1678 or after 2261 parse, but do not fit nanoseconds
        late = attempt > _NS_MAX
        fail(late, table, source, column, "date {value!r} is in the future")
        fail(attempt < _NS_MIN, table, source, column,
             "date {value!r} is before 1678: check the year")
        parsed = parsed.fillna(attempt.astype("datetime64[ns]"))
    bad = parsed.isna() & ~blank
    if date_format is None:
        ambiguous = bad & text.str.fullmatch(_AMBIGUOUS.pattern)
        fail(
            ambiguous, table, source, column,
            "ambiguous date {value!r} (day/month or month/day?); write YYYY-MM-DD or pass date_format=",
        )
    fail(bad, table, source, column, "unparseable date {value!r}; write dates as YYYY-MM-DD")
    parsed = parsed.dt.normalize()
    fail(parsed > today, table, source, column, "date {value!r} is in the future")
    return parsed


def parse_number(table, column, source, *, low, high, what) -> pd.Series:
    if column not in table.columns:
        return pd.Series(np.nan, index=table.index, dtype="float64")
    text = table[column].astype("str").str.strip().str.replace(",", ".", regex=False)
    number = pd.to_numeric(text.where(text.ne("")), errors="coerce").astype("float64")
    fail(number.isna() & text.ne(""), table, source, column, f"{what} {{value!r}} is not a number")
    outside = (number < low) | (number > high)
    limits = f"{low:g}-{high:g}" if np.isfinite(high) else f">= {low:g}"
    fail(outside, table, source, column, f"{what} {{value!r}} is outside {limits}")
    return number


def text_column(table, column) -> pd.Series:
    if column not in table.columns:
        return pd.Series(pd.NA, index=table.index, dtype="string")
    values = table[column].astype("string").str.strip()
    return values.mask(values.eq(""))

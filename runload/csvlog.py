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

import calendar
import csv
import io
import os
import re
import stat
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
    "why_not_a_date",
    "parse_number",
    "text_column",
]

_EXCEL_EPOCH = pd.Timestamp("1899-12-30")
_EXCEL_SERIAL = re.compile(r"^\d{5}(\.0*)?$")  # 10000..99999: 1927-05-18 .. 2173-10-14
_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%d.%m.%Y", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S")
_AMBIGUOUS = re.compile(r"^\d{1,2}[/-]\d{1,2}[/-]\d{2,4}$")
# Dates written in an accepted form, read for why they are no date (month 13, 31 June).
_YMD = re.compile(r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?")
_DMY = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})")
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
    """Return (source, raw bytes or text) of a log path or an open buffer.

    A path must name a regular file of at most :data:`MAX_LOG_BYTES`: a folder, a named
    pipe, a socket or a device (``/dev/zero``, ``/dev/null``) is refused with a
    :class:`~runload.errors.PainLogError` before anything is read, and never blocks (the
    file is opened non-blocking and checked with ``fstat`` on the open descriptor, so a
    path swapped for a pipe after a check cannot block either). An open buffer is read
    as given, up to the same cap.
    """
    if isinstance(path_or_buffer, (str, os.PathLike)):
        source = os.fspath(path_or_buffer)
        return source, _read_regular_file(source)
    if hasattr(path_or_buffer, "read"):
        source = str(getattr(path_or_buffer, "name", "<buffer>"))
        return source, _capped(path_or_buffer.read(MAX_LOG_BYTES + 1), source)
    raise ParameterError(
        f"a log must be a path, a file-like object or a DataFrame, got {type(path_or_buffer).__name__}"
    )


#: Flags for opening a log: non-blocking, so opening a named pipe without a writer returns
#: at once (the descriptor is then refused as not a regular file); never a controlling
#: terminal; binary on Windows (where the first two do not exist).
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_OPEN_FLAGS = os.O_RDONLY | _NONBLOCK | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)


def _not_regular(mode: int) -> str | None:
    """What a file of ``st_mode`` is, in words, when it is not a regular file."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "a folder, not a file"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO), not a regular file"
    if stat.S_ISSOCK(mode):
        return "a socket, not a regular file"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device, not a regular file"
    return "not a regular file"


def _refuse_special(what: str, source: str) -> PainLogError:
    return PainLogError(f"{what}; a pain log must be a CSV file on disk: not read", source=source)


def _read_regular_file(source: str) -> bytes:
    """The bytes of the regular file ``source``, refused when special or too large."""
    try:
        fd = os.open(source, _OPEN_FLAGS)
    except OSError as exc:
        try:  # a socket cannot be opened at all: say what it is
            what = _not_regular(os.stat(source).st_mode)
        except OSError:
            what = None
        if what is not None:
            raise _refuse_special(what, source) from exc
        raise PainLogError(f"cannot open the pain log: {exc.strerror or exc}", source=source) from exc
    try:
        info = os.fstat(fd)
        what = _not_regular(info.st_mode)
        if what is not None:
            raise _refuse_special(what, source)
        _capped_size(info.st_size, source)
        if _NONBLOCK:  # a regular file: read it plainly
            os.set_blocking(fd, True)
        with os.fdopen(fd, "rb") as fh:
            fd = -1  # closed by the file object from here on
            return _capped(fh.read(MAX_LOG_BYTES + 1), source)
    except OSError as exc:
        raise PainLogError(f"cannot read the pain log: {exc.strerror or exc}", source=source) from exc
    finally:
        if fd >= 0:
            os.close(fd)


def _capped_size(size: int, source: str) -> None:
    if size > MAX_LOG_BYTES:
        raise _too_large(source)


def _too_large(source: str) -> PainLogError:
    return PainLogError(
        f"the file is larger than {MAX_LOG_BYTES // 2**20} MiB; a log kept by hand is "
        "far smaller: is it the right file?", source=source)


def _capped(raw, source: str):
    if len(raw) > MAX_LOG_BYTES:
        raise _too_large(source)
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
        raise PainLogError(f"no rows for athlete {athlete!r}; {log_names(table['athlete'], athlete)}; "
                           f"{other_name_fix(table['athlete'])}",
                           source=source, column="athlete")
    return kept


def log_names(names, athlete=None) -> str:
    """``the log names only 'me'`` / ``the log names bea, gus (did you mean 'gus'?)``."""
    import difflib

    found = sorted({str(n).strip() for n in names if not pd.isna(n) and str(n).strip()})
    if not found:
        return "the log names no athlete"
    if len(found) == 1:
        return f"the log names only {found[0]!r}"
    shown = ", ".join(repr(n) for n in found[:10]) + (", ..." if len(found) > 10 else "")
    close = []
    if athlete is not None:
        lower = {n.lower(): n for n in found}
        close = difflib.get_close_matches(str(athlete).lower(), list(lower), n=1, cutoff=0.6)
        close = [lower[c] for c in close]
    return f"the log names {shown}" + (f" (did you mean {close[0]!r}?)" if close else "")


def other_name_fix(names) -> str:
    """How to read a log under the name it uses (Python and command line)."""
    found = sorted({str(n).strip() for n in names if not pd.isna(n) and str(n).strip()})
    name = found[0] if len(found) == 1 else "NAME"
    return (f"read the activities under the log's name (--athlete {name} on the command "
            f"line; athlete={name!r} in Python, for the activities and the log) or correct "
            "the athlete column")


def drop_duplicates(table: pd.DataFrame, source) -> pd.DataFrame:
    fields = [c for c in table.columns if c != "_line"]
    dup = table.duplicated(subset=fields, keep="first")
    if dup.any():
        lines = ", ".join(str(x) for x in table.loc[dup, "_line"].head(10))
        what = "a duplicate row dropped (line" if int(dup.sum()) == 1 else \
            f"{int(dup.sum())} duplicate rows dropped (lines"
        warnings.warn(f"{source}: {what} {lines})", RunloadWarning, stacklevel=3)
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
    if bad.any():
        first = bad.idxmax()
        raise PainLogError(
            why_not_a_date(str(table.at[first, column]).strip(), date_format),
            source=source, line=int(table.at[first, "_line"]), column=column,
        )
    parsed = parsed.dt.normalize()
    fail(parsed > today, table, source, column, "date {value!r} is in the future")
    return parsed


def why_not_a_date(value: str, date_format: str | None = None) -> str:
    """Why ``value`` is not a date, in one sentence that says how to write it.

    Parameters
    ----------
    value : str
        The cell, stripped.
    date_format : str, optional
        The :func:`~datetime.datetime.strptime` format the dates were read with, if one
        was given.

    Returns
    -------
    str
        ``no such date '2026-06-31': June has 30 days`` for a date written the right way
        that does not exist (month 13, day 31 of a 30-day month, 29 February of a common
        year); ``ambiguous date '03/04/2024' ...`` for a day/month order that cannot be
        told, with the format to give (``date_format=`` in Python, ``--date-format`` on
        the command line); else ``unparseable date ...; write dates as YYYY-MM-DD`` (or,
        with ``date_format``, that the value does not match it).
    """
    if date_format:
        return (f"date {value!r} does not match the date format {date_format!r}; write every "
                "date of the log in that format")
    ymd, dmy = _YMD.fullmatch(value), _DMY.fullmatch(value)
    if ymd or dmy:
        if ymd:
            form, (year, month, day) = "YYYY-MM-DD", (int(g) for g in ymd.groups())
        else:
            form, (day, month, year) = "DD.MM.YYYY", (int(g) for g in dmy.groups())
        if not 1 <= month <= 12:
            return (f"no such date {value!r}: month {month} (read as {form}, month second; "
                    "months run 1-12)")
        leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
        days = (31, 29 if leap else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)[month - 1]
        if day == 0:
            return f"no such date {value!r}: day 0 (read as {form}; days start at 1)"
        if day > days:
            name = calendar.month_name[month]
            when = f"{name} {year}" if month == 2 else name
            return f"no such date {value!r}: {when} has {days} days"
    ambiguous = _AMBIGUOUS.fullmatch(value)
    if ambiguous:
        sep = "/" if "/" in value else "-"
        year = "%Y" if len(re.split(r"[/-]", value)[-1]) == 4 else "%y"
        month_first = f"%m{sep}%d{sep}{year}"
        return (f"ambiguous date {value!r} (day/month or month/day?); write YYYY-MM-DD, or "
                f"give the order: date_format={month_first!r} (month first) in Python, "
                f"--date-format {month_first!r} on the command line")
    return f"unparseable date {value!r}; write dates as YYYY-MM-DD"


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

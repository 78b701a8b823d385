"""The pain log (and the habits log, which shares its CSV reading) against real-world mess.

Spreadsheets from anywhere: byte-order marks, UTF-16 "Unicode text" exports, Latin-1,
``;`` separators with decimal commas, tabs, CR-only line ends, Excel date serials, blank
and separator-only lines, duplicate rows, future and far-out dates, NUL bytes, files of
gigabytes. Every outcome is episodes or a :class:`runload.errors.PainLogError` naming the
line and column — never another exception. ``test_pain.py`` has the basic cases; here
they are crossed (the same log in every spelling gives the same episodes) and fuzzed.
"""

from __future__ import annotations

import io
import warnings

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from runload import read_pain_log
from runload.csvlog import MAX_LOG_BYTES
from runload.errors import HabitsLogError, PainLogError, RunloadWarning
from runload.habits import read_habits_log

TODAY = "2024-12-31"
ROWS = [("2024-03-04", "2024-03-10", "6.5", "lower back"),
        ("2024-06-01", "", "3", "left side"),
        ("2024-09-15", "2024-09-16", "7", "")]
EXPECTED = pd.DataFrame({
    "onset": pd.to_datetime(["2024-03-04", "2024-06-01", "2024-09-15"]).as_unit("ns"),
    "end": pd.to_datetime(["2024-03-10", None, "2024-09-16"]).as_unit("ns"),
    "max_severity": [6.5, 3.0, 7.0],
})


def spelled(*, sep: str = ",", decimal: str = ".", newline: str = "\n",
            dates: str = "iso", blank_lines: bool = False, quote: bool = False) -> str:
    """The ROWS log in one spreadsheet's spelling."""
    def date(text: str) -> str:
        if not text:
            return ""
        stamp = pd.Timestamp(text)
        if dates == "dotted":
            return stamp.strftime("%d.%m.%Y")
        if dates == "excel":
            return str((stamp - pd.Timestamp("1899-12-30")).days)
        return text

    lines = [sep.join(["onset", "end", "severity", "location"])]
    for onset, end, severity, where in ROWS:
        severity = severity.replace(".", decimal)
        if quote:
            severity = f'"{severity}"'
        lines.append(sep.join([date(onset), date(end), severity, where]))
        if blank_lines:
            lines.append(sep * 3 if sep != "," else "")
    return newline.join(lines) + newline


def episodes_of(data, **options) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RunloadWarning)
        got = read_pain_log(data, today=TODAY, **options)
    return got[["onset", "end", "max_severity"]]


# --- one log, every spelling -----------------------------------------------------------------

SPELLINGS = {
    "comma": {},
    "semicolon_decimal_comma": {"sep": ";", "decimal": ","},
    "tab_decimal_comma": {"sep": "\t", "decimal": ","},
    "quoted_decimal_comma": {"decimal": ",", "quote": True},
    "crlf_blank_lines": {"newline": "\r\n", "blank_lines": True},
    "cr_only": {"newline": "\r"},
    "dotted_dates": {"sep": ";", "decimal": ",", "dates": "dotted"},
    "excel_serials": {"sep": ";", "dates": "excel", "blank_lines": True},
}
ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "utf-16-be-bom", "latin-1", "cp1252"]


def encoded(text: str, encoding: str) -> bytes:
    if encoding == "utf-16-be-bom":
        return b"\xfe\xff" + text.encode("utf-16-be")
    return text.encode(encoding)


@pytest.mark.parametrize("spelling", sorted(SPELLINGS))
@pytest.mark.parametrize("encoding", ENCODINGS)
def test_every_spelling_and_encoding_gives_the_same_episodes(spelling, encoding):
    data = encoded(spelled(**SPELLINGS[spelling]), encoding)
    got = episodes_of(io.BytesIO(data), min_gap_days=0)
    pd.testing.assert_frame_equal(got.reset_index(drop=True), EXPECTED, check_dtype=False)


def test_latin1_umlauts_are_read_with_a_warning_naming_the_line(tmp_path):
    path = tmp_path / "pain.csv"
    path.write_bytes("onset;severity;notes\n2024-03-04;5;Rücken\n2024-05-04;4;Kreuz\n"
                     .encode("latin-1"))
    with pytest.warns(RunloadWarning, match="line 2 is not UTF-8"):
        got = read_pain_log(path, today=TODAY)
    assert got["notes"].tolist() == ["Rücken", "Kreuz"]


def test_wrong_explicit_encoding_is_a_pain_log_error():
    with pytest.raises(PainLogError, match="cannot decode the file as utf-8"):
        read_pain_log(io.BytesIO("onset\n2024-01-01 é\n".encode("latin-1")), encoding="utf-8",
                      today=TODAY)
    with pytest.raises(PainLogError, match="cannot decode"):
        read_pain_log(io.BytesIO(b"onset\n"), encoding="no-such-codec", today=TODAY)


@pytest.mark.parametrize("data", [
    b"\xff\xfe\x00\x00o\x00n\x00s",  # odd length after a UTF-16 BOM
    b"\xff\xfeo\x00\x00\xd8n\x00",  # a lone surrogate
    b"\xfe\xff\x00o\x00",
], ids=["odd-length", "surrogate", "be-odd"])
def test_broken_utf16_is_a_pain_log_error(data):
    with pytest.raises(PainLogError, match="UTF-16"):
        read_pain_log(io.BytesIO(data), today=TODAY)
    with pytest.raises(HabitsLogError, match="UTF-16"):
        read_habits_log(io.BytesIO(data), today=TODAY)


# --- dates -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "message"), [
    ("2025-01-01", "in the future"),
    ("3024-07-15", "in the future"),
    ("9999-12-31", "in the future"),
    ("31.12.9999", "in the future"),
    ("99999", "in the future"),  # an Excel serial in 2173
    ("1066-10-14", "before 1678"),
    ("0001-01-01", "before 1678"),
    ("2024-02-30", "no such date .2024-02-30.: February 2024 has 29 days"),
    ("2024-13-01", "no such date .2024-13-01.: month 13"),
    ("03/04/2024", "ambiguous date"),
    ("100000", "unparseable date"),
    ("45355.5", "unparseable date"),
], ids=lambda v: str(v))
def test_impossible_dates_name_line_and_column(value, message):
    text = f"onset,end,severity\n2024-03-04,,5\n{value},,3\n"
    with pytest.raises(PainLogError, match=message) as info:
        read_pain_log(io.StringIO(text), today=TODAY)
    assert (info.value.line, info.value.column) == (3, "onset")
    diary = f"date;severity\n04.03.2024;5\n{value};3\n"
    with pytest.raises(PainLogError) as info:
        read_pain_log(io.StringIO(diary), today=TODAY)
    assert (info.value.line, info.value.column) == (3, "date")


def test_future_end_date_is_refused_too():
    with pytest.raises(PainLogError, match="in the future") as info:
        read_pain_log(io.StringIO("onset,end\n2024-12-01,2025-02-01\n"), today=TODAY)
    assert info.value.column == "end"


def test_today_is_allowed_and_tomorrow_is_not():
    got = read_pain_log(io.StringIO("date,severity\n2024-12-31,4\n"), today=TODAY)
    assert got["onset"].tolist() == [pd.Timestamp(TODAY)]
    with pytest.raises(PainLogError, match="future"):
        read_pain_log(io.StringIO("date,severity\n2025-01-01,4\n"), today=TODAY)


def test_excel_serial_with_decimal_zero_and_dates_with_times():
    got = episodes_of(io.StringIO("onset,end\n45355.0,2024-03-10T18:30:00\n"))
    assert got["onset"].tolist() == [pd.Timestamp("2024-03-04")]
    assert got["end"].tolist() == [pd.Timestamp("2024-03-10")]  # the day, not the time


# --- rows ------------------------------------------------------------------------------------


def test_exact_duplicate_rows_are_dropped_with_their_lines():
    text = spelled() + "2024-03-04,2024-03-10,6.5,lower back\n"
    with pytest.warns(RunloadWarning, match=r"a duplicate row dropped \(line 5\)"):
        got = read_pain_log(io.StringIO(text), today=TODAY, min_gap_days=0)
    assert len(got) == 3


def test_duplicate_after_whitespace_is_still_a_duplicate():
    text = spelled() + " 2024-03-04 , 2024-03-10 ,6.5,lower back \n"
    with pytest.warns(RunloadWarning, match="a duplicate row dropped"):
        got = read_pain_log(io.StringIO(text), today=TODAY, min_gap_days=0)
    assert len(got) == 3


def test_diary_day_rated_twice_differently_names_both_lines():
    text = "date,severity\n2024-03-04,5\n2024-03-05,3\n2024-03-04,6\n"
    with pytest.raises(PainLogError, match=r"rated twice \(also on line 2\)") as info:
        read_pain_log(io.StringIO(text), today=TODAY)
    assert info.value.line == 4


def test_only_blank_and_separator_lines_is_an_empty_log():
    with pytest.warns(RunloadWarning, match="empty"):
        got = read_pain_log(io.StringIO("\n\n;;;\n \n"), today=TODAY)
    assert len(got) == 0


def test_nul_bytes_are_an_error_or_text_never_a_crash():
    for data in (b"onset,severity\n2024-03-04,5\x00\n", b"\x00" * 100, b"onset\x00,x\n1,2\n"):
        try:
            read_pain_log(io.BytesIO(data), today=TODAY)
        except PainLogError as exc:
            assert exc.source == "<buffer>"


def test_a_log_larger_than_the_limit_is_refused_before_it_is_read(tmp_path):
    path = tmp_path / "pain.csv"
    with open(path, "wb") as fh:
        fh.write(b"onset,severity\n")
        fh.truncate(MAX_LOG_BYTES + 10)  # sparse: costs no disk
    with pytest.raises(PainLogError, match="larger than 64 MiB"):
        read_pain_log(path, today=TODAY)
    with pytest.raises(HabitsLogError, match="larger than 64 MiB"):
        read_habits_log(path, today=TODAY)


# --- fuzz ------------------------------------------------------------------------------------

CELLS = st.sampled_from([
    "2024-03-04", "04.03.2024", "45355", "45355.0", "3024-01-01", "1066-01-01", "2024-02-30",
    "03/04/2024", "", " ", "5", "5,5", "6.5", "-1", "11", "nan", "inf", "1e309", "x", '"',
    '""', "é", "\x00", "lower back", "strength", "sleep", "25", "athlete", "onset", "date",
])
HEADERS = st.sampled_from([
    ["onset", "end", "severity", "location"], ["date", "severity", "notes"],
    ["athlete", "date", "severity"], ["onset"], ["date", "kind", "minutes", "value"],
    ["onset", "date"], ["Onset ", "SEVERITY"], ["onset", "onset"], ["x"],
])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(header=HEADERS, rows=st.lists(st.lists(CELLS, min_size=0, max_size=6), max_size=8),
       sep=st.sampled_from([",", ";", "\t"]), newline=st.sampled_from(["\n", "\r\n", "\r"]),
       encoding=st.sampled_from(ENCODINGS))
def test_generated_logs_give_episodes_or_a_log_error(header, rows, sep, newline, encoding):
    text = newline.join(sep.join(r) for r in [header, *rows]) + newline
    try:
        data = encoded(text, encoding)
    except UnicodeEncodeError:
        data = text.encode("utf-8")
    for reader, error in ((read_pain_log, PainLogError), (read_habits_log, HabitsLogError)):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RunloadWarning)
            try:
                got = reader(io.BytesIO(data), today=TODAY)
            except error as exc:
                assert exc.message and exc.source == "<buffer>"
            else:
                assert isinstance(got, pd.DataFrame)


@settings(max_examples=50, deadline=None)
@given(data=st.binary(max_size=400))
def test_random_bytes_give_episodes_or_a_log_error(data):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RunloadWarning)
        try:
            read_pain_log(io.BytesIO(data), today=TODAY)
        except PainLogError as exc:
            assert exc.message

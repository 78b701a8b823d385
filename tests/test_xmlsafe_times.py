"""Times by arrow (one strict ISO 8601 shape) equal the times pandas gives.

``times_ns`` and ``times_from_text`` are compared with ``_pandas_times``, the conversion
the readers used before the arrow path.

The arrow path reads only columns whose every text is ``YYYY-MM-DDThh:mm:ss[.f…]Z`` with
one fixed number of fraction digits; the values must be the reference's to the
nanosecond, and impossible fields (30 February, hour 24, second 60, years outside the
nanosecond range) must be refused by arrow and left to pandas.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from runload.io import xmlsafe
from runload.io.xmlsafe import flush_columns, times_from_text, times_ns


def _reference(values: list) -> np.ndarray:
    return np.asarray(xmlsafe._pandas_times(values).asi8, dtype=np.int64)


def _same(values: list) -> bool:
    """times_ns and times_from_text give the reference (values, dtype, no frequency)."""
    index = times_from_text(values)
    expected = xmlsafe._pandas_times(values)
    return (np.array_equal(times_ns(values), expected.asi8) and index.equals(expected)
            and index.dtype == expected.dtype and index.freq is None)


_FIELD = st.integers(0, 99).map(lambda v: f"{v:02d}")


@st.composite
def _strict_text(draw, digits: int):
    """Texts of the strict shape, most of them real instants, some impossible."""
    if draw(st.integers(0, 4)):
        moment = draw(st.datetimes(min_value=dt.datetime(1600, 1, 1),
                                   max_value=dt.datetime(2300, 12, 31)))
        head = moment.strftime("%Y-%m-%dT%H:%M:%S")
        head = f"{moment.year:04d}{head[head.index('-'):]}"
    else:  # any two-digit fields: month 13, day 31 in April, hour 24, second 60, ...
        year = draw(st.integers(0, 9999))
        head = (f"{year:04d}-{draw(_FIELD)}-{draw(_FIELD)}T{draw(_FIELD)}:{draw(_FIELD)}:"
                f"{draw(_FIELD)}")
    fraction = "".join(draw(st.lists(st.sampled_from("0123456789"), min_size=digits,
                                     max_size=digits)))
    return head + ("." + fraction if digits else "") + "Z"


@st.composite
def _column(draw):
    digits = draw(st.sampled_from([0, 1, 3, 6, 7, 9]))
    return draw(st.lists(st.one_of(_strict_text(digits), st.none()), min_size=1, max_size=30))


@settings(max_examples=250, deadline=None)
@given(values=_column())
def test_strict_columns_equal_the_reference(values):
    assert _same(values)


_ODD = ["", " 2024-03-04T07:00:00Z", "2024-03-04T07:00:00Z ", "2024-03-04 07:00:00Z",
        "2024-03-04T07:00:00", "2024-03-04T07:00:00+02:00", "2024-03-04T07:00Z",
        "2024-03-04T07:00:00.Z", "2024-03-04T07:00:00.1234567891Z", "20240304T070000Z",
        "2024-3-4T07:00:00Z", "2024-03-04T07:00:60Z", "2024-03-04T24:00:00Z",
        "2023-02-29T00:00:00Z", "2024-02-29T00:00:00Z", "1901-12-13T20:45:52Z",
        "1677-09-21T00:00:00Z", "2262-04-12T00:00:00Z", "0024-01-01T00:00:00Z",
        "2999-01-01T00:00:00Z", "2024-03-04t07:00:00z", "٢٠٢٤-03-04T07:00:00Z", "junk", None]


@settings(max_examples=150, deadline=None)
@given(values=st.lists(st.one_of(st.sampled_from(_ODD), _strict_text(0), _strict_text(3)),
                       min_size=1, max_size=12))
def test_odd_columns_equal_the_reference(values):
    assert _same(values)


def test_the_arrow_path_is_taken_for_device_shapes():
    for text in ("2024-03-04T07:00:00Z", "2024-03-04T07:00:00.250Z",
                 "2014-01-16T18:48:44.340000Z", "1901-12-13T20:45:52.2073437Z"):
        column = [text, None, text]
        assert xmlsafe._arrow_times_ns(column) is not None
        assert _same(column)
    for column in (["2024-03-04T07:00:00Z", "2024-03-04T07:00:00.5Z"],  # mixed lengths
                   ["2024-02-30T07:00:00Z"], ["2024-03-04T07:00:00Z", ""], [None]):
        assert xmlsafe._arrow_times_ns(column) is None
        assert _same(column)


def test_flush_columns_uses_the_same_times():
    texts = {"t": ["2024-03-04T07:00:00Z", None, "1901-12-13T20:45:52Z", "2999-01-01T00:00:00Z"]}
    expected = _reference(texts["t"])
    numbers: dict[str, list] = {"t": []}
    flush_columns(texts, numbers, {"t": "time"})
    assert np.array_equal(numbers["t"][0], expected) and texts["t"] == []


# ---- the numpy digit path (short columns) --------------------------------------------
def _digits_agree(values: list) -> bool:
    """Where the digit path reads a column, arrow and pandas read the same instants."""
    got = xmlsafe._digit_times_ns(values)
    if got is None:
        return True
    arrow = xmlsafe._arrow_times_ns(values)
    return (got.dtype == np.int64 and arrow is not None and np.array_equal(got, arrow)
            and np.array_equal(got, _reference(values)))


@settings(max_examples=400, deadline=None)
@given(values=_column())
def test_digit_path_equals_arrow_and_pandas(values):
    assert _digits_agree(values)


@settings(max_examples=200, deadline=None)
@given(values=st.lists(st.one_of(st.sampled_from(_ODD), _strict_text(0), _strict_text(9)),
                       min_size=1, max_size=12))
def test_digit_path_on_odd_columns(values):
    assert _digits_agree(values)
    assert _same(values)


@settings(max_examples=300, deadline=None)
@given(moment=st.datetimes(min_value=dt.datetime(1678, 1, 1),
                           max_value=dt.datetime(2261, 12, 31, 23, 59, 59, 999999)),
       digits=st.integers(0, 9), nanos=st.integers(0, 999))
def test_digit_path_reads_every_instant_of_its_years(moment, digits, nanos):
    fraction = f"{moment.microsecond:06d}{nanos:03d}"[:digits]
    text = moment.strftime("%Y-%m-%dT%H:%M:%S") + ("." + fraction if digits else "") + "Z"
    got = xmlsafe._digit_times_ns([text, None, text])
    assert got is not None and np.array_equal(got, _reference([text, None, text]))


def test_digit_path_refuses_what_it_cannot_read_exactly():
    for column in (["2024-02-30T07:00:00Z"], ["2023-02-29T00:00:00Z"], ["2024-04-31T00:00:00Z"],
                   ["2024-13-01T00:00:00Z"], ["2024-00-01T00:00:00Z"], ["2024-01-00T00:00:00Z"],
                   ["2024-01-01T24:00:00Z"], ["2024-01-01T23:60:00Z"], ["2024-01-01T23:59:60Z"],
                   ["1677-12-31T23:59:59Z"], ["2262-01-01T00:00:00Z"], ["2024-03-04T07:00:00Z\0"],
                   ["2024-03-04T07:00:00Z", "2024-03-04T07:00:00\0"],
                   ["2024-03-04T07:00:00Z", "2024-03-04T07:00:00.5Z"], ["２024-03-04T07:00:00Z"],
                   ["2024-03-04T07:00:00Z", ""], [None], [None, None], [], [1, 2], ["x" * 20]):
        assert xmlsafe._digit_times_ns(column) is None, column
        if column and all(isinstance(v, str | None) for v in column):
            assert _same(column)


def test_short_columns_take_the_digit_path_long_ones_arrow(monkeypatch):
    text = "2024-03-04T07:00:00.250Z"
    short = [text] * xmlsafe._DIGITS_MAX
    assert xmlsafe._digit_times_ns(short) is not None
    calls = []
    monkeypatch.setattr(xmlsafe, "_arrow_times_ns",
                        lambda values: calls.append(len(values)) or None)
    times_ns(short)
    assert calls == []
    times_ns([*short, text])
    assert calls == [xmlsafe._DIGITS_MAX + 1]


@pytest.mark.parametrize("size", [0, 1, 5, 600])
def test_utc_index_is_the_public_construction(size):
    ns = np.arange(size, dtype=np.int64) * 1_000_000_007 + 1_700_000_000_000_000_000
    if size:
        ns[0] = np.iinfo(np.int64).min  # NaT
    got = xmlsafe._utc_index(ns.copy())
    want = pd.DatetimeIndex(ns.view("M8[ns]")).tz_localize("UTC")
    assert type(got) is type(want) and got.equals(want) and got.dtype == want.dtype
    assert got.tz == want.tz and type(got.tz) is type(want.tz)
    assert got.freq is None and got.name is None and got.unit == "ns"
    assert np.array_equal(got.asi8, want.asi8) and np.array_equal(got.isna(), want.isna())
    frame = pd.DataFrame({"time": got})
    assert frame["time"].equals(pd.DataFrame({"time": want})["time"])

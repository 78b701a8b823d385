"""``floats_from_text`` reads numbers exactly as before its arrow fast path.

The reference is the conversion the readers used before (``numpy.array(values,
dtype=float64)``, and :func:`pandas.to_numeric` with ``errors='coerce'`` for a column
holding junk). Arrow may take a column only when it gives the same bits (NaN sign
included), so results compare as int64 views.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from runload.io import xmlsafe
from runload.io.xmlsafe import floats_from_text


def _reference(values: list) -> np.ndarray:
    if not values or all(v is None for v in values):
        return np.full(len(values), np.nan)
    try:
        return np.array(values, dtype=np.float64)
    except (ValueError, TypeError):
        return pd.to_numeric(pd.Series(values, dtype=object), errors="coerce").to_numpy(
            dtype=np.float64, na_value=np.nan, copy=True)


def _same_bits(a: np.ndarray, b: np.ndarray) -> bool:
    return a.dtype == b.dtype == np.float64 and a.shape == b.shape and bool(
        (a.view(np.int64) == b.view(np.int64)).all())


ODD = [" 1", "1 ", "\n7\n", "+1", "-1", ".5", "1.", "-.5e-3", "1e5", "1E5", "1e+05", "nan",
       "NaN", "-nan", "+nan", "inf", "-inf", "Infinity", "-Infinity", "iNf", "1_0", "0x10",
       "", " ", "+", "-", ".", "e5", "1e", "1e+", "1.2.3", "--1", "+-1", "1d5", "1f",
       "00012", "-0", "+0.0", "1e5000", "-1e5000", "1e-400", "4.9e-324",
       "2.4703282292062328e-324", "2.2250738585072011e-308", "1.7976931348623157e308",
       "1.7976931348623159e308", "51.43788929097354412078857421875",
       "0." + "0" * 400 + "1", "9" * 400, "1" + "0" * 330, "٣", "1\u00a0", None]
_DIGITS = st.text(alphabet="0123456789", min_size=1, max_size=40)
_NUMBERISH = st.one_of(
    st.sampled_from(ODD),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.floats(allow_nan=False, allow_infinity=False).map(lambda x: f"{x:.17e}"),
    st.tuples(st.sampled_from(["", "+", "-"]), _DIGITS, st.sampled_from(["", "."]),
              st.sampled_from(["", "123", "5" * 30]),
              st.sampled_from(["", "e", "E", "e-", "e+"]),
              st.sampled_from(["", "0", "308", "309", "-324", "400"])).map("".join),
    st.text(alphabet="0123456789+-.eE_ x", max_size=12),
)


@settings(max_examples=400, deadline=None)
@given(values=st.lists(_NUMBERISH, max_size=20))
def test_arrow_gives_the_reference_bits_or_declines(values):
    fast = xmlsafe._arrow_floats(values)
    if fast is not None:
        assert _same_bits(fast, _reference(values))
        assert all(v is None or float(v) == f or (f != f and float(v) != float(v))
                   for v, f in zip(values, fast, strict=True))


@settings(max_examples=150, deadline=None)
@given(values=st.lists(_NUMBERISH, min_size=1, max_size=8), copies=st.integers(1, 200))
def test_long_columns_equal_the_reference(values, copies):
    column = values * copies  # long enough for the arrow path
    assert _same_bits(floats_from_text(column), _reference(column))


def test_every_odd_string_alone_and_among_plain_numbers():
    plain = [f"{i * 0.37:.6f}" for i in range(xmlsafe._ARROW_MIN)]
    for odd in ODD:
        for column in ([odd], [odd] * xmlsafe._ARROW_MIN, [*plain, odd], [odd, *plain]):
            assert _same_bits(floats_from_text(column), _reference(column)), odd


def test_the_arrow_path_is_taken_for_plain_columns_and_results_are_writable():
    column = [f"{i / 7:.9f}" for i in range(2000)]
    column[3] = None
    assert xmlsafe._arrow_floats(column) is not None
    out = floats_from_text(column)
    assert _same_bits(out, _reference(column)) and out.flags.writeable
    assert xmlsafe._arrow_floats(["nan", "1"]) is None  # nan/inf: numpy reads them
    assert xmlsafe._arrow_floats([None, None]) is None  # no strings

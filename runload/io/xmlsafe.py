"""Safe, streaming XML for the GPX and TCX readers.

Activity XML comes from anywhere (exports, e-mail, the web), so it is parsed as hostile:

* **No DTD.** Every DTD is refused, which refuses every XML bomb and external fetch that
  needs one: billion laughs (nested entity expansion), quadratic blow-up (one large
  entity repeated), external entities (``SYSTEM "file:///etc/passwd"``) and external
  DTDs (``<!DOCTYPE gpx SYSTEM "http://...">``). They raise
  :class:`runload.errors.UnsafeInputError` (kind ``unsafe``) before any of them is
  expanded or fetched. GPX and TCX never need a DTD (both are defined by XML Schema).
* **Streaming.** Elements come one at a time (``iterparse``); readers clear each one when
  they have taken its numbers, so memory stays flat on long tracks.
* **Malformed XML** raises :class:`runload.errors.ReadError` with kind ``malformed_xml``
  naming the line and column (counted in the file as given, before any stripping).

How the protection is enforced: defusedxml's parser (``forbid_dtd``, ``forbid_entities``,
``forbid_external``) reads the document up to the start of its root element
(:func:`prepare`). A document
type declaration, and so every entity declaration and external reference, can only stand
in the prolog before the root element (XML 1.0, production [22]), so once the root element
has started without a DTD the rest of the document cannot define or fetch anything: any
entity reference other than the five predefined ones is then a well-formedness error.
The body is streamed by the standard library's C-accelerated ``iterparse``, about twice as
fast as defusedxml's pure-Python tree builder.

Fast path (:mod:`runload.io.xmlfast`): after the same vetting, expat checks the whole document for
well-formedness in C with no Python callbacks (with namespace processing, as
``iterparse`` does), and a reader may then take numbers from the text with regular
expressions. It is used only where that is exact: UTF-8 (or ASCII) documents without
comments, CDATA sections or processing instructions after the prolog; everything else,
and every document that is not well-formed, goes to ``iterparse``, which also gives the
error message.

Texts to numbers (:func:`floats_from_text`, :func:`times_from_text`, :func:`times_ns`):
columns of plain decimal numbers, and of times in one strict ISO 8601 shape
(``2024-03-04T07:00:00.000Z``), are converted by pyarrow's casts, about twice as fast as
numpy and pandas; they are used only when a cheap byte check and arrow itself accept the
whole column, so the values are exactly those numpy/pandas give (property tests in
``tests/test_xmlsafe_floats.py`` and ``tests/test_xmlsafe_times.py``). Arrow's fixed
cost (about 0.1 ms a column) outweighs its gain on short columns: numbers of fewer than
512 texts go to numpy, and times of at most 512 texts in the strict shape are read by
numpy integer arithmetic on their digits (exact, and checked the same way). Other
columns take the numpy/pandas path unchanged. pyarrow is imported on first use.

Quirks handled: a UTF-8 byte-order mark and whitespace before ``<?xml`` (Strava and some
Garmin TCX files start with blank lines, which is not well-formed XML).

References
----------
.. [1] W3C (2008). Extensible Markup Language (XML) 1.0, 5th ed., sections 2.8 and 4.
.. [2] defusedxml documentation, "Attack vectors" (billion laughs, quadratic blowup,
   external entity expansion, DTD retrieval). https://github.com/tiran/defusedxml
.. [3] Apache Arrow, compute functions: ``cast`` from strings to numbers and timestamps
   (ISO 8601). https://arrow.apache.org/docs/cpp/compute.html
"""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import defusedxml
import defusedxml.ElementTree as DET
import numpy as np
import pandas as pd

from ..errors import ReadError, UnsafeInputError

__all__ = [
    "GPS_EPOCH",
    "LATEST_TIME",
    "local_name",
    "TagCodes",
    "prepare",
    "iter_end",
    "xml_errors",
    "floats_from_text",
    "times_from_text",
    "times_ns",
    "plausible_times",
    "CHUNK_POINTS",
    "flush_columns",
    "join_columns",
]

#: Points whose texts are held before they are converted to numbers: bounds the memory of
#: a long track to about 20 MB of text plus 8 bytes per number.
CHUNK_POINTS = 65_536

#: No satellite-positioned sample can be older than the GPS epoch (1980-01-06 UTC);
#: earlier times are placeholders such as the Unix INT32_MIN 1901-12-13T20:45:52Z.
GPS_EPOCH = pd.Timestamp("1980-01-06", tz="UTC")

_GPS_EPOCH_NS = GPS_EPOCH.value
_NAT = np.iinfo(np.int64).min
#: Stand-ins for times outside the nanosecond range (before 1677-09-21 or after
#: 2262-04-11): inside it, and outside the plausible times, so they are reported.
_BEFORE_NS = pd.Timestamp("1677-09-22", tz="UTC")
_AFTER_NS = pd.Timestamp("2262-04-11", tz="UTC")

#: Times after this are treated as bogus (a clock or encoder fault), UTC.
LATEST_TIME = pd.Timestamp("2100-01-01", tz="UTC")
_LATEST_NS = LATEST_TIME.value

#: The dtype of sample times: nanoseconds, UTC, as ``tz_localize("UTC")`` makes it.
_UTC_NS = pd.DatetimeIndex(np.zeros(0, dtype="M8[ns]")).tz_localize("UTC").dtype

_UTF8_BOM = b"\xef\xbb\xbf"
_WHITESPACE = b" \t\r\n"

# expat error codes meaning "the input stopped early" (XML_ERROR_NO_ELEMENTS,
# XML_ERROR_UNCLOSED_TOKEN, XML_ERROR_PARTIAL_CHAR)
_EARLY_END = {3, 5, 6}


def local_name(tag: str) -> str:
    """``'{http://www.topografix.com/GPX/1/1}trkpt'`` -> ``'trkpt'`` (namespace dropped)."""
    return tag.rpartition("}")[2]


class TagCodes(dict):
    """Map full element tags to small codes by local name, whatever the namespace.

    ``codes[tag]`` is one C dict lookup once a tag has been seen, so namespace-agnostic
    matching (GPX 1.0 and 1.1, Garmin TrackPointExtension v1 and v2, TCX v1 and v2,
    ActivityExtension) costs nothing per element.

    Parameters
    ----------
    names : dict
        Local name -> code; every other tag maps to ``0``.
    """

    def __init__(self, names: dict[str, int]) -> None:
        super().__init__()
        self._names = names

    def __missing__(self, tag: str) -> int:
        code = self._names.get(local_name(tag), 0) if isinstance(tag, str) else 0
        self[tag] = code
        return code


class _SmallReads(io.BytesIO):
    """Hand the vetting parser 1 KiB at a time, so it stops soon after the root starts."""

    def read(self, size: int | None = -1) -> bytes:
        return super().read(1024)


def prepare(data: bytes, *, source: str) -> tuple[bytes, int]:
    """Strip a UTF-8 BOM and leading whitespace, and vet the prolog with defusedxml.

    Parameters
    ----------
    data : bytes
        The whole document.
    source : str
        The file, for error messages.

    Returns
    -------
    body : bytes
        The document without BOM and leading whitespace.
    skipped_lines : int
        Newlines removed from the front (added back to error line numbers).

    Raises
    ------
    ReadError
        ``kind='empty'`` for no bytes (or only whitespace), ``kind='malformed_xml'`` when
        the prolog is not well-formed.
    UnsafeInputError
        ``kind='unsafe'`` for any DTD, entity declaration or external reference.
    """
    if not isinstance(data, bytes | bytearray | memoryview):
        raise ReadError(f"expected bytes, got {type(data).__name__}", source=source,
                        kind="unreadable")
    body = bytes(data)
    if body.startswith(_UTF8_BOM):
        body = body[len(_UTF8_BOM):]
    stripped = body.lstrip(_WHITESPACE)
    skipped = body[: len(body) - len(stripped)].count(b"\n")
    if not stripped:
        raise ReadError("the file is empty", source=source, kind="empty")
    with xml_errors(source=source, skipped_lines=skipped):
        _vet(stripped)
    return stripped, skipped


def _vet(body: bytes) -> None:
    """Parse ``body`` up to its root element's start tag with defusedxml's parser.

    ``forbid_dtd``, ``forbid_entities`` and ``forbid_external`` refuse every document
    type declaration, entity declaration and external reference; the parse stops at the
    first ``start`` event, so only the prolog (and the root's start tag) is read here.
    """
    events = DET.iterparse(
        _SmallReads(body),
        events=("start",),
        forbid_dtd=True,
        forbid_entities=True,
        forbid_external=True,
    )
    next(iter(events), None)  # parse up to the root element's start tag


def iter_end(body: bytes) -> Iterator[tuple[str, ET.Element]]:
    """Stream ``("end", element)`` pairs of a document vetted by :func:`prepare`.

    Iterate inside ``with xml_errors(...)`` so parse errors become
    :class:`~runload.errors.ReadError`. Clear elements once their data is taken.

    Notes
    -----
    What :func:`xml.etree.ElementTree.iterparse` does (the same C parser fed the same
    16 KiB pieces, so the same events and errors), without the class it defines on every
    call (about 0.1 ms a file).
    """
    parser = ET.XMLPullParser(events=("end",))
    view = memoryview(body)
    for start in range(0, len(body), _PIECE):
        parser.feed(view[start:start + _PIECE])
        yield from parser.read_events()
    parser.close()
    yield from parser.read_events()


_PIECE = 16 * 1024


@contextmanager
def xml_errors(*, source: str, skipped_lines: int = 0):
    """Turn XML parser exceptions raised inside the block into runload errors.

    Parameters
    ----------
    source : str
        The file, for messages.
    skipped_lines : int, default 0
        Lines stripped before the document (added to reported line numbers).

    Raises
    ------
    UnsafeInputError
        ``kind='unsafe'`` for defusedxml's refusals (DTD, entities, external references).
    ReadError
        ``kind='malformed_xml'`` for XML that is not well-formed, naming line and column.
    """
    try:
        yield
    except defusedxml.DTDForbidden as exc:
        raise UnsafeInputError(
            "refused: the XML has a document type declaration (DTD), which GPX and TCX "
            "never need and XML bombs and external fetches rely on",
            source=source,
        ) from exc
    except defusedxml.EntitiesForbidden as exc:
        raise UnsafeInputError(
            f"refused: the XML declares an entity ({exc.name!r}); entity expansion is "
            "how XML bombs work",
            source=source,
        ) from exc
    except defusedxml.ExternalReferenceForbidden as exc:
        raise UnsafeInputError(
            f"refused: the XML references an external resource ({exc.sysid!r})",
            source=source,
        ) from exc
    except defusedxml.DefusedXmlException as exc:
        raise UnsafeInputError(f"refused unsafe XML: {exc}", source=source) from exc
    except ET.ParseError as exc:
        line, column = getattr(exc, "position", (0, 0))
        line += skipped_lines
        reason = str(exc).split(":", 1)[0]
        if getattr(exc, "code", None) in _EARLY_END:
            reason = f"{reason} (the file ends early: truncated?)"
        raise ReadError(
            f"malformed XML at line {line}, column {column}: {reason}",
            source=source,
            kind="malformed_xml",
        ) from exc
    except (UnicodeError, LookupError) as exc:
        raise ReadError(f"malformed XML: bad encoding: {exc}", source=source,
                        kind="malformed_xml") from exc


#: Bytes of a plain decimal number: the only texts the arrow conversion is trusted with.
_NUMBER_BYTES = b"0123456789+-.eE"


def _arrow_floats(values: list) -> np.ndarray | None:
    """Texts of plain decimal numbers (or ``None``) as floats, by arrow; else None.

    Only when every text is made of digits, signs, points and exponent letters (no
    white space, ``_``, ``nan`` or ``inf``, whose readings could differ: the sign of a
    NaN, for one) and arrow reads every one of them. Arrow and Python both round
    correctly, so the values are those :func:`float` gives.
    """
    import pyarrow as pa  # only here: ``import runload`` stays light
    import pyarrow.compute as pc

    try:
        array = pa.array(values)
        if array.type != pa.string():
            return None
        data = array.buffers()[2]
        if data is not None and data.to_pybytes().translate(None, _NUMBER_BYTES):
            return None  # a byte outside a plain number
        return pc.cast(array, pa.float64()).to_numpy(zero_copy_only=False, writable=True)
    except (pa.ArrowException, TypeError, ValueError, OverflowError):
        return None


def floats_from_text(values: list) -> np.ndarray:
    """Convert a list of XML texts (``None`` for missing) to floats in bulk.

    Parameters
    ----------
    values : list of str or None
        The texts, in order.

    Returns
    -------
    numpy.ndarray
        float64; ``None`` and unreadable texts are NaN.

    Notes
    -----
    Three conversions, one result. A column of plain decimal numbers (the usual case) is
    converted by pyarrow's string-to-float cast, about twice as fast as numpy; it is used
    only when every text has the bytes of a plain number and arrow accepts all of them,
    and then gives exactly the values :func:`float` gives (both are correctly rounded;
    ``tests/test_xmlsafe.py`` checks it over odd strings). Any other column goes to
    ``numpy.array(values, dtype=float64)``, which reads texts as :func:`float` does
    (surrounding white space, ``_`` between digits, ``nan``, ``inf``); a column holding
    junk falls back to :func:`pandas.to_numeric` with ``errors='coerce'``.
    """
    if not values or (values[0] is None and values.count(None) == len(values)):
        return np.full(len(values), np.nan)
    if len(values) >= _ARROW_MIN:
        fast = _arrow_floats(values)
        if fast is not None:
            return fast
    try:
        return np.array(values, dtype=np.float64)
    except (ValueError, TypeError):
        return pd.to_numeric(pd.Series(values, dtype=object), errors="coerce").to_numpy(
            dtype=np.float64, na_value=np.nan, copy=True
        )


#: Shorter columns go straight to numpy (arrow's fixed cost is larger than its gain).
_ARROW_MIN = 512


def times_from_text(values: list) -> pd.DatetimeIndex:
    """Parse a list of ISO 8601 texts (``None`` for missing) to UTC, in bulk.

    Texts without an offset are UTC (as GPX and TCX specify). Unreadable texts are NaT.
    Times outside the nanosecond range (years before 1677 or after 2262, such as 0024 or
    2999) are clipped to 1677-09-22 or 2262-04-11, which :func:`plausible_times` then
    reports and ignores (never a silent NaT). Resolution is nanoseconds, as in
    :data:`runload.columns.TRACK`.

    Columns of one strict shape (see :func:`times_ns`) are parsed by numpy (at most 512
    texts) or pyarrow, others by pandas (``format='ISO8601'``), with the same result.
    """
    if values and not (values[0] is None and values.count(None) == len(values)):
        fast = _strict_times_ns(values)
        if fast is not None:
            return _utc_index(fast)
    return _pandas_times(values)


def _pandas_times(values: list) -> pd.DatetimeIndex:
    """:func:`times_from_text` by pandas alone (the reference of the arrow path)."""
    if not values or (values[0] is None and values.count(None) == len(values)):
        return pd.DatetimeIndex(np.full(len(values), np.datetime64("NaT", "ns")), tz="UTC")
    times = _in_ns_range(pd.to_datetime(values, utc=True, format="ISO8601",
                                        errors="coerce", cache=False))
    if times.hasnans and int(times.isna().sum()) > values.count(None):
        # surrounding whitespace or other oddities, or a time outside the nanosecond range
        # among times written to the nanosecond (pandas then parses the whole list at
        # nanoseconds and gives NaT): retry those alone
        texts = pd.Index(values, dtype=object)
        bad = np.flatnonzero(times.isna() & pd.notna(texts))
        retry = pd.to_datetime(texts[bad].str.strip(), utc=True, format="mixed",
                               errors="coerce")
        ns = times.asi8.copy()
        ns[bad] = _in_ns_range(retry).asi8
        lost = bad[ns[bad] == _NAT]
        if lost.size:  # written to the nanosecond outside the range: judged by the year
            year = pd.to_numeric(texts[lost].str.extract(r"^\s*(\d{4})-", expand=False),
                                 errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
            ns[lost[year < _BEFORE_NS.year]] = _BEFORE_NS.value
            ns[lost[year > _AFTER_NS.year]] = _AFTER_NS.value
        times = pd.DatetimeIndex(ns.view("M8[ns]")).tz_localize("UTC")
    return times


def _template(length: int) -> dict[int, int] | None:
    """``YYYY-MM-DDThh:mm:ss[.f…]Z`` of one length: position -> byte of each separator."""
    if length == 20:
        shape = "dddd-dd-ddTdd:dd:ddZ"
    elif 22 <= length <= 30:
        shape = "dddd-dd-ddTdd:dd:dd." + "d" * (length - 21) + "Z"
    else:
        return None
    return {i: ord(c) for i, c in enumerate(shape) if c != "d"}


_TEMPLATES = {length: _template(length) for length in range(20, 31)}


#: Months the digit path takes (1678-01 to 2261-12: every instant of them is inside the
#: nanosecond range), numbered ``year * 12 + month``.
_FIRST_MONTH, _LAST_MONTH = 1678 * 12 + 1, 2261 * 12 + 12
_MONTH_STARTS = np.arange("1678-01", "2262-02", dtype="M8[M]").astype("M8[D]").view(np.int64)
#: Per month from 1678-01: the day (since 1970-01-01) before it starts, and its number of
#: days, by numpy's proleptic Gregorian calendar (that of pandas and arrow).
_MONTHS = np.stack([_MONTH_STARTS[:-1] - 1, np.diff(_MONTH_STARTS)], axis=1)


def _digit_shape(template: dict[int, int]) -> tuple[np.ndarray, ...]:
    """Arrays checking and reading one strict shape by numpy arithmetic.

    ``offset``: the code subtracted from each character (``'0'`` for digits, the
    separator itself for separators); ``limit``: the largest difference allowed there
    (9, or 5 for the tens of minutes and seconds; 0 for separators);
    ``weights``: the digits to the fields ``year * 12 + month``, month, day, hour,
    seconds of the day, and nanoseconds of the fraction (floats, for a BLAS product:
    every product and sum is an integer below 2**53, so exact in any order).
    """
    length = max(template) + 1
    offset = np.full(length, ord("0"), dtype=np.uint32)
    limit = np.full(length, 9, dtype=np.uint32)
    for at, code in template.items():
        offset[at], limit[at] = code, 0
    limit[[14, 17]] = 5  # minutes and seconds: at most 59
    weights = np.zeros((length, 6), dtype=np.float64)
    for at, (year, month, day, hour, second) in {
            0: (1000, 0, 0, 0, 0), 1: (100, 0, 0, 0, 0), 2: (10, 0, 0, 0, 0),
            3: (1, 0, 0, 0, 0), 5: (0, 10, 0, 0, 0), 6: (0, 1, 0, 0, 0),
            8: (0, 0, 10, 0, 0), 9: (0, 0, 1, 0, 0), 11: (0, 0, 0, 10, 36_000),
            12: (0, 0, 0, 1, 3_600), 14: (0, 0, 0, 0, 600), 15: (0, 0, 0, 0, 60),
            17: (0, 0, 0, 0, 10), 18: (0, 0, 0, 0, 1)}.items():
        weights[at, :5] = (12 * year + month, month, day, hour, second)
    for k in range(length - 21):  # fraction digits: tenths of a second first
        weights[20 + k, 5] = 10 ** (8 - k)
    return offset, limit, weights


_DIGIT_SHAPES = {length: _digit_shape(template) for length, template in _TEMPLATES.items()
                 if template is not None}
#: Bounds of the fields: the lowest, and the range above it (the last two cannot be out
#: of bounds).
_FIELDS_LOW = np.array([_FIRST_MONTH, 1, 1, 0, 0, 0], dtype=np.int64)
_FIELDS_RANGE = (np.array([_LAST_MONTH, 12, 31, 23, 86_399, 999_999_999], dtype=np.int64)
                 - _FIELDS_LOW).astype(np.uint64)
#: Columns of at most this many texts are parsed by numpy arithmetic, longer ones by
#: arrow.
_DIGITS_MAX = 512


def _digit_times_ns(values: list) -> np.ndarray | None:
    """Times of one strict shape (or ``None``) as int64 ns, by numpy arithmetic; else None.

    The same texts as :func:`_arrow_times_ns` (``YYYY-MM-DDThh:mm:ss[.f…]Z``, one
    length, checked character by character), and only real instants of the years 1678
    to 2261: month 1-12, a day the month has (29 February in leap years only), hour
    0-23, minute and second 0-59. Any other column returns None, for arrow or pandas.
    The fields are exact integers and the days come from numpy's calendar, so the
    instants are exact. It has almost no fixed cost, which arrow's conversion has (about
    0.1 ms a column).
    """
    nulls = values.count(None)
    if nulls:
        texts = np.array(values, dtype=object)
        present = texts != None  # noqa: E711 (element-wise)
        found = _digit_times_ns(texts[present].tolist())
        if found is None:
            return None
        out = np.full(len(values), _NAT, dtype=np.int64)
        out[present] = found
        return out
    try:
        text = np.array(values)
    except (TypeError, ValueError):
        return None
    if text.dtype.kind != "U" or text.ndim != 1:
        return None
    length = text.dtype.itemsize // 4
    shape = _DIGIT_SHAPES.get(length)
    if shape is None or len("".join(values)) != text.size * length:
        return None  # no strict shape, or NULs that numpy dropped from a text's end
    offset, limit, weights = shape
    # shorter texts are padded with code 0, below every digit and separator: it wraps
    # around to a huge difference, as does any character before its expected code
    digits = text.view(np.uint32).reshape(-1, length) - offset
    if not (digits <= limit).all():
        return None
    fields = (digits.astype(np.float64) @ weights).astype(np.int64) - _FIELDS_LOW
    if not (fields.view(np.uint64) <= _FIELDS_RANGE).all():
        return None  # a field below its bounds wraps around to a huge number
    month = _MONTHS[fields[:, 0]]
    day = fields[:, 2] + 1
    if not (day <= month[:, 1]).all():
        return None  # 30 February, 31 April, 29 February of a common year
    return ((month[:, 0] + day) * 86_400 + fields[:, 4]) * 1_000_000_000 + fields[:, 5]


def _arrow_times_ns(values: list) -> np.ndarray | None:
    """Times of one strict shape (or ``None``) as int64 ns, by arrow; else None.

    Every text must be ``YYYY-MM-DDThh:mm:ssZ`` with the same number (0 to 9) of
    fraction digits, checked byte by byte on arrow's buffer; arrow then parses them or
    refuses the column (a 30 February, an hour 24, a year outside the nanosecond range).
    Fixed fields leave no room to read such a text differently from pandas.
    """
    import pyarrow as pa  # only here: ``import runload`` stays light
    import pyarrow.compute as pc

    try:
        array = pa.array(values)
        if array.type != pa.string() or array.offset:
            return None
        size = len(array)
        offsets = np.frombuffer(array.buffers()[1], dtype=np.int32, count=size + 1)
        lengths = np.diff(offsets)
        length = int(lengths.max())
        template = _TEMPLATES.get(length)
        if template is None or int((lengths == length).sum()) + array.null_count != size:
            return None  # mixed lengths, or an empty text
        raw = array.buffers()[2].to_pybytes()[: int(offsets[-1])]
        rows = np.frombuffer(raw, dtype=np.uint8).reshape(-1, length)
        if len(raw.translate(None, b"0123456789")) != rows.shape[0] * len(template) or not all(
                (rows[:, at] == code).all() for at, code in template.items()):
            return None  # every separator in its place, and digits everywhere else
        stamps = pc.cast(array, pa.timestamp("ns", tz="UTC"))
        return stamps.to_numpy(zero_copy_only=False).view(np.int64).copy()
    except (pa.ArrowException, TypeError, ValueError, OverflowError):
        return None


def _strict_times_ns(values: list) -> np.ndarray | None:
    """Times of one strict shape as int64 ns (numpy for short columns, else arrow), or None."""
    if len(values) <= _DIGITS_MAX:
        fast = _digit_times_ns(values)
        if fast is not None:
            return fast
    return _arrow_times_ns(values)


def times_ns(values: list) -> np.ndarray:
    """:func:`times_from_text` as int64 nanoseconds since the Unix epoch (NaT: min int64).

    Columns of one strict ISO 8601 shape (``2024-03-04T07:00:00Z``, with or without a
    fixed number of fraction digits: what devices write) are parsed without pandas and
    its fixed cost of about 0.5 ms a call: up to 512 texts by numpy arithmetic on their
    digits (:func:`_digit_times_ns`, no fixed cost), longer columns by pyarrow (about
    twice as fast as pandas); the values are the same (``tests/test_xmlsafe_times.py``).
    Anything else goes through :func:`times_from_text`.
    """
    if values and not (values[0] is None and values.count(None) == len(values)):
        fast = _strict_times_ns(values)
        if fast is not None:
            return fast
    return np.asarray(_pandas_times(values).asi8, dtype=np.int64)


def _utc_index(ns: np.ndarray) -> pd.DatetimeIndex:
    """int64 nanoseconds (NaT: min int64) as a UTC index, without copying them.

    The index ``pd.DatetimeIndex(ns.view("M8[ns]")).tz_localize("UTC")`` gives (values,
    dtype, no frequency, no name), built directly from its parts: the public route
    checks and copies the values twice, about 30 µs a column
    (``tests/test_xmlsafe_times.py`` compares the two).
    """
    values = ns.view("M8[ns]")
    try:
        array = pd.arrays.DatetimeArray._simple_new(values, dtype=_UTC_NS)
        return pd.DatetimeIndex._simple_new(array)
    except (AttributeError, TypeError):  # pandas without these constructors
        return pd.DatetimeIndex(values).tz_localize("UTC")


def _in_ns_range(times) -> pd.DatetimeIndex:
    """Parsed times at nanoseconds, those outside the range clipped to its stand-ins."""
    times = pd.DatetimeIndex(times)
    if times.unit != "ns":
        # years like 0024 or 9999 parse at a coarser resolution but do not fit nanoseconds
        early, late = times < _BEFORE_NS, times > _AFTER_NS  # NaT compares False
        if early.any() or late.any():
            times = times.where(~early, _BEFORE_NS).where(~late, _AFTER_NS)
    return times.as_unit("ns")


def plausible_times(times: pd.DatetimeIndex) -> tuple[pd.DatetimeIndex, str | None]:
    """Blank out impossible sample times and say why.

    Parameters
    ----------
    times : pandas.DatetimeIndex
        Sample times, UTC.

    Returns
    -------
    times : pandas.DatetimeIndex
        The times with those before :data:`GPS_EPOCH` or after :data:`LATEST_TIME` set
        to NaT.
    message : str or None
        A ``bad_time`` problem message, or None when every time was plausible.
    """
    if times.unit == "ns":  # the same comparisons on the int64 values, without pandas
        ns = times.asi8
        bad = ((ns < _GPS_EPOCH_NS) & (ns != _NAT)) | (ns > _LATEST_NS)
    else:
        bad = np.asarray((times < GPS_EPOCH) | (times > LATEST_TIME))
    if not bad.any():
        return times, None
    first = times[bad][0]
    if first == _BEFORE_NS:
        example = "a year before 1678"
    elif first == _AFTER_NS:
        example = "a year after 2261"
    else:
        example = first.isoformat()
    message = (
        f"{int(bad.sum())} of {len(times)} sample times are impossible (e.g. "
        f"{example}, before the GPS epoch or after {LATEST_TIME.year}: a "
        "placeholder); they are ignored"
    )
    return times.where(~bad), message


def flush_columns(text: dict[str, list], numbers: dict[str, list], kinds: dict[str, str]) -> None:
    """Convert collected texts to arrays and empty the text lists in place.

    Parameters
    ----------
    text : dict of list
        Column name -> texts (``None`` for missing) collected since the last flush. The
        lists are cleared, not replaced, so bound ``append`` methods stay valid.
    numbers : dict of list
        Column name -> arrays converted so far (appended to).
    kinds : dict of str
        Column name -> ``'float'``, ``'int'`` or ``'time'`` (int64 nanoseconds since the
        Unix epoch, UTC; NaT as the minimum int64).
    """
    for name, values in text.items():
        if not values:
            continue
        kind = kinds[name]
        if kind == "time":
            array = times_ns(values)
        elif kind == "int":
            array = np.asarray(values, dtype=np.int64)
        else:
            array = floats_from_text(values)
        numbers[name].append(array)
        values.clear()


def join_columns(text: dict[str, list], numbers: dict[str, list],
                 kinds: dict[str, str]) -> dict[str, Any]:
    """Flush what is left and join each column's arrays (times as a UTC DatetimeIndex)."""
    flush_columns(text, numbers, kinds)
    out: dict[str, Any] = {}
    for name, kind in kinds.items():
        chunks = numbers[name]
        dtype = np.float64 if kind == "float" else np.int64
        array = np.concatenate(chunks) if chunks else np.zeros(0, dtype=dtype)
        if kind == "time":
            out[name] = _utc_index(array)
        else:
            out[name] = array
    return out

"""A FIT file whose checksums do not match stays on the fast path, with the same output.

Every FIT file of the corpus (``fit/``, ``broken/`` and the ``.fit`` members of the
``exports/`` archives) is damaged on purpose — its file CRC flipped, its header CRC
flipped, a byte inside a ``record`` message flipped (the structure stays intact, the
CRC no longer matches), one part of a chained file broken — and read through the fast
path and through the full fitdecode path (``fast=False``). Both must give the same
activity rows, the same problems (the ``bad_crc`` ones included, same messages, same
order), the same track and the same :class:`~runload.io.fit.FitMessages`; and where the
intact file takes the fast path, the damaged one must too (no reference decode).

The reference decode of each damaged file is made once and shared:
``read_fit_messages(records=False)`` is ``read_fit_messages(records=True)`` without the
record columns (the same fitdecode pass; only the columns are not built).
"""

from __future__ import annotations

import gzip
import zipfile

import pandas as pd
import pytest
from conftest import CORPUS, corpus_available

import runload.io.fit as fit_module
from runload.columns import ACTIVITIES, conform
from runload.errors import ParameterError, ReadError
from runload.io.crc import fit_crc
from runload.io.fit import crc_problem, fit_track, parse_fit
from runload.io.fitrecords import decode_records, record_arrays
from runload.io.fitscan import fast_fit_messages, scan_fit

_REFERENCE = fit_module.read_fit_messages
SMALL_BYTES = 150_000


def _corpus_files() -> list[tuple[str, bytes]]:
    """(name, bytes) of every FIT file of the corpus, gunzipped and unzipped."""
    if not corpus_available():
        return []
    out = []
    for folder in ("fit", "broken"):
        for path in sorted((CORPUS / folder).glob("*.fit*")):
            data = path.read_bytes()
            out.append((f"{folder}/{path.name}",
                        gzip.decompress(data) if path.suffix == ".gz" else data))
    for archive in sorted((CORPUS / "exports").glob("*.zip")):
        with zipfile.ZipFile(archive) as zf:
            for member in zf.namelist():
                if member.lower().endswith(".fit") and not member.startswith("__MACOSX"):
                    out.append((f"exports/{archive.name}::{member}", zf.read(member)))
    return out


FILES = _corpus_files()
IDS = [name for name, _ in FILES]


# --- damage --------------------------------------------------------------------------


def _blocks(data: bytes) -> list[tuple[int, int, int]]:
    """``(start, header_size, crc_offset)`` of each chained FIT block whose header and
    declared data size fit in the file."""
    blocks, pos = [], 0
    while pos + 12 <= len(data) and data[pos] in (12, 14) and data[pos + 8 : pos + 12] == b".FIT":
        end = pos + data[pos] + int.from_bytes(data[pos + 4 : pos + 8], "little")
        if end + 2 > len(data):
            break
        blocks.append((pos, data[pos], end))
        pos = end + 2
    return blocks


def flip_file_crc(data: bytes) -> bytes:
    """The last two bytes (the file CRC of the last block) inverted."""
    out = bytearray(data)
    out[-2] ^= 0xFF
    out[-1] ^= 0xFF
    return bytes(out)


def flip_header_crc(data: bytes, *, block: int = 0, repair: bool = False) -> bytes | None:
    """The header CRC of chained block ``block`` inverted (None when it has none);
    ``repair`` recomputes that block's file CRC so only the header CRC is wrong."""
    blocks = _blocks(data)
    if block >= len(blocks):
        return None
    start, hsize, crc_at = blocks[block]
    if hsize < 14 or not int.from_bytes(data[start + 12 : start + 14], "little"):
        return None  # no header CRC (or 0: "not computed", never checked)
    out = bytearray(data)
    out[start + 12] ^= 0xFF
    out[start + 13] ^= 0xFF
    if repair:
        out[crc_at : crc_at + 2] = fit_crc(bytes(out[start:crc_at])).to_bytes(2, "little")
    return bytes(out)


def flip_block_crc(data: bytes, block: int) -> bytes | None:
    """The file CRC of chained block ``block`` inverted (None when there is no such block)."""
    blocks = _blocks(data)
    if block >= len(blocks):
        return None
    crc_at = blocks[block][2]
    out = bytearray(data)
    out[crc_at] ^= 0xFF
    out[crc_at + 1] ^= 0xFF
    return bytes(out)


def flip_record_byte(data: bytes) -> bytes | None:
    """A data byte in the middle of the middle ``record`` message inverted, the CRC left
    as it was (None when the scanner finds no record message)."""
    scan = scan_fit(data, records=True, crc="report")
    if scan is None:
        return None
    offsets = [(off, defn.size) for defn, offs in scan.records for off in offs]
    if not offsets:
        return None
    off, size = sorted(offsets)[len(offsets) // 2]
    if size < 2:
        return None
    out = bytearray(data)
    out[off + 1 + (size - 1) // 2] ^= 0xFF  # never the record header byte
    return bytes(out)


# --- both paths ----------------------------------------------------------------------


@pytest.fixture
def reference(monkeypatch):
    """``read_fit_messages`` decoding each input once; ``calls`` lists the decodes asked
    for, ``full(data, source)`` gives the ``records=True`` result (or its ReadError)."""
    cache: dict[bytes, object] = {}
    calls: list[bool] = []

    def full(data, source):
        if data not in cache:
            try:
                cache[data] = _REFERENCE(data, source=source, records=True)
            except ReadError as exc:
                cache[data] = exc
        return cache[data]

    def read(data, *, source, records=False):
        calls.append(records)
        found = full(data, source)
        if isinstance(found, ReadError):
            raise found
        return found if records else found._replace(records=None)

    monkeypatch.setattr(fit_module, "read_fit_messages", read)
    read.calls = calls
    read.full = full
    return read


def _outcome(call, data, name):
    try:
        return call(data, source=name)
    except ReadError as exc:
        return exc


def _same_parsed(fast, full):
    if isinstance(full, ReadError):
        assert isinstance(fast, ReadError), f"fast path read what the full path refuses: {full}"
        assert (fast.kind, str(fast)) == (full.kind, str(full))
        return
    assert not isinstance(fast, ReadError), fast
    pd.testing.assert_frame_equal(conform(pd.DataFrame(fast.activities), ACTIVITIES),
                                  conform(pd.DataFrame(full.activities), ACTIVITIES))
    assert fast.problems == full.problems
    assert fast.not_activity == full.not_activity


def _same_track(fast, full):
    if isinstance(full, ReadError):
        assert isinstance(fast, ReadError)
        assert (fast.kind, str(fast)) == (full.kind, str(full))
    else:
        pd.testing.assert_frame_equal(fast, full)


def check_both_paths(data: bytes, name: str, reference, *, fast_expected: bool) -> None:
    """Fast and full paths agree on ``data``; with ``fast_expected``, no reference decode
    is made by the fast calls."""
    full_parsed = _outcome(lambda d, source: parse_fit(d, source=source, fast=False), data, name)
    full_track = _outcome(lambda d, source: fit_track(d, source=source, fast=False), data, name)
    reference.calls.clear()
    fast_parsed = _outcome(parse_fit, data, name)
    fast_track = _outcome(fit_track, data, name)
    messages = fast_fit_messages(data)
    with_records = fast_fit_messages(data, records=True)
    if fast_expected:
        assert messages is not None, "a checksum mismatch pushed the file off the fast path"
        assert reference.calls == [], "the fast path fell back to the full fitdecode decode"
    _same_parsed(fast_parsed, full_parsed)
    _same_track(fast_track, full_track)
    full = reference.full(data, name)
    for fast, records in ((messages, False), (with_records, True)):
        if fast is None:
            continue
        assert not isinstance(full, ReadError), full
        expected = full if records else full._replace(records=None)
        assert fast.summary == expected.summary
        assert fast.problems == expected.problems
        assert (fast.n_records, fast.n_files) == (expected.n_records, expected.n_files)
        if records:
            assert fast.records.keys() == expected.records.keys()
            for column, values in expected.records.items():
                pd.testing.assert_series_equal(pd.Series(fast.records[column]),
                                               pd.Series(values), obj=column)


def _fast_when_intact(data: bytes) -> bool:
    """Whether the intact file takes the fast path (summary and records)."""
    return fast_fit_messages(data) is not None and fast_fit_messages(data, records=True) is not None


# --- every corpus file ---------------------------------------------------------------


def _damage_all(data: bytes) -> bytes:
    """A record byte, the header CRC (where there is one) and the last two bytes (the
    file CRC) flipped: every kind of checksum damage in one file."""
    damaged = flip_record_byte(data) or data
    damaged = flip_header_crc(damaged) or damaged
    return flip_file_crc(damaged)


@pytest.mark.slow
@pytest.mark.parametrize("item", FILES, ids=IDS)
def test_every_file_with_bad_checksums_same_on_both_paths(item, reference):
    """Every corpus file, all its checksums broken (one reference decode per file: the
    largest files cost seconds on the full path)."""
    name, data = item
    damaged = _damage_all(data)
    fast = _fast_when_intact(data)
    records_fast = fast and fast_fit_messages(damaged, records=True) is not None
    check_both_paths(damaged, name, reference, fast_expected=records_fast)
    if fast:
        # the summary path never decodes records, so a flipped record byte cannot stop it
        messages = fast_fit_messages(damaged)
        assert messages is not None
        problems = messages.problems
        assert problems[-1] == crc_problem("file", scan_fit(data, crc="report").n_files)
        if flip_header_crc(data) is not None:
            assert crc_problem("header", 1) in problems


SMALL = [(name, data) for name, data in FILES if len(data) < SMALL_BYTES]
SMALL_IDS = [name for name, _ in SMALL]


@pytest.mark.parametrize("item", SMALL, ids=SMALL_IDS)
def test_only_the_file_crc_wrong_same_on_both_paths(item, reference):
    name, data = item
    damaged = flip_file_crc(data)
    fast = _fast_when_intact(data)
    check_both_paths(damaged, name, reference, fast_expected=fast)
    if fast:
        assert fast_fit_messages(damaged).problems[-1][0] == "bad_crc"


@pytest.mark.parametrize("item", SMALL, ids=SMALL_IDS)
def test_only_the_header_crc_wrong_same_on_both_paths(item, reference):
    name, data = item
    damaged = flip_header_crc(data, repair=True)
    if damaged is None:
        pytest.skip("the header has no CRC")
    fast = _fast_when_intact(data)
    check_both_paths(damaged, name, reference, fast_expected=fast)
    if fast:
        assert fast_fit_messages(damaged).problems == [crc_problem("header", 1)]


@pytest.mark.parametrize("item", SMALL, ids=SMALL_IDS)
def test_only_a_record_byte_wrong_same_on_both_paths(item, reference):
    """The structure is intact, the file CRC is not."""
    name, data = item
    damaged = flip_record_byte(data)
    if damaged is None:
        pytest.skip("no record message")
    fast = _fast_when_intact(data)
    # a flipped value may be one the record decoder leaves to fitdecode (a device-relative
    # time stamp ...); the summary path never decodes records
    records_fast = fast and fast_fit_messages(damaged, records=True) is not None
    check_both_paths(damaged, name, reference, fast_expected=records_fast)
    if fast:
        messages = fast_fit_messages(damaged)
        assert messages is not None
        assert messages.problems and {kind for kind, _ in messages.problems} == {"bad_crc"}


# --- chained files, truncation ---------------------------------------------------------

CHAINED = [(name, data) for name, data in FILES if len(_blocks(data)) > 1]


@pytest.mark.parametrize("item", CHAINED, ids=[name for name, _ in CHAINED])
def test_one_part_of_a_chained_file_bad(item, reference):
    name, data = item
    fast = _fast_when_intact(data)
    first = flip_block_crc(data, 0)
    check_both_paths(first, name, reference, fast_expected=fast)
    if fast:
        assert fast_fit_messages(first).problems[0] == crc_problem("file", 1)
    second = flip_header_crc(data, block=1)
    if second is not None:
        check_both_paths(second, name, reference, fast_expected=fast)


def test_chained_parts_are_in_the_corpus():
    if not corpus_available():
        pytest.skip("shared corpus not found")
    assert any("sample_mulitple_header" in name for name, _ in CHAINED)


@pytest.mark.parametrize("cut", [3, 40, 200])
def test_truncated_files_still_take_the_full_path(cut, reference, corpus):
    """Truncation is not a checksum matter: the fast path declines, the full path keeps
    what was read before the break (and says so)."""
    data = (corpus / "fit" / "fitparse__Activity.fit").read_bytes()
    damaged = data[:-cut]
    assert fast_fit_messages(damaged) is None
    assert scan_fit(damaged, crc="report") is None
    result = parse_fit(damaged, source="t.fit")
    _same_parsed(result, parse_fit(damaged, source="t.fit", fast=False))
    assert any(kind == "truncated" for kind, _ in result.problems)


# --- the scanner's crc option -------------------------------------------------------------


def test_scanner_reports_or_refuses_a_bad_crc(corpus):
    data = (corpus / "fit" / "fitparse__Activity.fit").read_bytes()
    damaged = flip_file_crc(data)
    assert scan_fit(damaged) is None  # the default still requires matching checksums
    scan = scan_fit(damaged, crc="report")
    assert scan.bad_crc == ((1, "file"),)
    assert scan.reduced == scan_fit(data).reduced  # the same messages are kept
    assert scan_fit(data, crc="report").bad_crc == ()
    assert record_arrays(damaged) is None
    assert record_arrays(damaged, crc="report").keys() == record_arrays(data).keys()
    assert decode_records(damaged, crc="report")[2].bad_crc == ((1, "file"),)


def test_header_crc_of_zero_is_not_checked(corpus, reference):
    """A header CRC of 0 means "not computed" (FIT protocol, fitdecode): no problem."""
    data = bytearray((corpus / "fit" / "fitparse__garmin-fenix-5-run.fit").read_bytes())
    assert data[0] == 14 and data[12:14] != b"\x00\x00"
    data[12:14] = b"\x00\x00"
    data[-2:] = fit_crc(bytes(data[:-2])).to_bytes(2, "little")
    data = bytes(data)
    assert scan_fit(data, crc="report").bad_crc == ()
    assert scan_fit(data) is not None
    assert fast_fit_messages(data).problems == []
    check_both_paths(data, "zero.fit", reference, fast_expected=True)


def test_unknown_crc_mode_is_a_parameter_error():
    with pytest.raises(ParameterError):
        scan_fit(b"", crc="ignore")


def test_crc_problem_messages():
    assert crc_problem("header", 2) == (
        "bad_crc", "the header checksum of FIT file 2 does not match")
    assert crc_problem("file", 1) == (
        "bad_crc",
        "the checksum of FIT file 1 does not match its bytes; the decoded data is kept",
    )

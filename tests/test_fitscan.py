"""The FIT summary fast path and the fast CRC give exactly what fitdecode gives."""

from __future__ import annotations

import gzip
import random
import struct
import warnings

import fitdecode
import fitdecode.utils
import numpy as np
import pytest
from conftest import CORPUS, corpus_available
from hypothesis import given, settings
from hypothesis import strategies as st

from runload.errors import ParameterError
from runload.io.crc import fit_crc, numpy_crc
from runload.io.fit import read_fit_messages
from runload.io.fitscan import (
    SUMMARY_MESSAGES,
    fast_fit_messages,
    reduce_fit,
    scan_fit,
    summary_messages,
)


def _corpus_fit_files():
    if not corpus_available():
        return []
    files = sorted((CORPUS / "fit").glob("*.fit*")) + sorted((CORPUS / "broken").glob("*.fit"))
    return files


def _read(path) -> bytes:
    data = path.read_bytes()
    return gzip.decompress(data) if path.suffix == ".gz" else data


FILES = _corpus_fit_files()
IDS = [p.name for p in FILES]
SMALL = [p for p in FILES if p.stat().st_size < 150_000]


@pytest.fixture(scope="module")
def full_messages():
    """read_fit_messages(records=True) of every corpus FIT file, decoded once."""
    out = {}
    for path in FILES:
        try:
            out[path.name] = read_fit_messages(_read(path), source=path.name, records=True)
        except Exception as exc:  # noqa: BLE001 - a file the full path refuses
            out[path.name] = exc
    return out


# --- CRC -----------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=3000), st.integers(0, 0xFFFF))
def test_crc_equals_fitdecode(data, start):
    expected = fitdecode.utils.compute_crc(data, crc=start) if data else start
    assert fit_crc(data, crc=start) == expected
    assert numpy_crc(data, crc=start) == expected


def test_crc_of_whole_files_is_zero_when_intact(corpus):
    good = _read(CORPUS / "fit" / "fitparse__activity-small-fenix2-run.fit")
    assert fit_crc(good) == 0
    assert numpy_crc(good) == 0
    bad = (corpus / "broken" / "fitparse__activity-filecrc.fit").read_bytes()
    assert fit_crc(bad) != 0


def test_crc_accepts_numpy_and_memoryview():
    data = bytes(random.Random(3).randrange(256) for _ in range(777))
    expected = fitdecode.utils.compute_crc(data)
    assert fit_crc(np.frombuffer(data, dtype=np.uint8)) == expected
    assert fit_crc(memoryview(data)) == expected


# --- the summary stream --------------------------------------------------------------


def _key(message):
    return (message.name, [(f.name, f.value, f.raw_value, f.units) for f in message.fields])


@pytest.mark.parametrize("path", SMALL, ids=[p.name for p in SMALL])
def test_summary_messages_equal_full_decode(path):
    data = _read(path)
    fast = summary_messages(data)
    if fast is None:
        return  # refused: the caller uses the full path (checked below for good files)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with fitdecode.FitReader(data) as reader:
            full = [
                f
                for f in reader
                if f.frame_type == fitdecode.FIT_FRAME_DATA and f.name in SUMMARY_MESSAGES
            ]
    assert [_key(m) for m in fast] == [_key(m) for m in full]


def _same(fast, full) -> bool:
    if fast.records is None:
        records_same = True
    else:
        records_same = fast.records.keys() == full.records.keys() and all(
            np.array_equal(fast.records[k], full.records[k], equal_nan=True) for k in fast.records
        )
    return (
        fast.summary == full.summary
        and fast.n_records == full.n_records
        and fast.problems == full.problems
        and fast.n_files == full.n_files
        and records_same
    )


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_fast_fit_messages_equal_read_fit_messages(path, full_messages):
    data = _read(path)
    full = full_messages[path.name]
    for records in (False, True):
        fast = fast_fit_messages(data, records=records)
        if fast is None:
            continue
        assert not isinstance(full, Exception), (
            f"fast path read a file the full path refuses: {full}"
        )
        expected = full if records else full._replace(records=None)
        assert _same(fast, expected)


def test_fast_path_covers_the_intact_corpus(full_messages):
    """Every intact file without compressed timestamps takes the fast path."""
    refused = {p.name for p in FILES if fast_fit_messages(_read(p)) is None}
    expected = {
        "fitparse__antfs-dump.63.fit",  # compressed-timestamp headers
        "fitparse__compressed-speed-distance.fit",  # compressed-timestamp headers
    }
    broken = {p.name for p in FILES if p.parent.name == "broken"}
    assert expected <= refused
    assert refused - broken == expected
    # a broken file whose only problems are checksums takes the fast path (which reports
    # them, tests/test_fit_badcrc.py); every other problem is left to the full path
    crc_only = set()
    for name in broken:
        full = full_messages[name]
        if isinstance(full, Exception) or any(k != "bad_crc" for k, _ in full.problems):
            assert name in refused
        elif full.problems:
            crc_only.add(name)
    assert {"fitparse__activity-filecrc.fit", "fitparse__activity-activity-filecrc.fit"} <= crc_only
    assert not crc_only & refused


def test_reduced_stream_is_a_valid_small_fit(corpus):
    data = _read(corpus / "fit" / "fitparse__activity-small-fenix2-run.fit")
    reduced = reduce_fit(data)
    assert len(reduced) < len(data) / 50
    assert fit_crc(reduced) == 0
    with fitdecode.FitReader(reduced, check_crc=fitdecode.CrcCheck.RAISE) as reader:
        names = {f.name for f in reader if f.frame_type == fitdecode.FIT_FRAME_DATA}
    assert "record" not in names
    assert {"file_id", "session", "lap", "activity"} <= names


def test_scan_counts_messages(corpus):
    data = _read(corpus / "fit" / "fitparse__activity-small-fenix2-run.fit")
    scan = scan_fit(data)
    assert scan.counts[20] == 2809  # records, as GROUND_TRUTH.tsv says
    assert scan.counts[18] == 1
    assert scan.n_files == 1
    chained = scan_fit(_read(corpus / "fit" / "fitparse__sample_mulitple_header.fit"))
    assert chained.n_files > 1


def test_refuses_what_it_does_not_understand(corpus):
    data = bytearray(_read(corpus / "fit" / "fitparse__Activity.fit"))
    assert scan_fit(bytes(data)) is not None
    flipped = bytearray(data)
    flipped[40] ^= 0xFF  # a byte of the body: the CRC no longer matches
    assert scan_fit(bytes(flipped)) is None
    # ... unless asked to report it: the structure is intact, the CRC is not
    assert scan_fit(bytes(flipped), crc="report").bad_crc == ((1, "file"),)
    assert scan_fit(bytes(data[:-10]), crc="report") is None
    assert scan_fit(bytes(data[:-10])) is None  # truncated
    assert scan_fit(bytes(data) + b"\x00\x01") is None  # trailing bytes
    assert scan_fit(b"") is None
    assert scan_fit(b"not a fit file at all") is None


def _fit(body: bytes) -> bytes:
    header = struct.pack("<BBHI4s", 12, 0x10, 2100, len(body), b".FIT")
    block = header + body
    return block + struct.pack("<H", fit_crc(block))


def test_compressed_timestamp_header_goes_to_fitdecode():
    # definition of local type 0 = file_id with one enum field (type), then a data
    # message with a compressed-timestamp header (bit 7)
    definition = bytes([0x40, 0, 0]) + struct.pack("<HB", 0, 1) + bytes([0, 1, 0x00])
    normal = _fit(definition + bytes([0x00, 4]))
    compressed = _fit(definition + bytes([0x80 | 3, 4]))
    assert summary_messages(normal)[0].get_value("type") == "activity"
    assert summary_messages(compressed) is None


def test_undefined_local_message_goes_to_fitdecode():
    assert scan_fit(_fit(bytes([0x01, 4]))) is None


def test_unknown_message_name_is_a_parameter_error():
    with pytest.raises(ParameterError):
        scan_fit(_fit(b""), keep={"no_such_message"})

"""Hostile FIT bytes: the scanner, the fast path and the reference decoder.

Every input — random bytes, a real file cut at every offset, bit flips, definition
messages with wrong field sizes, headers declaring huge data sizes — must give a
:class:`~runload.io.parsed.Parsed` or a :class:`~runload.errors.ReadError` with a kind of
``PROBLEM_KINDS``; nothing else may escape, nothing may allocate beyond the file's size.
Mutated files get their checksums recomputed where that matters, so the damage reaches
the fast path (``fitscan`` / ``fitrecords``) instead of stopping at the CRC check.
The long version of these runs is ``benchmarks/fuzz.py``.
"""

from __future__ import annotations

import gzip
import struct
import tracemalloc

import numpy as np
import pandas as pd
import pytest
from conftest import CORPUS, TEST_DATA, corpus_available
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from runload.columns import PROBLEM_KINDS, SPORTS
from runload.errors import ReadError
from runload.io.crc import fit_crc
from runload.io.fit import fit_track, parse_fit, read_fit_messages
from runload.io.fitrecords import record_arrays
from runload.io.fitscan import FitScan, fast_fit_messages, scan_fit
from runload.io.parsed import Parsed

FUZZ = settings(max_examples=60, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
SMALL = (TEST_DATA / "fit" / "offset_plus10h.fit").read_bytes()
RELATIVE = (TEST_DATA / "fit" / "device_relative.fit").read_bytes()
NO_SESSION = (TEST_DATA / "fit" / "no_session.fit").read_bytes()
SEEDS = [SMALL, RELATIVE, NO_SESSION, (TEST_DATA / "fit" / "gps_only.fit").read_bytes()]


def _corpus_seed(name: str) -> bytes | None:
    path = CORPUS / "fit" / name
    if not corpus_available() or not path.is_file():
        return None
    data = path.read_bytes()
    return gzip.decompress(data) if name.endswith(".gz") else data


REAL_RUN = _corpus_seed("fitparse__garmin-fenix-5-run.fit")
REAL_DISTANCE_M = (parse_fit(REAL_RUN, source="full.fit").activities[0]["distance_m"]
                   if REAL_RUN else float("nan"))


def check_parse(data: bytes, *, fast: bool = True) -> Parsed | ReadError:
    """parse_fit's result, or its ReadError; fails on anything else or a bad row."""
    try:
        result = parse_fit(data, source="fuzz.fit", fast=fast)
    except ReadError as exc:
        assert exc.kind in PROBLEM_KINDS, exc.kind
        assert exc.source == "fuzz.fit"
        return exc
    assert isinstance(result, Parsed)
    for kind, message in result.problems:
        assert kind in PROBLEM_KINDS and message
    for row in result.activities:
        assert row["sport"] is None or row["sport"] in SPORTS  # None: no sport stated
        assert row["start_time"] is pd.NaT or isinstance(row["start_time"], pd.Timestamp)
        assert not np.isinf(row["distance_m"])
    if not result.activities:
        assert result.not_activity or result.problems
    return result


def fix_crcs(data: bytes | bytearray) -> bytes:
    """Recompute the header CRC and the file CRC of a single-block FIT file."""
    data = bytearray(data)
    if len(data) >= 14 and data[0] == 14:
        data[12:14] = fit_crc(bytes(data[:12])).to_bytes(2, "little")
    if len(data) >= 2:
        data[-2:] = fit_crc(bytes(data[:-2])).to_bytes(2, "little")
    return bytes(data)


def definitions(data: bytes) -> list[int]:
    """Offsets of the definition messages of a FIT file without compressed headers."""
    end = data[0] + struct.unpack_from("<I", data, 4)[0]
    sizes = [0] * 16
    out = []
    p = data[0]
    while p < end:
        h = data[p]
        if h & 0x40:
            out.append(p)
            nf = data[p + 5]
            sizes[h & 0x0F] = 1 + sum(data[p + 7 : p + 6 + 3 * nf : 3])
            p += 6 + 3 * nf
        else:
            p += sizes[h & 0x0F]
    return out


def same_messages(fast, full) -> None:
    """The fast path's FitMessages equals the reference decoder's."""
    assert fast.summary == full.summary
    assert fast.n_records == full.n_records and fast.n_files == full.n_files
    assert fast.problems == full.problems
    if fast.records is not None:
        for name, column in fast.records.items():
            np.testing.assert_array_equal(column, full.records[name], err_msg=name)


# --- random bytes and FIT-looking random bytes ------------------------------------------


@FUZZ
@given(data=st.binary(max_size=600))
def test_random_bytes(data):
    check_parse(data)
    assert scan_fit(data) is None or isinstance(scan_fit(data), FitScan)


@FUZZ
@given(body=st.binary(max_size=400), size=st.integers(0, 2**32 - 1),
       header=st.sampled_from([12, 14]), crc=st.booleans())
def test_random_body_behind_a_valid_header(body, size, header, crc):
    head = bytearray(struct.pack("<BBHI4s", header, 0x20, 2132, size, b".FIT"))
    if header == 14:
        head += fit_crc(bytes(head)).to_bytes(2, "little")
    data = bytes(head) + body
    if crc:
        data += fit_crc(data).to_bytes(2, "little")
    check_parse(data)
    check_parse(data, fast=False)


# --- truncation ---------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [SMALL, RELATIVE], ids=["offset_plus10h", "device_relative"])
def test_truncation_at_every_offset(seed):
    full = parse_fit(seed, source="full.fit")
    limit = max(r["distance_m"] for r in full.activities)
    for cut in range(len(seed)):
        result = check_parse(seed[:cut])
        if isinstance(result, ReadError):
            assert result.kind in {"empty", "truncated", "malformed", "bad_crc"}
            continue
        # what was recorded before the break, never more than the whole file holds
        assert any(kind in {"truncated", "bad_crc", "malformed"} for kind, _ in result.problems)
        for row in result.activities:
            assert np.isnan(row["distance_m"]) or row["distance_m"] <= limit


@pytest.mark.skipif(REAL_RUN is None, reason="shared corpus not found")
@FUZZ
@given(fraction=st.floats(0.0, 1.0, exclude_max=True))
def test_truncated_real_run(fraction):
    cut = REAL_RUN[: int(len(REAL_RUN) * fraction)]
    result = check_parse(cut)
    if not isinstance(result, ReadError):
        full = REAL_DISTANCE_M
        assert all(np.isnan(r["distance_m"]) or r["distance_m"] <= full + 1e-6
                   for r in result.activities)


# --- bit flips, with and without a repaired checksum -------------------------------------


@FUZZ
@given(seed=st.sampled_from(SEEDS), flips=st.lists(
    st.tuples(st.integers(0, 10**6), st.integers(0, 7)), min_size=1, max_size=6),
    repair=st.booleans())
def test_bit_flips(seed, flips, repair):
    data = bytearray(seed)
    for at, bit in flips:
        data[at % len(data)] ^= 1 << bit
    data = fix_crcs(data) if repair else bytes(data)
    check_parse(data)
    fast = fast_fit_messages(data, records=True)
    if fast is not None:  # the fast path accepted the damaged file: it must agree
        same_messages(fast, read_fit_messages(data, source="f", records=True))


# --- wrong sizes in definition messages -------------------------------------------------


@FUZZ
@given(seed=st.sampled_from(SEEDS), pick=st.integers(0, 10**6), field=st.integers(0, 255),
       what=st.sampled_from(["size", "count", "base", "global", "arch"]),
       value=st.integers(0, 255))
def test_wrong_definitions(seed, pick, field, what, value):
    defs = definitions(seed)
    p = defs[pick % len(defs)]
    nf = seed[p + 5]
    data = bytearray(seed)
    slot = p + 6 + 3 * (field % max(nf, 1))
    if what == "size" and nf:
        data[slot + 1] = value
    elif what == "count":
        data[p + 5] = value
    elif what == "base" and nf:
        data[slot + 2] = value
    elif what == "global":
        data[p + 3] = value
    else:
        data[p + 2] = value
    data = fix_crcs(data)
    check_parse(data)
    check_parse(data, fast=False)
    fast = fast_fit_messages(data, records=True)
    if fast is not None:
        same_messages(fast, read_fit_messages(data, source="f", records=True))


def test_zero_and_odd_field_sizes_are_read_or_refused():
    # a record field size of 0 or one that is not a multiple of its base type
    p = definitions(SMALL)[1]
    for size in (0, 1, 3, 255):
        data = bytearray(SMALL)
        data[p + 6 + 1] = size
        check_parse(fix_crcs(data))
        assert record_arrays(fix_crcs(data)) is None or size in (1, 3, 255)


# --- declared sizes are never trusted beyond the file ------------------------------------


@pytest.mark.parametrize("size", [0xFFFFFFFF, 0x7FFFFFFF, 2**31 + 5, 10**9])
def test_huge_declared_data_size_allocates_nothing_big(size):
    data = bytearray(SMALL)
    data[4:8] = size.to_bytes(4, "little")
    data = fix_crcs(data)
    tracemalloc.start()
    try:
        result = check_parse(data)
        check_parse(data, fast=False)
        scan_fit(data, records=True)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 20 * 2**20  # a 508-byte file never costs more than a few MB
    assert isinstance(result, ReadError) or any(k == "truncated" for k, _ in result.problems)


@pytest.mark.parametrize("declared", [0, 1, 30, 200, 493])
def test_declared_size_shorter_than_the_data(declared):
    """A header data size that ends inside a message (fitdecode asserted on it)."""
    data = bytearray(SMALL)
    data[4:8] = declared.to_bytes(4, "little")
    result = check_parse(bytes(data))
    check_parse(bytes(data), fast=False)
    if isinstance(result, ReadError):
        assert result.kind in {"malformed", "truncated", "bad_crc", "empty"}


def test_declared_size_short_keeps_the_messages_before():
    data = bytearray(NO_SESSION)
    data[4:8] = (len(NO_SESSION) - 40).to_bytes(4, "little")
    result = check_parse(bytes(data))
    assert result.activities and result.activities[0]["distance_m"] < 1200.0
    assert "runs past the data size" in " ".join(m for _, m in result.problems)


def test_track_of_damaged_files_raises_only_read_errors():
    for cut in range(0, len(SMALL), 7):
        for data in (SMALL[:cut], fix_crcs(SMALL[:cut] + b"\x00\x00")):
            try:
                frame = fit_track(data, source="t.fit")
            except ReadError as exc:
                assert exc.kind in PROBLEM_KINDS
            else:
                assert list(frame.columns[:2]) == ["time", "elapsed_s"]

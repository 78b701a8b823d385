"""The FIT record fast path gives fitdecode's values exactly."""

from __future__ import annotations

import datetime
import gzip
import struct
import warnings

import fitdecode
import numpy as np
import pytest
from conftest import CORPUS, corpus_available

from runload.errors import ParameterError
from runload.io.crc import fit_crc
from runload.io.fitrecords import FIT_EPOCH_S, record_arrays


def _read(path) -> bytes:
    data = path.read_bytes()
    return gzip.decompress(data) if path.suffix == ".gz" else data


def _files(limit):
    if not corpus_available():
        return []
    paths = sorted((CORPUS / "fit").glob("*.fit*")) + sorted((CORPUS / "broken").glob("*.fit"))
    return [p for p in paths if p.stat().st_size < limit]


# every corpus file's track fields are checked through read_fit_messages in
# test_fitscan.py; here every field, on the files up to 150 kB (fitdecode is slow)
FILES = _files(150_000)


def _fitdecode_records(data, *, processor):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        kwargs = {} if processor else {"processor": None}
        with fitdecode.FitReader(data, **kwargs) as reader:
            return [
                f for f in reader if f.frame_type == fitdecode.FIT_FRAME_DATA and f.name == "record"
            ]


def _equal(value, element) -> bool:
    if value is None:
        return bool(np.isnat(element)) if isinstance(element, np.datetime64) else np.isnan(element)
    if isinstance(value, datetime.datetime):
        return element == np.datetime64(int(value.timestamp()), "s")
    return isinstance(value, int | float) and not isinstance(value, bool) and element == value


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_every_field_equals_fitdecode(path):
    data = _read(path)
    first = record_arrays(data)
    if first is None:
        return  # compressed timestamps, accumulating components, broken: fitdecode
    messages = _fitdecode_records(data, processor=True)
    for name, column in first.items():
        assert column.shape == (len(messages),)
        for i, message in enumerate(messages):
            assert _equal(message.get_value(name, fallback=None), column[i]), (name, i)
    # raw times and the last field of a name, as fitdecode with processor=None
    last = record_arrays(data, raw_times=True, duplicates="last")
    raw_messages = _fitdecode_records(data, processor=False)
    for name, column in last.items():
        for i, message in enumerate(raw_messages):
            values = [f.value for f in message.fields if f.name == name]
            assert _equal(values[-1] if values else None, column[i]), (name, i)


def test_track_fields_of_a_run(corpus):
    data = _read(corpus / "fit" / "fitparse__activity-small-fenix2-run.fit")
    cols = record_arrays(data, fields=["timestamp", "distance", "heart_rate", "speed"])
    assert set(cols) <= {"timestamp", "distance", "heart_rate", "speed"}
    assert cols["timestamp"].dtype == np.dtype("datetime64[s]")
    assert len(cols["distance"]) == 2809
    assert np.nanmax(cols["distance"]) == pytest.approx(9000, rel=0.1)
    assert np.all(np.diff(cols["timestamp"]).astype(int) >= 0)


def test_refused_files_need_fitdecode(corpus):
    compressed = _read(corpus / "fit" / "fitparse__compressed-speed-distance.fit")
    assert record_arrays(compressed) is None
    assert (
        record_arrays((corpus / "broken" / "fitparse__activity-filecrc.fit").read_bytes()) is None
    )


def _fit(body: bytes, *, big_endian=False) -> bytes:
    header = struct.pack("<BBHI4s", 12, 0x10, 2100, len(body), b".FIT")
    block = header + body
    return block + struct.pack("<H", fit_crc(block))


def _record_file(rows, *, big_endian=False):
    """A FIT file of records: timestamp (uint32), heart_rate (uint8), altitude (uint16)."""
    e = ">" if big_endian else "<"
    definition = bytes([0x40, 0, 1 if big_endian else 0]) + struct.pack(f"{e}HB", 20, 3)
    definition += bytes([253, 4, 0x86, 3, 1, 0x02, 2, 2, 0x84])
    body = definition + b"".join(
        b"\x00" + struct.pack(f"{e}IBH", t, hr, alt) for t, hr, alt in rows
    )
    return _fit(body)


@pytest.mark.parametrize("big_endian", [False, True])
def test_hand_made_records_with_invalid_values(big_endian):
    rows = [(1_000_000_000, 150, 2600), (1_000_000_001, 0xFF, 0xFFFF), (0xFFFFFFFF, 151, 2605)]
    data = _record_file(rows, big_endian=big_endian)
    cols = record_arrays(data)
    assert cols["timestamp"][0] == np.datetime64(1_000_000_000 + FIT_EPOCH_S, "s")
    assert np.isnat(cols["timestamp"][2])
    np.testing.assert_array_equal(cols["heart_rate"], [150, np.nan, 151])
    # altitude: scale 5, offset 500; expanded to enhanced_altitude by its component
    np.testing.assert_array_equal(cols["altitude"], [20.0, np.nan, 21.0])
    np.testing.assert_array_equal(cols["enhanced_altitude"], cols["altitude"])
    messages = _fitdecode_records(data, processor=True)
    for name, column in cols.items():
        for i, message in enumerate(messages):
            assert _equal(message.get_value(name, fallback=None), column[i])


def test_device_relative_times():
    data = _record_file([(1000, 150, 2600)])
    assert record_arrays(data) is None  # fitdecode gives an int, not a date: fall back
    raw = record_arrays(data, raw_times=True)
    assert raw["timestamp"][0] == 1000.0


def test_duplicates_option_is_checked():
    with pytest.raises(ParameterError):
        record_arrays(_record_file([]), duplicates="middle")

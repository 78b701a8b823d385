"""Hostile and broken XML: refused or reported, never expanded, fetched or crashed on."""

from __future__ import annotations

import socket
import threading

import pandas as pd
import pytest
from conftest import TEST_DATA
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from runload.errors import ReadError, RunloadError, UnsafeInputError
from runload.io.gpx import parse_gpx
from runload.io.tcx import parse_tcx
from runload.io.xmlsafe import prepare

READERS = [parse_gpx, parse_tcx]
GPX_NS = 'xmlns="http://www.topografix.com/GPX/1/1"'

BILLION_LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE gpx [\n <!ENTITY lol "lol">\n'
    + "".join(
        f' <!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">\n'
        for i in range(1, 10)
    )
    + f"]>\n<gpx {GPX_NS}><trk><name>&lol9;</name></trk></gpx>\n"
).encode()

QUADRATIC = (
    '<?xml version="1.0"?>\n<!DOCTYPE gpx [<!ENTITY a "' + "x" * 50_000 + '">]>\n'
    f"<gpx {GPX_NS}><trk><name>" + "&a;" * 2_000 + "</name></trk></gpx>\n"
).encode()


def _external_entity(url: str) -> bytes:
    return (f'<?xml version="1.0"?>\n<!DOCTYPE gpx [<!ENTITY xxe SYSTEM "{url}">]>\n'
            f"<gpx {GPX_NS}><trk><name>&xxe;</name></trk></gpx>\n").encode()


def _external_dtd(url: str) -> bytes:
    return (f'<?xml version="1.0"?>\n<!DOCTYPE gpx SYSTEM "{url}">\n'
            f"<gpx {GPX_NS}><trk/></gpx>\n").encode()


@pytest.fixture
def listener():
    """A local TCP server that counts connections: proof that nothing was fetched."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.settimeout(0.2)
    hits: list[int] = []
    stop = threading.Event()

    def serve():
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            hits.append(1)
            conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}/", hits
    stop.set()
    thread.join(timeout=2)
    server.close()


@pytest.mark.parametrize("reader", READERS)
@pytest.mark.parametrize("payload", [BILLION_LAUGHS, QUADRATIC], ids=["billion", "quadratic"])
def test_entity_bombs_refused(reader, payload, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(UnsafeInputError) as info:
        reader(payload, source="bomb.xml")
    assert info.value.kind == "unsafe" and info.value.source == "bomb.xml"
    assert "lol" * 20 not in str(info.value) and "x" * 1000 not in str(info.value)
    assert list(tmp_path.iterdir()) == []  # nothing written


@pytest.mark.parametrize("reader", READERS)
def test_external_entity_file_refused(reader, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT")
    for url in ("file:///etc/passwd", secret.as_uri()):
        with pytest.raises(UnsafeInputError) as info:
            reader(_external_entity(url), source="xxe.gpx")
        assert info.value.kind == "unsafe"
        assert "TOP-SECRET" not in str(info.value) and "root:" not in str(info.value)


@pytest.mark.parametrize("reader", READERS)
def test_external_entity_and_dtd_not_fetched(reader, listener):
    url, hits = listener
    for payload in (_external_entity(url + "e"), _external_dtd(url + "gpx.dtd")):
        with pytest.raises(UnsafeInputError):
            reader(payload, source="fetch.gpx")
    assert hits == []


def test_any_dtd_is_refused():
    data = (f'<?xml version="1.0"?><!DOCTYPE gpx><gpx {GPX_NS}><trk><trkseg>'
            '<trkpt lat="0" lon="0"/></trkseg></trk></gpx>').encode()
    with pytest.raises(UnsafeInputError, match="document type declaration"):
        parse_gpx(data, source="dtd.gpx")


def test_undeclared_entity_in_body_is_malformed_not_expanded():
    data = f'<?xml version="1.0"?><gpx {GPX_NS}><trk><name>&lol9;</name></trk></gpx>'.encode()
    with pytest.raises(ReadError) as info:
        parse_gpx(data, source="u.gpx")
    assert info.value.kind == "malformed_xml" and not isinstance(info.value, UnsafeInputError)


def test_malformed_names_line_and_column_after_stripped_lines():
    data = b"\n\n\n" + f'<?xml version="1.0"?>\n<gpx {GPX_NS}>\n<trk></gpx>'.encode()
    with pytest.raises(ReadError) as info:
        parse_gpx(data, source="m.gpx")
    # the mismatched tag is on line 6 of the file as given (3 blank lines stripped)
    assert info.value.kind == "malformed_xml"
    assert "line 6, column 7" in info.value.message


def test_prepare_strips_bom_and_whitespace_only():
    body, skipped = prepare(b"\xef\xbb\xbf \r\n\t\n<?xml version='1.0'?><a/>", source="p")
    assert body == b"<?xml version='1.0'?><a/>" and skipped == 2


GPX_SAMPLE = (TEST_DATA / "gpx" / "meridian_3pt.gpx").read_bytes()
TCX_SAMPLE = (TEST_DATA / "tcx" / "bom_whitespace_two_laps.tcx").read_bytes()


@pytest.mark.parametrize(("reader", "sample"), [(parse_gpx, GPX_SAMPLE), (parse_tcx, TCX_SAMPLE)])
@pytest.mark.parametrize("fraction", [0.0, 0.01, 0.1, 0.33, 0.5, 0.9, 0.99])
def test_truncated_at_several_offsets(reader, sample, fraction):
    end = sample.rstrip().rfind(b"</")  # before the closing root tag: never well-formed
    cut = sample[: int(end * fraction)]
    with pytest.raises(ReadError) as info:
        reader(cut, source="cut.xml")
    assert info.value.kind in ("empty", "malformed_xml")


def _only_runload_errors(reader, data):
    try:
        reader(data, source="fuzz.xml")
    except RunloadError as exc:
        assert isinstance(exc, ReadError) and exc.kind


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cut=st.integers(min_value=0, max_value=len(GPX_SAMPLE)))
def test_any_truncation_gives_only_read_errors(cut):
    _only_runload_errors(parse_gpx, GPX_SAMPLE[:cut])
    _only_runload_errors(parse_tcx, TCX_SAMPLE[: cut * len(TCX_SAMPLE) // len(GPX_SAMPLE)])


@settings(max_examples=150, deadline=None)
@given(data=st.binary(max_size=300))
def test_random_bytes_give_only_read_errors(data):
    _only_runload_errors(parse_gpx, data)
    _only_runload_errors(parse_tcx, data)


@settings(max_examples=150, deadline=None)
@given(position=st.integers(min_value=0, max_value=len(GPX_SAMPLE) - 1),
       byte=st.integers(min_value=0, max_value=255))
def test_corrupted_byte_gives_result_or_read_error(position, byte):
    data = bytearray(GPX_SAMPLE)
    data[position] = byte
    _only_runload_errors(parse_gpx, bytes(data))
    tcx = bytearray(TCX_SAMPLE)
    tcx[position * len(TCX_SAMPLE) // len(GPX_SAMPLE)] = byte
    _only_runload_errors(parse_tcx, bytes(tcx))


def test_times_outside_the_nanosecond_range_are_unusable_not_fatal():
    data = GPX_SAMPLE.replace(b"2024-03-04T07:00:00Z", b"0024-03-04T07:00:00Z")
    act = parse_gpx(data, source="y.gpx").activities[0]
    assert act["start_time"] == pd.Timestamp("2024-03-04T07:06:00Z")  # the next usable time

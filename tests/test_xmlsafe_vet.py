"""The prolog vetting of ``prepare`` does what defusedxml's parser does, error for error.

``xmlsafe._vet`` (expat with defusedxml's refusals) is compared with
``xmlsafe._vet_defused`` (defusedxml's ``iterparse`` up to the root element's start tag,
the vetting ``prepare`` used before): the same documents pass, and the others raise the
same exception (type, message, expat code and position).
"""

from __future__ import annotations

import glob
from pathlib import Path

import pytest
from conftest import TEST_DATA
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from runload.io import xmlsafe

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
GPX_NS = 'xmlns="http://www.topografix.com/GPX/1/1"'


def _outcome(vet, body: bytes):
    try:
        vet(body)
    except Exception as exc:  # noqa: BLE001 (compared, whatever it is)
        return (type(exc), str(exc), getattr(exc, "code", None),
                getattr(exc, "position", None), repr(exc.args))
    return None


def _same(body: bytes) -> bool:
    return _outcome(xmlsafe._vet, body) == _outcome(xmlsafe._vet_defused, body)


DECLARATIONS = [
    b"", b'<?xml version="1.0"?>', b'<?xml version="1.0" encoding="UTF-8"?>',
    b"<?xml version='1.0' encoding='utf-8' standalone='yes'?>",
    b'<?xml version="1.0" encoding="ISO-8859-1"?>', b'<?xml version="1.0" encoding="bogus"?>',
    b'<?xml version="1.0" encoding="windows-1252"?>', b'<?xml version="1.0" encoding="UTF-16"?>',
    b'<?xml version="2.0"?>', b'<?xml encoding="UTF-8"?>', b"<?xml?>", b"<?xml version=1.0?>",
    b'<?xml version="1.0"', b'<?xml version="1.0"?><?xml version="1.0"?>',
]
PROLOG_ITEMS = [
    b"", b"\n", b"<!-- a comment -->", b"<!-- " + b"long " * 300 + b"-->", b"<?pi data?>",
    b"<!-- bad -- comment -->", b"<!DOCTYPE gpx>", b"<!DOCTYPE gpx []>",
    b'<!DOCTYPE gpx SYSTEM "http://127.0.0.1:9/x.dtd">',
    b'<!DOCTYPE gpx [<!ENTITY a "b">]>', b'<!DOCTYPE gpx [<!ENTITY % p "b">]>',
    b'<!DOCTYPE gpx [<!ENTITY x SYSTEM "file:///etc/passwd">]>',
    b'<!DOCTYPE gpx [<!ENTITY u SYSTEM "x" NDATA png>]>', b"&amp;", b"text", b"<", b"]]>",
    b"<![CDATA[x]]>", b"\xff\xfe", b"\xc3\x28",
]
ROOTS = [
    b"<gpx/>", b"<gpx>", b"<gpx></gpx>", f"<gpx {GPX_NS}><trk/></gpx>".encode(),
    b'<gpx a="1" a="2">', b'<p:gpx xmlns:p="urn:x"/>', b"<p:gpx/>", b'<gpx q:a="1"/>',
    b'<gpx a="<"/>', b'<gpx a="&foo;"/>', b'<gpx a="&amp;"/>', b"<gpx a=1/>",
    b'<gpx creator="Garmin Connect\xc2\xae"/>', b'<gpx creator="\xff"/>', b"<gpx",
    b"<1gpx/>", b"<gpx><a></b></gpx>", b"<gpx>&foo;</gpx>", b"<gpx></gpx><gpx/>",
    b"<gpx>" + b"<a/>" * 400 + b"</b>", b"<gpx " + b" " * 1030 + b"/>",
    b'<gpx xmlns:p="">', b'<gpx xmlns:xml="urn:x"/>',
]


@pytest.mark.parametrize("declaration", DECLARATIONS)
@pytest.mark.parametrize("item", PROLOG_ITEMS)
def test_prolog_pieces(declaration, item):
    for root in (ROOTS[3], ROOTS[1], b""):
        for body in (declaration + b"\n" + item + b"\n" + root, declaration + item + root):
            assert _same(body), body[:200]


@pytest.mark.parametrize("root", ROOTS)
def test_roots(root):
    for declaration in (b"", DECLARATIONS[2]):
        body = declaration + b"\n" + root
        assert _same(body)
        for cut in range(len(body)):  # every truncation
            assert _same(body[:cut])


def test_files():
    paths = [p for p in glob.glob(str(TEST_DATA / "**" / "*"), recursive=True)
             if Path(p).is_file()]
    paths += glob.glob(str(CORPUS / "*" / "*"))
    assert paths
    for path in paths:
        body = Path(path).read_bytes().lstrip(b" \t\r\n")
        assert _same(body), path


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pieces=st.lists(st.sampled_from(DECLARATIONS + PROLOG_ITEMS + ROOTS), max_size=6),
       cut=st.integers(0, 5000), flip=st.tuples(st.integers(0, 5000), st.integers(0, 255)))
def test_random_documents(pieces, cut, flip):
    body = b"".join(pieces)
    assert _same(body)
    assert _same(body[:cut])
    if body:
        at = flip[0] % len(body)
        assert _same(body[:at] + bytes([flip[1]]) + body[at + 1:])


@settings(max_examples=200, deadline=None)
@given(body=st.binary(max_size=3000))
def test_random_bytes(body):
    assert _same(body)

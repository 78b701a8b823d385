"""runload.io.xmlfast: the document text and the checks behind the XML fast paths."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from runload.io.xmlfast import fast_text, plain_chars, text_of, well_formed

#: What XML 1.0 forbids anywhere (C0 controls but tab, LF, CR; U+FFFE; U+FFFF), and ]]>.
_FORBIDDEN = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]|\xef\xbf[\xbe\xbf]|\]\]>")
_PIECES = st.sampled_from([b"a", b" ", b"\t", b"\n", b"\r", b"]", b"]]", b">", b"\xef", b"\xbf",
                           b"\xbe", b"\xef\xbb\xbf", b"\x00", b"\x01", b"\x0b", b"\x1f", b"\x7f",
                           b"\xc3\xa9", b"<a>"])


@given(st.lists(_PIECES, max_size=40).map(b"".join))
def test_plain_chars_agrees_with_a_regular_expression(body):
    assert plain_chars(body) == (_FORBIDDEN.search(body) is None)


@given(st.binary(max_size=200))
def test_plain_chars_agrees_on_any_bytes(body):
    assert plain_chars(body) == (_FORBIDDEN.search(body) is None)


@pytest.mark.parametrize(("body", "plain"), [
    (b"<a>ok\tand\r\nfine</a>", True),
    (b"<a>\x0c</a>", False),
    (b"<a>\xef\xbf\xbf</a>", False),
    (b"<a>\xef\xbf\xbd</a>", True),  # U+FFFD is allowed
    (b"<a>]]></a>", False),
    (b"<a>]] ></a>", True),
])
def test_plain_chars_examples(body, plain):
    assert plain_chars(body) is plain


def test_fast_text_is_text_of_a_well_formed_document():
    good = b'<?xml version="1.0"?>\r\n<a x="1">\r\n<b>2</b></a>'
    assert well_formed(good) and fast_text(good) == text_of(good)
    assert "\r" not in text_of(good)
    bad = b"<a><b></a>"
    assert not well_formed(bad) and fast_text(bad) is None and text_of(bad) == "<a><b></a>"


@pytest.mark.parametrize("body", [
    b'<?xml version="1.0" encoding="ISO-8859-1"?><a/>',  # not UTF-8
    b"<a>\xff</a>",  # not UTF-8
    b"<a><!-- c --></a>",  # a comment after the prolog
    b"<a><![CDATA[x]]></a>",  # CDATA
    b"<a><?pi x?></a>",  # a processing instruction
])
def test_text_of_refuses_what_text_search_cannot_read_exactly(body):
    assert text_of(body) is None

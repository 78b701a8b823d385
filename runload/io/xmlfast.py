"""The text of a vetted XML document, for the readers' regular-expression fast paths.

The GPX and TCX readers can take their numbers from the text of a document with regular
expressions instead of element events, where that is exact: UTF-8 (or ASCII) documents
without comments, CDATA sections or processing instructions after the prolog. In such a
document, once it is known to be well-formed, every ``<`` starts a tag and attribute
values hold no ``<``. Everything else, and every document that is not well-formed, goes
to the element reader (:func:`runload.io.xmlsafe.iter_end`), which also gives the error
message.

Well-formedness is known one of two ways:

* :func:`well_formed`: expat parses the whole document in C with no Python callbacks
  (with namespace processing, as ``iterparse`` does). This is what the TCX reader and the
  general GPX patterns rely on.
* A reader whose patterns match only literal, well-formed elements (the GPX reader's
  per-file point pattern) instead checks the characters with :func:`plain_chars` and
  parses the rest of the document, with the matched elements replaced by a marker
  element that uses their namespace prefixes; see :mod:`runload.io.gpx`.

Every document must first pass :func:`runload.io.xmlsafe.prepare` (no DTD, no entity
declaration, no external reference).

References
----------
.. [1] W3C (2008). Extensible Markup Language (XML) 1.0, 5th ed., sections 2.2
   (characters), 2.4 (character data and ``]]>``) and 2.11 (end-of-line handling).
.. [2] W3C (2009). Namespaces in XML 1.0, 3rd ed., section 5 (namespace constraints).
"""

from __future__ import annotations

import re
import xml.parsers.expat as expat

import numpy as np

__all__ = ["fast_text", "text_of", "well_formed", "plain_chars"]


class _Refused(Exception):
    """A DTD or entity reached the unhandled expat check (cannot happen after prepare)."""


def _refuse(*_args) -> None:
    raise _Refused


#: The XML declaration's encoding, when it has one.
_DECL_ENCODING = re.compile(rb"""<\?xml[ \t\r\n][^>]*?encoding[ \t\r\n]*=[ \t\r\n]*["']([^"']*)["']""")
_TEXT_ENCODINGS = {b"utf-8", b"utf8", b"us-ascii", b"ascii"}
_XML_DECL = re.compile(r"<\?xml[ \t\r\n]")
#: Comments and processing instructions in the prolog, before the root element.
_PROLOG_ITEM = re.compile(r"[ \t\r\n]*(?:<\?.*?\?>|<!--.*?-->)", re.S)


def well_formed(body: bytes) -> bool:
    """Whether expat finds the document well-formed (namespaces included).

    Parameters
    ----------
    body : bytes
        A document that passed :func:`runload.io.xmlsafe.prepare`.

    Returns
    -------
    bool
        ``False`` for any error; the element reader then reports it exactly.

    Notes
    -----
    Handlers that refuse a document type or entity declaration are set as defence in
    depth (:func:`~runload.io.xmlsafe.prepare` has already refused them), and external
    parameter entities are never parsed.
    """
    parser = expat.ParserCreate(namespace_separator="}")
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartDoctypeDeclHandler = _refuse
    parser.EntityDeclHandler = _refuse
    parser.ExternalEntityRefHandler = _refuse
    try:
        parser.Parse(body, True)
    except (expat.ExpatError, _Refused):
        return False
    return True


def plain_chars(body: bytes) -> bool:
    """Whether every character of a UTF-8 document may stand in XML, and ``]]>`` never does.

    Parameters
    ----------
    body : bytes
        The document's bytes (UTF-8; strict decoding has already refused surrogates and
        broken sequences).

    Returns
    -------
    bool
        ``False`` when the bytes hold a C0 control other than tab, LF and CR, U+FFFE,
        U+FFFF (XML 1.0 production [2]) or the string ``]]>``, which may not stand in
        character data (section 2.4) and is rare enough elsewhere to send the document
        to the full check.

    Notes
    -----
    numpy finds the bytes below 32 (one pass, then only those are compared), and
    ``bytes.find`` (``memchr``) the bytes ``]`` and ``0xEF`` that the other two cases
    start with, which most documents do not hold: about 0.5 ms per MB, a tenth of
    expat's parse.
    """
    codes = np.frombuffer(body, dtype=np.uint8)
    low = codes[codes < 32]
    if ((low != 9) & (low != 10) & (low != 13)).any():
        return False
    for lead, bad in ((b"]", (b"]]>",)), (b"\xef", (b"\xef\xbf\xbe", b"\xef\xbf\xbf"))):
        if body.find(lead) >= 0 and any(sequence in body for sequence in bad):
            return False
    return True


def text_of(body: bytes) -> str | None:
    """The text of a vetted document, when plain text search can read it exactly.

    Unlike :func:`fast_text`, well-formedness is not checked: the caller must know it
    some other way before it trusts what it finds.

    Parameters
    ----------
    body : bytes
        The document as returned by :func:`runload.io.xmlsafe.prepare`.

    Returns
    -------
    str or None
        The text (from the root element's start tag on when the prolog holds more than
        the XML declaration), with XML's end-of-line handling applied (CR LF and lone CR
        become LF, XML 1.0 section 2.11); or ``None`` when the fast path must not be used:
        the document is not UTF-8 (or ASCII), or holds a comment, CDATA section or
        processing instruction after the prolog (they can hide text that looks like
        markup).
    """
    declared = _DECL_ENCODING.match(body)
    if declared is not None and declared.group(1).lower() not in _TEXT_ENCODINGS:
        return None
    try:
        text = body.decode("utf-8")
    except UnicodeError:
        return None
    root = items = 0
    while True:
        item = _PROLOG_ITEM.match(text, root)
        if item is None:
            break
        root = item.end()
        items += 1
    for mark in ("<!", "<?"):  # one-character search first (memchr): most files have none
        if text.find(mark[1], root) >= 0 and text.find(mark, root) >= 0:
            return None
    if items > 1 or (items and _XML_DECL.match(text) is None):
        text = text[root:]  # a comment or instruction in the prolog may hold fake tags
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def fast_text(body: bytes) -> str | None:
    """The text of a vetted, well-formed document, when plain text search can read it exactly.

    :func:`well_formed`, then :func:`text_of`.

    Parameters
    ----------
    body : bytes
        The document as returned by :func:`runload.io.xmlsafe.prepare`.

    Returns
    -------
    str or None
        As :func:`text_of`, and ``None`` too when the document is not well-formed (the
        element reader then reports exactly where).
    """
    return text_of(body) if well_formed(body) else None

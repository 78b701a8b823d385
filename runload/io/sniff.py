"""Tell what a file is from its first bytes (the extension is only a hint).

Runners' folders hold files with wrong, doubled or missing extensions (``run.fit.gz``
that is not gzipped, ``activity.xml`` that is a TCX, ``export`` with no extension at
all), so runload looks at the content:

============  ============================================================
kind          recognised by
============  ============================================================
``fit``       header size 12 or 14 at byte 0 and ``.FIT`` at bytes 8-11
``gzip``      the gzip magic ``1f 8b``
``zip``       the zip magic ``PK\\x03\\x04`` (or ``PK\\x05\\x06``, an empty zip)
``gpx``       an XML document whose root element is ``gpx``
``tcx``       an XML document whose root element is ``TrainingCenterDatabase``
============  ============================================================

Anything else is ``None``; :func:`detect` then falls back on the extension, so that a
damaged ``.tcx`` is still handed to the TCX reader, which says what is wrong with it.
"""

from __future__ import annotations

import re

__all__ = [
    "ACTIVITY_EXTENSIONS",
    "UNSUPPORTED_EXTENSIONS",
    "HEAD_BYTES",
    "sniff",
    "extension",
    "detect",
]

#: How many leading bytes :func:`sniff` needs at most.
HEAD_BYTES = 4096

#: Extensions of the formats runload reads (lower case, with the dot).
ACTIVITY_EXTENSIONS = {".fit": "fit", ".gpx": "gpx", ".tcx": "tcx"}

#: Extensions of activity formats runload does not read; such files are reported as
#: ``unsupported`` problems instead of being ignored like photos or CSVs.
UNSUPPORTED_EXTENSIONS = frozenset({".kml", ".kmz", ".pwx", ".srm", ".hrm", ".sml", ".xert"})

_XML_ROOTS = {"gpx": "gpx", "trainingcenterdatabase": "tcx"}
_NAME = re.compile(rb"(?:[A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)")
_PROLOG = ((b"<?", b"?>"), (b"<!--", b"-->"), (b"<!", b">"))


def sniff(head: bytes) -> str | None:
    """The kind of a file from its first bytes.

    Parameters
    ----------
    head : bytes
        The first bytes of the file (:data:`HEAD_BYTES` are enough).

    Returns
    -------
    str or None
        ``'fit'``, ``'gzip'``, ``'zip'``, ``'gpx'`` or ``'tcx'``; ``None`` when the
        content is none of these (including empty input).
    """
    if len(head) >= 12 and head[8:12] == b".FIT" and head[0] in (12, 14):
        return "fit"
    if head[:2] == b"\x1f\x8b":
        return "gzip"
    if head[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
        return "zip"
    return _xml_kind(head)


def _xml_kind(head: bytes) -> str | None:
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        head = head.decode("utf-16", errors="ignore").encode("utf-8")
    elif head[:3] == b"\xef\xbb\xbf":
        head = head[3:]
    pos = 0
    while True:
        while pos < len(head) and head[pos] in b" \t\r\n":
            pos += 1
        for opening, closing in _PROLOG:  # declaration, comments, DOCTYPE
            if head.startswith(opening, pos):
                end = head.find(closing, pos + len(opening))
                if end < 0:
                    return None
                pos = end + len(closing)
                break
        else:
            break
    if not head.startswith(b"<", pos):
        return None
    match = _NAME.match(head, pos + 1)
    if match is None:
        return None
    return _XML_ROOTS.get(match.group(1).decode("ascii").lower())


def extension(name: str) -> str:
    """The activity extension of ``name`` (lower case), looking through ``.gz``.

    ``'run.FIT'`` gives ``'.fit'``, ``'1243401459.fit.gz'`` gives ``'.fit'``,
    ``'track.gz'`` gives ``''`` and ``'photo.jpg'`` gives ``'.jpg'``.
    """
    base = name.replace("\\", "/").rsplit("/", 1)[-1].lower()
    if base.endswith(".gz"):
        base = base[:-3]
    dot = base.rfind(".")
    return base[dot:] if dot > 0 else ""


def detect(head: bytes, *, name: str = "") -> str | None:
    """The format to read a file as: its content first, then its extension.

    Parameters
    ----------
    head : bytes
        The first bytes of the (decompressed) file.
    name : str, optional
        The file name; its extension is used only when the content is not recognised.

    Returns
    -------
    str or None
        ``'fit'``, ``'gpx'``, ``'tcx'``, ``'gzip'``, ``'zip'`` or ``None``.
    """
    kind = sniff(head)
    if kind is not None:
        return kind
    return ACTIVITY_EXTENSIONS.get(extension(name))

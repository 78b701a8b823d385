"""The GPX fast path's per-file point pattern: the shapes this file's own points have.

Most GPX files are written by one program in one shape: every ``<trkpt>`` has the same
children in the same order, some of them optional (a heart rate only once the strap is
found). A regular expression made of those literal tags, each optional, splits such a
file about twice as fast as the general patterns of :mod:`runload.io.gpx`, which must
try every shape the schema allows at every element.

:func:`point_pattern` looks at up to :data:`SAMPLES` points spread over the file, merges
their shapes into one tree (the children of a point, and of its ``<extensions>``, in the
order seen) and compiles it. It gives up (returns ``None``, and the reader goes on with
the general patterns) on anything outside a narrow, safe subset: attributes other than
the point's ``lat`` and ``lon``, self-closing or mixed-content children, names that are
not plain ASCII XML names, the reserved ``xml`` prefixes, children in different orders,
two elements feeding one field (``hr`` and ``heartrate``, GPX 1.0 ``speed`` and an
extension ``speed``), elements other than ``<extensions>`` holding elements, and the
elements the element reader reacts to wherever they stand (``trkpt``, ``trkseg``, ...).

Every point the pattern matches is matched by the general pattern
(:func:`runload.io.gpx._point_pattern`) over the same span with the same field texts:
each piece of the pattern is one way through the general one, with stricter text
(``[^<&]`` in every leaf). ``tests/test_gpx_shape.py`` checks this on the corpus and on
generated documents.

Because it is made of literal tags with matching end tags and no attributes but two
plain ones, a match is also a well-formed element whenever its characters are allowed
in XML and its namespace prefixes are bound where it stands. :mod:`runload.io.gpx` uses
that to skip expat's pass over the whole file (:func:`marker`).

References
----------
.. [1] W3C (2008). Extensible Markup Language (XML) 1.0, 5th ed., production [5]
   (names) and section 3 (elements: end tags match start tags).
.. [2] W3C (2009). Namespaces in XML 1.0, 3rd ed., section 5 (every prefix in an element
   or attribute name must be declared).
"""

from __future__ import annotations

import functools
import re
from typing import NamedTuple

__all__ = ["SAMPLES", "Learned", "point_pattern", "marker"]

#: Points looked at, spread evenly over the file, to learn its shapes.
SAMPLES = 16

#: Elements the element reader reacts to wherever they stand: never in a shape.
_STRUCTURE = frozenset({"trkpt", "trkseg", "trk", "rtept", "wpt", "metadata", "gpx"})
#: Field of a leaf directly in the point, by local name.
_TOP_FIELDS = {"ele": "ele", "time": "time", "speed": "speed0"}
#: Field of a leaf inside ``<extensions>`` (at any depth), by local name.
_DEEP_FIELDS = {"hr": "hr", "heartrate": "hr", "cad": "cad", "cadence": "cad",
                "speed": "speed"}
#: A plain XML name: an optional prefix and a local name, ASCII letters, digits, ``_``,
#: ``.`` and ``-`` (a subset of XML 1.0 production [5] without ``:`` in either part).
_NAME = re.compile(r"(?:([A-Za-z_][A-Za-z0-9_.\-]*):)?([A-Za-z_][A-Za-z0-9_.\-]*)")
#: A tag without attributes (group 1: ``/`` of an end tag, group 2: the name, group 3:
#: ``/`` of an empty-element tag), any other ``<``, or text.
_TOKEN = re.compile(r"<(/?)([^ \t\n<>/]*)(/?)>|<|[^<]+")
_SPACE = frozenset(" \t\n")
#: White space between children (the text has XML end-of-line handling: no CR).
_W = "[ \t\n]*+"
#: An element with no child and no text but white space: fits a leaf or a container.
_BLANK = ()
_MAX_DEPTH = 4


def _children(body: str) -> list | None:
    """The element tree of a point's content: ``[name, kids]`` items in order.

    ``kids`` is ``None`` for a leaf with text, ``_BLANK`` for an element with nothing
    but white space in it, else a list of items. ``None`` for anything outside the
    subset (see the module docstring).
    """
    stack: list[list] = [[]]
    names: list[str] = []
    texts: list[bool] = []  # whether the open element holds text other than white space
    for token in _TOKEN.finditer(body):
        name = token.group(2)
        if name is None:
            piece = token.group(0)
            if piece == "<":
                return None  # attributes, a comment, a processing instruction
            if names and not _SPACE.issuperset(piece):
                texts[-1] = True
            elif not names and not _SPACE.issuperset(piece):
                return None  # text straight in the point
            continue
        if token.group(3) or not name:
            return None  # <child/>, or a malformed tag
        if not token.group(1):
            if len(names) >= _MAX_DEPTH:
                return None
            names.append(name)
            texts.append(False)
            stack.append([])
            continue
        if not names or names.pop() != name:
            return None  # an end tag that does not close the open element
        kids = stack.pop()
        text = texts.pop()
        if kids and text:
            return None  # mixed content
        siblings = stack[-1]
        if any(item[0] == name for item in siblings):
            return None  # one name twice in one element
        siblings.append([name, kids if kids else (None if text else _BLANK)])
    if names:
        return None
    return stack[0]


def _merge(into: list, new: list) -> bool:
    """Merge the items of ``new`` into ``into`` keeping both orders; False on a clash.

    An item ``into`` does not have goes as late as both orders allow: just before the
    next item the two share, else at the end (schema order puts new leaves before
    ``<extensions>``, and new extension leaves after the known ones).
    """
    at = -1
    waiting: list[list] = []
    for name, kids in new:
        found = next((i for i, item in enumerate(into) if item[0] == name), None)
        if found is None:
            waiting.append([name, kids])
            continue
        if found <= at:
            return False  # the two orders disagree
        into[found:found] = waiting
        found += len(waiting)
        waiting = []
        old = into[found][1]
        if kids is _BLANK:
            pass
        elif old is _BLANK:
            into[found][1] = kids
        elif (old is None) != (kids is None):
            return False  # a leaf in one point, a container in another
        elif kids is not None and not _merge(old, kids):
            return False
        at = found
    into.extend(waiting)
    return True


def _freeze(items: list) -> tuple:
    return tuple((name, kids if kids is None or kids is _BLANK else _freeze(kids))
                 for name, kids in items)


#: A text holding more than white space (in the shape, only whether it does counts).
_FILLED = re.compile(">[^<]*[^< \t\n][^<]*<")


@functools.lru_cache(maxsize=1024)
def _shape_of(outline: str) -> tuple | None:
    """The frozen element tree of a point's content outline (texts reduced to ``#``)."""
    items = _children(outline)
    return None if items is None else _freeze(items)


def _sample_shape(text: str, start: int, prefix: str, known: tuple = ()) -> tuple | None:
    """The merged shape of up to :data:`SAMPLES` points spread over the text (and ``known``).

    Of points with as many tags, only the first is looked at (a point of another shape
    that is missed leaves points the pattern does not match, and the reader then uses
    the general patterns: sampling decides speed, never results). A shape is worked out
    from the point's outline (its content with every text that is not white space
    reduced to ``#``), once: outlines are cached, and files from one device share them.
    """
    open_tag = "<" + prefix + "trkpt "
    close_tag = "</" + prefix + "trkpt>"
    merged = _thaw(known)
    seen: set[int] = set()
    last = -1
    size = len(text)
    for k in range(SAMPLES):
        at = text.find(open_tag, max(start, k * size // SAMPLES))
        if at < 0:
            break
        if at == last:
            continue
        last = at
        head = text.find(">", at)
        if head < 0:
            return None
        if text[head - 1] == "/":
            continue  # a point without children
        end = text.find(close_tag, head)
        if end < 0:
            return None
        tags = text.count("<", head, end)
        if tags in seen:
            continue
        seen.add(tags)
        items = _shape_of(_FILLED.sub(">#<", text[head:end + 1])[1:-1])
        if items is None or not _merge(merged, _thaw(items)):
            return None
    return _freeze(merged)


def _thaw(items: tuple) -> list:
    return [[name, kids if kids is None or kids is _BLANK else _thaw(kids)]
            for name, kids in items]


def _pattern_text(items: tuple, depth: int, fields: set[str], prefixes: set[str]) -> str | None:
    """The pattern of the children ``items`` of an element at ``depth`` (1: the point's)."""
    out = []
    for name, kids in items:
        parts = _NAME.fullmatch(name)
        if parts is None:
            return None
        prefix, local = parts.group(1), parts.group(2)
        if prefix is not None:
            if prefix.lower().startswith("xml"):
                return None
            prefixes.add(prefix)
        if local in _STRUCTURE:
            return None
        container = kids is not None and (kids is not _BLANK or local == "extensions")
        if depth == 1:
            if container != (local == "extensions") or local in _DEEP_FIELDS.keys() - {"speed"}:
                return None  # only <extensions> holds elements; hr, cad only inside it
            field = None if container else _TOP_FIELDS.get(local)
        else:
            if local == "extensions" or (container and local in _DEEP_FIELDS):
                return None
            field = None if container else _DEEP_FIELDS.get(local)
        tag = re.escape(name)
        if container:
            inner = _pattern_text(kids if kids is not _BLANK else (), depth + 1, fields,
                                  prefixes)
            if inner is None:
                return None
            body = _W + inner
        elif field is None:
            body = "[^<&]*+"
        elif field in fields:
            return None  # two elements for one field (hr and heartrate, say)
        else:
            fields.add(field)
            body = "(?P<" + field + ">[^<&]*+)"
        out.append("(?:<" + tag + ">" + body + "</" + tag + ">" + _W + ")?+")
    return "".join(out)


class Learned(NamedTuple):
    """A file's point pattern (:func:`point_pattern`)."""

    #: Named groups: ``lat``, ``lon`` and the fields the shape has (``ele``, ``time``,
    #: ``speed0`` for GPX 1.0 ``<speed>``, and ``hr``, ``cad``, ``speed`` from
    #: ``<extensions>``).
    pattern: re.Pattern
    #: The element that stands for a run of matched points (:func:`marker`).
    marker: str
    #: The merged shape the pattern was made from (to learn more with).
    shape: tuple


@functools.lru_cache(maxsize=256)
def _compile(shape: tuple, prefix: str, lon_first: bool) -> Learned | None:
    fields: set[str] = set()
    prefixes: set[str] = set()
    if prefix:
        parts = _NAME.fullmatch(prefix + "trkpt")
        if parts is None or parts.group(1) != prefix[:-1] or prefix.lower().startswith("xml"):
            return None
        prefixes.add(prefix[:-1])
    children = _pattern_text(shape, 1, fields, prefixes)
    if children is None or {"speed0", "speed"} <= fields:
        return None
    first, second = ("lon", "lat") if lon_first else ("lat", "lon")
    value = "[^\"'<&\\t\\n]*+"
    tag = re.escape(prefix) + "trkpt"
    pattern = re.compile(
        "<" + tag + " " + first + '="(?P<' + first + ">" + value + ')" ' + second + '="(?P<'
        + second + ">" + value + ')"(?:/>|>' + _W + children + "</" + tag + ">)" + _W
    )
    return Learned(pattern, marker(prefixes), shape)


def point_pattern(text: str, start: int, prefix: str, lon_first: bool, *,
                  known: Learned | None = None) -> Learned | None:
    """The pattern of this file's point shapes, and the marker for its matches.

    Parameters
    ----------
    text : str
        The document's text (:func:`runload.io.xmlfast.text_of`), or what is left of it
        once a pattern has cut out the points it matched.
    start : int
        Where the first ``<trkpt`` starts.
    prefix : str
        Its namespace prefix with the colon (``''`` for none).
    lon_first : bool
        Whether ``lon`` comes before ``lat``.
    known : Learned, optional
        A pattern learnt before (from the same file), whose shapes are kept: give it with
        the points it left to learn their shapes too.

    Returns
    -------
    Learned or None
        ``None`` when the sampled points fall outside the subset, or teach nothing new
        about ``known``.
    """
    shape = _sample_shape(text, start, prefix, () if known is None else known.shape)
    if shape is None or (known is not None and shape == known.shape):
        return None
    return _compile(shape, prefix, lon_first)


def marker(prefixes: set[str] | frozenset[str]) -> str:
    """An empty element that binds-checks ``prefixes`` where a run of points stood.

    Parameters
    ----------
    prefixes : set of str
        The namespace prefixes a run of matched points uses (without colons).

    Returns
    -------
    str
        ``<_/>`` with one attribute ``prefix:_N=""`` per prefix. In the document with the
        points cut out, the marker is well-formed exactly where the points could stand:
        in element content (a ``<`` in an attribute value or a tag is an error) with
        every prefix declared (an unbound prefix is an error). Its name, ``_``, means
        nothing to the element reader.
    """
    attributes = "".join(f' {p}:_{i}=""' for i, p in enumerate(sorted(prefixes)))
    return "<_" + attributes + "/>"

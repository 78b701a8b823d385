"""Read GPX 1.0 / 1.1 tracks: one activity per file, and its sample stream.

What is read
------------
* Every ``<trkpt>`` of every ``<trkseg>`` of every ``<trk>``: ``lat``/``lon``, ``<ele>``,
  ``<time>``, GPX 1.0 ``<speed>``, and in ``<extensions>`` the Garmin
  TrackPointExtension v1/v2 ``hr``, ``cad`` and ``speed`` (any namespace prefix; also the
  ``heartrate`` / ``cadence`` names some apps use). ``cad`` is revolutions per minute
  (the schema's unit): one foot's strides for running, walking and hiking (doubled into
  steps/min in ``cadence_spm``), pedal revolutions otherwise.
* ``creator`` -> ``device``; the first ``<trk><name>`` (else ``<metadata><name>``) ->
  ``name``; the first ``<trk><type>`` -> ``sport`` through
  :func:`runload.io.sports.sport_from_text` (words or Strava numeric ids such as ``9``).
  A file without ``<type>`` leaves ``sport`` out, for the ingest to decide.

Decisions
---------
* **One activity per file.** Several ``<trk>`` in one file are the pieces of one outing
  written by GPSBabel or a handheld (each track a new power-on or a split), never separate
  workouts in the exports runload reads (Strava, Garmin Connect, Nike, TomTom, Suunto).
  All tracks and segments are joined in file order.
* **Segments** (and tracks) are joined without counting the gap between them: the step
  from the last point of a segment to the first of the next adds no distance and no
  moving time; elapsed time runs from the first to the last time and includes the gaps.
* **Distance** is the great-circle length over the points kept by the GPS-jump filter
  (:func:`runload.io.geo.jump_filter`, 30 m/s default), on the mean Earth radius
  (``distance_source='gps'``); a step that is still implausible after filtering is not
  counted either.
* **Times.** A track without times is an activity with ``start_time`` NaT and a
  ``bad_time`` problem "no times"; impossible point times (before the GPS epoch, like the
  1901-12-13 INT32_MIN placeholder, or after 2100, including years outside pandas'
  nanosecond range such as 0024 or 2999) are dropped with a ``bad_time`` problem. The
  activity is then judged by the rule all readers share
  (:func:`runload.io.timecheck.time_problems`: a start before 1990 or more than a day in
  the future, a run over 48 h) and its clock by :func:`runload.io.timecheck.clock_jumps`
  (a step between consecutive timed points that goes back or is longer than 24 h): each a
  ``bad_time`` problem, the row kept with its figures.
* **Not activities.** A route-only (``<rte>``) or waypoint-only file returns
  ``Parsed.not_activity``; a GPX with neither track points, route nor waypoints (only
  metadata, or empty tracks) raises ``ReadError(kind='empty')``.
* **Malformed XML** raises ``ReadError(kind='malformed_xml')`` naming line and column and
  keeps nothing: a track cut short would silently under-count the week it belongs to.
* **Two readers, one result.** The element reader (``iterparse``) is the reference. When
  the file is well-formed and every ``<trkpt>`` has a plain shape (only ``lat``/``lon``
  attributes; leaf children; ``hr``/``cad``/``speed`` leaves in ``<extensions>``; no
  entity or character reference in the numbers; no comment, CDATA or processing
  instruction), regular expressions split the text into the points' fields and the
  element reader reads only the rest (names, type, creator, segments). The split first
  tries the file's own pattern, learnt from points sampled across it
  (:func:`runload.io.gpxshape.point_pattern`: the literal tags those points have, each
  optional, in their order); then a pattern for the common shapes
  (:func:`_plain_pattern`: children in schema order, Garmin TrackPointExtension); then
  the general one (:func:`_point_pattern`). The first two only match what the general
  one matches, with the same texts. Results are bit-identical
  (``tests/test_xml_fastpath.py``, ``tests/test_gpx_shape.py``); any other file is read
  by the element reader alone. ``FAST = False`` switches the fast path off.
* **Well-formedness** is checked in full either way. Expat parses the whole file
  (:func:`runload.io.xmlfast.well_formed`), except when the file's own pattern took
  every point and every character may stand in XML
  (:func:`runload.io.xmlfast.plain_chars`): each point is then a well-formed element
  (literal tags, plain texts), so the file is well-formed exactly when the rest is, with
  every run of points replaced by a marker element that checks their place and their
  namespace prefixes (:func:`runload.io.gpxshape.marker`). The element reader parses
  that rest anyway; a file that fails is read again by the element reader, which names
  the line and column. Damaged files give the element reader's error
  (``tests/test_gpx_shape.py`` damages files at random).
* **Speed** (``benchmarks/bench_gpx.py``, 2 cores, CPU time): the fast path reads the
  corpus at about 3.7–4.7 µs per point, 2.2–2.8× the element reader and 8.8–10.4× gpxpy
  (parse + ``length_2d``); see ``docs/gpx_tcx.md``. The texts become numbers in bulk
  (:func:`runload.io.xmlsafe.floats_from_text`, :func:`runload.io.xmlsafe.times_ns`:
  pyarrow or numpy for plain columns, numpy/pandas otherwise, same values).

References
----------
.. [1] TopoGrafix, GPX 1.1 Schema Documentation. https://www.topografix.com/GPX/1/1/
.. [2] Garmin, TrackPointExtension v1 and v2 schemas.
   https://www8.garmin.com/xmlschemas/TrackPointExtensionv2.xsd
.. [3] Python documentation, ``re``: possessive quantifiers and atomic groups (3.11).
   https://docs.python.org/3/library/re.html
"""

from __future__ import annotations

import functools
import re
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from ..columns import RUNNING_SPORTS, TRACK, conform, empty
from ..errors import ReadError
from . import geo
from .gpxshape import Learned, point_pattern
from .parsed import Parsed
from .sports import sport_from_text
from .timecheck import clock_jumps, time_problems
from .xmlfast import plain_chars, text_of, well_formed
from .xmlsafe import (
    CHUNK_POINTS,
    TagCodes,
    flush_columns,
    iter_end,
    join_columns,
    plausible_times,
    prepare,
    xml_errors,
)

__all__ = ["parse_gpx", "gpx_track"]

# element codes (by local name, any namespace)
_TRKPT, _TRKSEG, _TRK, _RTEPT, _WPT, _METADATA, _GPX = 1, 2, 3, 4, 5, 6, 7
_XHR, _XCAD, _XSPEED = 8, 9, 10
_OUTER = {
    # hr, cad (in a point's <extensions>) and speed (GPX 1.0, or TrackPointExtension v2)
    # exist only inside points: taken as they end, just before their point ends
    "hr": _XHR,
    "heartrate": _XHR,
    "cad": _XCAD,
    "cadence": _XCAD,
    "speed": _XSPEED,
    "trkpt": _TRKPT,
    "trkseg": _TRKSEG,
    "trk": _TRK,
    "rtept": _RTEPT,
    "wpt": _WPT,
    "metadata": _METADATA,
    "gpx": _GPX,
}
_ELE, _TIME, _NAME, _TYPE = 1, 2, 3, 4
_INNER = {"ele": _ELE, "time": _TIME, "name": _NAME, "type": _TYPE}


class _Raw(NamedTuple):
    """Numbers of the track points, one entry per point in file order, and file facts."""

    cols: dict[str, Any]
    meta: dict[str, Any]


#: The columns collected from each <trkpt>, and how their texts are converted.
_KINDS = {"lat": "float", "lon": "float", "ele": "float", "time": "time", "speed": "float",
          "hr": "float", "cad": "float", "segment": "int"}


#: Use the text-search reader when it can read the file exactly (tests switch it off to
#: compare it with the element reader, which stays the reference and the fallback).
FAST = True


def _scan(data: bytes, *, source: str, fast: bool | None = None) -> _Raw:
    """Read the track points' columns and the file facts (fast path when it is exact)."""
    body, skipped = prepare(data, source=source)
    if FAST if fast is None else fast:
        raw = _fast_read(body, source=source)
        if raw is not None:
            return raw
    return _element_scan(body, skipped, source=source)


def _fast_read(body: bytes, *, source: str) -> _Raw | None:
    """What the element reader would read from a vetted document, or None (fast path)."""
    text = text_of(body)
    return None if text is None else _fast_scan(text, body, source=source)


def _element_scan(body: bytes, skipped: int, *, source: str,
                  facts_only: bool = False) -> _Raw:
    """Stream the document once, keeping only text columns of the track points.

    ``facts_only`` (for the fast path's skeleton, which has no points) skips converting
    the empty columns.
    """
    text: dict[str, list] = {name: [] for name in _KINDS}
    numbers: dict[str, list] = {name: [] for name in _KINDS}
    lat, lon, ele, tim, spd, hr, cad, seg = (text[name] for name in _KINDS)
    meta: dict[str, Any] = {"rtept": 0, "wpt": 0, "trk": 0, "name": None, "type": None,
                            "meta_name": None, "root": None}
    outer = TagCodes(_OUTER)
    inner = TagCodes(_INNER)
    segment = 0
    lat_add, lon_add, ele_add, tim_add = lat.append, lon.append, ele.append, tim.append
    spd_add, hr_add, cad_add, seg_add = spd.append, hr.append, cad.append, seg.append
    h = c = s = None
    with xml_errors(source=source, skipped_lines=skipped):
        for _, el in iter_end(body):
            code = outer[el.tag]
            if not code:
                continue
            if code == _XHR:
                h = el.text
            elif code == _XCAD:
                c = el.text
            elif code == _XSPEED:
                s = el.text
            elif code == _TRKPT:
                attrib = el.attrib
                lat_add(attrib.get("lat"))
                lon_add(attrib.get("lon"))
                e = t = None
                for child in el:
                    kind = inner[child.tag]
                    if kind == _ELE:
                        e = child.text
                    elif kind == _TIME:
                        t = child.text
                ele_add(e)
                tim_add(t)
                spd_add(s)
                hr_add(h)
                cad_add(c)
                seg_add(segment)
                h = c = s = None
                el.clear()
                if len(seg) >= CHUNK_POINTS:
                    flush_columns(text, numbers, _KINDS)
            elif code == _TRKSEG:
                segment += 1
                el.clear()
            elif code == _TRK:
                segment += 1  # points directly in a <trk> (invalid, but seen) get their own
                meta["trk"] += 1
                for child in el:
                    kind = inner[child.tag]
                    if kind == _NAME and meta["name"] is None:
                        meta["name"] = child.text
                    elif kind == _TYPE and meta["type"] is None:
                        meta["type"] = child.text
                el.clear()
            elif code == _RTEPT:
                meta["rtept"] += 1
                h = c = s = None
                el.clear()
            elif code == _WPT:
                meta["wpt"] += 1
                h = c = s = None
                el.clear()
            elif code == _METADATA:
                for child in el:
                    if inner[child.tag] == _NAME:
                        meta["meta_name"] = child.text
            elif code == _GPX:
                meta["root"] = el
                if meta["meta_name"] is None:  # GPX 1.0: <name> straight under <gpx>
                    for child in el:
                        if inner[child.tag] == _NAME:
                            meta["meta_name"] = child.text
    root = meta["root"]
    if root is None:
        raise ReadError("not a GPX file: the root element is not <gpx>", source=source,
                        kind="malformed")
    meta["creator"] = root.get("creator")
    return _Raw({} if facts_only else join_columns(text, numbers, _KINDS), meta)


# ---- fast path: regular expressions over the text of a well-formed document ----------
_S = "[ \\t\\n]"  # XML white space (CR is gone after end-of-line handling)
#: An optional namespace prefix, read once (possessive: no backtracking into names).
_PFX = "(?:[^ \\t\\n<>/:=\"'!?]++:)?+"
#: Elements the element reader reacts to wherever they are: never inside a fast point.
_OUTER_NAMES = "hr|heartrate|cad|cadence|speed|trkpt|trkseg|trk|rtept|wpt|metadata|gpx"


def _not(names: str) -> str:
    """Lookahead: the element name (after its prefix) is none of ``names``."""
    return "(?!(?:" + names + ")[ \\t\\n/>])"


def _leaf(names: str) -> str:
    """After ``<`` and the prefix: a leaf ``names`` whose text holds no reference.

    The group is its text as the element reader sees it ('' when empty).
    """
    return "(?:" + names + ")" + _S + "*>([^<&]*+)</[^<>]*+>"


def _attr(name: str) -> str:
    return name + _S + "*=" + _S + "*([\"'])([^\"'<&\\t\\n]*+)\\{}"


#: Inside <extensions>: text, hr/cad/speed leaves at any depth, other tags.
_EXT_BODY = (
    "[^<]*+(?:<(?:/(?!" + _PFX + "extensions" + _S + "*>)[^<>]*+>"
    + "|" + _PFX + "(?:" + _leaf("hr|heartrate") + "|" + _leaf("cad|cadence")
    + "|" + _leaf("speed") + "|" + _not(_OUTER_NAMES + "|extensions") + "[^<>!?/][^<>]*+>))"
    + "[^<]*+)*+"
)
_POINT_BODY = (
    "[^<]*+(?:<" + _PFX + "(?:" + _leaf("ele") + "|" + _leaf("time") + "|" + _leaf("speed")
    + "|extensions" + _S + "*>" + _EXT_BODY + "</" + _PFX + "extensions" + _S + "*>"
    + "|" + _not(_OUTER_NAMES + "|ele|time|extensions")
    + "[^<>!?/][^<>]*+(?:(?<=/)>|>[^<]*+</[^<>]*+>))[^<]*+)*+"
)


@functools.lru_cache(maxsize=64)
def _point_pattern(prefix: str, lon_first: bool) -> re.Pattern:
    """One ``<trkpt>`` written with ``prefix``, with only its lat and lon attributes.

    The white space after the point is part of the match (the pieces between points are
    then empty strings, which Python does not allocate).

    The literal ``<prefix:trkpt`` start lets the regular expression engine jump from
    point to point; points written with another prefix stay in the skeleton (and so
    send the file to the element reader).

    Groups: quote, first, quote, second, ele, time, speed (GPX 1.0), hr, cad, speed
    (extensions). Every group is the text as the element reader sees it ('' or None when
    empty or absent); the last of several wins, as in the element reader.
    """
    first, second = ("lon", "lat") if lon_first else ("lat", "lon")
    return re.compile(
        "<" + re.escape(prefix) + "trkpt" + _S + "+" + _attr(first).format(1) + _S + "+"
        + _attr(second).format(3) + _S + "*(?:/>|>" + _POINT_BODY
        + "</" + _PFX + "trkpt" + _S + "*>)" + _S + "*+"
    )


#: The common shapes, in schema order: ``ele``, ``time``, GPX 1.0 ``speed``, then
#: ``<extensions>`` holding ``TrackPointExtension`` and leaves: ``hr``, ``cad``,
#: ``speed`` and these others (Garmin, Suunto/Movescount ``gpxdata``, power).
_PLAIN_EXT_LEAF = "(?:atemp|wtemp|depth|course|bearing|temp|distance|PowerInWatts|power)>[^<&]*+"
_XPFX = "(?:\\w++:)?+"  # a namespace prefix of word characters (a subset of _PFX)
#: White space between children, where the general pattern takes any text ``[^<]*+``.
_W = "\\s*+"
_END = "</[^<>]*+>"


@functools.lru_cache(maxsize=64)
def _plain_pattern(prefix: str, lon_first: bool) -> re.Pattern:
    """The common shapes of :func:`_point_pattern`, with its groups; about twice as fast.

    Every point this matches, :func:`_point_pattern` matches over the same span with the
    same groups: each piece here is one way through the general pattern (one space
    between attributes, double quotes, white space only between children, the children
    in schema order, each at most once, an extension's end tag as written). A point it
    does not match stays in the skeleton, and the file is split again with the general
    pattern.
    """
    first, second = ("lon", "lat") if lon_first else ("lat", "lon")
    p = re.escape(prefix)
    leaf = "([^<&]*+)" + _END + _W
    return re.compile(
        "<" + p + "trkpt " + first + '=(")([^"\'<&\\t\\n]*+)" ' + second
        + '=(")([^"\'<&\\t\\n]*+)"(?:/>|>' + _W
        + "(?:<" + p + "ele>" + leaf + ")?"
        + "(?:<" + p + "time>" + leaf + ")?"
        + "(?:<" + p + "speed>" + leaf + ")?"
        + "(?:<" + p + "extensions>" + _W
        + "(?:<(?:" + _XPFX + "(?:hr>([^<&]*+)|cad>([^<&]*+)|speed>([^<&]*+)|"
        + _PLAIN_EXT_LEAF + ")" + _END + "|/?+" + _XPFX + "TrackPointExtension>)" + _W + ")*+"
        + "</" + p + "extensions>" + _W + ")?"
        + "</" + p + "trkpt>)" + _S + "*+"
    )


#: Group numbers of the fields in the general patterns (the per-file pattern names its).
_FIELD_GROUPS = {"ele": 5, "time": 6, "speed0": 7, "hr": 8, "cad": 9, "speed": 10}
_ANY_POINT = re.compile("<(" + _PFX + ")trkpt[ \t\n/>]")
_LON_FIRST = re.compile("<" + _PFX + "trkpt" + _S + "+lon[ \t\n=]")
_LOOSE_EXTRA = re.compile("<" + _PFX + "(?:trkpt|hr|heartrate|cad|cadence|speed)[ \t\n/>]")
_SEG_START = re.compile("<" + _PFX + "(?:trkseg|trk)[ \t\n/>]")
_SEG_END = re.compile("</" + _PFX + "(?:trkseg|trk)" + _S + "*>|<" + _PFX
                      + "(?:trkseg|trk)(?:" + _S + "[^<>]*)?/>")


def _texts(values: list) -> list:
    """Empty texts as the element reader has them (``None``)."""
    return [v or None for v in values] if "" in values else values


def _field_groups(pattern: re.Pattern, lon_first: bool) -> dict[str, int]:
    """Group number of each field's text in ``pattern`` (absent fields are left out)."""
    if pattern.groupindex:
        return dict(pattern.groupindex)
    first, second = ("lon", "lat") if lon_first else ("lat", "lon")
    return {first: 2, second: 4, **_FIELD_GROUPS}


def _split(text: str, start: int, prefix: str, lon_first: bool,
           ) -> tuple[Learned | re.Pattern, list, list, str] | None:
    """Split the text at its points with the first pattern that reads every point.

    The file's own pattern (:func:`runload.io.gpxshape.point_pattern`) first; when it
    leaves points, once more with their shapes learnt too; then :func:`_plain_pattern`
    and :func:`_point_pattern`. Returns ``(pattern, parts, pieces, skeleton)``: the
    pattern (a :class:`~runload.io.gpxshape.Learned` for the file's own), the split, the
    text between points, and that text joined (without leading white space); ``None``
    when no pattern reads every point or an ``hr``, ``cad`` or ``speed`` element stands
    outside the points.
    """
    learned = point_pattern(text, start, prefix, lon_first)
    candidates: list[Learned | re.Pattern] = [_plain_pattern(prefix, lon_first),
                                              _point_pattern(prefix, lon_first)]
    if learned is not None:
        candidates.insert(0, learned)
    retried = False
    while candidates:
        chosen = candidates.pop(0)
        pattern = chosen.pattern if isinstance(chosen, Learned) else chosen
        parts = pattern.split(text)
        pieces = parts[::pattern.groups + 1]
        skeleton = "".join(pieces).lstrip(" \t\n")
        left = _LOOSE_EXTRA.search(skeleton)
        if left is None:
            return chosen, parts, pieces, skeleton
        if chosen is learned and not retried and (point := _ANY_POINT.search(skeleton)):
            # learn the shapes of the points left, once, and try again
            retried = True
            learned = point_pattern(skeleton, point.start(), prefix, lon_first, known=chosen)
            if learned is not None:
                candidates.insert(0, learned)
    return None


def _fast_scan(text: str, body: bytes, *, source: str) -> _Raw | None:
    """The track points of a vetted document by text search, or None.

    Returns None (use the element reader) unless every ``<trkpt>`` has a shape one of the
    patterns reads exactly (:func:`runload.io.gpxshape.point_pattern`, then
    :func:`_plain_pattern`, then :func:`_point_pattern`), nothing outside the points is a
    ``hr``, ``cad`` or ``speed`` element (the element reader would lend it to the next
    point), every ``<trkseg>``/``<trk>`` end is found, and the document is well-formed.
    The file facts (name, type, creator, routes, waypoints, tracks) are read by the
    element reader from the document with the points cut out, which is small.

    Well-formedness: when the per-file pattern took every point and every character may
    stand in XML (:func:`runload.io.xmlfast.plain_chars`), each point is a well-formed
    element, so the document is well-formed if and only if it still is with each run of
    points replaced by a marker element that checks their place and namespace prefixes
    (:func:`runload.io.gpxshape.marker`); the element reader parses that anyway for the
    facts. Otherwise expat checks the whole document first
    (:func:`runload.io.xmlfast.well_formed`).
    """
    first = _ANY_POINT.search(text)
    if first is None:
        return None
    prefix = first.group(1)
    lon_first = _LON_FIRST.match(text, first.start()) is not None
    split = _split(text, first.start(), prefix, lon_first)
    if split is None:
        return None  # a point of another shape, or hr/cad/speed outside the points
    chosen, parts, pieces, skeleton = split
    learned = chosen if isinstance(chosen, Learned) else None
    pattern = chosen.pattern if learned is not None else chosen
    step = pattern.groups + 1
    ends = _SEG_END.findall(skeleton)
    if len(ends) != len(_SEG_START.findall(skeleton)):
        return None  # a <trkseg/> or <trk/> whose end was not recognised
    marker = learned.marker if learned is not None and plain_chars(body) else None
    if marker is None and not well_formed(body):
        return None
    n = len(pieces) - 1
    groups = _field_groups(pattern, lon_first)
    lat, lon, ele, tim, hr, cad, speed, outer_speed = (
        parts[groups[name]::step] if name in groups else [None] * n
        for name in ("lat", "lon", "ele", "time", "hr", "cad", "speed", "speed0"))
    ele, tim, hr, cad = _texts(ele), _texts(tim), _texts(hr), _texts(cad)
    if outer_speed.count(None) != n:
        pairs = list(zip(outer_speed, speed, strict=True))
        if any(a is not None and b is not None for a, b in pairs):
            return None  # GPX 1.0 <speed> and an extension speed in one point
        speed = [b if a is None else a for a, b in pairs]
    speed = _texts(speed)
    # segment number: <trkseg> and <trk> ends before each point
    counts = np.zeros(n + 1, dtype=np.int64)
    if ends:  # NUL cannot stand in XML text, and no end tag spans two pieces
        marked = "\0".join(pieces)
        piece = last = 0
        for end in _SEG_END.finditer(marked):
            piece += marked.count("\0", last, end.start())
            last = end.start()
            counts[piece] += 1
    segment = np.cumsum(counts)[:n]
    if marker is None:
        facts = _element_scan(skeleton.encode("utf-8"), 0, source=source, facts_only=True)
    else:
        # one marker for each run of points (pieces between two points are empty)
        rest = marker.join([pieces[0], *filter(None, pieces[1:-1])]) + marker + pieces[-1]
        try:
            facts = _element_scan(rest.lstrip(" \t\n").encode("utf-8"), 0, source=source,
                                  facts_only=True)
        except ReadError:
            return None  # not well-formed: the element reader says where
    columns = {"lat": lat, "lon": lon, "ele": ele, "time": tim, "speed": speed, "hr": hr,
               "cad": cad}
    numbers: dict[str, list] = {name: [] for name in _KINDS}
    kinds = {name: kind for name, kind in _KINDS.items() if name != "segment"}
    for start in range(0, n, CHUNK_POINTS):
        chunk = {name: values[start:start + CHUNK_POINTS] for name, values in columns.items()}
        flush_columns(chunk, numbers, kinds)
        numbers["segment"].append(segment[start:start + CHUNK_POINTS])
    return _Raw(join_columns({}, numbers, _KINDS), facts.meta)


def _clean(text: str | None) -> str | None:
    if text is None:
        return None
    text = " ".join(text.split())
    return text or None


def _not_activity(raw: _Raw, *, source: str) -> str | None:
    """Why a GPX without track points is no activity; raise when it holds nothing."""
    if raw.cols["lat"].size:
        return None
    if raw.meta["rtept"]:
        return f"GPX route, no track ({raw.meta['rtept']} route points)"
    if raw.meta["wpt"]:
        return f"GPX with waypoints only ({raw.meta['wpt']} waypoints)"
    what = "empty tracks" if raw.meta["trk"] else "metadata only"
    raise ReadError(f"GPX without track points, route or waypoints ({what})", source=source,
                    kind="empty")


def _arrays(
    raw: _Raw,
    *,
    max_speed_m_s: float | None,
    jump_tolerance_m: float,
    max_excursion_points: int,
    stream: bool,
) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """Numbers of the kept points (numpy arrays) and the problems met on the way.

    With ``stream=False`` only what the activity summary needs is converted.
    """
    problems: list[tuple[str, str]] = []
    lat = raw.cols["lat"].copy()
    lon = raw.cols["lon"].copy()
    bad_pos = ~(np.isfinite(lat) & np.isfinite(lon)) | (np.abs(lat) > 90) | (np.abs(lon) > 180)
    if bad_pos.any():
        lat[bad_pos] = np.nan
        lon[bad_pos] = np.nan
    times, message = plausible_times(raw.cols["time"])
    has_time = ~times.isna()
    if message:
        problems.append(("bad_time", message))
    elif not has_time.any():
        problems.append(("bad_time", "no times: the track points have no <time>"))
    ns = times.asi8
    t0 = ns[has_time.argmax()] if has_time.any() else 0
    time_s = np.where(has_time, (ns - t0) / 1e9, np.nan)
    segment = raw.cols["segment"]
    starts = np.concatenate(([True], segment[1:] != segment[:-1]))

    if max_speed_m_s is None:
        keep = np.ones(lat.size, dtype=bool)
        brk = starts
        distance = geo.cumulative_distance_m(lat, lon, breaks=brk)
    else:
        # segment numbers never decrease, so a segment starts between two kept points
        # exactly when their numbers differ: filter_track's breaks are those of the jump
        # filter, jump_steps and cumulative_distance_m called one after the other
        keep, brk, distance = geo.filter_track(
            lat, lon, time_s,
            breaks=starts,
            max_speed_m_s=max_speed_m_s,
            tolerance_m=jump_tolerance_m,
            max_excursion_points=max_excursion_points,
        )
    if not keep.all():
        lat, lon, time_s, segment = lat[keep], lon[keep], time_s[keep], segment[keep]
        times, has_time = times[keep], has_time[keep]
    out: dict[str, Any] = {
        "times": times,
        "has_time": has_time,
        "time_s": time_s,
        "distance_m": distance,
        "breaks": brk,
        "heart_rate_bpm": raw.cols["hr"][keep],
        "elevation_m": raw.cols["ele"][keep],
    }
    if stream:
        speed = raw.cols["speed"][keep]
        if not np.isfinite(speed).any():
            step = np.diff(distance, prepend=0.0)
            with np.errstate(divide="ignore", invalid="ignore"):
                speed = np.where(~brk, step / np.diff(time_s, prepend=np.nan), np.nan)
            speed[~np.isfinite(speed)] = np.nan
        cadence = raw.cols["cad"][keep]
        kind = _clean(raw.meta["type"])
        if kind is not None and sport_from_text(kind) in _STRIDE_SPORTS:
            cadence = cadence * 2.0
        out.update(lat_deg=lat, lon_deg=lon, speed_m_s=speed, cadence_spm=cadence,
                   segment=segment)
    return out, problems


#: Sports whose GPX ``cad`` counts one foot's strides per minute (doubled to steps/min).
_STRIDE_SPORTS = (*RUNNING_SPORTS, "walking", "hiking")


def _summary(raw: _Raw, cols: dict[str, Any], *, ascent_threshold_m: float,
             stop_speed_m_s: float) -> dict[str, Any]:
    """The activity row of one GPX file from the numbers of its kept points."""
    valid = np.flatnonzero(cols["has_time"])
    ns = cols["times"].asi8
    hr = cols["heart_rate_bpm"]
    distance = cols["distance_m"]
    if valid.size:  # min/max, not first/last: a few files have points out of order
        first, last = ns[valid].min(), ns[valid].max()
        start = pd.Timestamp(int(first), tz="UTC")
        elapsed = float(last - first) / 1e9
        moving = geo.moving_time_s(cols["time_s"], np.diff(distance, prepend=0.0),
                                   breaks=cols["breaks"], stop_speed_m_s=stop_speed_m_s)
    else:
        start, elapsed, moving = pd.NaT, float("nan"), float("nan")
    activity: dict[str, Any] = {
        "format": "gpx",
        "start_time": start,
        "elapsed_time_s": elapsed,
        "moving_time_s": moving,
        "distance_m": float(distance[-1]) if distance.size else 0.0,
        "distance_source": "gps",
        "ascent_m": geo.ascent_m(cols["elevation_m"], threshold_m=ascent_threshold_m),
        "avg_heart_rate_bpm": float(np.nanmean(hr)) if np.isfinite(hr).any() else float("nan"),
    }
    kind = _clean(raw.meta["type"])
    if kind is not None:
        activity["sport"] = sport_from_text(kind)
    device = _clean(raw.meta["creator"])
    if device is not None:
        activity["device"] = device
    name = _clean(raw.meta["name"]) or _clean(raw.meta["meta_name"])
    if name is not None:
        activity["name"] = name
    return activity


def _time_problems(activity: dict[str, Any], cols: dict[str, Any]) -> list[tuple[str, str]]:
    """``bad_time`` problems of the activity row and of its kept points' clock.

    The rule all readers share (:func:`runload.io.timecheck.time_problems`), and clock
    jumps between consecutive timed points in file order
    (:func:`runload.io.timecheck.clock_jumps`). Judged on the joined columns, so the
    fast path and the element reader give the same problems.
    """
    found = time_problems(activity["start_time"], activity["elapsed_time_s"],
                          activity["moving_time_s"], sport=activity.get("sport"))
    ns = cols["times"].asi8
    return found + clock_jumps(ns[cols["has_time"]])


def parse_gpx(
    data: bytes,
    *,
    source: str,
    max_speed_m_s: float | None = geo.MAX_SPEED_M_S,
    jump_tolerance_m: float = geo.JUMP_TOLERANCE_M,
    max_excursion_points: int = geo.MAX_EXCURSION_POINTS,
    stop_speed_m_s: float = geo.STOP_SPEED_M_S,
    ascent_threshold_m: float = geo.ASCENT_THRESHOLD_M,
) -> Parsed:
    """Read one GPX file's bytes into one activity.

    Parameters
    ----------
    data : bytes
        The whole file (already un-gzipped / taken out of its archive).
    source : str
        The file's name, for messages.
    max_speed_m_s : float or None, default 30.0
        Speed limit of the GPS-jump filter, m/s; ``None`` keeps every point
        (see :func:`runload.io.geo.jump_steps`).
    jump_tolerance_m : float, default 25.0
        Distance slack of the jump filter, m.
    max_excursion_points : int, default 20
        Longest run of points the jump filter may drop as one glitch.
    stop_speed_m_s : float, default 0.5
        Below this speed a step is a stop, for ``moving_time_s``, m/s.
    ascent_threshold_m : float, default 5.0
        Hysteresis of the total ascent, m (see :func:`runload.io.geo.ascent_m`).

    Returns
    -------
    Parsed
        One activity (keys of :data:`runload.columns.ACTIVITIES`: ``format``, ``sport``
        when the file has ``<type>``, ``start_time``, ``elapsed_time_s``,
        ``moving_time_s``, ``distance_m``, ``distance_source='gps'``, ``ascent_m``,
        ``avg_heart_rate_bpm``, ``device`` and ``name`` when known) and its ``bad_time``
        problems; or no activity and ``not_activity`` for route-only and waypoint-only
        files.

    Raises
    ------
    ReadError
        ``kind='empty'`` (no bytes, or no track point, route or waypoint),
        ``kind='malformed_xml'`` (not well-formed; line and column in the message),
        ``kind='malformed'`` (the root element is not ``<gpx>``).
    UnsafeInputError
        ``kind='unsafe'``: a DTD, entity declaration or external reference.

    Notes
    -----
    ``distance_m`` is the haversine length on the mean Earth radius (6 371 008.8 m) of the
    points kept by the jump filter, without the gaps between segments. ``moving_time_s``
    sums the steps faster than ``stop_speed_m_s``; ``elapsed_time_s`` runs from the
    earliest usable time (``start_time``) to the latest. ``avg_heart_rate_bpm`` is the
    mean of the samples.
    """
    raw = _scan(data, source=source)
    why = _not_activity(raw, source=source)
    if why is not None:
        return Parsed([], [], why)
    cols, problems = _arrays(raw, max_speed_m_s=max_speed_m_s,
                             jump_tolerance_m=jump_tolerance_m,
                             max_excursion_points=max_excursion_points, stream=False)
    activity = _summary(raw, cols, ascent_threshold_m=ascent_threshold_m,
                        stop_speed_m_s=stop_speed_m_s)
    problems.extend(_time_problems(activity, cols))
    return Parsed([activity], problems, None)


def gpx_track(
    data: bytes,
    *,
    source: str,
    max_speed_m_s: float | None = geo.MAX_SPEED_M_S,
    jump_tolerance_m: float = geo.JUMP_TOLERANCE_M,
    max_excursion_points: int = geo.MAX_EXCURSION_POINTS,
) -> pd.DataFrame:
    """Read one GPX file's sample stream.

    Parameters
    ----------
    data : bytes
        The whole file.
    source : str
        The file's name, for messages.
    max_speed_m_s, jump_tolerance_m, max_excursion_points
        The GPS-jump filter, as in :func:`parse_gpx`; ``max_speed_m_s=None`` keeps every
        point.

    Returns
    -------
    pandas.DataFrame
        The :data:`runload.columns.TRACK` columns, one row per kept track point, then
        ``segment`` (int, one number per ``<trkseg>``) and ``step_counted`` (bool: the
        step into this point counts as distance). ``distance_m`` is cumulative and does
        not count the gaps between segments; ``speed_m_s`` is the file's own speed where
        it has one, else distance over time. Route-only and waypoint-only files give an
        empty frame.

    Raises
    ------
    ReadError, UnsafeInputError
        As :func:`parse_gpx`.
    """
    raw = _scan(data, source=source)
    if _not_activity(raw, source=source) is not None:
        return conform(empty(TRACK), TRACK)
    cols, _ = _arrays(raw, max_speed_m_s=max_speed_m_s, jump_tolerance_m=jump_tolerance_m,
                      max_excursion_points=max_excursion_points, stream=True)
    time_s = cols["time_s"]
    frame = pd.DataFrame({
        "time": cols["times"],
        "elapsed_s": time_s - (np.nanmin(time_s) if np.isfinite(time_s).any() else 0.0),
        "lat_deg": cols["lat_deg"],
        "lon_deg": cols["lon_deg"],
        "distance_m": cols["distance_m"],
        "speed_m_s": cols["speed_m_s"],
        "heart_rate_bpm": cols["heart_rate_bpm"],
        "cadence_spm": cols["cadence_spm"],
        "elevation_m": cols["elevation_m"],
        "segment": cols["segment"],
        "step_counted": ~cols["breaks"],
    })
    return conform(frame, TRACK)

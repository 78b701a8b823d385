"""The GPX reader's per-file point pattern (runload.io.gpxshape) and the checks it skips.

The per-file pattern must split a document exactly as the general pattern does (same
pieces, same field texts), and a document read without expat's pass must give the same
result or the same error as the element reader, for every document: the corpus, generated
documents in the pattern's subset, and the same documents damaged at random.
"""

from __future__ import annotations

import pytest
from conftest import both_paths, fast_path_used
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_xml_fastpath import _document, _gpx_files

from runload.io import gpx, gpxshape
from runload.io.xmlfast import text_of
from runload.io.xmlsafe import prepare

FIELDS = ("lat", "lon", "ele", "time", "speed0", "hr", "cad", "speed")


def _shape_split(data: bytes):
    """(pieces and field columns by the per-file pattern, the same by the general one),
    or None when the per-file pattern is not made or leaves a point unread."""
    body, _ = prepare(data, source="f.gpx")
    text = text_of(body)
    first = None if text is None else gpx._ANY_POINT.search(text)
    if first is None:
        return None
    lon_first = gpx._LON_FIRST.match(text, first.start()) is not None
    split = gpx._split(text, first.start(), first.group(1), lon_first)
    if split is None or not isinstance(split[0], gpxshape.Learned):
        return None  # the general patterns read the file
    out = []
    for pattern in (split[0].pattern, gpx._point_pattern(first.group(1), lon_first)):
        parts = pattern.split(text)
        step = pattern.groups + 1
        groups = gpx._field_groups(pattern, lon_first)
        n = len(parts[::step]) - 1
        out.append((parts[::step], {name: parts[groups[name]::step] if name in groups
                                    else [None] * n for name in FIELDS}))
    return out


def test_the_shape_pattern_splits_the_corpus_as_the_general_one(corpus):
    taken = 0
    for path in _gpx_files(corpus):
        split = _shape_split(path.read_bytes())
        if split is not None:
            assert split[0] == split[1], path.name
            taken += 1
    assert taken >= 15  # every corpus activity file


# ---- documents in the pattern's subset ---------------------------------------------
_NUMBER = st.one_of(st.floats(-200, 200, allow_nan=False).map(repr),
                    st.integers(-500, 500).map(str), st.sampled_from(["", " 7 ", "nan"]))
_TIME = st.sampled_from(["2024-03-04T07:00:00Z", "2024-03-04T07:00:01.5Z", "",
                         "2024-03-04T09:00:02+02:00", "junk"])
#: name, prefix kind ('p': the points' prefix, 'x': the extension prefix), the text
_TOP = [("ele", _NUMBER), ("time", _TIME), ("sat", st.integers(0, 12).map(str)),
        ("speed", _NUMBER), ("hdop", _NUMBER)]
_EXT = [("hr", _NUMBER), ("cad", _NUMBER), ("atemp", _NUMBER), ("speed", _NUMBER),
        ("heartrate", _NUMBER), ("course", _NUMBER)]
_WS = st.sampled_from(["", " ", "\n", "\n   ", "\t"])


@st.composite
def _shaped_document(draw):
    """Points that share one order of children, each child present or not."""
    prefix = draw(st.sampled_from(["", "g:"]))
    x = draw(st.sampled_from(["gpxtpx:", "ns3:", ""]))
    lon_first = draw(st.integers(0, 4)) == 0
    top = draw(st.lists(st.sampled_from(_TOP), unique_by=lambda c: c[0], max_size=4))
    ext = draw(st.lists(st.sampled_from(_EXT), unique_by=lambda c: c[0], max_size=4))
    wrapped = draw(st.booleans())  # hr... inside <TrackPointExtension>, or straight in
    ws = draw(_WS)
    points = []
    for _ in range(draw(st.integers(1, 12))):
        lat, lon = draw(_NUMBER), draw(_NUMBER)
        attrs = f'lon="{lon}" lat="{lat}"' if lon_first else f'lat="{lat}" lon="{lon}"'
        kids = [f"<{prefix}{name}>{draw(text)}</{prefix}{name}>" for name, text in top
                if draw(st.booleans())]
        leaves = [f"<{x}{name}>{draw(text)}</{x}{name}>" for name, text in ext
                  if draw(st.booleans())]
        if ext and draw(st.booleans()):
            inner = ws.join(leaves)
            if wrapped:
                inner = f"<{x}TrackPointExtension>{inner}</{x}TrackPointExtension>"
            kids.append(f"<{prefix}extensions>{ws}{inner}{ws}</{prefix}extensions>")
        if not kids and draw(st.booleans()):
            points.append(f"<{prefix}trkpt {attrs}/>")
        else:
            points.append(f"<{prefix}trkpt {attrs}>{ws}{ws.join(kids)}{ws}</{prefix}trkpt>")
    cut = draw(st.integers(0, len(points)))
    segments = [points[:cut], points[cut:]] if draw(st.booleans()) else [points]
    body = "".join(f"<{prefix}trkseg>{ws}{ws.join(seg)}{ws}</{prefix}trkseg>"
                   for seg in segments)
    ns = ('xmlns:g="http://www.topografix.com/GPX/1/1"' if prefix
          else 'xmlns="http://www.topografix.com/GPX/1/1"')
    doc = (f'<?xml version="1.0" encoding="UTF-8"?>\n<{prefix}gpx version="1.1" '
           f'creator="hypothesis" {ns} '
           'xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v2" '
           'xmlns:ns3="http://www.garmin.com/xmlschemas/TrackPointExtension/v1">'
           f"<{prefix}trk><{prefix}name>run</{prefix}name>{body}</{prefix}trk></{prefix}gpx>\n")
    return doc.encode("utf-8")


SETTINGS = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(data=_shaped_document())
def test_the_shape_pattern_splits_shaped_documents_as_the_general_one(data):
    split = _shape_split(data)
    if split is not None:
        assert split[0] == split[1]


@SETTINGS
@given(data=_document())
def test_the_shape_pattern_splits_random_documents_as_the_general_one(data):
    split = _shape_split(data)
    if split is not None:
        assert split[0] == split[1]


@SETTINGS
@given(data=_shaped_document())
def test_shaped_documents_are_read_as_the_element_reader_reads_them(data):
    with pytest.MonkeyPatch.context() as monkeypatch:
        for reader in (gpx.parse_gpx, gpx.gpx_track):
            reference, fast = both_paths(monkeypatch, gpx, reader, data)
            assert fast == reference


def test_most_shaped_documents_take_the_pattern_and_skip_expat(monkeypatch):
    """Without damage, a shaped document is read with no expat pass."""
    def no_expat(body):
        raise AssertionError("expat was asked")

    monkeypatch.setattr(gpx, "well_formed", no_expat)
    data = SAMPLE
    assert _shape_split(data) is not None
    assert fast_path_used(gpx, data)


# ---- damage the skipped expat pass would have found --------------------------------
SAMPLE = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<gpx version="1.1" creator="t" xmlns="http://www.topografix.com/GPX/1/1" '
    'xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v2">\n'
    "<trk><name>run</name><trkseg>\n"
    + "".join(
        f'<trkpt lat="{47 + i / 1e4}" lon="8.5"><ele>{400 + i}</ele>'
        f"<time>2024-03-04T07:00:{i:02d}Z</time><extensions><gpxtpx:TrackPointExtension>"
        f"<gpxtpx:hr>{120 + i}</gpxtpx:hr></gpxtpx:TrackPointExtension></extensions>"
        "</trkpt>\n" for i in range(40))
    + "</trkseg></trk></gpx>\n"
).encode()


@pytest.mark.parametrize("edit", [
    # an undeclared prefix, used only inside the points
    (b' xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v2"', b""),
    # the prefix declared on another segment only
    (b' xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v2">',
     b'><trkseg xmlns:gpxtpx="urn:x"></trkseg>'),
    (b"<ele>410</ele>", b"<ele>4\x0110</ele>"),  # a control character in a number
    (b"<ele>410</ele>", b"<ele>4\xef\xbf\xbf10</ele>"),  # U+FFFF
    (b"<ele>410</ele>", b"<ele>410]]></ele>"),  # ]]> in character data
    (b"<ele>410</ele>", b"<ele>\x00</ele>"),  # NUL
    (b'creator="t"', b'creator="<trkpt lat="1" lon="2"></trkpt>"'),  # a point in a value
    (b"</gpx>", b'</gpx><trkpt lat="1" lon="2"></trkpt>'),  # a point after the root
    (b"<trkseg>", b"<trkseg <trkpt lat=\"1\" lon=\"2\"></trkpt>>"),  # in a tag
    (b"<name>run</name>", b"<name>run</nome>"),  # damage outside the points
    (b"</trkseg></trk>", b"</trk>"),  # an unclosed segment
])
def test_damage_inside_and_outside_the_points_gives_the_element_readers_error(edit, monkeypatch):
    data = SAMPLE.replace(*edit, 1)
    assert data != SAMPLE
    for reader in (gpx.parse_gpx, gpx.gpx_track):
        reference, fast = both_paths(monkeypatch, gpx, reader, data)
        assert fast == reference
        assert reference[0] in ("ReadError", "UnsafeInputError"), edit


_DAMAGE = st.sampled_from(["<", ">", "&", '"', "'", "]]>", "\x01", "\x1f", "\ufffe", "\uffff",
                           "</trkpt>", "<trkpt ", "xmlns:gpxtpx=''", "gpxtpx:", "<!--", "/",
                           "=", "\x7f", "\u2028", "a"])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(at=st.integers(0, len(SAMPLE)), cut=st.integers(0, 12), insert=_DAMAGE)
def test_randomly_damaged_documents_read_as_the_element_reader_reads_them(at, cut, insert):
    data = SAMPLE[:at] + insert.encode("utf-8") + SAMPLE[at + cut:]
    with pytest.MonkeyPatch.context() as monkeypatch:
        reference, fast = both_paths(monkeypatch, gpx, gpx.gpx_track, data)
        assert fast == reference


# ---- what the pattern refuses to learn ---------------------------------------------
def _pattern(points: str):
    text = ('<gpx xmlns="http://www.topografix.com/GPX/1/1" xmlns:a="urn:a"><trk><trkseg>'
            f"{points}</trkseg></trk></gpx>")
    first = gpx._ANY_POINT.search(text)
    return gpxshape.point_pattern(text, first.start(), first.group(1), False)


@pytest.mark.parametrize("points", [
    '<trkpt lat="1" lon="2"><ele unit="m">1</ele></trkpt>',  # an attribute on a child
    '<trkpt lat="1" lon="2"><ele/></trkpt>',  # an empty-element child
    '<trkpt lat="1" lon="2"><name>a<b>c</b></name></trkpt>',  # mixed content
    '<trkpt lat="1" lon="2"><ele>1</ele><time>t</time></trkpt>'
    '<trkpt lat="1" lon="2"><time>t</time><ele>1</ele><sat>3</sat></trkpt>',  # two orders
    '<trkpt lat="1" lon="2"><extensions><a:hr>1</a:hr><a:heartrate>2</a:heartrate>'
    "</extensions></trkpt>",  # two elements for one field
    '<trkpt lat="1" lon="2"><speed>1</speed><extensions><a:speed>2</a:speed>'
    "</extensions></trkpt>",  # GPX 1.0 speed and an extension speed
    '<trkpt lat="1" lon="2"><link><text>x</text></link></trkpt>',  # elements not in <extensions>
    '<trkpt lat="1" lon="2"><hr>1</hr></trkpt>',  # hr straight in the point
    '<trkpt lat="1" lon="2"><xmlfoo:ele>1</xmlfoo:ele></trkpt>',  # a reserved prefix
    '<trkpt lat="1" lon="2"><e\u00e9>1</e\u00e9></trkpt>',  # not a plain ASCII name
    '<trkpt lat="1" lon="2"><ele>1</ele><ele>2</ele></trkpt>',  # one child twice
    '<trkpt lat="1" lon="2"><extensions><a:trkpt>1</a:trkpt></extensions></trkpt>',
    '<trkpt lat="1" lon="2"><!-- c --><ele>1</ele></trkpt>',  # a comment
])
def test_shapes_outside_the_subset_make_no_pattern(points):
    assert _pattern(points) is None


def test_children_seen_in_different_points_merge_in_order():
    learned = _pattern(
        '<trkpt lat="1" lon="2"><ele>1</ele><extensions><a:hr>5</a:hr></extensions></trkpt>'
        '<trkpt lat="1" lon="2"><time>t</time><sat>3</sat><extensions><a:cad>7</a:cad>'
        "</extensions></trkpt>")
    pattern = learned.pattern
    assert set(pattern.groupindex) == {"lat", "lon", "ele", "time", "hr", "cad"}
    assert learned.marker == '<_ a:_0=""/>'
    both = ('<trkpt lat="3" lon="4"><ele>1</ele><time>t</time><extensions><a:hr>5</a:hr>'
            "<a:cad>7</a:cad></extensions></trkpt>")
    match = pattern.fullmatch(both)
    assert match is not None and match.group("cad") == "7" and match.group("lat") == "3"


def test_points_of_a_shape_the_samples_missed_are_learnt_from_what_is_left():
    """A rare shape the spread samples miss is learnt from the points left, in one retry."""
    common = '<trkpt lat="1" lon="2"><ele>1</ele></trkpt>\n'
    rare = '<trkpt lat="1" lon="2"><ele>1</ele><time>2024-01-01T00:00:00Z</time></trkpt>\n'
    text = ('<gpx xmlns="http://www.topografix.com/GPX/1/1"><trk><trkseg>'
            f"{common}{rare}{common * 200}</trkseg></trk></gpx>")
    first = gpx._ANY_POINT.search(text)
    assert "time" not in gpxshape.point_pattern(text, first.start(), "", False).pattern.groupindex
    chosen = gpx._split(text, first.start(), "", False)[0]
    assert isinstance(chosen, gpxshape.Learned) and "time" in chosen.pattern.groupindex

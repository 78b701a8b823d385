"""The GPX fast path (expat check + text search) reads exactly what the element reader reads.

``runload.io.gpx.FAST`` switches between the two; the element reader is the reference.
Every corpus file, every hand-made file and hypothesis-generated documents (random
points, optional fields, prefixes, quotes, white space, comments, junk numbers) must give
bit-identical results, or the same error, both ways.
"""

from __future__ import annotations

import pytest
from conftest import TEST_DATA, both_paths, fast_path_used
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from runload.io import gpx
from runload.io.xmlfast import fast_text
from runload.io.xmlsafe import prepare


def _both(monkeypatch, reader, data: bytes, **options):
    return both_paths(monkeypatch, gpx, reader, data, **options)


def _fast_used(data: bytes) -> bool:
    return fast_path_used(gpx, data)


def _gpx_files(corpus):
    return sorted([*corpus.glob("gpx/*.gpx"), *corpus.glob("broken/*.gpx"),
                   *(TEST_DATA / "gpx").glob("*.gpx")])


def test_corpus_and_hand_made_files_identical(corpus, monkeypatch):
    used = 0
    for path in _gpx_files(corpus):
        data = path.read_bytes()
        for reader, options in ((gpx.parse_gpx, {}), (gpx.gpx_track, {}),
                                (gpx.gpx_track, {"max_speed_m_s": None})):
            reference, fast = _both(monkeypatch, reader, data, **options)
            assert fast == reference, path.name
        used += _fast_used(data)
    # every activity file takes the fast path (routes, waypoints, metadata-only do not)
    assert used == len(_gpx_files(corpus)) - 3


@pytest.mark.parametrize("name", ["two_segments.gpx", "gps_jump.gpx", "meridian_3pt.gpx"])
def test_hand_made_files_use_the_fast_path(name):
    assert _fast_used((TEST_DATA / "gpx" / name).read_bytes())


SAMPLE = (TEST_DATA / "gpx" / "two_segments.gpx").read_bytes()


@pytest.mark.parametrize("edit", [
    (b"<trkseg>", b"<trkseg><!-- <trkpt lat='1' lon='2'/> -->"),  # comment hiding a point
    (b"<name>", b"<name><![CDATA[<trkpt lat='1' lon='2'/>]]>"),  # CDATA hiding a point
    (b"<ele>100.0</ele>", b"<ele>1&#48;0.0</ele>"),  # character reference in a number
    (b'lat="10.000000"', b'lat="10.000000" desc="x"'),  # another attribute
    (b"<gpxtpx:hr>140</gpxtpx:hr>", b"<gpxtpx:hr>140</gpxtpx:hr><gpxtpx:hr/>"),  # empty hr
    (b"<trkseg>", b"<trkseg><extensions><gpxtpx:hr>99</gpxtpx:hr></extensions>"),  # hr outside
    (b'encoding="UTF-8"', b'encoding="ISO-8859-1"'),  # not UTF-8
    (b"</trkseg>", b"</trkseg><?pi <trkpt lat='1' lon='2'/>?>"),  # processing instruction
])
def test_unsure_inputs_fall_back_and_agree(edit, monkeypatch):
    data = SAMPLE.replace(*edit, 1)
    assert data != SAMPLE
    assert not _fast_used(data)
    for reader in (gpx.parse_gpx, gpx.gpx_track):
        reference, fast = _both(monkeypatch, reader, data)
        assert fast == reference


@pytest.mark.parametrize("prolog", [
    b"<?xml-stylesheet href='<trkpt lat=\"1\" lon=\"2\"/>'?>\n",
    b'<?xml version="1.0"?>\n<!-- <trkpt lat="1" lon="2"/> -->\n',
])
def test_fake_points_in_the_prolog_are_not_read(prolog, monkeypatch):
    data = prolog + SAMPLE[SAMPLE.index(b"<gpx"):]
    assert _fast_used(data)
    reference, fast = _both(monkeypatch, gpx.gpx_track, data)
    assert fast == reference


def test_malformed_and_unsafe_inputs_give_the_same_errors(monkeypatch):
    cases = [
        SAMPLE.replace(b"</trkseg>", b"</trkse>", 1),  # mismatched tag
        SAMPLE[: len(SAMPLE) // 2],  # truncated
        SAMPLE.replace(b"<ele>100.0</ele>", b"<ele>&lol;</ele>", 1),  # undeclared entity
        SAMPLE.replace(b"<gpxtpx:hr>", b"<undeclared:hr>", 1),  # unbound prefix
        SAMPLE.replace(b"<gpx ", b'<!DOCTYPE gpx [<!ENTITY a "b">]>\n<gpx ', 1),  # DTD
    ]
    for data in cases:
        reference, fast = _both(monkeypatch, gpx.parse_gpx, data)
        assert isinstance(reference, tuple) and fast == reference
    assert _both(monkeypatch, gpx.parse_gpx, cases[-1])[1][0] == "UnsafeInputError"


# ---- hypothesis: random documents ------------------------------------------------------
_CLEAN_NUMBER = st.one_of(
    st.floats(min_value=-1e4, max_value=1e4, allow_nan=False).map(repr),
    st.decimals(min_value=-200, max_value=200, places=12, allow_nan=False).map(str),
    st.integers(-500, 500).map(str),
)
_JUNK_NUMBER = st.sampled_from(["", " 12.5 ", "\n7\n", "1e3", "-0", "nan", "abc", "1_000",
                                "1 2", "&#49;", "&amp;", ".5", "5.", "+3"])
_TIME = st.one_of(
    st.datetimes(min_value=__import__("datetime").datetime(1970, 1, 1),
                 max_value=__import__("datetime").datetime(2110, 1, 1))
    .map(lambda t: t.isoformat() + "Z"),
    st.sampled_from(["", "junk", " 2024-03-04T07:00:00Z ", "2024-03-04T07:00:00+02:00",
                     "1901-12-13T20:45:52Z", "2024-03-04T07:00:00.123456789Z"]),
)
_WS = st.sampled_from(["", " ", "\n", "\r\n  ", "\t", "\u00a0", " \u2028 "])
_PREFIX = st.sampled_from(["", "g:"])
_EXT_PREFIX = st.sampled_from(["gpxtpx:", "ns3:", ""])


@st.composite
def _point(draw, prefix, lon_first, dirty):
    number = st.one_of(_CLEAN_NUMBER, _JUNK_NUMBER) if dirty else _CLEAN_NUMBER
    quote = draw(st.sampled_from(['"', "'"]))
    ws = draw(_WS)
    lat = f"lat={quote}{draw(number)}{quote}"
    lon = f"lon{draw(st.sampled_from(['=', ' = ']))}{quote}{draw(number)}{quote}"
    attrs = f"{lon} {ws}{lat}" if lon_first else f"{lat}{ws or ' '}{lon}"
    children = []
    if draw(st.booleans()):
        children.append(f"<{prefix}ele>{draw(number)}</{prefix}ele>")
    if draw(st.booleans()):
        children.append(f"<{prefix}time>{draw(_TIME)}</{prefix}time>")
    if draw(st.booleans()):
        children.append(f"<{prefix}ele>{draw(number)}</{prefix}ele>")  # a second: last wins
    if draw(st.integers(0, 5)) == 0:
        children.append(f"<{prefix}speed>{draw(number)}</{prefix}speed>")
    if draw(st.booleans()):
        children.append(f"<{prefix}sat>{draw(st.integers(0, 12))}</{prefix}sat><{prefix}fix/>")
    if draw(st.booleans()):
        x = draw(_EXT_PREFIX)
        ext = [f"<{x}{name}>{draw(number)}</{x}{name}>"
               for name in draw(st.lists(st.sampled_from(
                   ["hr", "cad", "speed", "heartrate", "cadence", "atemp", "ele", "time"]),
                   max_size=4))]
        children.append(f"<{prefix}extensions><{x}TrackPointExtension>{''.join(ext)}"
                        f"</{x}TrackPointExtension></{prefix}extensions>")
    if dirty and draw(st.integers(0, 5)) == 0:
        children.insert(draw(st.integers(0, len(children))), "<!-- a <b>comment</b> -->")
    if not children and draw(st.booleans()):
        return f"<{prefix}trkpt {attrs}{ws}/>"
    sep = draw(_WS)
    return f"<{prefix}trkpt {attrs}{ws}>{sep}{sep.join(children)}{sep}</{prefix}trkpt>"


@st.composite
def _document(draw):
    prefix = draw(_PREFIX)
    lon_first = draw(st.integers(0, 3)) == 0
    dirty = draw(st.integers(0, 3)) == 0  # junk numbers and comments: mostly fallback
    ns = ('xmlns:g="http://www.topografix.com/GPX/1/1"' if prefix
          else 'xmlns="http://www.topografix.com/GPX/1/1"')
    tracks = []
    for _ in range(draw(st.integers(1, 2))):
        segments = []
        for _ in range(draw(st.integers(1, 3))):
            points = draw(st.lists(_point(prefix, lon_first, dirty), min_size=int(draw(st.booleans())), max_size=8))
            if not points and draw(st.booleans()):
                segments.append(f"<{prefix}trkseg/>")
            else:
                segments.append(f"<{prefix}trkseg>\n{chr(10).join(points)}\n</{prefix}trkseg>")
        name = draw(st.sampled_from(["", f"<{prefix}name>Run &amp; fun</{prefix}name>"]))
        kind = draw(st.sampled_from(["", f"<{prefix}type>9</{prefix}type>",
                                     f"<{prefix}type>cycling</{prefix}type>"]))
        tracks.append(f"<{prefix}trk>{name}{kind}{''.join(segments)}</{prefix}trk>")
    head = draw(st.sampled_from(['<?xml version="1.0" encoding="UTF-8"?>\n', "",
                                 "<?xml version='1.0'?>\n<!-- made by hand -->\n"]))
    doc = (f'{head}<{prefix}gpx version="1.1" creator="hypothesis" {ns} '
           'xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v2" '
           'xmlns:ns3="http://www.garmin.com/xmlschemas/TrackPointExtension/v1">'
           f"{''.join(tracks)}</{prefix}gpx>\n")
    return doc.encode("utf-8")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=_document())
def test_random_documents_identical(data):
    with pytest.MonkeyPatch.context() as monkeypatch:
        for reader in (gpx.parse_gpx, gpx.gpx_track):
            reference, fast = _both(monkeypatch, reader, data)
            assert fast == reference


def test_plain_documents_take_the_fast_path():
    """Plain points, CR LF line ends and single quotes are read by the fast path."""
    points = "".join(
        f'<trkpt lat="{i / 1000}" lon="0"><ele>{i}</ele><time>2024-01-01T00:00:{i:02d}Z'
        "</time></trkpt>" for i in range(50))
    data = (f'<gpx xmlns="http://www.topografix.com/GPX/1/1"><trk><trkseg>{points}'
            "</trkseg></trk></gpx>").encode()
    assert _fast_used(data)
    assert _fast_used(data.replace(b"<trkseg>", b"<trkseg>\r\n").replace(b'"', b"'"))


def _plain_split_is_general(data: bytes) -> bool | None:
    """Whether the plain pattern splits a document as the general one (None: not tried)."""
    body, _ = prepare(data, source="f.gpx")
    text = fast_text(body)
    first = None if text is None else gpx._ANY_POINT.search(text)
    if first is None:
        return None
    lon_first = gpx._LON_FIRST.match(text, first.start()) is not None
    plain = gpx._plain_pattern(first.group(1), lon_first).split(text)
    if gpx._LOOSE_EXTRA.search("".join(plain[::gpx._plain_pattern("", False).groups + 1])):
        return None  # the plain pattern left a point: the general one is used
    return plain == gpx._point_pattern(first.group(1), lon_first).split(text)


def test_the_plain_pattern_splits_the_corpus_as_the_general_one(corpus):
    results = [_plain_split_is_general(path.read_bytes()) for path in _gpx_files(corpus)]
    assert results.count(True) >= 14 and False not in results


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=_document())
def test_the_plain_pattern_splits_random_documents_as_the_general_one(data):
    assert _plain_split_is_general(data) in (None, True)

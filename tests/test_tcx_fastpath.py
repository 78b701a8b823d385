"""The TCX fast path (expat check + text search) reads exactly what the element reader reads.

``runload.io.tcx.FAST`` switches between the two; the element reader is the reference.
Every corpus file, hand-made edits and hypothesis-generated documents (activities, laps,
courses, random trackpoint children in any order, prefixes, both forms of
``<HeartRateBpm>``, extensions, junk numbers, comments) must give bit-identical results,
or the same error, both ways; and the points must be converted in the same chunks.
"""

from __future__ import annotations

import pytest
from conftest import TEST_DATA, both_paths, fast_path_used
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from runload.io import tcx
from runload.io.xmlfast import fast_text
from runload.io.xmlsafe import prepare

READERS = ((tcx.parse_tcx, {}), (tcx.tcx_track, {}), (tcx.tcx_track, {"max_speed_m_s": None}))


def _both(monkeypatch, reader, data: bytes, **options):
    return both_paths(monkeypatch, tcx, reader, data, **options)


def _fast_used(data: bytes) -> bool:
    return fast_path_used(tcx, data)


def _tcx_files(corpus):
    return sorted([*corpus.glob("tcx/*.tcx"), *corpus.glob("broken/*.tcx"),
                   *(TEST_DATA / "tcx").glob("*.tcx"), *(TEST_DATA / "hostile").glob("*.tcx")])


def test_corpus_and_hand_made_files_identical(corpus, monkeypatch):
    used = 0
    for path in _tcx_files(corpus):
        data = path.read_bytes()
        for reader, options in READERS:
            reference, fast = _both(monkeypatch, reader, data, **options)
            assert fast == reference, path.name
        used += _fast_used(data)
    # every well-formed file takes the fast path (runpandas' malformed.tcx does not)
    assert used == len(_tcx_files(corpus)) - 1


SAMPLE = (TEST_DATA / "tcx" / "bom_whitespace_two_laps.tcx").read_bytes()


def test_the_sample_takes_the_fast_path():
    assert _fast_used(SAMPLE)


@pytest.mark.parametrize("edit", [
    (b"<Track>", b"<Track><!-- <Trackpoint><Time>2024-03-04T06:00:00Z</Time></Trackpoint> -->"),
    (b"<Track>", b"<Track><Notes><![CDATA[<Trackpoint/>]]></Notes>"),  # CDATA
    (b"<AltitudeMeters>10.0", b"<AltitudeMeters>1&#48;.0"),  # character reference
    (b"<Trackpoint>", b'<Trackpoint id="1">'),  # an attribute
    (b"<HeartRateBpm><Value>130</Value></HeartRateBpm>",
     b"<HeartRateBpm><Value>130</Value></HeartRateBpm><HeartRateBpm>99</HeartRateBpm>"),
    (b"<HeartRateBpm><Value>130</Value></HeartRateBpm>", b'<HeartRateBpm a="1"/>'),
    (b"<HeartRateBpm><Value>130</Value></HeartRateBpm>",
     b"<HeartRateBpm><Max>1</Max><Value>130</Value></HeartRateBpm>"),  # first child wins
    (b"<ns3:Speed>3.3</ns3:Speed>", b"<ns3:Speed/>"),  # empty speed
    (b"<ns3:Speed>3.3</ns3:Speed>", b"<ns3:Speed><ns3:x/>3.3</ns3:Speed>"),
    (b"<ns3:Speed>3.3</ns3:Speed>", b"<ns3:Lap>3.3</ns3:Lap>"),  # an outer name in a point
    (b"<AltitudeMeters>10.0</AltitudeMeters>",
     b"<Sensor><Time>2024-01-01T00:00:00Z</Time></Sensor>"),  # a child with children
    (b"<LatitudeDegrees>0.0</LatitudeDegrees>",
     b"<LatitudeDegrees>0.0</LatitudeDegrees><Altitude>1</Altitude>"),  # odd Position
    (b'encoding="UTF-8"', b'encoding="ISO-8859-1"'),  # not UTF-8
    (b"</Track>", b"</Track><?pi <Trackpoint/>?>"),  # processing instruction
])
def test_unsure_inputs_fall_back_and_agree(edit, monkeypatch):
    data = SAMPLE.replace(*edit, 1)
    assert data != SAMPLE
    assert not _fast_used(data)
    for reader, options in READERS:
        reference, fast = _both(monkeypatch, reader, data, **options)
        assert fast == reference


@pytest.mark.parametrize("edit", [
    (b"<HeartRateBpm><Value>130</Value></HeartRateBpm>", b"<HeartRateBpm>130</HeartRateBpm>"),
    (b"<HeartRateBpm><Value>130</Value></HeartRateBpm>",
     b'<HeartRateBpm xsi:type="HeartRateInBeatsPerMinute_t">\n <Value>130</Value>\n'
     b"</HeartRateBpm>"),
    (b"<ns3:Speed>3.3</ns3:Speed>", b"<ns3:Speed></ns3:Speed><ns3:Watts/>"),
    (b"<AltitudeMeters>10.0</AltitudeMeters>",
     b"<AltitudeMeters>10.0</AltitudeMeters><SensorState>Present</SensorState><X/>"),
    (b"<Time>2024-03-04T07:00:00Z</Time>", b"<Time> junk </Time><Time>2024-03-04T07:00:00Z</Time>"),
    (b"<Track>", b"<Track><Trackpoint/>"),
])
def test_other_plain_shapes_take_the_fast_path_and_agree(edit, monkeypatch):
    data = SAMPLE.replace(*edit, 1)
    if b"xsi:" in data:
        data = data.replace(b"<TrainingCenterDatabase ", b'<TrainingCenterDatabase '
                            b'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" ', 1)
    assert data != SAMPLE and _fast_used(data)
    for reader, options in READERS:
        reference, fast = _both(monkeypatch, reader, data, **options)
        assert fast == reference


def test_malformed_and_unsafe_inputs_give_the_same_errors(monkeypatch):
    cases = [
        SAMPLE.replace(b"</Track>", b"</Trak>", 1),  # mismatched tag
        SAMPLE[: len(SAMPLE) // 2],  # truncated
        SAMPLE.replace(b"<AltitudeMeters>10.0", b"<AltitudeMeters>&lol;", 1),  # entity
        SAMPLE.replace(b"<ns3:Speed>", b"<undeclared:Speed>", 1),  # unbound prefix
        SAMPLE.replace(b"<TrainingCenterDatabase ",
                       b'<!DOCTYPE t [<!ENTITY a "b">]>\n<TrainingCenterDatabase ', 1),  # DTD
    ]
    for data in cases:
        reference, fast = _both(monkeypatch, tcx.parse_tcx, data)
        assert isinstance(reference, tuple) and fast == reference
    assert _both(monkeypatch, tcx.parse_tcx, cases[-1])[1][0] == "UnsafeInputError"


# ---- hypothesis: random documents ------------------------------------------------------
_CLEAN_NUMBER = st.one_of(
    st.floats(min_value=-1e4, max_value=1e4, allow_nan=False).map(repr),
    st.decimals(min_value=-200, max_value=200, places=12, allow_nan=False).map(str),
    st.integers(-500, 500).map(str),
)
_JUNK_NUMBER = st.sampled_from(["", " 12.5 ", "\n7\n", "1e3", "-0", "nan", "abc", "1_000",
                                "1 2", "&#49;", "&amp;", ".5", "5.", "+3", "-1"])
_TIME = st.one_of(
    st.datetimes(min_value=__import__("datetime").datetime(1970, 1, 1),
                 max_value=__import__("datetime").datetime(2110, 1, 1))
    .map(lambda t: t.isoformat() + "Z"),
    st.sampled_from(["", "junk", " 2024-03-04T07:00:00Z ", "2024-03-04T07:00:00+02:00",
                     "1901-12-13T20:45:52Z", "2024-03-04T07:00:00.123456789Z",
                     "2024-03-04T07:00:00.250Z"]),
)
_WS = st.sampled_from(["", " ", "\n", "\r\n  ", "\t", "\u00a0", " \u2028 "])
_PREFIX = st.sampled_from(["", "t:"])
_EXT_PREFIX = st.sampled_from(["ns3:", "x:", ""])


@st.composite
def _trackpoint(draw, p, dirty):
    number = st.one_of(_CLEAN_NUMBER, _JUNK_NUMBER) if dirty else _CLEAN_NUMBER
    children = []
    for kind in draw(st.lists(st.sampled_from(
            ["time", "pos", "alt", "dist", "hr", "cad", "ext", "other", "time", "pos"]),
            max_size=9)):
        if kind == "time":
            children.append(f"<{p}Time>{draw(_TIME)}</{p}Time>")
        elif kind == "pos":
            inner = [f"<{p}{name}>{draw(number)}</{p}{name}>" for name in draw(st.lists(
                st.sampled_from(["LatitudeDegrees", "LongitudeDegrees"]), max_size=3))]
            if not inner or draw(st.booleans()):
                inner = [f"<{p}LatitudeDegrees>{draw(number)}</{p}LatitudeDegrees>",
                         f"<{p}LongitudeDegrees>{draw(number)}</{p}LongitudeDegrees>"]
            children.append(f"<{p}Position>{draw(_WS).join(inner)}</{p}Position>")
        elif kind in ("alt", "dist", "cad"):
            name = {"alt": "AltitudeMeters", "dist": "DistanceMeters", "cad": "Cadence"}[kind]
            children.append(f"<{p}{name}>{draw(number)}</{p}{name}>")
        elif kind == "hr":
            value = draw(number)
            children.append(draw(st.sampled_from([
                f"<{p}HeartRateBpm><{p}Value>{value}</{p}Value></{p}HeartRateBpm>",
                f'<{p}HeartRateBpm xsi:type="HeartRateInBeatsPerMinute_t">\n  <{p}Value>'
                f"{value}</{p}Value>\n</{p}HeartRateBpm>",
                f"<{p}HeartRateBpm>{value}</{p}HeartRateBpm>"])))
        elif kind == "ext":
            x = draw(_EXT_PREFIX)
            leaves = [f"<{x}{name}>{draw(number)}</{x}{name}>" if name != "Watts/" else
                      f"<{x}Watts/>" for name in draw(st.lists(st.sampled_from(
                          ["Speed", "RunCadence", "Watts", "Watts/", "Speed"]), max_size=4))]
            wrap = draw(st.booleans())
            body = "".join(leaves)
            if wrap:
                body = f"<{x}TPX>{body}</{x}TPX>"
            children.append(f"<{p}Extensions>{body}</{p}Extensions>")
        else:
            children.append(draw(st.sampled_from([
                f"<{p}SensorState>Present</{p}SensorState>", f"<{p}Foo/>",
                f"<{p}Notes>a &amp; b</{p}Notes>"])))
    if dirty and draw(st.integers(0, 5)) == 0:
        children.insert(draw(st.integers(0, len(children))), "<!-- <Time>x</Time> -->")
    if not children and draw(st.booleans()):
        return f"<{p}Trackpoint/>"
    sep = draw(_WS)
    return f"<{p}Trackpoint>{sep}{sep.join(children)}{sep}</{p}Trackpoint>"


@st.composite
def _lap(draw, p, dirty):
    points = draw(st.lists(_trackpoint(p, dirty), max_size=6))
    sep = draw(_WS)
    track = f"<{p}Track>{sep.join(points)}</{p}Track>" if points or draw(st.booleans()) else ""
    total = draw(st.sampled_from(["", f"<{p}TotalTimeSeconds>300.0</{p}TotalTimeSeconds>",
                                  f"<{p}TotalTimeSeconds>-5</{p}TotalTimeSeconds>"]))
    dist = draw(st.sampled_from(["", f"<{p}DistanceMeters>1000.0</{p}DistanceMeters>"]))
    hr = draw(st.sampled_from(["", f"<{p}AverageHeartRateBpm><{p}Value>140</{p}Value>"
                                   f"</{p}AverageHeartRateBpm>"]))
    start = draw(st.sampled_from(["2024-03-04T07:00:00Z", "2024-03-04T07:05:00Z", "junk"]))
    return f'<{p}Lap StartTime="{start}">{total}{dist}{hr}{track}</{p}Lap>'


@st.composite
def _document(draw):
    p = draw(_PREFIX)
    dirty = draw(st.integers(0, 3)) == 0
    ns = ('xmlns:t="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2"' if p
          else 'xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2"')
    items = []
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["activity", "activity", "course", "loose"]))
        laps = "".join(draw(st.lists(_lap(p, dirty), max_size=3)))
        if kind == "course":
            items.append(f"<{p}Courses><{p}Course><{p}Name>c</{p}Name>{laps}</{p}Course>"
                         f"</{p}Courses>")
        elif kind == "loose":  # points outside any activity: lent to the next one
            items.append(f"<{p}Extra>{draw(_trackpoint(p, dirty))}</{p}Extra>")
        else:
            sport = draw(st.sampled_from(["Running", "Biking", "Other"]))
            creator = draw(st.sampled_from(["", f"<{p}Creator><{p}Name>Forerunner &amp; co"
                                                f"</{p}Name></{p}Creator>"]))
            ident = draw(st.sampled_from(["2024-03-04T07:00:00Z", "", "junk"]))
            items.append(f'<{p}Activities><{p}Activity Sport="{sport}"><{p}Id>{ident}</{p}Id>'
                         f"{laps}{creator}</{p}Activity></{p}Activities>")
    head = draw(st.sampled_from(['<?xml version="1.0" encoding="UTF-8"?>\n', "",
                                 "<?xml version='1.0'?>\n<!-- made by hand -->\n"]))
    doc = (f"{head}<{p}TrainingCenterDatabase {ns} "
           'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
           'xmlns:ns3="http://www.garmin.com/xmlschemas/ActivityExtension/v2" '
           'xmlns:x="http://www.garmin.com/xmlschemas/ActivityExtension/v2">'
           f"{''.join(items)}</{p}TrainingCenterDatabase>\n")
    return doc.encode("utf-8")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=_document(), chunk=st.sampled_from([65_536, 2, 3]))
def test_random_documents_identical(data, chunk):
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setattr(tcx, "CHUNK_POINTS", chunk)  # conversions depend on the chunks
        for reader, options in READERS[:2]:
            reference, fast = _both(monkeypatch, reader, data, **options)
            assert fast == reference


def test_plain_documents_take_the_fast_path():
    """Plain points, CR LF line ends, prefixes and single quotes are read by the fast path."""
    points = "".join(
        f"<Trackpoint><Time>2024-01-01T00:00:{i:02d}Z</Time><Position><LatitudeDegrees>"
        f"{i / 1000}</LatitudeDegrees><LongitudeDegrees>0</LongitudeDegrees></Position>"
        f"<DistanceMeters>{i * 3.0}</DistanceMeters></Trackpoint>" for i in range(50))
    data = ("<TrainingCenterDatabase xmlns='http://www.garmin.com/xmlschemas/"
            "TrainingCenterDatabase/v2'><Activities><Activity Sport='Running'><Id>"
            "2024-01-01T00:00:00Z</Id><Lap StartTime='2024-01-01T00:00:00Z'><Track>"
            f"{points}</Track></Lap></Activity></Activities></TrainingCenterDatabase>").encode()
    assert _fast_used(data)
    assert _fast_used(data.replace(b"<Track>", b"<Track>\r\n"))


def _plain_split_is_general(data: bytes) -> bool | None:
    """Whether the plain pattern splits a document as the general one (None: not tried)."""
    body, _ = prepare(data, source="f.tcx")
    text = fast_text(body)
    first = None if text is None else tcx._ANY_POINT.search(text)
    if first is None:
        return None
    plain = tcx._plain_pattern(first.group(1)).split(text)
    if tcx._ANY_POINT.search("".join(plain[::tcx._GROUPS + 1])):
        return None  # the plain pattern left a point: the general one is used
    return plain == tcx._point_pattern(first.group(1)).split(text)


def test_the_plain_pattern_splits_the_corpus_as_the_general_one(corpus):
    results = [_plain_split_is_general(path.read_bytes())
               for path in sorted(corpus.glob("tcx/*.tcx"))]
    assert results and all(results)  # and every corpus file is plain


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=_document())
def test_the_plain_pattern_splits_random_documents_as_the_general_one(data):
    assert _plain_split_is_general(data) in (None, True)

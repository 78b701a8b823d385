"""Read Garmin Training Center (TCX) files: one activity per ``<Activity>``.

What is read
------------
* Each ``<Activity>`` (also inside a ``<MultiSportSession>``) is one activity row: a
  multisport file (Forerunner 305 Biking + Running) gives one row per leg.
* ``Sport`` attribute -> ``sport`` through :func:`runload.io.sports.sport_from_text`
  (``Running``, ``Biking``, ``Other``; ``Other`` is ``'other'``).
* ``start_time``: the first lap's ``StartTime`` (when the timer started), else the
  Activity ``<Id>`` (a dateTime, normally the same instant; Polar writes it 1 s earlier),
  else the first trackpoint time.
* ``distance_m``: the sum of the laps' ``<DistanceMeters>`` (the device's own figure,
  ``distance_source='laps'``); without lap distances, the last trackpoint
  ``<DistanceMeters>`` (``'records'``); without those, the GPS length of the positions on
  the mean Earth radius after the jump filter (``'gps'``).
* ``moving_time_s``: the sum of the laps' ``<TotalTimeSeconds>`` (the timer time, pauses
  excluded); ``elapsed_time_s``: the last minus the first trackpoint ``<Time>`` (wall
  clock, pauses included), else the span of the laps.
* A negative lap ``<TotalTimeSeconds>`` or ``<DistanceMeters>`` is a missing value (never
  summed) with a ``malformed`` problem. Impossible times (start before 1990 or more than a
  day in the future, a run over 48 h, lap timer time clearly longer than elapsed) give
  ``bad_time`` problems by the rule all readers share
  (:func:`runload.io.timecheck.time_problems`); the row is kept.
* ``avg_heart_rate_bpm``: the laps' ``<AverageHeartRateBpm>`` weighted by lap time, else
  the mean of the trackpoint heart rates.
* ``ascent_m``: hysteresis ascent of the trackpoint ``<AltitudeMeters>``
  (:func:`runload.io.geo.ascent_m`); ``device``: ``<Creator><Name>``.
* The stream (:func:`tcx_track`): ``<Time>``, ``<Position>``, ``<AltitudeMeters>``,
  ``<DistanceMeters>``, ``<HeartRateBpm>``, ``<Cadence>`` (rev/min), and in
  ``<Extensions><TPX>`` (ActivityExtension v2) ``<Speed>`` and ``<RunCadence>``.
  ``RunCadence`` counts one foot's strides per minute, so it is doubled into steps/min.

Two readers, one result: the element reader (``iterparse``) is the reference. When the
file is well-formed and every ``<Trackpoint>`` has a plain shape (no attributes; leaf
children, ``Position`` with latitude/longitude leaves, ``HeartRateBpm`` as a leaf or with
one ``<Value>``, ``Extensions`` with ``Speed``/``RunCadence`` leaves among other tags; no
entity or character reference in a value; no comment, CDATA or processing instruction),
regular expressions split the text into the trackpoints' fields (a pattern for the common
shapes first, :func:`_plain_pattern`, a sub-grammar of the general
:func:`_point_pattern`). The element reader then reads the skeleton, where each run of
adjacent trackpoints is one empty stand-in, for activities, laps, courses and creator,
and takes the points' texts in the same chunks, so they become the same numbers:
bit-identical results (``tests/test_tcx_fastpath.py``). Any other file is read by the
element reader alone; ``FAST = False`` switches the fast path off. Speed
(``benchmarks/bench_tcx.py``, 2 cores, CPU time): see ``docs/gpx_tcx.md``.

Malformed XML raises ``ReadError(kind='malformed_xml')`` naming line and column, and keeps
nothing: laps read before the error would give a partial activity whose distance looks
real but silently under-counts the week, and a mid-file error (like runpandas'
``malformed.tcx`` without its root element) means the structure itself cannot be trusted.

References
----------
.. [1] Garmin, Training Center Database v2 schema.
   https://www8.garmin.com/xmlschemas/TrainingCenterDatabasev2.xsd
.. [2] Garmin, Activity Extension v2 schema (TPX: Speed, RunCadence, Watts).
   https://www8.garmin.com/xmlschemas/ActivityExtensionv2.xsd
.. [3] W3C (2008). Extensible Markup Language (XML) 1.0, 5th ed.: section 2.11
   (end-of-line handling), section 3.1 (start-tags, end-tags, empty-element tags).
"""

from __future__ import annotations

import functools
import re
from typing import Any

import numpy as np
import pandas as pd

from ..columns import TRACK, conform, empty
from ..errors import ReadError
from . import geo
from .parsed import Parsed
from .sports import sport_from_text
from .timecheck import time_problems
from .xmlfast import fast_text
from .xmlsafe import (
    CHUNK_POINTS,
    TagCodes,
    floats_from_text,
    flush_columns,
    iter_end,
    join_columns,
    plausible_times,
    prepare,
    times_from_text,
    xml_errors,
)

__all__ = ["parse_tcx", "tcx_track"]

_TRACKPOINT, _LAP, _ACTIVITY, _CREATOR, _ROOT, _COURSE, _WORKOUT = 1, 2, 3, 4, 5, 6, 7
_OUTER = {
    "Trackpoint": _TRACKPOINT,
    "Lap": _LAP,
    "Activity": _ACTIVITY,
    "Creator": _CREATOR,
    "TrainingCenterDatabase": _ROOT,
    "Course": _COURSE,
    "Workout": _WORKOUT,
}
(_TIME, _POSITION, _LAT, _LON, _ALT, _DIST, _HR, _CAD, _EXT, _SPEED, _RUNCAD,
 _TOTAL, _AVGHR, _ID, _NAME) = range(1, 16)
_INNER = {
    "Time": _TIME,
    "Position": _POSITION,
    "LatitudeDegrees": _LAT,
    "LongitudeDegrees": _LON,
    "AltitudeMeters": _ALT,
    "DistanceMeters": _DIST,
    "HeartRateBpm": _HR,
    "Cadence": _CAD,
    "Extensions": _EXT,
    "Speed": _SPEED,
    "RunCadence": _RUNCAD,
    "TotalTimeSeconds": _TOTAL,
    "AverageHeartRateBpm": _AVGHR,
    "Id": _ID,
    "Name": _NAME,
}

#: The columns collected from each <Trackpoint>, and how their texts are converted.
_KINDS = {"time": "time", "lat": "float", "lon": "float", "alt": "float", "dist": "float",
          "hr": "float", "cad": "float", "speed": "float", "runcad": "float"}


def _first_text(el) -> str | None:
    """Text of an element's first child (``<HeartRateBpm><Value>``), else its own text."""
    for child in el:
        return child.text
    return el.text


#: Use the text-search reader when it can read the file exactly (tests switch it off to
#: compare it with the element reader, which stays the reference and the fallback).
FAST = True


def _scan(data: bytes, *, source: str,
          fast: bool | None = None) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """Per activity, the columns of its points and the texts of its laps; file facts.

    The fast path when it is exact, else the element reader.
    """
    body, skipped = prepare(data, source=source)
    if FAST if fast is None else fast:
        found = _fast_read(body, source=source)
        if found is not None:
            return found
    return _element_scan(body, skipped, source=source)


def _fast_read(body: bytes, *,
               source: str) -> tuple[list[dict[str, Any]], dict[str, int]] | None:
    """What the element reader would read from a vetted document, or None (fast path)."""
    text = fast_text(body)
    return None if text is None else _fast_scan(text, source=source)


def _element_scan(body: bytes, skipped: int, *, source: str,
                  points: dict[str, list] | None = None, runs: list[int] | None = None,
                  ) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """Stream the document once; per activity, text columns of points and laps.

    With ``points`` and ``runs`` (the fast path), the document is the skeleton: each
    run of adjacent ``<Trackpoint>`` is one empty stand-in, the j-th standing for
    ``runs[j]`` points, and the texts of the n-th point are the n-th of each list in
    ``points``. They are taken in the same chunks as the element reader's, so they are
    converted to the same numbers.
    """
    outer = TagCodes(_OUTER)
    inner = TagCodes(_INNER)
    activities: list[dict[str, Any]] = []
    cols: dict[str, list] = {name: [] for name in _KINDS}
    numbers: dict[str, list] = {name: [] for name in _KINDS}
    laps: dict[str, list] = {"start": [], "total": [], "dist": [], "avghr": []}
    creator: str | None = None
    seen = {"root": 0, "course": 0, "workout": 0}
    with xml_errors(source=source, skipped_lines=skipped):
        time_l, lat_l, lon_l, alt_l = cols["time"], cols["lat"], cols["lon"], cols["alt"]
        dist_l, hr_l, cad_l = cols["dist"], cols["hr"], cols["cad"]
        speed_l, runcad_l = cols["speed"], cols["runcad"]
        taken = pending = stand_ins = 0  # fast path: points taken, waiting; stand-ins read

        def take(count: int) -> None:
            nonlocal taken, pending
            for name, values in points.items():
                cols[name].extend(values[taken:taken + count])
            taken += count
            pending -= count

        for _, el in iter_end(body):
            code = outer[el.tag]
            if not code:
                continue
            if code == _TRACKPOINT and points is not None:
                pending += runs[stand_ins]
                stand_ins += 1
                while pending + len(time_l) >= CHUNK_POINTS:
                    take(CHUNK_POINTS - len(time_l))
                    flush_columns(cols, numbers, _KINDS)
            elif code == _TRACKPOINT:
                t = la = lo = a = d = h = c = s = r = None
                for child in el:
                    kind = inner[child.tag]
                    if kind == _TIME:
                        t = child.text
                    elif kind == _POSITION:
                        for p in child:
                            k = inner[p.tag]
                            if k == _LAT:
                                la = p.text
                            elif k == _LON:
                                lo = p.text
                    elif kind == _ALT:
                        a = child.text
                    elif kind == _DIST:
                        d = child.text
                    elif kind == _HR:
                        h = _first_text(child)
                    elif kind == _CAD:
                        c = child.text
                    elif kind == _EXT:
                        for x in child.iter():
                            k = inner[x.tag]
                            if k == _SPEED:
                                s = x.text
                            elif k == _RUNCAD:
                                r = x.text
                time_l.append(t)
                lat_l.append(la)
                lon_l.append(lo)
                alt_l.append(a)
                dist_l.append(d)
                hr_l.append(h)
                cad_l.append(c)
                speed_l.append(s)
                runcad_l.append(r)
                el.clear()
                if len(time_l) >= CHUNK_POINTS:
                    flush_columns(cols, numbers, _KINDS)
            elif code == _LAP:
                total = dist = avghr = None
                for child in el:
                    kind = inner[child.tag]
                    if kind == _TOTAL:
                        total = child.text
                    elif kind == _DIST:
                        dist = child.text
                    elif kind == _AVGHR:
                        avghr = _first_text(child)
                laps["start"].append(el.get("StartTime"))
                laps["total"].append(total)
                laps["dist"].append(dist)
                laps["avghr"].append(avghr)
                el.clear()
            elif code == _CREATOR:
                for child in el:
                    if inner[child.tag] == _NAME:
                        creator = child.text
                        break
            elif code == _ACTIVITY:
                if pending:
                    take(pending)
                ident = None
                for child in el:
                    if inner[child.tag] == _ID:
                        ident = child.text
                        break
                activities.append({
                    "sport": el.get("Sport"),
                    "id": ident,
                    "creator": creator,
                    "points": join_columns(cols, numbers, _KINDS),
                    "laps": {name: list(values) for name, values in laps.items()},
                })
                numbers = {name: [] for name in _KINDS}
                for values in laps.values():
                    values.clear()
                creator = None
                el.clear()
            elif code == _ROOT:
                seen["root"] += 1
            elif code == _COURSE:  # a planned route: its laps and points are no activity
                seen["course"] += 1
                taken += pending
                pending = 0
                for values in (*cols.values(), *laps.values()):
                    values.clear()
                numbers = {name: [] for name in _KINDS}
                el.clear()
            elif code == _WORKOUT:
                seen["workout"] += 1
                el.clear()
    return activities, seen


# ---- fast path: regular expressions over the text of a well-formed document ----------
_S = "[ \\t\\n]"  # XML white space (CR is gone after end-of-line handling)
#: An optional namespace prefix, read once (possessive: no backtracking into names).
_PFX = "(?:[^ \\t\\n<>/:=\"'!?]++:)?+"
_END = "</[^<>]*+>"
#: Elements the element reader reacts to wherever they are: never inside a fast point.
_OUTER_NAMES = "Trackpoint|Lap|Activity|Creator|TrainingCenterDatabase|Course|Workout"
_CHILD_NAMES = ("Time|Position|AltitudeMeters|DistanceMeters|HeartRateBpm|Cadence|"
                "Extensions")


def _not(names: str) -> str:
    """Lookahead: the element name (after its prefix) is none of ``names``."""
    return "(?!(?:" + names + ")[ \\t\\n/>])"


def _leaf(name: str) -> str:
    """After ``<`` and the prefix: a leaf ``name`` whose text (a group) has no reference."""
    return name + _S + "*>([^<&]*+)" + _END


#: Inside <Extensions>: text, Speed and RunCadence leaves at any depth, other tags.
_EXT_BODY = (
    "[^<]*+(?:<(?:/(?!" + _PFX + "Extensions" + _S + "*>)[^<>]*+>"
    + "|" + _PFX + "(?:" + _leaf("Speed") + "|" + _leaf("RunCadence")
    + "|" + _not(_OUTER_NAMES + "|Extensions|Speed|RunCadence") + "[^<>!?/][^<>]*+>))"
    + "[^<]*+)*+"
)
_POSITION_BODY = (
    "[^<]*+(?:<" + _PFX + "(?:" + _leaf("LatitudeDegrees") + "|" + _leaf("LongitudeDegrees")
    + ")[^<]*+)*+"
)
_POINT_BODY = (
    "[^<]*+(?:<" + _PFX + "(?:" + _leaf("Time")
    + "|Position" + _S + "*>" + _POSITION_BODY + "</" + _PFX + "Position" + _S + "*>"
    + "|" + _leaf("AltitudeMeters") + "|" + _leaf("DistanceMeters")
    # HeartRateBpm: its text, or (usually) the text of its one child <Value>
    + "|HeartRateBpm(?:" + _S + "[^<>]*+)?+(?<!/)>(?:([^<&]*+)" + _END + "|" + _S + "*+<" + _PFX
    + "Value" + _S + "*>([^<&]*+)" + _END + _S + "*+" + _END + ")"
    + "|" + _leaf("Cadence")
    + "|Extensions" + _S + "*>" + _EXT_BODY + "</" + _PFX + "Extensions" + _S + "*>"
    + "|" + _not(_OUTER_NAMES + "|" + _CHILD_NAMES)
    + "[^<>!?/][^<>]*+(?:(?<=/)>|>[^<]*+" + _END + "))[^<]*+)*+"
)


@functools.lru_cache(maxsize=16)
def _point_pattern(prefix: str) -> re.Pattern:
    """One ``<Trackpoint>`` written with ``prefix``, without attributes, and the white
    space after it.

    Its children are leaves (``Time``, ``AltitudeMeters``, ``DistanceMeters``,
    ``Cadence`` and any other), ``Position`` with ``LatitudeDegrees`` and
    ``LongitudeDegrees`` leaves, ``HeartRateBpm`` as a leaf or with one ``Value`` leaf,
    and ``Extensions`` holding ``Speed``/``RunCadence`` leaves at any depth among other
    tags; no text holds a reference. Groups: time, lat, lon, alt, dist, hr (leaf), hr
    (``Value``), cad, speed, runcad; each the text as the element reader sees it ('' or
    None when empty or absent); the last of several wins, as in the element reader.
    """
    return re.compile(
        "<" + re.escape(prefix) + "Trackpoint" + _S + "*+(?:/>|>" + _POINT_BODY
        + "</" + _PFX + "Trackpoint" + _S + "*>)" + _S + "*+"
    )


_XPFX = "(?:\\w++:)?+"  # a namespace prefix of word characters (a subset of _PFX)
#: White space between children, where the general pattern takes any text ``[^<]*+``.
_W = "\\s*+"


@functools.lru_cache(maxsize=16)
def _plain_pattern(prefix: str) -> re.Pattern:
    """The common shapes of :func:`_point_pattern`, with its groups; faster.

    Every point this matches, :func:`_point_pattern` matches over the same span with the
    same groups: each piece here is one way through the general pattern (white space
    only between children, the children in schema order, each at most once, with
    ``prefix``; ``Position`` with latitude then longitude; ``Extensions`` holding
    ``TPX`` with ``Speed``, ``RunCadence`` and ``Watts`` leaves). A point it does not
    match stays in the skeleton, and the file is split again with the general pattern.
    """
    p = re.escape(prefix)

    def leaf(name: str) -> str:
        return "(?:<" + p + name + ">([^<&]*+)" + _END + _W + ")?"

    return re.compile(
        "<" + p + "Trackpoint" + _S + "*+(?:/>|>" + _W + leaf("Time")
        + "(?:<" + p + "Position>" + _W + "<" + p + "LatitudeDegrees>([^<&]*+)" + _END + _W
        + "<" + p + "LongitudeDegrees>([^<&]*+)" + _END + _W + "</" + p + "Position>" + _W
        + ")?" + leaf("AltitudeMeters") + leaf("DistanceMeters")
        + "(?:<" + p + "HeartRateBpm(?:" + _S + "[^<>]*+)?+(?<!/)>(?:([^<&]*+)" + _END
        + "|" + _S + "*+<" + p + "Value>([^<&]*+)" + _END + _S + "*+" + _END + ")" + _W
        + ")?"
        + leaf("Cadence")
        + "(?:<" + p + "SensorState>[^<&]*+" + _END + _W + ")?"
        + "(?:<" + p + "Extensions>" + _W + "(?:<(?:" + _XPFX + "(?:Speed>([^<&]*+)"
        + "|RunCadence>([^<&]*+)|Watts>[^<&]*+)" + _END + "|/?+" + _XPFX + "TPX(?:" + _S
        + "[^<>]*+)?+(?<!/)>)" + _W + ")*+</" + p + "Extensions>" + _W + ")?"
        + "</" + p + "Trackpoint>)" + _S + "*+"
    )


_GROUPS = 10
_ANY_POINT = re.compile("<(" + _PFX + ")Trackpoint[ \t\n/>]")


def _texts(values: list) -> list:
    """Empty texts as the element reader has them (``None``)."""
    return [v or None for v in values] if "" in values else values


def _fast_scan(text: str, *, source: str):
    """What :func:`_element_scan` returns, by text search; or None (use it instead).

    Returns None unless every ``<Trackpoint>`` has the shape :func:`_point_pattern`
    describes. The points are then cut out of the text, each replaced by an empty
    stand-in, and the element reader reads this small skeleton for everything else
    (activities, laps, courses, creator), taking the points' texts from the lists.
    """
    first = _ANY_POINT.search(text)
    if first is None:
        return None
    prefix = first.group(1)
    step = _GROUPS + 1
    for pattern in (_plain_pattern, _point_pattern):
        parts = pattern(prefix).split(text)
        pieces = parts[::step]
        if not _ANY_POINT.search("".join(pieces)):
            break
    else:
        return None  # a point of another shape
    hr, hr_value = parts[6::step], parts[7::step]
    n = len(pieces) - 1
    if hr.count(None) == n:
        hr = hr_value
    elif hr_value.count(None) != n:
        pairs = list(zip(hr, hr_value, strict=True))
        if any(a is not None and b is not None for a, b in pairs):
            return None  # both forms of <HeartRateBpm> in one point
        hr = [a if b is None else b for a, b in pairs]
    points = {"time": parts[1::step], "lat": parts[2::step], "lon": parts[3::step],
              "alt": parts[4::step], "dist": parts[5::step], "hr": hr, "cad": parts[8::step],
              "speed": parts[9::step], "runcad": parts[10::step]}
    points = {name: _texts(values) for name, values in points.items()}
    # one stand-in for each run of adjacent points: the skeleton stays small
    stand_in = "<" + prefix + "Trackpoint/>"
    runs: list[int] = []

    def one(run: re.Match) -> str:
        runs.append((run.end() - run.start()) // len(stand_in))
        return stand_in

    skeleton = re.sub("(?:" + re.escape(stand_in) + ")+", one, stand_in.join(pieces))
    return _element_scan(skeleton.encode("utf-8"), 0, source=source, points=points,
                         runs=runs)


def _clean(text: str | None) -> str | None:
    if text is None:
        return None
    text = " ".join(text.split())
    return text or None


def _points_frame(points: dict[str, Any], *, max_speed_m_s: float | None,
                  problems: list[tuple[str, str]]) -> pd.DataFrame:
    """The TRACK frame of one activity's trackpoints (all kept: TCX has device distance)."""
    times, message = plausible_times(points["time"])
    if message:
        problems.append(("bad_time", message))
    has_time = ~times.isna()
    ns = times.asi8
    t0 = ns[has_time.argmax()] if has_time.any() else 0
    time_s = np.where(has_time, (ns - t0) / 1e9, np.nan)
    lat = points["lat"]
    lon = points["lon"]
    device = points["dist"]
    if np.isfinite(device).any():
        distance = pd.Series(device).ffill().fillna(0.0).to_numpy()
        counted = np.ones(lat.size, dtype=bool)
    else:
        has = np.isfinite(lat) & np.isfinite(lon)
        keep = np.ones(lat.size, dtype=bool)
        if max_speed_m_s is not None and has.any():
            keep = geo.jump_filter(lat, lon, time_s, max_speed_m_s=max_speed_m_s)
        jumps = np.zeros(lat.size, dtype=bool)
        if max_speed_m_s is not None:
            jumps[keep] = geo.jump_steps(lat[keep], lon[keep], time_s[keep],
                                         max_speed_m_s=max_speed_m_s)
        la = np.where(keep, lat, np.nan)
        lo = np.where(keep, lon, np.nan)
        distance = geo.cumulative_distance_m(la, lo, breaks=jumps)
        counted = keep & ~jumps
    runcad = points["runcad"] * 2.0
    cadence = points["cad"]
    cadence = np.where(np.isfinite(runcad), runcad, cadence)
    frame = pd.DataFrame({
        "time": times,
        "elapsed_s": time_s,
        "lat_deg": lat,
        "lon_deg": lon,
        "distance_m": distance,
        "speed_m_s": points["speed"],
        "heart_rate_bpm": points["hr"],
        "cadence_spm": cadence,
        "elevation_m": points["alt"],
        "step_counted": counted,
    })
    return frame


def _activity(raw: dict[str, Any], frame: pd.DataFrame, problems: list[tuple[str, str]], *,
              ascent_threshold_m: float) -> dict[str, Any]:
    """The activity row of one ``<Activity>``."""
    laps = raw["laps"]
    lap_dist = floats_from_text(laps["dist"])
    lap_time = floats_from_text(laps["total"])
    lap_hr = floats_from_text(laps["avghr"])
    negative = (lap_dist < 0) | (lap_time < 0)  # NaN compares False: only real negatives
    if negative.any():
        problems.append(("malformed", f"{int(negative.sum())} of {negative.size} laps have a "
                                      "negative TotalTimeSeconds or DistanceMeters; those "
                                      "figures are taken as missing"))
        lap_dist = np.where(lap_dist < 0, np.nan, lap_dist)
        lap_time = np.where(lap_time < 0, np.nan, lap_time)
    lap_start, _ = plausible_times(times_from_text(laps["start"]))
    ident, _ = plausible_times(times_from_text([raw["id"]]))
    valid = frame["time"].dropna()

    if lap_start.notna().any():
        start = lap_start[lap_start.notna()][0]
    elif not pd.isna(ident[0]):
        start = ident[0]
    elif len(valid):
        start = valid.min()
    else:
        start = pd.NaT
        problems.append(("bad_time", "no times: the activity has no usable Id, lap or "
                                     "trackpoint time"))

    if np.isfinite(lap_dist).any():
        distance, distance_source = float(np.nansum(lap_dist)), "laps"
    elif np.isfinite(raw["points"]["dist"]).any():
        distance, distance_source = float(frame["distance_m"].max()), "records"
    elif np.isfinite(frame["lat_deg"]).any():
        distance, distance_source = float(frame["distance_m"].iloc[-1]), "gps"
    else:
        distance, distance_source = float("nan"), None

    if len(valid) >= 1:
        elapsed = float((valid.max() - valid.min()).total_seconds())  # robust to disorder
    elif lap_start.notna().any() and np.isfinite(lap_time).any():
        # a lap time that is negative, infinite or beyond any activity (1e9 s, 31 years)
        # must not overflow the timedelta (found by fuzzing)
        lap_s = np.clip(np.nan_to_num(lap_time, nan=0.0, posinf=0.0, neginf=0.0), 0.0, 1e9)
        ends = lap_start + pd.to_timedelta(lap_s, unit="s")
        elapsed = float((ends.max() - lap_start.min()).total_seconds())
    else:
        elapsed = float("nan")

    moving = float(np.nansum(lap_time)) if np.isfinite(lap_time).any() else float("nan")

    weight = np.isfinite(lap_hr) & np.isfinite(lap_time) & (lap_time > 0)
    hr = frame["heart_rate_bpm"].to_numpy()
    if weight.any():
        avg_hr = float(np.average(lap_hr[weight], weights=lap_time[weight]))
    elif np.isfinite(hr).any():
        avg_hr = float(np.nanmean(hr))
    else:
        avg_hr = float("nan")

    activity: dict[str, Any] = {
        "format": "tcx",
        "start_time": start,
        "elapsed_time_s": elapsed,
        "moving_time_s": moving,
        "distance_m": distance,
        "ascent_m": geo.ascent_m(frame["elevation_m"].to_numpy(),
                                 threshold_m=ascent_threshold_m),
        "avg_heart_rate_bpm": avg_hr,
    }
    if distance_source is not None:
        activity["distance_source"] = distance_source
    sport = _clean(raw["sport"])
    if sport is not None:
        activity["sport"] = sport_from_text(sport)
    device = _clean(raw["creator"])
    if device is not None:
        activity["device"] = device
    # the laps' timer may pass the first-to-last trackpoint span by a few seconds (the
    # first point comes after the lap starts): only a clear excess is a problem
    problems.extend(time_problems(start, elapsed, moving, sport=activity.get("sport"),
                                  timer_slack_s=60.0, timer_slack_fraction=0.01,
                                  timer_source="the laps' TotalTimeSeconds"))
    return activity


def _read(data: bytes, *, source: str, max_speed_m_s: float | None):
    """Per ``<Activity>``: (raw, stream frame, problems); or why the file is no activity."""
    activities, seen = _scan(data, source=source)
    if not seen["root"]:
        raise ReadError("not a TCX file: the root element is not <TrainingCenterDatabase>",
                        source=source, kind="malformed")
    if not activities:
        if seen["course"] or seen["workout"]:
            what = (f"{seen['course']} courses" if seen["course"]
                    else f"{seen['workout']} workouts")
            return f"TCX with {what}, no activity"
        raise ReadError("TCX without any <Activity>", source=source, kind="empty")
    out = []
    for raw in activities:
        problems: list[tuple[str, str]] = []
        frame = _points_frame(raw["points"], max_speed_m_s=max_speed_m_s, problems=problems)
        out.append((raw, frame, problems))
    return out


def parse_tcx(
    data: bytes,
    *,
    source: str,
    max_speed_m_s: float | None = geo.MAX_SPEED_M_S,
    ascent_threshold_m: float = geo.ASCENT_THRESHOLD_M,
) -> Parsed:
    """Read one TCX file's bytes: one activity per ``<Activity>``.

    Parameters
    ----------
    data : bytes
        The whole file (already un-gzipped / taken out of its archive).
    source : str
        The file's name, for messages.
    max_speed_m_s : float or None, default 30.0
        GPS-jump filter limit, m/s, used only when neither laps nor trackpoints carry a
        distance (see :func:`runload.io.geo.jump_filter`); ``None`` disables it.
    ascent_threshold_m : float, default 5.0
        Hysteresis of the total ascent, m.

    Returns
    -------
    Parsed
        One activity per ``<Activity>`` in file order (keys ``format``, ``sport``,
        ``start_time``, ``elapsed_time_s``, ``moving_time_s``, ``distance_m``,
        ``distance_source``, ``ascent_m``, ``avg_heart_rate_bpm``, ``device``), and
        ``bad_time`` problems; or, for a file of courses or workouts only, no activity
        and ``not_activity``.

    Raises
    ------
    ReadError
        ``kind='empty'`` (no bytes; no ``<Activity>``, course or workout),
        ``kind='malformed_xml'`` (not
        well-formed; line and column in the message), ``kind='malformed'`` (the root is
        not ``<TrainingCenterDatabase>``).
    UnsafeInputError
        ``kind='unsafe'``: a DTD, entity declaration or external reference.

    Notes
    -----
    ``distance_m`` is the sum of lap ``DistanceMeters`` and ``moving_time_s`` the sum of
    lap ``TotalTimeSeconds`` (the figures the device showed), ``elapsed_time_s`` the
    first-to-last trackpoint time.
    """
    legs = _read(data, source=source, max_speed_m_s=max_speed_m_s)
    if isinstance(legs, str):
        return Parsed([], [], legs)
    activities, problems = [], []
    for raw, frame, found in legs:
        activities.append(_activity(raw, frame, found, ascent_threshold_m=ascent_threshold_m))
        problems.extend(found)
    return Parsed(activities, problems, None)


def tcx_track(
    data: bytes,
    *,
    source: str,
    max_speed_m_s: float | None = geo.MAX_SPEED_M_S,
) -> pd.DataFrame:
    """Read one TCX file's sample stream.

    Parameters
    ----------
    data : bytes
        The whole file.
    source : str
        The file's name, for messages.
    max_speed_m_s : float or None, default 30.0
        As in :func:`parse_tcx`.

    Returns
    -------
    pandas.DataFrame
        The :data:`runload.columns.TRACK` columns, one row per trackpoint of every
        activity in file order, then ``leg`` (0-based index of the ``<Activity>``) and
        ``step_counted`` (bool). ``distance_m`` is the trackpoint ``DistanceMeters``
        (forward-filled) when the file has it, else the GPS length; ``elapsed_s`` counts
        from the first sample of each leg; ``cadence_spm`` is ``RunCadence`` × 2 (steps/min)
        where present, else ``Cadence`` (rev/min).

    Raises
    ------
    ReadError, UnsafeInputError
        As :func:`parse_tcx`.
    """
    legs = _read(data, source=source, max_speed_m_s=max_speed_m_s)
    frames = []
    for leg, (_, frame, _) in enumerate([] if isinstance(legs, str) else legs):
        frames.append(frame.assign(leg=leg))
    if not frames:
        return conform(empty(TRACK), TRACK)
    return conform(pd.concat(frames, ignore_index=True), TRACK)

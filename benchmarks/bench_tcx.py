"""TCX reading speed: runload's parse_tcx (fast path and element reader) against a naive reader.

runload is timed twice: with its fast path (expat well-formedness check, then regular
expressions over the trackpoints; ``runload.io.tcx.FAST = True``, the default) and with
the element reader alone (``FAST = False``, the reference the fast path is tested
against). The baseline is the obvious standard-library reader:
``xml.etree.ElementTree.fromstring`` and ``findall`` over every ``<Trackpoint>``,
collecting the same fields (time, position, altitude, distance, heart rate, cadence,
extension speed and run cadence) into Python lists and converting the numbers with
:func:`float`; it does none of runload's checks (no DTD refusal, no plausibility) and
builds no table. The corpus TCX files (``../shared/corpus/tcx``) are read repeatedly until
about ``--megabytes`` of XML has been parsed by each side; all read the same bytes in the
same order. Times are CPU seconds of this process (``time.process_time``), the best of
``--repeat`` rounds, so other work on the machine disturbs them less than wall time.
Usage::

    .venv/bin/python benchmarks/bench_tcx.py [--megabytes 30] [--repeat 3]
"""

from __future__ import annotations

import argparse
import xml.etree.ElementTree as ET

from _corpus import best_cpu, workload

NS = "{http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2}"
TPX = "{http://www.garmin.com/xmlschemas/ActivityExtension/v2}"


def _runload(work: list[bytes], *, fast: bool = True) -> float:
    from runload.errors import ReadError
    from runload.io import tcx
    from runload.io.tcx import parse_tcx

    tcx.FAST = fast
    total = 0.0
    for i, data in enumerate(work):
        try:
            parsed = parse_tcx(data, source=f"f{i}.tcx")
        except ReadError:
            continue
        total += sum(a["distance_m"] for a in parsed.activities if a["distance_m"] == a["distance_m"])
    tcx.FAST = True
    return total


def _reference(work: list[bytes]) -> float:
    return _runload(work, fast=False)


def _number(el) -> float | None:
    if el is None or el.text is None:
        return None
    try:
        return float(el.text)
    except ValueError:
        return None


def _naive(work: list[bytes]) -> float:
    total = 0.0
    for data in work:
        try:
            root = ET.fromstring(data.lstrip(b"\xef\xbb\xbf \t\r\n"))
        except ET.ParseError:
            continue
        columns: dict[str, list] = {name: [] for name in (
            "time", "lat", "lon", "alt", "dist", "hr", "cad", "speed", "runcad")}
        for point in root.iter(NS + "Trackpoint"):
            time_el = point.find(NS + "Time")
            columns["time"].append(None if time_el is None else time_el.text)
            columns["lat"].append(_number(point.find(f"{NS}Position/{NS}LatitudeDegrees")))
            columns["lon"].append(_number(point.find(f"{NS}Position/{NS}LongitudeDegrees")))
            columns["alt"].append(_number(point.find(NS + "AltitudeMeters")))
            columns["dist"].append(_number(point.find(NS + "DistanceMeters")))
            columns["hr"].append(_number(point.find(f"{NS}HeartRateBpm/{NS}Value")))
            columns["cad"].append(_number(point.find(NS + "Cadence")))
            columns["speed"].append(_number(point.find(f".//{TPX}Speed")))
            columns["runcad"].append(_number(point.find(f".//{TPX}RunCadence")))
        for lap in root.iter(NS + "Lap"):
            total += _number(lap.find(NS + "DistanceMeters")) or 0.0
    return total


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=float, default=30.0)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)

    work = workload("tcx", args.megabytes)
    size_mb = sum(map(len, work)) / 1e6
    points = sum(d.count(b"<Trackpoint") for d in work)
    ours, ours_m = best_cpu(_runload, work, args.repeat)
    ref, ref_m = best_cpu(_reference, work, args.repeat)
    naive, naive_m = best_cpu(_naive, work, args.repeat)
    print(f"workload: {len(work)} files, {size_mb:.1f} MB, {points} trackpoints")
    for label, seconds, total in (("runload parse_tcx (fast)", ours, ours_m),
                                  ("  element reader only", ref, ref_m),
                                  ("naive ElementTree+findall", naive, naive_m)):
        print(f"{label:26s}: {seconds:7.2f} s CPU  ({size_mb / seconds:6.1f} MB/s, "
              f"{seconds / points * 1e6:5.2f} us/point)  laps {total / 1000:.0f} km")
    print(f"ratio element / fast     : {ref / ours:5.2f}x")
    print(f"ratio naive / fast       : {naive / ours:5.2f}x  (naive / element reader: "
          f"{naive / ref:4.2f}x)")


if __name__ == "__main__":
    main()

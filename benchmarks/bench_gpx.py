"""GPX reading speed: runload's parse_gpx against gpxpy (parse + length_2d).

runload is timed twice: with its fast path (regular expressions over the points, the
file's own pattern first, with a full well-formedness check; ``runload.io.gpx.FAST =
True``, the default) and with the element reader alone (``FAST = False``, the reference
the fast path is tested against). The corpus GPX files (``../shared/corpus/gpx``) are
read repeatedly until about ``--megabytes`` of XML has been parsed by each side; both
read the same bytes in the same order. Times are CPU seconds of this process
(``time.process_time``), the best of ``--repeat`` rounds, so other work on the machine
disturbs them less than wall time.
gpxpy is a benchmark reference only, not a runtime dependency. Usage::

    .venv/bin/python benchmarks/bench_gpx.py [--megabytes 50] [--repeat 3]
"""

from __future__ import annotations

import argparse

from _corpus import best_cpu, workload


def _runload(work: list[bytes], *, fast: bool = True) -> float:
    from runload.errors import ReadError
    from runload.io import gpx
    from runload.io.gpx import parse_gpx

    gpx.FAST = fast
    total = 0.0
    for i, data in enumerate(work):
        try:
            parsed = parse_gpx(data, source=f"f{i}.gpx")
        except ReadError:
            continue
        total += sum(a["distance_m"] for a in parsed.activities)
    gpx.FAST = True
    return total


def _reference(work: list[bytes]) -> float:
    return _runload(work, fast=False)


def _gpxpy(work: list[bytes]) -> float:
    import gpxpy

    total = 0.0
    for data in work:
        gpx = gpxpy.parse(data.decode("utf-8-sig"))
        total += gpx.length_2d()
    return total


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=float, default=50.0)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)

    work = workload("gpx", args.megabytes)
    size_mb = sum(map(len, work)) / 1e6
    points = sum(d.count(b"<trkpt") for d in work)
    ours, ours_m = best_cpu(_runload, work, args.repeat)
    ref, ref_m = best_cpu(_reference, work, args.repeat)
    theirs, theirs_m = best_cpu(_gpxpy, work, args.repeat)
    print(f"workload: {len(work)} files, {size_mb:.1f} MB, {points} track points")
    print(f"runload parse_gpx        : {ours:7.2f} s CPU  ({size_mb / ours:6.1f} MB/s, "
          f"{ours / points * 1e6:5.2f} us/point)  total {ours_m / 1000:.0f} km")
    print(f"  element reader only    : {ref:7.2f} s CPU  ({size_mb / ref:6.1f} MB/s, "
          f"{ref / points * 1e6:5.2f} us/point)  total {ref_m / 1000:.0f} km")
    print(f"gpxpy parse + length_2d  : {theirs:7.2f} s CPU  ({size_mb / theirs:6.1f} MB/s, "
          f"{theirs / points * 1e6:5.2f} us/point)  total {theirs_m / 1000:.0f} km")
    print(f"ratio gpxpy / runload    : {theirs / ours:5.2f}x  (element reader only: "
          f"{theirs / ref:4.2f}x)")


if __name__ == "__main__":
    main()

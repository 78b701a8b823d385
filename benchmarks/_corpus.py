"""Shared by the XML reader benchmarks (``bench_gpx.py``, ``bench_tcx.py``).

The corpus files of one format, repeated in order until about ``megabytes`` of XML, and
the best CPU time of a reader over that workload. Not a benchmark itself (``run_all.py``
runs ``bench_*.py`` and ``sim_*.py`` only).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = Path(os.environ.get("RUNLOAD_CORPUS", ROOT.parent / "shared" / "corpus"))


def workload(kind: str, megabytes: float) -> list[bytes]:
    """The ``CORPUS/<kind>/*.<kind>`` files, repeated until about ``megabytes`` MB."""
    files = [f.read_bytes() for f in sorted((CORPUS / kind).glob(f"*.{kind}"))]
    if not files:
        sys.exit(f"no {kind.upper()} files under {CORPUS / kind} (set RUNLOAD_CORPUS)")
    out: list[bytes] = []
    size, target = 0, megabytes * 1e6
    while size < target:
        for data in files:
            out.append(data)
            size += len(data)
    return out


def best_cpu(fn, work: list[bytes], repeat: int) -> tuple[float, float]:
    """``(best CPU seconds over repeat rounds, fn(work))``: process time, so other jobs
    on the machine disturb it less than wall time."""
    best = float("inf")
    result = 0.0
    for _ in range(repeat):
        start = time.process_time()
        result = fn(work)
        best = min(best, time.process_time() - start)
    return best, result

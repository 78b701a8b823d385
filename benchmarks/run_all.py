"""Run every benchmark script of this folder (``make bench``).

Runs ``bench_*.py`` and ``sim_*.py`` (each in its own interpreter, with its default
arguments), one after the other, and prints their output and wall times. ``fuzz.py``
is a long fuzzing run with a time budget, not a benchmark, and is not run here.
Extra arguments select scripts by name: ``python benchmarks/run_all.py ingest``.

Exit status: 0 when every script succeeded, else 1 (the failing scripts are listed).
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def scripts(selected: list[str]) -> list[Path]:
    """The benchmark scripts, optionally only those whose name contains a selector."""
    found = sorted([*HERE.glob("bench_*.py"), *HERE.glob("sim_*.py")])
    if selected:
        found = [p for p in found if any(s in p.stem for s in selected)]
    return found


def main(argv: list[str] | None = None) -> int:
    selected = list(sys.argv[1:] if argv is None else argv)
    failed = []
    for script in scripts(selected):
        print(f"=== {script.name} ===", flush=True)
        t0 = time.perf_counter()
        done = subprocess.run([sys.executable, str(script)], cwd=HERE.parent)
        print(
            f"=== {script.name}: exit {done.returncode}, {time.perf_counter() - t0:.0f} s ===\n",
            flush=True,
        )
        if done.returncode:
            failed.append(script.name)
    if failed:
        print("failed: " + ", ".join(failed), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

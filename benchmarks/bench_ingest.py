"""Ingest speed: runload against a naive fitdecode loop, on a 3,000-activity history.

The history is generated once (and reused) under ``benchmarks/_data/`` (git-ignored):
``--files`` realistic 1 Hz FIT runs of 45-75 min (~3,600 ``record`` messages with
position, distance, speed, heart rate, cadence and altitude; auto-laps every km;
session, activity, device_info, events), one a day, written by
:mod:`runload.sample.writers` (fit_tool's message layout). Everything below is measured
in the same run:

* **raw-read floor** — reading every file's bytes (page cache warm, as in all the
  runs below);
* **naive fitdecode** — ``for frame in fitdecode.FitReader(data)`` over every message
  (what a reader that decodes everything costs); timed on ``--naive-files`` files and
  extrapolated to the whole history (printed as such);
* **runload cold** — :func:`runload.read_activities` with the cache off, 1 worker and
  all cores;
* **runload warm** — a second run over the unchanged history with the summary cache,
  in a fresh interpreter (start-up and imports included, and also without them);
* **records** — :func:`runload.io.fitrecords.record_arrays` against fitdecode
  collecting the same record fields, with the values checked equal;
* **memory** — peak RSS of a fresh interpreter reading 1,000 vs all files (1 worker,
  no cache).

Usage::

    .venv/bin/python benchmarks/bench_ingest.py [--files 3000] [--naive-files 60]

The results are also written to ``benchmarks/_data/bench_ingest.json``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "benchmarks" / "_data"
sys.path.insert(0, str(ROOT))

from runload.io.fit import RECORD_FIELDS  # noqa: E402  (the fields the reader decodes)

# --- the history ----------------------------------------------------------------------


def _one_file(args: tuple[int, str]) -> str:
    """Write the ``i``-th run of the history (a top-level function for the pool)."""
    from runload.sample import routes, writers

    i, folder = args
    rng = np.random.default_rng([20260101, i])
    minutes = int(rng.integers(45, 76))
    pace_s_per_km = float(rng.uniform(290, 360))
    distance = round(minutes * 60 / pace_s_per_km * 1000, 1)
    day = dt.date(2017, 1, 2) + dt.timedelta(days=i)
    start = dt.datetime(day.year, day.month, day.day, 6, 30, tzinfo=dt.UTC)
    start_s = int(start.timestamp()) + int(rng.integers(0, 3600))
    track = routes.simulate(
        rng,
        sport="running",
        distance_m=distance,
        moving_time_s=minutes * 60,
        home=(48.85 + rng.uniform(-0.05, 0.05), 2.35 + rng.uniform(-0.05, 0.05)),
        interval_s=(1, 1),
        hilliness_m=float(rng.uniform(3, 25)),
    )
    data = writers.fit_activity(
        track,
        sport="running",
        start_unix_s=start_s,
        utc_offset_s=3600,
        manufacturer=1,
        product=3990,
        serial_number=3_000_000_000 + 7,
    )
    path = Path(folder) / f"{day.isoformat()}-run.fit"
    path.write_bytes(data)
    return str(path)


def ensure_history(n: int) -> list[Path]:
    """The ``n`` FIT files of the benchmark history, generated when missing."""
    folder = DATA / f"history-{n}" / "runner"
    done = folder.parent / "COMPLETE"
    if not done.is_file():
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
        from runload.io.pool import map_files

        t0 = time.perf_counter()
        print(f"generating {n} FIT files in {folder} ...", flush=True)
        map_files(_one_file, [(i, str(folder)) for i in range(n)])
        done.write_text(f"{n} files\n")
        print(f"  generated in {time.perf_counter() - t0:.0f} s", flush=True)
    return sorted(folder.glob("*.fit"))


# --- measurements -----------------------------------------------------------------------


#: CPU seconds (this process) of the best round of the last :func:`_best` call: on a
#: busy machine the single-process ratios are also given in CPU time.
CPU = {"last": float("nan")}


def _best(func, repeat: int) -> float:
    """Best wall time of ``repeat`` rounds (its CPU time goes to ``CPU['last']``)."""
    best = (float("inf"), float("nan"))
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        func()
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        best = min(best, (wall, cpu))
    CPU["last"] = best[1]
    return best[0]


def read_floor(paths) -> float:
    for p in paths:  # warm the page cache first
        p.read_bytes()
    return _best(lambda: [p.read_bytes() for p in paths], 3)


def naive_fitdecode(paths) -> float:
    import fitdecode

    def run():
        for p in paths:
            with fitdecode.FitReader(p.read_bytes()) as reader:
                for _frame in reader:
                    pass

    return _best(run, 1)


def _read_activities(folder, *, workers, cache, cache_dir=None):
    """read_activities with the pool and cache options, problems skipped silently."""
    import runload

    return runload.read_activities(
        folder, workers=workers, cache=cache, cache_dir=cache_dir, errors="skip"
    )


def runload_cold(folder, workers) -> tuple[float, object]:
    out = {}

    def run():
        out["frame"] = _read_activities(folder, workers=workers, cache=False)

    return _best(run, 1), out["frame"]


_CHILD = """
import resource, sys, time
t0 = time.perf_counter()
sys.path.insert(0, {root!r})
import bench_ingest
import runload.io.cache, runload.io.ingest, runload.io.fit, runload.io.fitscan
t1 = time.perf_counter()
frame = bench_ingest._read_activities({target}, workers={workers}, cache={cache},
                                      cache_dir={cache_dir!r})
t2 = time.perf_counter()
# VmHWM, not ru_maxrss: Linux keeps ru_maxrss across fork+exec (the parent's peak)
hwm = [line.split()[1] for line in open("/proc/self/status") if line.startswith("VmHWM")]
peak = int(hwm[0]) if hwm else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(t2 - t1, t1 - t0, len(frame), peak)
"""


def child(target: str, *, workers=1, cache=False, cache_dir=None):
    """Run an ingest in a fresh interpreter.

    Returns (wall s incl. start-up, ingest s, import s, rows, peak RSS KiB).
    """
    code = _CHILD.format(
        root=str(ROOT / "benchmarks"),
        target=target,
        workers=workers,
        cache=cache,
        cache_dir=cache_dir,
    )
    t0 = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-W", "ignore", "-c", code], capture_output=True, text=True
    )
    if done.returncode:
        raise RuntimeError(f"benchmark child failed:\n{done.stderr}")
    wall = time.perf_counter() - t0
    inner, imports, rows, rss = done.stdout.split()
    return wall, float(inner), float(imports), int(rows), int(rss)


def interpreter_start() -> float:
    def run():
        subprocess.run([sys.executable, "-c", "pass"], check=True)

    return _best(run, 5)


def records_bench(paths) -> dict:
    import fitdecode

    from runload.io.fitrecords import record_arrays

    blobs = [p.read_bytes() for p in paths]

    def naive():
        out = []
        for data in blobs:
            cols = {name: [] for name in RECORD_FIELDS}
            with fitdecode.FitReader(data) as reader:
                for frame in reader:
                    if frame.frame_type == fitdecode.FIT_FRAME_DATA and frame.name == "record":
                        for name in RECORD_FIELDS:
                            cols[name].append(frame.get_value(name, fallback=None))
            out.append(cols)
        return out

    def fast():
        return [record_arrays(data, fields=RECORD_FIELDS) for data in blobs]

    t0, c0 = time.perf_counter(), time.process_time()
    reference = naive()
    t_naive = time.perf_counter() - t0
    naive_cpu = time.process_time() - c0
    t_fast = _best(fast, 3)
    fast_cpu = CPU["last"]
    ours = fast()
    identical = True
    values = 0
    for ref, got in zip(reference, ours, strict=True):
        for name in RECORD_FIELDS:
            column = got.get(name)
            for i, value in enumerate(ref[name]):
                values += 1
                if value is None:
                    ok = column is None or (
                        np.isnat(column[i]) if column.dtype.kind == "M" else np.isnan(column[i])
                    )
                elif isinstance(value, dt.datetime):
                    ok = column[i] == np.datetime64(int(value.timestamp()), "s")
                else:
                    ok = column is not None and column[i] == value
                identical &= bool(ok)
    return {
        "files": len(paths),
        "naive_s": t_naive,
        "fast_s": t_fast,
        "identical": identical,
        "values_compared": values,
        "naive_cpu_s": naive_cpu,
        "fast_cpu_s": fast_cpu,
    }


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=3000)
    parser.add_argument("--naive-files", type=int, default=60)
    parser.add_argument("--memory-small", type=int, default=1000)
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")

    paths = ensure_history(args.files)
    folder = paths[0].parent
    n = len(paths)
    step = max(1, n // args.naive_files)
    sample = paths[::step][: args.naive_files]
    from runload.io.crc import BACKEND
    from runload.io.pool import default_workers

    cores = default_workers()
    mb = sum(p.stat().st_size for p in paths) / 1e6
    print(
        f"history: {n} FIT files, {mb:.0f} MB, {mb / n * 1000:.0f} kB each; machine: "
        f"{platform.machine()} {cores} cores, Python {platform.python_version()}; "
        f"CRC backend {BACKEND}",
        flush=True,
    )

    floor = read_floor(paths)
    print(f"raw read floor            {floor:8.2f} s  ({floor / n * 1e3:.2f} ms/file)", flush=True)
    naive_sample = naive_fitdecode(sample)
    naive = naive_sample / len(sample) * n
    naive_cpu = CPU["last"] / len(sample) * n
    print(
        f"naive fitdecode loop      {naive:8.1f} s  ({naive_sample / len(sample) * 1e3:.0f} "
        f"ms/file; timed on {len(sample)} files, extrapolated)",
        flush=True,
    )
    cold1, frame = runload_cold(folder, 1)
    cold1_cpu = CPU["last"]
    print(
        f"runload cold, 1 worker    {cold1:8.2f} s  ({cold1 / n * 1e3:.2f} ms/file)  "
        f"{naive / cold1:6.0f}x faster than naive (CPU time: {cold1_cpu:.2f} s vs "
        f"{naive_cpu:.0f} s, {naive_cpu / cold1_cpu:.0f}x)",
        flush=True,
    )
    cold_all, frame_all = runload_cold(folder, cores)
    same = frame.equals(frame_all)
    print(
        f"runload cold, {cores} workers   {cold_all:8.2f} s  ({cold_all / n * 1e3:.2f} ms/file)  "
        f"{naive / cold_all:6.0f}x; same table as 1 worker: {same}",
        flush=True,
    )

    cache_dir = tempfile.mkdtemp(prefix="runload-bench-cache-")
    try:
        t0 = time.perf_counter()
        filled = _read_activities(folder, workers=cores, cache=True, cache_dir=cache_dir)
        fill = time.perf_counter() - t0
        warm_wall, warm_inner, warm_imports, rows, _ = child(
            repr(str(folder)), workers=cores, cache=True, cache_dir=cache_dir
        )
        warm_again = _best(
            lambda: _read_activities(folder, workers=cores, cache=True, cache_dir=cache_dir), 3
        )
        warm_cpu = CPU["last"]
        warm_same = _read_activities(folder, workers=cores, cache=True, cache_dir=cache_dir).equals(
            frame
        )
        verify = _best(
            lambda: _read_activities(folder, workers=cores, cache="verify", cache_dir=cache_dir),
            3,
        )
        verify_cpu = CPU["last"]
    finally:
        shutil.rmtree(cache_dir, ignore_errors=True)
    start = interpreter_start()
    print(f"runload cold + cache fill {fill:8.2f} s", flush=True)
    print(
        f"runload warm (cache)      {warm_again:8.2f} s in-process; in a fresh interpreter "
        f"{warm_inner:.2f} s + {warm_imports:.2f} s imports + {start:.2f} s bare start-up "
        f"= {warm_wall:.2f} s wall; same table: {warm_same and len(filled) == rows}; "
        f"in-process CPU {warm_cpu:.2f} s",
        flush=True,
    )
    print(f"runload warm, verified    {verify:8.2f} s in-process (every file re-hashed, "
          f"cache='verify'); CPU {verify_cpu:.2f} s", flush=True)

    rec = records_bench(sample)
    print(
        f"records: fitdecode {rec['naive_s'] / rec['files'] * 1e3:.0f} ms/file, fast path "
        f"{rec['fast_s'] / rec['files'] * 1e3:.2f} ms/file: {rec['naive_s'] / rec['fast_s']:.0f}x;"
        f" identical values: {rec['identical']} ({rec['values_compared']} values); CPU time "
        f"{rec['naive_cpu_s'] / rec['fast_cpu_s']:.0f}x",
        flush=True,
    )

    small = paths[: args.memory_small]
    small_list = "[" + ", ".join(repr(str(p)) for p in small) + "]"
    *_, rss_small = child(small_list)
    *_, rss_big = child(repr(str(folder)))
    print(
        f"peak RSS, 1 worker, no cache: {len(small)} files {rss_small / 1024:.0f} MiB, "
        f"{n} files {rss_big / 1024:.0f} MiB",
        flush=True,
    )

    results = {
        "files": n,
        "megabytes": mb,
        "cores": cores,
        "python": platform.python_version(),
        "crc_backend": BACKEND,
        "read_floor_s": floor,
        "naive_s_extrapolated": naive,
        "naive_sample_files": len(sample),
        "naive_ms_per_file": naive_sample / len(sample) * 1e3,
        "cold_1_worker_s": cold1,
        "cold_1_worker_cpu_s": cold1_cpu,
        "naive_cpu_s_extrapolated": naive_cpu,
        "warm_in_process_cpu_s": warm_cpu,
        "load_average": os.getloadavg(),
        "cold_all_cores_s": cold_all,
        "workers_same_table": same,
        "cache_fill_s": fill,
        "warm_in_process_s": warm_again,
        "warm_verify_s": verify,
        "warm_verify_cpu_s": verify_cpu,
        "warm_fresh_wall_s": warm_wall,
        "warm_fresh_ingest_s": warm_inner,
        "warm_fresh_imports_s": warm_imports,
        "interpreter_start_s": start,
        "warm_same_table": bool(warm_same),
        "records": rec,
        "rss_kib": {str(len(small)): rss_small, str(n): rss_big},
        "ratios": {
            "cold1_vs_naive": naive / cold1,
            "cold_all_vs_naive": naive / cold_all,
            "records_vs_fitdecode": rec["naive_s"] / rec["fast_s"],
            "records_vs_fitdecode_cpu": rec["naive_cpu_s"] / rec["fast_cpu_s"],
            "cold1_vs_naive_cpu": naive_cpu / cold1_cpu,
            "cold1_vs_floor": cold1 / floor,
        },
    }
    DATA.mkdir(parents=True, exist_ok=True)
    (DATA / "bench_ingest.json").write_text(json.dumps(results, indent=2))
    return results


if __name__ == "__main__":
    main()

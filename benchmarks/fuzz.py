"""The long fuzz run: hostile and broken bytes through every runload reader.

Seeds are the real and broken files of the shared corpus (``../shared/corpus``), the
hand-made files of ``tests/data`` and a few archives and pain logs built here. Each case
takes one seed, applies one to four random mutations and hands the result to one target:

========== ===============================================================================
target     what is called
========== ===============================================================================
fit        :func:`runload.io.fit.parse_fit` (fast path, and every 8th case the reference
           path too) and every 4th case :func:`runload.io.fit.fit_track`
fitscan    :func:`runload.io.fitscan.scan_fit` and ``fast_fit_messages`` (the scanner must
           return ``None`` for what it does not understand, never raise)
gpx, tcx   :func:`runload.io.gpx.parse_gpx` / :func:`runload.io.tcx.parse_tcx` (and every
           4th case their ``*_track``)
archive    the bytes written as ``x.zip`` / ``x.fit.gz`` / ``x.gpx`` in a temporary folder
           and read with :func:`runload.read_activities` (``errors='skip'``); the file
           inventory must conserve (seen = activity + non-activity + problem files)
pain       :func:`runload.read_pain_log` and :func:`runload.habits.read_habits_log`
========== ===============================================================================

Mutations: truncation at a random offset, bit flips, random bytes written, inserted,
deleted or duplicated, splices of two seeds, whole random files, and format-aware ones —
FIT: a definition's field sizes, field count or message number changed, the header's
data size set huge or small, a record header's local type changed; XML: DTDs, entities,
deep nesting and huge texts inserted; CSV: separators, decimal commas, dates (Excel
serials, far past, far future) and encodings changed.

What counts as a failure: any exception that is not a :class:`runload.errors.RunloadError`
(a ``MemoryError`` included: the process runs under an address-space limit), a case that
runs longer than ``--timeout`` seconds (a hang), or, for the archive target, an inventory
that does not conserve. Failing inputs are written to ``--crashes``. The result is one
JSON summary (stdout, and ``--out``).

Usage::

    .venv/bin/python benchmarks/fuzz.py --budget 20000            # cases
    .venv/bin/python benchmarks/fuzz.py --seconds 900 --out fuzz.json
    .venv/bin/python benchmarks/fuzz.py --budget 500 --targets fit,gpx --seed 7

The numbers of the last long run are in ``docs/robustness.md``.
"""

from __future__ import annotations

import argparse
import collections
import gzip
import io
import json
import os
import random
import resource
import signal
import struct
import sys
import tempfile
import time
import traceback
import warnings
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = Path(os.environ.get("RUNLOAD_CORPUS", ROOT.parent / "shared" / "corpus"))
TARGETS = ("fit", "fitscan", "gpx", "tcx", "archive", "pain")
WEIGHTS = {"fit": 5, "fitscan": 3, "gpx": 3, "tcx": 3, "archive": 2, "pain": 3}


class CaseTimeout(Exception):
    """Raised by the alarm when one case runs longer than ``--timeout``."""


def _alarm(signum, frame):  # noqa: ARG001 - signal handler signature
    raise CaseTimeout


# --- seeds ---------------------------------------------------------------------------


def _files(folder: Path, patterns: tuple[str, ...]) -> list[Path]:
    out: list[Path] = []
    for pattern in patterns:
        out.extend(folder.rglob(pattern))
    return sorted(set(out))


def _pain_seeds() -> list[bytes]:
    """Pain logs and habits logs of several spellings (the CSV mutators work on them)."""
    seeds = [p.read_bytes() for p in _files(ROOT / "tests" / "data" / "pain", ("*.csv",))]
    seeds += [p.read_bytes() for p in _files(ROOT / "docs" / "templates", ("*.csv",))]
    seeds += [
        b"onset,end,severity,location\n2024-01-03,2024-01-09,6,low back\n2024-03-01,,4,\n",
        "\ufeffdate;severity;notes\n03.01.2024;5,5;M\u00fcde\n45300;3;\n\n".encode(),
        b"athlete\tdate\tseverity\nann\t2024-01-01\t3\nbob\t2024-01-02\t7\n",
        "onset,severity,notes\n2023-05-01,7,\u00e9t\u00e9\n".encode("latin-1"),
        b"date,kind,minutes,value,notes\n2024-03-04,strength,25,,squats\n"
        b"2024-03-05,sleep,,7.5,\n2024-03-06,shoes,,Pegasus 40,\n",
    ]
    return seeds


def _archive_seeds(fit: list[bytes], gpx: list[bytes]) -> list[tuple[str, bytes]]:
    """Small zips (flat, nested, Strava-like), a gzip and a plain GPX, built in memory."""
    small_fit = min(fit, key=len)
    small_gpx = min(gpx, key=len)
    seeds: list[tuple[str, bytes]] = []

    def zipped(members: dict[str, bytes], method=zipfile.ZIP_DEFLATED) -> bytes:
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", method) as zf:
            for name, data in members.items():
                zf.writestr(name, data)
        return buf.getvalue()

    seeds.append(("x.zip", zipped({"a.fit": small_fit, "b.gpx": small_gpx})))
    seeds.append(("x.zip", zipped({"a.fit": small_fit}, zipfile.ZIP_STORED)))
    inner = zipped({"run.fit": small_fit})
    seeds.append(("x.zip", zipped({"inner.zip": inner, "notes.txt": b"hi"})))
    seeds.append(("x.zip", zipped({
        "activities.csv": b"Activity ID,Activity Date,Activity Name,Activity Type,Filename\n"
                          b"1,2024,Morning Run,Run,activities/1.fit.gz\n",
        "activities/1.fit.gz": gzip.compress(small_fit),
        "routes/r.gpx": small_gpx,
    })))
    seeds.append(("x.fit.gz", gzip.compress(small_fit)))
    seeds.append(("x.gpx", small_gpx))
    for path in _files(CORPUS / "exports", ("*.zip",)):
        data = path.read_bytes()
        if len(data) < 400_000:
            seeds.append(("x.zip", data))
    return seeds


def load_seeds() -> dict[str, list]:
    """Seed inputs per target."""
    fit_paths = _files(CORPUS, ("*.fit",)) + _files(ROOT / "tests" / "data" / "fit", ("*.fit",))
    fit = [p.read_bytes() for p in fit_paths]
    fit += [gzip.decompress(p.read_bytes()) for p in _files(CORPUS, ("*.fit.gz",))]
    fit = [d for d in fit if 0 < len(d) <= 1_500_000]  # keep cases fast
    gpx = [p.read_bytes() for p in _files(CORPUS, ("*.gpx",)) + _files(
        ROOT / "tests" / "data" / "gpx", ("*.gpx",))]
    gpx = [d for d in gpx if len(d) <= 600_000]
    tcx = [p.read_bytes() for p in _files(CORPUS, ("*.tcx",)) + _files(
        ROOT / "tests" / "data" / "tcx", ("*.tcx",))]
    tcx = [d for d in tcx if len(d) <= 600_000]
    if not fit or not gpx or not tcx:
        sys.exit(f"no seed files under {CORPUS} (set RUNLOAD_CORPUS)")
    return {
        "fit": fit,
        "fitscan": fit,
        "gpx": gpx,
        "tcx": tcx,
        "archive": _archive_seeds(fit, gpx),
        "pain": _pain_seeds(),
    }


# --- mutators ------------------------------------------------------------------------


def _truncate(rng: random.Random, data: bytearray, _seeds) -> bytearray:
    return data[: rng.randrange(len(data) + 1)]


def _flip(rng, data, _seeds):
    for _ in range(rng.randint(1, 8)):
        if data:
            data[rng.randrange(len(data))] ^= 1 << rng.randrange(8)
    return data


def _set_bytes(rng, data, _seeds):
    for _ in range(rng.randint(1, 4)):
        if data:
            data[rng.randrange(len(data))] = rng.choice((0, 0xFF, 0x7F, 0x80, rng.randrange(256)))
    return data


def _insert(rng, data, _seeds):
    at = rng.randrange(len(data) + 1)
    return data[:at] + bytearray(rng.randbytes(rng.randint(1, 64))) + data[at:]


def _delete(rng, data, _seeds):
    if not data:
        return data
    at = rng.randrange(len(data))
    return data[:at] + data[at + rng.randint(1, 256):]


def _duplicate(rng, data, _seeds):
    if not data:
        return data
    at = rng.randrange(len(data))
    piece = data[at: at + rng.randint(1, 2048)]
    to = rng.randrange(len(data) + 1)
    return data[:to] + piece * rng.randint(1, 4) + data[to:]


def _splice(rng, data, seeds):
    other = rng.choice(seeds)
    other = other[1] if isinstance(other, tuple) else other
    a = rng.randrange(len(data) + 1)
    b = rng.randrange(len(other) + 1)
    return data[:a] + bytearray(other[b:])


def _random_file(rng, data, _seeds):
    return bytearray(rng.randbytes(rng.choice((0, 1, 12, 14, 100, 4096))))


GENERIC = (_truncate, _flip, _set_bytes, _insert, _delete, _duplicate, _splice)


def _fit_definitions(data: bytes) -> list[int]:
    """Offsets of definition-message headers (best effort walk of the first FIT block)."""
    if len(data) < 14 or data[0] not in (12, 14):
        return []
    end = min(len(data), data[0] + struct.unpack_from("<I", data, 4)[0])
    sizes = [0] * 16
    out = []
    p = data[0]
    while p < end and len(out) < 400:
        h = data[p]
        if h & 0x80:
            size = sizes[(h >> 5) & 3]
            if not size:
                break
            p += size
        elif h & 0x40:
            if p + 6 > end:
                break
            out.append(p)
            nf = data[p + 5]
            q = p + 6 + 3 * nf
            size = 1 + sum(data[p + 7: q: 3])
            if h & 0x20 and q < end:
                nd = data[q]
                size += sum(data[q + 2: q + 1 + 3 * nd: 3])
                q += 1 + 3 * nd
            sizes[h & 0x0F] = size
            p = q
        else:
            if not sizes[h & 0x0F]:
                break
            p += sizes[h & 0x0F]
    return out


def _fit_definition(rng, data, _seeds):
    """Change a definition's field size, field count, base type or message number."""
    defs = _fit_definitions(bytes(data))
    if not defs:
        return _flip(rng, data, _seeds)
    p = rng.choice(defs)
    nf = data[p + 5]
    choice = rng.randrange(5)
    if choice == 0 and nf:  # a field size
        data[p + 6 + 3 * rng.randrange(nf) + 1] = rng.choice((0, 1, 3, 255, rng.randrange(256)))
    elif choice == 1:  # the field count (the message then reads too many / few bytes)
        data[p + 5] = rng.choice((0, 255, (nf + rng.choice((-1, 1))) % 256))
    elif choice == 2 and nf:  # a base type
        data[p + 6 + 3 * rng.randrange(nf) + 2] = rng.choice((0x07, 0x0D, 0x89, 0x8E, 0xFF))
    elif choice == 3:  # the global message number
        num = rng.choice((0, 18, 19, 20, 34, 162, 206, 207, 0xFFFF, rng.randrange(65536)))
        data[p + 3: p + 5] = num.to_bytes(2, "big" if data[p + 2] else "little")
    else:  # the architecture byte
        data[p + 2] = rng.choice((0, 1, 2, 255))
    return data


def _fit_header(rng, data, _seeds):
    """Declare a huge, zero or off-by-some data size, or a bad header size / protocol."""
    if len(data) < 12:
        return data
    choice = rng.randrange(4)
    if choice == 0:
        size = rng.choice((0xFFFFFFFF, 0x7FFFFFFF, 2**31 + 5, len(data) * 1000))
    elif choice == 1:
        size = rng.choice((0, 1, max(0, len(data) - 16 - rng.randrange(64))))
    elif choice == 2:
        data[0] = rng.choice((0, 1, 12, 14, 15, 255))
        return data
    else:
        data[1] = rng.randrange(256)  # protocol version
        return data
    data[4:8] = size.to_bytes(4, "little")
    return data


def _fit_record_header(rng, data, _seeds):
    """Point a data message at another local type, or make it a compressed-time header."""
    if len(data) < 20:
        return data
    at = rng.randrange(14, len(data))
    data[at] = rng.choice((rng.randrange(16), 0x40 | rng.randrange(16), 0x80 | rng.randrange(128)))
    return data


def _fit_chain(rng, data, seeds):
    """Append (part of) another FIT file, as a chained or trailing-garbage file."""
    other = bytearray(rng.choice(seeds))
    return data + other[: rng.randrange(len(other) + 1)]


FIT_MUTATORS = (*GENERIC, _fit_definition, _fit_definition, _fit_header, _fit_record_header,
                _fit_chain)

_XML_SNIPPETS = (
    b'<!DOCTYPE gpx [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>',
    b'<!DOCTYPE x SYSTEM "http://127.0.0.1:9/x.dtd">',
    b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>',
    b"&e;", b"&amp;", b"&#0;", b"&#x110000;", b"<![CDATA[x]]>", b"<?pi x?>", b"<!-- -->",
    b"<time>1901-12-13T20:45:52Z</time>", b"<time>2999-01-01T00:00:00Z</time>",
    b"<time>not a time</time>", b"<Time>1970-01-01T00:00:00Z</Time>",
    b'<trkpt lat="nan" lon="inf"><time>2024-01-01T00:00:00Z</time></trkpt>',
    b'<trkpt lat="91" lon="-181"/>', b"<DistanceMeters>-1e308</DistanceMeters>",
    b"<DistanceMeters>1e400</DistanceMeters>", b"<Lap StartTime='x'>",
    b"\xff\xfe", b"\xef\xbb\xbf", b"<?xml version='1.0' encoding='latin-1'?>",
    b"<?xml version='1.0' encoding='bogus-9'?>", b"<?xml version='1.0' encoding='utf-16'?>",
)


def _xml_snippet(rng, data, _seeds):
    at = rng.randrange(len(data) + 1)
    # prefer a tag boundary, where a snippet keeps the document well-formed more often
    gt = data.find(b">", at)
    if gt != -1 and rng.random() < 0.7:
        at = gt + 1
    return data[:at] + bytearray(rng.choice(_XML_SNIPPETS)) + data[at:]


def _xml_deep(rng, data, _seeds):
    depth = rng.choice((100, 1000, 20_000))
    at = data.find(b">", rng.randrange(len(data) + 1))
    at = len(data) if at == -1 else at + 1
    return data[:at] + b"<a>" * depth + b"</a>" * depth + data[at:]


def _xml_huge_text(rng, data, _seeds):
    at = data.find(b"<name>")
    blob = b"x" * rng.choice((10_000, 1_000_000))
    if at == -1:
        return data + blob
    return data[: at + 6] + blob + data[at + 6:]


XML_MUTATORS = (*GENERIC, _xml_snippet, _xml_snippet, _xml_deep, _xml_huge_text)

_CSV_TOKENS = (
    b";", b",", b"\t", b'"', b'""', b"\r\n", b"\n\n", b"\r", b"\x00", b"1,5", b"10,0", b"-1",
    b"11", b"nan", b"inf", b"1e309", b"45300", b"45300.0", b"99999", b"10000", b"0",
    b"1899-12-30", b"1900-01-01", b"1066-10-14", b"9999-12-31", b"2999-01-01",
    b"31.12.2023", b"03/04/2024", b"2024-02-30", b"2024-13-01", b"athlete", b"onset",
    b"date", b"severity", b"end", b"\xe9", b"\xff\xfe", b"\xef\xbb\xbf", b"\xc3\x28",
)


def _csv_token(rng, data, _seeds):
    for _ in range(rng.randint(1, 3)):
        at = rng.randrange(len(data) + 1)
        if rng.random() < 0.5:  # replace the cell around ``at``
            start = max(data.rfind(b",", 0, at), data.rfind(b";", 0, at),
                        data.rfind(b"\n", 0, at)) + 1
            stop = min([i for i in (data.find(b",", at), data.find(b";", at),
                                    data.find(b"\n", at)) if i != -1] or [len(data)])
            data = data[:start] + bytearray(rng.choice(_CSV_TOKENS)) + data[stop:]
        else:
            data = data[:at] + bytearray(rng.choice(_CSV_TOKENS)) + data[at:]
    return data


def _csv_encoding(rng, data, _seeds):
    text = bytes(data).decode("utf-8", errors="replace")
    codec = rng.choice(("utf-16", "utf-16-le", "utf-8-sig", "latin-1", "cp1252", "utf-32"))
    return bytearray(text.encode(codec, errors="replace"))


def _csv_rows(rng, data, _seeds):
    lines = bytes(data).split(b"\n")
    if len(lines) > 1:
        body = lines[1:]
        choice = rng.randrange(3)
        if choice == 0:
            body = body * rng.randint(2, 50)  # duplicates, long logs
        elif choice == 1:
            rng.shuffle(body)
        else:
            body = [b"", b" ", b";;;", *body]
        lines = [lines[0], *body]
    return bytearray(b"\n".join(lines))


CSV_MUTATORS = (*GENERIC, _csv_token, _csv_token, _csv_token, _csv_encoding, _csv_rows)


def _zip_member_names(rng, data, _seeds):
    """Rename members (``../``, absolute, nested zips) by rewriting the name bytes."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(bytes(data)))
        members = {i.filename: zf.read(i) for i in zf.infolist()}
    except Exception:  # noqa: BLE001 - a mutated zip may be anything
        return _flip(rng, data, _seeds)
    names = ("../../evil.fit", "/etc/x.fit", "C:\\x.fit", "a/../../b.gpx", "deep/x.zip",
             "__MACOSX/._a.fit", "x.fit.gz", "x.tcx", "x.kml", "activities.csv")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zw:
        for i, (name, member) in enumerate(members.items()):
            if rng.random() < 0.5:
                name = f"{rng.choice(names)}.{i}" if rng.random() < 0.2 else rng.choice(names)
            if name in zw.namelist():
                continue
            if rng.random() < 0.2:
                member = _zip_nest(rng, member)
            zw.writestr(name, member)
    return bytearray(out.getvalue())


def _zip_nest(rng, member: bytes) -> bytes:
    for _ in range(rng.randint(1, 5)):
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as zw:
            zw.writestr("n.zip" if rng.random() < 0.7 else "n.fit", member)
        member = buf.getvalue()
    return member


def _zip_sizes(rng, data, _seeds):
    """Lie about a member's sizes in the local header or the central directory."""
    blob = bytes(data)
    marks = [i for i in range(len(blob) - 30) if blob[i: i + 4] in (b"PK\x03\x04", b"PK\x01\x02")]
    if not marks:
        return _flip(rng, data, _seeds)
    at = rng.choice(marks)
    field = 18 if blob[at + 2] == 3 else 20  # compressed size; +4 is the uncompressed size
    field += rng.choice((0, 4))
    value = rng.choice((0, 1, 0xFFFFFFFF, 0x7FFFFFFF, rng.randrange(2**32)))
    data[at + field: at + field + 4] = value.to_bytes(4, "little")
    return data


ARCHIVE_MUTATORS = (*GENERIC, _zip_member_names, _zip_member_names, _zip_sizes, _zip_sizes)

MUTATORS = {
    "fit": FIT_MUTATORS,
    "fitscan": FIT_MUTATORS,
    "gpx": XML_MUTATORS,
    "tcx": XML_MUTATORS,
    "archive": ARCHIVE_MUTATORS,
    "pain": CSV_MUTATORS,
}


def mutate(rng: random.Random, target: str, seed, seeds: list) -> tuple[str, bytes]:
    """One fuzz case: a seed with 1-4 mutations (or, rarely, random bytes)."""
    name, data = seed if isinstance(seed, tuple) else ("", seed)
    data = bytearray(data)
    if rng.random() < 0.02:
        return name, bytes(_random_file(rng, data, seeds))
    for _ in range(rng.choice((1, 1, 1, 2, 2, 3, 4))):
        mutator = rng.choice(MUTATORS[target])
        try:
            data = mutator(rng, data, seeds)
        except (IndexError, ValueError, struct.error):  # a structure-aware mutator met
            data = _flip(rng, data, seeds)  # bytes it cannot parse: flip bits instead
        if len(data) > 8_000_000:  # keep a case's input bounded (the mutators can grow it)
            data = data[:8_000_000]
    return name, bytes(data)


# --- targets -------------------------------------------------------------------------


def run_case(target: str, name: str, data: bytes, index: int, workdir: Path) -> str:
    """Run one case; return an outcome label. Raise for a failure."""
    from runload.errors import RunloadError

    try:
        if target == "fit":
            from runload.io.fit import fit_track, parse_fit

            parsed = parse_fit(data, source="fuzz.fit")
            if index % 8 == 0:
                parse_fit(data, source="fuzz.fit", fast=False)
            if index % 4 == 0:
                fit_track(data, source="fuzz.fit")
            return "activity" if parsed.activities else "no_activity"
        if target == "fitscan":
            from runload.io.fitscan import fast_fit_messages, scan_fit

            scan = scan_fit(data, records=True)
            fast_fit_messages(data, records=index % 2 == 0)
            return "declined" if scan is None else "scanned"
        if target in ("gpx", "tcx"):
            from runload.io import gpx, tcx

            parse = gpx.parse_gpx if target == "gpx" else tcx.parse_tcx
            track = gpx.gpx_track if target == "gpx" else tcx.tcx_track
            parsed = parse(data, source=f"fuzz.{target}")
            if index % 4 == 0:
                track(data, source=f"fuzz.{target}")
            return "activity" if parsed.activities else "no_activity"
        if target == "archive":
            return _archive_case(name, data, workdir)
        if target == "pain":
            from runload import read_pain_log
            from runload.habits import read_habits_log

            buffer = io.BytesIO(data)
            buffer.name = "fuzz.csv"
            episodes = read_pain_log(buffer, today="2030-01-01")
            buffer = io.BytesIO(data)
            buffer.name = "fuzz.csv"
            try:
                read_habits_log(buffer, today="2030-01-01")
            except RunloadError:
                pass
            return "episodes" if len(episodes) else "no_episodes"
    except RunloadError as exc:
        return f"error:{getattr(exc, 'kind', type(exc).__name__)}"
    raise ValueError(target)


def _archive_case(name: str, data: bytes, workdir: Path) -> str:
    from runload import inventory, read_activities

    folder = workdir / "case"
    for old in folder.glob("*") if folder.exists() else ():
        old.unlink()
    folder.mkdir(exist_ok=True)
    (folder / name).write_bytes(data)
    before = sorted(p.name for p in workdir.rglob("*"))
    table = read_activities(folder, errors="skip")
    inv = inventory(table)
    if inv["files_seen"] != inv["activity_files"] + inv["non_activity_files"] + inv["problem_files"]:
        raise AssertionError(f"inventory does not conserve: {inv}")
    valid_zip = name.endswith(".zip") and zipfile.is_zipfile(folder / name)
    if inv["files_seen"] < 1 and not valid_zip:  # a valid zip may hold only ignored files
        raise AssertionError(f"the file was not accounted for: {inv}")
    after = sorted(p.name for p in workdir.rglob("*"))
    if after != before:
        raise AssertionError(f"reading wrote files: {sorted(set(after) - set(before))}")
    return f"seen{inv['files_seen']}"


# --- the loop ------------------------------------------------------------------------


def fuzz(*, budget: int | None, seconds: float | None, seed: int, targets: tuple[str, ...],
         timeout: float, crashes: Path, memory_mb: int, log_every: int) -> dict:
    """Run the fuzz loop and return its summary."""
    if memory_mb:
        limit = memory_mb * 2**20
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    seeds = load_seeds()
    rng = random.Random(seed)
    previous = signal.signal(signal.SIGALRM, _alarm)
    weights = [WEIGHTS[t] for t in targets]
    per_target = {t: collections.Counter() for t in targets}
    failures: list[dict] = []
    slowest = {t: 0.0 for t in targets}
    crashes.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    cases = 0
    with tempfile.TemporaryDirectory(prefix="runload-fuzz-") as tmp:
        workdir = Path(tmp)
        while True:
            if budget is not None and cases >= budget:
                break
            if seconds is not None and time.monotonic() - started >= seconds:
                break
            target = rng.choices(targets, weights)[0]
            name, data = mutate(rng, target, rng.choice(seeds[target]), seeds[target])
            t0 = time.monotonic()
            signal.setitimer(signal.ITIMER_REAL, timeout)
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    outcome = run_case(target, name, data, cases, workdir)
            except CaseTimeout:
                outcome = "FAIL:hang"
                _record(failures, crashes, target, name, data, f"hang: over {timeout} s")
            except BaseException as exc:  # noqa: BLE001 - every escape is a finding
                if isinstance(exc, KeyboardInterrupt):
                    raise
                outcome = f"FAIL:{type(exc).__name__}"
                _record(failures, crashes, target, name, data,
                        "".join(traceback.format_exception(exc)[-6:]))
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
            slowest[target] = max(slowest[target], time.monotonic() - t0)
            per_target[target][outcome] += 1
            cases += 1
            if log_every and cases % log_every == 0:
                print(f"{cases} cases, {time.monotonic() - started:.0f} s, "
                      f"{len(failures)} failures", file=sys.stderr, flush=True)
    signal.signal(signal.SIGALRM, previous)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {
        "cases": cases,
        "seconds": round(time.monotonic() - started, 1),
        "seed": seed,
        "failures": len(failures),
        "failure_kinds": dict(collections.Counter(f["what"].splitlines()[-1][:120]
                                                  for f in failures)),
        "per_target": {t: dict(sorted(c.items())) for t, c in per_target.items()},
        "slowest_case_s": {t: round(v, 2) for t, v in slowest.items()},
        "peak_rss_mb": round(usage.ru_maxrss / 1024),
        "address_space_limit_mb": memory_mb,
        "timeout_s": timeout,
        "seeds": {t: len(seeds[t]) for t in targets},
        "crashes_dir": str(crashes),
    }


def _record(failures: list, crashes: Path, target: str, name: str, data: bytes,
            what: str) -> None:
    number = len(failures)
    path = crashes / f"{target}-{number:04d}{Path(name).suffix or '.bin'}"
    if number < 200:
        path.write_bytes(data)
        path.with_suffix(path.suffix + ".txt").write_text(what)
    failures.append({"target": target, "what": what.strip(), "input": str(path)})


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget", type=int, default=None, help="number of cases")
    parser.add_argument("--seconds", type=float, default=None, help="wall-time limit, s")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--targets", default=",".join(TARGETS),
                        help=f"comma-separated subset of {','.join(TARGETS)}")
    parser.add_argument("--timeout", type=float, default=90.0,
                        help="seconds before a case counts as a hang")
    parser.add_argument("--memory-mb", type=int, default=3072,
                        help="address-space limit of the process (0: none)")
    parser.add_argument("--crashes", type=Path, default=Path("fuzz-crashes"))
    parser.add_argument("--out", type=Path, default=None, help="write the JSON summary here")
    parser.add_argument("--log-every", type=int, default=500)
    args = parser.parse_args(argv)
    if args.budget is None and args.seconds is None:
        args.budget = 1000
    targets = tuple(t.strip() for t in args.targets.split(",") if t.strip())
    unknown = set(targets) - set(TARGETS)
    if unknown:
        parser.error(f"unknown targets {sorted(unknown)}")
    summary = fuzz(budget=args.budget, seconds=args.seconds, seed=args.seed, targets=targets,
                   timeout=args.timeout, crashes=args.crashes, memory_mb=args.memory_mb,
                   log_every=args.log_every)
    text = json.dumps(summary, indent=2)
    print(text)
    if args.out:
        args.out.write_text(text + "\n")
    return 1 if summary["failures"] else 0


if __name__ == "__main__":
    sys.exit(main())

"""Strava and Garmin Connect bulk exports: recognise their layout, join Strava's CSV.

**Strava** ("Download or Delete Your Account" -> "Request Your Archive") gives a zip
(or, once unzipped, a folder) with ``activities.csv`` and an ``activities/`` folder at
its root, next to ``routes/``, ``media/``, ``clubs/`` and many other CSV/JSON files.
``activities/`` holds the file each activity was uploaded as (``.fit``, ``.gpx``,
``.tcx``, each possibly ``.gz``). runload reads ``activities/`` and joins
``activities.csv`` on its ``Filename`` column to give each activity:

* ``name`` — the CSV's ``Activity Name`` (it replaces a name from the file);
* ``gear`` — the CSV's ``Activity Gear``;
* ``sport`` — the CSV's ``Activity Type`` (mapped with
  :func:`runload.io.sports.sport_from_text`), used only when the file itself gives no
  sport or a generic one (``other``) and holds a single activity.

``routes/``, ``media/`` and ``clubs/`` are skipped (counted as ignored files). The CSV
headers follow the account's language; the columns are found by their English names,
else by position (``Activity ID``, date, name, type are the first four in every known
layout) and the ``Filename`` column by its values (``activities/...``).

**Garmin Connect** account export ("Export Your Data") holds ``DI_CONNECT/`` with the
uploaded originals in nested zips
(``DI_CONNECT/DI-Connect-Uploaded-Files/UploadedFiles_0-_Part1.zip``, older exports
``DI-Connect-Fitness-Uploaded-Files/``). Nothing special is needed to read it: nested
zips are walked, the JSON files are ignored, and the monitoring, sleep and settings FIT
files mixed in with the activities are told apart by their FIT ``file_id.type`` (counted
as non-activity files).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

__all__ = [
    "STRAVA_CSV",
    "STRAVA_SKIP_DIRS",
    "is_strava_root",
    "strava_roots",
    "strava_skipped",
    "strava_metadata",
    "is_garmin_root",
    "is_garmin_archive",
]

STRAVA_CSV = "activities.csv"
STRAVA_ACTIVITIES = "activities"
#: Folders of a Strava export that hold no activity of the athlete.
STRAVA_SKIP_DIRS = ("routes", "media", "clubs")
GARMIN_ROOT = "DI_CONNECT"


def is_strava_root(filenames: Iterable[str], dirnames: Iterable[str]) -> bool:
    """True for a folder holding ``activities.csv`` next to an ``activities/`` folder."""
    return STRAVA_CSV in set(filenames) and STRAVA_ACTIVITIES in set(dirnames)


def strava_roots(names: Sequence[str]) -> list[str]:
    """Prefixes (``''`` or ``'folder/'``) of the Strava exports inside a zip's member names."""
    csv_prefixes = {n[: -len(STRAVA_CSV)] for n in names
                    if n == STRAVA_CSV or n.endswith("/" + STRAVA_CSV)}
    return sorted(p for p in csv_prefixes
                  if any(n.startswith(p + STRAVA_ACTIVITIES + "/") for n in names))


def strava_skipped(name: str, roots: Sequence[str]) -> bool:
    """True when member ``name`` lies in a skipped folder of a Strava export."""
    return any(name.startswith(root + skip + "/") for root in roots for skip in STRAVA_SKIP_DIRS)


def is_garmin_root(dirnames: Iterable[str]) -> bool:
    """True for the top folder of an unzipped Garmin Connect export."""
    return GARMIN_ROOT in set(dirnames)


def is_garmin_archive(names: Sequence[str]) -> bool:
    """True for a zip holding a Garmin Connect account export."""
    return any(n.startswith(GARMIN_ROOT + "/") or ("/" + GARMIN_ROOT + "/") in n for n in names)


def _column(header: list[str], wanted: str) -> int | None:
    low = [h.strip().lower() for h in header]
    return low.index(wanted.lower()) if wanted.lower() in low else None


def strava_metadata(data: bytes) -> dict[str, dict[str, Any]]:
    """Read a Strava ``activities.csv`` into ``Filename -> {name, gear, sport, strava_id}``.

    Parameters
    ----------
    data : bytes
        The CSV (UTF-8, optionally with a BOM). Its header repeats names (two
        ``Distance`` and ``Elapsed Time`` columns), so it is read with :mod:`csv`, and the
        first column of each name is used.

    Returns
    -------
    dict
        Keyed by the ``Filename`` value (``activities/123.gpx.gz``, relative to the
        export root); manual activities (empty Filename) are left out. Values are
        ``{"name": str | None, "gear": str | None, "sport": str | None}`` where
        ``sport`` is already one of :data:`runload.columns.SPORTS`.
    """
    from .sports import sport_from_text

    text = data.decode("utf-8-sig", errors="replace")
    rows = list(csv.reader(io.StringIO(text)))
    if len(rows) < 2:
        return {}
    header, body = rows[0], rows[1:]
    file_col = _column(header, "Filename")
    if file_col is None:
        file_col = _filename_column(body, len(header))
    if file_col is None:
        return {}
    name_col = _column(header, "Activity Name")
    type_col = _column(header, "Activity Type")
    gear_col = _column(header, "Activity Gear")
    if name_col is None and type_col is None and len(header) >= 4:
        name_col, type_col = 2, 3
    out: dict[str, dict[str, Any]] = {}
    for row in body:
        filename = _cell(row, file_col)
        if not filename:
            continue
        kind = _cell(row, type_col)
        out[filename.replace("\\", "/").lstrip("/")] = {
            "name": _cell(row, name_col),
            "gear": _cell(row, gear_col),
            "sport": sport_from_text(kind) if kind else None,
        }
    return out


def _cell(row: list[str], col: int | None) -> str | None:
    if col is None or col >= len(row):
        return None
    value = row[col].strip()
    return value or None


def _filename_column(body: list[list[str]], width: int) -> int | None:
    """The column whose non-empty values mostly start with ``activities/``."""
    best, best_hits = None, 0
    for col in range(width):
        values = [r[col] for r in body if col < len(r) and r[col].strip()]
        hits = sum(v.strip().startswith(STRAVA_ACTIVITIES + "/") for v in values)
        if values and hits * 2 > len(values) and hits > best_hits:
            best, best_hits = col, hits
    return best

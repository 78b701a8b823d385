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

**Manual entries** (activities typed in on Strava: a gym session, a swim, a run whose
recording was lost) have an empty ``Filename`` and no file. They are read from the CSV's
own columns (:func:`strava_manual`): ``sport`` from ``Activity Type``, ``start_time``
from ``Activity Date`` (UTC), ``elapsed_time_s`` and ``moving_time_s`` from ``Elapsed
Time`` and ``Moving Time`` (seconds), ``distance_m`` from the *second* ``Distance``
column (metres; the first is in the account's display unit, km or miles, and is not
used). Their ``format`` is ``'csv'`` and their ``distance_source`` ``'manual'`` (typed
in, not recorded); ``source`` is the ``activities.csv`` itself, which then counts as one
activity file (an ``activities.csv`` without manual entries is an ignored file, as
before).

**Listed files that are missing** (:func:`missing_files`: lost when a zip was cut short,
or deleted) are one problem of the export (:func:`missing_message`); when some are later
than every file kept, the export's record ends at the first of them and its manual entries
from then on are left out (applied by :func:`runload.io.ingest.assemble_activities`), so
that the weeks after a cut are not shown as zero-km weeks.

``routes/``, ``media/`` and ``clubs/`` are skipped (counted as ignored files). The CSV
headers follow the account's language; the columns are found by their English names,
else by position (``Activity ID``, date, name, type are the first four in every known
layout; the 2023 layout's ``Elapsed Time``, ``Moving Time`` and metre ``Distance`` are
columns 16-18) and the ``Filename`` column by its values (``activities/...``).

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
import datetime as dt
import hashlib
import io
import math
from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

__all__ = [
    "STRAVA_CSV",
    "STRAVA_SKIP_DIRS",
    "is_strava_root",
    "strava_roots",
    "strava_skipped",
    "strava_metadata",
    "strava_csv",
    "strava_manual",
    "StravaCSV",
    "MissingFiles",
    "missing_files",
    "missing_message",
    "MANUAL_DEVICE",
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


class StravaCSV(NamedTuple):
    """A Strava ``activities.csv``, read.

    Attributes
    ----------
    metadata : dict
        ``Filename -> {name, gear, sport}`` of the activities that have a file
        (:func:`strava_metadata`).
    manual : list of list of str
        The rows with no file (manual entries), as CSV cells; read them with
        :func:`strava_manual`.
    starts : dict
        ``Filename -> start`` (``Activity Date``, aware UTC datetime, None when not
        understood) of the activities that have a file: what :func:`missing_files`
        compares with the files the export really holds.
    """

    metadata: dict[str, dict[str, Any]]
    manual: list[list[str]]
    starts: dict[str, dt.datetime | None] = {}  # noqa: RUF012 - never mutated


#: ``device`` of a manual Strava entry.
MANUAL_DEVICE = "manual entry (Strava)"


class _Layout(NamedTuple):
    """Column positions of one ``activities.csv`` (None: not in this layout)."""

    file: int | None
    id: int | None
    date: int | None
    name: int | None
    type: int | None
    gear: int | None
    elapsed: list[int]
    moving: int | None
    distance_m: int | None
    distance_display: int | None


def _rows(data: bytes) -> list[list[str]]:
    text = data.decode("utf-8-sig", errors="replace")
    return list(csv.reader(io.StringIO(text)))


def _columns(header: list[str], wanted: str) -> list[int]:
    low = [h.strip().lower() for h in header]
    return [i for i, h in enumerate(low) if h == wanted.lower()]


def _layout(header: list[str], body: list[list[str]]) -> _Layout | None:
    file_col = _column(header, "Filename")
    if file_col is None:
        file_col = _filename_column(body, len(header))
    if file_col is None:
        return None
    name_col = _column(header, "Activity Name")
    type_col = _column(header, "Activity Type")
    english = name_col is not None or type_col is not None
    if not english and len(header) >= 4:
        name_col, type_col = 2, 3
    id_col = _column(header, "Activity ID")
    date_col = _column(header, "Activity Date")
    if not english and len(header) >= 2:
        id_col, date_col = 0, 1
    elapsed = _columns(header, "Elapsed Time")
    moving = _column(header, "Moving Time")
    distances = _columns(header, "Distance")
    distance_m = distances[1] if len(distances) >= 2 else None
    display = distances[0] if distances else None
    if not english and file_col == 12 and len(header) >= 18:
        # the 2023 layout in another language: same positions as the English one
        elapsed, moving, distance_m, display = [15, 5], 16, 17, 6
    else:
        elapsed = elapsed[::-1]  # the second Elapsed Time (float s) first
    return _Layout(file_col, id_col, date_col, name_col, type_col,
                   _column(header, "Activity Gear"), elapsed, moving, distance_m, display)


def strava_csv(data: bytes) -> StravaCSV:
    """Read a Strava ``activities.csv``: the metadata of its files and its manual entries.

    Parameters
    ----------
    data : bytes
        The CSV (UTF-8, optionally with a BOM). Its header repeats names (two
        ``Distance`` and ``Elapsed Time`` columns), so it is read with :mod:`csv`.

    Returns
    -------
    StravaCSV
        Empty when the CSV has no ``Filename`` column (nothing can be told apart).
    """
    from .sports import sport_from_text

    rows = _rows(data)
    if len(rows) < 2:
        return StravaCSV({}, [])
    header, body = rows[0], rows[1:]
    layout = _layout(header, body)
    if layout is None:
        return StravaCSV({}, [])
    out: dict[str, dict[str, Any]] = {}
    manual: list[list[str]] = []
    starts: dict[str, dt.datetime | None] = {}
    for row in body:
        if not any(cell.strip() for cell in row):
            continue  # a blank line
        filename = _cell(row, layout.file)
        if not filename:
            manual.append(row)
            continue
        kind = _cell(row, layout.type)
        key = filename.replace("\\", "/").lstrip("/")
        out[key] = {
            "name": _cell(row, layout.name),
            "gear": _cell(row, layout.gear),
            "sport": sport_from_text(kind) if kind else None,
        }
        starts[key] = _start(_cell(row, layout.date))
    return StravaCSV(out, manual, starts)


def strava_metadata(data: bytes) -> dict[str, dict[str, Any]]:
    """Read a Strava ``activities.csv`` into ``Filename -> {name, gear, sport}``.

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
        export root); manual activities (empty Filename) are not in it: they are read by
        :func:`strava_manual`. Values are
        ``{"name": str | None, "gear": str | None, "sport": str | None}`` where
        ``sport`` is already one of :data:`runload.columns.SPORTS`.
    """
    return strava_csv(data).metadata


#: ``Activity Date`` layouts seen in exports (English; the values are UTC).
_DATE_FORMATS = (
    "%b %d, %Y, %I:%M:%S %p",  # Sep 4, 2024, 6:28:00 PM
    "%b %d, %Y %I:%M:%S %p",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%SZ",
    "%Y-%m-%dT%H:%M:%S",
)


def _start(text: str | None) -> dt.datetime | None:
    """An ``Activity Date`` as an aware UTC datetime; None when not understood."""
    if not text:
        return None
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).replace(tzinfo=dt.UTC)
        except ValueError:
            continue
    return None


def _number(text: str | None) -> float:
    """A CSV number (``1450.0``; ``33,22`` with a decimal comma); NaN when empty or junk."""
    if not text:
        return math.nan
    text = text.replace("\u00a0", "").replace(" ", "")
    if "," in text:
        text = text.replace(",", "") if "." in text else text.replace(",", ".")
    try:
        value = float(text)
    except ValueError:
        return math.nan
    return value if math.isfinite(value) and value >= 0 else math.nan


def _first_number(row: list[str], cols: Sequence[int]) -> float:
    for col in cols:
        value = _number(_cell(row, col))
        if not math.isnan(value):
            return value
    return math.nan


def manual_id(row: list[str], layout_id: int | None) -> str:
    """The ``activity_id`` of a manual entry: 16 hex digits of the SHA-256 of
    ``strava:<Activity ID>`` (of the whole row when it has no ID), so that the entry has
    the same id in every export of the account (and two exports' copies are duplicates)."""
    strava_id = _cell(row, layout_id)
    key = f"strava:{strava_id}" if strava_id else "strava-row:" + "\x1f".join(row)
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


def strava_manual(data: bytes) -> tuple[list[dict[str, Any]], list[tuple[str, str]], list[str]]:
    """The manual entries of a Strava ``activities.csv`` as activity rows.

    Parameters
    ----------
    data : bytes
        The CSV.

    Returns
    -------
    rows : list of dict
        One per manual entry (row with an empty ``Filename``), in CSV order, with
        ``activity_id`` (:func:`manual_id`), ``format='csv'``, ``sport`` (``Activity
        Type`` through :func:`runload.io.sports.sport_from_text`; left out when the cell
        is empty, for the ingest to infer), ``start_time`` (``Activity Date``, UTC; NaT
        when not understood), ``elapsed_time_s``, ``moving_time_s``, ``distance_m``
        (the metre ``Distance``), ``distance_source='manual'``, ``device``
        (:data:`MANUAL_DEVICE`), ``name``; the rest is missing (nothing was recorded).
    problems : list of (kind, message)
        ``bad_time`` for a date that is not understood; ``no_data`` when the CSV has
        no distance in metres (an old layout whose single ``Distance`` is in the
        display unit, km or miles) and some entry has a distance.
    labels : list of str
        How problems name each row: ``manual entry 99000000002 (Manual run)``, its
        ``Activity ID`` and name as the user finds it on Strava (its position among the
        manual entries only when it has no ID).
    """
    from .sports import sport_from_text

    rows = _rows(data)
    if len(rows) < 2:
        return [], [], []
    header, body = rows[0], rows[1:]
    layout = _layout(header, body)
    if layout is None:
        return [], [], []
    out: list[dict[str, Any]] = []
    problems: list[tuple[str, str]] = []
    labels: list[str] = []
    unknown_unit = 0
    for row in strava_csv(data).manual:
        name = _cell(row, layout.name)
        label = _label(row, layout, len(out) + 1)
        labels.append(label)
        date = _cell(row, layout.date)
        start = _start(date)
        if start is None:
            problems.append(("bad_time", f"{label}: start {date!r} not understood "
                                         "(expected e.g. 'Sep 4, 2024, 6:28:00 PM'); "
                                         "start time unknown"))
        distance = _number(_cell(row, layout.distance_m))
        if layout.distance_m is None and _number(_cell(row, layout.distance_display)) > 0:
            unknown_unit += 1
        kind = _cell(row, layout.type)
        activity: dict[str, Any] = {
            "activity_id": manual_id(row, layout.id),
            "format": "csv",
            "start_time": start,
            "elapsed_time_s": _first_number(row, layout.elapsed),
            "moving_time_s": _number(_cell(row, layout.moving)),
            "distance_m": distance,
            "distance_source": "manual",
            "device": MANUAL_DEVICE,
            "name": name,
        }
        if kind:
            activity["sport"] = sport_from_text(kind)
        out.append(activity)
    if unknown_unit:
        problems.append(("no_data", f"{unknown_unit} manual entr"
                                    f"{'y has' if unknown_unit == 1 else 'ies have'} a "
                                    "distance only in the display unit (km or miles, not "
                                    "stated in this older CSV layout); left empty"))
    return out, problems, labels


def _label(row: list[str], layout: _Layout, number: int) -> str:
    """How a problem names a manual entry: its ``Activity ID`` and name, as the user
    finds it on Strava (its position among the manual entries only when it has no ID)."""
    name = _cell(row, layout.name)
    return f"manual entry {_cell(row, layout.id) or number}" + (f" ({name})" if name else "")


class MissingFiles(NamedTuple):
    """The activities an ``activities.csv`` lists whose file the export does not hold.

    Attributes
    ----------
    count : int
        How many.
    first, last : datetime or None
        Their earliest and latest ``Activity Date`` (None when no date is understood).
    cut_from : datetime or None
        Where the export's record ends: the earliest missing activity later than every
        activity whose file is there (None when every missing one is older: the end of
        the record is intact). Manual entries from then on are left out.
    cut : bool
        The archive was cut short (the files were lost in the cut).
    home : str or None
        The source of the problem record when the ``activities.csv`` is no seen file
        (no manual entries): the cut's problem file.
    """

    count: int
    first: dt.datetime | None
    last: dt.datetime | None
    cut_from: dt.datetime | None
    cut: bool = False
    home: str | None = None


def missing_files(table: StravaCSV, present: Iterable[str], *,
                  cut: bool = False) -> MissingFiles | None:
    """The files ``table`` lists (``Filename``) that are not in ``present`` (names relative
    to the export root); None when none is missing."""
    present = set(present)
    lost = [f for f in table.starts if f not in present]
    if not lost:
        return None
    kept = [t for f, t in table.starts.items() if f in present and t is not None]
    times = sorted(t for f in lost if (t := table.starts[f]) is not None)
    last_kept = max(kept, default=None)
    later = [t for t in times if last_kept is None or t > last_kept]
    return MissingFiles(len(lost), times[0] if times else None, times[-1] if times else None,
                        later[0] if later else None, cut)


def missing_message(missing: MissingFiles, *, dropped: int = 0) -> str:
    """The problem message of :class:`MissingFiles` (``dropped``: manual entries left out)."""
    n = missing.count
    where = "archive" if missing.cut else "export"
    text = (f"{n} activit{'y' if n == 1 else 'ies'} listed in activities.csv "
            f"{'has' if n == 1 else 'have'} no file in the {where}")
    if missing.first is not None:
        first, last = f"{missing.first:%Y-%m-%d}", f"{missing.last:%Y-%m-%d}"
        text += f", on {first}" if first == last else f", from {first} to {last}"
    text += ": their distance is missing from those weeks"
    if missing.cut_from is not None:
        text += (f"; the export's record ends on {missing.cut_from:%Y-%m-%d}, where its "
                 "last files are missing")
        if dropped:
            text += (f", so its {dropped} manual entr{'y' if dropped == 1 else 'ies'} from "
                     f"then on {'is' if dropped == 1 else 'are'} left out (without the "
                     "recorded runs, those weeks would show as rest weeks)")
    return text + ("; download the export again" if missing.cut else "")


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

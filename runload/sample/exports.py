"""Archives as the services hand them out: a Strava bulk export and a Garmin Connect
account export, both imitated from ``corpus/EXPORT_FORMATS.md``.

Strava (``export_<athleteId>.zip``): the CSVs at the top (``activities.csv`` with the
2023 English header, whose names repeat; ``profile.csv``, ``shoes.csv``, ``bikes.csv``,
``routes.csv``), the original uploads in ``activities/`` named by an upload number that
is not the Activity ID (a mix of ``.gpx``, ``.gpx.gz``, ``.fit.gz``, ``.tcx.gz``; the TCX
files start with blanks before ``<?xml`` as Strava's do), manual activities with an
empty ``Filename``, and a ``routes/`` folder of planned routes (not activities).

Garmin (``<uuid>_1.zip``, which unpacks to the folder ``<uuid>_1``):
``DI_CONNECT/DI-Connect-Uploaded-Files/UploadedFiles_0-_Part1.zip`` and ``_Part2.zip``
are nested zips holding the uploaded FIT files named by upload id, activity files mixed
with daily monitoring files and sleep files; ``DI-Connect-Fitness`` holds a summarized
activities JSON, ``DI-Connect-Wellness`` a sleep JSON, ``DI-Connect-User`` the profile.
The inner names are not verified against a real export (none is public).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from .writers import zip_bytes

__all__ = [
    "STRAVA_HEADER",
    "strava_activity_type",
    "strava_export",
    "garmin_export",
    "sleep_json",
]

#: The header of a 2023 Strava ``activities.csv`` (names repeat: two ``Distance``, two
#: ``Elapsed Time``, two ``Max Heart Rate``, two ``Relative Effort``, two ``Commute``).
STRAVA_HEADER = (
    "Activity ID,Activity Date,Activity Name,Activity Type,Activity Description,Elapsed Time,"
    "Distance,Max Heart Rate,Relative Effort,Commute,Activity Private Note,Activity Gear,"
    "Filename,Athlete Weight,Bike Weight,Elapsed Time,Moving Time,Distance,Max Speed,"
    "Average Speed,Elevation Gain,Elevation Loss,Elevation Low,Elevation High,Max Grade,"
    "Average Grade,Average Positive Grade,Average Negative Grade,Max Cadence,Average Cadence,"
    "Max Heart Rate,Average Heart Rate,Max Watts,Average Watts,Calories,Max Temperature,"
    "Average Temperature,Relative Effort,Total Work,Number of Runs,Uphill Time,Downhill Time,"
    "Other Time,Perceived Exertion,Type,Start Time,Weighted Average Power,Power Count,"
    "Prefer Perceived Exertion,Perceived Relative Effort,Commute,Total Weight Lifted,"
    "From Upload,Grade Adjusted Distance,Weather Observation Time,Weather Condition,"
    "Weather Temperature,Apparent Temperature,Dewpoint,Humidity,Weather Pressure,Wind Speed,"
    "Wind Gust,Wind Bearing,Precipitation Intensity,Sunrise Time,Sunset Time,Moon Phase,Bike,"
    "Gear,Precipitation Probability,Precipitation Type,Cloud Cover,Weather Visibility,"
    "UV Index,Weather Ozone,Jump Count,Total Grit,Average Flow,Flagged,Average Elapsed Speed,"
    "Dirt Distance,Newly Explored Distance,Newly Explored Dirt Distance,Activity Count,"
    "Total Steps,Carbon Saved,Pool Length,Training Load,Intensity,"
    "Average Grade Adjusted Pace,Timer Time,Total Cycles,Media"
).split(",")

_STRAVA_TYPES = {
    "running": "Run",
    "trail_running": "Trail Run",
    "treadmill_running": "Virtual Run",
    "cycling": "Ride",
    "swimming": "Swim",
    "strength_training": "Weight Training",
    "walking": "Walk",
    "hiking": "Hike",
}


def strava_activity_type(sport: str) -> str:
    """Strava's English Activity Type for a contract sport."""
    return _STRAVA_TYPES.get(sport, "Workout")


def _strava_date(ts: pd.Timestamp) -> str:
    """``Dec 19, 2022, 11:37:07 AM`` (UTC), as activities.csv writes it."""
    hour = ts.hour % 12 or 12
    return f"{ts.strftime('%b')} {ts.day}, {ts.year}, {hour}:{ts.strftime('%M:%S')} " + (
        "AM" if ts.hour < 12 else "PM"
    )


def _number(value: Any, digits: int | None = None) -> str:
    if value is None or (isinstance(value, float) and not np.isfinite(value)):
        return ""
    if digits is None:
        return repr(float(value))
    return f"{float(value):.{digits}f}"


def _activities_csv(rows: list[Mapping[str, Any]]) -> bytes:
    """``activities.csv`` with the repeated-name header; empty cells where unknown."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(STRAVA_HEADER)
    for row in rows:
        first = {
            "Activity ID": row["activity_id"],
            "Activity Date": _strava_date(row["start_time"]),
            "Activity Name": row["name"],
            "Activity Type": strava_activity_type(row["sport"]),
            "Activity Description": "",
            "Elapsed Time": str(int(row["elapsed_s"])),
            "Distance": f"{row['distance_m'] / 1000.0:.2f}",
            "Max Heart Rate": _number(row.get("max_hr"), 1),
            "Relative Effort": _number(row.get("relative_effort"), 1),
            "Commute": "false",
            "Activity Private Note": "",
            "Activity Gear": row.get("gear", ""),
            "Filename": row.get("filename", ""),
        }
        second = {
            "Athlete Weight": "72.0",
            "Elapsed Time": _number(row["elapsed_s"], 1),
            "Moving Time": _number(row["moving_s"], 1),
            "Distance": _number(row["distance_m"]),
            "Max Speed": _number(row.get("max_speed")),
            "Average Speed": _number(row["distance_m"] / row["moving_s"]),
            "Elevation Gain": _number(row.get("ascent_m")),
            "Elevation Loss": _number(row.get("descent_m")),
            "Max Heart Rate": _number(row.get("max_hr"), 1),
            "Average Heart Rate": _number(row.get("avg_hr")),
            "Calories": _number(row.get("calories"), 1),
            "Relative Effort": _number(row.get("relative_effort"), 1),
            "Commute": "0.0",
            "From Upload": "1.0" if row.get("filename") else "0.0",
            "Activity Count": "1.0",
            "Timer Time": _number(row["moving_s"], 1),
            "Media": "",
        }
        # names that appear twice: the first occurrence takes `first`, the second `second`
        counts: dict[str, int] = {}
        cells = []
        for name in STRAVA_HEADER:
            counts[name] = counts.get(name, 0) + 1
            if counts[name] == 1 and name in first:
                cells.append(first[name])
            elif counts[name] == 2 or name not in first:
                cells.append(second.get(name, ""))
            else:
                cells.append("")
        writer.writerow(cells)
    return buffer.getvalue().encode("utf-8")


def _route_gpx(name: str, lat: np.ndarray, lon: np.ndarray) -> bytes:
    points = "".join(
        f'  <rtept lat="{a:.7f}" lon="{o:.7f}"></rtept>\n' for a, o in zip(lat.tolist(),
                                                                         lon.tolist(), strict=True)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<gpx creator="StravaGPX" version="1.1" xmlns="http://www.topografix.com/GPX/1/1">\n'
        f" <rte>\n  <name>{name}</name>\n{points} </rte>\n</gpx>\n"
    ).encode()


def strava_export(
    *,
    athlete_id: int,
    profile: Mapping[str, str],
    activities: list[Mapping[str, Any]],
    files: Mapping[str, bytes],
    shoes: list[Mapping[str, str]],
    bikes: list[Mapping[str, str]],
    route: tuple[str, np.ndarray, np.ndarray] | None = None,
) -> tuple[str, bytes]:
    """A Strava bulk export.

    Parameters
    ----------
    athlete_id : int
        The account's athlete id (names the zip).
    profile : mapping
        ``first``, ``last``, ``city``, ``country``, ``sex``.
    activities : list of mapping
        One per activity, oldest first: ``activity_id``, ``start_time`` (UTC Timestamp),
        ``name``, ``sport``, ``elapsed_s``, ``moving_s``, ``distance_m``, and where known
        ``filename`` (``activities/<n>.gpx.gz``), ``gear``, ``max_hr``, ``avg_hr``,
        ``ascent_m``, ``descent_m``, ``max_speed``, ``calories``.
    files : mapping
        Member name (``activities/<n>.<ext>[.gz]``) -> bytes.
    shoes, bikes : list of mapping
        Gear rows (``name``, ``brand``, ``model``).
    route : (str, ndarray, ndarray), optional
        A planned route (name, lat, lon) for ``routes/``.

    Returns
    -------
    (str, bytes)
        The zip's file name and its bytes.
    """
    members = dict(files)
    members["activities.csv"] = _activities_csv(list(activities))
    members["profile.csv"] = (
        "Athlete ID,Email Address,First Name,Last Name,Sex,Description,Weight,City,State,"
        "Country,Health Consent Status,Date of Health Consent Status\n"
        f"{athlete_id},{profile['email']},{profile['first']},{profile['last']},"
        f"{profile['sex']},,72.0,{profile['city']},,{profile['country']},,\n"
    ).encode()
    members["shoes.csv"] = (
        "Shoe Name,Shoe Brand,Shoe Model,Shoe Default Sport Types\n"
        + "".join(f"{s['name']},{s['brand']},{s['model']},Run\n" for s in shoes)
    ).encode()
    members["bikes.csv"] = (
        "Bike Name,Bike Brand,Bike Model,Bike Default Sport Types\n"
        + "".join(f"{b['name']},{b['brand']},{b['model']},Ride\n" for b in bikes)
    ).encode()
    route_rows = "Route ID,Route Name,Route Description,Route Filename\n"
    if route is not None:
        name, lat, lon = route
        route_id = athlete_id * 7 % 10_000_000 + 3_100_000_000
        members[f"routes/{route_id}.gpx"] = _route_gpx(name, lat, lon)
        route_rows += f"{route_id},{name},,routes/{route_id}.gpx\n"
    members["routes.csv"] = route_rows.encode()
    return f"export_{athlete_id}.zip", zip_bytes(members)


def sleep_json(
    rng: np.random.Generator, *, first: dt.date, last: dt.date, tz_offset_s: int = 0
) -> bytes:
    """Nightly sleep summaries in the style of Garmin's ``*_sleepData.json``.

    Sleep is about 6.6 h on work nights and 7.8 h before weekend days, with day-to-day
    noise; the stages split it roughly 20% deep, 55% light, 20% REM, 5% awake.
    """
    nights = []
    day = first
    while day <= last:
        weekend = day.weekday() >= 5
        hours = float(np.clip(rng.normal(7.8 if weekend else 6.6, 0.55), 4.0, 10.0))
        bed = dt.datetime.combine(day - dt.timedelta(days=1), dt.time(22, 0)) + dt.timedelta(
            minutes=int(rng.integers(0, 100))
        ) - dt.timedelta(seconds=tz_offset_s)
        wake = bed + dt.timedelta(hours=hours)
        total = int(hours * 3600)
        deep, rem, awake = int(total * 0.2), int(total * 0.2), int(total * 0.05)
        nights.append(
            {
                "sleepStartTimestampGMT": bed.strftime("%Y-%m-%dT%H:%M:%S.0"),
                "sleepEndTimestampGMT": wake.strftime("%Y-%m-%dT%H:%M:%S.0"),
                "calendarDate": day.isoformat(),
                "sleepWindowConfirmationType": "ENHANCED_CONFIRMED_FINAL",
                "deepSleepSeconds": deep,
                "lightSleepSeconds": total - deep - rem - awake,
                "remSleepSeconds": rem,
                "awakeSleepSeconds": awake,
                "unmeasurableSeconds": 0,
                "averageRespiration": round(float(rng.normal(14.5, 0.6)), 1),
                "sleepScores": {"overallScore": int(np.clip(40 + 6 * hours, 30, 99))},
            }
        )
        day += dt.timedelta(days=1)
    return json.dumps(nights, indent=1).encode()


def garmin_export(
    *,
    uuid: str,
    email: str,
    user_id: int,
    uploads: Mapping[str, bytes],
    summaries: list[Mapping[str, Any]],
    sleep: bytes,
    sleep_span: tuple[dt.date, dt.date],
    profile: Mapping[str, Any],
) -> tuple[str, bytes]:
    """A Garmin Connect account export.

    Parameters
    ----------
    uuid : str
        The export's id (names the zip and its folder).
    email : str
        The account's e-mail (names the summary JSON).
    user_id : int
        The account's numeric id (names the sleep JSON).
    uploads : mapping
        Uploaded FIT member name -> bytes (activities, monitoring and sleep files), in
        the order they were uploaded; the first half goes to ``_Part1.zip``, the rest to
        ``_Part2.zip``.
    summaries : list of mapping
        ``summarizedActivitiesExport`` entries.
    sleep : bytes
        The sleep JSON.
    sleep_span : (date, date)
        First and last night (names the sleep JSON).
    profile : mapping
        ``user_profile.json`` content.
    """
    names = list(uploads)
    half = (len(names) + 1) // 2
    parts = {
        "UploadedFiles_0-_Part1.zip": zip_bytes({n: uploads[n] for n in names[:half]}),
        "UploadedFiles_0-_Part2.zip": zip_bytes({n: uploads[n] for n in names[half:]}),
    }
    root = "DI_CONNECT"
    members = {f"{root}/DI-Connect-Uploaded-Files/{k}": v for k, v in parts.items()}
    members[f"{root}/DI-Connect-Fitness/{email}_0_summarizedActivities.json"] = json.dumps(
        [{"summarizedActivitiesExport": list(summaries)}], indent=1
    ).encode()
    first, last = sleep_span
    members[
        f"{root}/DI-Connect-Wellness/{first.isoformat()}_{last.isoformat()}_{user_id}_sleepData.json"
    ] = sleep
    members[f"{root}/DI-Connect-User/user_profile.json"] = json.dumps(
        dict(profile), indent=1
    ).encode()
    return f"{uuid}_1.zip", zip_bytes(members)

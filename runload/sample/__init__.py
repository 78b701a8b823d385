"""Deterministic sample data: two years of one runner, six months of a squad of six.

:func:`write_sample_data` writes real activity files (FIT, GPX, TCX, some gzipped, a
Strava bulk export and a Garmin Connect account export), two back-pain logs (one in
each accepted form) whose onsets were drawn from a documented hazard model that load
flags raise, and ground-truth tables. The same seed gives the same bytes.

Modules: :mod:`.plan` (training histories), :mod:`.routes` (GPS routes and per-second
streams), :mod:`.writers` (FIT through fit_tool, GPX, TCX, gzip, zip), :mod:`.exports`
(the two export archives), :mod:`.painlog` (the hazard model).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
from pathlib import Path
from typing import Any

import fitdecode
import numpy as np
import pandas as pd

try:
    from . import exports, writers
except ImportError as exc:  # fit-tool is the `sample` extra; the plan needs none of it
    exports = writers = None
    _WRITERS_MISSING: ImportError | None = exc
else:
    _WRITERS_MISSING = None
from . import painlog, plan, routes
from .plan import ALEX_WATCH_FROM, DATA_END, DEVICES, HOME_TZ, SQUAD, SQUAD_START

__all__ = ["DEFAULT_SEED", "write_sample_data", "sha256sums"]

#: The seed of the committed ``sample_data/``.
DEFAULT_SEED = 20261121

_ATHLETES = ("alex", *SQUAD)
_NO_GPS = ("treadmill_running", "swimming", "strength_training")
_ALEX = {
    "first": "Alex", "last": "Rivera", "email": "alex.rivera@example.com", "sex": "M",
    "city": "London", "country": "United Kingdom",
}
_CHEN = {
    "first": "Chen", "last": "Li", "email": "chen.li@example.com", "sex": "F",
    "city": "Bristol", "country": "United Kingdom",
}
_GARMIN_UUID = "3f2c9a4e-7b1d-4e8a-9c55-1d2e3f4a5b6c"

#: alex's two damaged uploads in his Strava export, each a copy of a watch run whose full
#: FIT is in the Garmin export: (first eligible day, recording device, what went wrong,
#: fraction kept). The run is the first road run of at least 8 km from that day.
_DAMAGED = (
    (dt.date(2025, 8, 1), "fr255", "sync broken off", 0.9),  # FIT cut off among its records
    (dt.date(2026, 2, 1), "iphone", "app crashed", 0.6),  # GPX ending inside a <trkpt>
)
_GARMIN_USER_ID = 98_765_432


def _rng(seed: int, *keys: int) -> np.random.Generator:
    """An independent generator for one purpose (athlete, activity, ...)."""
    return np.random.default_rng([seed, *keys])


def _unix(ts: pd.Timestamp) -> int:
    return int(ts.timestamp())


# --------------------------------------------------------------------------- recording


def _record_settings(frame: pd.DataFrame, athlete: str, rng: np.random.Generator) -> pd.DataFrame:
    """Add ``format``, ``gzip``, ``container``, ``copy_device`` and fix the sports that
    a device changes (a Zwift run is a treadmill run; TCX knows no trail running)."""
    out = frame.copy()
    formats, gz, copies, sports = [], [], [], []
    profile = SQUAD.get(athlete, {})
    first_watch_runs = 0
    for row in out.itertuples(index=False):
        device = DEVICES[row.device]
        fmt = device["format"]
        sport = row.sport
        if row.device == "zwift":
            sport = "treadmill_running"
        if fmt == "tcx" and sport == "trail_running":
            sport = "running"
        if fmt != "fit" and sport == "strength_training" and athlete != "alex":
            fmt = None if profile.get("container") == "strava" else "skip"
        if fmt in ("gpx", "tcx") and sport in _NO_GPS and sport != "treadmill_running":
            fmt = None
        if athlete == "alex":
            zipped = {"iphone": 0.75, "zwift": 1.0, "edge500": 0.8}.get(row.device, 0.0)
        else:
            zipped = profile["gzip"] if profile["container"] == "folder" else 1.0
            if fmt == "gpx" and profile["container"] == "strava":
                zipped = 0.7
        copy_device = None
        if sport == "running" and not row.race:
            if athlete == "alex" and row.device == "fr255" and first_watch_runs < 2:
                copy_device, first_watch_runs = "iphone", first_watch_runs + 1
            elif athlete == "femi" and rng.random() < 0.03:
                copy_device = "android_hr"
        formats.append(fmt)
        gz.append(bool(fmt not in (None, "skip") and rng.random() < zipped))
        copies.append(copy_device)
        sports.append(sport)
    out["sport"] = sports
    out["format"] = formats
    out["gzip"] = gz
    out["copy_device"] = copies
    out = out.loc[out["format"] != "skip"].reset_index(drop=True)
    return out


def _simulate(row: Any, seed: int, athlete_index: int, number: int) -> dict[str, Any]:
    """The recorded streams of one planned activity."""
    device = DEVICES[row.device if row.device != "manual" else "fr255"]
    sport = row.sport
    interval = device["interval_s"]
    if sport == "cycling":
        interval = (interval[0] + 3, interval[1] + 7)
    elif sport in ("swimming", "strength_training"):
        interval = (15, 25)
    hr_rest, hr_max = SQUAD.get(row.athlete, {}).get("hr", (50, 187))
    distance = row.distance_m if row.distance_m > 0 else 1.0
    track = routes.simulate(
        _rng(seed, athlete_index, number, 1),
        sport=sport,
        distance_m=distance,
        moving_time_s=int(row.moving_time_s),
        home=None if sport in _NO_GPS else row.home,
        route=row.route or "loop",
        hilliness_m=row.hilliness_m,
        hr_rest_bpm=hr_rest,
        hr_max_bpm=hr_max,
        effort=row.effort,
        interval_s=interval,
        pause_s=int(row.pause_s),
    )
    if sport == "strength_training":
        track.update(distance_m=None, speed_m_s=None, cadence_rpm=None, altitude_m=None,
                     total_distance_m=0.0, gps_distance_m=float("nan"))
    if sport == "swimming":
        track.update(cadence_rpm=None, altitude_m=None)
    track["calories"] = int(row.moving_time_s / 60 * (11 if sport != "strength_training" else 6))
    return track


def _expected_distance(row: Any, track: dict[str, Any] | None) -> float:
    """The distance runload should read back: GPS length for GPX, else the device's."""
    if track is None:
        return float(row.distance_m)
    if row.format == "gpx":
        return float(track["gps_distance_m"])
    return round(float(track["total_distance_m"]), 2)


# --------------------------------------------------------------------------- file bytes


def _activity_bytes(
    row: Any, track: dict[str, Any], *, device_key: str, serial: int, start_shift_s: int = 0,
    leading_whitespace: bool = False,
) -> tuple[str, bytes]:
    """(extension, bytes) of one activity file as ``device_key`` writes it."""
    device = DEVICES[device_key]
    start = _unix(row.start_time) + start_shift_s
    fmt = device["format"]
    if fmt == "fit":
        data = writers.fit_activity(
            track, sport=row.sport, start_unix_s=start, utc_offset_s=int(row.utc_offset_s),
            manufacturer=device["manufacturer"], product=device["product"],
            serial_number=serial, lap_m=500.0 if row.sport == "swimming" else 1000.0,
        )
    elif fmt == "gpx":
        gpx_type = {"trail_running": "trail_running"}.get(row.sport, row.sport)
        data = writers.gpx_activity(
            track, start_unix_s=start, name=row.name, gpx_type=gpx_type,
            creator=device["creator"], heart_rate=device["heart_rate"],
        )
    else:
        data = writers.tcx_activity(
            track, sport=row.sport, start_unix_s=start, device_name=device["name"],
            product_id=device["product"], unit_id=serial, leading_whitespace=leading_whitespace,
        )
    return fmt, data


def _sleep_fit(rng: np.random.Generator, night: dt.date, serial: int) -> bytes:
    """A night's sleep file: file_id type 49 and sleep_level messages every 30 min.

    File type 49 is what recent Garmin watches write for sleep; it is outside the
    public profile fit_tool knows, so the value is set as an encoded integer.
    """
    from fit_tool.fit_file_builder import FitFileBuilder
    from fit_tool.profile.messages.file_id_message import FileIdMessage
    from fit_tool.profile.messages.sleep_level_message import SleepLevelMessage

    builder = FitFileBuilder(auto_define=True, min_string_size=0)
    file_id = FileIdMessage()
    file_id.manufacturer = 1
    file_id.product = 3992
    file_id.serial_number = serial
    bed = int(pd.Timestamp(dt.datetime.combine(night, dt.time(22, 30)), tz="UTC").timestamp())
    file_id.time_created = bed * 1000
    next(f for f in file_id.fields if f.name == "type").set_encoded_value(0, 49)
    builder.add(file_id)
    for k, level in enumerate(rng.integers(1, 5, 16).tolist()):
        message = SleepLevelMessage()
        message.timestamp = (bed + 1800 * k) * 1000
        message.sleep_level = level
        builder.add(message)
    return builder.build_bytes()


def _monitoring_fit(rng: np.random.Generator, day: dt.date, serial: int) -> bytes:
    start = int(pd.Timestamp(day, tz="UTC").timestamp())
    hourly = rng.integers(0, 3600, 6) * (np.arange(6) >= 1)  # every 4 h; asleep until 04:00
    return writers.fit_monitoring(
        day_start_unix_s=start, utc_offset_s=0, manufacturer=1, product=3992,
        serial_number=serial, steps=np.cumsum(hourly), heart_rate_bpm=rng.integers(52, 95, 6),
    )


# --------------------------------------------------------------------------- the writer


def write_sample_data(directory: str | os.PathLike, *, seed: int = DEFAULT_SEED) -> pd.DataFrame:
    """Write the sample data set into ``directory``.

    Parameters
    ----------
    directory : str or path-like
        Target folder (created; existing files of the same names are overwritten).
    seed : int, default 20261121
        Seed of every random draw; the committed ``sample_data/`` uses the default.

    Returns
    -------
    DataFrame
        The ground truth written to ``truth/activities.csv``: one row per activity
        file (and per manual Strava entry) with the intended sport, start, distance and
        where it was written.

    Notes
    -----
    The layout::

        alex/export_31415926.zip              Strava bulk export, phone era 2024-09..2025-06
        alex/<uuid>_1.zip                     Garmin Connect account export, watch era
        squad/<name>/...                      six athletes, 2026-05-18..2026-11-15
        pain/alex_episodes.csv                episodes form
        pain/squad_diary.csv                  daily diary form with an athlete column
        truth/activities.csv, truth/hazard.csv
        SHA256SUMS

    Back-pain onsets follow :mod:`runload.sample.painlog`: weekly hazard ``baseline``,
    times ``multiplier`` after a week runload flags as a ramp or a session spike
    (:data:`runload.sample.painlog.PAIN_MODEL`).

    Examples
    --------
    >>> import runload
    >>> truth = runload.write_sample_data("sample_data")  # doctest: +SKIP
    """
    if writers is None:
        raise ImportError(
            "runload.sample writes FIT files with fit-tool: pip install 'runload[sample]'"
        ) from _WRITERS_MISSING
    root = Path(directory)
    plans = []
    for index, athlete in enumerate(_ATHLETES):
        rng = _rng(seed, index, 0)
        if athlete == "alex":
            frame = plan.alex_plan(rng)
        else:
            frame = plan.squad_plan(rng, athlete, SQUAD[athlete])
        frame = _record_settings(frame, athlete, _rng(seed, index, 2))
        frame["athlete_index"] = index
        frame["number"] = np.arange(len(frame))
        plans.append(frame)
    planned = pd.concat(plans, ignore_index=True)

    tracks: dict[int, dict[str, Any]] = {}
    for i, row in enumerate(planned.itertuples(index=False)):
        if isinstance(row.format, str):
            tracks[i] = _simulate(row, seed, row.athlete_index, row.number)
    planned["read_distance_m"] = [
        _expected_distance(row, tracks.get(i)) for i, row in enumerate(planned.itertuples())
    ]

    episodes, hazards, keep = _plant_pain(planned, seed)
    planned = planned.loc[keep]
    planned, tracks = _add_rehab(planned, tracks, episodes, seed)

    files: dict[str, bytes] = {}
    truth_rows: list[dict[str, Any]] = []
    _write_alex(planned.loc[planned["athlete"] == "alex"], tracks, files, truth_rows, seed)
    for name in SQUAD:
        _write_squad(name, planned.loc[planned["athlete"] == name], tracks, files, truth_rows,
                     seed)

    truth = pd.DataFrame(truth_rows).sort_values(["athlete", "start_time", "file"],
                                                kind="stable").reset_index(drop=True)
    files["truth/activities.csv"] = truth.to_csv(
        index=False, lineterminator="\n", date_format="%Y-%m-%dT%H:%M:%SZ"
    ).encode()
    files["truth/hazard.csv"] = hazards.to_csv(index=False, lineterminator="\n").encode()
    alex_episodes = episodes.loc[episodes["athlete"] == "alex"]
    files["pain/alex_episodes.csv"] = painlog.episodes_csv(alex_episodes)
    files["pain/squad_diary.csv"] = painlog.diary_csv(
        episodes.loc[episodes["athlete"] != "alex"], first=SQUAD_START, last=DATA_END,
        rng=_rng(seed, 99, 4),
    )
    files["SHA256SUMS"] = sha256sums(files)
    for name in sorted(files):
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(files[name])
    return truth


def sha256sums(files: dict[str, bytes]) -> bytes:
    """``sha256sum``-style lines (``<hex>  <path>``) for ``files``, sorted by path."""
    lines = [
        f"{hashlib.sha256(files[name]).hexdigest()}  {name}\n"
        for name in sorted(files)
        if name != "SHA256SUMS"
    ]
    return "".join(lines).encode()


def _plant_pain(planned: pd.DataFrame, seed: int) -> tuple[pd.DataFrame, pd.DataFrame, np.ndarray]:
    """Run the hazard model on every athlete; return episodes, hazard rows, kept mask."""
    mask = planned["format"].notna().to_numpy()
    rows = planned.loc[mask]
    fit = (rows["format"] == "fit").to_numpy()
    acts = pd.DataFrame(
        {
            "athlete": rows["athlete"].to_numpy(),
            "sport": rows["sport"].to_numpy(),
            "start_time": rows["start_time"].to_numpy(),
            "utc_offset_s": pd.array(
                [int(o) if f else pd.NA for o, f in zip(rows["utc_offset_s"], fit, strict=True)],
                dtype="Int32",
            ),
            "distance_m": rows["read_distance_m"].to_numpy(),
            "moving_time_s": rows["moving_time_s"].to_numpy(dtype=float),
            "duplicate_of": pd.array([pd.NA] * len(rows), dtype="string"),
            "local_date": [ts.date() for ts in rows["local_start"]],
        }
    )
    acts["start_time"] = pd.to_datetime(acts["start_time"], utc=True)
    rngs = {athlete: _rng(seed, index, 3) for index, athlete in enumerate(_ATHLETES)}
    models = {
        athlete: painlog.PAIN_MODEL["alex" if athlete == "alex" else "squad"]
        for athlete in _ATHLETES
    }
    episodes, hazard, dropped = painlog.plant_pain(
        acts, rngs, models=models, tz=HOME_TZ, as_of=DATA_END
    )
    keep = np.ones(len(planned), dtype=bool)
    keep[np.flatnonzero(mask)[dropped]] = False
    return episodes, hazard, keep


def _add_rehab(
    planned: pd.DataFrame, tracks: dict[int, dict[str, Any]], episodes: pd.DataFrame, seed: int
) -> tuple[pd.DataFrame, dict[int, dict[str, Any]]]:
    """alex's 8-week core programme after each episode: a Friday strength session."""
    rows = []
    existing = set(
        zip(planned["athlete"], [ts.date() for ts in planned["local_start"]], planned["sport"], strict=True)
    )
    rng = _rng(seed, 0, 5)
    for episode in episodes.loc[episodes["athlete"] == "alex"].itertuples(index=False):
        first_friday = episode.onset + dt.timedelta(days=(4 - episode.onset.weekday()) % 7)
        for week in range(8):
            day = first_friday + dt.timedelta(weeks=week)
            if day > DATA_END or ("alex", day, "strength_training") in existing:
                continue
            row = plan._strength(rng, "alex", day, tz=HOME_TZ, phase="rehab")
            row["name"] = "Core rehab"
            row["device"] = "fr255" if day >= ALEX_WATCH_FROM else "manual"
            row["format"] = "fit" if day >= ALEX_WATCH_FROM else None
            row["gzip"] = False
            row["copy_device"] = None
            row["athlete_index"] = 0
            row["number"] = 10_000 + len(rows)
            row["home"] = None
            existing.add(("alex", day, "strength_training"))
            rows.append(row)
    if not rows:
        return planned, tracks
    extra = pd.DataFrame(rows)
    start = max(int(planned.index.max()), max(tracks, default=-1)) + 1
    extra.index = range(start, start + len(extra))
    for i, row in zip(extra.index, extra.itertuples(index=False), strict=True):
        if isinstance(row.format, str):
            tracks[i] = _simulate(row, seed, row.athlete_index, row.number)
    extra["read_distance_m"] = 0.0
    combined = pd.concat([planned, extra]).sort_values("start_time", kind="stable")
    return combined, tracks


def _truth(row: Any, track: dict[str, Any] | None, *, file: str, fmt: str | None, gz: bool,
           device: str, duplicate_of: str = "") -> dict[str, Any]:
    has_track = track is not None
    return {
        "athlete": row.athlete,
        "file": file,
        "format": fmt or "",
        "gzip": gz,
        "sport": row.sport,
        "name": row.name,
        "start_time": row.start_time,
        "local_start": row.local_start.strftime("%Y-%m-%dT%H:%M:%S"),
        "utc_offset_s": int(row.utc_offset_s),
        "file_has_offset": fmt == "fit",
        "distance_m": round(float(track["total_distance_m"]) if has_track else row.distance_m, 2),
        "gps_distance_m": round(track["gps_distance_m"], 2) if has_track else float("nan"),
        "elapsed_time_s": track["total_elapsed_s"] if has_track else int(row.moving_time_s),
        "moving_time_s": int(row.moving_time_s),
        "ascent_m": track["ascent_m"] if has_track and track["altitude_m"] is not None
        else float("nan"),
        "avg_heart_rate_bpm": track["avg_hr"] if has_track and device not in ("iphone",)
        else float("nan"),
        "device": DEVICES[device]["name"],
        "phase": row.phase,
        "duplicate_of": duplicate_of,
    }


def _write_alex(
    frame: pd.DataFrame, tracks: dict[int, dict[str, Any]], files: dict[str, bytes],
    truth: list[dict[str, Any]], seed: int,
) -> None:
    rng = _rng(seed, 0, 6)
    serial = 3_412_345_678
    strava_rows, strava_files = [], {}
    summaries = []
    activity_id = 11_873_000_000
    upload_id = 12_705_000_000
    garmin_file = 316_000_000_000
    garmin_activity = 16_100_000_000
    strava_zip = "alex/export_31415926.zip"
    garmin_zip = f"alex/{_GARMIN_UUID}_1.zip"
    inner = "DI_CONNECT/DI-Connect-Uploaded-Files/UploadedFiles_0-_Part{}.zip"
    garmin_members: list[tuple[int, str, Any, dict[str, Any], bool]] = []

    def strava_entry(row, track, device_key, shift=0, duplicate_of=""):
        nonlocal activity_id, upload_id
        activity_id += int(rng.integers(9_000_000, 40_000_000))
        upload_id += int(rng.integers(9_000_000, 40_000_000))
        filename = ""
        if track is not None:
            fmt, data = _activity_bytes(row, track, device_key=device_key, serial=serial,
                                        start_shift_s=shift, leading_whitespace=True)
            gz = bool(row.gzip) if not duplicate_of else True
            filename = f"activities/{upload_id}.{fmt}" + (".gz" if gz else "")
            strava_files[filename] = writers.gzip_bytes(data) if gz else data
            truth.append(_truth(row, track, file=f"{strava_zip}!{filename}", fmt=fmt, gz=gz,
                                device=device_key, duplicate_of=duplicate_of))
        else:
            truth.append(_truth(row, None, file=f"{strava_zip}!", fmt=None, gz=False,
                                device="manual"))
        gear = _alex_gear(row)
        strava_rows.append(
            {
                "activity_id": activity_id,
                "start_time": row.start_time + pd.Timedelta(seconds=shift),
                "name": row.name,
                "sport": row.sport,
                "elapsed_s": track["total_elapsed_s"] if track else row.moving_time_s,
                "moving_s": row.moving_time_s,
                "distance_m": (track["gps_distance_m"] if track and device_key == "iphone"
                               else row.distance_m),
                "filename": filename,
                "gear": gear,
                "max_hr": track["max_hr"] if track and device_key != "iphone" else None,
                "avg_hr": track["avg_hr"] if track and device_key != "iphone" else None,
                "ascent_m": track["ascent_m"] if track and track["altitude_m"] is not None
                else None,
                "descent_m": track["descent_m"] if track and track["altitude_m"] is not None
                else None,
                "max_speed": track["max_speed"] if track and track["speed_m_s"] is not None
                else None,
                "calories": track["calories"] if track else row.moving_time_s / 60 * 6,
            }
        )

    for i, row in zip(frame.index, frame.itertuples(index=False), strict=True):
        track = tracks.get(i)
        day = row.local_start.date()
        if day < ALEX_WATCH_FROM:
            strava_entry(row, track, row.device)
            continue
        garmin_file += int(rng.integers(1_000_000, 9_000_000))
        garmin_activity += int(rng.integers(20_000_000, 90_000_000))
        member = f"{_ALEX['email']}_{garmin_file}.fit"
        garmin_members.append((_unix(row.start_time), member, row, track, True))
        summaries.append(
            {
                "activityId": garmin_activity,
                "name": row.name,
                "activityType": row.sport,
                "sportType": row.sport.upper(),
                "startTimeGmt": _unix(row.start_time) * 1000,
                "startTimeLocal": (_unix(row.start_time) + int(row.utc_offset_s)) * 1000,
                "duration": float(track["total_elapsed_s"] * 1000),
                "movingDuration": float(row.moving_time_s * 1000),
                "distance": float(round(track["total_distance_m"] * 100.0, 1)),
                "avgHr": track["avg_hr"],
                "deviceId": serial,
            }
        )
        if isinstance(row.copy_device, str):
            strava_entry(row, track, row.copy_device, shift=4,
                         duplicate_of=f"{garmin_zip}!{inner.format('?')}!{member}")

    # non-activity files from the watch: a monitoring file every Monday, sleep on Wednesdays
    day = ALEX_WATCH_FROM
    while day <= DATA_END:
        garmin_file += int(rng.integers(1_000_000, 9_000_000))
        name = f"{_ALEX['email']}_{garmin_file}.fit"
        if day.weekday() == 0:
            data = _monitoring_fit(rng, day, serial)
        else:
            data = _sleep_fit(rng, day, serial)
        stamp = int(pd.Timestamp(day, tz="UTC").timestamp()) + 86_399
        garmin_members.append((stamp, name, None, data, False))
        day += dt.timedelta(days=2 if day.weekday() == 0 else 5)

    garmin_members.sort(key=lambda item: (item[0], item[1]))
    ordered: dict[str, bytes] = {}
    for _, member, row, payload, is_activity in garmin_members:
        if is_activity:
            _, data = _activity_bytes(row, payload, device_key="fr255", serial=serial)
            ordered[member] = data
        else:
            ordered[member] = payload
    half = (len(ordered) + 1) // 2
    part_of = {name: 1 if k < half else 2 for k, name in enumerate(ordered)}
    for _, member, row, payload, is_activity in garmin_members:
        if is_activity:
            truth.append(_truth(row, payload, file=f"{garmin_zip}!{inner.format(part_of[member])}"
                                f"!{member}", fmt="fit", gz=False, device="fr255"))
    for entry in truth:
        if entry["duplicate_of"].endswith(tuple(part_of)):
            member = entry["duplicate_of"].rsplit("!", 1)[1]
            entry["duplicate_of"] = f"{garmin_zip}!{inner.format(part_of[member])}!{member}"

    _add_damaged_uploads(frame, tracks, strava_rows, strava_files, serial=serial, seed=seed)

    # a planned route in routes/ (a loop of the park), to be skipped by readers
    route_track = routes.simulate(_rng(seed, 0, 7), sport="running", distance_m=5000.0,
                                  moving_time_s=1500, home=plan.ALEX_HOME, interval_s=(20, 20))
    name, data = exports.strava_export(
        athlete_id=31415926, profile=_ALEX, activities=strava_rows, files=strava_files,
        shoes=[
            {"name": "Pegasus 41", "brand": "Nike", "model": "Pegasus 41"},
            {"name": "Novablast 4", "brand": "ASICS", "model": "Novablast 4"},
            {"name": "Speedgoat 6", "brand": "HOKA", "model": "Speedgoat 6"},
        ],
        bikes=[{"name": "Ribble CGR", "brand": "Ribble", "model": "CGR AL"}],
        route=("Park loop", route_track["lat"], route_track["lon"]),
    )
    files[f"alex/{name}"] = data
    last_night = DATA_END
    name, data = exports.garmin_export(
        uuid=_GARMIN_UUID, email=_ALEX["email"], user_id=_GARMIN_USER_ID, uploads=ordered,
        summaries=summaries,
        sleep=exports.sleep_json(_rng(seed, 0, 8), first=ALEX_WATCH_FROM, last=last_night),
        sleep_span=(ALEX_WATCH_FROM, last_night),
        profile={"userName": "alex.rivera", "firstName": "Alex", "lastName": "Rivera",
                 "emailAddress": _ALEX["email"], "gender": "MALE", "birthDate": "1990-03-14",
                 "timeZone": HOME_TZ},
    )
    files[f"alex/{name}"] = data


def _add_damaged_uploads(
    frame: pd.DataFrame, tracks: dict[int, dict[str, Any]], strava_rows: list[dict[str, Any]],
    strava_files: dict[str, bytes], *, serial: int, seed: int,
) -> None:
    """Add alex's two damaged files (:data:`_DAMAGED`) to his Strava export.

    * The watch's sync of one run to Strava broke off: ``activities/<upload>.fit`` is the
      Garmin file cut off among its records (no laps, session or activity message).
      runload keeps the records before the break (a ``truncated`` problem, salvaged),
      and the salvaged run is marked a duplicate of the full FIT in the Garmin export.
    * alex also recorded one run with the Strava phone app, which crashed while
      writing: ``activities/<upload>.gpx`` ends inside a ``<trkpt>``. runload keeps
      nothing of it (a ``malformed_xml`` problem); the watch's FIT has the run.

    Neither changes what runload counts, so the hazard model and ``truth/`` are
    unchanged; their ``activities.csv`` rows show what Strava made of the part it got.
    Their ids come from their own generator, so no other file changes.
    """
    rng = _rng(seed, 0, 9)
    for since, device_key, _, keep in _DAMAGED:
        index, row = next(
            (i, row) for i, row in zip(frame.index, frame.itertuples(index=False), strict=True)
            if row.local_start.date() >= since and row.sport == "running" and not row.race
            and not isinstance(row.copy_device, str) and row.distance_m >= 8000 and i in tracks
        )
        track = tracks[index]
        shift = 0 if device_key == "fr255" else 4
        fmt, data = _activity_bytes(row, track, device_key=device_key, serial=serial,
                                    start_shift_s=shift)
        if fmt == "fit":
            data = writers.fit_cut_off(data, keep=keep)
            distance_m, elapsed_s = _fit_before_break(data, _unix(row.start_time))
        else:
            data = writers.gpx_cut_off(data, keep=keep)
            last = max(1, int(track["elapsed_s"].size * keep)) - 1  # the last whole point
            distance_m, elapsed_s = float(track["distance_m"][last]), int(track["elapsed_s"][last])
        before = [r for r in strava_rows if r["start_time"] < row.start_time]
        previous = max(before, key=lambda r: r["start_time"])
        upload = max(int(r["filename"].split("/")[1].split(".")[0]) for r in before if r["filename"])
        upload += int(rng.integers(1_000_000, 5_000_000))
        filename = f"activities/{upload}.{fmt}"
        strava_files[filename] = data
        share = elapsed_s / int(track["total_elapsed_s"])
        strava_rows.append(
            {
                "activity_id": previous["activity_id"] + int(rng.integers(1_000_000, 5_000_000)),
                "start_time": row.start_time + pd.Timedelta(seconds=shift),
                "name": row.name,
                "sport": row.sport,
                "elapsed_s": elapsed_s,
                "moving_s": max(1, min(elapsed_s, round(row.moving_time_s * share))),
                "distance_m": distance_m,
                "filename": filename,
                "gear": _alex_gear(row),
                "max_hr": track["max_hr"] if fmt == "fit" else None,
                "avg_hr": track["avg_hr"] if fmt == "fit" else None,
                "calories": round(track["calories"] * share),
            }
        )
    strava_rows.sort(key=lambda r: r["start_time"])


def _fit_before_break(data: bytes, start_unix_s: int) -> tuple[float, int]:
    """Distance (m) and elapsed time (s) of the last whole record of a cut-off FIT."""
    distance_m, elapsed_s = 0.0, 0
    try:
        with fitdecode.FitReader(io.BytesIO(data), check_crc=fitdecode.CrcCheck.DISABLED) as reader:
            for frame in reader:
                if isinstance(frame, fitdecode.FitDataMessage) and frame.name == "record":
                    distance_m = float(frame.get_value("distance", fallback=distance_m))
                    elapsed_s = int(frame.get_value("timestamp").timestamp()) - start_unix_s
    except fitdecode.FitEOFError:
        pass  # the break
    return distance_m, elapsed_s


def _alex_gear(row: Any) -> str:
    if row.sport == "cycling":
        return "Ribble CGR"
    if row.sport == "trail_running":
        return "Speedgoat 6"
    if row.sport in ("running", "treadmill_running"):
        return "Pegasus 41" if row.local_start.date() < dt.date(2025, 1, 20) else "Novablast 4"
    return ""


_SQUAD_NAMES = {
    "bea": "%Y-%m-%d-%H-%M-%S",
    "dario": "%Y-%m-%d_{name}",
    "emma": "Emma_Walsh_%Y-%m-%d_%H-%M-%S",
    "femi": "{id}",
    "gus": "suuntoapp-{sport}-%Y-%m-%dT%H-%M-%S",
}


def _write_squad(
    name: str, frame: pd.DataFrame, tracks: dict[int, dict[str, Any]], files: dict[str, bytes],
    truth: list[dict[str, Any]], seed: int,
) -> None:
    profile = SQUAD[name]
    index = _ATHLETES.index(name)
    rng = _rng(seed, index, 6)
    serial = 3_300_000_000 + 1_000 * index
    folder = f"squad/{name}"
    if profile["container"] == "strava":
        strava_rows, strava_files = [], {}
        activity_id, upload_id = 16_200_000_000, 17_300_000_000
        for i, row in zip(frame.index, frame.itertuples(index=False), strict=True):
            track = tracks.get(i)
            activity_id += int(rng.integers(9_000_000, 40_000_000))
            upload_id += int(rng.integers(9_000_000, 40_000_000))
            filename = ""
            export = f"{folder}/export_27182818.zip"
            if track is not None:
                fmt, data = _activity_bytes(row, track, device_key=row.device, serial=serial,
                                            leading_whitespace=True)
                gz = bool(row.gzip) or fmt == "fit"
                filename = f"activities/{upload_id}.{fmt}" + (".gz" if gz else "")
                strava_files[filename] = writers.gzip_bytes(data) if gz else data
                truth.append(_truth(row, track, file=f"{export}!{filename}", fmt=fmt, gz=gz,
                                    device=row.device))
            else:
                truth.append(_truth(row, None, file=f"{export}!", fmt=None, gz=False,
                                    device="manual"))
            strava_rows.append(
                {
                    "activity_id": activity_id, "start_time": row.start_time, "name": row.name,
                    "sport": row.sport,
                    "elapsed_s": track["total_elapsed_s"] if track else row.moving_time_s,
                    "moving_s": row.moving_time_s,
                    "distance_m": row.distance_m, "filename": filename,
                    "gear": "Cloudmonster" if row.sport == "running" else "",
                    "max_hr": track["max_hr"] if track else None,
                    "avg_hr": track["avg_hr"] if track else None,
                    "ascent_m": track["ascent_m"] if track and track["altitude_m"] is not None
                    else None,
                    "calories": track["calories"] if track else row.moving_time_s / 60 * 6,
                }
            )
        zip_name, data = exports.strava_export(
            athlete_id=27182818, profile=_CHEN, activities=strava_rows, files=strava_files,
            shoes=[{"name": "Cloudmonster", "brand": "On", "model": "Cloudmonster 2"}], bikes=[],
        )
        files[f"{folder}/{zip_name}"] = data
        return

    file_id = 500_000_000 + 10_000_000 * index
    for i, row in zip(frame.index, frame.itertuples(index=False), strict=True):
        track = tracks[i]
        file_id += int(rng.integers(10_000, 900_000))
        fmt, data = _activity_bytes(row, track, device_key=row.device, serial=serial)
        pattern = _SQUAD_NAMES[name].replace("{name}", row.name.replace(" ", "_")).replace(
            "{id}", str(file_id)).replace("{sport}", row.sport.title().replace("_", ""))
        stem = row.local_start.strftime(pattern)
        path = f"{folder}/{stem}.{fmt}" + (".gz" if row.gzip else "")
        if path in files:
            raise RuntimeError(f"two sample activities would both be written to {path}")
        files[path] = writers.gzip_bytes(data) if row.gzip else data
        truth.append(_truth(row, track, file=path, fmt=fmt, gz=bool(row.gzip), device=row.device))
        if isinstance(row.copy_device, str):
            _, copy = _activity_bytes(row, track, device_key=row.copy_device, serial=serial,
                                      start_shift_s=6)
            copy_path = f"{folder}/{row.local_start.strftime('%Y-%m-%d')}_phone.gpx"
            files[copy_path] = copy
            truth.append(_truth(row, track, file=copy_path, fmt="gpx", gz=False,
                                device=row.copy_device, duplicate_of=path))

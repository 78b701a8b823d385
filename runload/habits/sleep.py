"""Nights of sleep from a Garmin Connect account export (or the habits log).

A Garmin Connect account export ("Export Your Data") holds
``DI_CONNECT/DI-Connect-Wellness/*sleepData*.json``: JSON lists with one object per
night, keyed by ``calendarDate`` (the day woken up) with ``deepSleepSeconds``,
``lightSleepSeconds``, ``remSleepSeconds``, ``awakeSleepSeconds`` and the GMT start and
end of the sleep window (``sleepStartTimestampGMT``, ``sleepEndTimestampGMT``). Time
asleep is deep + light + REM, as Garmin Connect shows it; when no stage is given it
is the window minus ``awakeSleepSeconds``. Naps (``napList``) are not nights and are
left out; nights without any sleep measured are dropped.
"""

from __future__ import annotations

import fnmatch
import json
import os
import warnings
import zipfile

import numpy as np
import pandas as pd

from ..columns import conform, empty
from ..errors import ParameterError, ReadError, RunloadWarning

__all__ = ["read_garmin_sleep", "NIGHTS", "SLEEP_PATTERN"]

#: Where the sleep files sit inside a Garmin Connect export.
SLEEP_PATTERN = "*DI-Connect-Wellness/*sleepData*.json"

#: Columns of :func:`read_garmin_sleep` (one row per athlete and night).
NIGHTS = {
    "athlete": ("string", "athlete"),
    "date": ("datetime64[ns]", "the local date woken up (Garmin calendarDate)"),
    "sleep_s": ("float64", "time asleep, s"),
    "source": ("string", "file the night was read from"),
}

_STAGES = ("deepSleepSeconds", "lightSleepSeconds", "remSleepSeconds")
_MAX_JSON_BYTES = 64 * 1024 * 1024


def read_garmin_sleep(source, *, athlete: str | None = None,
                      when_empty: str = "warn") -> pd.DataFrame:
    """Read the nights of a Garmin Connect account export.

    Parameters
    ----------
    source : path
        The export's zip, its unzipped folder, or one ``*sleepData*.json`` file.
    athlete : str, optional
        The athlete the nights belong to (default: NA, the only athlete of the
        weekly table they are joined to).
    when_empty : {'warn', 'raise'}, default 'warn'
        A source without a night (no ``*sleepData*.json`` in a folder or zip, or sleep
        files without a night): warn and return an empty table, or raise
        :class:`~runload.errors.ReadError` (kind ``no_data``; the command line's check).

    Returns
    -------
    DataFrame
        Columns of :data:`NIGHTS`, one row per night (the last file wins when a night
        appears twice), sorted by date.

    Raises
    ------
    runload.errors.ReadError
        The path does not exist, a sleep file is not JSON or not a list of nights; no
        night at all with ``when_empty='raise'``.

    Warns
    -----
    runload.errors.RunloadWarning
        A folder or zip without any ``*sleepData*.json`` (not a Garmin Connect account
        export?), or sleep files without a night: the table is then empty.
    """
    if when_empty not in ("warn", "raise"):
        raise ParameterError(f"when_empty must be 'warn' or 'raise', got {when_empty!r}")
    path = os.fspath(source)
    if os.path.isdir(path):
        files = sorted(
            os.path.join(root, name)
            for root, _, names in os.walk(path)
            for name in names
            if fnmatch.fnmatch(os.path.join(root, name).replace(os.sep, "/"), SLEEP_PATTERN)
        )
        blobs = [(f, _read_file(f)) for f in files]
    elif os.path.isfile(path) and zipfile.is_zipfile(path):
        blobs = _read_zip(path)
    elif os.path.isfile(path):
        blobs = [(path, _read_file(path))]
    else:
        raise ReadError("no such file or folder", source=path, kind="unreadable")
    frames = [_nights(data, name) for name, data in blobs]
    frames = [f for f in frames if len(f)]
    if not frames:
        why = (f"its {len(blobs)} sleep file(s) hold no night" if blobs else
               "no Garmin sleep data found (no *sleepData*.json under "
               "DI_CONNECT/DI-Connect-Wellness/)")
        if when_empty == "raise":
            raise ReadError(why, source=path, kind="no_data")
        warnings.warn(f"{path}: {why}; is this a Garmin Connect account export?",
                      RunloadWarning, stacklevel=2)
        return empty(NIGHTS)
    nights = pd.concat(frames, ignore_index=True)
    nights["athlete"] = pd.Series(athlete, index=nights.index, dtype="string")
    nights = nights.drop_duplicates(subset=["date"], keep="last")
    return conform(nights, NIGHTS, extra=False).sort_values("date", ignore_index=True)


def _read_file(path: str) -> bytes:
    if os.path.getsize(path) > _MAX_JSON_BYTES:
        raise ReadError("sleep file larger than 64 MiB", source=path, kind="unsafe")
    with open(path, "rb") as fh:
        return fh.read()


def _read_zip(path: str) -> list[tuple[str, bytes]]:
    from ..io.archives import Limits, read_member

    out = []
    try:
        with zipfile.ZipFile(path) as zf:
            for info in zf.infolist():
                if fnmatch.fnmatch(info.filename, SLEEP_PATTERN):
                    name = f"{path}!{info.filename}"
                    out.append((name, read_member(zf, info, cap=_MAX_JSON_BYTES, limits=Limits(),
                                                  source=name)))
    except zipfile.BadZipFile as exc:
        raise ReadError(f"not a readable zip archive: {exc}", source=path, kind="malformed") from exc
    return sorted(out)


def _nights(data: bytes, source: str) -> pd.DataFrame:
    try:
        records = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ReadError(f"not a JSON sleep file: {exc}", source=source, kind="malformed") from exc
    if isinstance(records, dict):
        records = [records]
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise ReadError("a Garmin sleep file holds a list of nights", source=source, kind="malformed")
    if not records:
        return pd.DataFrame()
    table = pd.DataFrame.from_records(records)
    if "calendarDate" not in table.columns:
        raise ReadError("the nights have no calendarDate", source=source, kind="malformed")

    def number(name):
        if name not in table.columns:
            return pd.Series(np.nan, index=table.index)
        return pd.to_numeric(table[name], errors="coerce").astype("float64")

    stages = pd.concat([number(n) for n in _STAGES], axis=1)
    asleep = stages.sum(axis=1, min_count=1)
    times = {
        n: pd.to_datetime(table[n], errors="coerce", utc=True, format="ISO8601")
        if n in table.columns else pd.Series(pd.NaT, index=table.index, dtype="datetime64[ns, UTC]")
        for n in ("sleepStartTimestampGMT", "sleepEndTimestampGMT")
    }
    window = (times["sleepEndTimestampGMT"] - times["sleepStartTimestampGMT"]).dt.total_seconds()
    asleep = asleep.fillna(window - number("awakeSleepSeconds").fillna(0.0))
    date = pd.to_datetime(table["calendarDate"], errors="coerce", format="%Y-%m-%d")
    keep = date.notna() & (asleep > 0)
    return pd.DataFrame({"date": date[keep], "sleep_s": asleep[keep], "source": source})


def check_sleep_threshold(min_sleep_s) -> float:
    """Validate a minimum night length, s."""
    try:
        value = float(min_sleep_s)
    except (TypeError, ValueError) as exc:
        raise ParameterError(f"min_sleep_s must be a number of seconds, got {min_sleep_s!r}") from exc
    if not 0 < value <= 86_400:
        raise ParameterError(f"min_sleep_s must lie in (0, 86400], got {min_sleep_s!r}")
    return value

"""The single source of truth for runload's tables: column names, dtypes and units.

Every table runload returns is tidy, in SI units, with the unit in the column name
(``distance_m``, ``moving_time_s``). Conversion to km or miles happens only at the
edges (plots, CLI, report) through :func:`to_display`.

Each table is a mapping ``name -> (dtype, description)``; the order is the column
order of the returned frame. :func:`conform` gives any frame exactly these columns
and dtypes, so every stage agrees on them.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

__all__ = [
    "SPORTS",
    "RUNNING_SPORTS",
    "FORMATS",
    "PROBLEM_KINDS",
    "ACTIVITIES",
    "PROBLEMS",
    "TRACK",
    "WEEKLY",
    "DAILY",
    "SPIKES",
    "HABITS_LOG",
    "HABITS_WEEKLY",
    "EPISODES",
    "ASSOCIATIONS",
    "UNITS",
    "empty",
    "conform",
    "to_display",
]

#: The sports of the data contract; every reader maps its file's sport to one of these.
SPORTS = (
    "running",
    "trail_running",
    "treadmill_running",
    "cycling",
    "swimming",
    "walking",
    "hiking",
    "strength_training",
    "other",
)

#: Sports whose distance counts as running mileage.
RUNNING_SPORTS = ("running", "trail_running", "treadmill_running")

FORMATS = ("fit", "gpx", "tcx")

#: Kinds of the ``problems`` table, with what each means.
PROBLEM_KINDS = {
    "truncated": "the file ends early; what was recorded before the break is kept",
    "bad_crc": "the file's checksum does not match its bytes",
    "malformed": "the file is not valid for its format",
    "malformed_xml": "the XML is not well-formed",
    "unsupported": "not a format runload reads",
    "empty": "the file has no bytes, or holds no activity data",
    "no_data": "an activity without any distance, time or track points",
    "bad_time": "impossible or missing times (placeholders, far future, too long)",
    "duplicate": "the same activity as another file",
    "unsafe": "refused for safety (entity expansion, zip bomb, path traversal)",
    "unreadable": "could not be opened or read",
}

_STR = "string"
_F = "float64"
_B = "bool"
_UTC = "datetime64[ns, UTC]"
_DATE = "datetime64[ns]"  # a local calendar date, midnight, no time zone

#: One row per activity (a multisport file gives one row per leg).
ACTIVITIES: Mapping[str, tuple[str, str]] = {
    "athlete": (_STR, "athlete name (folder name, or the `athlete` argument)"),
    "activity_id": (_STR, "stable id: hash of the file's bytes, '-<leg>' for legs after the first"),
    "source": (_STR, "path of the file; 'archive.zip!member' inside archives"),
    "format": (_STR, "fit | gpx | tcx | csv (a manual entry of a Strava export)"),
    "sport": (_STR, "one of runload.columns.SPORTS"),
    "sport_inferred": (_B, "the file states no sport; guessed from name/device or speed"),
    "start_time": (_UTC, "start of the activity, UTC"),
    "utc_offset_s": ("Int32", "local time minus UTC at the start, s, when the file tells"),
    "elapsed_time_s": (_F, "wall-clock duration, s"),
    "moving_time_s": (_F, "timer / moving duration, s"),
    "distance_m": (_F, "distance, m (the device's own figure where the file has one)"),
    "distance_source": (_STR, "device | laps | records | gps | manual (typed in, not recorded)"),
    "ascent_m": (_F, "total ascent, m"),
    "avg_heart_rate_bpm": (_F, "mean heart rate, beats/min"),
    "device": (_STR, "manufacturer and product, or the writing app"),
    "name": (_STR, "activity name where the source gives one (Strava activities.csv)"),
    "gear": (_STR, "gear (shoes) where the source gives it (Strava activities.csv)"),
    "duplicate_of": (_STR, "activity_id of the kept copy when this row duplicates it, else NA"),
}

#: One row per file that could not be read in full.
PROBLEMS: Mapping[str, tuple[str, str]] = {
    "source": (_STR, "path of the file; 'archive.zip!member' inside archives"),
    "kind": (_STR, "one of runload.columns.PROBLEM_KINDS"),
    "message": (_STR, "what is wrong, in words"),
    "salvaged": (_B, "some of the file was kept as activity rows"),
}

#: The per-sample streams of one activity (runload.read_track).
TRACK: Mapping[str, tuple[str, str]] = {
    "time": (_UTC, "sample time, UTC (NaT when the file has no times)"),
    "elapsed_s": (_F, "seconds since the first sample"),
    "lat_deg": (_F, "latitude, degrees"),
    "lon_deg": (_F, "longitude, degrees"),
    "distance_m": (_F, "cumulative distance, m"),
    "speed_m_s": (_F, "speed, m/s"),
    "heart_rate_bpm": (_F, "heart rate, beats/min"),
    "cadence_spm": (_F, "cadence, steps/min (running) or rev/min (cycling)"),
    "elevation_m": (_F, "elevation, m"),
}

#: One row per athlete and local week, weeks without running included.
WEEKLY: Mapping[str, tuple[str, str]] = {
    "athlete": (_STR, "athlete"),
    "week_start": (_DATE, "first local day of the week"),
    "distance_m": (_F, "running distance of the week, m"),
    "runs": ("int64", "number of runs"),
    "longest_run_m": (_F, "longest run of the week, m"),
    "moving_time_s": (_F, "running moving time, s"),
    "cross_training_time_s": (_F, "moving time of other sports, s"),
    "strength_sessions": ("int64", "strength-training activities"),
    "complete": (_B, "False for the first week and for a week the data has not finished"),
    "low_week": (_B, "complete week with distance below min_base_m"),
    "reference_m": (_F, "the distance this week is compared with, m (after one recovery week: the last build week)"),
    "change_pct": (_F, "100 x (distance - reference) / reference, %"),
    "progression": (_STR, "Nielsen et al. 2014 category: <10%, 10-30%, >30%"),
    "recovery_week": (_B, "distance <= (1 - recovery_drop) x reference"),
    "return_from_break": (_B, "running again after break_weeks low weeks"),
    "build_streak": ("int64", "consecutive complete build weeks ending here"),
    "max_spike_pct": (_F, "largest session spike of the week, % over the 30-day longest run"),
    "acwr_rolling": (_F, "coupled rolling 7-d / 28-d acute:chronic workload ratio (end of week)"),
    "acwr_uncoupled": (_F, "uncoupled rolling 7-d / previous 21-d ratio (end of week)"),
    "acwr_ewma": (_F, "EWMA acute:chronic ratio (end of week)"),
    "monotony": (_F, "Foster monotony: mean / SD of daily distance"),
    "strain": (_F, "Foster strain: weekly distance x monotony, m"),
    "flag_ramp": (_B, "10% rule broken"),
    "flag_missing_recovery": (_B, "more than max_build_weeks build weeks in a row"),
    "flag_session_spike": (_B, "a run longer than (1 + spike) x the longest run of 30 days"),
    "flag_acwr": (_B, "ACWR (acwr_method) at week end above acwr_threshold, after 28 days of history"),
}

#: One row per back-pain episode.
EPISODES: Mapping[str, tuple[str, str]] = {
    "athlete": (_STR, "athlete"),
    "onset": (_DATE, "first day of pain (local date)"),
    "end": (_DATE, "last day of pain (local date; NaT when ongoing/unknown)"),
    "max_severity": (_F, "highest pain rating, 0-10"),
    "time_lost_days": (_F, "days of running lost"),
    "location": (_STR, "where the pain was"),
    "notes": (_STR, "free text"),
}

#: One row per athlete (or 'pooled'), exposure, method and lag (runload.associate).
ASSOCIATIONS: Mapping[str, tuple[str, str]] = {
    "athlete": (_STR, "athlete, or 'pooled' (Mantel-Haenszel stratified by athlete)"),
    "exposure": (_STR, "flag or continuous exposure; dose rows: 'progression 10-30% vs <10%'"),
    "method": (_STR, "lagged_risk_ratio | case_crossover | conditional_logit | dose_response | lagged_correlation"),
    "lag_weeks": ("Int64", "weeks from the exposure week to the outcome week"),
    "estimate": (_F, "risk ratio / Mantel-Haenszel odds ratio / odds ratio per increment / Spearman rho"),
    "ci_low": (_F, "lower confidence limit (exact or mid-p; Wald for conditional_logit)"),
    "ci_high": (_F, "upper confidence limit"),
    "p_value": (_F, "headline two-sided p-value (mid-p for ratios, see docs/pain_analysis.md)"),
    "p_exact": (_F, "Fisher's exact p (exact conditional test over strata for pooled rows)"),
    "p_midp": (_F, "mid-p of the same exact conditional test"),
    "p_permutation": (_F, "permutation p-value (circular shift of the episode pattern)"),
    "exposed_n": ("Int64", "exposed weeks at risk / exposed windows (all windows for conditional_logit)"),
    "exposed_events": ("Int64", "onsets after exposed weeks / exposed case windows (all onsets for conditional_logit)"),
    "unexposed_n": ("Int64", "unexposed weeks at risk / unexposed windows"),
    "unexposed_events": ("Int64", "onsets after unexposed weeks / unexposed case windows"),
    "increment": (_F, "exposure increase a conditional_logit odds ratio refers to, else NaN"),
    "summary": (_STR, "the result in one plain-language line"),
    "warning": (_STR, "why the result cannot say much (small counts, no episodes), else NA"),
}

#: Columns of :func:`daily_load` (name -> (dtype, description)).
DAILY = {
    "athlete": ("string", "athlete"),
    "date": ("datetime64[ns]", "local calendar day"),
    "distance_m": ("float64", "running distance of the day, m"),
    "runs": ("int64", "number of runs"),
    "longest_run_m": ("float64", "longest run of the day, m"),
    "moving_time_s": ("float64", "running moving time, s"),
    "cross_training_time_s": ("float64", "moving time of other sports, s"),
    "strength_sessions": ("int64", "strength-training activities"),
}

#: Columns of :func:`session_spikes`.
SPIKES = {
    "athlete": ("string", "athlete"),
    "activity_id": ("string", "activity id"),
    "start_time": ("datetime64[ns, UTC]", "start, UTC"),
    "local_time": ("datetime64[ns]", "start, local wall-clock time"),
    "sport": ("string", "running sport"),
    "distance_m": ("float64", "distance of the run, m"),
    "longest_prior_m": ("float64", "longest run that started in the window before, m"),
    "spike_pct": ("float64", "100 x (distance - longest_prior) / longest_prior, %"),
    "spike_category": ("string", "Frandsen et al. 2025 category"),
    "hazard_ratio": ("float64", "Frandsen et al. 2025 hazard ratio of the category vs <=10%"),
    "spike": ("bool", "distance > (1 + spike) x longest_prior"),
}

#: Columns of the frame :func:`read_habits_log` returns (name -> (dtype, description)).
HABITS_LOG = {
    "athlete": ("string", "athlete (NA in a single-runner log without athlete column)"),
    "date": ("datetime64[ns]", "local date of the session (sleep: the morning woken up)"),
    "kind": ("string", "one of runload.habits.log.KINDS"),
    "duration_s": ("float64", "length of the session, or time asleep, s (NaN when not given)"),
    "value": ("string", "the value column as written (shoe name, stride count, sleep hours)"),
    "notes": ("string", "free text"),
}

#: Columns :func:`weekly_habits` adds to the weekly table (name -> (dtype, description)).
HABITS_WEEKLY: dict[str, tuple[str, str]] = {
    "cross_training_share": (_F, "cross_training_time_s / (running + cross-training + strength time); NaN without training"),
    "strength_time_s": (_F, "strength and core time, activities and habits log (per day the larger), s"),
    "strength_sessions_counted": ("int64", "strength/core sessions >= min_strength_session_s (or of unknown length), activities and log (per day the larger count)"),
    "core_sessions": ("Int64", "core and rehab sessions in the habits log; NA without a habits log"),
    "rehab_sessions": ("Int64", "rehab sessions in the habits log; NA without a habits log"),
    "weeks_since_pain": ("Int64", "weeks since the week of the latest back-pain onset; NA before the first"),
    "rehab_completed": ("boolean", "the latest episode's full rehab programme was done; NA during it, before any episode, or without a log"),
    "strides": ("Int64", "strides (efforts in sets) detected or logged; NA when unknown"),
    "stride_sets": ("Int64", "sets of strides detected or logged; NA when unknown"),
    "shoes_used": ("Int64", "pairs of shoes worn on the week's runs; NA when no pair is known"),
    "sleep_nights": ("int64", "nights with sleep recorded (Garmin or habits log)"),
    "short_sleep_nights": ("Int64", "recorded nights shorter than min_sleep_s; NA without nights"),
    "mean_sleep_s": (_F, "mean time asleep of the recorded nights, s"),
    "trail_share": (_F, "trail_running distance / running distance; NaN without running"),
    "flag_no_cross_training": ("boolean", "a running week without (enough) cross-training"),
    "flag_low_strength": ("boolean", "fewer than min_strength_sessions strength sessions"),
    "flag_no_core_after_pain": ("boolean", "a week after back pain without core work"),
    "flag_rehab_incomplete": ("boolean", "after an episode whose full rehab programme was not done"),
    "flag_no_strides": ("boolean", "a running week without a set of strides"),
    "flag_no_shoe_rotation": ("boolean", "all of the week's runs in one pair of shoes"),
    "flag_short_sleep": ("boolean", "average recorded night shorter than min_sleep_s"),
    "flag_no_trail": ("boolean", "a running week without trail running"),
}

#: Display units: metres per unit.
UNITS = {"m": 1.0, "km": 1000.0, "mi": 1609.344}


def empty(table: Mapping[str, tuple[str, str]]) -> pd.DataFrame:
    """An empty frame with the columns and dtypes of ``table``."""
    return pd.DataFrame({name: pd.Series(dtype=dtype) for name, (dtype, _) in table.items()})


def conform(
    frame: pd.DataFrame, table: Mapping[str, tuple[str, str]], *, extra: bool = True
) -> pd.DataFrame:
    """Return ``frame`` with the columns of ``table`` first, in order and dtype.

    Missing columns are added as missing values; with ``extra=True`` columns not in
    ``table`` are kept after them, else dropped. The input is not modified.
    """
    out = {}
    for name, (dtype, _) in table.items():
        if name in frame.columns:
            col = frame[name]
            if dtype == _UTC:
                col = pd.to_datetime(col, utc=True).astype(dtype)
            elif dtype == _DATE:
                col = pd.to_datetime(col)
                if getattr(col.dt, "tz", None) is not None:
                    col = col.dt.tz_localize(None)
                col = col.astype(dtype)
            else:
                col = col.astype(dtype)
        else:
            col = _missing(dtype, frame.index)
        out[name] = col
    result = pd.DataFrame(out, index=frame.index)
    if extra:
        rest = [c for c in frame.columns if c not in table]
        if rest:
            result = pd.concat([result, frame[rest]], axis=1)
    return result


def _missing(dtype: str, index: pd.Index) -> pd.Series:
    """A column of missing values (False / 0 for bool / int64 columns)."""
    fill = {_F: float("nan"), _B: False, "int64": 0}.get(dtype)
    if fill is None:
        return pd.Series(pd.NA, index=index, dtype=dtype) if dtype in (_STR, "Int32", "Int64") \
            else pd.Series(pd.NaT, index=index, dtype=dtype)
    return pd.Series(fill, index=index, dtype=dtype)


def to_display(meters, units: str = "km"):
    """Convert metres to ``units`` ('m', 'km' or 'mi') for display.

    Parameters
    ----------
    meters : float, array-like or Series
        Distance in metres.
    units : {'km', 'mi', 'm'}
        Display unit.
    """
    from .errors import ParameterError

    try:
        per = UNITS[units]
    except KeyError as exc:
        raise ParameterError(f"units must be one of {sorted(UNITS)}, got {units!r}") from exc
    return meters / per

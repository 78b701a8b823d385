"""The coach's squad audit: one row per athlete, the most at-risk first.

A coach with a folder per athlete wants one table: how much each athlete ran this
week, where their mileage is heading, which load flags are up right now, how long ago
their last recovery week was, whether they had back pain recently, and whether their
files had problems. :func:`squad_audit` builds it from each athlete's weekly table
(or straight from their activities) and sorts it by a simple, transparent triage
score.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from .athletes import unmatched_athletes
from .errors import ParameterError, RunloadWarning

__all__ = ["AUDIT", "squad_audit", "unmatched_athletes"]

#: Columns of the squad audit, with what each means.
AUDIT: dict[str, tuple[str, str]] = {
    "athlete": ("string", "athlete"),
    "risk": ("string", "high | moderate | low (from risk_score)"),
    "risk_score": ("int64", "active flags + 2 if back pain was recent (0 for unknown pain)"),
    "current_week": ("datetime64[ns]", "first day of the current week (the week holding as_of)"),
    "current_distance_m": ("float64", "running distance of the current week so far, m"),
    "distance_4wk_m": ("float64", "running distance of the last trend_weeks full weeks, m"),
    "trend_pct": ("float64", "change of those weeks over the trend_weeks before, %"),
    "active_flags": ("string", "flags raised in the last recent_weeks weeks, comma-separated"),
    "n_active_flags": ("int64", "number of different active flags"),
    "weeks_since_recovery": ("Int64", "weeks since the last recovery week (NA: none in the data)"),
    "pain_recent": ("boolean", "a back-pain episode ongoing or ended within pain_weeks weeks "
                               "(NA: no pain log, or a log naming none of the athletes)"),
    "last_pain_onset": ("datetime64[ns]", "onset of the latest back-pain episode"),
    "pain_episodes": ("Int64", "back-pain episodes logged for the athlete (NA: no pain log, "
                               "or a log naming none of the athletes)"),
    "data_problems": ("Int64", "files that could not be read in full (NA: not known)"),
    "last_activity_week": ("datetime64[ns]", "latest week with any running"),
}

_WEEK = pd.Timedelta(days=7)


def squad_audit(
    squad: pd.DataFrame | Mapping[str, pd.DataFrame],
    episodes: pd.DataFrame | None = None,
    *,
    as_of: Any = None,
    recent_weeks: int = 2,
    trend_weeks: int = 4,
    pain_weeks: int = 8,
    problems: Mapping[str, Any] | None = None,
    **weekly_options: Any,
) -> pd.DataFrame:
    """One row per athlete with their current load, flags and recent pain, riskiest first.

    Parameters
    ----------
    squad : DataFrame or mapping of str to DataFrame
        Either a weekly table of several athletes (``runload.columns.WEEKLY``), an
        activities table (``runload.columns.ACTIVITIES``; its weekly table is built with
        :func:`runload.load.weekly_load`), or a mapping ``athlete -> weekly table`` or
        ``athlete -> activities`` (the key names the athlete).
    episodes : DataFrame, optional
        Back-pain episodes (``runload.columns.EPISODES``) of the squad, matched to the
        athletes by the ``athlete`` column, exactly (``Gus`` is not ``gus``). Episodes of
        names that match no athlete, or without a name, count for nobody: a
        :class:`runload.RunloadWarning` lists them with the athletes known and the
        closest match of each (:func:`unmatched_athletes`). Without episodes
        (``None``), ``pain_recent`` and ``pain_episodes`` are missing (``pd.NA``: not
        known), not "no"; also when the log names none of the athletes (no ``athlete``
        column, no row, or only other names), since its episodes count for nobody. A
        log that names athletes of the squad is the squad's log: an athlete it does not
        name had no episode logged.
        The names are ``episodes.attrs["athletes"]`` when :func:`runload.read_pain_log`
        recorded them (they include diary days without pain), else the ``athlete``
        column.
    as_of : date-like, optional
        The day the audit is for ("today"). By default the last week in the squad's data,
        so an old export still gives a meaningful audit.
    recent_weeks : int
        A flag is *active* when it was raised in one of the last ``recent_weeks`` weeks
        up to the current week.
    trend_weeks : int
        Length of the trend windows, weeks: the running distance of the last
        ``trend_weeks`` full weeks compared with the ``trend_weeks`` weeks before them.
    pain_weeks : int
        Back pain counts as *recent* when an episode is ongoing or ended less than
        ``pain_weeks`` weeks before ``as_of`` (rehabilitation takes about 8 weeks even
        when the pain is gone).
    problems : mapping of str to int or DataFrame, optional
        Problem files per athlete when ``squad`` holds weekly tables: a count, or a
        problems table (:func:`runload.problems`) whose distinct ``source`` files are
        counted (a file with several problem rows counts once). For activities the
        problems are taken from the activities themselves, counted the same way.
    **weekly_options
        Passed to :func:`runload.load.weekly_load` when activities are given
        (``max_increase``, ``week_start``, ...).

    Returns
    -------
    DataFrame
        The columns of :data:`AUDIT`, one row per athlete, sorted by ``risk_score``
        (highest first), then by ``trend_pct`` and ``current_distance_m``.

    Notes
    -----
    ``risk_score`` is a triage order, not a validated prediction: it counts the
    different load flags raised in the last ``recent_weeks`` weeks (each rule is a
    heuristic; a 10%-rule programme did not lower injuries [1]_, and a single run much
    longer than the previous month's longest is the pattern with the clearest evidence
    [2]_) and adds 2 when back pain was recent, because back pain recurs. ``risk`` is
    *high* for a score of 3 or more, *moderate* for 1–2, *low* for 0.

    References
    ----------
    .. [1] Buist I, et al. No effect of a graded training program on the number of
       running-related injuries in novice runners. Am J Sports Med 2008;36:33-39.
    .. [2] Frandsen JSB, et al. How much running is too much? Br J Sports Med
       2025;59:1203.
    """
    for name, value in (("recent_weeks", recent_weeks), ("trend_weeks", trend_weeks),
                        ("pain_weeks", pain_weeks)):
        if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < 1:
            raise ParameterError(f"{name} must be a whole number of weeks >= 1, got {value!r}")
    as_of_ts = _as_timestamp(as_of)
    weekly, problem_counts = _weekly_tables(squad, problems, as_of, weekly_options)
    if weekly.empty:
        return _empty_audit()
    if as_of_ts is None:
        as_of_ts = weekly["week_start"].max() + pd.Timedelta(days=6)
    athletes = weekly["athlete"].dropna().unique()
    covered = _covered_athletes(episodes)
    pain_known = covered is not None and bool(covered & {str(a) for a in athletes})
    episodes = _episodes_frame(episodes)
    _warn_unmatched(episodes, athletes)

    flag_columns = [c for c in weekly.columns if c.startswith("flag_")]
    rows = []
    for athlete, weeks in weekly.groupby("athlete", sort=True):
        rows.append(
            _athlete_row(
                str(athlete),
                weeks,
                episodes,
                as_of_ts,
                flag_columns=flag_columns,
                recent_weeks=recent_weeks,
                trend_weeks=trend_weeks,
                pain_weeks=pain_weeks,
                problems=problem_counts.get(str(athlete)),
                pain_known=pain_known,
            )
        )
    audit = pd.DataFrame(rows)
    audit = _conform(audit)
    order = audit.sort_values(
        ["risk_score", "trend_pct", "current_distance_m", "athlete"],
        ascending=[False, False, False, True],
        na_position="last",
        kind="stable",
    )
    return order.reset_index(drop=True)


def _as_timestamp(value: Any) -> pd.Timestamp | None:
    if value is None:
        return None
    try:
        stamp = pd.Timestamp(value)
    except (TypeError, ValueError) as exc:
        raise ParameterError(f"as_of must be a date like '2024-05-31', got {value!r}") from exc
    if stamp.tzinfo is not None:
        stamp = stamp.tz_localize(None)
    return stamp.normalize()


def _weekly_tables(
    squad: Any, problems: Mapping[str, Any] | None, as_of: Any, options: dict[str, Any]
) -> tuple[pd.DataFrame, dict[str, int]]:
    """All athletes' weekly tables in one frame, and the problem count per athlete."""
    counts: dict[str, int] = {}
    if isinstance(squad, pd.DataFrame):
        items = [(None, squad)]
    elif isinstance(squad, Mapping):
        items = list(squad.items())
    else:
        raise ParameterError(
            "squad must be a weekly or activities DataFrame, or a mapping athlete -> DataFrame; "
            f"got {type(squad).__name__}"
        )
    frames = []
    for name, frame in items:
        if not isinstance(frame, pd.DataFrame):
            raise ParameterError(f"the data of athlete {name!r} is not a DataFrame")
        if "week_start" in frame.columns:
            weekly = frame
        elif "start_time" in frame.columns:
            weekly = _weekly_from_activities(frame, as_of, options)
            table = _problems_of(frame)
            if name is not None:
                counts[str(name)] = _files(table)
            else:
                for athlete in frame["athlete"].dropna().unique():
                    counts[str(athlete)] = 0
                if len(table):
                    counts.update(_problems_by_athlete(frame, table))
        else:
            raise ParameterError(
                f"the data of athlete {name!r} is neither a weekly table (no 'week_start') "
                "nor an activities table (no 'start_time')"
            )
        if name is not None:
            weekly = weekly.assign(athlete=str(name))
        frames.append(weekly)
    for name, value in (problems or {}).items():
        counts[str(name)] = _files(value) if isinstance(value, pd.DataFrame) else int(value)
    frames = [f for f in frames if len(f)]
    if not frames:
        return pd.DataFrame(columns=["athlete", "week_start", "distance_m"]), counts
    weekly = pd.concat(frames, ignore_index=True)
    weekly = weekly.assign(
        athlete=weekly["athlete"].astype("string").fillna("runner"),
        week_start=pd.to_datetime(weekly["week_start"]),
    )
    return weekly, counts


def _weekly_from_activities(activities: pd.DataFrame, as_of: Any, options: dict[str, Any]):
    from .load import weekly_load

    if as_of is not None:
        options = {**options, "as_of": as_of}
    return weekly_load(activities, **options)


def _problems_of(activities: pd.DataFrame) -> pd.DataFrame:
    """The problems table carried by an activities table (empty when none)."""
    records = activities.attrs.get("problems") or []
    return pd.DataFrame.from_records(list(records), columns=["source", "kind", "message", "salvaged"])


def _problems_by_athlete(activities: pd.DataFrame, table: pd.DataFrame) -> dict[str, int]:
    """Attribute problem files to athletes by the folder their sources share."""
    counts: dict[str, int] = {}
    sources = activities[["athlete", "source"]].dropna()
    for athlete, group in sources.groupby("athlete"):
        prefixes = {str(s).rsplit("/", 1)[0] for s in group["source"]}
        hit = table["source"].astype(str).map(
            lambda s, p=prefixes: any(s.startswith(prefix + "/") for prefix in p)
        )
        counts[str(athlete)] = _files(table.loc[hit.to_numpy()])
    return counts


def _files(table: pd.DataFrame) -> int:
    """How many files a problems table names (a file with several problems counts once).

    A row without a ``source`` counts as a file of its own.
    """
    if "source" not in table.columns:
        return len(table)
    sources = table["source"].astype("string")
    return int(sources.dropna().nunique() + sources.isna().sum())


def _warn_unmatched(episodes: pd.DataFrame, athletes: Iterable[Any]) -> None:
    """Warn about pain episodes that count for no athlete of the audit."""
    text = unmatched_athletes(episodes["athlete"], athletes)
    if text is not None:
        unknown = ~episodes["athlete"].isin([str(a) for a in athletes]).fillna(True)
        n = int((unknown & episodes["athlete"].notna()).sum())
        warnings.warn(f"{n} pain episode{'' if n == 1 else 's'} of athletes not in the squad "
                      f"ignored: {text}; correct the names in the pain log if they are "
                      "meant to be these athletes", RunloadWarning,
                      stacklevel=3)
    nameless = int(episodes["athlete"].isna().sum())
    if nameless:
        warnings.warn(f"{nameless} pain episode{'' if nameless == 1 else 's'} without an "
                      "athlete ignored; give the pain log an 'athlete' column",
                      RunloadWarning, stacklevel=3)


def _covered_athletes(episodes: pd.DataFrame | None) -> set[str] | None:
    """The athletes a pain log names (None: no pain log; empty: it names nobody).

    :func:`runload.read_pain_log` records every name of the log in
    ``attrs["athletes"]``, also those of pain-free diary days; for any other frame,
    the names of its ``athlete`` column.
    """
    if episodes is None:
        return None
    names = episodes.attrs.get("athletes") if isinstance(episodes, pd.DataFrame) else None
    if names is None:
        names = episodes["athlete"] if "athlete" in getattr(episodes, "columns", ()) else ()
    return {str(n) for n in names if not pd.isna(n)}


def _episodes_frame(episodes: pd.DataFrame | None) -> pd.DataFrame:
    if episodes is None or len(episodes) == 0:
        return pd.DataFrame({"athlete": pd.Series(dtype="string"),
                             "onset": pd.Series(dtype="datetime64[ns]"),
                             "end": pd.Series(dtype="datetime64[ns]")})
    missing = {"onset"} - set(episodes.columns)
    if missing:
        raise ParameterError("episodes need an 'onset' column (see runload.columns.EPISODES)")
    end = episodes["end"] if "end" in episodes.columns else pd.NaT
    athlete = episodes["athlete"] if "athlete" in episodes.columns else pd.NA
    return pd.DataFrame({
        "athlete": pd.Series(athlete, index=episodes.index).astype("string"),
        "onset": pd.to_datetime(episodes["onset"]),
        "end": pd.to_datetime(pd.Series(end, index=episodes.index)),
    })


def _athlete_row(
    athlete: str,
    weeks: pd.DataFrame,
    episodes: pd.DataFrame,
    as_of: pd.Timestamp,
    *,
    flag_columns: list[str],
    recent_weeks: int,
    trend_weeks: int,
    pain_weeks: int,
    problems: int | None,
    pain_known: bool = True,
) -> dict[str, Any]:
    weeks = weeks.sort_values("week_start")
    first = weeks["week_start"].iloc[0]
    # the week holding as_of, on the athlete's own week grid (monday or sunday weeks)
    current = first + ((as_of - first) // _WEEK) * _WEEK
    upto = weeks[weeks["week_start"] <= current]
    distance = upto.set_index("week_start")["distance_m"].astype(float)
    calendar = pd.date_range(min(first, current), current, freq="7D")
    distance = distance.reindex(calendar, fill_value=0.0)

    current_row = upto[upto["week_start"] == current]
    current_complete = bool(current_row["complete"].iloc[0]) if (
        len(current_row) and "complete" in current_row.columns) else False
    full = distance if current_complete else distance.iloc[:-1]
    last = full.iloc[-trend_weeks:]
    before = full.iloc[-2 * trend_weeks:-trend_weeks]
    distance_4wk = float(last.sum()) if len(last) else float("nan")
    trend = float("nan")
    if len(before) == trend_weeks and before.sum() > 0:
        trend = 100.0 * (last.sum() - before.sum()) / before.sum()

    recent = upto[upto["week_start"] > current - recent_weeks * _WEEK]
    active = [c.removeprefix("flag_") for c in flag_columns
              if c in recent.columns and recent[c].fillna(False).astype(bool).any()]

    since = pd.NA
    if "recovery_week" in upto.columns:
        recovery = upto.loc[upto["recovery_week"].fillna(False).astype(bool), "week_start"]
        if len(recovery):
            since = int((current - recovery.max()) // _WEEK)

    mine = episodes[(episodes["athlete"] == athlete).fillna(False) & (episodes["onset"] <= as_of)]
    horizon = as_of - pain_weeks * _WEEK
    recent_pain = bool((mine["end"].isna() | (mine["end"] >= horizon)).any())
    logged = int((episodes["athlete"] == athlete).fillna(False).sum())
    if not pain_known:  # no pain log, or a log that names none of the athletes
        recent_pain, logged = pd.NA, pd.NA

    running = distance[distance > 0]
    score = len(active) + (2 if recent_pain is True else 0)
    return {
        "athlete": athlete,
        "risk": "high" if score >= 3 else "moderate" if score >= 1 else "low",
        "risk_score": score,
        "current_week": current,
        "current_distance_m": float(distance.iloc[-1]),
        "distance_4wk_m": distance_4wk,
        "trend_pct": trend,
        "active_flags": ", ".join(active),
        "n_active_flags": len(active),
        "weeks_since_recovery": since,
        "pain_recent": recent_pain,
        "last_pain_onset": mine["onset"].max() if len(mine) else pd.NaT,
        "pain_episodes": logged,
        "data_problems": pd.NA if problems is None else int(problems),
        "last_activity_week": running.index.max() if len(running) else pd.NaT,
    }


def _conform(audit: pd.DataFrame) -> pd.DataFrame:
    out = {}
    for name, (dtype, _) in AUDIT.items():
        col = audit[name]
        out[name] = pd.to_datetime(col).astype(dtype) if dtype.startswith("datetime") else col.astype(dtype)
    return pd.DataFrame(out)


def _empty_audit() -> pd.DataFrame:
    return pd.DataFrame({name: pd.Series(dtype=dtype) for name, (dtype, _) in AUDIT.items()})

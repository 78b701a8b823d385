"""The self-contained HTML report of one runner, and the coach's squad audit page.

Both pages are a single ``.html`` file: the charts are embedded as base64 PNG, the
style sheet is inline, a Content-Security-Policy forbids loading anything from the
network and no JavaScript is used, so the file can be mailed, archived or opened on a
phone offline. Every piece of user-provided text (file names, athlete names, notes in
the pain log) is escaped with :func:`html.escape`.
"""

from __future__ import annotations

import base64
import html
import inspect
import io
import platform
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from string import Template
from typing import Any

import numpy as np
import pandas as pd

from . import __version__
from .columns import PROBLEM_KINDS, WEEKLY, to_display
from .errors import ParameterError, RunloadError
from .io.ingest import conservation_line
from .progress import progress as _progress

__all__ = [
    "REFERENCES",
    "FLAG_NAMES",
    "summarize",
    "headline",
    "flagged_weeks",
    "write_report",
    "write_audit",
    "render_report",
    "render_audit",
]

#: Short names of the weekly flags, as the report shows them.
FLAG_NAMES = {
    "flag_ramp": "10% rule",
    "flag_missing_recovery": "no recovery week",
    "flag_session_spike": "session spike",
    "flag_acwr": "high ACWR",
}

#: The references of the methods section: key -> citation.
REFERENCES = {
    "buist2008": (
        "Buist I, Bredeweg SW, van Mechelen W, Lemmink KAPM, Pepping GJ, Diercks RL. No effect "
        "of a graded training program on the number of running-related injuries in novice "
        "runners: a randomized controlled trial. Am J Sports Med. 2008;36(1):33-39."
    ),
    "nielsen2014": (
        "Nielsen RØ, Parner ET, Nohr EA, Sørensen H, Lind M, Rasmussen S. Excessive progression "
        "in weekly running distance and risk of running-related injuries: an association which "
        "varies according to type of injury. J Orthop Sports Phys Ther. 2014;44(10):739-747."
    ),
    "frandsen2025": (
        "Frandsen JSB, et al. How much running is too much? Identifying high-risk running "
        "sessions in a 5200-person cohort study. Br J Sports Med. 2025;59:1203."
    ),
    "gabbett2016": (
        "Gabbett TJ. The training-injury prevention paradox: should athletes be training "
        "smarter and harder? Br J Sports Med. 2016;50(5):273-280."
    ),
    "hulin2016": (
        "Hulin BT, Gabbett TJ, Lawson DW, Caputi P, Sampson JA. The acute:chronic workload "
        "ratio predicts injury: high chronic workload may decrease injury risk in elite rugby "
        "league players. Br J Sports Med. 2016;50(4):231-236."
    ),
    "williams2017": (
        "Williams S, West S, Cross MJ, Stokes KA. Better way to determine the acute:chronic "
        "workload ratio? Br J Sports Med. 2017;51(3):209-210."
    ),
    "lolli2019": (
        "Lolli L, Batterham AM, Hawkins R, et al. Mathematical coupling causes spurious "
        "correlation within the conventional acute-to-chronic workload ratio calculations. "
        "Br J Sports Med. 2019;53(15):921-922."
    ),
    "impellizzeri2020": (
        "Impellizzeri FM, Tenan MS, Kempton T, Novak A, Coutts AJ. Acute:chronic workload "
        "ratio: conceptual issues and fundamental pitfalls. Int J Sports Physiol Perform. "
        "2020;15(6):907-913."
    ),
    "impellizzeri2021": (
        "Impellizzeri FM, Woodcock S, Coutts AJ, et al. What role do chronic workloads play in "
        "the acute to chronic workload ratio? Time to dismiss ACWR and its underlying theory. "
        "Sports Med. 2021;51(3):581-592."
    ),
    "foster1998": (
        "Foster C. Monitoring training in athletes with reference to overtraining syndrome. "
        "Med Sci Sports Exerc. 1998;30(7):1164-1168."
    ),
    "maclure1991": (
        "Maclure M. The case-crossover design: a method for studying transient effects on the "
        "risk of acute events. Am J Epidemiol. 1991;133(2):144-153."
    ),
    "janes2005": (
        "Janes H, Sheppard L, Lumley T. Case-crossover analyses of air pollution exposure data: "
        "referent selection strategies and their implications for bias. Epidemiology. "
        "2005;16(6):717-726."
    ),
    "devet2002": (
        "de Vet HCW, Heymans MW, Dunn KM, et al. Episodes of low back pain: a proposal for "
        "uniform definitions to be used in research. Spine. 2002;27(21):2409-2416."
    ),
}

_REF_NUMBER = {key: i for i, key in enumerate(REFERENCES, start=1)}
_DPI = 144  # sharp on desktop screens and on phones (the charts are 9 inches wide)
_MISSING = "–"


# --------------------------------------------------------------------------- small helpers


def _e(value: Any) -> str:
    """Escaped text of a value; missing values as a dash."""
    if value is None or (not isinstance(value, str) and pd.api.types.is_scalar(value)
                         and pd.isna(value)):
        return _MISSING
    return html.escape(str(value), quote=True)


def _ref(*keys: str) -> str:
    return "[" + ", ".join(f'<a href="#ref-{k}">{_REF_NUMBER[k]}</a>' for k in keys) + "]"


def _num(value: Any, fmt: str = "{:.1f}") -> str:
    if value is None or pd.isna(value):
        return _MISSING
    return fmt.format(value)


def _dist(meters: Any, units: str, digits: int = 1) -> str:
    if meters is None or pd.isna(meters):
        return _MISSING
    return f"{float(to_display(float(meters), units)):.{digits}f}"


def _pct(value: Any, signed: bool = True) -> str:
    if value is None or pd.isna(value):
        return _MISSING
    return f"{value:+.1f}%" if signed else f"{value:.1f}%"


def _date(value: Any) -> str:
    if value is None or pd.isna(value):
        return _MISSING
    return pd.Timestamp(value).strftime("%Y-%m-%d")


def _dcell(value: Any) -> str:
    """A date that does not wrap in a table cell."""
    return f'<span class="nowrap">{_date(value)}</span>'


def _is_one(value: Any) -> bool:
    """Whether a count (possibly missing) is exactly one, for singular words."""
    return value is not None and not pd.isna(value) and value == 1


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else (plural or word + 's')}"


def _table(headers: Sequence[str], rows: Iterable[Sequence[str]], *, numeric: Iterable[int] = (),
           caption: str | None = None, table_id: str | None = None, stack: bool = False) -> str:
    """An HTML table from already-escaped cells, wrapped to scroll sideways on phones.

    With ``stack=True`` each row becomes a small card on narrow screens (every cell
    labelled with its column name), for tables too wide for a phone.
    """
    numeric = set(numeric)
    labels = [html.escape(re.sub(r"<[^>]+>", "", h), quote=True) for h in headers]
    head = "".join(
        f'<th scope="col"{" class=num" if i in numeric else ""}>{h}</th>'
        for i, h in enumerate(headers)
    )
    wrap = "<span>{}</span>" if stack else "{}"  # one flex item per cell on phones
    body = "".join(
        "<tr>" + "".join(
            f'<td{" class=num" if i in numeric else ""} data-label="{labels[i]}">'
            + wrap.format(cell) + "</td>"
            for i, cell in enumerate(row)
        ) + "</tr>"
        for row in rows
    )
    cap = f"<caption class=note>{caption}</caption>" if caption else ""
    attrs = (f' id="{table_id}"' if table_id else "") + (' class="stack"' if stack else "")
    return (f'<div class="scroll"><table{attrs}>{cap}<thead><tr>{head}</tr></thead>'
            f"<tbody>{body}</tbody></table></div>")


def _figure(fig, alt: str, caption: str, *, wide: bool = False) -> str:
    """Embed a matplotlib Figure as a base64 PNG ``<figure>``.

    A ``wide`` figure keeps a readable width on phones and scrolls sideways in its box.
    """
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=_DPI, bbox_inches="tight", facecolor="white")
    data = buffer.getvalue()
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    uri = "data:image/png;base64," + base64.b64encode(data).decode("ascii")
    klass = ' class="wide"' if wide else ""
    return (f'<figure{klass}><div class="scroll"><img src="{uri}" alt="{_e(alt)}" '
            f'width="{width}" height="{height}" loading="eager"></div>'
            f"<figcaption>{caption}</figcaption></figure>")


def _new_figure(width: float = 9.0, height: float = 3.8):
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height))
    return fig, fig.subplots()


def _check_units(units: str) -> None:
    if units not in ("km", "mi"):
        raise ParameterError(f"units must be 'km' or 'mi', got {units!r}")


def _habit_flags() -> dict[str, str]:
    """The habit flag columns of :mod:`runload.habits` and their checklist names."""
    try:
        from .habits.rules import HABIT_NAMES
    except ImportError:
        return {}
    return dict(HABIT_NAMES)


def _flag_columns(weekly: pd.DataFrame) -> list[str]:
    """The mileage (load) flag columns; the habit flags go to the prevention checklist."""
    habits = _habit_flags()
    return [c for c in weekly.columns if c.startswith("flag_") and c not in habits]


def _has_habits(weekly: pd.DataFrame) -> bool:
    return any(c in weekly.columns for c in _habit_flags())


def _flag_name(column: str) -> str:
    return FLAG_NAMES.get(column, column.removeprefix("flag_").replace("_", " "))


def _evidence_labels() -> dict[str, str]:
    """The library's evidence label of each flag, keyed by flag column."""
    labels: dict[str, str] = {}
    for module in ("runload.flags", "runload.load", "runload.habits"):
        try:
            found = getattr(__import__(module, fromlist=["EVIDENCE"]), "EVIDENCE", None)
        except ImportError:
            continue
        for key, value in dict(found or {}).items():
            column = key if str(key).startswith("flag_") else f"flag_{key}"
            labels.setdefault(column, str(value))
    return labels


def _keyword_defaults(func, skip: Iterable[str] = ()) -> dict[str, Any]:
    """The keyword-only options of ``func`` with their defaults, minus ``skip``."""
    skip = set(skip)
    return {
        name: p.default
        for name, p in inspect.signature(func).parameters.items()
        if p.kind is inspect.Parameter.KEYWORD_ONLY and p.default is not inspect.Parameter.empty
        and name not in skip
    }


def _weekly_defaults() -> dict[str, Any]:
    """Keyword defaults of :func:`runload.load.weekly_load` (empty when not importable)."""
    try:
        from .load import weekly_load
    except ImportError:
        return {}
    return _keyword_defaults(weekly_load)


#: Options of :func:`runload.read_activities` that do not change the tables (how to
#: report problems, progress, speed, caching): left out of the Parameters section.
_READ_NOT_RESULTS = ("athlete", "errors", "progress", "workers", "cache", "cache_dir", "engine",
                     "client")

#: Methods of the association table -> the ``methods=`` name of ``runload.associate``.
_METHOD_OPTION = {"lagged_risk_ratio": "lagged", "case_crossover": "case_crossover",
                  "conditional_logit": "case_crossover", "dose_response": "dose_response",
                  "lagged_correlation": "correlation"}


def _recorded(frame: pd.DataFrame | None) -> dict[str, Any]:
    """The options a table carries in ``attrs["parameters"]`` (empty when none)."""
    if frame is None:
        return {}
    return dict(getattr(frame, "attrs", {}).get("parameters") or {})


def _read_options(activities: pd.DataFrame | None, weekly: pd.DataFrame) -> dict[str, Any]:
    """The options of :func:`runload.read_activities` that change the results.

    Every keyword of its signature except :data:`_READ_NOT_RESULTS`, at its default
    unless the activities table recorded the value used (``attrs["parameters"]``;
    ``attrs["tz"]`` for the time zone, else the zone ``weekly_load`` used).
    """
    from .io import read_activities

    options = _keyword_defaults(read_activities, skip=_READ_NOT_RESULTS)
    options.update({k: v for k, v in _recorded(activities).items() if k in options})
    attrs = getattr(activities, "attrs", {}) if activities is not None else {}
    if attrs.get("tz") is not None:
        options["tz"] = attrs["tz"]
    elif _parameters(weekly).get("tz") is not None:
        options["tz"] = _parameters(weekly)["tz"]
    return options


def _pain_options(episodes: pd.DataFrame | None) -> dict[str, Any]:
    """The options of :func:`runload.read_pain_log` that shape the episodes."""
    if episodes is None:
        return {}
    from .pain import read_pain_log

    options = _keyword_defaults(read_pain_log, skip=("athlete", "today", "encoding", "date_format"))
    options.update({k: v for k, v in _recorded(episodes).items() if k in options})
    return options


def _association_options(associations: pd.DataFrame | None) -> dict[str, Any]:
    """The options of :func:`runload.stats.associate` behind an association table.

    Every keyword of its signature: the values the table recorded in
    ``attrs["parameters"]``, else what the table itself shows (its lags, methods and
    exposures), else the defaults.
    """
    if associations is None:
        return {}
    from .stats import DEFAULT_INCREMENTS, associate

    options = _keyword_defaults(associate)
    recorded = _recorded(associations)
    if len(associations):
        lags = sorted(int(v) for v in pd.unique(associations["lag_weeks"].dropna()))
        options["lag_weeks"] = lags[0] if len(lags) == 1 else lags
        seen = set(associations["method"].dropna())
        options["methods"] = tuple(dict.fromkeys(
            _METHOD_OPTION[m] for m in _METHOD_OPTION if m in seen))
        plain = associations[associations["method"] != "dose_response"]
        options["exposures"] = list(pd.unique(plain["exposure"].dropna().astype(str)))
    if options.get("increments") is None:
        options["increments"] = dict(DEFAULT_INCREMENTS)
    options.update({k: v for k, v in recorded.items() if k in options})
    return options


def _parameters(weekly: pd.DataFrame) -> dict[str, Any]:
    params = dict(_weekly_defaults())
    params.update(dict(weekly.attrs.get("parameters") or {}))
    return params


def _episodes_of(episodes: pd.DataFrame | None, athlete: str | None, n_athletes: int):
    if episodes is None or len(episodes) == 0:
        return episodes.iloc[0:0] if episodes is not None else None
    if athlete is None or "athlete" not in episodes.columns:
        return episodes
    mine = episodes["athlete"].astype("string") == athlete
    unnamed = episodes["athlete"].isna() if n_athletes == 1 else False
    return episodes[(mine.fillna(False)) | unnamed]


def _any_flag(weekly: pd.DataFrame) -> pd.Series:
    flags = _flag_columns(weekly)
    if not flags:
        return pd.Series(False, index=weekly.index)
    return weekly[flags].fillna(False).astype(bool).any(axis=1)


# --------------------------------------------------------------------------- summaries


def summarize(weekly: pd.DataFrame, episodes: pd.DataFrame | None = None) -> dict[str, Any]:
    """The numbers of the report's summary line.

    Parameters
    ----------
    weekly : DataFrame
        Weekly table (``runload.columns.WEEKLY``), one athlete or several.
    episodes : DataFrame, optional
        Back-pain episodes; ``None`` when no pain log was given.

    Returns
    -------
    dict
        ``weeks`` (rows: athlete-weeks when there are several athletes),
        ``athletes``, ``calendar_weeks`` (distinct weeks the data span),
        ``weeks_flagged``, ``flag_counts`` (flag column -> weeks),
        ``last_week`` (Timestamp), ``first_week``, ``weeks_since_recovery`` (int or None:
        weeks from the last recovery week to the last week of the data),
        ``episodes`` (int or None), ``distance_m`` (total), ``runs``.
    """
    flags = _flag_columns(weekly)
    week_start = pd.to_datetime(weekly["week_start"]) if len(weekly) else pd.Series(dtype="M8[ns]")
    last = week_start.max() if len(weekly) else None
    since = None
    if len(weekly) and "recovery_week" in weekly.columns:
        rec = week_start[weekly["recovery_week"].fillna(False).astype(bool)]
        if len(rec):
            since = int((last - rec.max()).days // 7)
    any_flag = _any_flag(weekly)
    athletes = int(weekly["athlete"].nunique()) if "athlete" in weekly.columns else 1
    return {
        "weeks": int(len(weekly)),
        "athletes": max(athletes, 1) if len(weekly) else athletes,
        "calendar_weeks": int(week_start.nunique()) if len(weekly) else 0,
        "weeks_flagged": int(any_flag.sum()),
        "flag_counts": {c: int(weekly[c].fillna(False).astype(bool).sum()) for c in flags},
        "first_week": week_start.min() if len(weekly) else None,
        "last_week": last,
        "weeks_since_recovery": since,
        "episodes": None if episodes is None else int(len(episodes)),
        "distance_m": float(weekly["distance_m"].sum()) if len(weekly) else 0.0,
        "runs": int(weekly["runs"].sum()) if "runs" in weekly.columns and len(weekly) else 0,
    }


def headline(summary: Mapping[str, Any]) -> str:
    """The summary in one line: "12 weeks flagged, last recovery week 6 weeks ago, ..."."""
    several = summary.get("athletes", 1) > 1
    parts = [_plural(summary["weeks_flagged"], "athlete-week" if several else "week") + " flagged"]
    since = summary["weeks_since_recovery"]
    last = "the latest recovery week of any athlete" if several else "last recovery week"
    if since is None:
        parts.append("no recovery week in the data")
    elif since == 0:
        parts.append(f"{last} is the latest week")
    else:
        parts.append(f"{last} {_plural(since, 'week')} ago")
    if summary["episodes"] is None:
        parts.append("no pain log given")
    else:
        parts.append(_plural(summary["episodes"], "pain episode"))
    return ", ".join(parts)


def _rule_text(column: str, row: Mapping[str, Any], params: Mapping[str, Any], units: str) -> str:
    """The rule a flagged week broke, in words, with this week's numbers."""
    if column == "flag_ramp":
        limit = params.get("max_increase", 0.10)
        return (f"up {_pct(row.get('change_pct'))} on the reference week "
                f"({_dist(row.get('distance_m'), units)} vs {_dist(row.get('reference_m'), units)} "
                f"{units}); the rule allows +{limit:.0%}")
    if column == "flag_missing_recovery":
        return (f"{row.get('build_streak', _MISSING)} build weeks in a row without a recovery week "
                f"(allowed: {params.get('max_build_weeks', 4)}; a recovery week is "
                f"≥{params.get('recovery_drop', 0.20):.0%} lower)")
    if column == "flag_session_spike":
        spike = params.get("spike", 0.10)
        return (f"a run {_pct(row.get('max_spike_pct'))} longer than the longest run of the 30 days "
                f"before (threshold +{spike:.0%}); longest run "
                f"{_dist(row.get('longest_run_m'), units)} {units}")
    if column == "flag_acwr":
        ratio = row.get("acwr_rolling")
        return (f"acute:chronic workload ratio {_num(ratio, '{:.2f}')} above "
                f"{params.get('acwr_threshold', 1.5)}")
    return _e(WEEKLY.get(column, ("", column.removeprefix("flag_").replace("_", " ")))[1])


def flagged_weeks(weekly: pd.DataFrame, *, units: str = "km") -> pd.DataFrame:
    """One row per flagged week and flag: the rule broken, in words, and its evidence.

    Parameters
    ----------
    weekly : DataFrame
        Weekly table with flag columns.
    units : {'km', 'mi'}
        Units of the distances in the text.

    Returns
    -------
    DataFrame
        Columns ``athlete``, ``week_start``, ``distance_m``, ``flag``, ``rule``,
        ``evidence``, sorted by athlete and week.
    """
    _check_units(units)
    params = _parameters(weekly)
    evidence = _evidence_labels()
    records = []
    for column in _flag_columns(weekly):
        hit = weekly[weekly[column].fillna(False).astype(bool)]
        for row in hit.to_dict("records"):
            records.append({
                "athlete": row.get("athlete"),
                "week_start": row.get("week_start"),
                "distance_m": row.get("distance_m"),
                "flag": column,
                "rule": _rule_text(column, row, params, units),
                "evidence": evidence.get(column, pd.NA),
            })
    out = pd.DataFrame.from_records(
        records, columns=["athlete", "week_start", "distance_m", "flag", "rule", "evidence"])
    order = {c: i for i, c in enumerate(_flag_columns(weekly))}
    out = out.assign(_o=out["flag"].map(order)).sort_values(
        ["athlete", "week_start", "_o"], kind="stable")
    return out.drop(columns="_o").reset_index(drop=True)


# --------------------------------------------------------------------------- charts


def _weekly_chart(weekly: pd.DataFrame, episodes: pd.DataFrame | None, units: str,
                  *, who: str = "") -> str:
    from .plot.weekly import plot_weekly

    fig, ax = _new_figure()
    plot_weekly(weekly, units=units, ax=ax)
    n_bands = _pain_bands(ax, weekly, episodes)
    alt = (f"Bar chart of weekly running distance in {units}{who}, "
           f"{_plural(len(weekly), 'week')} from {_date(weekly['week_start'].min())} to "
           f"{_date(weekly['week_start'].max())}; flagged weeks are marked")
    caption = f"Weekly running distance ({units}) with the load flags"
    if n_bands:
        alt += f", {_plural(n_bands, 'back-pain episode')} shaded"
        caption += ("; red bands marked “pain” are back-pain episodes (onset to end), "
                    "green bands are recovery weeks")
    if "complete" in weekly.columns and not weekly["complete"].fillna(True).astype(bool).all():
        caption += (". " + PARTIAL_WEEK_TEXT)
    return _figure(fig, alt, caption + ".", wide=True)


#: What a hatched bar means (docs/load_rules.md, "Complete weeks").
PARTIAL_WEEK_TEXT = (
    "Hatched bars are partial weeks, shown but judged by no rule (no flag, no recovery week): "
    "the first week of the data, always, even when it starts on a Monday, because the "
    "training before it is unknown; and a week that ends after the end of the data (the day "
    "of the last recorded activity, or as_of), still in progress. A hatched bar is not "
    "missing data")


def _pain_bands(ax, weekly: pd.DataFrame, episodes: pd.DataFrame | None) -> int:
    """Shade each back-pain episode on a weekly chart; returns how many were drawn.

    The bands are red and labelled "pain" at their top (the chart's own legend, below
    the axes, is left as it is).
    """
    if episodes is None or len(episodes) == 0 or len(weekly) == 0:
        return 0
    first = pd.to_datetime(weekly["week_start"]).min()
    last = pd.to_datetime(weekly["week_start"]).max() + pd.Timedelta(days=7)
    onset = pd.to_datetime(episodes["onset"])
    end = pd.to_datetime(episodes["end"]) if "end" in episodes.columns else onset
    end = end.fillna(last) + pd.Timedelta(days=1)
    shown = (end >= first) & (onset <= last)
    for start, stop in zip(onset[shown], end[shown], strict=True):
        left, right = max(start, first), min(stop, last)
        ax.axvspan(left, right, color="#d62728", alpha=0.22, lw=0, zorder=0)
        ax.annotate("pain", xy=(left, 0.985), xycoords=("data", "axes fraction"),
                    rotation=90, va="top", ha="right", fontsize=7, color="#a01c1c")
    return int(shown.sum())


def _plot_function(*names: str):
    """The first of ``runload.plot.pain``'s functions ``names`` that exists, else None.

    The forest and pain-timeline charts are optional extras of the report (their data
    are in the tables next to them), so a missing plotting function leaves the chart
    out instead of failing the whole report.
    """
    try:
        from .plot import pain
    except ImportError:
        return None
    for name in names:
        func = getattr(pain, name, None)
        if callable(func):
            return func
    return None


#: The methods whose rows the forest plot draws, one row each whatever the estimate
#: (as :func:`runload.plot.pain.forest`); lagged correlations are not ratios.
_RATIO_METHODS = ("lagged_risk_ratio", "case_crossover", "conditional_logit", "dose_response")


def _forest_chart(associations: pd.DataFrame) -> str | None:
    """The forest plot of every ratio row, or None when there is none (or no plot).

    The figure's height and the count in its description follow the rows the plot
    draws: every ratio row, including estimates of 0 or infinity and rows that could
    not be estimated.
    """
    plot = _plot_function("plot_forest", "forest")
    n_rows = int(associations["method"].isin(_RATIO_METHODS).sum())
    if plot is None or n_rows == 0:
        return None
    fig, ax = _new_figure(9.0, max(2.6, 0.34 * n_rows + 1.6))
    _call_flexibly(plot, associations=associations, ax=ax)
    return _figure(
        fig,
        f"Forest plot of {_plural(n_rows, 'association estimate')} with 95% confidence "
        "intervals",
        "Ratios with their confidence intervals on a log scale; 1 means no association; "
        "grey rows have too few onsets to say much. An estimate of 0 is an arrow from the "
        "left edge to its upper limit, an infinite one runs to the right edge, and a row "
        "that could not be estimated is labelled so.",
    )


def _timeline_chart(weekly: pd.DataFrame, episodes: pd.DataFrame, units: str) -> str:
    plot = _plot_function("plot_pain_timeline", "mileage_with_pain")
    if plot is None or episodes is None or len(episodes) == 0 or len(weekly) == 0:
        return ""
    parts = []
    athletes = [str(a) for a in pd.unique(weekly["athlete"].dropna())]
    for athlete in athletes:
        mine = _episodes_of(episodes, athlete, len(athletes))
        if mine is None or len(mine) == 0:
            continue
        fig, ax = _new_figure(9.0, 3.4)
        _call_flexibly(plot, weekly=weekly, episodes=mine, units=units, athlete=athlete, ax=ax)
        parts.append(_figure(
            fig, f"Weekly distance and {_plural(len(mine), 'back-pain episode')} of {athlete}",
            "Back-pain episodes (bands, onset to end) and their worst pain (line, right axis, "
            "0-10) over weekly distance."))
    return "".join(parts)


def _call_flexibly(func, **available: Any):
    """Call a plotting function with the arguments its signature asks for."""
    params = inspect.signature(func).parameters
    positional = [p for p in params.values()
                  if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    args, kwargs = [], {}
    for p in positional:
        if p.name in available:
            args.append(available[p.name])
        elif p.default is p.empty:
            raise ParameterError(f"{func.__name__} needs {p.name!r}")
    for name, p in params.items():
        if p.kind is p.KEYWORD_ONLY and name in available:
            kwargs[name] = available[name]
    return func(*args, **kwargs)


# --------------------------------------------------------------------------- sections


def _problem_counts(problems: pd.DataFrame, inventory: Mapping[str, int] | None
                    ) -> tuple[int, int, int]:
    """Files with problems, of them not read at all and read in part.

    From the inventory (``problem_files``: nothing kept; ``salvaged_files``: an
    activity file with problem rows, see ``docs/inputs.md``) when it has them, else
    from the problems table (a file is read in part when one of its rows is salvaged).
    """
    if inventory and "problem_files" in inventory and "salvaged_files" in inventory:
        bad, part = int(inventory["problem_files"]), int(inventory["salvaged_files"])
        return bad + part, bad, part
    if problems is None or len(problems) == 0:
        return 0, 0, 0
    salvaged = problems.assign(_s=problems["salvaged"].eq(True) if "salvaged" in problems
                               else False).groupby("source")["_s"].any()
    part = int(salvaged.sum())
    return len(salvaged), len(salvaged) - part, part


def _problem_words(problems: pd.DataFrame, inventory: Mapping[str, int] | None) -> tuple[str, str]:
    """("2", "files with problems (1 not read, 1 read in part)") for a summary card."""
    total, bad, part = _problem_counts(problems, inventory)
    label = ("file" if total == 1 else "files") + " with problems"
    if total:
        label += f" ({bad} not read, {part} read in part)"
    return f"{total:,}", label


def _summary_section(weekly: pd.DataFrame, episodes: pd.DataFrame | None, units: str,
                     problems: pd.DataFrame, inventory: Mapping[str, int] | None = None) -> str:
    s = summarize(weekly, episodes)
    several = s["athletes"] > 1
    total = f"{float(to_display(s['distance_m'], units)):,.0f} {units}"
    if several:
        distance = (f"by {s['athletes']} athletes over {_plural(s['calendar_weeks'], 'week')} "
                    f"({_plural(s['weeks'], 'athlete-week')})")
        since_label = "since the latest recovery week of any athlete"
    else:
        distance = f"run in {_plural(s['weeks'], 'week')}"
        since_label = "since the last recovery week"
    since = s["weeks_since_recovery"]
    cards = [
        (total, distance),
        (f"{s['runs']:,}", "run" if s["runs"] == 1 else "runs"),
        (str(s["weeks_flagged"]),
         ("athlete-week" if several else "week") + ("" if s["weeks_flagged"] == 1 else "s")
         + " flagged"),
        (_MISSING if since is None else str(since),
         ("week" if since == 1 else "weeks") + " " + since_label),
        (_MISSING if s["episodes"] is None else str(s["episodes"]),
         "back-pain episode" if s["episodes"] == 1 else "back-pain episodes"),
        _problem_words(problems, inventory),
    ]
    card_html = "".join(
        f'<div class="card"><span class="value">{_e(v)}</span>'
        f'<span class="label">{_e(label)}</span></div>' for v, label in cards)
    per_flag = ", ".join(
        f"{_e(_flag_name(c))}: {_plural(n, 'athlete-week' if several else 'week')}"
        for c, n in s["flag_counts"].items())
    span = (f"From the week of {_date(s['first_week'])} to the week of {_date(s['last_week'])}"
            if s["weeks"] else "No weeks of data")
    return (
        '<section id="summary"><h2>Summary</h2>'
        f'<p class="headline">{_e(headline(s))}</p>'
        f'<div class="cards">{card_html}</div>'
        f"<p>{span}. Flags by rule: {per_flag or 'none computed'}. "
        "“Weeks ago” counts back from the last week of the data. A flag marks a load pattern "
        "that training advice warns about; it is not a diagnosis.</p></section>"
    )


def _chart_section(weekly: pd.DataFrame, episodes: pd.DataFrame | None, units: str) -> str:
    athletes = list(pd.unique(weekly["athlete"].astype("string").fillna("runner")))
    parts = ['<section id="chart"><h2>Weekly mileage</h2>']
    for athlete in athletes:
        mine = weekly[weekly["athlete"].astype("string").fillna("runner") == athlete]
        who = f" for {athlete}" if len(athletes) > 1 else ""
        if len(athletes) > 1:
            parts.append(f"<h3>{_e(athlete)}</h3>")
        parts.append(_weekly_chart(mine, _episodes_of(episodes, athlete, len(athletes)), units,
                                   who=who))
    parts.append("</section>")
    return "".join(parts)


def _flagged_section(weekly: pd.DataFrame, units: str) -> str:
    table = flagged_weeks(weekly, units=units)
    several = weekly["athlete"].nunique() > 1
    table = table.sort_values(["athlete", "week_start"], ascending=[True, False], kind="stable")
    intro = ("<p>Each row is one rule a week broke, latest week first. The evidence label says how well research "
             "supports the rule as an injury warning; the 10% rule in particular is a heuristic "
             f"{_ref('buist2008')}.</p>")
    if table.empty:
        return (f'<section id="flagged"><h2>Flagged weeks</h2>{intro}'
                "<p>No week was flagged.</p></section>")
    headers = (["athlete"] if several else []) + [
        "week", f"distance ({units})", "rule", "what happened", "evidence"]
    rows = [
        ([_e(r["athlete"])] if several else []) + [
            _dcell(r["week_start"]),
            _dist(r["distance_m"], units),
            _e(_flag_name(r["flag"])),
            _e(r["rule"]),
            _e(r["evidence"]),
        ]
        for r in table.to_dict("records")
    ]
    shown = _table(headers, rows[:_FLAGGED_SHOWN], numeric=[1 + several], stack=True)
    if len(rows) > _FLAGGED_SHOWN:
        shown += (f"<details><summary>Show the {len(rows) - _FLAGGED_SHOWN} earlier "
                  "flags</summary>"
                  + _table(headers, rows[_FLAGGED_SHOWN:], numeric=[1 + several], stack=True)
                  + "</details>")
    return f'<section id="flagged"><h2>Flagged weeks</h2>{intro}{shown}</section>'


#: Weeks of the prevention checklist shown (table and chart), latest first.
CHECKLIST_WEEKS = 16

_SYMBOL_CLASS = {"✓": "kept", "✗": "missed", "–": "unjudged"}
_SYMBOL_WORD = {"✓": "kept", "✗": "missed", "–": "not judged"}


def _checklist_cell(symbol: Any, habit: str) -> str:
    text = _MISSING if symbol is None or pd.isna(symbol) else str(symbol)
    word = _SYMBOL_WORD.get(text, "not judged")
    return (f'<span class="check {_SYMBOL_CLASS.get(text, "unjudged")}" '
            f'title="{_e(habit)}: {word}">{_e(text)}</span>')


def _checklist_chart(weekly: pd.DataFrame, athlete: str | None, n_rows: int, weeks: int) -> str:
    from .plot.habits import checklist_figsize, plot_checklist

    fig, ax = _new_figure(*checklist_figsize(weeks, n_rows))
    plot_checklist(weekly, athlete=athlete, last_weeks=weeks, load_flags=True, ax=ax)
    who = f" of {athlete}" if athlete else ""
    return _figure(
        fig, f"Prevention checklist{who}: {n_rows} habits and mileage rules over the last "
             f"{_plural(weeks, 'week')}",
        "Green ✓ kept, red ✗ missed, grey – not judged (partial week, rule not applicable, "
        "or nothing recorded). Each row label names the kind of its evidence; the full "
        "evidence labels are listed below.", wide=True)


def _checklist_section(weekly: pd.DataFrame, *, last_weeks: int = CHECKLIST_WEEKS) -> str:
    """The prevention checklist: ✓ / ✗ / – per week and habit, with evidence labels."""
    from .habits import prevention_checklist

    table = prevention_checklist(weekly, load_flags=True)
    evidence: dict[str, str] = dict(table.attrs.get("evidence") or {})
    flags: dict[str, str] = dict(table.attrs.get("flags") or {})
    habits = _habit_flags()
    names = list(flags)
    athletes = [str(a) for a in pd.unique(table["athlete"].dropna())]
    several = len(athletes) > 1
    shown_weeks = min(last_weeks, int(table.groupby("athlete", dropna=False).size().max()))
    head = ('<section id="checklist"><h2>Prevention checklist</h2>'
            "<p>Each week's prevention habits (cross-training, strength, core work and full "
            "rehab after back pain, strides, shoe rotation, sleep, uneven surfaces) next to the "
            "mileage rules, for the last "
            f"{_plural(shown_weeks, 'week')} (latest first): ✓ kept, ✗ missed, – not judged "
            "(a partial week, a rule that does not apply yet, or nothing recorded: missing "
            "data never counts as kept). For the mileage rules ✓ means the flag was not "
            "raised.</p><p><b>Evidence.</b> The habits are expert, physiotherapist or coaching "
            "advice, not trial results: none of their thresholds was tested for preventing "
            "running injuries or back pain. Hover a column header, or read the legend below, "
            "for each rule's evidence label.</p>")
    headers = (["athlete"] if several else []) + ["week"] + [
        f'<span title="{_e(evidence.get(n, ""))}">{_e(n)}</span>' for n in names]
    parts = [head]
    for athlete in athletes or [None]:
        mine = table if athlete is None else table[table["athlete"].astype("string") == athlete]
        shown = mine.sort_values("week_start", ascending=False, kind="stable").head(last_weeks)
        if several:
            parts.append(f"<h3>{_e(athlete)}</h3>")
        parts.append(_checklist_chart(weekly, athlete, len(names),
                                      min(last_weeks, len(mine))))
        rows = [
            ([_e(r["athlete"])] if several else [])
            + [_dcell(r["week_start"]) + ("" if r.get("complete", True)
                                          else " <span class=muted>(partial)</span>")]
            + [_checklist_cell(r[n], n) for n in names]
            for r in shown.to_dict("records")
        ]
        parts.append(_table(headers, rows, table_id="checklist-table" if not several else None))
    legend = "".join(
        f"<dt>{_e(n)}</dt><dd>{'habit' if flags[n] in habits else 'mileage rule'}; "
        f"{_e(evidence.get(n))}</dd>" for n in names)
    parts.append('<h3>Evidence labels</h3><dl class="params evidence">' + legend + "</dl>")
    parts.append("<p class=note>The associations below treat each habit flag (a missed habit) "
                 "as an exposure like the mileage flags. Habit rules and thresholds: "
                 "docs/habits.md.</p></section>")
    return "".join(parts)


#: Flag rows shown before "show the earlier flags".
_FLAGGED_SHOWN = 20


def _weeks_section(weekly: pd.DataFrame, episodes: pd.DataFrame | None, units: str) -> str:
    flags = _flag_columns(weekly)
    several = weekly["athlete"].nunique() > 1
    onsets = pd.Series(dtype="int64")
    if episodes is not None and len(episodes):
        onset = pd.to_datetime(episodes["onset"])
        onsets = onset.dt.to_period("D").dt.start_time.value_counts()
    headers = (["athlete"] if several else []) + [
        "week", f"distance ({units})", "runs", f"longest ({units})", "change", "recovery",
        "streak", "flags"] + (["pain onsets"] if episodes is not None else [])
    rows = []
    for r in weekly.sort_values(["athlete", "week_start"]).to_dict("records"):
        week = pd.Timestamp(r["week_start"])
        raised = [_flag_name(c) for c in flags if bool(r.get(c)) and not pd.isna(r.get(c))]
        cells = ([_e(r["athlete"])] if several else []) + [
            _dcell(week) + ("" if r.get("complete", True) else " <span class=muted>(partial)</span>"),
            _dist(r["distance_m"], units),
            _e(r.get("runs")),
            _dist(r.get("longest_run_m"), units),
            _pct(r.get("change_pct")),
            "yes" if r.get("recovery_week") is True else "",
            _e(r.get("build_streak")),
            _e(", ".join(raised)),
        ]
        if episodes is not None:
            n = int(onsets[(onsets.index >= week) & (onsets.index < week + pd.Timedelta(days=7))]
                    .sum())
            cells.append(str(n) if n else "")
        rows.append(cells)
    first_num = 1 + several
    return ('<section id="weeks"><h2>All weeks</h2><details><summary>Show the weekly table '
            f"({_plural(len(weekly), 'week')})</summary>"
            "<p class=note>(partial): the first week of the data or a week not over at its "
            "end, shown but judged by no rule (see Methods).</p>"
            + _table(headers, rows, numeric=[first_num, first_num + 1, first_num + 2,
                                             first_num + 3, first_num + 5])
            + "</details></section>")


#: The p-value columns of the association tables, with their names in the report.
P_LABELS = {
    "p_permutation": "p (permutation)",
    "p_exact": "p (Fisher exact)",
    "p_midp": "p (mid-p)",
    "p_wald": "p (Wald)",
}

#: How each method's rows are shown: title, what its counts are, its estimate and its
#: p-values, headline first (the order of ``p_value`` in ``runload.associate``; see
#: ``docs/pain_analysis.md``, "Which p-value"). ``p_wald`` is the conditional logit's
#: ``p_value`` (the table has no column of its own for it).
_METHOD_VIEWS: dict[str, dict[str, Any]] = {
    "lagged_risk_ratio": {
        "title": "Lagged risk ratio: onsets after flagged weeks and after other weeks",
        "estimate": "risk ratio",
        "ci": "ratio",
        "p": ("p_permutation", "p_midp", "p_exact"),
        "counts": ("exposed weeks: followed by an onset / at risk",
                   "unexposed weeks: followed by an onset / at risk"),
        "about": "Weeks at risk (pain free and clear of any episode and its washout), split by "
                 "the exposure, and how many were followed by a new pain onset at the lag.",
        "why": "with a runner's few onsets Fisher's exact test and its mid-p are valid but "
               "raise far fewer than 5% false alarms, while the permutation p (circular shift "
               "of the episode pattern) holds the 5% level; when no permutations were run the "
               "mid-p is the headline",
    },
    "case_crossover": {
        "title": "Case-crossover: the week before each onset against comparison weeks",
        "estimate": "odds ratio (Mantel–Haenszel)",
        "ci": "ratio",
        "p": ("p_midp", "p_exact"),
        "counts": ("onsets: hazard week exposed / all onsets",
                   "comparison weeks: exposed / all"),
        "about": "Each pain onset is compared with itself: its hazard week (the week at the lag "
                 "before the onset) against the other weeks at risk of the same calendar block "
                 "(its comparison weeks). Onsets without a comparison week are left out.",
        "why": "the mid-p of the exact conditional test (no permutation p is computed for "
               "this design); Fisher's exact p is the same test without the mid-p correction",
    },
    "conditional_logit": {
        "title": "Case-crossover, continuous exposures: conditional logistic regression",
        "estimate": "odds ratio",
        "ci": "wald",
        "p": ("p_wald",),
        "counts": ("onsets (matched sets)", "weeks compared (hazard and comparison weeks)"),
        "about": "The same matched sets as the case-crossover, with the exposure as a number: "
                 "the odds ratio is per increment of the exposure.",
        "why": "the Wald p of the regression is the only p-value",
    },
    "dose_response": {
        "title": "Dose-response: each category against the lowest",
        "estimate": "risk ratio",
        "ci": "ratio",
        "p": ("p_permutation", "p_midp", "p_exact"),
        "counts": ("category weeks: followed by an onset / at risk",
                   "reference weeks: followed by an onset / at risk"),
        "about": "Lagged risk ratios of weeks in a category of weekly progression or session "
                 "spike against weeks of the lowest category.",
        "why": "as for the lagged risk ratio, the permutation p (the mid-p when no "
               "permutations were run)",
    },
    "lagged_correlation": {
        "title": "Lagged correlation with pain severity (a description, not a test of cause)",
        "estimate": "Spearman ρ",
        "ci": None,
        "p": ("p_permutation",),
        "counts": ("week pairs", "pairs with pain in the later week"),
        "about": "Spearman's correlation between a week's exposure and the pain severity at "
                 "the lag.",
        "why": "the permutation p is the only p-value (the textbook p of a correlation of "
               "autocorrelated weeks is far too small)",
    },
}


def _ratio_num(value: Any) -> str:
    """An estimate or a limit: two decimals, ∞ for an unbounded one."""
    if value is not None and not pd.isna(value) and np.isinf(value):
        return "∞" if value > 0 else "−∞"
    return _num(value, "{:.2f}")


def _interval(row: Mapping[str, Any]) -> str:
    low, high = row.get("ci_low"), row.get("ci_high")
    if (low is None or pd.isna(low)) and (high is None or pd.isna(high)):
        return _MISSING
    return f'<span class="nowrap">{_ratio_num(low)} – {_ratio_num(high)}</span>'


def _p_of(row: Mapping[str, Any], column: str) -> Any:
    return row.get("p_value") if column == "p_wald" else row.get(column)


def _headline_p(row: Mapping[str, Any], columns: Sequence[str]) -> str | None:
    """Which of ``columns`` the row's headline ``p_value`` is (the first that equals it)."""
    value = row.get("p_value")
    if value is None or pd.isna(value):
        return None
    for column in columns:
        p = _p_of(row, column)
        if p is not None and not pd.isna(p) and float(p) == float(value):
            return column
    return None


def _p_cell(row: Mapping[str, Any], column: str, headline: str | None) -> str:
    text = _num(_p_of(row, column), "{:.3f}")
    if column == headline:
        return f'<strong title="the headline p-value of this row">{text}</strong>'
    return text


def _ratio(events: Any, n: Any) -> str:
    return f"{_e(events)} / {_e(n)}"


def _counts(row: Mapping[str, Any], method: str) -> list[str]:
    """The two count cells of a row, as the method's headers describe them."""
    if method == "case_crossover":
        a, c = int(row["exposed_events"]), int(row["unexposed_events"])
        onsets = a + c
        refs = int(row["exposed_n"]) + int(row["unexposed_n"]) - onsets
        return [_ratio(a, onsets), _ratio(int(row["exposed_n"]) - a, refs)]
    if method == "conditional_logit":
        return [_e(row.get("exposed_events")), _e(row.get("exposed_n"))]
    if method == "lagged_correlation":
        return [_e(row.get("exposed_n")), _e(row.get("exposed_events"))]
    return [_ratio(row.get("exposed_events"), row.get("exposed_n")),
            _ratio(row.get("unexposed_events"), row.get("unexposed_n"))]


def _increment(row: Mapping[str, Any], units: str) -> str:
    step = row.get("increment")
    if step is None or pd.isna(step):
        return _MISSING
    if row.get("exposure") == "distance_m":
        return f"per {_dist(step, units, 0)} {units} more weekly distance"
    if row.get("exposure") == "change_pct":
        return f"per {step:g} percentage points more weekly change"
    return f"per {step:g} more {_e(row.get('exposure'))}"


def _exposure_cell(row: Mapping[str, Any]) -> str:
    name = str(row.get("exposure"))
    return _e(_flag_name(name) if name.startswith("flag_") else name)


def _method_table(rows: list[dict], method: str, *, several: bool, level: str,
                  ci_method: str, units: str) -> str:
    view = _METHOD_VIEWS[method]
    p_columns = list(view["p"])
    ci = {"ratio": f"{level} CI ({ci_method})", "wald": f"{level} CI (Wald)", None: None}[view["ci"]]
    headers = (["athlete"] if several else []) + ["exposure", "lag (weeks)", view["estimate"]]
    if method == "conditional_logit":
        headers.append("odds ratio refers to")
    if ci:
        headers.append(ci)
    headers += [P_LABELS[c] for c in p_columns] + list(view["counts"])
    body = []
    for r in rows:
        headline = _headline_p(r, p_columns)
        cells = ([_e(r.get("athlete"))] if several else []) + [
            _exposure_cell(r), _e(r.get("lag_weeks")), _ratio_num(r.get("estimate"))]
        if method == "conditional_logit":
            cells.append(_increment(r, units))
        if ci:
            cells.append(_interval(r))
        cells += [_p_cell(r, c, headline) for c in p_columns] + _counts(r, method)
        body.append(cells)
    first = 2 + several  # the lag
    numeric = [i for i, h in enumerate(headers) if i >= first and h != "odds ratio refers to"
               and not (ci and h == ci)]
    lines = "".join(
        f"<li>{_e(r.get('summary'))}"
        + ("" if r.get("warning") is None or pd.isna(r.get("warning")) else
           f' <span class="warn">({_e(r.get("warning"))})</span>') + "</li>"
        for r in rows)
    headline_name = P_LABELS[p_columns[0]]
    return (f'<h3 id="assoc-{method.replace("_", "-")}">{_e(view["title"])}</h3>'
            f"<p>{_e(view['about'])} Headline p: <b>{_e(headline_name)}</b>: {_e(view['why'])}."
            "</p>"
            + _table(headers, body, numeric=numeric, stack=True)
            + f'<ul class="lines">{lines}</ul>')


def _associations_section(associations: pd.DataFrame | None,
                          episodes: pd.DataFrame | None, units: str = "km") -> str:
    head = '<section id="associations"><h2>Did back pain follow the flagged weeks?</h2>'
    if episodes is None:
        return head + ("<p>No pain log was given. Add one (<code>--pain pain.csv</code>) to see "
                       "whether back-pain episodes followed flagged weeks.</p></section>")
    if associations is None or len(associations) == 0:
        return head + ("<p>No association could be estimated: there are too few episodes or "
                       "flagged weeks.</p></section>")
    options = _association_options(associations)
    alpha = float(options.get("alpha", 0.05))
    level = f"{100 * (1 - alpha):g}%"
    ci_method = str(options.get("ci_method", "mid-p"))
    several = associations["athlete"].nunique() > 1 if "athlete" in associations else False
    records = associations.to_dict("records")
    methods = [m for m in _METHOD_VIEWS if any(r.get("method") == m for r in records)]
    others = [r for r in records if r.get("method") not in _METHOD_VIEWS]
    intro = (
        "<p>One table per method, because each method counts something different; the "
        "sentence under each table says each row in words. <b>Which p to read:</b> every "
        "p-value column is named for its test (p (permutation), p (Fisher exact), p (mid-p), "
        "p (Wald)); the headline p of each row, the one chosen for the method (explained above "
        "its table), is printed in <strong>bold</strong>; a dash means the row has no such "
        "p-value. With many rows some p-values fall below 0.05 by chance: look at the size of "
        "the estimate and its interval too.</p>")
    parts = [head, intro, _forest_chart(associations) or ""]
    for method in methods:
        rows = [r for r in records if r.get("method") == method]
        parts.append(_method_table(rows, method, several=several, level=level,
                                   ci_method=ci_method, units=units))
    if others:  # a method this report does not know yet: its sentences only
        parts.append('<h3>Other results</h3><ul class="lines">' + "".join(
            f"<li>{_e(r.get('summary'))}</li>" for r in others) + "</ul>")
    note = ("A squad's pooled rows hold more onsets than one runner's, but say something only "
            "about the squad" if several else
            "One runner's history holds few episodes, so intervals are wide")
    parts.append(f"<p class=note>{note}: an association is not proof that the load caused "
                 "the pain, and no association is not proof of safety. See the methods "
                 "below.</p></section>")
    return "".join(parts)


def _episodes_for(episodes: pd.DataFrame | None, athletes: Sequence[str]
                  ) -> tuple[pd.DataFrame | None, int]:
    """The episodes of the report's athletes, and how many of other athletes were left out.

    Episodes without an athlete belong to the only athlete of a one-athlete report.
    """
    if episodes is None or "athlete" not in episodes.columns or not athletes:
        return episodes, 0
    name = episodes["athlete"].astype("string")
    keep = name.isin(list(athletes)).fillna(False)
    if len(athletes) == 1:
        keep = keep | name.isna()
    return episodes[keep.to_numpy(dtype=bool)], int((~keep).sum())


def _episodes_section(weekly: pd.DataFrame, episodes: pd.DataFrame | None, units: str,
                      *, left_out: int = 0) -> str:
    if episodes is None:
        return ""
    head = '<section id="pain"><h2>Back-pain episodes</h2>'
    if left_out:
        head += (f"<p class=note>{_plural(left_out, 'episode')} of the pain log "
                 f"{'belongs' if left_out == 1 else 'belong'} to no athlete of this report "
                 "(another athlete, or no athlete named in a log of several) and "
                 f"{'is' if left_out == 1 else 'are'} left out.</p>")
    if len(episodes) == 0:
        return head + "<p>The pain log holds no episode.</p></section>"
    several = "athlete" in episodes.columns and episodes["athlete"].nunique() > 1
    headers = (["athlete"] if several else []) + [
        "onset", "end", "worst pain (0-10)", "days lost", "where", "notes"]
    rows = [
        ([_e(r.get("athlete"))] if several else []) + [
            _dcell(r.get("onset")),
            _date(r.get("end")) if not pd.isna(r.get("end")) else "ongoing / unknown",
            _num(r.get("max_severity"), "{:.0f}"),
            _num(r.get("time_lost_days"), "{:.0f}"),
            _e(r.get("location")),
            _e(r.get("notes")),
        ]
        for r in episodes.sort_values("onset").to_dict("records")
    ]
    timeline = _timeline_chart(weekly, episodes, units)
    return head + timeline + _table(headers, rows, numeric=[2 + several, 3 + several]) + "</section>"


def _problems_section(problems: pd.DataFrame, inventory: Mapping[str, int] | None) -> str:
    head = '<section id="problems"><h2>Problems in the input files</h2>'
    conservation = ""
    if inventory:
        conservation = f"<p>{_e(conservation_line(inventory))}</p>"
    if problems is None or len(problems) == 0:
        return head + conservation + "<p>Every file was read in full.</p></section>"
    rows = [
        [
            f"<code>{_e(r.get('source'))}</code>",
            f'<span title="{_e(PROBLEM_KINDS.get(str(r.get("kind")), ""))}">{_e(r.get("kind"))}</span>',
            _e(r.get("message")),
            "yes" if r.get("salvaged") is True else "no",
        ]
        for r in problems.to_dict("records")
    ]
    total, bad, part = _problem_counts(problems, inventory)
    return (head + conservation
            + f"<p>{_plural(total, 'file')} could not be read in full: {bad} not read at all "
              f"(problem {'file' if bad == 1 else 'files'}), {part} read in part (the part "
              "before the problem was kept and used). “Kept” says which.</p>"
            + _table(["file", "problem", "details", "kept"], rows) + "</section>")


def _parameters_section(weekly: pd.DataFrame, parameters: Mapping[str, Any] | None,
                        units: str, *, activities: pd.DataFrame | None = None,
                        episodes: pd.DataFrame | None = None,
                        associations: pd.DataFrame | None = None,
                        more: Sequence[tuple[str, Any]] = ()) -> str:
    """Every option behind the page's numbers, and the versions.

    The options are the keyword arguments of the stages, read from their signatures
    (so a new option shows up without a change here), at the values the tables
    recorded, else their defaults: ``read_activities`` (the options that change the
    tables), ``read_pain_log`` when a pain log was given, ``weekly_load``,
    ``weekly_habits`` when the table carries the habits, and ``associate`` when there
    are association results.
    """
    extra = dict(parameters or {})
    items = [("runload version", __version__)]
    items += [(k, v) for k, v in extra.items()]
    items += [(f"read_activities: {k}", v) for k, v in _read_options(activities, weekly).items()]
    items += [(f"read_pain_log: {k}", v) for k, v in _pain_options(episodes).items()]
    items += [(f"weekly_load: {k}", v) for k, v in _parameters(weekly).items()]
    habits = dict(getattr(weekly, "attrs", {}).get("habit_parameters") or {})
    items += [(f"weekly_habits: {k}", v) for k, v in habits.items()]
    if associations is not None:
        items += [(f"associate: {k}", v) for k, v in _association_options(associations).items()]
    items += list(more)
    items += [("units shown", units), ("python", platform.python_version()),
              ("pandas", pd.__version__), ("numpy", np.__version__)]
    body = "".join(f"<dt>{_e(k)}</dt><dd>{_e(_show(v))}</dd>" for k, v in items)
    return ('<section id="parameters"><h2>Parameters and version</h2>'
            "<p>Everything needed to re-run this analysis and get the same numbers: the "
            "runload version, the inputs, the options of reading the files"
            + (" and the pain log" if episodes is not None else "")
            + ", every threshold of the weekly rules"
            + (" and habits" if getattr(weekly, "attrs", {}).get("habit_parameters") else "")
            + (" and every option of the association analysis" if associations is not None
               else "")
            + ". Options a table does not record are shown at runload's defaults.</p>"
            f'<dl class="params">{body}</dl></section>')


def _show(value: Any) -> str:
    if isinstance(value, Mapping):
        return ", ".join(f"{k}: {_show(v)}" for k, v in value.items()) or "{}"
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    return str(value)


def _methods_section(params: Mapping[str, Any], *, squad: bool = False,
                     audit: bool = False) -> str:
    """The methods with their references.

    ``squad=True`` words them for several athletes (a pooled estimate across the
    athletes); ``audit=True`` for the coach's audit page, which shows no association.
    """
    whose = "each athlete's" if squad else "the runner's"
    design = ("lagged risk ratios (onsets after flagged vs other weeks) and the case-crossover "
              f"design, in which each episode is its own control {_ref('maclure1991')}, with "
              f"time-stratified referent weeks {_ref('janes2005')}")
    if audit:
        association = (
            "<p><b>Association.</b> This page does not test whether back pain followed the "
            "flagged weeks; a report of the squad (<code>runload report</code> with every "
            "athlete's folder and the pain log) does, per athlete and pooled across the "
            f"athletes (Mantel–Haenszel, stratified by athlete), with {design}. ")
    elif squad:
        association = (
            "<p><b>Association.</b> Whether episodes followed flagged weeks is estimated per "
            "athlete and pooled across the athletes (Mantel–Haenszel, stratified by athlete), "
            f"with {design}. ")
    else:
        association = ("<p><b>Association.</b> Whether episodes followed flagged weeks is "
                       f"estimated with {design}. ")
    if squad:
        association += ("The pooled estimate rests on all the squad's episodes, so its interval "
                        "is narrower than one athlete's, but it speaks about the squad, not "
                        "about any one athlete; an association does not show that the load "
                        "caused the pain.</p>")
    else:
        association += ("With one runner's few episodes, intervals are wide; an association "
                        "does not show that the load caused the pain.</p>")
    inc = params.get("max_increase", 0.10)
    drop = params.get("recovery_drop", 0.20)
    base = params.get("min_base_m", 10_000)
    builds = params.get("max_build_weeks", 4)
    spike = params.get("spike", 0.10)
    acwr = params.get("acwr_threshold", 1.5)
    refs = "".join(f'<li id="ref-{k}">{_e(text)}</li>' for k, text in REFERENCES.items())
    return f"""<section id="methods"><h2>Methods</h2>
<p><b>Weekly distance.</b> Running distance (road, trail and treadmill) is summed per local
calendar week; weeks without running count as 0. Two kinds of week are <i>partial</i> (hatched on
the charts): {whose} first week of data, always, even when it starts on a Monday, because the
training before it is unknown; and a week that ends after the end of the data (still in
progress). They are shown but judged by no rule: no flag, no recovery week, and the first week
is no reference for the second.</p>
<p><b>10% rule.</b> A week is flagged when its distance is more than {inc:.0%} above the week it
builds on (after a single recovery week, the last build week before it: "start back from where
you left off"), provided that reference is at least {_dist(base, 'km')} km. A randomised trial of
a 10%-rule programme found no fewer injuries (20.8% vs 20.3%) {_ref('buist2008')}: the rule is a
heuristic. Week-to-week progression is also shown in the categories of Nielsen et al.
(&lt;10%, 10-30%, &gt;30%) {_ref('nielsen2014')}.</p>
<p><b>Recovery weeks.</b> A recovery week is at least {drop:.0%} below its reference. More than
{builds} build weeks in a row without one raises “no recovery week”.</p>
<p><b>Session spike.</b> A run more than {spike:.0%} longer than the longest run of the 30 days
before it. In a cohort of 5200 runners such runs carried a higher injury hazard (hazard ratio
1.64 for 10-30% longer, 1.52 for 30-100%, 2.28 for more than 100%), while weekly ratios and the
ACWR were not associated {_ref('frandsen2025')}.</p>
<p><b>Acute:chronic workload ratio.</b> The rolling 7-day over 28-day ratio (coupled and
uncoupled) {_ref('gabbett2016', 'hulin2016')} and its exponentially weighted form with
λ = 2/(N+1) {_ref('williams2017')}; flagged above {acwr}. The ratio is criticised for
mathematical coupling and ratio scaling {_ref('lolli2019', 'impellizzeri2020', 'impellizzeri2021')};
treat it as descriptive. Monotony (weekly mean ÷ standard deviation of daily load) and strain
(weekly load × monotony) follow Foster {_ref('foster1998')}.</p>
<p><b>Back-pain episodes.</b> A pain diary is grouped into episodes following de Vet et al.:
pain lasting at least 24 hours, separated by at least a month pain-free {_ref('devet2002')}.</p>
{association}
<h3>References</h3><ol class="refs">{refs}</ol></section>"""


def _nav(items: Sequence[tuple[str, str]]) -> str:
    return "".join(f'<a href="#{anchor}">{_e(label)}</a>' for anchor, label in items)


def _page(*, title: str, subtitle: str, nav: str, content: str) -> str:
    folder = resources.files("runload") / "templates"
    page = Template((folder / "page.html").read_text(encoding="utf-8"))
    style = (folder / "report.css").read_text(encoding="utf-8")
    generated = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return page.substitute(title=_e(title), subtitle=subtitle, nav=nav, content=content,
                           style=style, version=_e(__version__), generated=generated)


def _problems_table(activities: pd.DataFrame | None, problems: pd.DataFrame | None):
    if problems is not None:
        return problems
    records = [] if activities is None else list(activities.attrs.get("problems") or [])
    return pd.DataFrame.from_records(records, columns=["source", "kind", "message", "salvaged"])


def _write(text: str, path: str | Path) -> Path:
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise RunloadError(f"cannot write the report: {exc.strerror}", source=str(path)) from exc
    return path


# --------------------------------------------------------------------------- public


def render_report(
    activities: pd.DataFrame | None,
    weekly: pd.DataFrame,
    *,
    episodes: pd.DataFrame | None = None,
    associations: pd.DataFrame | None = None,
    units: str = "km",
    title: str | None = None,
    parameters: Mapping[str, Any] | None = None,
    problems: pd.DataFrame | None = None,
    inventory: Mapping[str, int] | None = None,
) -> str:
    """The HTML text of :func:`write_report` (same parameters, without ``path``)."""
    _check_units(units)
    if "week_start" not in weekly.columns or "distance_m" not in weekly.columns:
        raise ParameterError("weekly must be a weekly table (runload.load.weekly_load)")
    problems = _problems_table(activities, problems)
    athletes = [str(a) for a in pd.unique(weekly["athlete"].dropna())] if len(weekly) else []
    who = ", ".join(athletes) or "runner"
    title = title or f"Training load report: {who}"
    episodes, left_out = _episodes_for(episodes, athletes)
    s = summarize(weekly, episodes)
    subtitle = (f"Weeks of {_date(s['first_week'])} to {_date(s['last_week'])}; "
                f"distances in {units}.") if len(weekly) else \
        "No running weeks in the data."
    sections = [_summary_section(weekly, episodes, units, problems, inventory)]
    nav = [("summary", "Summary")]
    if len(weekly):
        sections.append(_chart_section(weekly, episodes, units))
        nav.append(("chart", "Mileage"))
    sections.append(_flagged_section(weekly, units))
    nav.append(("flagged", "Flagged weeks"))
    if len(weekly) and _has_habits(weekly):
        sections.append(_checklist_section(weekly))
        nav.append(("checklist", "Prevention checklist"))
    sections.append(_associations_section(associations, episodes, units))
    nav.append(("associations", "Pain and load"))
    if episodes is not None:
        sections.append(_episodes_section(weekly, episodes, units, left_out=left_out))
        nav.append(("pain", "Pain episodes"))
    sections.append(_weeks_section(weekly, episodes, units))
    nav.append(("weeks", "All weeks"))
    sections.append(_problems_section(problems, inventory))
    nav.append(("problems", "File problems"))
    sections.append(_parameters_section(weekly, parameters, units, activities=activities,
                                        episodes=episodes, associations=associations))
    nav.append(("parameters", "Parameters"))
    sections.append(_methods_section(_parameters(weekly), squad=len(athletes) > 1))
    nav.append(("methods", "Methods"))
    return _page(title=title, subtitle=subtitle, nav=_nav(nav), content="\n".join(sections))


def write_report(
    activities: pd.DataFrame | None,
    weekly: pd.DataFrame,
    *,
    path: str | Path,
    episodes: pd.DataFrame | None = None,
    associations: pd.DataFrame | None = None,
    units: str = "km",
    title: str | None = None,
    parameters: Mapping[str, Any] | None = None,
    problems: pd.DataFrame | None = None,
    inventory: Mapping[str, int] | None = None,
) -> Path:
    """Write one runner's self-contained HTML report.

    Parameters
    ----------
    activities : DataFrame or None
        The activities table (``runload.read_activities``); its ``attrs["problems"]``
        fill the "problems in the input files" section unless ``problems`` is given.
    weekly : DataFrame
        The weekly table with flags (``runload.load.weekly_load``), optionally with
        the habit columns of ``runload.habits.weekly_habits``; its
        ``attrs["parameters"]`` are printed so the report can be reproduced.
    path : str or Path
        Where to write the ``.html`` file (folders are created).
    episodes : DataFrame, optional
        Back-pain episodes (``runload.pain.read_pain_log``); shaded on the chart and
        listed. ``None`` means no pain log was given.
    associations : DataFrame, optional
        Results of ``runload.stats.associate`` with their plain-language lines.
    units : {'km', 'mi'}
        Distance unit shown.
    title : str, optional
        Page title; by default "Training load report: <athlete>".
    parameters : mapping, optional
        Extra settings to record (inputs, command line, pain log ...).
    problems : DataFrame, optional
        The problems table, when not carried by ``activities``.
    inventory : mapping, optional
        ``runload.inventory(activities)``: files seen, activity files, non-activity
        files and problem files, printed as the conservation line.

    Returns
    -------
    Path
        The file written.

    Notes
    -----
    The page has these sections: summary, weekly mileage chart (flags and pain
    bands), flagged weeks with the rule and its evidence label, the prevention
    checklist when ``weekly`` carries the habit flags of
    :func:`runload.habits.weekly_habits` (✓ / ✗ / – per week for the last
    :data:`CHECKLIST_WEEKS` weeks, beside the mileage rules, with each rule's
    evidence label and the :func:`runload.plot.habits.plot_checklist` chart),
    associations (one table per method, its counts labelled for what that method
    counts, every p-value named for its test -- permutation, Fisher exact, mid-p,
    Wald -- with the method's headline p in bold, and a plain-language line per
    row), pain episodes (those of the report's athletes), all weeks, problems in the
    input files, parameters (every option of ``read_activities`` that changes the
    results, ``read_pain_log``, ``weekly_load``, ``weekly_habits`` and ``associate``,
    at the values the tables record, else the defaults) and version, and methods
    with references. Charts are
    base64 PNG; a Content-Security-Policy forbids any network access and no
    JavaScript is used.
    """
    text = render_report(activities, weekly, episodes=episodes, associations=associations,
                         units=units, title=title, parameters=parameters, problems=problems,
                         inventory=inventory)
    return _write(text, path)


def _slug(index: int, name: str) -> str:
    return f"athlete-{index}-" + (re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-").lower() or "x")


def render_audit(
    audit: pd.DataFrame,
    weekly: pd.DataFrame,
    *,
    episodes: pd.DataFrame | None = None,
    problems: Mapping[str, pd.DataFrame] | None = None,
    units: str = "km",
    title: str | None = None,
    parameters: Mapping[str, Any] | None = None,
    inventory: Mapping[str, int] | None = None,
    chart_weeks: int = 52,
    recent_weeks: int = 12,
    progress: bool = False,
) -> str:
    """The HTML text of :func:`write_audit` (same parameters, without ``path``)."""
    _check_units(units)
    if not isinstance(chart_weeks, int) or chart_weeks < 4:
        raise ParameterError(f"chart_weeks must be a whole number >= 4, got {chart_weeks!r}")
    problems = dict(problems or {})
    from .audit import squad_audit

    recorded = _recorded(audit)
    options = _keyword_defaults(squad_audit, skip=("problems", "as_of"))
    options.update({k: v for k, v in recorded.items() if k in options or k == "as_of"})
    slugs = {str(a): _slug(i, str(a)) for i, a in enumerate(audit["athlete"])}
    counts = audit["risk"].value_counts()
    head = (f"{_plural(len(audit), 'athlete')}: {int(counts.get('high', 0))} high, "
            f"{int(counts.get('moderate', 0))} moderate, {int(counts.get('low', 0))} low risk")
    as_of = _date(audit["current_week"].max()) if len(audit) else _MISSING
    rows = []
    for r in audit.to_dict("records"):
        name = str(r["athlete"])
        rows.append([
            f'<a href="#{slugs[name]}">{_e(name)}</a>',
            f'<span class="tag risk-{_e(r["risk"])}">{_e(r["risk"])}</span>',
            _dist(r["current_distance_m"], units),
            _dist(r["distance_4wk_m"], units),
            _pct(r["trend_pct"]),
            _e(", ".join(_flag_name("flag_" + f.strip()) for f in str(r["active_flags"]).split(",")
                         if f.strip())) if r["active_flags"] else "",
            _e(r["weeks_since_recovery"]) if not pd.isna(r["weeks_since_recovery"]) else "none",
            ("yes" if r["pain_recent"] else "no")
            + (f" <span class=muted>(last {_dcell(r['last_pain_onset'])})</span>"
               if not pd.isna(r["last_pain_onset"]) else ""),
            _e(r["data_problems"]),
        ])
    table = _table(
        ["athlete", "risk", f"this week ({units})", f"4 weeks ({units})", "trend",
         "active flags", "weeks since recovery",
         f"back pain ({int(options.get('pain_weeks', 8))} wk)", "file problems"],
        rows, numeric=[2, 3, 4, 6, 8], table_id="audit-table", stack=True)
    overview = (
        '<section id="overview"><h2>Squad overview</h2>'
        f'<p class="headline">{_e(head)}</p>'
        f"<p>Current week: the week of {as_of}. Sorted by risk: active flags (raised in the last "
        f"{_plural(int(options.get('recent_weeks', 2)), 'week')}) count one point each, back "
        f"pain in the last {_plural(int(options.get('pain_weeks', 8)), 'week')} two points; "
        "this is a "
        "triage order, not a prediction. Tap an athlete for their weeks.</p>"
        + table + "</section>")
    sections = [overview]
    bar = _progress(audit["athlete"].tolist(), desc="athlete pages", unit="athlete",
                    enabled=progress)
    n = len(audit)
    for name in bar:
        name = str(name)
        mine = weekly[weekly["athlete"].astype("string") == name].sort_values("week_start")
        eps = _episodes_of(episodes, name, n) if episodes is not None else None
        sections.append(_athlete_section(name, slugs[name], audit[audit["athlete"] == name].iloc[0],
                                         mine, eps, problems.get(name), units,
                                         chart_weeks=chart_weeks, recent_weeks=recent_weeks))
    sections.append(_problems_section(
        pd.concat([p for p in problems.values() if p is not None and len(p)], ignore_index=True)
        if any(p is not None and len(p) for p in problems.values())
        else _problems_table(None, None), inventory))
    more = [(f"squad_audit: {k}", v) for k, v in options.items()]
    more += [("audit page: chart_weeks", chart_weeks), ("audit page: recent_weeks", recent_weeks)]
    sections.append(_parameters_section(weekly, parameters, units, episodes=episodes, more=more))
    sections.append(_methods_section(_parameters(weekly), squad=True, audit=True))
    nav = _nav([("overview", "Overview"), ("problems", "File problems"),
                ("parameters", "Parameters"), ("methods", "Methods")])
    return _page(title=title or "Squad audit", subtitle=_e(head) + f"; week of {as_of}.",
                 nav=nav, content="\n".join(sections))


def _athlete_section(name: str, slug: str, row: pd.Series, weekly: pd.DataFrame,
                     episodes: pd.DataFrame | None, problems: pd.DataFrame | None, units: str,
                     *, chart_weeks: int, recent_weeks: int) -> str:
    parts = [f'<section id="{slug}"><h2>{_e(name)} '
             f'<span class="tag risk-{_e(row["risk"])}">{_e(row["risk"])}</span></h2>']
    cards = [
        (f"{_dist(row['current_distance_m'], units)} {units}", "this week"),
        (_pct(row["trend_pct"]), "4-week trend"),
        (_MISSING if pd.isna(row["weeks_since_recovery"]) else str(row["weeks_since_recovery"]),
         "week since recovery" if _is_one(row["weeks_since_recovery"]) else "weeks since recovery"),
        (str(row["pain_episodes"]),
         "back-pain episode" if _is_one(row["pain_episodes"]) else "back-pain episodes"),
    ]
    parts.append('<div class="cards">' + "".join(
        f'<div class="card"><span class="value">{_e(v)}</span><span class="label">{_e(label)}'
        "</span></div>" for v, label in cards) + "</div>")
    if len(weekly):
        shown = weekly.iloc[-chart_weeks:]
        parts.append(_weekly_chart(shown, episodes, units, who=f" for {name}"))
        recent = weekly.iloc[-recent_weeks:]
        flagged = flagged_weeks(recent, units=units)
        if len(flagged):
            parts.append(f"<h3>Flags in the last {_plural(recent_weeks, 'week')}</h3>")
            parts.append(_table(
                ["week", f"distance ({units})", "rule", "what happened", "evidence"],
                [[_dcell(r["week_start"]), _dist(r["distance_m"], units), _e(_flag_name(r["flag"])),
                  _e(r["rule"]), _e(r["evidence"])] for r in flagged.to_dict("records")],
                numeric=[1], stack=True))
        else:
            parts.append(f"<p>No flag in the last {_plural(recent_weeks, 'week')}.</p>")
    else:
        parts.append("<p>No running weeks in the data.</p>")
    if episodes is not None and len(episodes):
        parts.append("<h3>Back-pain episodes</h3>" + _table(
            ["onset", "end", "worst pain (0-10)", "notes"],
            [[_dcell(r.get("onset")), _dcell(r.get("end")), _num(r.get("max_severity"), "{:.0f}"),
              _e(r.get("notes"))] for r in episodes.sort_values("onset").to_dict("records")],
            numeric=[2]))
    if problems is not None and len(problems):
        parts.append(f"<p class=warn>{_plural(len(problems), 'file')} with problems: "
                     + ", ".join(f"<code>{_e(s)}</code> ({_e(k)})"
                                 for s, k in zip(problems["source"], problems["kind"],
                                                 strict=True)) + "</p>")
    parts.append('<p><a href="#overview">Back to the squad table</a></p></section>')
    return "".join(parts)


def write_audit(
    audit: pd.DataFrame,
    weekly: pd.DataFrame,
    *,
    path: str | Path,
    episodes: pd.DataFrame | None = None,
    problems: Mapping[str, pd.DataFrame] | None = None,
    units: str = "km",
    title: str | None = None,
    parameters: Mapping[str, Any] | None = None,
    inventory: Mapping[str, int] | None = None,
    chart_weeks: int = 52,
    recent_weeks: int = 12,
    progress: bool = False,
) -> Path:
    """Write the coach's squad audit as one self-contained HTML page.

    Parameters
    ----------
    audit : DataFrame
        The table of :func:`runload.audit.squad_audit`, riskiest athlete first.
    weekly : DataFrame
        The weekly tables of all athletes (``athlete`` column), for their charts.
    path : str or Path
        Where to write the ``.html`` file.
    episodes : DataFrame, optional
        The squad's back-pain episodes (``athlete`` column).
    problems : mapping of str to DataFrame, optional
        Problem files per athlete.
    units : {'km', 'mi'}
        Distance unit shown.
    title : str, optional
        Page title ("Squad audit").
    parameters : mapping, optional
        Extra settings to record.
    inventory : mapping, optional
        Files seen / activity / non-activity / problem files of the whole squad.
    chart_weeks : int
        Each athlete's chart shows their last ``chart_weeks`` weeks.
    recent_weeks : int
        Each athlete's section lists the flags of their last ``recent_weeks`` weeks.
    progress : bool
        Show a progress bar on stderr while the athlete sections are drawn.

    Returns
    -------
    Path
        The file written.

    Notes
    -----
    The page opens with the squad table (one row per athlete, sorted by risk); each
    athlete's name links to their own section with a weekly chart, recent flags,
    back-pain episodes and file problems.
    """
    text = render_audit(audit, weekly, episodes=episodes, problems=problems, units=units,
                        title=title, parameters=parameters, inventory=inventory,
                        chart_weeks=chart_weeks, recent_weeks=recent_weeks, progress=progress)
    return _write(text, path)

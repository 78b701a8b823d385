"""The Parameters section: every option behind the page's numbers.

The options of each stage (``read_activities``, ``read_pain_log``, ``weekly_load``,
``weekly_habits``, ``associate``) are read from the stage's signature, at the values a
table records in ``attrs["parameters"]``, else at the defaults.
"""

from __future__ import annotations

import inspect
import platform
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from .. import __version__
from .format import _e


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
        from ..load import weekly_load
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
    from ..io import read_activities

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
    from ..pain import read_pain_log

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
    from ..stats import DEFAULT_INCREMENTS, associate

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

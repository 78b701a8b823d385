"""The runner's report: page assembly, :func:`render_report` and :func:`write_report`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from string import Template
from typing import Any

import pandas as pd

from .. import __version__
from ..errors import ParameterError, RunloadError
from .associations import _associations_section
from .athletes import _episodes_for
from .checklist import _checklist_section
from .episodes import _episodes_section
from .flagged import _flagged_section, _has_habits
from .format import _check_units, _date, _e
from .methods import _methods_section
from .parameters import _parameters, _parameters_section
from .problems import _problems_section, _problems_table
from .summary import _summary_section, summarize
from .weeks import _chart_section, _weeks_section


def _nav(items: Sequence[tuple[str, str]]) -> str:
    return "".join(f'<a href="#{anchor}">{_e(label)}</a>' for anchor, label in items)


def _page(*, title: str, subtitle: str, nav: str, content: str) -> str:
    folder = resources.files("runload") / "templates"
    page = Template((folder / "page.html").read_text(encoding="utf-8"))
    style = (folder / "report.css").read_text(encoding="utf-8")
    generated = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return page.substitute(title=_e(title), subtitle=subtitle, nav=nav, content=content,
                           style=style, version=_e(__version__), generated=generated)


def _write(text: str, path: str | Path) -> Path:
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise RunloadError(f"cannot write the report: {exc.strerror}", source=str(path)) from exc
    return path


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
    sections.append(_methods_section(_parameters(weekly), squad=len(athletes) > 1,
                                     units=units))
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

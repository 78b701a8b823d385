"""``runload weekly``: the weekly table with the rule flags and the habits missed."""

from __future__ import annotations

import argparse

from .logs import _pain
from .output import _print_problems, _print_table, _say, _stdout_taken, _write_csv
from .reading import _nothing_read, _read
from .weeks import _distance_display, _pain_onsets, _single_athlete, _weeks_to_show, _with_habits


def cmd_weekly(args: argparse.Namespace) -> int:
    """``runload weekly``: the weekly table with flags (and pain onsets)."""
    from ..report import headline, summarize

    activities, counts = _read(args.sources, args)
    _nothing_read(activities, counts, args.sources, args)
    episodes = _pain(args, athlete=_single_athlete(activities))
    weekly = _with_habits(_weeks_to_show(activities, args), activities, episodes, args)
    weekly = _pain_onsets(weekly, episodes)
    if args.csv:
        _write_csv(_distance_display(weekly, args.units), args.csv, args)
    shown = _weekly_view(weekly, args.units, pain=episodes is not None)
    _print_table(shown, args)
    if not _stdout_taken(args):
        _say(_WEEKLY_LEGEND.format(day=args.week_start.capitalize()))
    _print_problems(activities, args)
    _say(headline(summarize(weekly, episodes)), err=_stdout_taken(args))
    return 0


#: Printed under the weekly table: what ``week`` and ``change_%`` are (docs/load_rules.md).
_WEEKLY_LEGEND = (
    "week: local date the week starts ({day}). change_%: distance against the reference "
    "week of the 10% rule: the previous week, or after a single recovery week the week "
    "before it (not always week-over-week; docs/load_rules.md)")


def _weekly_view(weekly, units: str, *, pain: bool):
    import pandas as pd

    from ..columns import to_display
    from ..habits import HABIT_NAMES
    from ..report import FLAG_NAMES

    def listed(names: dict[str, str]):
        """Per week, the names of the flags raised (True) among ``names``' columns."""
        out = pd.Series("", index=weekly.index, dtype="string")
        for column, name in names.items():
            hit = weekly[column].astype("boolean").fillna(False).astype(bool)
            out = out.where(~hit, out.where(out == "", out + ", ") + name)
        return out

    raised = listed({c: FLAG_NAMES.get(c, c.removeprefix("flag_")) for c in weekly.columns
                     if c.startswith("flag_") and c not in HABIT_NAMES})
    missed = listed({c: name for c, name in HABIT_NAMES.items() if c in weekly.columns})
    view = pd.DataFrame({
        "week": pd.to_datetime(weekly["week_start"]).dt.strftime("%Y-%m-%d"),
        units: to_display(weekly["distance_m"], units).round(1),
        "runs": weekly["runs"],
        f"longest_{units}": to_display(weekly["longest_run_m"], units).round(1),
        "change_%": weekly["change_pct"].round(1),
        "recovery": weekly["recovery_week"].map({True: "yes", False: ""}),
        "streak": weekly["build_streak"],
        "flags": raised,
        "habits_missed": missed,
        "complete": weekly["complete"].map({True: "", False: "partial"}),
    })
    if pain:
        view["pain_onsets"] = weekly["pain_onsets"].map(lambda n: str(n) if n else "")
    if weekly["athlete"].nunique() > 1:
        view.insert(0, "athlete", weekly["athlete"])
    return view


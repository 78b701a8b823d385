"""``runload report``: one runner's self-contained HTML report."""

from __future__ import annotations

import argparse
import warnings

from .logs import _pain
from .output import _command_line, _print_problems, _say, _written
from .reading import _nothing_read, _read
from .weeks import _known_only, _single_athlete, _weeks_to_show, _with_habits


def cmd_report(args: argparse.Namespace) -> int:
    """``runload report``: the self-contained HTML report."""
    from ..report import write_report

    activities, counts = _read(args.sources, args)
    _nothing_read(activities, counts, args.sources, args)
    athlete = _single_athlete(activities)
    episodes = _pain(args, athlete=athlete)
    weekly = _with_habits(_weeks_to_show(activities, args), activities, episodes, args)
    # rows of athletes not in the sources were named in a warning already (the report
    # still counts them as left out)
    members = list(activities["athlete"].dropna().astype(str).unique())
    associations = _associations(weekly, episodes if athlete else _known_only(episodes, members))
    path = _written(lambda: write_report(
        activities, weekly, episodes=episodes, associations=associations, path=args.output,
        units=args.units, inventory=counts,
        parameters={"command": _command_line(args.argv),
                    "sources": ", ".join(str(s) for s in args.sources),
                    "pain log": str(args.pain) if args.pain else "none",
                    "habits log": str(args.habits) if args.habits else "none",
                    "sleep": str(args.sleep) if args.sleep else "none",
                    "strides": "detected" if args.strides else "not detected"}),
        "-o/--output", args.output)
    _print_problems(activities, args)
    _say(f"report written to {path}")
    return 0


def _associations(weekly, episodes):
    if episodes is None:
        return None
    from ..stats import associate

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return associate(weekly, episodes)


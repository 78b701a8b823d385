"""Reading the activity sources of one runner: checks, the conservation line, warnings."""

from __future__ import annotations

import argparse
import os
import warnings
from collections.abc import Sequence

from ..errors import ParameterError
from .errors import NothingReadError, UsageError
from .logs import _check_logs
from .options import _read_options, _show_progress
from .output import _kept_in_files, _print_problems, _say, _stdout_taken, _warning_category


def _check_sources(sources: Sequence[str]) -> list[str]:
    for source in sources:
        if not os.path.exists(source):
            raise UsageError(
                "no such file or folder; check the path (quote it if it has spaces)",
                source=source)
    return list(sources)


def _read(sources: Sequence[str], args: argparse.Namespace, *, athlete: str | None = None):
    """Read the sources; print the conservation line; fail when nothing was read."""
    from ..io import inventory, problems, read_activities
    from ..io.ingest import conservation_line, default_athlete

    sources = _check_sources(sources)
    given = athlete if athlete is not None else getattr(args, "athlete", None)
    names = [given] if given is not None else sorted({default_athlete(s) for s in sources})
    # a bad --pain/--habits/--sleep, or a log naming other athletes, fails before the
    # history is read
    _check_logs(args, names)
    try:
        activities = read_activities(
            sources if len(sources) > 1 else sources[0],
            athlete=athlete if athlete is not None else getattr(args, "athlete", None),
            tz=args.tz, errors="skip", progress=_show_progress(args), **_read_options(args))
    except ParameterError as exc:
        raise UsageError(exc.message, source=exc.source) from exc
    counts = inventory(activities)
    _say(conservation_line(counts), err=_stdout_taken(args))
    names = sorted(str(a) for a in activities["athlete"].dropna().unique())
    if len(names) > 1 and getattr(args, "athlete", None) is None:
        warnings.warn(
            f"the sources hold {len(names)} athletes ({', '.join(names)}), named after their "
            "folders or archives; add --athlete NAME if they are all the same runner",
            _warning_category(), stacklevel=1)
    table = problems(activities)
    if len(table):
        from ..io.ingest import problem_summary

        summary = problem_summary(table.to_dict("records"), counts.get("files_seen", 0))
        warnings.warn(f"{summary}; {_kept_in_files(table)}; they are listed at the end",
                      _warning_category(), stacklevel=1)
    return activities, counts


def _nothing_read(activities, counts: dict[str, int], sources: Sequence[str],
                  args: argparse.Namespace) -> None:
    if len(activities) == 0:
        _print_problems(activities, args)  # before the error that points at them
        where = ", ".join(str(s) for s in sources)
        if counts.get("files_seen", 0) == 0:
            fix = ("no FIT, GPX or TCX file found; point runload at the folder or the .zip "
                   "of your Strava or Garmin export")
        else:
            fix = ("no activity could be read from any file; see the problems above, or "
                   "export the activities again")
        raise NothingReadError(fix, source=where)


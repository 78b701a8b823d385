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
        seen = counts.get("files_seen", 0)
        if seen == 0:
            fix = ("no FIT, GPX or TCX file found; point runload at the folder or the .zip "
                   "of your Strava or Garmin export")
        else:
            fix = _nothing_read_why(counts, sources, args)
        raise NothingReadError(fix, source=where)


#: Files re-read, at most, to say why the non-activity files hold no activity.
_MAX_WHY = 200
#: Kinds of non-activity file named, at most.
_MAX_REASONS = 5


def _nothing_read_why(counts: dict[str, int], sources: Sequence[str],
                      args: argparse.Namespace) -> str:
    """Why no activity was read from the files seen: the problems (listed above the
    error) and what the non-activity files are (a FIT settings file, a GPX route)."""
    non = counts.get("non_activity_files", 0)
    bad = counts.get("problem_files", 0)
    parts = []
    if non:
        reasons = _non_activity_reasons(sources, args)
        shown = reasons.most_common(_MAX_REASONS)
        why = ", ".join(f"{r}: {n}" if len(reasons) > 1 or n > 1 else r for r, n in shown)
        if len(reasons) > len(shown):
            why += f", and {len(reasons) - len(shown)} more kinds"
        parts.append(f"{non} non-activity file{'' if non == 1 else 's'}"
                     + (f" ({why})" if why else ""))
    if bad:
        parts.append(f"{bad} problem file{'' if bad == 1 else 's'}, see the problems above")
    if bad and not non:
        return ("no activity could be read from any file; see the problems above, or export "
                "the activities again")
    return ("holds no activity: " + " and ".join(parts) + "; point runload at recorded "
            "activities (FIT, GPX or TCX), e.g. the folder or the .zip of your Strava or "
            "Garmin export" + (", or export the activities again" if bad else ""))


def _non_activity_reasons(sources: Sequence[str], args: argparse.Namespace):
    """What the non-activity files are (``FIT file type settings``: count), from the
    files themselves (the activities table keeps only their number); at most
    :data:`_MAX_WHY` files are read again."""
    from collections import Counter

    from ..io.archives import Limits, WalkLog, close_zips, walk
    from ..io.ingest import read_entry

    reasons: Counter[str] = Counter()
    read = 0
    try:
        for origin, path in enumerate(sources):
            for entry in walk(str(path), limits=Limits(), log=WalkLog(), origin=origin):
                if read >= _MAX_WHY:
                    return reasons
                read += 1
                try:
                    result = read_entry(entry)
                except Exception:  # noqa: BLE001 (only words for an error message)
                    continue
                if result.status == "non_activity":
                    reasons[result.note or "no activity by design"] += 1
    except Exception:  # noqa: BLE001
        return reasons
    finally:
        close_zips()
    return reasons

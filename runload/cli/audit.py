"""``runload audit``: a coach's squad table and its HTML page."""

from __future__ import annotations

import argparse
import warnings

from .errors import NothingReadError
from .logs import _check_logs, _pain
from .options import _read_options, _show_progress
from .output import (
    _command_line,
    _print_table,
    _say,
    _stdout_taken,
    _warning_category,
    _write_csv,
    _written,
)
from .squad import _squad_members, read_squad
from .weeks import _known_only, _weeks_to_show


def cmd_audit(args: argparse.Namespace) -> int:
    """``runload audit``: the squad table and its HTML page."""
    from ..audit import squad_audit
    from ..io.ingest import conservation_line
    from ..report import write_audit

    # a missing squad folder, then a bad pain log, fail at once; pain-log names that
    # match no athlete folder are named before the squad is read
    members = [name for name, _ in _squad_members(args.squad)]
    _check_logs(args, members, squad=True)
    activities, problem_tables, totals = read_squad(args.squad, tz=args.tz,
                                                    quiet=not _show_progress(args),
                                                    read_options=_read_options(args))
    _say(conservation_line(totals), err=_stdout_taken(args))
    if len(activities) == 0:
        raise NothingReadError("no activity could be read for any athlete; each athlete "
                               "folder needs FIT, GPX or TCX files", source=str(args.squad))
    bad = {name: t["source"].nunique() for name, t in problem_tables.items() if len(t)}
    if bad:
        warnings.warn(
            f"{sum(bad.values())} files with problems in the squad ("
            + ", ".join(f"{n}: {k}" for n, k in bad.items())
            + "); see the audit page", _warning_category(), stacklevel=1)
    episodes = _known_only(_pain(args, athlete=None), members)
    weekly = _weeks_to_show(activities, args, source=str(args.squad))
    audit = squad_audit(weekly, episodes, as_of=args.as_of,
                        problems={name: t["source"].nunique()
                                  for name, t in problem_tables.items()})
    if args.csv:
        _write_csv(audit, args.csv, args)
    _print_table(_audit_view(audit, args.units), args)
    path = _written(lambda: write_audit(
        audit, weekly, path=args.output, episodes=episodes, problems=problem_tables,
        units=args.units, inventory=totals, progress=_show_progress(args),
        parameters={"command": _command_line(args.argv), "squad": str(args.squad),
                    "pain log": str(args.pain) if args.pain else "none"}),
        "-o/--output", args.output)
    _say(f"audit written to {path}", err=_stdout_taken(args))
    return 0


def _audit_view(audit, units: str):
    import pandas as pd

    from ..columns import to_display

    return pd.DataFrame({
        "athlete": audit["athlete"],
        "risk": audit["risk"],
        f"week_{units}": to_display(audit["current_distance_m"], units).round(1),
        f"4wk_{units}": to_display(audit["distance_4wk_m"], units).round(1),
        "trend_%": audit["trend_pct"].map(lambda x: "-" if pd.isna(x) else f"{x:+.1f}"),
        "active_flags": audit["active_flags"],
        "wks_since_recovery": audit["weeks_since_recovery"],
        "recent_pain": audit["pain_recent"].astype("boolean").map(
            {True: "yes", False: "no"}, na_action="ignore").astype("string").fillna("-"),
        "file_problems": audit["data_problems"],
    })


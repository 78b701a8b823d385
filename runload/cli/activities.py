"""``runload activities``: the activities table."""

from __future__ import annotations

import argparse
from typing import Any

from .output import _print_problems, _print_table, _say, _stdout_taken, _write_csv
from .reading import _nothing_read, _read


def cmd_activities(args: argparse.Namespace) -> int:
    """``runload activities``: the activities table; problems at the end."""
    import pandas as pd

    from ..columns import to_display

    activities, counts = _read(args.sources, args)
    _nothing_read(activities, counts, args.sources, args)
    if args.csv:
        _write_csv(activities, args.csv, args)
    shown = pd.DataFrame({
        "start (UTC)": activities["start_time"].dt.strftime("%Y-%m-%d %H:%M"),
        "sport": activities["sport"],
        f"distance_{args.units}": to_display(activities["distance_m"], args.units).round(2),
        "moving": _hms(activities["moving_time_s"]),
        "format": activities["format"],
        "duplicate": activities["duplicate_of"].notna().map({True: "dup", False: ""}),
        "source": activities["source"].map(_short_source),
    })
    if args.tz:
        from ..localtime import local_time

        local = local_time(activities, tz=args.tz).dt.strftime("%Y-%m-%d %H:%M")
        shown.insert(1, "start (local)", local)
    if activities["athlete"].nunique() > 1:
        shown.insert(0, "athlete", activities["athlete"])
    _print_table(shown, args)
    if args.tz and not _stdout_taken(args):
        _say(f"start (local): the wall-clock time of the file's own UTC offset, else of "
             f"{args.tz} (--tz)")
    _print_problems(activities, args)
    return 0


def _hms(seconds):
    import pandas as pd

    s = pd.to_numeric(seconds, errors="coerce")
    whole = s.round().astype("Int64")
    text = (whole // 3600).astype("string") + ":" + \
        ((whole % 3600) // 60).astype("string").str.zfill(2) + ":" + \
        (whole % 60).astype("string").str.zfill(2)
    return text.fillna("-")


def _short_source(source: Any) -> str:
    text = str(source)
    return text if len(text) <= 60 else "..." + text[-57:]


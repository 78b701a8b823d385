"""Checks of option values (--date-format, --workers, --as-of, the thresholds) and the
reading options."""

from __future__ import annotations

import argparse


def _date_format(text: str) -> str:
    if "%" not in text:
        raise argparse.ArgumentTypeError(
            f"--date-format must be a strptime format such as '%m/%d/%Y', got {text!r}")
    return text


def _as_of(text: str) -> str:
    """``--as-of``: a calendar date ``YYYY-MM-DD`` (or an ISO date and time), checked at
    parse time; the text is kept (the library reads it)."""
    import datetime as dt

    value = text.strip()
    try:
        (dt.date if len(value) == 10 else dt.datetime).fromisoformat(value)
    except ValueError:
        from ..csvlog import why_not_a_date

        reason = why_not_a_date(value) if len(value) == 10 else f"not a date {value!r}"
        raise argparse.ArgumentTypeError(
            f"{reason}; give the last day of the data as YYYY-MM-DD, e.g. 2024-05-31"
        ) from None
    return value


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from exc
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a number >= 1, got {value}")
    return value


def _read_options(args: argparse.Namespace) -> dict:
    """The cache and pool options of ``read_activities`` from the command line."""
    return {"cache": getattr(args, "cache", True), "cache_dir": getattr(args, "cache_dir", None),
            "workers": getattr(args, "workers", None)}


def _show_progress(args: argparse.Namespace) -> bool:
    from ..progress import wants_progress

    return wants_progress(quiet=args.quiet)


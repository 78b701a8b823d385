"""Checks of single option values (--date-format, --workers) and the reading options."""

from __future__ import annotations

import argparse


def _date_format(text: str) -> str:
    if "%" not in text:
        raise argparse.ArgumentTypeError(
            f"--date-format must be a strptime format such as '%m/%d/%Y', got {text!r}")
    return text


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


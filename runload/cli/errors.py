"""The command line's own errors: bad usage (exit code 2) and nothing to show (exit 1)."""

from __future__ import annotations

from ..errors import RunloadError


class UsageError(RunloadError):
    """Bad usage of the command line (exit code 2)."""


class NothingReadError(RunloadError):
    """Nothing to show: no activity could be read, or no week up to ``--as-of`` (exit 1)."""


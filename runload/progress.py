"""Progress bars for long work, shown on stderr only when a person is watching.

The command line, the report and the squad audit call :func:`progress` around loops
that can take a while (reading many files, one section per athlete). The bar goes to
standard error so that tables on standard output can still be piped, and it stays
silent when standard error is not a terminal (CI logs, pipes, notebooks writing to a
file) or when the user asked for quiet (``runload --quiet``).
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from typing import IO, Any

__all__ = ["progress", "wants_progress"]


def wants_progress(*, quiet: bool = False, stream: IO[str] | None = None) -> bool:
    """Whether a progress bar should be drawn.

    Parameters
    ----------
    quiet : bool
        The user asked for no progress output.
    stream : file-like, optional
        Where the bar would be written; standard error by default.

    Returns
    -------
    bool
        True only when not ``quiet`` and ``stream`` is an interactive terminal.
    """
    if quiet:
        return False
    stream = sys.stderr if stream is None else stream
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except ValueError:  # closed stream
        return False


def progress(
    iterable: Iterable[Any] | None = None,
    *,
    total: int | None = None,
    desc: str | None = None,
    unit: str = "it",
    enabled: bool | None = None,
    quiet: bool = False,
    stream: IO[str] | None = None,
):
    """Wrap ``iterable`` in a tqdm progress bar on stderr, or not at all.

    Parameters
    ----------
    iterable : iterable, optional
        What to iterate over; omit it to update the bar by hand (``bar.update(n)``).
    total : int, optional
        Number of items when ``iterable`` has no ``len``.
    desc : str, optional
        Short label in front of the bar ("reading files").
    unit : str
        Name of one item ("file", "athlete").
    enabled : bool, optional
        Force the bar on or off; by default it is on only when ``stream`` is a terminal
        and not ``quiet`` (see :func:`wants_progress`).
    quiet : bool
        The user asked for no progress output.
    stream : file-like, optional
        Where to draw; standard error by default.

    Returns
    -------
    tqdm.tqdm
        A tqdm object (disabled when no bar should be drawn, so it is a transparent
        wrapper in that case). Use it as an iterator or a context manager.
    """
    from tqdm import tqdm

    stream = sys.stderr if stream is None else stream
    if enabled is None:
        enabled = wants_progress(quiet=quiet, stream=stream)
    return tqdm(
        iterable,
        total=total,
        desc=desc,
        unit=unit,
        file=stream,
        disable=not enabled,
        leave=False,
        dynamic_ncols=True,
    )

"""A process pool over files, on one machine.

Reading activity files is CPU-bound Python (decoding, parsing XML), so threads do not
help; :func:`map_files` spreads the files over worker processes. Workers return the
small per-file results (summary rows and problems), never large frames, so what
crosses process boundaries is a few hundred bytes per file. Results come back in the
order of the input whatever the number of workers, so the output of an ingest is
identical with 1 worker or 64.

On Linux, workers are forked when the calling process has a single thread (the
fastest start: the readers are already imported, and scripts need no ``if __name__ ==
"__main__"`` guard); when it has other threads (a Jupyter kernel, a Dask client), forking
is unsafe and the ``forkserver`` method is used (a clean server process, preloaded
with the readers, forks each worker). Elsewhere (macOS, Windows) ``spawn`` is used,
which, as always with ``multiprocessing``, needs a script's top-level code under an
``if __name__ == "__main__":`` guard.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from typing import Any, TypeVar

from ..errors import ParameterError

__all__ = ["default_workers", "map_files"]

T = TypeVar("T")

#: Fewer items than this per worker are read in the calling process: starting the
#: pool would cost more than it saves.
MIN_ITEMS_PER_WORKER = 4
_PRELOAD = ["runload.io.ingest", "runload.io.fit", "runload.io.fitscan"]


def default_workers() -> int:
    """The number of CPU cores this process may use (``len(os.sched_getaffinity(0))``)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return max(1, os.cpu_count() or 1)


def _context() -> multiprocessing.context.BaseContext:
    methods = multiprocessing.get_all_start_methods()
    if sys.platform.startswith("linux") and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    if "forkserver" in methods and sys.platform != "darwin":
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(_PRELOAD)
        return ctx
    return multiprocessing.get_context("spawn")


def map_files(
    func: Callable[[Any], T],
    items: Iterable[Any],
    *,
    workers: int | None = None,
    chunksize: int | None = None,
) -> list[T]:
    """``[func(item) for item in items]``, spread over worker processes.

    Parameters
    ----------
    func : callable
        A top-level (picklable) function of one item, e.g.
        :func:`runload.io.ingest.read_entry`.
    items : iterable
        Picklable items (e.g. :class:`runload.io.archives.Entry`).
    workers : int, optional
        Worker processes; default all the cores this process may use. ``1`` reads in
        the calling process (no pool), as do small batches (fewer than
        :data:`MIN_ITEMS_PER_WORKER` items per worker).
    chunksize : int, optional
        Items sent to a worker at a time; default about ``len(items) / (8 * workers)``
        (at most 64), which keeps the workers busy to the end while amortising the
        inter-process traffic.

    Returns
    -------
    list
        The results, in the order of ``items``.

    Raises
    ------
    runload.errors.ParameterError
        ``workers`` or ``chunksize`` below 1.
    """
    if workers is None:
        workers = default_workers()
    if not isinstance(workers, int) or workers < 1:
        raise ParameterError(f"workers must be a positive integer, got {workers!r}")
    if chunksize is not None and (not isinstance(chunksize, int) or chunksize < 1):
        raise ParameterError(f"chunksize must be a positive integer, got {chunksize!r}")
    items = list(items)
    workers = min(workers, max(1, len(items) // MIN_ITEMS_PER_WORKER))
    if workers == 1:
        return [func(item) for item in items]
    if chunksize is None:
        chunksize = max(1, min(64, len(items) // (8 * workers)))
    with ProcessPoolExecutor(max_workers=workers, mp_context=_context()) as pool:
        return list(pool.map(func, items, chunksize=chunksize))

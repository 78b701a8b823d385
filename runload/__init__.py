"""runload — running training load from your own activity files.

Read GPX, FIT and TCX files (gzipped, in folders or in Strava / Garmin export
archives), build weekly mileage, flag the load patterns running-injury advice
warns about, and test whether they preceded logged back-pain episodes.

The public functions are imported lazily, so ``import runload`` stays fast for the
command line and for worker processes.
"""

from __future__ import annotations

import importlib
from typing import Any

from .errors import (
    HabitsLogError,
    PainLogError,
    ParameterError,
    ReadError,
    RunloadError,
    RunloadWarning,
    UnsafeInputError,
)

__version__ = "0.1.0"

# public name -> module that defines it
_LAZY = {
    "read_activities": "runload.io",
    "read_track": "runload.io",
    "problems": "runload.io",
    "inventory": "runload.io",
    "weekly_load": "runload.load",
    "daily_load": "runload.load",
    "session_spikes": "runload.load",
    "read_pain_log": "runload.pain",
    "associate": "runload.stats",
    "read_habits_log": "runload.habits",
    "weekly_habits": "runload.habits",
    "squad_audit": "runload.audit",
    "write_report": "runload.report",
    "write_audit": "runload.report",
    "write_sample_data": "runload.sample",
}

__all__ = [
    "__version__",
    "RunloadError",
    "ReadError",
    "UnsafeInputError",
    "PainLogError",
    "HabitsLogError",
    "ParameterError",
    "RunloadWarning",
    *_LAZY,
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'runload' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)

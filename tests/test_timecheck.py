"""The shared time rules: the impossible-speed rule (the other rules are tested through the
readers, in test_time_edges.py)."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from runload.io.timecheck import MAX_SPEED_M_S, SPEED_MESSAGE, speed_problems, time_problems

NAN = math.nan
START = pd.Timestamp("2024-05-01 07:00", tz="UTC")


@pytest.mark.parametrize(
    "distance, elapsed, moving, bad",
    [
        (4575.0, 57.0, 57.0, True),      # GPX with times on 5 of 296 points: 80 m/s
        (4575.0, 0.0, NAN, True),        # one timed point: no time at all for 4.6 km
        (42_195.0, 7299.0, 7299.0, False),   # a 2:01:39 marathon, 5.8 m/s
        (180_000.0, 4 * 3600.0, 3.9 * 3600.0, False),  # a fast 180 km ride, 12.5 m/s
        (30_000.0, 1000.0, 1000.0, False),   # 30 m/s exactly: allowed
        (30_001.0, 1000.0, 1000.0, True),
        (30_001.0, 1000.0, 2000.0, False),   # the longer time is used (lowest speed)
        (NAN, 57.0, 57.0, False),        # nothing to judge
        (0.0, 0.0, 0.0, False),
        (4575.0, NAN, NAN, False),
    ],
)
def test_speed_problems(distance, elapsed, moving, bad):
    found = speed_problems(distance, elapsed, moving)
    assert bool(found) == bad
    if bad:
        ((kind, message),) = found
        assert kind == "bad_time"
        assert SPEED_MESSAGE in message and "only part of the track" in message


def test_time_problems_leave_the_speed_to_the_ingest():
    # the readers judge times without the distance; the ingest applies speed_problems
    assert time_problems(START, 57.0, 57.0, sport=None) == []



def test_threshold_is_above_every_human_powered_average():
    hour_record_m_s = 56_792 / 3600  # cycling hour record, 2022
    assert MAX_SPEED_M_S > 1.5 * hour_record_m_s

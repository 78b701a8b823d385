"""An episode without an end is still going on (the template: "leave end empty while it lasts")."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest
from conftest import FIRST_MONDAY, WORKED, weekly_runs

from runload.errors import RunloadWarning
from runload.load import weekly_load
from runload.stats import associate

FIRST = pd.Timestamp(FIRST_MONDAY)
AS_OF = FIRST + pd.Timedelta(days=7 * len(WORKED) - 1)
COLUMNS = ["method", "exposure", "lag_weeks", "exposed_n", "exposed_events", "unexposed_n",
           "unexposed_events", "estimate", "p_value"]


def _log(onsets: list[int], ends: list[int | None]) -> pd.DataFrame:
    return pd.DataFrame({
        "athlete": ["ann"] * len(onsets),
        "onset": [FIRST + pd.Timedelta(days=d) for d in onsets],
        "end": [pd.NaT if e is None else FIRST + pd.Timedelta(days=e) for e in ends],
        "max_severity": [5.0] * len(onsets)})


@pytest.fixture(scope="module")
def weekly():
    return weekly_load(weekly_runs("ann", WORKED), as_of=AS_OF)


def test_an_open_episode_lasts_to_the_end_of_the_data(weekly):
    last_day = (AS_OF - FIRST).days
    with pytest.warns(RunloadWarning, match="without an end began more than 8 weeks"):
        open_ = associate(weekly, _log([9, 30], [12, None]))
    closed = associate(weekly, _log([9, 30], [12, last_day]))
    pd.testing.assert_frame_equal(open_[COLUMNS], closed[COLUMNS])
    one_day = associate(weekly, _log([9, 30], [12, 30]))
    lagged = "method == 'lagged_risk_ratio' and exposure == 'flag_ramp'"
    at_risk = int(open_.query(lagged)[["exposed_n", "unexposed_n"]].sum(axis=1).iloc[0])
    at_risk_one_day = int(one_day.query(lagged)[["exposed_n", "unexposed_n"]].sum(axis=1).iloc[0])
    assert at_risk < at_risk_one_day  # the weeks after the open onset are not at risk


def test_a_recent_open_episode_gives_no_warning(weekly):
    with warnings.catch_warnings():
        warnings.simplefilter("error", RunloadWarning)
        associate(weekly, _log([9, (AS_OF - FIRST).days - 20], [12, None]))

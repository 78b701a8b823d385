"""Whose episodes: a one-runner log named otherwise, and logs of other athletes only."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import FIRST_MONDAY, WORKED, weekly_runs

from runload.errors import RunloadWarning
from runload.load import weekly_load
from runload.stats import associate

FIRST = pd.Timestamp(FIRST_MONDAY)
AS_OF = FIRST + pd.Timedelta(days=7 * len(WORKED) - 1)


def _log(names: list[str], days: list[int]) -> pd.DataFrame:
    return pd.DataFrame({"athlete": names,
                         "onset": [FIRST + pd.Timedelta(days=d) for d in days],
                         "end": [FIRST + pd.Timedelta(days=d + 2) for d in days],
                         "max_severity": [5.0] * len(days)})


def test_a_one_runner_log_named_otherwise_is_that_runners_with_a_note():
    weekly = weekly_load(weekly_runs("export_31415926", WORKED), as_of=AS_OF)
    with pytest.warns(RunloadWarning, match="names one athlete, 'me'.*athlete='me'"):
        table = associate(weekly, _log(["me", "me"], [30, 72]))
    named = associate(weekly_load(weekly_runs("me", WORKED), as_of=AS_OF),
                      _log(["me", "me"], [30, 72]))
    columns = ["method", "exposure", "lag_weeks", "estimate", "p_value", "warning"]
    mine = table[table["athlete"] != "pooled"][columns].reset_index(drop=True)
    pd.testing.assert_frame_equal(mine, named[named["athlete"] != "pooled"][columns]
                                  .reset_index(drop=True))
    assert not table["warning"].fillna("").str.contains("no pain episodes").any()


def test_a_log_of_other_athletes_only_says_so_on_every_row():
    weekly = weekly_load(pd.concat([weekly_runs("ann", WORKED), weekly_runs("bob", WORKED)],
                                   ignore_index=True), as_of=AS_OF)
    with pytest.warns(RunloadWarning, match="'zoe'.*the athletes are ann, bob"):
        table = associate(weekly, _log(["zoe", "zoe"], [30, 72]))
    assert table["warning"].eq("none of the pain log's 2 episodes belongs to the weekly table "
                               "(other athletes' names, see the warning): nothing to relate "
                               "the load to").all()


def test_an_empty_log_still_says_the_log_is_empty():
    weekly = weekly_load(weekly_runs("ann", WORKED), as_of=AS_OF)
    table = associate(weekly, _log([], []))
    assert table["warning"].eq("no pain episodes in the log: nothing to relate the load to").all()


def test_two_names_for_one_runner_are_not_guessed():
    weekly = weekly_load(weekly_runs("ann", WORKED), as_of=AS_OF)
    with pytest.warns(RunloadWarning, match="athletes without weekly data ignored"):
        table = associate(weekly, _log(["me", "you"], [30, 72]))
    assert table["warning"].str.startswith("none of the pain log's 2 episodes").all()

"""Reasons and warnings of the association rows: exposures never recorded, tiny groups."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from runload.columns import WEEKLY, conform
from runload.stats import associate
from runload.stats.summary import MIN_GROUP_WEEKS, not_estimable_reason, sparse_group, warning_line

START = pd.Timestamp("2024-01-01")  # a Monday


def weekly(weeks=20, ramp=(2, 5, 9, 14), **extra) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "athlete": "a",
            "week_start": START + pd.to_timedelta(np.arange(weeks) * 7, unit="D"),
            "distance_m": np.linspace(20_000, 40_000, weeks),
            "complete": [False] + [True] * (weeks - 2) + [False],
            "flag_ramp": np.isin(np.arange(weeks), ramp),
            **extra,
        }
    )
    return conform(frame, WEEKLY)


def episodes() -> pd.DataFrame:
    # onsets in weeks 6 and 14; weeks 6-10 and 14-18 are in an episode or its washout
    return pd.DataFrame({"athlete": "a", "onset": pd.to_datetime(["2024-02-14", "2024-04-10"]),
                         "end": pd.to_datetime(["2024-02-18", "2024-04-12"]), "max_severity": [5.0, 3.0]})


def row_of(table, exposure, method="lagged_risk_ratio"):
    rows = table.loc[(table["exposure"] == exposure) & (table["method"] == method)]
    assert len(rows) == 1
    return rows.iloc[0]


def test_a_habit_never_recorded_says_so_not_no_onset():
    never = pd.array([pd.NA] * 20, dtype="boolean")
    table = associate(weekly(flag_no_strides=never), episodes(), methods=("lagged", "case_crossover"),
                      n_permutations=0)
    for method, ratio in (("lagged_risk_ratio", "risk ratio"), ("case_crossover", "odds ratio")):
        row = row_of(table, "flag_no_strides", method)
        assert row["exposed_n"] == 0 and row["unexposed_n"] == 0
        assert row["summary"].endswith(f"{ratio} not estimable (no week had this recorded)")
        assert row["warning"] == "not estimable: no week had this recorded"
        assert "no new pain onset" not in row["summary"] + row["warning"]
    # the same log has onsets: the ramp rows are estimable
    assert row_of(table, "flag_ramp")["exposed_events"] + row_of(table, "flag_ramp")["unexposed_events"] == 2


def test_recorded_only_in_pain_weeks_is_not_no_onset():
    # recorded only in weeks 6-10 (an episode and its washout): no week at risk has it
    only_in_pain = pd.array([False if 6 <= t <= 10 else pd.NA for t in range(20)], dtype="boolean")
    table = associate(weekly(flag_x=only_in_pain), episodes(), methods=("lagged",), n_permutations=0)
    row = row_of(table, "flag_x")
    assert row["warning"] == ("not estimable: no week with this recorded was at risk (they all fell "
                              "in or just after a pain episode)")


def test_every_week_flagged_and_no_week_flagged():
    table = associate(weekly(flag_always=np.ones(20, bool), flag_never=np.zeros(20, bool)), episodes(),
                      methods=("lagged",), n_permutations=0)
    assert row_of(table, "flag_always")["warning"] == (
        "not estimable: every week at risk was flagged, none without it to compare with")
    assert row_of(table, "flag_never")["warning"] == (
        "not estimable: no week at risk was flagged, so there is nothing to compare")


def test_no_onset_is_the_reason_only_when_both_groups_exist():
    row = {"method": "lagged_risk_ratio", "athlete": "a", "estimate": np.nan, "exposed_n": 10,
           "exposed_events": 0, "unexposed_n": 40, "unexposed_events": 0, "recorded_weeks": 50}
    assert not_estimable_reason(row) == "no new pain onset among the weeks at risk"
    assert not_estimable_reason({**row, "recorded_weeks": 0}) == "no week had this recorded"
    assert not_estimable_reason({**row, "exposed_n": 0}).startswith("no week at risk was flagged")
    dose = {**row, "method": "dose_response", "exposed_n": 0}
    assert not_estimable_reason(dose).startswith("no week at risk fell in this category")
    cc = {**row, "method": "case_crossover", "exposed_n": 0, "unexposed_n": 0, "onsets": 0}
    assert not_estimable_reason(cc) == "no new pain onset among the weeks at risk"
    assert not_estimable_reason({**cc, "onsets": 3}).startswith("no pain onset had this recorded")


def test_a_single_exposed_week_carries_a_sparse_data_warning():
    # one ramp week, the week before the first onset: "1 of 1 week ... risk ratio" large
    table = associate(weekly(ramp=(5,)), episodes(), methods=("lagged",), n_permutations=0, min_events=1)
    row = row_of(table, "flag_ramp")
    assert (row["exposed_events"], row["exposed_n"]) == (1, 1)
    assert row["estimate"] > 1
    assert row["warning"].startswith("only 1 flagged week at risk (1 onset after it): too few for a "
                                     "reliable ratio")
    assert "sparse data" in row["warning"]


def _ratio_row(**kw):
    row = {"method": "lagged_risk_ratio", "athlete": "a", "exposure": "flag_acwr", "lag_weeks": 1,
           "estimate": 11.0, "ci_low": 0.47, "ci_high": 74.0, "exposed_n": 1, "exposed_events": 1,
           "unexposed_n": 66, "unexposed_events": 6}
    return {**row, **kw}


@pytest.mark.parametrize(
    ("kw", "start"),
    [
        ({}, "only 1 flagged week at risk (1 onset after it)"),
        ({"exposed_n": 66, "exposed_events": 6, "unexposed_n": 3, "unexposed_events": 1,
          "estimate": 0.3, "ci_low": 0.05, "ci_high": 4.0}, "only 3 unflagged weeks at risk (1 onset after them)"),
        ({"method": "dose_response", "exposed_n": 3, "exposed_events": 2},
         "only 3 weeks at risk in this category (2 onsets after them)"),
        ({"method": "case_crossover", "exposed_n": 2, "exposed_events": 1, "unexposed_n": 20,
          "unexposed_events": 6}, "only 2 flagged weeks among the onsets' and comparison weeks (1 case among them)"),
    ],
)
def test_sparse_group_warning(kw, start):
    """The demo's flag_acwr row ("1 of 1 week ... against 6 of 66; risk ratio 11
    (0.47-74)") had no warning although the total of 7 onsets passed min_events."""
    row = _ratio_row(**kw)
    assert warning_line(row).startswith(start)
    assert sparse_group(row) == warning_line(row)


def test_no_sparse_warning_with_enough_weeks_in_both_groups():
    row = _ratio_row(exposed_n=MIN_GROUP_WEEKS, exposed_events=2, estimate=2.0, ci_low=0.4, ci_high=9.0)
    assert warning_line(row) is None
    assert warning_line(row, min_group_weeks=MIN_GROUP_WEEKS + 1).startswith("only 5 flagged weeks")
    # too few onsets in total stays the first warning
    assert warning_line(_ratio_row(unexposed_events=2)).startswith("only 3 pain onsets")
    # not for the regression and correlation rows
    assert sparse_group({**_ratio_row(), "method": "conditional_logit", "unexposed_n": pd.NA}) is None
    assert sparse_group({**_ratio_row(), "method": "lagged_correlation"}) is None

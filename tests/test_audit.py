"""The coach's squad audit on hand-made squads with known answers (real weekly_load)."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import FIRST_MONDAY, WORKED
from conftest import weekly_runs as activities

from runload.audit import AUDIT, squad_audit
from runload.errors import ParameterError
from runload.load import weekly_load

# WORKED is the DESIGN.md worked example (km per Monday-Sunday week, one run each Wednesday):
# week 3 breaks the 10% rule, week 4 is a recovery week, week 9 is the fifth build
# week in a row (missing recovery), weeks 10-11 are recovery weeks (0 km).
# three weeks of 30 km, then a recovery week of 24 km (20% lower), and again
STEADY = [30, 30, 30, 24] * 3 + [30, 30]
FIRST = pd.Timestamp(FIRST_MONDAY)


@pytest.fixture(scope="module")
def squad_weekly() -> pd.DataFrame:
    acts = pd.concat([activities("ann", WORKED), activities("bob", STEADY)], ignore_index=True)
    return weekly_load(acts, as_of=FIRST + pd.Timedelta(days=7 * len(WORKED) - 1))


def test_columns_and_one_row_per_athlete(squad_weekly):
    audit = squad_audit(squad_weekly)
    assert list(audit.columns) == list(AUDIT)
    assert sorted(audit["athlete"]) == ["ann", "bob"]
    for name, (dtype, _) in AUDIT.items():
        assert str(audit[name].dtype) == dtype, name


def test_known_answers_at_week_9(squad_weekly):
    # as of the Sunday of week 9: ann has just run her fifth build week in a row
    as_of = FIRST + pd.Timedelta(days=7 * 9 + 6)
    audit = squad_audit(squad_weekly, as_of=as_of).set_index("athlete")
    ann, bob = audit.loc["ann"], audit.loc["bob"]
    assert ann["current_week"] == FIRST + pd.Timedelta(days=63)
    assert ann["current_distance_m"] == 50_000
    assert "missing_recovery" in ann["active_flags"].split(", ")
    assert ann["weeks_since_recovery"] == 5  # the recovery week was week 4
    # the 4 full weeks 6-9 (42+45+48+50) against weeks 2-5 (35+39+30+39)
    assert ann["distance_4wk_m"] == 185_000
    assert ann["trend_pct"] == pytest.approx(100 * (185 - 143) / 143)
    assert bob["active_flags"] == "" and bob["risk"] == "low" and bob["risk_score"] == 0
    assert bob["weeks_since_recovery"] == 2  # week 7
    assert bob["trend_pct"] == pytest.approx(0.0)
    assert list(audit.index) == ["ann", "bob"]  # riskiest first


def test_recent_pain_raises_the_risk(squad_weekly):
    as_of = FIRST + pd.Timedelta(days=7 * 9 + 6)
    episodes = pd.DataFrame({
        "athlete": ["bob", "bob", "ann"],
        "onset": pd.to_datetime(["2024-02-20", "2023-06-01", "2023-05-01"]),
        "end": pd.to_datetime(["2024-02-27", "2023-06-10", "2023-05-03"]),
    })
    audit = squad_audit(squad_weekly, episodes, as_of=as_of).set_index("athlete")
    assert bool(audit.loc["bob", "pain_recent"]) and not bool(audit.loc["ann", "pain_recent"])
    assert audit.loc["bob", "pain_episodes"] == 2
    assert audit.loc["bob", "last_pain_onset"] == pd.Timestamp("2024-02-20")
    assert audit.loc["bob", "risk_score"] == 2
    assert audit.loc["bob", "risk"] == "moderate"
    # pain that ended more than pain_weeks before as_of is not recent
    later = squad_audit(squad_weekly, episodes, as_of=as_of, pain_weeks=1).set_index("athlete")
    assert not bool(later.loc["bob", "pain_recent"])


def test_accepts_activities_and_a_mapping():
    ann, bob = activities("ann", WORKED), activities("bob", STEADY)
    ann.attrs["problems"] = [{"source": "ann/x.fit", "kind": "truncated", "message": "short",
                              "salvaged": True}]
    by_mapping = squad_audit({"ann": ann, "bob": bob}, as_of="2024-03-10").set_index("athlete")
    assert by_mapping.loc["ann", "data_problems"] == 1
    assert by_mapping.loc["bob", "data_problems"] == 0
    weekly = weekly_load(pd.concat([ann, bob], ignore_index=True), as_of="2024-03-10")
    by_weekly = squad_audit(weekly, as_of="2024-03-10", problems={"ann": 1}).set_index("athlete")
    assert pd.isna(by_weekly.loc["bob", "data_problems"])
    steady = squad_audit({"bob": weekly_load(activities("bob", [30] * 10))}).iloc[0]
    assert pd.isna(steady["weeks_since_recovery"])  # never a recovery week
    assert "missing_recovery" in steady["active_flags"]
    for column in ("current_distance_m", "distance_4wk_m", "trend_pct", "active_flags",
                   "weeks_since_recovery"):
        assert by_mapping[column].equals(by_weekly[column]), column


def test_an_athlete_whose_data_stopped_counts_zero(squad_weekly):
    stopped = activities("cy", [20, 22, 24])
    weekly = pd.concat([squad_weekly, weekly_load(stopped)], ignore_index=True)
    audit = squad_audit(weekly).set_index("athlete")
    assert audit.loc["cy", "current_distance_m"] == 0
    assert audit.loc["cy", "current_week"] == audit.loc["ann", "current_week"]
    assert audit.loc["cy", "last_activity_week"] == FIRST + pd.Timedelta(days=14)


def test_does_not_modify_its_input(squad_weekly):
    before = squad_weekly.copy()
    squad_audit(squad_weekly, as_of="2024-02-01")
    pd.testing.assert_frame_equal(squad_weekly, before)


def test_empty_and_bad_input(squad_weekly):
    empty = squad_audit(squad_weekly.iloc[0:0])
    assert empty.empty and list(empty.columns) == list(AUDIT)
    with pytest.raises(ParameterError, match="recent_weeks"):
        squad_audit(squad_weekly, recent_weeks=0)
    with pytest.raises(ParameterError, match="as_of"):
        squad_audit(squad_weekly, as_of="not a date")
    with pytest.raises(ParameterError, match="mapping"):
        squad_audit([squad_weekly])
    with pytest.raises(ParameterError, match="neither a weekly table"):
        squad_audit({"x": pd.DataFrame({"a": [1]})})


def test_data_problems_counts_files_not_problem_rows():
    ann, bob = activities("ann", WORKED), activities("bob", STEADY)
    rows = [{"source": "ann/x.fit", "kind": "truncated", "message": "short", "salvaged": True},
            {"source": "ann/x.fit", "kind": "bad_crc", "message": "crc", "salvaged": True},
            {"source": "ann/y.gpx", "kind": "malformed_xml", "message": "ends early", "salvaged": False}]
    ann.attrs["problems"] = rows
    by_mapping = squad_audit({"ann": ann, "bob": bob}, as_of="2024-03-10").set_index("athlete")
    assert by_mapping.loc["ann", "data_problems"] == 2
    weekly = weekly_load(pd.concat([ann, bob], ignore_index=True), as_of="2024-03-10")
    table = pd.DataFrame(rows)
    by_weekly = squad_audit(weekly, as_of="2024-03-10", problems={"ann": table}).set_index("athlete")
    assert by_weekly.loc["ann", "data_problems"] == 2
    together = pd.concat([ann, bob], ignore_index=True)
    together.attrs["problems"] = rows
    by_folder = squad_audit(together, as_of="2024-03-10").set_index("athlete")
    assert by_folder.loc["ann", "data_problems"] == 2
    assert by_folder.loc["bob", "data_problems"] == 0

"""Whose habits and pain: weekly_habits and the habits functions match the logs' athletes
to the weekly table's as runload.associate and the command line do."""

from __future__ import annotations

import io
import warnings

import pandas as pd
import pytest

from runload.errors import RunloadWarning
from runload.habits import HABITS_WEEKLY, read_habits_log, rehab_adherence, run_shoes, weekly_habits
from runload.load import weekly_load

MONDAY = pd.Timestamp("2024-03-04")
COLUMNS = list(HABITS_WEEKLY)


def day(week: int, weekday: int) -> str:
    return (MONDAY + pd.Timedelta(days=7 * week + weekday)).strftime("%Y-%m-%d")


def act(date: str, sport: str, athlete: str, time_s: float = 2700.0) -> dict:
    return {
        "athlete": athlete, "activity_id": f"{athlete}-{date}-{sport}", "source": "hand-made",
        "format": "fit", "sport": sport, "start_time": pd.Timestamp(f"{date} 07:00", tz="UTC"),
        "utc_offset_s": 0, "elapsed_time_s": time_s, "moving_time_s": time_s,
        "distance_m": 0.0 if sport == "strength_training" else 8000.0, "gear": None,
        "duplicate_of": None,
    }


def activities(*athletes: str) -> pd.DataFrame:
    rows = [act(day(w, d), "running", a) for a in athletes for w in range(6) for d in (0, 2, 4)]
    return pd.DataFrame(rows)


def habits_log(*names: str | None) -> pd.DataFrame:
    """Core, strength and rehab rows; one name per row block (None: no athlete column)."""
    blocks = [f"{day(2, 1)},core,15\n{day(2, 3)},strength,30\n{day(3, 3)},rehab,20\n"
              f"{day(4, 1)},rehab,20\n"]
    if names == (None,):
        return read_habits_log(io.StringIO("date,kind,minutes\n" + blocks[0]), today="2030-01-01")
    text = "athlete,date,kind,minutes\n" + "".join(
        "".join(f"{name},{line}\n" for line in blocks[0].splitlines()) for name in names)
    return read_habits_log(io.StringIO(text), today="2030-01-01")


def episodes(*names: str | None) -> pd.DataFrame:
    return pd.DataFrame({"athlete": pd.array(list(names), dtype="string"),
                         "onset": [pd.Timestamp(day(2, 0))] * len(names),
                         "end": [pd.Timestamp(day(2, 2))] * len(names)})


def build(acts, habits, eps):
    weekly = weekly_load(acts, as_of=day(5, 6))
    return weekly_habits(weekly, acts, habits=habits, episodes=eps)


def quiet_build(acts, habits, eps):
    with warnings.catch_warnings():
        warnings.simplefilter("error", RunloadWarning)
        return build(acts, habits, eps)


@pytest.fixture(scope="module")
def dario_named():
    """The reference: the runner's logs named with the runner's own name, no warning."""
    return quiet_build(activities("dario"), habits_log("dario"), episodes("dario"))


def test_logs_named_me_count_as_the_runners_with_a_note(dario_named):
    with pytest.warns(RunloadWarning) as caught:
        table = build(activities("dario"), habits_log("me"), episodes("me"))
    messages = [str(w.message) for w in caught if issubclass(w.category, RunloadWarning)]
    for what in ("habits log", "pain log"):
        (message,) = [m for m in messages if m.startswith(f"the {what} names one athlete")]
        assert "'me'" in message and "'dario'" in message and "athlete='me'" in message
    pd.testing.assert_frame_equal(table[COLUMNS], dario_named[COLUMNS])
    # core work counts core and rehab rows (1 + 2)
    assert table["core_sessions"].sum() == 3
    assert table["flag_no_core_after_pain"].notna().any()
    assert table["rehab_sessions"].sum() == 2


def test_the_warning_points_at_the_caller():
    with pytest.warns(RunloadWarning, match="names one athlete") as caught:
        build(activities("dario"), habits_log("me"), None)
    assert all(w.filename == __file__ for w in caught)


def test_logs_without_athlete_column_keep_working(dario_named):
    table = quiet_build(activities("dario"), habits_log(None), episodes(None))
    pd.testing.assert_frame_equal(table[COLUMNS], dario_named[COLUMNS])


def test_a_squad_log_with_an_unknown_name_warns_and_names_it():
    acts = activities("bea", "gus")
    with pytest.warns(RunloadWarning) as caught:
        table = build(acts, habits_log("bea", "Gus"), episodes("bea", "Gus"))
    messages = [str(w.message) for w in caught]
    (habits,) = [m for m in messages if m.startswith("4 habits-log row(s) of athletes without")]
    (pain,) = [m for m in messages if m.startswith("1 pain episode(s) of athletes without")]
    for message in (habits, pain):
        assert "'Gus' (did you mean 'gus'?)" in message and "the athletes are bea, gus" in message
    gus = table[table["athlete"] == "gus"]
    assert gus["core_sessions"].isna().all() and gus["weeks_since_pain"].isna().all()
    bea = table[table["athlete"] == "bea"]
    assert bea["core_sessions"].sum() == 3 and bea["weeks_since_pain"].notna().any()


def test_two_names_for_one_runner_are_not_guessed():
    with pytest.warns(RunloadWarning) as caught:
        table = build(activities("dario"), habits_log("me", "Dario M"), episodes("me", "dm"))
    messages = [str(w.message) for w in caught]
    assert not any("names one athlete" in m for m in messages)
    (habits,) = [m for m in messages if "habits-log row(s) of athletes without weekly" in m]
    assert "'Dario M'" in habits and "'me'" in habits and habits.startswith("8 ")
    (pain,) = [m for m in messages if "pain episode(s) of athletes without weekly" in m]
    assert "'dm'" in pain and "'me'" in pain
    assert table["core_sessions"].isna().all()  # no log of dario's: not recorded
    assert table["weeks_since_pain"].isna().all()


def test_one_name_and_the_runners_own_are_not_merged():
    with pytest.warns(RunloadWarning, match="of athletes without weekly data ignored: 'me'"):
        table = build(activities("dario"), habits_log("dario", "me"), None)
    assert table["core_sessions"].sum() == 3  # dario's rows only


def test_run_shoes_takes_a_one_runner_log_named_me():
    acts = activities("dario")
    shoes = read_habits_log(io.StringIO(f"athlete,date,kind,value\nme,{day(1, 0)},shoes,Pegasus\n"),
                            today="2030-01-01")
    with pytest.warns(RunloadWarning, match="names one athlete, 'me'"):
        runs = run_shoes(acts, habits=shoes)
    assert runs.loc[runs["date"] == pd.Timestamp(day(1, 0)), "shoe"].tolist() == ["Pegasus"]


def test_rehab_adherence_matches_the_log_to_the_episodes():
    log = habits_log("me")
    with pytest.warns(RunloadWarning, match="names one athlete, 'me'.*'dario'"):
        named_me = rehab_adherence(episodes("dario"), log, programme_weeks=3)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RunloadWarning)
        reference = rehab_adherence(episodes("dario"), habits_log("dario"), programme_weeks=3)
        # a squad log: rows of athletes without episodes are simply not theirs
        squad = rehab_adherence(episodes("dario"), habits_log("dario", "bea"), programme_weeks=3)
        # two logs without names are one runner's
        unnamed = rehab_adherence(episodes(None), habits_log(None), programme_weeks=3)
    pd.testing.assert_frame_equal(named_me, reference)
    pd.testing.assert_frame_equal(squad, reference)
    assert unnamed["athlete"].isna().all()
    pd.testing.assert_frame_equal(unnamed.drop(columns="athlete"), reference.drop(columns="athlete"))
    assert reference["rehab_sessions"].tolist() == [2]

"""weekly_habits on hand-built weeks with known habit values; the rules; associate on it."""

from __future__ import annotations

import io
import shutil
import warnings
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import runload
from runload.errors import ParameterError
from runload.habits import (
    EVIDENCE,
    HABIT_NAMES,
    HABITS_WEEKLY,
    read_garmin_sleep,
    read_habits_log,
    rehab_adherence,
    rehab_recurrence,
    rules,
    run_shoes,
    shoe_distance,
    weekly_habits,
)

ROOT = Path(__file__).resolve().parents[1]
GARMIN = ROOT / "tests" / "data" / "habits" / "garmin"
MONDAY = pd.Timestamp("2024-03-04")


def day(week: int, weekday: int) -> str:
    return (MONDAY + pd.Timedelta(days=7 * week + weekday)).strftime("%Y-%m-%d")


def act(date, sport, distance_m=8000.0, time_s=2700.0, gear=None, athlete="me", hour=7):
    return {
        "athlete": athlete, "activity_id": f"{athlete}-{date}-{sport}-{distance_m}-{hour}",
        "source": "hand-made", "format": "fit", "sport": sport,
        "start_time": pd.Timestamp(f"{date} {hour:02d}:00", tz="UTC"), "utc_offset_s": 0,
        "elapsed_time_s": time_s, "moving_time_s": time_s, "distance_m": distance_m,
        "gear": gear, "duplicate_of": None,
    }


def log(text: str) -> pd.DataFrame:
    return read_habits_log(io.StringIO(text), today="2030-01-01")


def scenario():
    """Six weeks (the first and last incomplete) with known habits."""
    rows = []
    for w in range(6):
        rows += [act(day(w, 0), "running", gear="A"),
                 act(day(w, 2), "trail_running" if w % 2 else "running", gear="B" if w < 3 else "A"),
                 act(day(w, 4), "running", 12000.0, gear="A")]
        if w % 2:
            rows += [act(day(w, 1), "cycling", 20000.0, 3600.0),
                     act(day(w, 3), "strength_training", 0.0, 1500.0),
                     act(day(w, 5), "strength_training", 0.0, 1500.0)]
    acts = pd.DataFrame(rows)
    habits = log(
        "date,kind,minutes,value\n"
        f"{day(1, 1)},sleep,,6.5\n{day(1, 2)},sleep,400,\n{day(1, 3)},sleep,,6\n"
        f"{day(2, 1)},strides,,5\n"
        f"{day(2, 2)},core,15,\n"
        f"{day(3, 3)},rehab,20,\n"
    )
    episodes = pd.DataFrame({"athlete": ["me"], "onset": [pd.Timestamp(day(2, 0))],
                             "end": [pd.Timestamp(day(2, 2))]})
    return acts, habits, episodes


@pytest.fixture(scope="module")
def built():
    acts, habits, episodes = scenario()
    weekly = runload.weekly_load(acts)
    return weekly, weekly_habits(weekly, acts, habits=habits, episodes=episodes)


def column(frame, name):
    return frame[name].astype(object).where(frame[name].notna(), None).tolist()


def test_columns_added_after_the_weekly_ones(built):
    weekly, out = built
    assert list(out.columns) == [*weekly.columns, *HABITS_WEEKLY]
    for name, (dtype, _) in HABITS_WEEKLY.items():
        assert str(out[name].dtype) == dtype, name
    pd.testing.assert_frame_equal(out[list(weekly.columns)], weekly)
    assert out.attrs["parameters"] == weekly.attrs["parameters"]
    assert out.attrs["habit_parameters"]["min_strength_sessions"] == 2


def test_known_habit_values(built):
    _, out = built
    cross = 3600.0 / (3 * 2700.0 + 3600.0 + 3000.0)
    np.testing.assert_allclose(out["cross_training_share"], [0, cross, 0, cross, 0, cross])
    np.testing.assert_allclose(out["trail_share"], [0, 8 / 28, 0, 8 / 28, 0, 8 / 28])
    assert out["strength_sessions_counted"].tolist() == [0, 2, 0, 2, 0, 2]  # 15-min core: too short
    assert out["strength_time_s"].tolist() == [0, 3000, 900, 3000, 0, 3000]
    assert column(out, "core_sessions") == [0, 0, 1, 1, 0, 0]  # rehab is core work
    assert column(out, "rehab_sessions") == [0, 0, 0, 1, 0, 0]
    assert column(out, "weeks_since_pain") == [None, None, 0, 1, 2, 3]
    assert column(out, "stride_sets") == [0, 0, 1, 0, 0, 0]  # the log has strides rows
    assert column(out, "strides") == [0, 0, 5, 0, 0, 0]
    assert column(out, "shoes_used") == [2, 2, 2, 1, 1, 1]
    assert out["sleep_nights"].tolist() == [0, 3, 0, 0, 0, 0]
    assert column(out, "short_sleep_nights") == [None, 3, None, None, None, None]
    assert out["mean_sleep_s"].iloc[1] == pytest.approx((6.5 * 3600 + 400 * 60 + 6 * 3600) / 3)
    # the 8-week rehab programme has not ended when the log stops: not judged
    assert column(out, "rehab_completed") == [None] * 6


def test_known_flags(built):
    _, out = built
    na = None
    expected = {
        "flag_no_cross_training": [na, False, True, False, True, na],
        "flag_low_strength": [na, False, True, False, True, na],
        "flag_no_core_after_pain": [na, na, na, False, True, na],
        "flag_rehab_incomplete": [na] * 6,
        "flag_no_strides": [na, True, False, True, True, na],
        "flag_no_shoe_rotation": [na, False, False, True, True, na],
        "flag_short_sleep": [na, True, na, na, na, na],
        "flag_no_trail": [na, False, True, False, True, na],
    }
    for name, values in expected.items():
        assert column(out, name) == values, name


def test_same_rows_same_index_and_nothing_mutated():
    acts, habits, episodes = scenario()
    weekly = runload.weekly_load(acts)
    shuffled = weekly.sample(frac=1.0, random_state=1).set_axis([f"w{i}" for i in range(len(weekly))])
    before = (shuffled.copy(), acts.copy(), habits.copy(), episodes.copy())
    out = weekly_habits(shuffled, acts, habits=habits, episodes=episodes)
    assert out.index.tolist() == shuffled.index.tolist()
    reference = weekly_habits(weekly, acts, habits=habits, episodes=episodes)
    again = out.sort_values("week_start").reset_index(drop=True)
    pd.testing.assert_frame_equal(again, reference, check_like=False)
    for frame, copy in zip((shuffled, acts, habits, episodes), before, strict=True):
        pd.testing.assert_frame_equal(frame, copy)


def test_associate_accepts_every_habit_flag():
    rows, habit_rows, onsets = [], [], []
    rng = np.random.default_rng(7)
    for w in range(60):
        for d in (0, 2, 4):
            rows.append(act(day(w, d), "trail_running" if rng.random() < 0.3 else "running",
                            gear="A" if rng.random() < 0.7 else "B"))
        if rng.random() < 0.5:
            rows.append(act(day(w, 1), "cycling", 20000.0, 3600.0))
        if rng.random() < 0.5:
            rows.append(act(day(w, 3), "strength_training", 0.0, 1800.0))
        for d in range(7):
            habit_rows.append(f"{day(w, d)},sleep,,{rng.uniform(5.5, 8.5):.1f}")
        if rng.random() < 0.6:
            habit_rows.append(f"{day(w, 5)},core,20,")
        if rng.random() < 0.5:
            habit_rows.append(f"{day(w, 2)},strides,,5")
    for w in (8, 20, 33, 47):
        onsets.append((pd.Timestamp(day(w, 2)), pd.Timestamp(day(w, 6))))
    acts = pd.DataFrame(rows)
    habits = log("date,kind,minutes,value\n" + "\n".join(habit_rows) + "\n")
    episodes = pd.DataFrame({"athlete": "me", "onset": [o for o, _ in onsets],
                             "end": [e for _, e in onsets]})
    weekly = runload.weekly_load(acts)
    table = weekly_habits(weekly, acts, habits=habits, episodes=episodes)
    result = runload.associate(table, episodes, n_permutations=0)
    exposures = set(result["exposure"])
    for flag in ("flag_no_cross_training", "flag_low_strength", "flag_no_core_after_pain",
                 "flag_no_strides", "flag_no_shoe_rotation", "flag_short_sleep", "flag_no_trail",
                 "flag_ramp"):
        assert flag in exposures, flag
    lagged = result.loc[(result["method"] == "lagged_risk_ratio")
                        & (result["exposure"] == "flag_short_sleep")].iloc[0]
    judged = int(table["flag_short_sleep"].notna().sum())
    assert 0 < lagged["exposed_n"] + lagged["unexposed_n"] <= judged


def test_strength_counts_once_per_day_and_needs_the_minimum_length():
    acts = pd.DataFrame([act(day(w, 0), "running") for w in range(3)]
                        + [act(day(1, 1), "strength_training", 0.0, 1500.0),
                           act(day(1, 3), "strength_training", 0.0, 600.0)])
    habits = log("date,kind,minutes\n"
                 f"{day(1, 1)},strength,25\n"  # also recorded by the watch: counted once
                 f"{day(1, 4)},strength,\n"  # length unknown: counted
                 f"{day(1, 5)},core,10\n")  # too short
    weekly = runload.weekly_load(acts)
    out = weekly_habits(weekly, acts, habits=habits)
    assert out["strength_sessions_counted"].tolist() == [0, 2, 0]
    assert out["strength_time_s"].tolist() == [0.0, 1500 + 600 + 600, 0.0]
    assert column(out, "flag_low_strength") == [None, False, None]
    assert weekly_habits(weekly, acts, habits=habits, min_strength_session_s=300)[
        "strength_sessions_counted"].tolist() == [0, 4, 0]


def test_without_log_or_episodes_the_log_habits_are_not_judged():
    acts, _, episodes = scenario()
    weekly = runload.weekly_load(acts)
    out = weekly_habits(weekly, acts)
    for name in ("core_sessions", "rehab_sessions", "stride_sets", "strides"):
        assert out[name].isna().all(), name
    for name in ("flag_no_core_after_pain", "flag_rehab_incomplete", "flag_no_strides",
                 "flag_short_sleep"):
        assert out[name].isna().all(), name
    assert out["flag_low_strength"].notna().sum() == 4
    with_pain = weekly_habits(weekly, acts, episodes=episodes)
    assert column(with_pain, "weeks_since_pain") == [None, None, 0, 1, 2, 3]
    assert with_pain["flag_no_core_after_pain"].isna().all()  # no log: core unknown


def test_detected_strides_join_the_week():
    acts, _, _ = scenario()
    weekly = runload.weekly_load(acts)
    runs = acts.loc[acts["sport"].isin(runload.columns.RUNNING_SPORTS)]
    detected = pd.DataFrame({
        "athlete": runs["athlete"], "activity_id": runs["activity_id"],
        "start_time": runs["start_time"], "utc_offset_s": runs["utc_offset_s"],
        "strides": pd.array([5 if d == day(3, 2) else 0 for d in runs["start_time"].dt.strftime("%Y-%m-%d")],
                            dtype="Int64"),
        "stride_sets": pd.array([1 if d == day(3, 2) else 0
                                 for d in runs["start_time"].dt.strftime("%Y-%m-%d")], dtype="Int64"),
    })
    out = weekly_habits(weekly, acts, strides=detected)
    assert column(out, "stride_sets") == [0, 0, 0, 1, 0, 0]
    assert column(out, "flag_no_strides") == [None, True, True, False, True, None]


def test_sleep_from_a_garmin_export_folder_and_zip(tmp_path):
    nights = read_garmin_sleep(GARMIN)
    assert nights["date"].dt.strftime("%Y-%m-%d").tolist() == [
        "2024-03-12", "2024-03-13", "2024-03-14", "2024-03-16"]  # off-wrist night dropped
    assert nights["sleep_s"].tolist() == [21600.0, 27000.0, 19800.0, 30600.0]
    archive = tmp_path / "garmin_export.zip"
    shutil.make_archive(str(archive.with_suffix("")), "zip", GARMIN)
    with zipfile.ZipFile(archive) as zf:
        assert any("sleepData" in n for n in zf.namelist())
    pd.testing.assert_frame_equal(read_garmin_sleep(archive).drop(columns="source"),
                                  nights.drop(columns="source"))
    with pytest.raises(runload.ReadError):
        read_garmin_sleep(tmp_path / "missing")


def test_sleep_weekly_and_the_log_wins_for_the_same_night():
    acts, _, _ = scenario()
    weekly = runload.weekly_load(acts)
    out = weekly_habits(weekly, acts, sleep=GARMIN)
    assert out["sleep_nights"].tolist() == [0, 4, 0, 0, 0, 0]
    assert column(out, "short_sleep_nights") == [None, 2, None, None, None, None]
    assert out["mean_sleep_s"].iloc[1] == pytest.approx(99000 / 4)
    assert column(out, "flag_short_sleep")[1] is True  # 6 h 52 min on average
    corrected = log(f"date,kind,value\n{day(1, 1)},sleep,9\n")  # 2024-03-12: 9 h, not 6 h
    both = weekly_habits(weekly, acts, sleep=GARMIN, habits=corrected)
    assert both["mean_sleep_s"].iloc[1] == pytest.approx((99000 - 21600 + 32400) / 4)
    assert column(both, "flag_short_sleep")[1] is False
    nine = weekly_habits(weekly, acts, sleep=GARMIN, habits=corrected, min_sleep_s=9 * 3600)
    assert column(nine, "flag_short_sleep")[1] is True


def test_shoes_from_gear_and_log():
    acts = pd.DataFrame([act(day(0, 0), "running", gear="Pegasus"),
                         act(day(0, 2), "running", 10000.0),
                         act(day(0, 4), "running", 20000.0, gear=" "),
                         act(day(1, 0), "running", 5000.0, gear="Pegasus")])
    habits = log(f"date,kind,value\n{day(0, 2)},shoes,Speed\n{day(0, 4)},shoes,Pegasus\n")
    shoes = run_shoes(acts, habits=habits)
    assert shoes["shoe"].tolist() == ["Pegasus", "Speed", "Pegasus", "Pegasus"]
    per = shoe_distance(acts, habits=habits)
    assert per[["shoe", "runs", "distance_m", "total_distance_m"]].values.tolist() == [
        ["Pegasus", 2, 28000.0, 28000.0], ["Speed", 1, 10000.0, 10000.0],
        ["Pegasus", 1, 5000.0, 33000.0]]
    assert run_shoes(acts)["shoe"].isna().tolist() == [False, True, True, False]


def test_rehab_adherence_and_recurrence():
    episodes = pd.DataFrame({"athlete": "me",
                             "onset": pd.to_datetime(["2024-01-01", "2024-05-01", "2024-06-20"]),
                             "end": pd.to_datetime(["2024-01-10", "2024-05-05", "2024-06-25"])})
    full = [f"{(pd.Timestamp('2024-01-01') + pd.Timedelta(days=7 * k + 1)):%Y-%m-%d},rehab,30"
            for k in range(8)]
    stopped = [f"{(pd.Timestamp('2024-05-01') + pd.Timedelta(days=7 * k)):%Y-%m-%d},rehab,30"
               for k in range(2)]
    habits = log("date,kind,minutes\n" + "\n".join(full + stopped) + "\n2024-12-01,core,20\n")
    got = rehab_adherence(episodes, habits)
    assert got["rehab_weeks"].tolist() == [8, 2, 0]
    assert column(got, "completed") == [True, False, False]
    assert column(got, "stopped_after_pain") == [False, True, False]
    assert got["days_to_next_onset"].tolist()[:2] == [121.0, 50.0]
    summary = rehab_recurrence(got).set_index("completed")
    assert summary.loc[True, "episodes"] == 1 and summary.loc[False, "episodes"] == 2
    assert summary.loc[True, "median_days_to_next"] == 121.0
    assert summary.loc[False, "median_days_to_next"] == 50.0
    assert rehab_adherence(episodes, None)["completed"].isna().all()
    with pytest.raises(ParameterError):
        rehab_adherence(episodes, habits, programme_weeks=0)


def test_weekly_rehab_flag_after_an_abandoned_programme():
    acts = pd.DataFrame([act(day(w, 2), "running") for w in range(16)])
    episodes = pd.DataFrame({"athlete": "me", "onset": [pd.Timestamp(day(1, 0))],
                             "end": [pd.Timestamp(day(1, 3))]})
    habits = log("date,kind,minutes\n" + "\n".join(f"{day(w, 1)},rehab,20" for w in (1, 2, 3))
                 + f"\n{day(15, 1)},core,20\n")
    out = weekly_habits(runload.weekly_load(acts), acts, habits=habits, episodes=episodes)
    flag = column(out, "flag_rehab_incomplete")
    assert flag[:9] == [None] * 9  # before the episode and during the 8-week programme
    assert flag[9:15] == [True] * 6
    assert column(out, "rehab_completed")[9] is False


def test_rule_thresholds_on_tiny_frames():
    weeks = pd.DataFrame({
        "complete": [True, True, True, False], "runs": [3, 0, 3, 3],
        "cross_training_share": [0.0, np.nan, 0.25, 0.0], "trail_share": [0.1, np.nan, 0.0, 0.0],
        "strength_sessions_counted": [1, 2, 3, 0],
        "sleep_nights": [3, 2, 7, 7], "mean_sleep_s": [25199.0, 10.0, 25200.0, 1.0],
        "shoes_used": pd.array([1, pd.NA, 2, 1], dtype="Int64"),
    })
    assert column(weeks.assign(x=rules.no_cross_training(weeks)), "x") == [True, None, False, None]
    assert column(weeks.assign(x=rules.no_cross_training(weeks, min_share=0.25)), "x") == [
        True, None, True, None]
    assert column(weeks.assign(x=rules.no_trail(weeks, min_share=0.1)), "x") == [True, None, True, None]
    assert column(weeks.assign(x=rules.low_strength(weeks)), "x") == [True, False, False, None]
    assert column(weeks.assign(x=rules.short_sleep(weeks)), "x") == [True, None, False, None]
    assert column(weeks.assign(x=rules.no_shoe_rotation(weeks)), "x") == [True, None, False, None]
    for bad in (dict(min_share=-0.1), dict(min_share=1.5)):
        with pytest.raises(ParameterError):
            rules.no_cross_training(weeks, **bad)
    with pytest.raises(ParameterError):
        rules.low_strength(weeks, min_sessions=0)


def test_every_flag_has_an_evidence_label_and_a_name():
    flags = [c for c in HABITS_WEEKLY if c.startswith("flag_")]
    assert sorted(flags) == sorted(EVIDENCE) == sorted(HABIT_NAMES)
    assert all("untested" in v or "evidence" in v or "trial" in v for v in EVIDENCE.values())


def test_bad_inputs():
    acts, habits, _ = scenario()
    weekly = runload.weekly_load(acts)
    with pytest.raises(ParameterError, match="lacks"):
        weekly_habits(weekly.drop(columns="runs"), acts)
    with pytest.raises(ParameterError):
        weekly_habits(weekly, acts, strength_kinds=("yoga",))
    with pytest.raises(ParameterError):
        weekly_habits(weekly, acts, strides="maybe")
    two = pd.concat([acts, acts.assign(athlete="you", activity_id=acts["activity_id"] + "y")])
    with pytest.raises(ParameterError, match="athlete"):
        weekly_habits(runload.weekly_load(two), two, habits=habits)


def test_lazy_public_names():
    assert runload.weekly_habits is weekly_habits
    assert runload.read_habits_log is read_habits_log


def test_two_athletes_with_an_athlete_column():
    acts, _, _ = scenario()
    two = pd.concat([acts, acts.assign(athlete="you", activity_id=acts["activity_id"] + "y")],
                    ignore_index=True)
    habits = log(f"athlete,date,kind,minutes\nyou,{day(2, 1)},strength,30\nyou,{day(2, 3)},strength,30\n")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = weekly_habits(runload.weekly_load(two), two, habits=habits)
    mine = out.loc[out["athlete"] == "me"]
    yours = out.loc[out["athlete"] == "you"]
    assert mine["core_sessions"].isna().all()  # no log rows for me
    assert yours["strength_sessions_counted"].tolist() == [0, 2, 2, 2, 0, 2]


def test_empty_tables_give_empty_habits():
    from runload.columns import ACTIVITIES, WEEKLY, empty

    out = weekly_habits(empty(WEEKLY), empty(ACTIVITIES))
    assert out.empty and list(out.columns) == [*WEEKLY, *HABITS_WEEKLY]
    one = pd.DataFrame([act(day(0, 0), "running")]).drop(columns=["gear", "moving_time_s"])
    out = weekly_habits(runload.weekly_load(one), one)
    assert len(out) == 1 and out["flag_low_strength"].isna().all()  # the only week is incomplete


def test_a_source_without_garmin_sleep_data_warns(tmp_path):
    from runload.errors import RunloadWarning

    (tmp_path / "activities").mkdir()
    (tmp_path / "activities" / "run.gpx").write_text("<gpx/>", encoding="utf-8")
    with pytest.warns(RunloadWarning, match="no Garmin sleep data found"):
        assert read_garmin_sleep(tmp_path).empty
    archive = tmp_path / "strava.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("activities.csv", "Activity ID\n")
    with pytest.warns(RunloadWarning, match="no Garmin sleep data found"):
        assert read_garmin_sleep(archive).empty


def test_a_source_without_sleep_data_can_raise(tmp_path):
    from runload.errors import ParameterError, ReadError

    with pytest.raises(ReadError, match="no Garmin sleep data found") as caught:
        read_garmin_sleep(tmp_path, when_empty="raise")
    assert caught.value.kind == "no_data"
    with pytest.raises(ParameterError, match="when_empty"):
        read_garmin_sleep(tmp_path, when_empty="ignore")

"""weekly_load, daily_load, session_spikes and local time: known answers and properties."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from runload.columns import ACTIVITIES, SPORTS, WEEKLY, conform
from runload.errors import ParameterError, RunloadWarning
from runload.load import DAILY, SPIKES, daily_load, session_spikes, weekly_load
from runload.localtime import local_time, parse_as_of

MONDAY = pd.Timestamp("2024-01-01")  # a Monday
FLAGS = ["flag_ramp", "flag_missing_recovery", "flag_session_spike", "flag_acwr"]


def activity(day, km, *, athlete="ann", sport="running", hour=8.0, offset_h=0, ident=None, **kw):
    """One activity row: ``day`` days after MONDAY at local ``hour``, UTC offset ``offset_h``."""
    local = MONDAY + pd.Timedelta(days=day) + pd.Timedelta(hours=hour)
    row = {
        "athlete": athlete,
        "activity_id": ident or f"{athlete}-{day}-{hour}-{sport}-{km}",
        "source": f"{athlete}/{day}.fit",
        "format": "fit",
        "sport": sport,
        "start_time": (local - pd.Timedelta(hours=offset_h or 0)).tz_localize("UTC"),
        "utc_offset_s": None if offset_h is None else int(offset_h * 3600),
        "distance_m": km * 1000.0,
        "moving_time_s": km * 300.0,
        "elapsed_time_s": km * 320.0,
    }
    row.update(kw)
    return row


def frame(rows):
    return conform(pd.DataFrame(rows), ACTIVITIES)


def weeks_of(km_per_week, *, athlete="ann", days=(1, 3, 6)):
    """Activities giving each week's km, split over ``days`` of the week (40/30/30%)."""
    shares = np.array([0.3, 0.3, 0.4][: len(days)])
    shares = shares / shares.sum()
    rows = []
    for w, km in enumerate(km_per_week):
        if km == 0:
            continue
        for day, share in zip(days, shares, strict=True):
            rows.append(activity(7 * w + day, km * share, athlete=athlete))
    return rows


# ------------------------------------------------------------------ worked example

WORKED = pd.DataFrame(
    [
        # km, reference km, change %, recovery, ramp, streak, missing, complete, return
        (30, np.nan, np.nan, False, False, 0, False, False, False),
        (32, np.nan, np.nan, False, False, 1, False, True, False),
        (35, 32, 9.375, False, False, 2, False, True, False),
        (39, 35, 100 * 4 / 35, False, True, 3, False, True, False),
        (30, 39, -100 * 9 / 39, True, False, 0, False, True, False),
        (39, 39, 0.0, False, False, 1, False, True, False),
        (42, 39, 100 * 3 / 39, False, False, 2, False, True, False),
        (45, 42, 100 * 3 / 42, False, False, 3, False, True, False),
        (48, 45, 100 * 3 / 45, False, False, 4, False, True, False),
        (50, 48, 100 * 2 / 48, False, False, 5, True, True, False),
        (0, 50, -100.0, True, False, 0, False, True, False),
        (0, 50, -100.0, True, False, 0, False, True, False),
        (20, 0, np.nan, False, False, 1, False, True, True),
        (22, 20, 10.0, False, False, 2, False, True, False),
    ],
    columns=["km", "ref_km", "change", "recovery", "ramp", "streak", "missing", "complete", "rfb"],
)


def test_worked_example_of_design_md():
    weekly = weekly_load(frame(weeks_of(WORKED["km"].tolist())))
    assert len(weekly) == 14
    expected_starts = pd.date_range(MONDAY, periods=14, freq="7D")
    assert list(weekly["week_start"]) == list(expected_starts)
    np.testing.assert_allclose(weekly["distance_m"], WORKED["km"] * 1000)
    np.testing.assert_allclose(weekly["reference_m"], WORKED["ref_km"] * 1000)
    np.testing.assert_allclose(weekly["change_pct"], WORKED["change"])
    assert weekly["recovery_week"].tolist() == WORKED["recovery"].tolist()
    assert weekly["flag_ramp"].tolist() == WORKED["ramp"].tolist()
    assert weekly["build_streak"].tolist() == WORKED["streak"].tolist()
    assert weekly["flag_missing_recovery"].tolist() == WORKED["missing"].tolist()
    assert weekly["complete"].tolist() == WORKED["complete"].tolist()
    assert weekly["return_from_break"].tolist() == WORKED["rfb"].tolist()
    assert weekly["low_week"].tolist() == [False] * 10 + [True, True, False, False]
    assert weekly["runs"].tolist() == [0 if k == 0 else 3 for k in WORKED["km"]]
    # the change column rounds as in DESIGN.md
    shown = weekly["change_pct"].round(1).tolist()
    assert shown[2:6] == [9.4, 11.4, -23.1, 0.0]
    assert shown[13] == 10.0


def test_columns_dtypes_and_parameters():
    weekly = weekly_load(frame(weeks_of([30, 32, 35])), max_increase=0.12)
    assert list(weekly.columns) == list(WEEKLY)
    for name, (dtype, _) in WEEKLY.items():
        assert str(weekly[name].dtype) == str(pd.Series(dtype=dtype).dtype), name
    params = weekly.attrs["parameters"]
    assert type(params) is dict
    assert params["max_increase"] == 0.12
    assert params["week_start"] == "monday"
    assert params["min_base_m"] == 10_000


# ------------------------------------------------------------------ hand-built histories


def test_back_to_pre_recovery_level_is_no_ramp():
    weekly = weekly_load(frame(weeks_of([20, 40, 40, 44, 30, 44, 30, 48.5])))
    # week 4 (30 after 44) is a recovery week; week 5 goes back to 44: compared with 44
    assert weekly["recovery_week"].tolist()[4]
    assert weekly["reference_m"].iloc[5] == pytest.approx(44_000)
    assert not weekly["flag_ramp"].iloc[5]
    # week 6 recovery again; 48.5 > 1.1 x 44 = 48.4 is a ramp over the pre-recovery level
    assert weekly["reference_m"].iloc[7] == pytest.approx(44_000)
    assert weekly["flag_ramp"].iloc[7]


def test_two_recovery_weeks_then_reference_is_previous_week():
    weekly = weekly_load(frame(weeks_of([40, 40, 40, 30, 20, 25])))
    assert weekly["recovery_week"].tolist() == [False, False, False, True, True, False]
    assert weekly["reference_m"].iloc[4] == pytest.approx(40_000)  # one recovery week behind
    assert weekly["reference_m"].iloc[5] == pytest.approx(20_000)  # two behind: d_{t-1}
    assert weekly["flag_ramp"].iloc[5]  # 25 > 22


def test_fifth_build_week_is_missing_recovery():
    weekly = weekly_load(frame(weeks_of([30, 30, 31, 32, 33, 34, 35])))
    assert weekly["build_streak"].tolist() == [0, 1, 2, 3, 4, 5, 6]
    assert weekly["flag_missing_recovery"].tolist() == [False] * 5 + [True, True]
    relaxed = weekly_load(frame(weeks_of([30, 30, 31, 32, 33, 34, 35])), max_build_weeks=5)
    assert relaxed["flag_missing_recovery"].tolist() == [False] * 6 + [True]


def test_zero_week_is_a_recovery_week_and_gets_a_row():
    weekly = weekly_load(frame(weeks_of([40, 40, 0, 40, 44])))
    assert len(weekly) == 5
    zero = weekly.iloc[2]
    assert zero["distance_m"] == 0 and zero["runs"] == 0
    assert zero["recovery_week"] and zero["low_week"]
    assert np.isnan(zero["longest_run_m"])
    assert weekly["reference_m"].iloc[3] == pytest.approx(40_000)
    assert not weekly["flag_ramp"].iloc[3]
    assert weekly["build_streak"].tolist() == [0, 1, 0, 1, 2]


def test_low_weeks_are_not_judged_by_the_ten_percent_rule():
    weekly = weekly_load(frame(weeks_of([5, 5, 6, 9, 20])))
    assert not weekly["flag_ramp"].any()
    assert not weekly["recovery_week"].any()
    # weeks 2 and 3 are low: week 4 is a return from a break
    assert weekly["return_from_break"].tolist() == [False, False, False, False, True]
    assert weekly["build_streak"].tolist() == [0, 0, 0, 0, 1]
    assert weekly["progression"].isna().all()


def test_sydney_sunday_night_run_belongs_to_that_sunday():
    # 23:30 Sunday 7 Jan 2024 in Sydney (UTC+11, daylight saving) = 12:30 UTC Sunday;
    # 07:00 Monday 8 Jan in Sydney = 20:00 UTC Sunday, but it is Monday's week.
    rows = [
        activity(0, 10, hour=8, offset_h=11),
        activity(6, 12, hour=23.5, offset_h=11, ident="sun"),
        activity(7, 8, hour=7, offset_h=11, ident="mon"),
        activity(13, 10, hour=9, offset_h=11),
    ]
    weekly = weekly_load(frame(rows))
    assert weekly["distance_m"].tolist() == [22_000.0, 18_000.0]
    # the same from the tz argument when the files give no offset
    no_offset = frame([{**r, "utc_offset_s": None} for r in rows])
    by_tz = weekly_load(no_offset, tz="Australia/Sydney")
    assert by_tz["distance_m"].tolist() == [22_000.0, 18_000.0]
    # ... or from the zone read_activities stored in attrs
    stored = no_offset.copy()
    stored.attrs["tz"] = "Australia/Sydney"
    from_attrs = weekly_load(stored)
    assert from_attrs["distance_m"].tolist() == [22_000.0, 18_000.0]
    assert from_attrs.attrs["parameters"]["tz"] == "Australia/Sydney"
    # binned in UTC (with a warning) both Sydney Sunday/Monday runs land in one week,
    # and the first Monday-morning run falls into the week before
    with pytest.warns(RunloadWarning, match="taken as UTC"):
        in_utc = weekly_load(no_offset)
    assert in_utc["distance_m"].tolist() == [10_000.0, 20_000.0, 10_000.0]


def test_file_offset_wins_over_tz_argument():
    rows = [activity(6, 12, hour=23.5, offset_h=11), activity(7, 3, hour=1, offset_h=None)]
    local = local_time(frame(rows), tz="Europe/London")
    assert local.iloc[0] == MONDAY + pd.Timedelta(days=6, hours=23.5)
    assert local.iloc[1] == MONDAY + pd.Timedelta(days=7, hours=1)


def test_tz_per_athlete_mapping():
    rows = [
        activity(6, 10, athlete="syd", hour=23.5, offset_h=11, utc_offset_s=None),
        activity(6, 10, athlete="lon", hour=23.5, offset_h=0, utc_offset_s=None),
    ]
    local = local_time(frame(rows), tz={"syd": "Australia/Sydney", "lon": "Europe/London"})
    assert (local == MONDAY + pd.Timedelta(days=6, hours=23.5)).all()


def test_sunday_week_start():
    # Saturday and Sunday runs: same Monday week, different Sunday weeks
    rows = [activity(5, 10), activity(6, 12), activity(12, 8), activity(13, 9)]
    monday = weekly_load(frame(rows))
    assert monday["distance_m"].tolist() == [22_000.0, 17_000.0]
    sunday = weekly_load(frame(rows), week_start="Sunday")
    assert (sunday["week_start"].dt.day_of_week == 6).all()
    assert sunday["week_start"].iloc[0] == pd.Timestamp("2023-12-31")
    assert sunday["distance_m"].tolist() == [10_000.0, 20_000.0, 9_000.0]
    assert sunday.attrs["parameters"]["week_start"] == "sunday"


def test_incomplete_final_week_raises_and_clears_nothing():
    # weeks 0-3 then a final week with only Tuesday's run (data ends on that Tuesday)
    rows = [*weeks_of([30, 30, 33, 36]), activity(7 * 4 + 1, 60)]
    weekly = weekly_load(frame(rows))
    last = weekly.iloc[-1]
    assert not last["complete"]
    assert last["distance_m"] == 60_000  # shown
    assert not last["flag_ramp"] and not last["recovery_week"] and not last["low_week"]
    assert last["build_streak"] == weekly["build_streak"].iloc[-2] == 3  # carried, not reset
    assert np.isnan(last["change_pct"])
    # a short partial week is no recovery week either
    short = weekly_load(frame([*weeks_of([30, 30, 33, 36]), activity(29, 2)]))
    assert not short["recovery_week"].iloc[-1]
    assert short["build_streak"].iloc[-1] == 3
    # the same week is complete when as_of says the data runs to its Sunday
    done = weekly_load(frame(rows), as_of=MONDAY + pd.Timedelta(days=35))
    assert done["complete"].iloc[-1]
    assert done["flag_ramp"].iloc[-1]


def test_as_of_extends_and_truncates():
    rows = weeks_of([30, 30, 33])
    later = weekly_load(frame(rows), as_of="2024-02-04")  # a Sunday, two weeks on
    assert len(later) == 5
    assert later["distance_m"].tolist()[-2:] == [0.0, 0.0]
    assert later["complete"].tolist() == [False, True, True, True, True]
    assert later["recovery_week"].tolist()[-2:] == [True, True]
    earlier = weekly_load(frame(rows), as_of="2024-01-10")  # Wednesday of week 1
    assert len(earlier) == 2
    assert earlier["distance_m"].iloc[1] == pytest.approx(9_000)  # only Tuesday's run
    assert not earlier["complete"].iloc[1]


def test_default_last_week_complete_when_data_reaches_sunday():
    weekly = weekly_load(frame(weeks_of([30, 30])))  # last run on the Sunday
    assert weekly["complete"].tolist() == [False, True]


def test_duplicate_fit_gpx_pair_counts_once():
    rows = weeks_of([30, 30, 30])
    fit = activity(15, 10, ident="abc", format="fit")
    gpx = activity(15, 10.2, ident="def", format="gpx", source="ann/15.gpx", duplicate_of="abc")
    weekly = weekly_load(frame([*rows, fit, gpx]))
    assert weekly["distance_m"].iloc[2] == pytest.approx(40_000)
    assert weekly["runs"].iloc[2] == 4
    spikes = session_spikes(frame([*rows, fit, gpx]))
    assert "def" not in set(spikes["activity_id"])


def test_multisport_run_legs_count():
    legs = [
        activity(2, 1.5, sport="swimming", hour=7.0, ident="tri", moving_time_s=1800.0),
        activity(2, 40, sport="cycling", hour=7.5, ident="tri-1", moving_time_s=4000.0),
        activity(2, 10, sport="running", hour=8.7, ident="tri-2", moving_time_s=2700.0),
    ]
    strength = activity(3, 0, sport="strength_training", moving_time_s=1500.0)
    weekly = weekly_load(frame([*legs, strength]))
    row = weekly.iloc[0]
    assert row["distance_m"] == 10_000
    assert row["runs"] == 1
    assert row["moving_time_s"] == 2700
    assert row["cross_training_time_s"] == 5800
    assert row["strength_sessions"] == 1


def test_multi_athlete_gives_one_block_each():
    rows = weeks_of([30, 33, 40], athlete="bo") + weeks_of([20, 20], athlete="al")
    rows += [activity(7 * 6, 5, athlete="al")]
    weekly = weekly_load(frame(rows))
    assert weekly["athlete"].tolist() == ["al"] * 7 + ["bo"] * 3
    assert weekly.groupby("athlete")["week_start"].apply(lambda s: s.diff().dropna().nunique()).eq(1).all()
    assert weekly.loc[weekly.athlete == "bo", "flag_ramp"].tolist() == [False, False, True]
    assert weekly.loc[weekly.athlete == "al", "distance_m"].sum() == pytest.approx(45_000)
    # as_of defaults to each athlete's own last day
    assert weekly.loc[weekly.athlete == "al", "complete"].iloc[-1] == False  # noqa: E712
    assert weekly.loc[weekly.athlete == "bo", "complete"].iloc[-1] == True  # noqa: E712


def test_session_spike_flag_and_per_run_table():
    rows = [
        activity(1, 10),
        activity(8, 10.5),  # +5%
        activity(15, 12),  # +14.3% over 10.5
        activity(22, 20),  # +66.7% over 12
        activity(29, 45),  # +125% over 20
        activity(60, 10),  # nothing started in the 30 days before
    ]
    spikes = session_spikes(frame(rows))
    assert list(spikes.columns) == list(SPIKES)
    np.testing.assert_allclose(
        spikes["spike_pct"], [np.nan, 5.0, 100 * 1.5 / 10.5, 100 * 8 / 12, 125.0, np.nan]
    )
    assert spikes["spike_category"].tolist()[1:5] == ["<=10%", "10-30%", "30-100%", ">100%"]
    assert spikes["spike_category"].isna().tolist() == [True, False, False, False, False, True]
    assert spikes["hazard_ratio"].tolist()[1:5] == [1.0, 1.64, 1.52, 2.28]
    assert spikes["spike"].tolist() == [False, False, True, True, True, False]
    weekly = weekly_load(frame(rows))
    assert weekly["flag_session_spike"].tolist()[:5] == [False, False, True, True, True]
    assert not weekly["flag_session_spike"].iloc[8]


def test_session_spike_window_is_thirty_times_24_hours():
    rows = [activity(0, 20, hour=8), activity(29, 21, hour=8), activity(30, 30, hour=7.9)]
    spikes = session_spikes(frame(rows))
    # day 30 07:54 is within 30 x 24 h of day 0 08:00
    assert spikes["longest_prior_m"].tolist() == [None, 20_000, 21_000] or np.isnan(
        spikes["longest_prior_m"].iloc[0]
    )
    assert spikes["longest_prior_m"].tolist()[1:] == [20_000, 21_000]
    # closed='left': a run exactly 30 x 24 h earlier is in the window, one minute more is not
    exactly = session_spikes(frame([activity(0, 20, hour=8), activity(30, 30, hour=8)]))
    assert exactly["longest_prior_m"].iloc[1] == 20_000
    later = session_spikes(frame([activity(0, 20, hour=8), activity(30, 30, hour=8.02)]))
    assert np.isnan(later["longest_prior_m"].iloc[1])
    assert not later["spike"].iloc[1]


def test_daily_load_has_every_day():
    rows = [activity(0, 10), activity(3, 5), activity(3, 4, hour=18), activity(5, 0, sport="cycling")]
    daily = daily_load(frame(rows))
    assert list(daily.columns) == list(DAILY)
    assert daily["date"].tolist() == list(pd.date_range(MONDAY, periods=6, freq="D"))
    assert daily["distance_m"].tolist() == [10_000.0, 0, 0, 9_000.0, 0, 0]
    assert daily["runs"].tolist() == [1, 0, 0, 2, 0, 0]
    assert daily["longest_run_m"].iloc[3] == 5_000
    assert daily["cross_training_time_s"].iloc[5] == 0  # 0 km ride, moving time 0
    assert str(daily["date"].dtype) == "datetime64[ns]"


def test_bad_options_raise_parameter_error():
    acts = frame(weeks_of([30, 30]))
    for kwargs in (
        {"week_start": "funday"},
        {"tz": "Mars/Olympus"},
        {"max_increase": -0.1},
        {"recovery_drop": 1.0},
        {"max_build_weeks": 0},
        {"break_weeks": 1.5},
        {"ewma": "fast"},
        {"acwr_method": "ratio"},
        {"as_of": "not a date"},
        {"spike_window_days": 0},
    ):
        with pytest.raises(ParameterError):
            weekly_load(acts, **kwargs)
    with pytest.raises(ParameterError, match="lacks column"):
        weekly_load(acts.drop(columns="sport"))


def test_input_not_mutated_and_empty_input():
    acts = frame(weeks_of([30, 33]))
    before = acts.copy()
    weekly_load(acts, tz="Europe/Oslo")
    session_spikes(acts)
    daily_load(acts)
    pd.testing.assert_frame_equal(acts, before)
    empty = weekly_load(acts.iloc[:0])
    assert list(empty.columns) == list(WEEKLY) and empty.empty
    assert "parameters" in empty.attrs


def test_parse_as_of_dates_mean_end_of_day():
    assert parse_as_of("2024-01-07") == pd.Timestamp("2024-01-08")
    assert parse_as_of(pd.Timestamp("2024-01-07 12:00")) == pd.Timestamp("2024-01-07 12:00")
    aware = pd.Timestamp("2024-01-07 12:00", tz="UTC")
    assert parse_as_of(aware, tz="Australia/Sydney") == pd.Timestamp("2024-01-07 23:00")


# ------------------------------------------------------------------ properties

_row = st.tuples(
    st.integers(0, 70),  # day
    st.floats(0, 23.9),  # local hour
    st.sampled_from(SPORTS),
    st.integers(0, 40_000),  # distance, m
    st.booleans(),  # duplicate
    st.sampled_from(["a", "b"]),
)


def _random_activities(rows):
    records = []
    for i, (day, hour, sport, dist, dup, ath) in enumerate(rows):
        records.append(
            activity(
                day,
                dist / 1000,
                athlete=ath,
                sport=sport,
                hour=hour,
                offset_h=1,
                ident=f"id{i:03d}",
                duplicate_of="id000" if dup and i > 0 else None,
            )
        )
    return frame(records)


_settings = settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@_settings
@given(st.lists(_row, min_size=1, max_size=20))
def test_property_weekly_sum_is_running_sum(rows):
    acts = _random_activities(rows)
    weekly = weekly_load(acts)
    counted = acts["duplicate_of"].isna() & acts["sport"].isin(
        ["running", "trail_running", "treadmill_running"]
    )
    assert weekly["distance_m"].sum() == pytest.approx(acts.loc[counted, "distance_m"].sum())
    assert weekly["runs"].sum() == counted.sum()
    per_athlete = weekly.groupby("athlete")["week_start"]
    assert (per_athlete.diff().dropna() == pd.Timedelta(days=7)).all()


@_settings
@given(st.lists(_row, min_size=1, max_size=20), st.randoms(use_true_random=False))
def test_property_row_order_changes_nothing(rows, rnd):
    acts = _random_activities(rows)
    order = list(range(len(acts)))
    rnd.shuffle(order)
    shuffled = acts.iloc[order]
    pd.testing.assert_frame_equal(weekly_load(acts), weekly_load(shuffled))
    pd.testing.assert_frame_equal(session_spikes(acts), session_spikes(shuffled))


@_settings
@given(st.lists(_row, min_size=1, max_size=20), st.integers(-3, 3))
def test_property_scaling_distances_keeps_every_flag(rows, k):
    """Multiplying every distance AND min_base_m by c = 2**k leaves every flag, the
    recovery/low/return/streak/progression columns and every ratio unchanged; distances
    and references scale by c. (Powers of two scale floating point exactly, so even
    boundary cases such as exactly +10% agree; for other factors the comparisons agree
    up to rounding at exact ties.)"""
    acts = _random_activities(rows)
    c = 2.0**k
    scaled = acts.assign(distance_m=acts["distance_m"] * c)
    base = weekly_load(acts)
    other = weekly_load(scaled, min_base_m=10_000 * c)
    same = [
        "complete", "low_week", "progression", "recovery_week", "return_from_break",
        "build_streak", *FLAGS,
    ]
    pd.testing.assert_frame_equal(base[same], other[same])
    for col in ["change_pct", "max_spike_pct", "acwr_rolling", "acwr_uncoupled", "acwr_ewma",
                "monotony"]:
        np.testing.assert_allclose(base[col], other[col], rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(base["distance_m"] * c, other["distance_m"])
    np.testing.assert_allclose(base["reference_m"] * c, other["reference_m"])


def test_no_warning_when_offsets_known():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        weekly_load(frame(weeks_of([30, 30])))


def test_acwr_columns_and_flag_method():
    acts = frame(weeks_of(WORKED["km"].tolist()))
    rolling = weekly_load(acts)
    # data starts on Tuesday 2 Jan: 28 days of history first on Monday 29 Jan (week 4)
    assert rolling["acwr_rolling"].iloc[:4].isna().all()
    assert rolling["acwr_rolling"].iloc[4:].notna().all()
    # week 13 after two weeks off: the coupled ratio is high, the EWMA is not
    assert rolling["flag_acwr"].iloc[13] and rolling["acwr_rolling"].iloc[13] > 1.5
    ewma = weekly_load(acts, acwr_method="ewma")
    assert ewma["acwr_ewma"].iloc[13] < 1.5 and not ewma["flag_acwr"].any()
    assert ewma.attrs["parameters"]["acwr_method"] == "ewma"
    slower = weekly_load(acts, ewma="simple")
    assert slower["acwr_ewma"].iloc[13] != pytest.approx(rolling["acwr_ewma"].iloc[13])
    relaxed = weekly_load(acts, acwr_threshold=5.0)
    assert not relaxed["flag_acwr"].any()
    # monotony over each week's 7 days: three runs of 30/30/40% every week
    share = np.array([0.3, 0.3, 0.4, 0, 0, 0, 0])
    expected = share.mean() / share.std(ddof=1)
    np.testing.assert_allclose(rolling["monotony"].iloc[[1, 5, 13]], expected)
    np.testing.assert_allclose(
        rolling["strain"].iloc[[1, 5]], rolling["distance_m"].iloc[[1, 5]] * expected
    )
    assert rolling["monotony"].iloc[10:12].isna().all()  # weeks off

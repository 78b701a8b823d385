"""The sport mapping tables of runload.io.sports."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from runload.columns import SPORTS
from runload.io.sports import (
    FIT_SPORTS,
    FIT_SUB_SPORTS,
    STRAVA_TYPE_CODES,
    TEXT_SPORTS,
    fit_sport,
    sport_from_text,
)


def test_tables_only_name_contract_sports():
    for table in (FIT_SPORTS, FIT_SUB_SPORTS, TEXT_SPORTS, STRAVA_TYPE_CODES):
        assert set(table.values()) <= set(SPORTS)


@pytest.mark.parametrize(
    ("sport", "sub_sport", "expected"),
    [
        ("running", None, "running"),
        ("running", "generic", "running"),
        ("running", "street", "running"),
        ("running", "track", "running"),
        ("running", "trail", "trail_running"),
        ("running", "treadmill", "treadmill_running"),
        ("running", "indoor_running", "treadmill_running"),
        ("running", "virtual_activity", "treadmill_running"),
        ("running", 254, "running"),
        ("cycling", None, "cycling"),
        ("cycling", "road", "cycling"),
        ("cycling", "indoor_cycling", "cycling"),
        ("cycling", "virtual_activity", "cycling"),
        ("e_biking", None, "cycling"),
        ("swimming", "lap_swimming", "swimming"),
        ("swimming", "open_water", "swimming"),
        ("walking", "casual_walking", "walking"),
        ("hiking", None, "hiking"),
        ("training", "strength_training", "strength_training"),
        ("training", "cardio_training", "other"),
        ("training", "yoga", "other"),
        ("fitness_equipment", "treadmill", "treadmill_running"),
        ("fitness_equipment", "indoor_cycling", "cycling"),
        ("fitness_equipment", "elliptical", "other"),
        ("fitness_equipment", "indoor_rowing", "other"),
        ("generic", None, "other"),
        ("transition", None, "other"),
        ("transition", "run_to_bike_transition", "other"),
        ("multisport", None, "other"),
        ("stand_up_paddleboarding", None, "other"),
        ("Running", "Trail", "trail_running"),
        (1, 1, "other"),
        (np.uint8(1), None, "other"),
        (None, None, "other"),
        (float("nan"), None, "other"),
    ],
)
def test_fit_sport(sport, sub_sport, expected):
    assert fit_sport(sport, sub_sport) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # TCX Sport attribute
        ("Running", "running"),
        ("Biking", "cycling"),
        ("Other", "other"),
        # Strava activities.csv "Activity Type" and API names
        ("Run", "running"),
        ("Trail Run", "trail_running"),
        ("TrailRun", "trail_running"),
        ("Virtual Run", "treadmill_running"),
        ("Ride", "cycling"),
        ("Virtual Ride", "cycling"),
        ("VirtualRide", "cycling"),
        ("EBikeRide", "cycling"),
        ("E-Bike Ride", "cycling"),
        ("Mountain Bike Ride", "cycling"),
        ("Gravel Ride", "cycling"),
        ("Swim", "swimming"),
        ("Walk", "walking"),
        ("Hike", "hiking"),
        ("Weight Training", "strength_training"),
        ("WeightTraining", "strength_training"),
        ("Workout", "other"),
        ("Yoga", "other"),
        # Garmin Connect activityType keys
        ("running", "running"),
        ("trail_running", "trail_running"),
        ("treadmill_running", "treadmill_running"),
        ("indoor_running", "treadmill_running"),
        ("street_running", "running"),
        ("lap_swimming", "swimming"),
        ("open_water_swimming", "swimming"),
        ("strength_training", "strength_training"),
        ("road_biking", "cycling"),
        ("indoor_cycling", "cycling"),
        ("multi_sport", "other"),
        # GPX <type> words, with stray space and case
        ("  RUNNING\n", "running"),
        ("cycling", "cycling"),
        # Strava's numeric GPX <type>
        ("9", "running"),
        (" 1 ", "cycling"),
        ("4", "hiking"),
        ("10", "walking"),
        ("16", "swimming"),
        ("17", "cycling"),
        ("30", "strength_training"),
        ("53", "treadmill_running"),
        ("2", "other"),
        ("999", "other"),
        (9, "running"),
        (np.int64(9), "running"),
        (9.0, "running"),
        (9.5, "other"),
        (float("nan"), "other"),
        # junk
        ("", "other"),
        (None, "other"),
        (True, "other"),
        ("<script>", "other"),
        ("ünïcödé", "other"),
        ("run run run", "other"),
    ],
)
def test_sport_from_text(text, expected):
    assert sport_from_text(text) == expected


@example("¹")  # a digit to str.isdigit, not to int()
@example("٣")  # an Arabic-Indic three
@given(st.one_of(st.text(), st.integers(), st.floats(), st.none()))
def test_sport_from_text_always_a_contract_sport(value):
    assert sport_from_text(value) in SPORTS


@given(st.one_of(st.text(), st.integers(), st.none()), st.one_of(st.text(), st.integers(), st.none()))
def test_fit_sport_always_a_contract_sport(sport, sub_sport):
    assert fit_sport(sport, sub_sport) in SPORTS


def test_every_text_key_is_already_normalised():
    for key in TEXT_SPORTS:
        assert sport_from_text(key) == TEXT_SPORTS[key]


def test_infer_sports_fills_only_missing_sports_and_marks_them():
    import pandas as pd

    from runload.columns import ACTIVITIES, conform
    from runload.io.sports import infer_sports

    table = conform(
        pd.DataFrame(
            {
                "source": ["a/nike.gpx", "b/x.gpx", "c/y.gpx", "d/z.gpx", "e/A_ride_mapped.gpx", "f.fit"],
                "sport": [None, None, None, None, None, "swimming"],
                "name": ["domingo corrida matutina", None, None, None, None, None],
                "device": [None, None, None, "Urban Biker", None, None],
                # 10 km in 50 min (3.3 m/s), 5 km in 60 min (1.4 m/s), 30 km in 60 min (8.3 m/s)
                "distance_m": [1000.0, 10_000.0, 5000.0, 1000.0, 90_000.0, 1000.0],
                "moving_time_s": [600.0, 3000.0, 3600.0, 600.0, float("nan"), 600.0],
                "elapsed_time_s": [600.0, 3000.0, 3600.0, 600.0, 18_000.0, 600.0],
            }
        ),
        ACTIVITIES,
    )
    out = infer_sports(table)
    assert out["sport"].tolist() == ["running", "running", "walking", "cycling", "cycling", "swimming"]
    assert out["sport_inferred"].tolist() == [True, True, True, True, True, False]
    assert table["sport"].isna().sum() == 5  # input untouched


def test_corpus_gpx_without_type_is_inferred_not_dropped(corpus):
    import warnings

    import runload

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        acts = runload.read_activities(corpus / "gpx")
    assert acts["sport"].notna().all()
    nike = acts[acts["source"].str.endswith("runpandas__nike_run.gpx")].iloc[0]
    assert nike["sport"] == "running" and nike["sport_inferred"]
    strava = acts[acts["source"].str.endswith("runpandas__strava_export.gpx")].iloc[0]
    assert strava["sport"] == "running" and not strava["sport_inferred"]


def test_no_sport_is_guessed_from_an_impossible_speed():
    import pandas as pd

    from runload.columns import ACTIVITIES, conform
    from runload.io.sports import infer_sports
    from runload.io.timecheck import MAX_SPEED_M_S

    table = conform(
        pd.DataFrame(
            {
                "source": ["a/x.gpx", "b/y.gpx", "c/z.gpx", "d/Morning_Ride.gpx"],
                "sport": [None, None, None, None],
                # 4.6 km in 57 s (80 m/s: times on 5 of 296 points), 30 m/s exactly, a ride
                # at 9 m/s, and an impossible speed whose name still says what it is
                "distance_m": [4575.0, 30.0 * 1000, 9.0 * 3600, 4575.0],
                "moving_time_s": [57.0, 1000.0, 3600.0, 57.0],
                "elapsed_time_s": [57.0, 1000.0, 3600.0, 57.0],
            }
        ),
        ACTIVITIES,
    )
    out = infer_sports(table)
    assert out["sport"].tolist() == ["other", "cycling", "cycling", "cycling"]
    assert out["sport_inferred"].all()
    # the threshold is an option: at 100 m/s allowed, 80 m/s is "cycling" again
    assert MAX_SPEED_M_S < 80
    assert infer_sports(table, max_speed_m_s=100.0)["sport"].iloc[0] == "cycling"

"""Duplicate activities: same run from several files, best copy kept."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from runload import columns
from runload.io.dedupe import mark_duplicates


def table(*rows: dict) -> pd.DataFrame:
    base = {"athlete": "a", "distance_source": "device", "sport": "running"}
    frame = pd.DataFrame([{**base, **r} for r in rows])
    return columns.conform(frame, columns.ACTIVITIES, extra=False)


def row(aid, fmt, start, dur, dist, **kw):
    return {"activity_id": aid, "source": f"{aid}.{fmt}", "format": fmt,
            "start_time": pd.Timestamp(start, tz="UTC"), "elapsed_time_s": dur,
            "distance_m": dist, **kw}


def test_fit_and_gpx_of_one_run():
    df = table(row("g", "gpx", "2024-01-01 10:00:05", 1790, 5080, distance_source="gps"),
               row("f", "fit", "2024-01-01 10:00:00", 1800, 5000),
               row("t", "tcx", "2024-01-01 10:00:00", 1800, 5010))
    out = mark_duplicates(df)
    assert out["duplicate_of"].tolist() == ["f", pd.NA, "f"]
    assert df["duplicate_of"].isna().all()  # input untouched


def test_not_duplicates():
    df = table(row("a", "fit", "2024-01-01 10:00", 1800, 5000),
               row("b", "fit", "2024-01-01 10:20", 1800, 5000),   # 33% overlap
               row("c", "gpx", "2024-01-01 12:00", 1800, 5000),
               row("d", "gpx", "2024-01-01 12:05", 1800, 6000),   # distance 17% off
               row("e", "fit", "2024-01-01 10:00", 1800, 5000, athlete="other"))
    assert mark_duplicates(df)["duplicate_of"].isna().all()


def test_missing_distance_needs_longer_overlap():
    df = table(row("a", "fit", "2024-01-01 10:00", 1800, np.nan),
               row("b", "fit", "2024-01-01 10:00", 600, np.nan))
    assert mark_duplicates(df)["duplicate_of"].isna().all()
    df = table(row("a", "fit", "2024-01-01 10:00", 1800, np.nan),
               row("b", "tcx", "2024-01-01 10:01", 1750, np.nan))
    assert mark_duplicates(df)["duplicate_of"].tolist() == [pd.NA, "a"]


def test_byte_identical_even_without_times():
    df = table(row("x", "gpx", None, np.nan, np.nan) | {"source": "b/x.gpx"},
               row("x", "gpx", None, np.nan, np.nan) | {"source": "a/x.gpx"})
    out = mark_duplicates(df)
    assert out["duplicate_of"].tolist() == ["x", pd.NA]


def test_quality_order():
    # same format: device distance beats gps, then more filled-in columns
    df = table(row("gps", "fit", "2024-01-01 10:00", 1800, 5000, distance_source="gps"),
               row("dev", "fit", "2024-01-01 10:00", 1800, 5100))
    assert mark_duplicates(df)["duplicate_of"].tolist() == ["dev", pd.NA]
    df = table(row("bare", "fit", "2024-01-01 10:00", 1800, 5000),
               row("rich", "fit", "2024-01-01 10:00", 1800, 5000, avg_heart_rate_bpm=150.0))
    assert mark_duplicates(df)["duplicate_of"].tolist() == ["rich", pd.NA]


def test_chain_resolves_to_best():
    df = table(row("g1", "gpx", "2024-01-01 10:00", 1800, 5000),
               row("g2", "gpx", "2024-01-01 10:10", 1800, 5000),
               row("f", "fit", "2024-01-01 10:20", 1800, 5000))
    # g1~g2 and g2~f overlap (2/3), g1 and f only 1/3: all three are one activity
    assert mark_duplicates(df)["duplicate_of"].tolist() == ["f", "f", pd.NA]


def test_multisport_legs_not_duplicates_of_the_whole():
    df = table(row("whole", "gpx", "2024-01-01 10:00", 7200, 45000, sport="other"),
               row("leg1", "fit", "2024-01-01 10:00", 1800, 1500, sport="swimming"),
               row("leg2", "fit", "2024-01-01 10:30", 3600, 40000, sport="cycling"),
               row("leg3", "fit", "2024-01-01 11:30", 1800, 5000))
    assert mark_duplicates(df)["duplicate_of"].isna().all()


def test_scales_linearly_on_thousands():
    n = 3000
    starts = pd.Timestamp("2020-01-01", tz="UTC") + pd.to_timedelta(np.arange(n) * 86400, "s")
    fit = pd.DataFrame({"activity_id": [f"f{i}" for i in range(n)], "format": "fit",
                        "start_time": starts, "elapsed_time_s": 3600.0, "distance_m": 10000.0})
    gpx = fit.assign(activity_id=[f"g{i}" for i in range(n)], format="gpx",
                     start_time=starts + pd.Timedelta("20s"), distance_m=10150.0)
    frame = pd.concat([gpx, fit], ignore_index=True).assign(
        athlete="a", source=lambda d: d["activity_id"], distance_source="device")
    out = mark_duplicates(columns.conform(frame, columns.ACTIVITIES, extra=False))
    marked = out.set_index("activity_id")["duplicate_of"]
    assert (marked[[f"g{i}" for i in range(n)]].to_numpy() == [f"f{i}" for i in range(n)]).all()
    assert marked[[f"f{i}" for i in range(n)]].isna().all()


@settings(max_examples=15, deadline=None)
@given(st.permutations(range(6)))
def test_independent_of_row_order(perm):
    df = table(row("g", "gpx", "2024-01-01 10:00:05", 1790, 5080),
               row("f", "fit", "2024-01-01 10:00:00", 1800, 5000),
               row("t", "tcx", "2024-01-01 10:00:00", 1800, 5010),
               row("x", "fit", "2024-01-02 10:00:00", 1800, 5000),
               row("x", "fit", "2024-01-02 10:00:00", 1800, 5000) | {"source": "0.fit"},
               row("y", "gpx", "2024-01-03 10:00:00", 600, 2000))
    expected = mark_duplicates(df).set_index("source")["duplicate_of"].sort_index()
    shuffled = mark_duplicates(df.iloc[list(perm)].reset_index(drop=True))
    got = shuffled.set_index("source")["duplicate_of"].sort_index()
    pd.testing.assert_series_equal(got, expected)
    assert expected.fillna("").to_dict() == {"0.fit": "", "f.fit": "", "g.gpx": "f",
                                             "t.tcx": "f", "x.fit": "x", "y.gpx": ""}


@pytest.mark.parametrize("n", [0, 1])
def test_tiny_tables(n):
    df = table(*[row("a", "fit", "2024-01-01", 60, 100)][:n]) if n else \
        columns.empty(columns.ACTIVITIES)
    assert mark_duplicates(df)["duplicate_of"].isna().all()


def test_never_across_athletes_even_byte_identical():
    # a group run shared as one file, under two athletes: each keeps their copy
    df = table(row("x", "fit", "2024-01-01 10:00", 1800, 5000) | {"athlete": "ann"},
               row("x", "fit", "2024-01-01 10:00", 1800, 5000) | {"athlete": "bob"},
               row("y", "gpx", "2024-01-01 10:00:04", 1795, 5010) | {"athlete": "bob"})
    out = mark_duplicates(df)
    assert out["duplicate_of"].tolist() == [pd.NA, pd.NA, "x"]


def test_simultaneous_pairs_tell_copies_from_impossible_overlaps():
    from runload.io.dedupe import simultaneous_pairs

    df = table(row("a", "fit", "2024-01-01 10:00", 1800, 5000),
               row("b", "gpx", "2024-01-01 10:00:10", 1790, 5050),   # a copy of a
               row("c", "fit", "2024-01-01 10:05", 1800, 8000),      # same time, 8 km
               row("d", "fit", "2024-01-01 12:00", 1800, 5000),      # later
               row("e", "fit", "2024-01-01 10:00", 1800, 5000, athlete="other"))
    pairs = simultaneous_pairs(mark_duplicates(df))
    ids = df["activity_id"].to_numpy()
    got = {(ids[i], ids[j], same) for i, j, same in pairs.itertuples(index=False)}
    assert got == {("a", "b", True), ("a", "c", False), ("b", "c", False)}

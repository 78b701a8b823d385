"""Each rule function on small hand-made weekly frames (pvanalytics style)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from runload import flags
from runload.columns import WEEKLY
from runload.errors import ParameterError


def weekly(km, *, complete=None, athlete="ann", index=None):
    n = len(km)
    if complete is None:
        complete = [False] + [True] * (n - 1)
    return pd.DataFrame(
        {
            "athlete": pd.array([athlete] * n, dtype="string"),
            "week_start": pd.date_range("2024-01-01", periods=n, freq="7D"),
            "distance_m": np.array(km, dtype=float) * 1000,
            "complete": complete,
        },
        index=index,
    )


def with_rules(frame, **kw):
    """Add the derived columns the later rules read."""
    out = frame.copy()
    out["low_week"] = flags.low_week(out, **{k: v for k, v in kw.items() if k == "min_base_m"})
    out["reference_m"] = flags.reference_distance(out, **kw)
    out["recovery_week"] = flags.recovery_week(out, **kw)
    out["change_pct"] = flags.change_pct(out)
    out["build_streak"] = flags.build_streak(out)
    return out


def test_ramp_boundary_and_base():
    w = with_rules(weekly([20, 20, 22, 24.3, 5, 9]))
    # 22 is exactly +10%: allowed; 24.3 > 24.2: ramp; 5 is a recovery week, so 9 is
    # compared with 24.3
    assert flags.ramp(w).tolist() == [False, False, False, True, False, False]
    assert flags.ramp(w, max_increase=0.2).tolist() == [False] * 6
    assert w["reference_m"].iloc[5] == pytest.approx(24_300)
    small = with_rules(weekly([5, 5, 5, 9]), min_base_m=4000)
    assert flags.ramp(small).tolist() == [False] * 4  # a 5 km reference is below 10 km
    assert flags.ramp(small, min_base_m=4000).tolist() == [False] * 3 + [True]


def test_incomplete_weeks_raise_nothing():
    w = with_rules(weekly([20, 20, 40, 10], complete=[False, True, True, False]))
    assert flags.ramp(w).tolist() == [False, False, True, False]
    assert flags.recovery_week(w).tolist() == [False] * 4
    assert not flags.low_week(w).iloc[3]
    assert w["build_streak"].tolist() == [0, 1, 2, 2]
    assert flags.missing_recovery(w.assign(build_streak=[0, 9, 9, 9])).tolist() == [
        False, True, True, False
    ]


def test_reference_recurrence_any_row_order_and_index():
    km = [30, 32, 35, 39, 30, 39, 42, 0, 0, 20]
    base = with_rules(weekly(km))
    shuffled = weekly(km, index=[f"r{i}" for i in range(len(km))]).sample(frac=1, random_state=1)
    ref = flags.reference_distance(shuffled)
    assert ref.index.equals(shuffled.index)
    np.testing.assert_allclose(ref.sort_index(key=lambda i: i.str[1:].astype(int)),
                               base["reference_m"])
    np.testing.assert_allclose(
        base["reference_m"] / 1000, [np.nan, np.nan, 32, 35, 39, 39, 39, 42, 42, 0]
    )
    assert base["recovery_week"].tolist() == [False] * 4 + [True, False, False, True, True, False]


def test_reference_is_per_athlete():
    two = pd.concat([weekly([40, 40, 40, 30]), weekly([10, 10, 12], athlete="bo")],
                    ignore_index=True)
    ref = flags.reference_distance(two) / 1000
    np.testing.assert_allclose(ref, [np.nan, np.nan, 40, 40, np.nan, np.nan, 10])


def test_return_from_break_weeks():
    w = weekly([30, 30, 3, 0, 25, 2, 30])
    assert flags.return_from_break(w).tolist() == [False, False, False, False, True, False, False]
    assert flags.return_from_break(w, break_weeks=1).tolist() == [False] * 4 + [True, False, True]
    assert flags.return_from_break(w, break_weeks=3).tolist() == [False] * 7


def test_build_streak_resets_on_low_and_recovery():
    w = with_rules(weekly([30, 30, 33, 36, 28, 36, 5, 30, 31]))
    assert w["build_streak"].tolist() == [0, 1, 2, 3, 0, 1, 0, 1, 2]
    assert flags.missing_recovery(w, max_build_weeks=2).tolist() == [False] * 3 + [True] + [False] * 5


def test_progression_categories():
    # +10% exactly, +10.5%, +30% exactly, +30.1%, a drop, a recovery week, and a week
    # after it (compared with the pre-recovery 35 km)
    w = with_rules(weekly([20, 20, 22, 24.3, 31.59, 41.1, 35, 5, 8]))
    got = flags.progression(w).fillna("-").tolist()
    assert got == ["-", "-", "<10%", "10-30%", "10-30%", ">30%", "<10%", "<10%", "<10%"]
    low = with_rules(weekly([5, 5, 5, 8]))
    assert flags.progression(low).isna().all()  # references below the 10 km base


def test_spike_category_edges():
    cats = flags.spike_category(pd.Series([np.nan, -50, 10, 10.01, 30, 30.01, 100, 100.01]))
    assert cats.fillna("-").tolist() == [
        "-", "<=10%", "<=10%", "10-30%", "10-30%", "30-100%", "30-100%", ">100%"
    ]
    assert tuple(flags.SPIKE_HAZARD_RATIOS) == flags.SPIKE_CATEGORIES
    assert flags.SPIKE_HAZARD_RATIOS[">100%"] == 2.28


def test_session_spike_and_acwr_flags():
    w = weekly([20, 20, 20, 20]).assign(
        max_spike_pct=[50.0, 10.0, 10.5, np.nan], acwr_rolling=[2.0, np.nan, 1.6, 1.5]
    )
    assert flags.session_spike(w).tolist() == [False, False, True, False]
    assert flags.session_spike(w, spike=0.05).tolist() == [False, True, True, False]
    assert flags.acwr_high(w).tolist() == [False, False, True, False]
    with pytest.raises(ParameterError):
        flags.acwr_high(w, column="acwr_magic")


def test_flags_do_not_mutate_and_keep_index():
    w = with_rules(weekly([30, 32, 40], index=[7, 3, 5]))
    before = w.copy()
    for out in (flags.ramp(w), flags.low_week(w), flags.return_from_break(w),
                flags.recovery_week(w), flags.missing_recovery(w)):
        assert out.index.equals(w.index) and out.dtype == bool
    pd.testing.assert_frame_equal(w, before)


def test_bad_thresholds():
    w = with_rules(weekly([30, 32, 40]))
    with pytest.raises(ParameterError):
        flags.ramp(w, max_increase=-0.1)
    with pytest.raises(ParameterError):
        flags.recovery_week(w, recovery_drop=1.5)
    with pytest.raises(ParameterError):
        flags.missing_recovery(w, max_build_weeks=2.5)
    with pytest.raises(ParameterError):
        flags.low_week(w, min_base_m="ten")


def test_evidence_labels_cover_every_flag():
    flag_columns = [c for c in WEEKLY if c.startswith("flag_")]
    assert set(flag_columns) <= set(flags.EVIDENCE)
    assert "Buist 2008" in flags.EVIDENCE["flag_ramp"] and "RCT" in flags.EVIDENCE["flag_ramp"]
    assert "Frandsen 2025" in flags.EVIDENCE["flag_session_spike"]
    assert all(isinstance(v, str) and 0 < len(v) <= 70 for v in flags.EVIDENCE.values())
    # every flag function documents its rule, default and evidence
    for fn in (flags.ramp, flags.recovery_week, flags.missing_recovery, flags.session_spike,
               flags.acwr_high):
        doc = fn.__doc__
        assert "default" in doc and "evidence" in doc.lower()
    assert "20.8%" in flags.ramp.__doc__ and "20.3%" in flags.ramp.__doc__

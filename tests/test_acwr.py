"""ACWR (rolling coupled/uncoupled, EWMA) and Foster monotony against hand computation."""

from __future__ import annotations

import math
import statistics

import numpy as np
import pandas as pd
import pytest

from runload.acwr import daily_acwr, ewma_lambda, half_life_days, weekly_monotony
from runload.errors import ParameterError

# 35 days of running, metres: a steady block, a jump in the last week
LOAD = [8000.0, 0.0, 10000.0, 0.0, 6000.0, 0.0, 15000.0] * 4 + [
    12000.0, 10000.0, 12000.0, 0.0, 14000.0, 10000.0, 22000.0
]


def _daily(load, athlete="ann", start="2024-01-01"):
    return pd.DataFrame(
        {
            "athlete": pd.array([athlete] * len(load), dtype="string"),
            "date": pd.date_range(start, periods=len(load), freq="D"),
            "distance_m": load,
        }
    )


def _hand_ewma(load, lam):
    value, out = 0.0, []
    for x in load:
        value = lam * x + (1 - lam) * value
        out.append(value)
    return out


def test_rolling_acwr_matches_hand_computation():
    out = daily_acwr(_daily(LOAD))
    for t in range(len(LOAD)):
        if t < 27:
            assert np.isnan(out["acwr_rolling"].iloc[t])
            assert np.isnan(out["acwr_uncoupled"].iloc[t])
            continue
        acute = sum(LOAD[t - 6 : t + 1]) / 7
        chronic = sum(LOAD[t - 27 : t + 1]) / 28
        before = sum(LOAD[t - 27 : t - 6]) / 21
        assert out["acute_m"].iloc[t] == pytest.approx(acute)
        assert out["chronic_m"].iloc[t] == pytest.approx(chronic)
        assert out["acwr_rolling"].iloc[t] == pytest.approx(acute / chronic)
        assert out["acwr_uncoupled"].iloc[t] == pytest.approx(acute / before)
    # the steady 4 weeks give exactly 1 on day 27
    assert out["acwr_rolling"].iloc[27] == pytest.approx(1.0)
    # the last week: acute 80 km/7 d over chronic (3 x 39 + 80) km / 28 d
    assert out["acwr_rolling"].iloc[-1] == pytest.approx((80 / 7) / ((3 * 39 + 80) / 28))
    assert out["acwr_uncoupled"].iloc[-1] == pytest.approx((80 / 7) / (3 * 39 / 21))


@pytest.mark.parametrize("smoothing", ["williams", "simple", "banister"])
def test_ewma_acwr_matches_hand_recursion(smoothing):
    lam_a = {"williams": 2 / 8, "simple": 1 / 7, "banister": 1 - math.exp(-1 / 7)}[smoothing]
    lam_c = {"williams": 2 / 29, "simple": 1 / 28, "banister": 1 - math.exp(-1 / 28)}[smoothing]
    assert ewma_lambda(7, smoothing) == pytest.approx(lam_a)
    assert ewma_lambda(28, smoothing) == pytest.approx(lam_c)
    out = daily_acwr(_daily(LOAD), ewma=smoothing)
    acute = _hand_ewma(LOAD, lam_a)
    chronic = _hand_ewma(LOAD, lam_c)
    np.testing.assert_allclose(out["ewma_acute_m"], acute, rtol=1e-12)
    np.testing.assert_allclose(out["ewma_chronic_m"], chronic, rtol=1e-12)
    ratio = np.array(acute) / np.array(chronic)
    np.testing.assert_allclose(out["acwr_ewma"].iloc[27:], ratio[27:], rtol=1e-12)
    assert out["acwr_ewma"].iloc[:27].isna().all()


def test_williams_ewma_on_a_three_day_series_by_hand():
    out = daily_acwr(_daily([10.0, 0.0, 20.0]), acute_days=1, chronic_days=2)
    # acute λ = 2/(1+1) = 1: today's load; chronic λ = 2/3
    np.testing.assert_allclose(out["ewma_acute_m"], [10.0, 0.0, 20.0])
    np.testing.assert_allclose(out["ewma_chronic_m"], [20 / 3, 20 / 9, 20 / 27 + 40 / 3])
    # rolling: 1-day over 2-day means, from day 2 (index 1) on
    assert np.isnan(out["acwr_rolling"].iloc[0])
    np.testing.assert_allclose(out["acwr_rolling"].iloc[1:], [0.0 / 5.0, 20.0 / 10.0])
    # uncoupled: today over the day before; a 0 denominator gives no ratio
    np.testing.assert_allclose(out["acwr_uncoupled"].iloc[1:], [0.0 / 10.0, np.nan])


def test_athletes_do_not_leak_and_order_is_kept():
    a = _daily(LOAD, athlete="a")
    b = _daily([0.0] * 28 + [5000.0] * 7, athlete="b", start="2024-01-03")
    both = pd.concat([b, a], ignore_index=True).sample(frac=1.0, random_state=3)
    out = daily_acwr(both)
    assert out.index.equals(both.index)
    alone = daily_acwr(a)
    got = out[out["athlete"] == "a"].sort_values("date")
    np.testing.assert_allclose(got["acwr_rolling"], alone["acwr_rolling"])
    np.testing.assert_allclose(got["acwr_ewma"], alone["acwr_ewma"])
    # athlete b: 4 weeks off then a week of running
    gb = out[out["athlete"] == "b"].sort_values("date")
    assert np.isnan(gb["acwr_rolling"].iloc[27])  # 0 / 0: no ratio, never inf
    assert gb["acwr_rolling"].iloc[34] == pytest.approx(4.0)  # coupled: 5000 / (35000/28)
    assert np.isnan(gb["acwr_uncoupled"].iloc[34])  # previous 21 days all zero


def test_half_life_table():
    table = {
        (7, "williams"): 2.41, (7, "simple"): 4.50, (7, "banister"): 4.85,
        (28, "williams"): 9.70, (28, "simple"): 19.06, (28, "banister"): 19.41,
        (42, "williams"): 14.55, (42, "simple"): 28.76, (42, "banister"): 29.11,
    }
    for (n, smoothing), half in table.items():
        assert half_life_days(n, smoothing) == pytest.approx(half, abs=0.006)
    with pytest.raises(ParameterError):
        ewma_lambda(7, "hourly")
    with pytest.raises(ParameterError):
        daily_acwr(_daily(LOAD), acute_days=28, chronic_days=7)


def test_monotony_and_strain_by_hand():
    week = [10000.0, 0.0, 10000.0, 0.0, 10000.0, 0.0, 0.0]
    daily = _daily(week + [5000.0] * 7 + [0.0] * 7)
    out = weekly_monotony(daily)
    assert len(out) == 3
    mean = sum(week) / 7
    assert out["monotony"].iloc[0] == pytest.approx(mean / statistics.stdev(week))
    assert out["strain"].iloc[0] == pytest.approx(30000 * mean / statistics.stdev(week))
    population = weekly_monotony(daily, ddof=0)
    assert population["monotony"].iloc[0] == pytest.approx(mean / statistics.pstdev(week))
    # the same load every day, or nothing: SD 0, monotony undefined
    assert out["monotony"].iloc[1:].isna().all()


def test_monotony_missing_days_are_zero_and_sunday_weeks():
    # only Wednesday and Saturday of a Monday week are in the table
    daily = pd.DataFrame(
        {
            "athlete": ["ann", "ann"],
            "date": pd.to_datetime(["2024-01-03", "2024-01-06"]),
            "distance_m": [7000.0, 14000.0],
        }
    )
    out = weekly_monotony(daily)
    full = [0.0, 0.0, 7000.0, 0.0, 0.0, 14000.0, 0.0]
    assert out["monotony"].iloc[0] == pytest.approx((21000 / 7) / statistics.stdev(full))
    sunday = weekly_monotony(daily, week_start=6)
    assert sunday["week_start"].tolist() == [pd.Timestamp("2023-12-31")]
    with pytest.raises(ParameterError):
        weekly_monotony(daily, ddof=2)

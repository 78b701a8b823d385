"""Permutation p-values: exact enumeration for short histories, never below 1/M.

A history of T weeks has only T circular shifts (the observed one included), so no
permutation p-value can be smaller than 1/T (Phipson & Smyth 2010). These tests
recompute the exact permutation p-value by brute force -- plain loops over every shift,
independent of runload.stats.permutation -- and compare it with what associate reports.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from runload.columns import WEEKLY, conform
from runload.stats import associate
from runload.stats.lagged import binary_masks
from runload.stats.panel import build_panel
from runload.stats.permutation import (
    joint_shift_plan,
    n_arrangements,
    permutation_p,
    shift_plan,
    smallest_p,
)
from runload.stats.simulate import simulate_squad

START = pd.Timestamp("2024-01-01")  # a Monday


def weekly(athlete="a", weeks=20, ramp=(2, 5, 9, 14)) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "athlete": athlete,
            "week_start": START + pd.to_timedelta(np.arange(weeks) * 7, unit="D"),
            "distance_m": np.linspace(20_000, 40_000, weeks),
            "complete": [False] + [True] * (weeks - 2) + [False],
            "change_pct": np.r_[np.nan, np.nan, np.sin(np.arange(weeks - 2)) * 20],
            "flag_ramp": np.isin(np.arange(weeks), ramp),
        }
    )
    return conform(frame, WEEKLY)


def episodes(athlete="a", onsets=("2024-02-14", "2024-04-10"), ends=("2024-02-18", "2024-04-12")):
    # with 20 weeks from 2024-01-01: onsets in weeks 6 and 14
    return pd.DataFrame({"athlete": athlete, "onset": pd.to_datetime(list(onsets)),
                         "end": pd.to_datetime(list(ends)), "max_severity": [5.0, 3.0][: len(onsets)]})


def row_of(table, athlete="a", method="lagged_risk_ratio", exposure="flag_ramp"):
    rows = table.loc[(table["athlete"] == athlete) & (table["method"] == method)
                     & (table["exposure"] == exposure)]
    assert len(rows) == 1
    return rows.iloc[0]


def brute_scores(weekly_table, eps, athlete, lag=1, washout=4):
    """Score a - (a + c) n1 / N under every circular shift k = 0 .. T-1 (k = 0: observed)."""
    panel = build_panel(weekly_table, eps, washout_weeks=washout, columns=["flag_ramp"])
    start, stop = panel.bounds[athlete]
    f = panel.frame.iloc[start:stop]
    on, fr, cl = (f[c].to_numpy(dtype=bool).tolist() for c in ("onset", "free", "clear"))
    x1, x0 = (m[start:stop].tolist() for m in binary_masks(panel.frame, "flag_ramp"))
    T = len(on)
    scores = []
    for k in range(T):
        o, r, c_ = ([s[(t - k) % T] for t in range(T)] for s in (on, fr, cl))
        a = n1 = c = n0 = 0
        for t in range(T - lag):
            if not (r[t + lag] and all(c_[t + j] for j in range(lag))):
                continue
            if x1[t]:
                n1 += 1
                a += o[t + lag]
            if x0[t]:
                n0 += 1
                c += o[t + lag]
        scores.append(a - ((a + c) * n1 / (n1 + n0) if n1 + n0 else 0.0))
    return np.array(scores)


def exact_p(scores):
    """#{k : |S_k| >= |S_0|} / T over all shifts, the observed one included."""
    scores = np.asarray(scores)
    return float(np.mean(np.abs(scores) >= np.abs(scores[0]) - 1e-9))


def test_short_history_p_is_the_exact_enumeration():
    w, e = weekly(), episodes()
    table = associate(w, e, methods=("lagged",), n_permutations=999)
    row = row_of(table)
    expected = exact_p(brute_scores(w, e, "a"))
    assert row["p_permutation"] == pytest.approx(expected, abs=1e-12)
    assert row["p_value"] == row["p_permutation"]
    # 20 weeks: 19 non-zero shifts, every p a multiple of 1/20, none below it
    assert row["p_value"] >= 1 / 20
    assert (row["p_value"] * 20) == pytest.approx(round(row["p_value"] * 20))


def test_smallest_p_is_one_over_the_number_of_shifts():
    # the ramp weeks are exactly the weeks before the two onsets (weeks 5 and 13)
    w, e = weekly(ramp=(5, 13)), episodes()
    for seed in (0, 1, 2):
        row = row_of(associate(w, e, methods=("lagged",), n_permutations=999, seed=seed))
        assert row["exposed_events"] == 2 and row["unexposed_events"] == 0
        assert row["p_value"] == pytest.approx(1 / 20)
        assert row["p_value"] == pytest.approx(exact_p(brute_scores(w, e, "a")))
    # whatever the number of permutations asked for
    assert row_of(associate(w, e, methods=("lagged",), n_permutations=10_000))["p_value"] == pytest.approx(1 / 20)


def test_pooled_p_enumerates_the_joint_shifts():
    w = pd.concat([weekly("a"), weekly("b", weeks=24, ramp=(3, 6, 12, 17))], ignore_index=True)
    e = pd.concat([episodes("a"), episodes("b", onsets=("2024-02-07", "2024-05-01"),
                                              ends=("2024-02-09", "2024-05-03"))], ignore_index=True)
    table = associate(w, e, methods=("lagged",), n_permutations=999)
    s_a, s_b = brute_scores(w, e, "a"), brute_scores(w, e, "b")
    observed = abs(s_a[0] + s_b[0])
    joint = [abs(x + y) >= observed - 1e-9 for x, y in itertools.product(s_a, s_b)]
    assert len(joint) == 20 * 24
    pooled = row_of(table, athlete="pooled")
    assert pooled["p_permutation"] == pytest.approx(np.mean(joint), abs=1e-12)
    assert pooled["p_permutation"] >= 1 / (20 * 24)
    for athlete, scores in (("a", s_a), ("b", s_b)):
        assert row_of(table, athlete=athlete)["p_permutation"] == pytest.approx(exact_p(scores))
    # fewer permutations than joint shifts: sampled, p = (1 + b) / (1 + B), reproducible
    few = associate(w, e, methods=("lagged",), n_permutations=99, seed=5)
    p = row_of(few, athlete="pooled")["p_permutation"]
    assert p >= 1 / 100 and (p * 100) == pytest.approx(round(p * 100))
    again = associate(w, e, methods=("lagged",), n_permutations=99, seed=5)
    assert row_of(again, athlete="pooled")["p_permutation"] == p
    # the athletes' own p stay exact (19 and 23 shifts < 99)
    assert row_of(few, athlete="a")["p_permutation"] == pytest.approx(exact_p(s_a))


def test_correlation_p_is_the_exact_enumeration():
    w, e = weekly(), episodes()
    row = row_of(associate(w, e, exposures=["change_pct"], methods=("correlation",), n_permutations=999),
                 method="lagged_correlation", exposure="change_pct")
    panel = build_panel(w, e, washout_weeks=4, columns=["change_pct"])
    x = np.where(panel.frame["complete"], panel.frame["change_pct"].astype(float), np.nan)[:-1]
    y = panel.frame["severity"].to_numpy(dtype=float)
    T = len(y)
    rhos = []
    for k in range(T):
        yk = np.array([y[(t - k) % T] for t in range(T)])[1:]
        ok = np.isfinite(x) & np.isfinite(yk)
        rhos.append(sps.spearmanr(x[ok], yk[ok]).statistic if np.ptp(yk[ok]) > 0 else np.nan)
    rhos = np.array(rhos)
    assert row["estimate"] == pytest.approx(rhos[0])
    defined = np.isfinite(rhos)
    expected = np.sum(np.abs(rhos[defined]) >= abs(rhos[0]) - 1e-9) / defined.sum()
    assert row["p_permutation"] == pytest.approx(expected, abs=1e-12)
    assert row["p_permutation"] >= 1 / T


def test_shift_plans():
    rng = np.random.default_rng(0)
    assert shift_plan(26, 999, rng).tolist() == list(range(1, 26))
    assert shift_plan(1, 999, rng).size == 0
    drawn = shift_plan(2000, 999, rng)
    assert len(set(drawn.tolist())) == 999 and drawn.min() >= 1 and drawn.max() <= 1999
    every = joint_shift_plan([3, 4], 999, rng)
    assert every.shape == (11, 2) and len({tuple(r) for r in every}) == 11
    assert not (every == 0).all(axis=1).any()
    sampled = joint_shift_plan([30, 40], 99, rng)
    assert sampled.shape == (99, 2) and len({tuple(r) for r in sampled}) == 99
    assert not (sampled == 0).all(axis=1).any()
    huge = joint_shift_plan([156] * 20, 50, rng)  # 156**20 > 2**62: drawn athlete by athlete
    assert huge.shape == (50, 20) and not (huge == 0).all(axis=1).any()
    assert n_arrangements([156] * 20) == 156**20
    assert smallest_p([26], 999) == pytest.approx(1 / 26)
    assert smallest_p([26, 30], 999) == pytest.approx(1 / 780)
    assert smallest_p([26, 30, 40], 999) == pytest.approx(1 / 1000)
    assert np.isnan(permutation_p(1.0, np.zeros(0)))
    # undefined arrangements are left out of both counts
    assert permutation_p(0.5, np.array([np.nan, 0.1, 0.7])) == pytest.approx(2 / 3)


def test_null_false_positive_rate_for_short_histories():
    """Half-year histories, no planted effect: the exact permutation p rejects at most at
    the nominal rate, and never below 1/T (the old draws with replacement gave 0.001)."""
    T = 26
    weekly_table, eps = simulate_squad(400, weeks=T, hazard=0.06, rng=404)
    table = associate(weekly_table, eps, exposures=["flag_ramp", "flag_session_spike"],
                      methods=("lagged",), n_permutations=999, seed=1, pooled=False)
    rows = table.loc[table["p_value"].notna()]
    assert len(rows) >= 300
    assert rows["p_value"].min() >= 1 / T - 1e-12
    assert np.allclose(rows["p_value"] * T, np.round(rows["p_value"] * T))
    assert (rows["p_value"] < 0.05).mean() <= 0.075

"""runload.associate on hand-made weekly tables with known answers."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps
from statsmodels.discrete.conditional_models import ConditionalLogit
from statsmodels.stats.contingency_tables import StratifiedTable, Table2x2

import runload
from runload.columns import ASSOCIATIONS, WEEKLY, conform
from runload.errors import ParameterError
from runload.stats import associate, superposed_epoch
from runload.stats.dose import progression_category, spike_category
from runload.stats.simulate import simulate_squad
from runload.stats.summary import format_number, summary_line

START = pd.Timestamp("2024-01-01")  # a Monday


def weekly_one(athlete="a", weeks=20, ramp=(2, 5, 9, 14), **extra) -> pd.DataFrame:
    """20 weeks; first and last incomplete; ramp flags at the given weeks."""
    frame = pd.DataFrame(
        {
            "athlete": athlete,
            "week_start": START + pd.to_timedelta(np.arange(weeks) * 7, unit="D"),
            "distance_m": np.linspace(20_000, 40_000, weeks),
            "complete": [False] + [True] * (weeks - 2) + [False],
            "change_pct": np.r_[np.nan, np.nan, np.linspace(-5, 25, weeks - 2)],
            "flag_ramp": np.isin(np.arange(weeks), ramp),
            **extra,
        }
    )
    return conform(frame, WEEKLY)


def episodes_one(athlete="a") -> pd.DataFrame:
    # week 6 starts 2024-02-12, week 14 starts 2024-04-08
    return pd.DataFrame(
        {
            "athlete": athlete,
            "onset": pd.to_datetime(["2024-02-14", "2024-04-10"]),
            "end": pd.to_datetime(["2024-02-18", "2024-04-12"]),
            "max_severity": [5.0, 3.0],
        }
    )


def lagged(table, athlete="a", exposure="flag_ramp", lag=1):
    rows = table[(table["method"] == "lagged_risk_ratio") & (table["athlete"] == athlete)
                 & (table["exposure"] == exposure) & (table["lag_weeks"] == lag)]
    assert len(rows) == 1
    return rows.iloc[0]


# Worked by hand (see the docstring of runload.stats.panel): with washout 4 the weeks
# 6-10 and 14-18 touch an episode or its washout; weeks at risk for lag 1 are
# t = 1, 2, 3, 4, 5, 11, 12, 13; onsets follow t = 5 and t = 13; ramps at 2 and 5.
@pytest.mark.parametrize(
    ("lag", "washout", "counts"),
    [
        (1, 4, (1, 2, 1, 6)),
        (1, 0, (1, 3, 1, 13)),
        (0, 4, (1, 3, 1, 7)),
        (2, 4, (0, 1, 2, 5)),
    ],
)
def test_lagged_counts_by_hand(lag, washout, counts):
    table = associate(weekly_one(), episodes_one(), lag_weeks=lag, washout_weeks=washout,
                      methods=("lagged",), n_permutations=0)
    row = lagged(table, lag=lag)
    got = (row["exposed_events"], row["exposed_n"], row["unexposed_events"], row["unexposed_n"])
    assert got == counts


def test_lagged_estimates_against_scipy_and_statsmodels():
    table = associate(weekly_one(), episodes_one(), methods=("lagged",), n_permutations=0)
    row = lagged(table)
    a, n1, c, n0 = 1, 2, 1, 6
    t2 = Table2x2(np.array([[a, n1 - a], [c, n0 - c]]))
    assert row["estimate"] == pytest.approx(t2.riskratio) == 3.0
    assert row["p_exact"] == pytest.approx(sps.fisher_exact([[a, n1 - a], [c, n0 - c]]).pvalue)
    assert row["ci_low"] < 3 < row["ci_high"]
    assert row["p_value"] == row["p_midp"]  # no permutations: the mid-p is the headline
    permuted = lagged(associate(weekly_one(), episodes_one(), methods=("lagged",), n_permutations=20))
    assert permuted["p_value"] == permuted["p_permutation"]
    assert list(table.columns) == list(ASSOCIATIONS)


def test_pooled_is_mantel_haenszel_over_athletes():
    weekly = pd.concat([weekly_one("a"), weekly_one("b", ramp=(1, 3, 12, 13))], ignore_index=True)
    eps = pd.concat([episodes_one("a"), episodes_one("b")], ignore_index=True)
    table = associate(weekly, eps, methods=("lagged",), n_permutations=50)
    a_row, b_row, pooled = (lagged(table, athlete=x) for x in ("a", "b", "pooled"))
    strata = np.stack([
        [[r["exposed_events"], r["exposed_n"] - r["exposed_events"]],
         [r["unexposed_events"], r["unexposed_n"] - r["unexposed_events"]]]
        for r in (a_row, b_row)
    ]).astype(float)
    expected = StratifiedTable(strata.transpose(1, 2, 0)).riskratio_pooled
    assert pooled["estimate"] == pytest.approx(expected)
    assert pooled["exposed_n"] == a_row["exposed_n"] + b_row["exposed_n"]
    assert 0 < pooled["p_permutation"] <= 1


def test_new_flag_columns_are_exposures_without_code_changes():
    weekly = weekly_one()[["athlete", "week_start", "complete", "flag_ramp"]]
    weekly = weekly.assign(flag_short_sleep=np.arange(len(weekly)) % 3 == 0, not_a_flag=True,
                           flag_text="x")
    table = associate(weekly, episodes_one(), methods=("lagged",), n_permutations=0)
    # boolean flag_* columns only; flags the table does not have are not invented
    assert set(table["exposure"]) == {"flag_ramp", "flag_short_sleep"}
    row = lagged(table, exposure="flag_short_sleep")
    assert "a week flagged 'short sleep'" in row["summary"]
    # a flag that is never set gives a row that says so
    full = associate(weekly_one(), episodes_one(), methods=("lagged",), n_permutations=0)
    assert lagged(full, exposure="flag_acwr")["warning"] == (
        "not estimable: no week at risk was flagged, so there is nothing to compare")


def test_nullable_flags_leave_unknown_weeks_out():
    """A habits flag with missing weeks (nullable boolean) is an exposure; NA weeks are not at risk."""
    weekly = weekly_one()
    sleep = pd.array([True, None, True, False, None, True] + [False] * 14, dtype="boolean")
    weekly = weekly.assign(flag_short_sleep=sleep)
    table = associate(weekly, episodes_one(), methods=("lagged",), n_permutations=0)
    row = lagged(table, exposure="flag_short_sleep")
    # at-risk weeks 1, 2, 3, 4, 5, 11, 12, 13; week 1 and 4 unknown; exposed: 2, 5
    assert (row["exposed_n"], row["exposed_events"]) == (2, 1)
    assert (row["unexposed_n"], row["unexposed_events"]) == (4, 1)


def test_exposures_argument_selects_binary_and_continuous():
    table = associate(weekly_one(), episodes_one(), exposures=["flag_ramp", "change_pct"],
                      methods=("case_crossover",), n_permutations=0)
    assert set(zip(table["exposure"], table["method"], strict=True)) == {
        ("flag_ramp", "case_crossover"), ("change_pct", "conditional_logit")}
    with pytest.raises(ParameterError, match="not a column"):
        associate(weekly_one(), episodes_one(), exposures=["nope"])


def test_empty_episodes_give_a_clear_no_episodes_result():
    empty = pd.DataFrame({"onset": pd.Series(dtype="datetime64[ns]")})
    table = associate(weekly_one(), empty, n_permutations=10)
    assert len(table) > 0
    assert table["warning"].eq("no pain episodes in the log: nothing to relate the load to").all()
    assert table.loc[table["method"] == "lagged_risk_ratio", "estimate"].isna().all()


def test_episodes_without_athlete_belong_to_the_only_athlete():
    eps = episodes_one().drop(columns="athlete")
    table = associate(weekly_one(), eps, methods=("lagged",), n_permutations=0)
    assert lagged(table)["exposed_events"] == 1
    two = pd.concat([weekly_one("a"), weekly_one("b")], ignore_index=True)
    with pytest.raises(ParameterError, match="rows without an athlete and the weekly table has 2 athletes; add an .athlete. column"):
        associate(two, eps)


def test_episodes_of_unknown_athletes_are_ignored_with_a_warning():
    with pytest.warns(runload.RunloadWarning, match="zed"):
        associate(weekly_one(), pd.concat([episodes_one(), episodes_one("zed")]), methods=("lagged",),
                  n_permutations=0)


def test_inputs_not_modified_and_seed_reproducible():
    weekly, eps = weekly_one(), episodes_one()
    w0, e0 = weekly.copy(), eps.copy()
    one = associate(weekly, eps, n_permutations=30, seed=4)
    two = associate(weekly, eps, n_permutations=30, seed=4)
    pd.testing.assert_frame_equal(weekly, w0)
    pd.testing.assert_frame_equal(eps, e0)
    pd.testing.assert_frame_equal(one, two)


def test_episode_log_path_is_accepted(tmp_path):
    path = tmp_path / "pain.csv"
    path.write_text("onset,end,severity\n2024-02-14,2024-02-18,5\n2024-04-10,2024-04-12,3\n")
    table = associate(weekly_one(), path, methods=("lagged",), n_permutations=0)
    assert lagged(table)["exposed_events"] == 1


def test_several_lags_in_one_table():
    table = associate(weekly_one(), episodes_one(), lag_weeks=[0, 1, 2], methods=("lagged",),
                      n_permutations=0)
    assert sorted(table["lag_weeks"].unique()) == [0, 1, 2]


@pytest.mark.parametrize(
    "kwargs",
    [{"lag_weeks": -1}, {"lag_weeks": 1.5}, {"methods": ("magic",)}, {"ci_method": "wald"},
     {"alpha": 1.5}, {"stratum_weeks": 1}, {"washout_weeks": -2}],
)
def test_bad_parameters(kwargs):
    with pytest.raises(ParameterError):
        associate(weekly_one(), episodes_one(), **kwargs)


def test_weekly_table_must_be_weekly():
    weekly = weekly_one()
    weekly.loc[3, "week_start"] += pd.Timedelta(days=2)
    with pytest.raises(ParameterError, match="whole weeks"):
        associate(weekly, episodes_one())
    with pytest.raises(ParameterError, match="twice"):
        associate(pd.concat([weekly_one(), weekly_one()]), episodes_one())


# ----------------------------------------------------------------- case-crossover


def reference_sets(weekly, eps, *, lag, washout, stratum_weeks, column):
    """The documented case-crossover design, written out day by day (independent)."""
    epoch = pd.Timestamp("1970-01-05")
    sets = []
    for athlete, g in weekly.groupby("athlete"):
        g = g.sort_values("week_start").reset_index(drop=True)
        mine = eps[eps["athlete"] == athlete]
        spans = [(o, (e if pd.notna(e) else o) + pd.Timedelta(days=7 * washout))
                 for o, e in zip(mine["onset"], mine["end"], strict=True)]
        starts = list(g["week_start"])

        def clear(ws, spans=spans):
            return not any(o <= ws + pd.Timedelta(days=d) <= b for o, b in spans for d in range(7))

        def free(ws, spans=spans):
            return not any(o < ws <= b for o, b in spans)

        def onset_in(ws, spans=spans, ep=mine):
            return any(ws <= o <= ws + pd.Timedelta(days=6) for o in ep["onset"]) and free(ws)

        windows = []
        for t in range(len(starts) - lag):
            ok = bool(g.loc[t, "complete"]) and free(starts[t + lag])
            ok = ok and all(clear(starts[t + j]) for j in range(lag))
            if ok and pd.notna(g.loc[t, column]):
                block = (starts[t] - epoch).days // (7 * stratum_weeks)
                windows.append((t, block, onset_in(starts[t + lag]), float(g.loc[t, column])))
        for t, block, case, x in windows:
            if case:
                refs = [w for w in windows if w[1] == block and not w[2]]
                if refs:
                    sets.append((athlete, t, x, [r[3] for r in refs]))
    return sets


@pytest.fixture(scope="module")
def squad():
    weekly, eps = simulate_squad(6, weeks=80, hazard=0.08, rate_ratio=2.0, rng=7)
    return weekly, eps


def test_case_crossover_matches_statsmodels_on_reference_sets(squad):
    weekly, eps = squad
    table = associate(weekly, eps, exposures=["flag_ramp"], methods=("case_crossover",),
                      n_permutations=0)
    sets = reference_sets(weekly, eps, lag=1, washout=4, stratum_weeks=5, column="flag_ramp")
    tables = np.array([[[x, sum(r)], [1 - x, len(r) - sum(r)]] for _, _, x, r in sets], dtype=float)
    pooled = table[table["athlete"] == "pooled"].iloc[0]
    assert pooled["estimate"] == pytest.approx(StratifiedTable(tables.transpose(1, 2, 0)).oddsratio_pooled)
    assert pooled["exposed_events"] + pooled["unexposed_events"] == len(sets)
    assert pooled["exposed_n"] == tables[:, 0].sum()
    assert pooled["ci_low"] < pooled["estimate"] < pooled["ci_high"]


def test_conditional_logit_matches_statsmodels_on_reference_sets(squad):
    weekly, eps = squad
    table = associate(weekly, eps, exposures=["change_pct"], methods=("case_crossover",),
                      n_permutations=0)
    sets = reference_sets(weekly, eps, lag=1, washout=4, stratum_weeks=5, column="change_pct")
    endog, exog, groups = [], [], []
    for k, (_, _, x, refs) in enumerate(sets):
        endog += [1] + [0] * len(refs)
        exog += [x, *refs]
        groups += [k] * (1 + len(refs))
    fit = ConditionalLogit(np.array(endog, float), np.array(exog)[:, None] / 10.0,
                           groups=np.array(groups)).fit(disp=False)
    pooled = table[table["athlete"] == "pooled"].iloc[0]
    assert pooled["estimate"] == pytest.approx(np.exp(fit.params[0]), rel=1e-6)
    low, high = np.exp(np.asarray(fit.conf_int())[0])
    assert (pooled["ci_low"], pooled["ci_high"]) == pytest.approx((low, high), rel=1e-6)
    assert pooled["p_value"] == pytest.approx(fit.pvalues[0], rel=1e-6)
    assert pooled["increment"] == 10.0
    assert "each 10 percentage points more weekly change" in pooled["summary"]


# ----------------------------------------------------------------- dose-response


def test_progression_and_spike_categories():
    frame = pd.DataFrame({"change_pct": [-20, 10.0, 10.01, 30.0, 31, np.nan],
                          "max_spike_pct": [-5, 10.0, 29, 100.0, 101, np.nan]})
    assert progression_category(frame).tolist()[:5] == ["<10%", "<10%", "10-30%", "10-30%", ">30%"]
    assert pd.isna(progression_category(frame).iloc[5])
    assert spike_category(frame).tolist()[:5] == ["<=10%", "<=10%", "10-30%", "30-100%", ">100%"]
    given = pd.DataFrame({"progression": ["<10%", "10\u201330%", None]})
    assert progression_category(given).tolist()[:2] == ["<10%", "10-30%"]
    with pytest.raises(ParameterError):
        progression_category(pd.DataFrame({"progression": ["huge"]}))


def test_dose_response_rows(squad):
    weekly, eps = squad
    table = associate(weekly, eps, methods=("dose_response",), n_permutations=0)
    exposures = set(table["exposure"])
    assert {"progression 10-30% vs <10%", "progression >30% vs <10%"} <= exposures
    row = table[(table["exposure"] == "progression 10-30% vs <10%") & (table["athlete"] == "pooled")].iloc[0]
    assert row["summary"].startswith("All athletes together: after weeks with progression 10-30%")


# ----------------------------------------------------------------- describe / summary


def test_correlation_rows_have_permutation_p(squad):
    weekly, eps = squad
    table = associate(weekly, eps, exposures=["change_pct"], methods=("correlation",), n_permutations=40)
    assert (table["method"] == "lagged_correlation").all()
    assert table["estimate"].between(-1, 1).all()
    assert table["p_value"].equals(table["p_permutation"])
    assert "not a cause" in table["summary"].iloc[0]


def test_superposed_epoch():
    got = superposed_epoch(weekly_one(), episodes_one(), weeks_before=3)
    assert len(got) == 2 * 4
    first = got[got["onset"] == pd.Timestamp("2024-02-14")]
    assert first["week_offset"].tolist() == [-3, -2, -1, 0]
    assert first["week_start"].iloc[-1] == pd.Timestamp("2024-02-12")
    expected = weekly_one().set_index("week_start").loc[first["week_start"], "distance_m"].to_numpy()
    np.testing.assert_allclose(first["value"].to_numpy(), expected)
    empty = superposed_epoch(weekly_one(), episodes_one().iloc[:0])
    assert empty.empty


def test_summary_line_reads_like_the_issue_example():
    row = {"athlete": "me", "exposure": "flag_ramp", "method": "lagged_risk_ratio", "lag_weeks": 1,
           "estimate": 10.909, "ci_low": 1.62, "ci_high": 73.6, "exposed_n": 11, "exposed_events": 3,
           "unexposed_n": 80, "unexposed_events": 2}
    assert summary_line(row) == (
        "after a week more than 10% above its reference, 3 of 11 weeks were followed by a pain "
        "onset the next week, against 2 of 80 otherwise; risk ratio 11 (95% CI 1.6\u201374)"
    )
    assert [format_number(x) for x in (0.0123, 1.64, 74.2, 123.4, 2.6e7, 3e-5, np.inf, np.nan)] == [
        "0.012", "1.6", "74", "123", "2.6e+07", "3.0e-05", "infinity", "-"]


def test_small_counts_carry_a_warning():
    table = associate(weekly_one(), episodes_one(), methods=("lagged",), n_permutations=0)
    assert "too few to say anything" in lagged(table)["warning"]


def test_no_warnings_leak_from_statsmodels(squad):
    weekly, eps = squad
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        associate(weekly, eps, n_permutations=10)


def test_pooled_row_without_informative_athlete_says_why():
    # "a" is flagged every week (no unexposed weeks), "b" never (no exposed weeks): the
    # totals have onsets in both arms, but no athlete's stratum carries information.
    weekly = pd.concat([weekly_one("a", ramp=range(20)), weekly_one("b", ramp=())], ignore_index=True)
    eps = pd.concat([episodes_one("a"), episodes_one("b")], ignore_index=True)
    table = associate(weekly, eps, methods=("lagged",), n_permutations=0, min_events=1)
    pooled = lagged(table, athlete="pooled")
    assert pooled["exposed_events"] > 0 and pooled["unexposed_events"] > 0
    assert np.isnan(pooled["estimate"])
    reason = "no athlete had both exposed and unexposed weeks at risk with a pain onset among them"
    assert pooled["summary"].endswith(f"; risk ratio not estimable ({reason})")
    assert pooled["warning"] == f"not estimable: {reason}"
    assert "ratio -" not in " ".join(table["summary"])
    assert lagged(table, athlete="a")["summary"].endswith(
        "not estimable (every week at risk was flagged, none without it to compare with)")
    assert lagged(table, athlete="b")["warning"] == (
        "not estimable: no week at risk was flagged, so there is nothing to compare")


def test_summary_sentences_agree_with_their_counts():
    from runload.stats.summary import summary_line

    base = {"athlete": "a", "lag_weeks": 1, "exposure": "flag_ramp", "estimate": 1.0,
            "ci_low": 0.5, "ci_high": 2.0, "p_value": 0.5}
    one = summary_line({**base, "method": "lagged_risk_ratio", "exposed_events": 1,
                        "exposed_n": 1, "unexposed_events": 0, "unexposed_n": 3}, level="95%")
    assert "1 of 1 week was followed" in one
    many = summary_line({**base, "method": "lagged_risk_ratio", "exposed_events": 2,
                         "exposed_n": 5, "unexposed_events": 0, "unexposed_n": 3}, level="95%")
    assert "2 of 5 weeks were followed" in many
    cc = summary_line({**base, "method": "case_crossover", "exposed_events": 1, "exposed_n": 1,
                       "unexposed_events": 0, "unexposed_n": 1}, level="95%")
    assert "1 of 1 pain onset had" in cc and "before it," in cc
    assert "of 1 comparison week of" in cc
    logit = summary_line({**base, "method": "conditional_logit", "exposure": "distance_m",
                          "increment": 10000.0, "exposed_events": 1, "exposed_n": 2,
                          "unexposed_events": 0, "unexposed_n": 1}, level="95%")
    assert "from 1 onset compared" in logit

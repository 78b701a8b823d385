"""Exact and mid-p inference checked against scipy / statsmodels and brute force."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy import stats as sps
from scipy.stats.contingency import odds_ratio
from statsmodels.discrete.conditional_models import ConditionalLogit
from statsmodels.stats.contingency_tables import StratifiedTable, Table2x2

from runload.stats.exact import (
    common_odds_ratio_exact,
    mh_odds_ratio,
    mh_rate_ratio,
    rate_ratio_exact,
)

TABLES = [
    [[3, 8], [2, 78]],
    [[0, 5], [3, 3]],  # zero cell
    [[4, 0], [1, 6]],  # zero cell
    [[0, 10], [0, 20]],  # no events
    [[7, 3], [2, 9]],
    [[1, 1], [1, 1]],
    [[12, 30], [5, 60]],
]


@pytest.mark.parametrize("table", TABLES)
def test_single_table_exact_matches_scipy(table):
    got = common_odds_ratio_exact(table, midp=False)
    if np.asarray(table)[:, 0].sum() == 0:
        assert np.isnan(got.ci_low) and np.isnan(got.p_exact)
        return
    ci = odds_ratio(table, kind="conditional").confidence_interval(0.95)
    assert got.ci_low == pytest.approx(ci.low, rel=1e-6, abs=1e-12)
    if np.isinf(ci.high):
        assert np.isinf(got.ci_high)
    else:
        assert got.ci_high == pytest.approx(ci.high, rel=1e-6)
    assert got.p_exact == pytest.approx(sps.fisher_exact(table).pvalue, rel=1e-9)


@pytest.mark.parametrize("table", TABLES)
def test_single_table_midp_p_from_hypergeometric(table):
    t = np.asarray(table)
    if t[:, 0].sum() == 0:
        return
    got = common_odds_ratio_exact(t)
    dist = sps.hypergeom(t.sum(), t[0].sum(), t[:, 0].sum())
    a = t[0, 0]
    lower = dist.cdf(a) - 0.5 * dist.pmf(a)
    upper = dist.sf(a) + 0.5 * dist.pmf(a)
    assert got.p_midp == pytest.approx(min(1.0, 2 * min(lower, upper)), rel=1e-9)


@pytest.mark.parametrize(("a", "n1", "c", "n0"), [(3, 11, 2, 80), (0, 20, 4, 60), (5, 10, 0, 30), (1, 3, 1, 3), (9, 40, 11, 150)])
def test_rate_ratio_exact_is_clopper_pearson_on_the_ratio_scale(a, n1, c, n0):
    got = rate_ratio_exact(a, n1, c, n0, midp=False)
    ci = sps.binomtest(a, a + c, n1 / (n1 + n0)).proportion_ci(0.95, method="exact")

    def to_ratio(p):
        return np.inf if p == 1 else p / (1 - p) * n0 / n1

    assert got.ci_low == pytest.approx(to_ratio(ci.low), rel=1e-6, abs=1e-12)
    if np.isinf(to_ratio(ci.high)):
        assert np.isinf(got.ci_high)
    else:
        assert got.ci_high == pytest.approx(to_ratio(ci.high), rel=1e-6)


@pytest.mark.parametrize(("a", "n1", "c", "n0"), [(3, 11, 2, 80), (1, 30, 6, 90), (4, 25, 4, 25)])
def test_rate_ratio_midp_limits_solve_the_midp_equations(a, n1, c, n0):
    got = rate_ratio_exact(a, n1, c, n0, midp=True)
    m = a + c

    def prob(theta):
        return theta * n1 / (theta * n1 + n0)

    lo = sps.binom(m, prob(got.ci_low))
    hi = sps.binom(m, prob(got.ci_high))
    assert lo.sf(a) + 0.5 * lo.pmf(a) == pytest.approx(0.025, abs=1e-7)
    assert hi.cdf(a) - 0.5 * hi.pmf(a) == pytest.approx(0.025, abs=1e-7)
    exact = rate_ratio_exact(a, n1, c, n0, midp=False)
    assert exact.ci_low < got.ci_low < got.ci_high < exact.ci_high  # mid-p is narrower


def test_rate_ratio_zero_cells_and_empty():
    none_exposed = rate_ratio_exact(0, 11, 2, 80)
    assert none_exposed.ci_low == 0 and np.isfinite(none_exposed.ci_high)
    all_exposed = rate_ratio_exact(2, 11, 0, 80)
    assert all_exposed.ci_low > 0 and np.isinf(all_exposed.ci_high)
    nothing = rate_ratio_exact(0, 11, 0, 80)
    assert np.isnan(nothing.ci_low) and np.isnan(nothing.p_midp)
    assert mh_rate_ratio(0, 11, 2, 80) == 0
    assert np.isinf(mh_rate_ratio(2, 11, 0, 80))
    assert np.isnan(mh_rate_ratio(0, 11, 0, 80))


STRATA = np.array([
    [[2, 5], [1, 12]],
    [[0, 4], [3, 10]],
    [[3, 2], [2, 8]],
    [[1, 0], [0, 3]],  # zero cells
])


def test_mantel_haenszel_matches_statsmodels():
    st = StratifiedTable(STRATA.transpose(1, 2, 0).astype(float))
    assert mh_odds_ratio(STRATA) == pytest.approx(st.oddsratio_pooled, rel=1e-12)
    # risk form: rows exposed / unexposed, columns event / no event
    assert mh_rate_ratio(STRATA[:, 0, 0], STRATA[:, 0].sum(axis=1), STRATA[:, 1, 0],
                         STRATA[:, 1].sum(axis=1)) == pytest.approx(st.riskratio_pooled, rel=1e-12)
    single = Table2x2(STRATA[0])
    assert mh_rate_ratio(2, 7, 1, 13) == pytest.approx(single.riskratio, rel=1e-12)


def _brute_force(strata, log_theta):
    """pmf of sum a_i by enumerating every combination (independent of runload)."""
    supports = []
    for t in strata:
        total, row1, col1 = t.sum(), t[0].sum(), t[:, 0].sum()
        dist = sps.nchypergeom_fisher(total, row1, col1, np.exp(log_theta))
        ks = np.arange(max(0, row1 + col1 - total), min(row1, col1) + 1)
        supports.append([(k, dist.pmf(k)) for k in ks])
    pmf = {}
    for combo in itertools.product(*supports):
        s = sum(k for k, _ in combo)
        pmf[s] = pmf.get(s, 0.0) + np.prod([p for _, p in combo])
    return pmf


@pytest.mark.parametrize("midp", [True, False])
def test_stratified_exact_limits_against_brute_force(midp):
    got = common_odds_ratio_exact(STRATA, midp=midp)
    observed = STRATA[:, 0, 0].sum()
    half = 0.5 if midp else 1.0
    low = _brute_force(STRATA, np.log(got.ci_low))
    high = _brute_force(STRATA, np.log(got.ci_high))
    upper_tail = sum(p for s, p in low.items() if s > observed) + half * low[observed]
    lower_tail = sum(p for s, p in high.items() if s < observed) + half * high[observed]
    assert upper_tail == pytest.approx(0.025, abs=1e-7)
    assert lower_tail == pytest.approx(0.025, abs=1e-7)
    null = _brute_force(STRATA, 0.0)
    p_exact = sum(p for p in null.values() if p <= null[observed] * (1 + 1e-7))
    assert got.p_exact == pytest.approx(p_exact, rel=1e-9)


def test_conditional_mle_of_matched_sets_agrees_with_conditional_logit():
    """The exact machinery's mean equals the observed count at statsmodels' estimate."""
    rng = np.random.default_rng(3)
    sets, endog, exog = [], [], []
    tables = []
    for s in range(40):
        x = rng.random(4) < 0.35
        x[0] = rng.random() < 0.55  # case window a bit more often exposed
        sets += [s] * 4
        endog += [1, 0, 0, 0]
        exog += x.astype(float).tolist()
        tables.append([[int(x[0]), int(x[1:].sum())], [int(not x[0]), int((~x[1:]).sum())]])
    fit = ConditionalLogit(np.array(endog), np.array(exog)[:, None], groups=np.array(sets)).fit(disp=False)
    tables = np.array(tables)
    # E[T] at theta_hat from the noncentral hypergeometric terms of each set
    theta = np.exp(fit.params[0])
    expected = 0.0
    for t in tables:
        total, row1 = t.sum(), t[0].sum()
        expected += sps.nchypergeom_fisher(total, row1, 1, theta).mean()
    assert expected == pytest.approx(tables[:, 0, 0].sum(), rel=1e-5)
    got = common_odds_ratio_exact(tables)
    assert got.ci_low < theta < got.ci_high


def test_coverage_of_the_midp_interval_is_near_nominal():
    """Mid-p is approximately nominal, exact at least nominal (Rothman & Greenland)."""
    rng = np.random.default_rng(11)
    truth, n1, n0 = 2.5, 60, 240
    hits_mid = hits_exact = runs = 0
    for _ in range(200):
        a = rng.poisson(0.03 * truth * n1)
        c = rng.poisson(0.03 * n0)
        if a + c == 0:
            continue
        runs += 1
        mid = rate_ratio_exact(a, n1, c, n0, midp=True)
        ex = rate_ratio_exact(a, n1, c, n0, midp=False)
        hits_mid += mid.ci_low <= truth <= mid.ci_high
        hits_exact += ex.ci_low <= truth <= ex.ci_high
    assert hits_exact / runs >= 0.95
    assert 0.92 <= hits_mid / runs <= 0.99

"""Error rates and power by simulation (a smaller run of benchmarks/sim_stats.py).

The full run (600 runners, 200 squads; results in docs/pain_analysis.md) takes
minutes; these keep the same design at a size that runs in seconds and still fails
if an analysis becomes anti-conservative, loses its power, or forgets the washout.
"""

from __future__ import annotations

import numpy as np
import pytest

from runload.stats import associate
from runload.stats.simulate import simulate_squad


def _lagged(table, athlete=None):
    rows = table.loc[(table["method"] == "lagged_risk_ratio") & (table["exposure"] == "flag_ramp")]
    if athlete is not None:
        rows = rows.loc[rows["athlete"] == athlete]
    return rows


@pytest.fixture(scope="module")
def null_runners():
    weekly, eps = simulate_squad(300, weeks=156, hazard=0.04, rng=101)
    table = associate(weekly, eps, exposures=["flag_ramp"], methods=("lagged",), n_permutations=199,
                      seed=3, pooled=False)
    rows = _lagged(table)
    return rows.loc[rows["exposed_events"] + rows["unexposed_events"] > 0]


def test_false_positive_rate_per_runner(null_runners):
    """No planted effect: the headline p rejects near 5%, the exact tests below it."""
    assert len(null_runners) >= 280
    headline = (null_runners["p_value"] < 0.05).mean()
    assert null_runners["p_value"].equals(null_runners["p_permutation"])
    assert 0.025 <= headline <= 0.075
    # Fisher's exact test and its mid-p are valid but conservative with few onsets
    assert (null_runners["p_exact"] < 0.05).mean() <= 0.04
    assert (null_runners["p_midp"] < 0.05).mean() <= 0.045


def test_power_of_the_pooled_interval_with_planted_rate_ratio_3():
    rng = np.random.default_rng(202)
    excluded, estimates = [], []
    for _ in range(8):
        weekly, eps = simulate_squad(20, weeks=104, hazard=0.03, rate_ratio=3.0, rng=rng)
        row = _lagged(associate(weekly, eps, exposures=["flag_ramp"], methods=("lagged",),
                                n_permutations=0), athlete="pooled").iloc[0]
        excluded.append(row["ci_low"] > 1)
        estimates.append(row["estimate"])
    assert np.mean(excluded) >= 0.6
    assert 2.0 <= np.median(estimates) <= 4.5


def test_washout_prevents_a_fake_protective_effect():
    """Counting the weeks after an episode (no new onset possible, running back up) as at
    risk makes ramps look protective; the default washout does not."""
    weekly, eps = simulate_squad(250, weeks=104, hazard=0.04, rng=303)
    kw = {"exposures": ["flag_ramp"], "methods": ("lagged",), "n_permutations": 0}
    with_washout = _lagged(associate(weekly, eps, **kw), athlete="pooled").iloc[0]
    without = _lagged(associate(weekly, eps, washout_weeks=0, **kw), athlete="pooled").iloc[0]
    assert with_washout["ci_low"] < 1 < with_washout["ci_high"]
    assert without["ci_high"] < 1

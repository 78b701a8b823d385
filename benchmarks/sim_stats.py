"""False-positive rate and power of runload.associate, by simulation.

Runs :func:`runload.stats.simulate.simulate_squad` worlds with a known truth and
reports, for each p-value runload gives, how often it falls below alpha = 0.05:

1. per runner, no planted effect (>= 500 runners, each analysed on its own);
2. pooled over a 20-runner squad, no planted effect (many squads);
3. pooled over a 20-runner squad, planted rate ratio 3 after a ramp week (power);
4. the washout: the same null world analysed without a washout;
5. per runner, planted rate ratio 3 (what one runner can hope to see);
6. pooled over a 20-runner squad, planted rate ratio 1.5.

The numbers are copied into docs/pain_analysis.md ("Simulation"). Usage::

    .venv/bin/python benchmarks/sim_stats.py [--runners 600] [--squads 200] [--seed 1]
"""

from __future__ import annotations

import argparse
import json
import time
import warnings

import numpy as np
import pandas as pd

from runload.stats import associate
from runload.stats.simulate import simulate_squad

ALPHA = 0.05
P_COLUMNS = ("p_exact", "p_midp", "p_permutation")


def rates(rows: pd.DataFrame) -> dict:
    """Share of rows with each p below alpha (rows with at least one onset)."""
    events = rows["exposed_events"] + rows["unexposed_events"]
    rows = rows.loc[events > 0]
    out = {"n": len(rows)}
    for col in P_COLUMNS:
        values = rows[col].dropna()
        out[col] = float((values < ALPHA).mean()) if len(values) else float("nan")
    out["ci_excludes_1"] = float(((rows["ci_low"] > 1) | (rows["ci_high"] < 1)).mean())
    out["ci_above_1"] = float((rows["ci_low"] > 1).mean())
    return out


def per_runner(n_runners: int, weeks: int, hazard: float, seed: int, n_permutations: int,
               rate_ratio: float = 1.0) -> dict:
    weekly, episodes = simulate_squad(n_runners, weeks=weeks, hazard=hazard, rate_ratio=rate_ratio, rng=seed)
    table = associate(weekly, episodes, exposures=["flag_ramp", "flag_session_spike"],
                      methods=("lagged", "case_crossover"), n_permutations=n_permutations,
                      seed=seed, pooled=False)
    out = {"onsets_per_runner": float(len(episodes) / n_runners)}
    for method in ("lagged_risk_ratio", "case_crossover"):
        part = table.loc[table["method"] == method]
        out[method] = rates(part)
        for exposure in ("flag_ramp", "flag_session_spike"):
            out[f"{method} {exposure}"] = rates(part.loc[part["exposure"] == exposure])
    return out


def pooled(n_squads: int, squad: int, weeks: int, hazard: float, rate_ratio: float, seed: int,
           n_permutations: int, washout_weeks: int = 4) -> dict:
    rng = np.random.default_rng(seed)
    rows = []
    for _ in range(n_squads):
        weekly, episodes = simulate_squad(squad, weeks=weeks, hazard=hazard, rate_ratio=rate_ratio, rng=rng)
        table = associate(weekly, episodes, exposures=["flag_ramp"], methods=("lagged", "case_crossover"),
                          n_permutations=n_permutations, seed=int(rng.integers(2**31)),
                          washout_weeks=washout_weeks)
        rows.append(table.loc[table["athlete"] == "pooled"])
    table = pd.concat(rows, ignore_index=True)
    out = {}
    for method in ("lagged_risk_ratio", "case_crossover"):
        part = table.loc[table["method"] == method]
        out[method] = rates(part)
        out[method]["median_estimate"] = float(part["estimate"].median())
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runners", type=int, default=600)
    parser.add_argument("--squads", type=int, default=200)
    parser.add_argument("--squad-size", type=int, default=20)
    parser.add_argument("--weeks", type=int, default=104)
    parser.add_argument("--runner-weeks", type=int, default=156)
    parser.add_argument("--runner-hazard", type=float, default=0.04)
    parser.add_argument("--hazard", type=float, default=0.03)
    parser.add_argument("--permutations", type=int, default=499)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--sections", nargs="*", help="run only these parts (default: all)")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    settings = vars(args)
    results = {"settings": settings}
    t0 = time.perf_counter()
    few = max(args.squads // 4, 20)
    runs = {
        "per_runner_null": lambda: per_runner(args.runners, args.runner_weeks, args.runner_hazard,
                                              args.seed, args.permutations),
        "pooled_null": lambda: pooled(args.squads, args.squad_size, args.weeks, args.hazard, 1.0,
                                      args.seed + 1, args.permutations),
        "pooled_rr3": lambda: pooled(args.squads, args.squad_size, args.weeks, args.hazard, 3.0,
                                     args.seed + 2, args.permutations),
        "pooled_null_no_washout": lambda: pooled(few, args.squad_size, args.weeks, args.hazard, 1.0,
                                                 args.seed + 3, 0, washout_weeks=0),
        "per_runner_rr3": lambda: per_runner(args.runners, args.runner_weeks, args.runner_hazard,
                                             args.seed + 4, args.permutations, rate_ratio=3.0),
        "pooled_rr1.5": lambda: pooled(few, args.squad_size, args.weeks, args.hazard, 1.5,
                                       args.seed + 5, 0),
    }
    for name in args.sections or list(runs):
        results[name] = runs[name]()
    results["seconds"] = round(time.perf_counter() - t0, 1)
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()

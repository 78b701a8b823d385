"""Simulated runners with known truth, to measure error rates and power.

:func:`simulate_squad` makes a weekly table and pain episodes for ``n_runners``
runners whose back-pain hazard depends on the load flag ``flag_ramp`` through a
planted rate ratio (1: no effect). Used by ``benchmarks/sim_stats.py`` and the tests;
its settings and results are reported in ``docs/pain_analysis.md``.

The model, week by week and vectorised over runners:

* weekly distance follows a log-scale random walk around a slowly building base
  with a recovery week every fourth week; during an episode the runner runs
  ``pain_running`` of the planned distance (pain reduces running);
* ``change_pct`` is the change over the previous week, ``flag_ramp`` a change above
  10% in a complete week, ``flag_session_spike`` an independent persistent flag;
* a runner free of pain and past the washout at the start of a week has a new onset
  that week with probability ``hazard``, times ``rate_ratio`` when the week before
  was a ramp week; an episode lasts 1-6 weeks (geometric) and no new one can start in
  the ``washout_weeks`` after it (de Vet's pain-free month).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..columns import EPISODES, WEEKLY, conform

__all__ = ["simulate_squad"]


def simulate_squad(
    n_runners: int = 20,
    *,
    weeks: int = 104,
    hazard: float = 0.03,
    rate_ratio: float = 1.0,
    washout_weeks: int = 4,
    pain_running: float = 0.4,
    mean_episode_weeks: float = 2.0,
    start="2024-01-01",
    random_phase: bool = True,
    rng=None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Simulate a squad's weekly table and pain episodes.

    Parameters
    ----------
    n_runners : int, default 20
        Runners, named ``r000``, ``r001`` ...
    weeks : int, default 104
        Weeks of data per runner (the first and last are incomplete).
    hazard : float, default 0.03
        Weekly probability of a new onset for a runner at risk after an unflagged
        week.
    rate_ratio : float, default 1
        Planted hazard ratio after a ``flag_ramp`` week (1: no effect).
    washout_weeks : int, default 4
        Weeks after an episode in which no new one starts.
    pain_running : float, default 0.4
        Share of the planned distance run during an episode.
    mean_episode_weeks : float, default 2
        Mean episode length (geometric, 1-6 weeks).
    start : date-like, default "2024-01-01"
        First Monday.
    random_phase : bool, default True
        Each runner's 4-week cycle starts at a random week; False aligns every
        runner's recovery weeks on the same calendar weeks (and on the 4-week
        strata of the case-crossover: its worst case).
    rng : numpy.random.Generator or int, optional

    Returns
    -------
    weekly, episodes : pandas.DataFrame
        :data:`runload.columns.WEEKLY` (with ``flag_ramp``, ``flag_session_spike``,
        ``change_pct``, ``distance_m``, ``max_spike_pct``) and
        :data:`runload.columns.EPISODES`.
    """
    rng = np.random.default_rng(rng)
    n, T = int(n_runners), int(weeks)
    base = rng.uniform(20_000, 60_000, n)
    trend = np.exp(np.cumsum(rng.normal(0.01, 0.03, (n, T)), axis=1))
    noise = np.exp(rng.normal(0.0, 0.08, (n, T)))
    phase = rng.integers(0, 4, n) if random_phase else np.zeros(n, dtype=np.int64)
    recovery = ((np.arange(T)[None, :] + phase[:, None]) % 4 == 3) & (rng.random((n, T)) < 0.7)
    planned = base[:, None] * trend * noise * np.where(recovery, 0.75, 1.0)
    spike = np.zeros((n, T), dtype=bool)
    spike[:, 0] = rng.random(n) < 0.15
    for t in range(1, T):
        p = np.where(spike[:, t - 1], 0.4, 0.1)
        spike[:, t] = rng.random(n) < p

    distance = np.empty((n, T))
    ramp = np.zeros((n, T), dtype=bool)
    onset = np.full((n, T), -1, dtype=np.int64)  # onset day within the week, -1 none
    in_pain = np.zeros((n, T), dtype=bool)
    pain_left = np.zeros(n, dtype=np.int64)  # weeks of the current episode still to come
    blocked = np.zeros(n, dtype=np.int64)  # washout weeks still to come
    complete = np.ones(T, dtype=bool)
    complete[[0, -1]] = False
    p_stop = 1.0 / mean_episode_weeks
    for t in range(T):
        at_risk = (pain_left == 0) & (blocked == 0)
        h = np.full(n, hazard)
        if t > 0:
            h = np.where(ramp[:, t - 1], hazard * rate_ratio, hazard)
        new = at_risk & (rng.random(n) < np.clip(h, 0, 1))
        length = np.minimum(rng.geometric(p_stop, n), 6)
        pain_left = np.where(new, length, pain_left)
        onset[:, t] = np.where(new, rng.integers(0, 7, n), -1)
        in_pain[:, t] = pain_left > 0
        distance[:, t] = planned[:, t] * np.where(in_pain[:, t], pain_running, 1.0)
        if t > 0:
            change = distance[:, t] / distance[:, t - 1] - 1.0
            ramp[:, t] = (change > 0.10) & complete[t] & (t > 1)
        # advance the episode and washout clocks to the next week
        ending = pain_left == 1
        blocked = np.where(ending, washout_weeks, np.maximum(blocked - (pain_left == 0), 0))
        pain_left = np.maximum(pain_left - 1, 0)

    start = pd.Timestamp(start)
    week_start = start + pd.to_timedelta(np.arange(T) * 7, unit="D")
    change_pct = np.full((n, T), np.nan)
    change_pct[:, 2:] = 100.0 * (distance[:, 2:] / distance[:, 1:-1] - 1.0)
    change_pct[:, -1] = np.nan
    names = np.array([f"r{i:03d}" for i in range(n)])
    weekly = pd.DataFrame(
        {
            "athlete": np.repeat(names, T),
            "week_start": np.tile(week_start.to_numpy(), n),
            "distance_m": distance.ravel(),
            "complete": np.tile(complete, n),
            "change_pct": change_pct.ravel(),
            "max_spike_pct": np.where(spike, 40.0, 0.0).ravel(),
            "flag_ramp": ramp.ravel(),
            "flag_session_spike": (spike & complete[None, :]).ravel(),
        }
    )
    runner, week = np.nonzero(onset >= 0)
    onset_day = week_start.to_numpy()[week] + onset[runner, week].astype("timedelta64[D]")
    # the episode's last day: the end of its last painful week
    last_week = week.copy()
    for k in range(1, 7):
        nxt = np.minimum(week + k, T - 1)
        still = in_pain[runner, nxt] & (week + k < T) & (last_week == week + k - 1)
        last_week = np.where(still, week + k, last_week)
    end_day = week_start.to_numpy()[last_week] + np.timedelta64(6, "D")
    end_day = np.maximum(end_day, onset_day)
    episodes = pd.DataFrame(
        {
            "athlete": names[runner],
            "onset": onset_day,
            "end": end_day,
            "max_severity": rng.integers(2, 9, runner.size).astype(float),
        }
    )
    return conform(weekly, WEEKLY), conform(episodes, EPISODES, extra=False)

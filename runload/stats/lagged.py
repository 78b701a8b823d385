"""Week-level lagged analysis: did onsets follow exposed weeks more often?

For each athlete, every *clear* exposure week ``t`` (complete, exposure known, no day
in an episode or its washout) is paired with the outcome week ``t + lag``; the pair is
at risk when the weeks between are clear and the outcome week starts pain free. The
outcome is a new onset in the outcome week. Exposed and unexposed weeks at risk give
a 2x2 table per athlete:

==========  ===============  =====================
            onset            no onset
==========  ===============  =====================
exposed     ``a``            ``n1 - a``
unexposed   ``c``            ``n0 - c``
==========  ===============  =====================

Each row gives the risk ratio ``(a / n1) / (c / n0)`` (onsets per week at risk, so
also a rate ratio), its exact or mid-p interval (:func:`runload.stats.exact.rate_ratio_exact`),
Fisher's exact p (:func:`scipy.stats.fisher_exact`), the mid-p of the same
conditional test and a permutation p-value from circular shifts of the episode
pattern. The pooled row stratifies by athlete (Mantel-Haenszel).

The permutation p-value never claims more than the data allow: a history of ``T``
weeks has only ``T - 1`` non-zero circular shifts, so when ``T - 1 <= n_permutations``
all of them are enumerated and the p-value is exact, at least ``1 / T`` (1/26 =
0.0385 for half a year); the pooled test enumerates or samples the ``prod(T_i)``
joint shifts of the athletes by the same rule (:mod:`runload.stats.permutation`;
Phipson & Smyth 2010).
"""

from __future__ import annotations

import numpy as np
from scipy import stats as sps

from .exact import common_odds_ratio_exact, mh_rate_ratio, rate_ratio_exact
from .panel import Panel, lag_pairs
from .permutation import (
    circular_shift_index,
    joint_shift_plan,
    permutation_p,
    shift_index,
    shift_plan,
)

__all__ = ["binary_masks", "lagged_tables", "lagged_rows", "circular_shift_index", "permutation_p"]


def binary_masks(frame, name):
    """(exposed, unexposed) boolean arrays: complete weeks where ``name`` is known."""
    value = frame[name].astype("boolean")
    known = frame["complete"].to_numpy(dtype=bool) & value.notna().to_numpy()
    flag = value.fillna(False).to_numpy(dtype=bool)
    return known & flag, known & ~flag


def _counts(at_risk, event, x1, x0):
    """Counts (a, n1, c, n0), each shaped (..., E), for masks x1/x0 of shape (E, T)."""
    at = at_risk.astype(float)
    hit = (at_risk & event).astype(float)
    return hit @ x1.T, at @ x1.T, hit @ x0.T, at @ x0.T


def _score(a, n1, c, n0):
    """Observed minus expected exposed events (the Mantel-Haenszel score)."""
    total = n1 + n0
    with np.errstate(invalid="ignore", divide="ignore"):
        expected = np.where(total > 0, (a + c) * n1 / np.where(total > 0, total, 1), 0.0)
    return a - expected


def lagged_tables(panel: Panel, masks: dict, *, lag: int, n_permutations: int, rng,
                  pooled: bool = True):
    """Per-athlete counts and permutation scores for each exposure mask.

    Parameters
    ----------
    panel : Panel
        From :func:`runload.stats.panel.build_panel`.
    masks : dict
        label -> (exposed, unexposed) boolean arrays over the panel rows.
    lag : int
        Weeks from exposure to outcome.
    n_permutations : int
        Arrangements per test (0: none). An athlete of ``T`` weeks has ``T - 1``
        non-zero circular shifts: all are used when ``T - 1 <= n_permutations`` (an
        exact permutation test), else ``n_permutations`` distinct ones at random
        (:func:`runload.stats.permutation.shift_plan`). The pooled test shifts each
        athlete with an onset independently: ``M = prod(T_i)`` joint shifts,
        enumerated or sampled by the same rule
        (:func:`~runload.stats.permutation.joint_shift_plan`).
    rng : numpy.random.Generator
        Used only where arrangements are sampled.
    pooled : bool, default True
        Also compute the pooled (summed) score under the athletes' joint shifts.

    Returns
    -------
    labels : list of str
        The exposure labels, in the order of the count columns.
    counts : dict
        athlete -> array (4, E): a, n1, c, n0 per exposure.
    scores : dict
        athlete -> (observed score (E,), permuted scores (B, E)); the score is the
        observed minus expected exposed onsets, ``a - (a + c) n1 / (n1 + n0)``.
        Athletes without an onset have no permuted scores (theirs is always 0).
    pooled_scores : tuple or None
        (observed summed score (E,), summed score under each joint shift (B, E)), or
        None without permutations, without an athlete with an onset, or with
        ``pooled=False``.

    References
    ----------
    .. [1] Phipson B, Smyth GK. Permutation p-values should never be zero. Stat Appl
       Genet Mol Biol 2010;9:Article 39.
    .. [2] Harms KE et al. J Ecol 2001;89:947-959 (torus-translation test).
    """
    frame = panel.frame
    onset = frame["onset"].to_numpy(dtype=bool)
    free = frame["free"].to_numpy(dtype=bool)
    clear = frame["clear"].to_numpy(dtype=bool)
    labels = list(masks)
    x1_all = np.stack([masks[k][0] for k in labels]).astype(float) if labels else np.zeros((0, len(frame)))
    x0_all = np.stack([masks[k][1] for k in labels]).astype(float) if labels else np.zeros((0, len(frame)))
    counts, scores = {}, {}
    shifted = []  # (weeks, scores under every shift or None, scorer) per athlete with an onset
    for athlete, (start, stop) in panel.bounds.items():
        on, fr, cl = onset[start:stop], free[start:stop], clear[start:stop]
        x1, x0 = x1_all[:, start:stop], x0_all[:, start:stop]
        at, ev = lag_pairs(on, fr, cl, lag)
        a, n1, c, n0 = _counts(at, ev, x1, x0)
        counts[athlete] = np.stack([a, n1, c, n0])
        permuted = np.zeros((0, len(labels)))
        if n_permutations and on.any():
            weeks = stop - start
            scorer = _shifted_scores(on, fr, cl, x1, x0, lag)
            every = None
            if weeks - 1 <= n_permutations:
                every = scorer(np.arange(weeks))  # row k: shifted by k weeks; row 0 as observed
                permuted = every[1:]
            else:
                permuted = scorer(shift_plan(weeks, n_permutations, rng))
            shifted.append((weeks, every, scorer))
        scores[athlete] = (_score(a, n1, c, n0), permuted)
    pooled_scores = None
    if pooled and n_permutations and shifted:
        plan = joint_shift_plan([weeks for weeks, _, _ in shifted], n_permutations, rng)
        total = np.zeros((plan.shape[0], len(labels)))
        for k, (_, every, scorer) in enumerate(shifted):
            if every is not None:
                total += every[plan[:, k]]
            else:
                needed, where = np.unique(plan[:, k], return_inverse=True)
                total += scorer(needed)[where]
        pooled_scores = (sum(s[0] for s in scores.values()), total)
    return labels, counts, scores, pooled_scores


def _shifted_scores(on, fr, cl, x1, x0, lag):
    """A function mapping circular shifts (B,) to scores (B, E), the episode pattern rotated."""
    weeks = on.shape[-1]

    def scorer(shifts):
        idx = shift_index(weeks, shifts)
        at_p, ev_p = lag_pairs(on[idx], fr[idx], cl[idx], lag)
        return _score(*_counts(at_p, ev_p, x1, x0))

    return scorer


def lagged_rows(panel: Panel, masks: dict, *, lag: int, method: str, n_permutations: int,
                rng, alpha: float, midp: bool, pooled: bool = True) -> list[dict]:
    """Rows of the association table for the lagged risk ratio (see module docstring).

    ``masks`` maps an exposure label to its (exposed, unexposed) week masks; dose
    categories use the same machinery with a category and the reference category.
    """
    pooled = pooled and len(panel.bounds) > 1
    labels, counts, scores, pooled_scores = lagged_tables(panel, masks, lag=lag, n_permutations=n_permutations,
                                                          rng=rng, pooled=pooled)
    rows = []
    for j, label in enumerate(labels):
        # complete weeks with the exposure recorded (either group): a habit that was
        # never logged is "not recorded", not "no onset" (summary.not_estimable_reason)
        known = np.asarray(masks[label][0]) | np.asarray(masks[label][1])
        recorded = {athlete: int(known[start:stop].sum()) for athlete, (start, stop) in panel.bounds.items()}
        for athlete, table in counts.items():
            a, n1, c, n0 = (int(v) for v in table[:, j])
            row = _row(athlete, label, method, lag, [a], [n1], [c], [n0], alpha, midp)
            row["recorded_weeks"] = recorded[athlete]
            if a + c and n1 and n0:
                row["p_exact"] = float(sps.fisher_exact([[a, n1 - a], [c, n0 - c]]).pvalue)
            observed, permuted = scores[athlete]
            if a + c and n1 and n0:
                row["p_permutation"] = permutation_p(observed[j], permuted[:, j])
            rows.append(row)
        if pooled:
            stacked = np.stack([counts[k][:, j] for k in counts])  # (athletes, 4)
            a, n1, c, n0 = (stacked[:, i].astype(np.int64) for i in range(4))
            row = _row("pooled", label, method, lag, a, n1, c, n0, alpha, midp)
            row["recorded_weeks"] = sum(recorded.values())
            if pooled_scores is not None and a.sum() + c.sum() and n1.sum() and n0.sum():
                row["p_permutation"] = permutation_p(pooled_scores[0][j], pooled_scores[1][:, j])
            rows.append(row)
    return rows


def _row(athlete, label, method, lag, a, n1, c, n0, alpha, midp) -> dict:
    a, n1, c, n0 = (np.asarray(v, dtype=np.int64) for v in (a, n1, c, n0))
    estimate = mh_rate_ratio(a, n1, c, n0) if (n1.sum() and n0.sum()) else np.nan
    interval = rate_ratio_exact(a, n1, c, n0, alpha=alpha, midp=midp)
    tables = np.stack([np.stack([a, n1 - a], axis=-1), np.stack([c, n0 - c], axis=-1)], axis=1)
    test = common_odds_ratio_exact(tables, interval=False)
    return {
        "athlete": athlete,
        "exposure": label,
        "method": method,
        "lag_weeks": lag,
        "estimate": estimate,
        "ci_low": interval.ci_low,
        "ci_high": interval.ci_high,
        "p_exact": test.p_exact,
        "p_midp": test.p_midp,
        "p_permutation": np.nan,
        "exposed_n": int(n1.sum()),
        "exposed_events": int(a.sum()),
        "unexposed_n": int(n0.sum()),
        "unexposed_events": int(c.sum()),
    }

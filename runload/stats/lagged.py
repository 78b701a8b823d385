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
"""

from __future__ import annotations

import numpy as np
from scipy import stats as sps

from .exact import common_odds_ratio_exact, mh_rate_ratio, rate_ratio_exact
from .panel import Panel, lag_pairs

__all__ = ["binary_masks", "lagged_tables", "lagged_rows", "circular_shift_index"]


def binary_masks(frame, name):
    """(exposed, unexposed) boolean arrays: complete weeks where ``name`` is known."""
    value = frame[name].astype("boolean")
    known = frame["complete"].to_numpy(dtype=bool) & value.notna().to_numpy()
    flag = value.fillna(False).to_numpy(dtype=bool)
    return known & flag, known & ~flag


def circular_shift_index(length: int, n: int, rng) -> np.ndarray:
    """Index matrix ``(n, length)`` of ``n`` random non-zero circular shifts.

    Row ``b`` reorders a series ``s`` as ``s[(t - k_b) mod length]``: the series is
    rotated by ``k_b`` in 1 .. length - 1 weeks, which keeps its autocorrelation and
    the spacing of its episodes while breaking any tie to the exposure series.

    References
    ----------
    .. [1] Harms KE, Condit R, Hubbell SP, Foster RB. Habitat associations of trees
       and shrubs in a 50-ha neotropical forest plot. J Ecol 2001;89:947-959
       (torus-translation test).
    """
    shifts = rng.integers(1, length, size=n) if length > 1 else np.zeros(n, dtype=np.int64)
    return (np.arange(length)[None, :] - shifts[:, None]) % length


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


def lagged_tables(panel: Panel, masks: dict, *, lag: int, n_permutations: int, rng):
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
        Circular shifts per athlete (0: none).
    rng : numpy.random.Generator

    Returns
    -------
    labels : list of str
        The exposure labels, in the order of the count columns.
    counts : dict
        athlete -> array (4, E): a, n1, c, n0 per exposure.
    scores : dict
        athlete -> (observed score (E,), permuted scores (B, E)); the score is the
        observed minus expected exposed onsets, ``a - (a + c) n1 / (n1 + n0)``.
    """
    frame = panel.frame
    onset = frame["onset"].to_numpy(dtype=bool)
    free = frame["free"].to_numpy(dtype=bool)
    clear = frame["clear"].to_numpy(dtype=bool)
    labels = list(masks)
    x1_all = np.stack([masks[k][0] for k in labels]).astype(float) if labels else np.zeros((0, len(frame)))
    x0_all = np.stack([masks[k][1] for k in labels]).astype(float) if labels else np.zeros((0, len(frame)))
    counts, scores = {}, {}
    for athlete, (start, stop) in panel.bounds.items():
        on, fr, cl = onset[start:stop], free[start:stop], clear[start:stop]
        x1, x0 = x1_all[:, start:stop], x0_all[:, start:stop]
        at, ev = lag_pairs(on, fr, cl, lag)
        a, n1, c, n0 = _counts(at, ev, x1, x0)
        counts[athlete] = np.stack([a, n1, c, n0])
        permuted = np.zeros((0, len(labels)))
        if n_permutations and on.any():
            idx = circular_shift_index(stop - start, n_permutations, rng)
            at_p, ev_p = lag_pairs(on[idx], fr[idx], cl[idx], lag)
            permuted = _score(*_counts(at_p, ev_p, x1, x0))
        scores[athlete] = (_score(a, n1, c, n0), permuted)
    return labels, counts, scores


def permutation_p(observed, permuted):
    """Two-sided permutation p-value ``(1 + #{|S_b| >= |S|}) / (1 + B)``.

    References
    ----------
    .. [1] Phipson B, Smyth GK. Permutation p-values should never be zero. Stat Appl
       Genet Mol Biol 2010;9:39.
    """
    permuted = np.asarray(permuted)
    if permuted.shape[0] == 0:
        return np.nan
    hits = (np.abs(permuted) >= np.abs(observed) - 1e-9).sum(axis=0)
    return (1.0 + hits) / (1.0 + permuted.shape[0])


def lagged_rows(panel: Panel, masks: dict, *, lag: int, method: str, n_permutations: int,
                rng, alpha: float, midp: bool, pooled: bool = True) -> list[dict]:
    """Rows of the association table for the lagged risk ratio (see module docstring).

    ``masks`` maps an exposure label to its (exposed, unexposed) week masks; dose
    categories use the same machinery with a category and the reference category.
    """
    labels, counts, scores = lagged_tables(panel, masks, lag=lag, n_permutations=n_permutations, rng=rng)
    rows = []
    for j, label in enumerate(labels):
        for athlete, table in counts.items():
            a, n1, c, n0 = (int(v) for v in table[:, j])
            row = _row(athlete, label, method, lag, [a], [n1], [c], [n0], alpha, midp)
            if a + c and n1 and n0:
                row["p_exact"] = float(sps.fisher_exact([[a, n1 - a], [c, n0 - c]]).pvalue)
            observed, permuted = scores[athlete]
            if a + c and n1 and n0:
                row["p_permutation"] = permutation_p(observed[j], permuted[:, j])
            rows.append(row)
        if pooled and len(counts) > 1:
            stacked = np.stack([counts[k][:, j] for k in counts])  # (athletes, 4)
            a, n1, c, n0 = (stacked[:, i].astype(np.int64) for i in range(4))
            row = _row("pooled", label, method, lag, a, n1, c, n0, alpha, midp)
            observed = sum(scores[k][0][j] for k in scores)
            perms = [scores[k][1][:, j] for k in scores if scores[k][1].shape[0]]
            if perms and a.sum() + c.sum() and n1.sum() and n0.sum():
                row["p_permutation"] = permutation_p(observed, np.sum(perms, axis=0))
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

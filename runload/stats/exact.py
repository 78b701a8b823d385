"""Exact and mid-p inference for rate ratios and common odds ratios.

scipy and statsmodels give Fisher's exact test, the exact conditional interval of a
single odds ratio and Mantel-Haenszel point estimates, but no exact or mid-p interval
for a (stratified) rate ratio nor for a common odds ratio over many strata. Both are
the same computation: conditional on the margins of every stratum, the statistic
``T = sum_i a_i`` (exposed events) has a distribution whose stratum terms are
proportional to ``w_i(k) * theta**k`` -- binomial for a rate ratio, Fisher's
noncentral hypergeometric for an odds ratio. The distribution of ``T`` is the
convolution of the strata; intervals come from inverting its tails.

References
----------
.. [1] Rothman KJ, Greenland S, Lash TL. Modern Epidemiology, 3rd ed. Lippincott
   Williams & Wilkins, 2008; ch. 14 (exact and mid-p intervals for rate ratios).
.. [2] Breslow NE, Day NE. Statistical Methods in Cancer Research, vol. I, IARC, 1980;
   sect. 4.4 (exact inference on a common odds ratio); vol. II, 1987, sect. 3.4.
.. [3] Lancaster HO. Significance tests in discrete distributions. J Am Stat Assoc
   1961;56:223-234 (the mid-p).
.. [4] Mantel N, Haenszel W. Statistical aspects of the analysis of data from
   retrospective studies of disease. J Natl Cancer Inst 1959;22:719-748.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from scipy import optimize, special

__all__ = [
    "ExactResult",
    "rate_ratio_exact",
    "common_odds_ratio_exact",
    "mh_rate_ratio",
    "mh_odds_ratio",
]

_LOG_BOUND = 40.0  # search |log theta| up to e**40


class ExactResult(NamedTuple):
    """Result of an exact conditional analysis.

    Attributes
    ----------
    ci_low, ci_high : float
        Confidence limits of the ratio (0 and inf when the data cannot bound it).
    p_exact : float
        Two-sided exact p-value of ratio = 1 (sum of the probabilities no larger
        than the observed one, as Fisher's exact test).
    p_midp : float
        Two-sided mid-p value: twice the smaller one-sided tail with half the
        probability of the observed value.
    """

    ci_low: float
    ci_high: float
    p_exact: float
    p_midp: float


def _binomial_weights(events, n1, n0):
    """Stratum terms of a rate ratio: a_i | m_i ~ Binomial(m_i, theta n1 / (theta n1 + n0))."""
    m = np.asarray(events, dtype=np.int64)
    n1 = np.asarray(n1, dtype=float)
    n0 = np.asarray(n0, dtype=float)
    lo = np.zeros_like(m)
    # an empty arm fixes a_i: all events on the other side (uninformative stratum)
    lo = np.where(n1 <= 0, 0, np.where(n0 <= 0, m, lo))
    hi = np.where(n1 <= 0, 0, np.where(n0 <= 0, m, m))
    width = int((hi - lo).max(initial=0)) + 1
    k = lo[:, None] + np.arange(width)[None, :]
    valid = k <= hi[:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        logw = (
            special.gammaln(m[:, None] + 1.0)
            - special.gammaln(k + 1.0)
            - special.gammaln(m[:, None] - k + 1.0)
            + k * np.log(np.where(n1 > 0, n1, 1.0))[:, None]
            + (m[:, None] - k) * np.log(np.where(n0 > 0, n0, 1.0))[:, None]
        )
    return lo, np.where(valid, logw, -np.inf)


def _hypergeom_weights(tables):
    """Stratum terms of an odds ratio: Fisher's noncentral hypergeometric, margins fixed."""
    t = np.asarray(tables, dtype=np.int64).reshape(-1, 2, 2)
    row1 = t[:, 0, 0] + t[:, 0, 1]
    col1 = t[:, 0, 0] + t[:, 1, 0]
    total = t.sum(axis=(1, 2))
    lo = np.maximum(0, row1 + col1 - total)
    hi = np.minimum(row1, col1)
    width = int((hi - lo).max(initial=0)) + 1
    k = lo[:, None] + np.arange(width)[None, :]
    valid = k <= hi[:, None]
    kk = np.where(valid, k, lo[:, None])

    def lncomb(n, r):
        return special.gammaln(n + 1.0) - special.gammaln(r + 1.0) - special.gammaln(n - r + 1.0)

    logw = lncomb(row1[:, None], kk) + lncomb((total - row1)[:, None], col1[:, None] - kk)
    return lo, np.where(valid, logw, -np.inf)


def _widths(logw):
    """Number of support points of each stratum (its terms are a contiguous run)."""
    return np.isfinite(logw).sum(axis=1)


def _family(lo, logw):
    """Distinct informative strata: (t0, t1, rows, counts, widths, k)."""
    widths = _widths(logw)
    informative = widths > 1
    t0 = int(lo.sum())
    t1 = t0 + int((widths - 1).sum())
    rows, counts = np.unique(np.round(logw[informative], 12), axis=0, return_counts=True)
    return t0, t1, rows, counts, _widths(rows), np.arange(rows.shape[1])


def _power(pmf, r):
    """pmf of the sum of ``r`` independent copies (binary exponentiation)."""
    out = np.ones(1)
    while r:
        if r & 1:
            out = np.convolve(out, pmf)
        r >>= 1
        if r:
            pmf = np.convolve(pmf, pmf)
    return out


def _distribution(family, log_theta):
    """pmf of T - t0 at ratio exp(log_theta)."""
    _, _, rows, counts, widths, k = family
    shifted = rows + k * log_theta
    probs = np.exp(shifted - shifted.max(axis=1, keepdims=True))
    probs /= probs.sum(axis=1, keepdims=True)
    if len(counts) == 1 and counts[0] == 1:
        return probs[0, : widths[0]]
    pmf = np.ones(1)
    for row, size, r in zip(probs, widths, counts, strict=True):
        pmf = np.convolve(pmf, _power(row[:size], int(r)))
    return pmf


def _tails(family, log_theta, i):
    """(P(T < t), P(T = t), P(T > t)) at the given ratio; ``i`` = t - t0."""
    pmf = _distribution(family, log_theta)
    return pmf[:i].sum(), pmf[i], pmf[i + 1 :].sum()


def _interval(family, observed, alpha, midp):
    t0, t1 = family[0], family[1]
    i = observed - t0
    half = 0.5 if midp else 1.0

    def upper_tail(log_theta):  # P(T >= t) (mid-p: P(T > t) + P(T = t)/2); increasing
        below, at, above = _tails(family, log_theta, i)
        return above + half * at - alpha / 2

    def lower_tail(log_theta):  # P(T <= t) (mid-p); decreasing in theta
        below, at, above = _tails(family, log_theta, i)
        return below + half * at - alpha / 2

    low = 0.0 if observed <= t0 else _root(upper_tail, beyond=(0.0, np.inf))
    high = np.inf if observed >= t1 else _root(lower_tail, beyond=(0.0, np.inf))
    return low, high


def _root(f, *, beyond):
    """Root of a monotone f in log theta; ``beyond`` = values when it lies off the grid."""
    a, b = -_LOG_BOUND, _LOG_BOUND
    fa, fb = f(a), f(b)
    if fa * fb > 0:
        # the root lies outside e**-40 .. e**40: below when f already has the
        # sign it takes at the top at the bottom of the grid, else above
        increasing = fb > fa
        return beyond[0] if (fa > 0) == increasing else beyond[1]
    return float(np.exp(optimize.brentq(f, a, b, xtol=1e-9, rtol=1e-10)))


def _pvalues(family, observed):
    pmf = _distribution(family, 0.0)
    i = observed - family[0]
    p_obs = pmf[i]
    p_exact = min(1.0, float(pmf[pmf <= p_obs * (1 + 1e-7)].sum()))
    below, above = pmf[:i].sum(), pmf[i + 1 :].sum()
    p_midp = min(1.0, float(2 * min(below + 0.5 * p_obs, above + 0.5 * p_obs)))
    return p_exact, p_midp


def _run(lo, logw, observed, alpha, midp, *, interval=True):
    if not (_widths(logw) > 1).any():
        return ExactResult(np.nan, np.nan, np.nan, np.nan)
    family = _family(lo, logw)
    observed = int(observed)
    low, high = _interval(family, observed, alpha, midp) if interval else (np.nan, np.nan)
    p_exact, p_midp = _pvalues(family, observed)
    return ExactResult(low, high, p_exact, p_midp)


def rate_ratio_exact(exposed_events, exposed_n, unexposed_events, unexposed_n, *, alpha=0.05, midp=True):
    """Exact conditional (or mid-p) interval and p-values for a (common) rate ratio.

    Parameters
    ----------
    exposed_events, exposed_n, unexposed_events, unexposed_n : int or array_like
        Per stratum: events and person-time (weeks at risk) after exposed and after
        unexposed weeks. Scalars give one stratum (one athlete).
    alpha : float, default 0.05
        1 - confidence level.
    midp : bool, default True
        Mid-p interval (Rothman & Greenland) instead of the exact (Clopper-Pearson
        type) one.

    Returns
    -------
    ExactResult
        Limits of the common rate ratio and two-sided p-values of ratio = 1 from the
        conditional distribution of the exposed events (binomial per stratum).
        All NaN when no stratum has events in a stratum with both arms.

    Notes
    -----
    Given the events ``m_i = a_i + c_i`` of stratum *i*, ``a_i`` is binomial with
    probability ``theta n1_i / (theta n1_i + n0_i)`` (Poisson counts, person-time
    ``n1_i``, ``n0_i``). The limits solve ``P(T >= t) = alpha/2`` and
    ``P(T <= t) = alpha/2`` for ``T = sum a_i``; the mid-p version counts half of
    ``P(T = t)``. With one stratum this is the exact binomial (Clopper-Pearson)
    interval for ``a / m`` transformed to the ratio scale.

    References
    ----------
    .. [1] Rothman KJ, Greenland S, Lash TL. Modern Epidemiology, 3rd ed., 2008, ch. 14.
    .. [2] Breslow NE, Day NE. Statistical Methods in Cancer Research, vol. II. IARC,
       1987, sect. 3.4.
    """
    a, n1, c, n0 = (np.atleast_1d(np.asarray(x, dtype=np.int64)) for x in
                    (exposed_events, exposed_n, unexposed_events, unexposed_n))
    lo, logw = _binomial_weights(a + c, n1, n0)
    return _run(lo, logw, a.sum(), alpha, midp)


def common_odds_ratio_exact(tables, *, alpha=0.05, midp=True, interval=True):
    """Exact conditional (or mid-p) interval and p-values for a common odds ratio.

    Parameters
    ----------
    tables : array_like, shape (2, 2) or (K, 2, 2)
        One 2x2 table per stratum, ``[[exposed cases, exposed controls],
        [unexposed cases, unexposed controls]]``.
    alpha : float, default 0.05
        1 - confidence level.
    midp : bool, default True
        Mid-p instead of exact limits.
    interval : bool, default True
        False skips the limits (NaN) when only the p-values are needed.

    Returns
    -------
    ExactResult
        Limits for the common odds ratio; ``p_exact`` is the exact test of no
        association in K tables (Fisher's exact test when K = 1), ``p_midp`` its
        mid-p version. NaN when no stratum is informative.

    Notes
    -----
    With all margins fixed, the exposed cases of each stratum follow Fisher's
    noncentral hypergeometric distribution with the common odds ratio as its
    parameter; the sum over strata is their convolution. With one stratum the exact
    limits equal those of ``scipy.stats.contingency.odds_ratio(kind="conditional")``.

    References
    ----------
    .. [1] Breslow NE, Day NE. Statistical Methods in Cancer Research, vol. I. IARC,
       1980, sect. 4.4.
    .. [2] Mehta CR, Patel NR, Gray R. Computing an exact confidence interval for the
       common odds ratio in several 2x2 contingency tables. J Am Stat Assoc
       1985;80:969-973.
    """
    t = np.asarray(tables, dtype=np.int64).reshape(-1, 2, 2)
    lo, logw = _hypergeom_weights(t)
    return _run(lo, logw, t[:, 0, 0].sum(), alpha, midp, interval=interval)


def mh_rate_ratio(exposed_events, exposed_n, unexposed_events, unexposed_n):
    """Mantel-Haenszel rate ratio over strata (person-time form).

    ``sum(a_i n0_i / N_i) / sum(c_i n1_i / N_i)`` with ``N_i = n1_i + n0_i``; with one
    stratum the crude ratio ``(a / n1) / (c / n0)``. NaN when undefined, inf when
    only the denominator is zero.

    References
    ----------
    .. [1] Rothman KJ, Greenland S, Lash TL. Modern Epidemiology, 3rd ed., 2008, ch. 15.
    """
    a, n1, c, n0 = (np.atleast_1d(np.asarray(x, dtype=float)) for x in
                    (exposed_events, exposed_n, unexposed_events, unexposed_n))
    total = n1 + n0
    keep = (n1 > 0) & (n0 > 0)
    num = np.sum(a[keep] * n0[keep] / total[keep])
    den = np.sum(c[keep] * n1[keep] / total[keep])
    return _ratio(num, den)


def mh_odds_ratio(tables):
    """Mantel-Haenszel common odds ratio, ``sum(a d / n) / sum(b c / n)`` [1]_.

    References
    ----------
    .. [1] Mantel N, Haenszel W. J Natl Cancer Inst 1959;22:719-748.
    """
    t = np.asarray(tables, dtype=float).reshape(-1, 2, 2)
    n = t.sum(axis=(1, 2))
    keep = n > 0
    t, n = t[keep], n[keep]
    num = np.sum(t[:, 0, 0] * t[:, 1, 1] / n)
    den = np.sum(t[:, 0, 1] * t[:, 1, 0] / n)
    return _ratio(num, den)


def _ratio(num, den):
    if den > 0:
        return float(num / den)
    return np.inf if num > 0 else np.nan

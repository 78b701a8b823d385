"""Circular-shift permutation tests: which shifts to use, and the p-value.

A permutation p-value is only as fine as the set of arrangements it is drawn from.
One athlete's history of ``T`` weeks has exactly ``T`` circular shifts (the identity,
i.e. the data as observed, and ``T - 1`` others); a pooled test that shifts each of
``K`` athletes independently has ``M = T_1 x ... x T_K`` joint shifts. Under the null
hypothesis the observed arrangement is one of these ``M``, each equally likely, so no
p-value below ``1 / M`` can be justified, whatever the number of draws.

The rule used throughout :mod:`runload.stats`:

* when there are no more non-identity arrangements than permutations asked for
  (``M - 1 <= n_permutations``), **all** of them are enumerated and the p-value is the
  exact permutation p-value ``#{g : |S_g| >= |S|} / M`` (the identity counts itself),
  never below ``1 / M``;
* otherwise ``n_permutations`` *distinct* non-identity arrangements are drawn at
  random (without replacement) and ``p = (1 + b) / (1 + B)``, with ``b`` of the ``B``
  draws at least as extreme as the observed statistic. Drawn without replacement this
  is an exact test too (the observed arrangement is exchangeable with the draws), and
  it is never below ``1 / (1 + B) > 1 / M``.

Both cases are the same formula ``(1 + b) / (1 + B)`` over the arrangements used, so
:func:`permutation_p` serves both. A 26-week history therefore has a smallest possible
p of 1/26 = 0.0385, not 1/1000.

References
----------
.. [1] Phipson B, Smyth GK. Permutation p-values should never be zero: calculating
   exact p-values when permutations are randomly drawn. Stat Appl Genet Mol Biol
   2010;9(1):Article 39 (exact enumeration when the permutation group is small;
   ``(b + 1) / (B + 1)`` when it is sampled).
.. [2] Harms KE, Condit R, Hubbell SP, Foster RB. Habitat associations of trees and
   shrubs in a 50-ha neotropical forest plot. J Ecol 2001;89:947-959
   (torus-translation test: circular shifts keep the autocorrelation).
.. [3] Good P. Permutation, Parametric and Bootstrap Tests of Hypotheses, 3rd ed.
   Springer, 2005, ch. 3 (exact tests from the full permutation distribution).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

__all__ = [
    "n_arrangements",
    "smallest_p",
    "shift_plan",
    "joint_shift_plan",
    "shift_index",
    "circular_shift_index",
    "permutation_p",
]

# joint plans with more arrangements than this are drawn athlete by athlete (see
# joint_shift_plan); below it they are drawn as distinct integers
_INDEXABLE = 2**62


def n_arrangements(lengths: Sequence[int]) -> int:
    """Number of joint circular shifts of series of the given lengths, identity included.

    Parameters
    ----------
    lengths : sequence of int
        Length (weeks) of each independently shifted series.

    Returns
    -------
    int
        ``prod(lengths)`` as an exact Python integer (it may exceed 64 bits).
    """
    return math.prod(int(t) for t in lengths)


def smallest_p(lengths: Sequence[int], n_permutations: int) -> float:
    """Smallest permutation p-value the rule of this module can give.

    ``1 / M`` when the ``M - 1`` non-identity arrangements are enumerated
    (``M - 1 <= n_permutations``), else ``1 / (n_permutations + 1)``; NaN when there is
    no arrangement besides the identity.
    """
    m = n_arrangements(lengths)
    if m <= 1 or n_permutations <= 0:
        return float("nan")
    return 1.0 / m if m - 1 <= n_permutations else 1.0 / (n_permutations + 1)


def shift_plan(length: int, n_permutations: int, rng) -> np.ndarray:
    """Non-zero circular shifts (weeks) of one series of ``length`` weeks.

    Parameters
    ----------
    length : int
        Weeks in the series; it has ``length - 1`` non-zero shifts.
    n_permutations : int
        Shifts wanted.
    rng : numpy.random.Generator
        Used only when the shifts are sampled.

    Returns
    -------
    numpy.ndarray of int64
        Every shift ``1 .. length - 1`` in order when ``length - 1 <= n_permutations``
        (exact enumeration); otherwise ``n_permutations`` distinct shifts drawn without
        replacement. Empty when ``length <= 1`` or ``n_permutations <= 0``.
    """
    length, n = int(length), int(n_permutations)
    if length <= 1 or n <= 0:
        return np.zeros(0, dtype=np.int64)
    if length - 1 <= n:
        return np.arange(1, length, dtype=np.int64)
    return np.sort(rng.choice(length - 1, size=n, replace=False)).astype(np.int64) + 1


def joint_shift_plan(lengths: Sequence[int], n_permutations: int, rng) -> np.ndarray:
    """Joint shifts of several series shifted independently (one column per series).

    Parameters
    ----------
    lengths : sequence of int
        Length of each series (athlete); the group has ``M = prod(lengths)`` joint
        shifts, the identity (all zero) among them.
    n_permutations : int
        Joint shifts wanted.
    rng : numpy.random.Generator
        Used only when the joint shifts are sampled.

    Returns
    -------
    numpy.ndarray of int64, shape (B, K)
        Row ``b`` gives the shift of each series. All ``M - 1`` non-identity joint
        shifts when ``M - 1 <= n_permutations`` (exact enumeration), else
        ``n_permutations`` distinct ones drawn without replacement. For astronomically
        many arrangements (``M >= 2**62``, e.g. a cohort) each series' shift is drawn
        independently and uniformly and the identity is redrawn; a repeated row then has
        probability below ``B**2 / M`` (< 1e-12), so the draws are in effect distinct.
    """
    lengths = [int(t) for t in lengths]
    k, n = len(lengths), int(n_permutations)
    m = n_arrangements(lengths)
    if k == 0 or m <= 1 or n <= 0:
        return np.zeros((0, k), dtype=np.int64)
    if m - 1 <= n:
        flat = np.arange(1, m, dtype=np.int64)
    elif m < _INDEXABLE:
        flat = np.sort(rng.choice(m - 1, size=n, replace=False)).astype(np.int64) + 1
    else:
        plan = rng.integers(0, lengths, size=(n, k), dtype=np.int64)
        zero = ~plan.any(axis=1)
        while zero.any():
            plan[zero] = rng.integers(0, lengths, size=(int(zero.sum()), k), dtype=np.int64)
            zero = ~plan.any(axis=1)
        return plan
    return np.stack(np.unravel_index(flat, lengths), axis=1).astype(np.int64)


def shift_index(length: int, shifts: np.ndarray) -> np.ndarray:
    """Index matrix ``(len(shifts), length)``: row ``b`` reads ``s[(t - k_b) mod length]``.

    The series is rotated by ``k_b`` weeks, which keeps its autocorrelation and the
    spacing of its episodes while breaking any tie to the exposure series [1]_.

    References
    ----------
    .. [1] Harms KE et al. J Ecol 2001;89:947-959 (torus-translation test).
    """
    shifts = np.asarray(shifts, dtype=np.int64)
    return (np.arange(length)[None, :] - shifts[:, None]) % max(int(length), 1)


def circular_shift_index(length: int, n: int, rng) -> np.ndarray:
    """Index matrix of the non-zero circular shifts of :func:`shift_plan`.

    All ``length - 1`` of them when ``length - 1 <= n``, else ``n`` distinct ones at
    random; see the module docstring for why never more than exist.
    """
    return shift_index(length, shift_plan(length, n, rng))


def permutation_p(observed, permuted):
    """Two-sided permutation p-value ``(1 + #{|S_b| >= |S|}) / (1 + B)``.

    Parameters
    ----------
    observed : float or array of shape (E,)
        Statistic of the data as observed.
    permuted : array of shape (B, ...)
        Statistic under each non-identity arrangement used: all of them (then the p-value
        is the exact permutation p-value, at least ``1 / M``) or ``B`` distinct ones
        drawn at random (then at least ``1 / (1 + B)``), see :func:`shift_plan`.
        Arrangements where the statistic is undefined (NaN) are left out of both counts:
        the test is conditional on the arrangements where it is defined.

    Returns
    -------
    float or numpy.ndarray
        The p-value (NaN when no arrangement besides the identity is defined).

    Notes
    -----
    A p-value of ``1 / (1 + B)`` is only attainable when the arrangements exist:
    drawing 999 shifts from a history with only 25 non-zero shifts would claim
    ``p = 0.001`` where the exact answer can be no smaller than 1/26 = 0.0385 [1]_.
    A relative tolerance of 1e-9 counts ties computed in floating point as ties.

    References
    ----------
    .. [1] Phipson B, Smyth GK. Permutation p-values should never be zero: calculating
       exact p-values when permutations are randomly drawn. Stat Appl Genet Mol Biol
       2010;9(1):Article 39.
    """
    permuted = np.asarray(permuted, dtype=float)
    if permuted.shape[0] == 0:
        return np.nan
    observed = np.abs(np.asarray(observed, dtype=float))
    defined = np.isfinite(permuted)
    hits = (defined & (np.abs(permuted) >= observed - 1e-9 * np.maximum(observed, 1.0))).sum(axis=0)
    used = defined.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = np.where(used > 0, (1.0 + hits) / (1.0 + used), np.nan)
    return p if p.ndim else float(p)

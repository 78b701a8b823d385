"""Descriptive views for the curious runner: lagged correlation and superposed epochs.

Neither is a test of cause. The correlation pairs each week's load change with the
pain severity ``lag`` weeks later (Spearman's rho); successive weeks are strongly
autocorrelated, so the usual p-value of a correlation is far too small. The p-value
given here comes from circular shifts of the severity series instead (all of them
when the history is short, see :mod:`runload.stats.permutation`).

The superposed-epoch (Chree) picture lines up the weeks before every onset, so a
build-up of load before pain (or its absence) is visible at a glance.

References
----------
.. [1] Chree C. Some phenomena of sunspots and of terrestrial magnetism at Kew
   Observatory. Phil Trans R Soc Lond A 1913;212:75-116 (superposed epoch analysis).
.. [2] Box GEP, Jenkins GM, Reinsel GC. Time Series Analysis, 4th ed. Wiley, 2008,
   ch. 11 (cross-correlation of autocorrelated series).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..columns import EPISODES, conform
from ..errors import ParameterError
from .panel import Panel, build_panel
from .permutation import circular_shift_index, permutation_p

__all__ = ["correlation_rows", "superposed_epoch"]


def _rowwise_spearman(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Spearman's rho of each row pair, ignoring positions where either is NaN."""
    both = np.isfinite(x) & np.isfinite(y)
    xr = pd.DataFrame(np.where(both, x, np.nan)).rank(axis=1).to_numpy()
    yr = pd.DataFrame(np.where(both, y, np.nan)).rank(axis=1).to_numpy()
    xc = xr - np.nanmean(xr, axis=1, keepdims=True)
    yc = yr - np.nanmean(yr, axis=1, keepdims=True)
    num = np.nansum(xc * yc, axis=1)
    den = np.sqrt(np.nansum(xc**2, axis=1) * np.nansum(yc**2, axis=1))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)


def correlation_rows(panel: Panel, names: list[str], *, lag: int, n_permutations: int, rng) -> list[dict]:
    """Spearman correlation of each continuous exposure with severity ``lag`` weeks later.

    One row per athlete and exposure (no pooled row: athletes differ in how they
    rate pain). ``exposed_n`` is the number of week pairs, ``exposed_events`` the
    pairs whose outcome week had pain. ``p_permutation`` comes from circular shifts
    of the severity series: all ``T - 1`` non-zero shifts of a ``T``-week history when
    ``T - 1 <= n_permutations`` (exact; never below ``1 / T``), else
    ``n_permutations`` distinct shifts at random; shifts that leave the correlation
    undefined are left out (:func:`runload.stats.permutation.permutation_p`).

    References
    ----------
    .. [1] Phipson B, Smyth GK. Permutation p-values should never be zero. Stat Appl
       Genet Mol Biol 2010;9:Article 39.
    """
    frame = panel.frame
    severity = frame["severity"].to_numpy(dtype=float)
    complete = frame["complete"].to_numpy(dtype=bool)
    rows = []
    for name in names:
        value = pd.to_numeric(frame[name], errors="coerce").to_numpy(dtype=float)
        value = np.where(complete, value, np.nan)
        for athlete, (start, stop) in panel.bounds.items():
            x = value[start:stop]
            y = severity[start:stop]
            T = stop - start
            xs = x[: T - lag] if lag < T else x[:0]
            ys = y[lag:]
            rho = _rowwise_spearman(xs[None, :], ys[None, :])[0]
            pairs = np.isfinite(xs) & np.isfinite(ys)
            p_perm = np.nan
            if n_permutations and np.isfinite(rho) and T > 1:
                idx = circular_shift_index(T, n_permutations, rng)
                shifted = y[idx][:, lag:]
                p_perm = float(permutation_p(rho, _rowwise_spearman(np.broadcast_to(xs, shifted.shape), shifted)))
            rows.append(
                {
                    "athlete": athlete,
                    "exposure": name,
                    "method": "lagged_correlation",
                    "lag_weeks": lag,
                    "estimate": rho,
                    "ci_low": np.nan,
                    "ci_high": np.nan,
                    "p_exact": np.nan,
                    "p_midp": np.nan,
                    "p_permutation": p_perm,
                    "exposed_n": int(pairs.sum()),
                    "exposed_events": int((pairs & (ys > 0)).sum()),
                    "unexposed_n": pd.NA,
                    "unexposed_events": pd.NA,
                }
            )
    return rows


def superposed_epoch(weekly: pd.DataFrame, episodes: pd.DataFrame, *, value: str = "distance_m",
                     weeks_before: int = 8, weeks_after: int = 0,
                     washout_weeks: int = 4) -> pd.DataFrame:
    """Load in the weeks around each new pain onset, lined up on the onset week.

    Parameters
    ----------
    weekly : pandas.DataFrame
        The weekly table.
    episodes : pandas.DataFrame
        Episodes (:func:`runload.read_pain_log`).
    value : str, default "distance_m"
        The weekly column to line up (any numeric column, e.g. ``change_pct``).
    weeks_before, weeks_after : int, default 8 and 0
        Weeks shown before and after the onset week.
    washout_weeks : int, default 4
        As in :func:`runload.stats.associate`: onsets during the washout of an
        earlier episode are not new onsets and are left out.

    Returns
    -------
    pandas.DataFrame
        Tidy: ``athlete``, ``onset`` (the onset date), ``week_offset`` (0 = the
        onset week, -1 the week before ...), ``week_start`` and ``value`` (NaN
        outside the data). Empty when there are no onsets.

    References
    ----------
    .. [1] Chree C. Phil Trans R Soc Lond A 1913;212:75-116.
    """
    if value not in weekly.columns:
        raise ParameterError(f"{value!r} is not a column of the weekly table")
    if weeks_before < 0 or weeks_after < 0:
        raise ParameterError("weeks_before and weeks_after must be >= 0")
    panel = build_panel(weekly, conform(episodes, EPISODES, extra=False),
                        washout_weeks=washout_weeks, columns=[value])
    frame = panel.frame
    onset_rows = np.flatnonzero(frame["onset"].to_numpy(dtype=bool))
    offsets = np.arange(-weeks_before, weeks_after + 1)
    columns = ["athlete", "onset", "week_offset", "week_start", "value"]
    if onset_rows.size == 0:
        return pd.DataFrame({c: pd.Series(dtype=d) for c, d in zip(
            columns, ["string", "datetime64[ns]", "int64", "datetime64[ns]", "float64"], strict=True)})
    athlete = frame["athlete"].to_numpy()
    start_of = np.array([panel.bounds[a][0] for a in athlete[onset_rows]])
    stop_of = np.array([panel.bounds[a][1] for a in athlete[onset_rows]])
    target = onset_rows[:, None] + offsets[None, :]
    inside = (target >= start_of[:, None]) & (target < stop_of[:, None])
    safe = np.where(inside, target, 0)
    values = pd.to_numeric(frame[value], errors="coerce").to_numpy(dtype=float)
    week_start = frame["week_start"].to_numpy()
    onset_date = _onset_dates(panel, onset_rows)
    n = offsets.size
    return pd.DataFrame(
        {
            "athlete": pd.array(np.repeat(athlete[onset_rows], n), dtype="string"),
            "onset": np.repeat(onset_date, n),
            "week_offset": np.tile(offsets, onset_rows.size),
            "week_start": (week_start[onset_rows][:, None] + offsets[None, :] * np.timedelta64(7, "D")).ravel(),
            "value": np.where(inside, values[safe], np.nan).ravel(),
        }
    )


def _onset_dates(panel: Panel, rows: np.ndarray) -> np.ndarray:
    """Date of the onset that starts in each of the given panel weeks."""
    frame = panel.frame
    eps = panel.episodes
    weeks = frame.iloc[rows][["athlete", "week_start"]].reset_index(drop=True).reset_index(names="k")
    pairs = weeks.merge(eps[["athlete", "onset"]], on="athlete")
    inside = (pairs["onset"] >= pairs["week_start"]) & (pairs["onset"] < pairs["week_start"] + pd.Timedelta(days=7))
    first = pairs.loc[inside].groupby("k")["onset"].min()
    return first.reindex(range(len(rows))).to_numpy()

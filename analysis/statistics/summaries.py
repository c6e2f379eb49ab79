"""Summaries of runs: each run reduced to one value per metric, Student-t intervals, Holm.

The shared checks of the runs table and of a confidence level live here too; the design these
serve is in :mod:`hetsim.analysis.statistics`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats

ID_COLUMNS: tuple[str, ...] = ("scenario", "intervention", "seed", "step")
"""Columns identifying one row of the runs table (one run x step)."""

WINDOWS: tuple[str, ...] = ("final", "last10pct")
"""Summary windows understood by :func:`summarise_runs`."""

_RUN_KEYS = ["scenario", "intervention", "seed"]


# --------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------


def _check_confidence(confidence: float) -> float:
    c = float(confidence)
    if not 0.0 < c < 1.0:
        raise ValueError(f"confidence must be in (0, 1), got {confidence!r}")
    return c


def _t_halfwidth(sd: np.ndarray | float, n: np.ndarray | float, confidence: float):
    """Half-width of the t-interval for a mean; NaN where n < 2."""
    sd = np.asarray(sd, dtype=float)
    n = np.asarray(n, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        df = np.where(n >= 2, n - 1, np.nan)
        q = stats.t.ppf(0.5 + confidence / 2.0, df)
        return q * sd / np.sqrt(n)


def _validate_runs(runs: pd.DataFrame) -> None:
    missing = [c for c in ID_COLUMNS if c not in runs.columns]
    if missing:
        raise ValueError(f"runs is missing required column(s): {missing}")
    if runs[list(ID_COLUMNS)].isna().any().any():
        raise ValueError("runs has missing values in scenario/intervention/seed/step")
    dup = runs.duplicated(list(ID_COLUMNS))
    if dup.any():
        first = runs.loc[dup, list(ID_COLUMNS)].iloc[0].to_dict()
        raise ValueError(
            f"runs has {int(dup.sum())} duplicate (scenario, intervention, seed, step) "
            f"row(s), e.g. {first}"
        )


def metric_columns(runs: pd.DataFrame) -> list[str]:
    """Names of the metric columns: every numeric (non-boolean) column except seed/step.

    Args:
        runs: The runs table.

    Returns:
        Column names in the table's column order.
    """
    numeric = runs.select_dtypes(include="number").columns
    return [str(c) for c in numeric if c not in ("seed", "step")]


def _resolve_metrics(runs: pd.DataFrame, metrics: Sequence[str] | None) -> list[str]:
    if metrics is None:
        return metric_columns(runs)
    metrics = list(metrics)
    missing = [m for m in metrics if m not in runs.columns]
    if missing:
        raise ValueError(f"metric column(s) not in runs: {missing}")
    return metrics


# --------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------


def mean_ci(values, confidence: float = 0.95) -> tuple[float, float, float]:
    """Mean and two-sided Student-t confidence interval of a sample.

    NaN values are ignored. With one value the interval is undefined: ``(x, nan, nan)``;
    with none, ``(nan, nan, nan)``. A sample with zero spread gives ``(x, x, x)``.

    Args:
        values: 1-D array-like of numbers.
        confidence: Coverage of the interval, in (0, 1).

    Returns:
        ``(mean, low, high)`` as Python floats.
    """
    c = _check_confidence(confidence)
    x = np.asarray(values, dtype=float).ravel()
    x = x[~np.isnan(x)]
    n = x.size
    if n == 0:
        return (float("nan"), float("nan"), float("nan"))
    m = float(x.mean())
    if n == 1:
        return (m, float("nan"), float("nan"))
    h = float(_t_halfwidth(x.std(ddof=1), n, c))
    return (m, m - h, m + h)


def holm_adjust(pvalues) -> np.ndarray:
    """Holm-Bonferroni step-down adjusted p-values (family-wise error control).

    With the ``m`` non-NaN p-values sorted ascending ``p_(1) <= ... <= p_(m)``, the adjusted
    value of ``p_(i)`` is ``min(1, max_{j <= i} (m - j + 1) * p_(j))``. NaN inputs stay NaN
    and are not counted in ``m``. Rejecting where the adjusted value is below ``alpha`` is
    exactly Holm's procedure at level ``alpha``.

    Args:
        pvalues: 1-D array-like of p-values in [0, 1] (NaN allowed).

    Returns:
        Float array of adjusted p-values, in the input order.
    """
    p = np.asarray(pvalues, dtype=float).ravel()
    out = np.full(p.shape, np.nan)
    ok = np.flatnonzero(~np.isnan(p))
    m = ok.size
    if m == 0:
        return out
    order = ok[np.argsort(p[ok], kind="stable")]
    scaled = (m - np.arange(m)) * p[order]
    out[order] = np.minimum(1.0, np.maximum.accumulate(scaled))
    return out


def summarise_runs(
    runs: pd.DataFrame,
    window: Literal["final", "last10pct"] = "final",
    *,
    metrics: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Reduce each run's trajectory to one value per metric.

    Args:
        runs: The runs table (one row per scenario x intervention x seed x step).
        window: ``"final"`` takes the value at the run's last recorded step (NaN if it is
            NaN there). ``"last10pct"`` averages the last ``ceil(n / 10)`` recorded steps,
            where ``n`` is the run's number of recorded steps (at least one step; NaNs
            skipped).
        metrics: Metric columns to summarise; default :func:`metric_columns`.

    Returns:
        Long table with columns ``scenario, intervention, seed, window, metric, value``,
        one row per (scenario, intervention, seed, metric), sorted by run then metric in
        column order.

    Raises:
        ValueError: Unknown window, missing id columns, or duplicate (run, step) rows.
    """
    if window not in WINDOWS:
        raise ValueError(f"window must be one of {WINDOWS}, got {window!r}")
    _validate_runs(runs)
    metrics = _resolve_metrics(runs, metrics)

    df = runs[[*_RUN_KEYS, "step", *metrics]].sort_values([*_RUN_KEYS, "step"], kind="mergesort")
    df = df.reset_index(drop=True)  # the caller's index may have duplicate labels
    grouped = df.groupby(_RUN_KEYS, sort=True, observed=True)
    if window == "final":
        wide = df.loc[grouped.tail(1).index].set_index(_RUN_KEYS)[metrics].astype(float)
    else:
        n_steps = grouped["step"].transform("size").to_numpy()
        k = -(-n_steps // 10)  # ceil(n / 10) in integer arithmetic (no 0.1 * 30 = 3.0...04)
        from_end = grouped.cumcount(ascending=False).to_numpy()
        tail = df.loc[from_end < k]
        wide = tail.groupby(_RUN_KEYS, sort=True, observed=True)[metrics].mean().astype(float)

    # Build the long table by hand rather than with melt: a metric may itself be called
    # "metric" or "value".
    index = wide.index.to_frame(index=False)
    n_runs, n_metrics = len(index), len(metrics)
    long = index.loc[np.repeat(np.arange(n_runs), n_metrics)].reset_index(drop=True)
    long["window"] = window
    long["metric"] = np.tile(np.asarray(metrics, dtype=object), n_runs)
    long["value"] = wide.to_numpy(dtype=float).reshape(-1)
    return long[[*_RUN_KEYS, "window", "metric", "value"]]

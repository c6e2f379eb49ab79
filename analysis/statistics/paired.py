"""Seed-paired comparison of every intervention against the baseline (common random numbers).

The definition of each statistic is in the docstring of :mod:`hetsim.analysis.statistics`.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from hetsim.analysis.statistics.summaries import (
    WINDOWS,
    _check_confidence,
    _resolve_metrics,
    _validate_runs,
    holm_adjust,
    mean_ci,
    summarise_runs,
)

COMPARE_COLUMNS: tuple[str, ...] = (
    "scenario",
    "intervention",
    "metric",
    "window",
    "outcome",
    "n_seeds",
    "n_unpaired",
    "mean",
    "ci_low",
    "ci_high",
    "baseline_mean",
    "diff_mean",
    "diff_sd",
    "diff_ci_low",
    "diff_ci_high",
    "effect_size",
    "p_value",
    "p_value_wilcoxon",
    "p_adjusted",
)
"""Columns of the table returned by :func:`compare`, in order."""

_MIN_WILCOXON_PAIRS = 6

PRIMARY = "primary"
EXPLORATORY = "exploratory"
"""Values of the ``outcome`` column: tested and Holm-adjusted, or reported unadjusted."""


def _paired_row(x: np.ndarray, b: np.ndarray, confidence: float) -> dict[str, float]:
    """All statistics for one (intervention, metric, window) from paired arrays."""
    n = x.size
    d = x - b
    mean, ci_low, ci_high = mean_ci(x, confidence)
    diff_mean, diff_ci_low, diff_ci_high = mean_ci(d, confidence)
    diff_sd = float(d.std(ddof=1)) if n >= 2 else float("nan")

    effect = float("nan")
    if n >= 2:
        tol = 4.0 * n * np.finfo(float).eps * float(np.max(np.abs(d)))
        if diff_sd > tol:
            effect = diff_mean / diff_sd

    p_t = float("nan")
    if n >= 2 and np.any(d != 0):
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore", RuntimeWarning)
            p_t = float(stats.ttest_rel(x, b).pvalue)

    p_w = float("nan")
    nz = d[d != 0]
    if nz.size >= _MIN_WILCOXON_PAIRS:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            p_w = float(stats.wilcoxon(nz).pvalue)

    return {
        "n_seeds": n,
        "mean": mean,
        "ci_low": ci_low,
        "ci_high": ci_high,
        "baseline_mean": float(b.mean()) if n else float("nan"),
        "diff_mean": diff_mean,
        "diff_sd": diff_sd,
        "diff_ci_low": diff_ci_low,
        "diff_ci_high": diff_ci_high,
        "effect_size": effect,
        "p_value": p_t,
        "p_value_wilcoxon": p_w,
    }


def compare(
    runs: pd.DataFrame,
    baseline: str = "baseline",
    confidence: float = 0.95,
    *,
    metrics: Sequence[str] | None = None,
    outcomes: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Seed-paired comparison of every intervention against the baseline.

    See the module docstring for the design and the exact definition of each statistic.
    ``outcomes`` are the primary outcomes the comparison tests: Holm's adjustment runs over
    them alone, and every other metric is reported as ``exploratory`` with ``p_adjusted``
    left NaN (its unadjusted p-value must not be read as a confirmed effect).

    Args:
        runs: The runs table. May hold several scenarios; pairing, and the Holm family,
            are always within one scenario.
        baseline: Name of the baseline intervention.
        confidence: Coverage of all confidence intervals, in (0, 1).
        metrics: Metric columns to compare; default :func:`metric_columns`.
        outcomes: Primary outcomes (metric columns); default every compared metric.

    Returns:
        Tidy table with columns :data:`COMPARE_COLUMNS`, one row per
        (scenario, intervention != baseline, metric, window in :data:`WINDOWS`), sorted by
        scenario, intervention, window, then metric in the runs table's column order.

    Raises:
        ValueError: If a scenario has no baseline runs, an outcome is not a compared metric,
            or as :func:`summarise_runs`.
    """
    c = _check_confidence(confidence)
    _validate_runs(runs)
    metrics = _resolve_metrics(runs, metrics)
    primary = set(metrics) if outcomes is None else set(outcomes)
    unknown = sorted(primary - set(metrics))
    if unknown:
        raise ValueError(
            f"outcomes = {unknown[0]!r}: not a metric of these runs; allowed: {', '.join(metrics)}"
        )

    for scen, arms in runs.groupby("scenario", sort=True, observed=True)["intervention"]:
        if baseline not in set(arms.unique()):
            raise ValueError(f"scenario {scen!r} has no runs of baseline {baseline!r}")

    rows: list[dict] = []
    for window in WINDOWS:
        summary = summarise_runs(runs, window, metrics=metrics)
        for (scen, metric), grp in summary.groupby(["scenario", "metric"], sort=False):
            wide = grp.pivot(index="seed", columns="intervention", values="value").sort_index()
            base_all = wide[baseline]
            for arm in wide.columns:
                if arm == baseline:
                    continue
                arm_all = wide[arm]
                has_b, has_x = base_all.notna(), arm_all.notna()
                both = (has_b & has_x).to_numpy()
                row = {
                    "scenario": scen,
                    "intervention": arm,
                    "metric": metric,
                    "window": window,
                    "outcome": PRIMARY if metric in primary else EXPLORATORY,
                    "n_unpaired": int((has_b ^ has_x).sum()),
                }
                x = arm_all.to_numpy(dtype=float)[both]
                b = base_all.to_numpy(dtype=float)[both]
                row.update(_paired_row(x, b, c))
                rows.append(row)

    if not rows:
        return pd.DataFrame({col: pd.Series(dtype=object) for col in COMPARE_COLUMNS})

    out = pd.DataFrame(rows)
    metric_rank = {m: i for i, m in enumerate(metrics)}
    window_rank = {w: i for i, w in enumerate(WINDOWS)}
    out = out.assign(_w=out["window"].map(window_rank), _m=out["metric"].map(metric_rank))
    out = out.sort_values(["scenario", "intervention", "_w", "_m"], kind="mergesort")
    out = out.drop(columns=["_w", "_m"]).reset_index(drop=True)

    out["p_adjusted"] = np.nan
    tested = out[out["outcome"] == PRIMARY]
    for _, idx in tested.groupby(["scenario", "intervention", "window"], sort=False).groups.items():
        out.loc[idx, "p_adjusted"] = holm_adjust(out.loc[idx, "p_value"].to_numpy())
    out["n_seeds"] = out["n_seeds"].astype(int)
    out["n_unpaired"] = out["n_unpaired"].astype(int)
    return out[list(COMPARE_COLUMNS)]

"""Seed-paired statistics for comparing interventions against a baseline.

Design
------
The runner executes every intervention on the *same* seeds as the baseline (common random
numbers): seed ``s`` under the baseline and seed ``s`` under an intervention see the same
random draws wherever the intervention does not change the course of the run. Each seed is
therefore a matched pair, and the right analysis is on the per-seed *differences*
``d_s = intervention_s - baseline_s``. Noise shared by both arms cancels in ``d_s``, so
paired intervals and tests are much tighter than two-sample ones computed from the same
runs.

Each run's trajectory is first reduced to one number per metric (:func:`summarise_runs`):

* ``"final"``: the value at the run's last recorded step;
* ``"last10pct"``: the mean over the last ``k = ceil(n / 10)`` recorded steps of the run,
  where ``n`` is the number of steps recorded for that run (so ``k >= 1``; with steps
  ``1..20`` the mean covers steps 19 and 20, with ``1..25`` steps 23..25). NaN values
  inside the window are skipped; the window is NaN only if every value in it is NaN.

:func:`compare` then pairs these per-seed values by seed within each scenario. Seeds for
which either arm has no value (the seed was not run in that arm, or the metric is NaN) are
dropped from the pair for that metric; ``n_seeds`` is the number of pairs actually used and
``n_unpaired`` the number of seeds that had a value in exactly one arm. The intervention's
``mean``/``ci_low``/``ci_high`` and ``baseline_mean`` are computed on the paired seeds only,
so ``mean - baseline_mean == diff_mean`` exactly.

Statistics reported per (intervention, metric, window):

* t-intervals (``mean_ci``) for the intervention mean and for the mean paired difference;
* Cohen's ``d_z = mean(d) / sd(d)`` with ``sd`` using ``ddof=1``. ``d_z`` is NaN when it is
  undefined or infinite: fewer than two pairs, or ``sd(d) == 0`` (all differences equal;
  this includes an intervention identical to the baseline). ``sd(d)`` counts as zero when
  it is below floating-point rounding noise, ``sd <= 4 * n * eps * max|d|``;
* ``p_value``: paired t-test (:func:`scipy.stats.ttest_rel`); NaN with fewer than two pairs
  or when all differences are zero. A constant non-zero difference gives ``p = 0``
  (scipy's limit), although ``d_z`` is NaN;
* ``p_value_wilcoxon``: Wilcoxon signed-rank test on the non-zero differences
  (:func:`scipy.stats.wilcoxon`, zeros dropped as in its default ``zero_method="wilcox"``)
  when there are at least 6 non-zero pairs, else NaN. With 5 or fewer pairs even the most
  extreme outcome has two-sided p >= 0.0625, so the test could never reject at 0.05;
* ``p_adjusted``: Holm-Bonferroni adjustment (:func:`holm_adjust`) of ``p_value`` within
  each scenario x intervention x window family, across metrics. NaN p-values are left NaN
  and do not count towards the family size.

All functions are pure (they do not modify their inputs) and deterministic: the result does
not depend on the row order of ``runs``.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats

__all__ = [
    "COMPARE_COLUMNS",
    "ID_COLUMNS",
    "WINDOWS",
    "compare",
    "holm_adjust",
    "mean_ci",
    "metric_columns",
    "summarise_runs",
    "timeseries_bands",
]

ID_COLUMNS: tuple[str, ...] = ("scenario", "intervention", "seed", "step")
"""Columns identifying one row of the runs table (one run x step)."""

WINDOWS: tuple[str, ...] = ("final", "last10pct")
"""Summary windows understood by :func:`summarise_runs`."""

COMPARE_COLUMNS: tuple[str, ...] = (
    "scenario",
    "intervention",
    "metric",
    "window",
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

_RUN_KEYS = ["scenario", "intervention", "seed"]
_MIN_WILCOXON_PAIRS = 6


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
) -> pd.DataFrame:
    """Seed-paired comparison of every intervention against the baseline.

    See the module docstring for the design and the exact definition of each statistic.

    Args:
        runs: The runs table. May hold several scenarios; pairing, and the Holm family,
            are always within one scenario.
        baseline: Name of the baseline intervention.
        confidence: Coverage of all confidence intervals, in (0, 1).
        metrics: Metric columns to compare; default :func:`metric_columns`.

    Returns:
        Tidy table with columns :data:`COMPARE_COLUMNS`, one row per
        (scenario, intervention != baseline, metric, window in :data:`WINDOWS`), sorted by
        scenario, intervention, window, then metric in the runs table's column order.

    Raises:
        ValueError: If a scenario has no baseline runs, or as :func:`summarise_runs`.
    """
    c = _check_confidence(confidence)
    _validate_runs(runs)
    metrics = _resolve_metrics(runs, metrics)

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
    for _, idx in out.groupby(["scenario", "intervention", "window"], sort=False).groups.items():
        out.loc[idx, "p_adjusted"] = holm_adjust(out.loc[idx, "p_value"].to_numpy())
    out["n_seeds"] = out["n_seeds"].astype(int)
    out["n_unpaired"] = out["n_unpaired"].astype(int)
    return out[list(COMPARE_COLUMNS)]


def timeseries_bands(runs: pd.DataFrame, metric: str, confidence: float = 0.95) -> pd.DataFrame:
    """Mean and t-interval of a metric across seeds at every step, for plotting.

    These are per-arm (not paired) intervals: they show the spread of trajectories, not
    the precision of a difference. NaN values are skipped; a step with a single seed has
    a NaN interval.

    Args:
        runs: The runs table.
        metric: Name of a metric column.
        confidence: Coverage of the interval, in (0, 1).

    Returns:
        Table with columns ``scenario, intervention, step, n_seeds, mean, ci_low,
        ci_high``, one row per (scenario, intervention, step), sorted by those keys.
    """
    c = _check_confidence(confidence)
    _validate_runs(runs)
    if metric not in runs.columns:
        raise ValueError(f"metric {metric!r} not in runs")
    keys = ["scenario", "intervention", "step"]
    g = runs.groupby(keys, sort=True, observed=True)[metric]
    agg = g.agg(["mean", "std", "count"]).reset_index()
    half = _t_halfwidth(agg["std"].to_numpy(dtype=float), agg["count"].to_numpy(), c)
    mean = agg["mean"].to_numpy(dtype=float)
    return pd.DataFrame(
        {
            "scenario": agg["scenario"],
            "intervention": agg["intervention"],
            "step": agg["step"],
            "n_seeds": agg["count"].astype(int),
            "mean": mean,
            "ci_low": mean - half,
            "ci_high": mean + half,
        }
    )

"""Per-step bands across seeds (mean and t-interval of each arm), for time-series figures."""

from __future__ import annotations

import pandas as pd

from hetsim.analysis.statistics.summaries import _check_confidence, _t_halfwidth, _validate_runs


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

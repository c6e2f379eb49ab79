"""``hetsim sensitivity``: Morris elementary effects or Sobol indices (SALib) over ranges."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from hetsim.analysis.arguments import check_count, parse_params, portable
from hetsim.analysis.ensemble import SequentialExecutor
from hetsim.analysis.manifest import Experiment
from hetsim.analysis.store import write_text_atomic
from hetsim.analysis.sweep import run_points
from hetsim.simulation.schema import ScenarioError

SENSITIVITY_METHODS = ("morris", "sobol")
DEFAULT_SAMPLES = {"morris": 10, "sobol": 64}


def sensitivity_experiment(
    scenario: str,
    param_texts: Sequence[str],
    *,
    method: str = "morris",
    samples: int | None = None,
    metrics: Sequence[str] | None = None,
    window: str = "final",
    seeds: int = 1,
    sample_seed: int = 0,
    steps: int | None = None,
    overrides: Sequence[str] = (),
    interventions: Sequence[str] = (),
    out_dir: Path,
    executor: SequentialExecutor,
    resume: bool = False,
    progress: bool = True,
) -> Experiment:
    """Morris elementary effects or Sobol indices (SALib) of metrics over parameter ranges.

    Each SALib sample point is run on seeds ``0..seeds-1``; its output is the metric's
    ``window`` value (final step, or the last-10%-of-steps mean) averaged over those seeds.
    ``indices.csv`` has one row per metric × parameter with the indices, the half-width of
    their bootstrap confidence interval (``*_conf``) and the interval itself (``*_ci_low``,
    ``*_ci_high``). Integer keys are rounded when run; the indices are computed on the
    unrounded design.
    """
    scenario = portable(scenario)
    interventions = [portable(name) for name in interventions]
    from hetsim.agents import STRATEGIES
    from hetsim.analysis.figures import DEFAULT_MAIN_METRICS
    from hetsim.analysis.statistics import WINDOWS, summarise_runs
    from hetsim.simulation.recorder import metric_columns

    METRIC_COLUMNS = metric_columns(STRATEGIES)

    if method not in SENSITIVITY_METHODS:
        raise ScenarioError(f"--method {method!r}: must be one of {', '.join(SENSITIVITY_METHODS)}")
    if window not in WINDOWS:
        raise ScenarioError(f"--window {window!r}: must be one of {', '.join(WINDOWS)}")
    check_count("seeds", seeds)
    check_count("steps", steps)
    check_count("samples", samples, minimum=2)
    metrics = list(metrics or DEFAULT_MAIN_METRICS)
    for metric in metrics:
        if metric not in METRIC_COLUMNS or metric == "step":
            raise ScenarioError(
                f"--metric {metric!r}: not a metric; allowed: {', '.join(list(METRIC_COLUMNS)[1:])}"
            )
    params = parse_params(param_texts, overrides)
    listed = [p.key for p in params if p.bounds is None]
    if listed:
        raise ScenarioError(f"--param {listed[0]}: sensitivity needs a range lo:hi")
    samples = samples or DEFAULT_SAMPLES[method]
    problem = {
        "num_vars": len(params),
        "names": [p.key for p in params],
        "bounds": [list(p.bounds) for p in params],
    }
    design = _salib_sample(method, problem, samples, sample_seed)
    points = [tuple(p.coerce(v) for p, v in zip(params, row, strict=True)) for row in design]
    plan = {
        "params": list(param_texts),
        "method": method,
        "samples": samples,
        "sample_seed": sample_seed,
    }
    record = {
        "method": method,
        "problem": problem,
        "samples": samples,
        "points": len(points),
        "metrics": metrics,
        "window": window,
    }
    experiment = run_points(
        "sensitivity",
        scenario,
        params,
        points,
        plan,
        record,
        seeds=seeds,
        steps=steps,
        overrides=overrides,
        interventions=interventions,
        out_dir=out_dir,
        executor=executor,
        resume=resume,
        progress=progress,
    )
    out_dir = Path(out_dir)
    if experiment.runs is None:
        return experiment
    runs = experiment.runs.assign(intervention=experiment.runs["point"].astype(str))
    summary = summarise_runs(runs, window, metrics=metrics)
    per_point = summary.groupby(["intervention", "metric"])["value"].mean().unstack("metric")
    per_point.index = per_point.index.astype(int)
    per_point = per_point.reindex(range(len(points)))
    rows = []
    for metric in metrics:
        y = per_point[metric].to_numpy(dtype=float)
        rows += _salib_analyze(method, problem, design, y, metric, sample_seed)
    indices = pd.DataFrame(rows)
    write_text_atomic(indices.to_csv(index=False), out_dir / "indices.csv")
    experiment.files.append(out_dir / "indices.csv")
    experiment.indices = indices
    missing = [m for m in metrics if per_point[m].isna().any()]
    if missing:
        experiment.notes.append(
            f"metric(s) {', '.join(missing)}: some points have no value (failed runs or NaN); "
            "their indices are NaN"
        )
    return experiment


def _salib_sample(method: str, problem: dict, samples: int, seed: int) -> np.ndarray:
    if method == "morris":
        from SALib.sample import morris

        return morris.sample(problem, samples, num_levels=4, seed=seed)
    from SALib.sample import sobol

    if samples & (samples - 1):
        raise ScenarioError(f"--samples = {samples}: Sobol sampling needs a power of 2")
    return sobol.sample(problem, samples, calc_second_order=False, seed=seed)


def _salib_analyze(
    method: str, problem: dict, design: np.ndarray, y: np.ndarray, metric: str, seed: int
) -> list[dict[str, Any]]:
    names = problem["names"]
    if method == "morris":
        keys = [("mu", None), ("mu_star", "mu_star_conf"), ("sigma", None)]
    else:
        keys = [("S1", "S1_conf"), ("ST", "ST_conf")]
    if np.isnan(y).any() or np.ptp(y) == 0:
        result = None
    elif method == "morris":
        from SALib.analyze import morris

        result = morris.analyze(problem, design, y, num_levels=4, conf_level=0.95, seed=seed)
    else:
        from SALib.analyze import sobol

        result = sobol.analyze(problem, y, calc_second_order=False, conf_level=0.95, seed=seed)
    rows = []
    for i, name in enumerate(names):
        row: dict[str, Any] = {"metric": metric, "parameter": name, "method": method}
        for key, conf in keys:
            value = float(result[key][i]) if result is not None else float("nan")
            row[key] = value
            if conf:
                half = float(result[conf][i]) if result is not None else float("nan")
                row[conf] = half
                row[f"{key}_ci_low"] = value - half
                row[f"{key}_ci_high"] = value + half
        row["constant_output"] = bool(result is None and not np.isnan(y).any())
        rows.append(row)
    return rows

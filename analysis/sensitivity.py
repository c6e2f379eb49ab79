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
#: Seeds per design point by default: the stability check of docs/make_sensitivity_seeds.py
#: (written to docs/sensitivity_seeds.md) found no smaller count whose μ* rank and values
#: hold against 8 seeds on every main metric.
DEFAULT_SEEDS = 8


def sensitivity_experiment(
    scenario: str,
    param_texts: Sequence[str],
    *,
    method: str = "morris",
    samples: int | None = None,
    metrics: Sequence[str] | None = None,
    window: str = "final",
    seeds: int = DEFAULT_SEEDS,
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

    Each SALib sample point is run on seeds ``0..seeds-1`` (default 8, from the stability
    check in docs/sensitivity_seeds.md); its output is the metric's ``window`` value (final
    step, or the last-10%-of-steps mean) averaged over those seeds. ``indices.csv`` has one
    row per metric × parameter with the indices, the half-width of SALib's bootstrap
    confidence interval over the design (``*_conf``) and the interval itself (``*_ci_low``,
    ``*_ci_high``), and the 95% interval over resampled seeds (``*_seed_ci_low``,
    ``*_seed_ci_high``: the model's own noise, which SALib's interval leaves out). Integer
    keys are rounded when run; the indices are computed on the unrounded design.
    """
    scenario = portable(scenario)
    interventions = [portable(name) for name in interventions]
    from hetsim.agents import STRATEGIES
    from hetsim.analysis.figures import DEFAULT_MAIN_METRICS
    from hetsim.analysis.statistics import WINDOWS
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
    per_seed = seed_outputs(experiment.runs, window, metrics, len(points))
    indices = indices_table(method, problem, design, per_seed, metrics, sample_seed)
    write_text_atomic(indices.to_csv(index=False), out_dir / "indices.csv")
    experiment.files.append(out_dir / "indices.csv")
    experiment.indices = indices
    per_point = pd.DataFrame({m: per_seed[m].mean(axis=1) for m in metrics})
    if seeds == 1:
        experiment.notes.append(
            "one seed: the indices carry the model's seed noise and have no seed interval"
        )
    missing = [m for m in metrics if per_point[m].isna().any()]
    if missing:
        experiment.notes.append(
            f"metric(s) {', '.join(missing)}: some points have no value (failed runs or NaN); "
            "their indices are NaN"
        )
    return experiment


def seed_outputs(
    runs: pd.DataFrame, window: str, metrics: Sequence[str], n_points: int
) -> dict[str, np.ndarray]:
    """Per metric, a points × seeds array of each run's ``window`` value (NaN where missing)."""
    from hetsim.analysis.statistics import summarise_runs

    keyed = runs.assign(intervention=runs["point"].astype(str))
    summary = summarise_runs(keyed, window, metrics=metrics)
    summary = summary.assign(point=summary["intervention"].astype(int))
    out = {}
    for metric in metrics:
        wide = summary[summary["metric"] == metric].pivot_table(
            index="point", columns="seed", values="value", dropna=False
        )
        out[metric] = wide.reindex(range(n_points)).to_numpy(dtype=float)
    return out


def indices_table(
    method: str,
    problem: dict,
    design: np.ndarray,
    per_seed: dict[str, np.ndarray],
    metrics: Sequence[str],
    sample_seed: int,
) -> pd.DataFrame:
    """Indices of each metric's mean over seeds, SALib's interval and the seed interval."""
    rows = []
    for metric in metrics:
        y = per_seed[metric].mean(axis=1)
        found = _salib_analyze(method, problem, design, y, metric, sample_seed)
        seed_ci = seed_intervals(method, problem, design, per_seed[metric], sample_seed)
        for row, interval in zip(found, seed_ci, strict=True):
            row.update(interval)
        rows += found
    return pd.DataFrame(rows)


#: Bootstrap resamples of the seeds for the seed interval: 200 percentile resamples keep the
#: 2.5% and 97.5% quantiles to about ±0.01 of the interval's coverage (5 draws in each tail),
#: at a cost of 200 SALib analyses of the design's means (milliseconds each).
SEED_RESAMPLES = 200


def seed_intervals(
    method: str, problem: dict, design: np.ndarray, y_seeds: np.ndarray, seed: int
) -> list[dict[str, float]]:
    """Per parameter, the 95% percentile interval of each index over seed resamples.

    The seeds are drawn with replacement (the same draw at every point, as the runs share
    their seeds) and the indices recomputed on the resampled means: the spread the model's
    own noise leaves in the indices, which SALib's interval (resampling the design) omits.
    NaN with one seed or a missing value.
    """
    keys = ["mu_star"] if method == "morris" else ["S1", "ST"]
    n_seeds = y_seeds.shape[1]
    names = problem["names"]
    empty = [{f"{k}_seed_ci_{end}": float("nan") for k in keys for end in ("low", "high")}]
    if n_seeds < 2 or np.isnan(y_seeds).any():
        return empty * len(names)
    rng = np.random.default_rng(seed)
    draws: dict[str, list[np.ndarray]] = {k: [] for k in keys}
    for _ in range(SEED_RESAMPLES):
        y = y_seeds[:, rng.integers(0, n_seeds, n_seeds)].mean(axis=1)
        result = _salib_result(method, problem, design, y, seed, resamples=2)
        for key in keys:
            draws[key].append(
                np.full(len(names), np.nan) if result is None else np.asarray(result[key])
            )
    out = []
    for i in range(len(names)):
        row = {}
        for key in keys:
            values = np.array([d[i] for d in draws[key]], dtype=float)
            low, high = (
                np.nanpercentile(values, [2.5, 97.5])
                if np.isfinite(values).any()
                else (
                    np.nan,
                    np.nan,
                )
            )
            row[f"{key}_seed_ci_low"], row[f"{key}_seed_ci_high"] = float(low), float(high)
        out.append(row)
    return out


def _salib_result(method, problem, design, y, seed, resamples: int = 100):
    """SALib's analysis of outputs ``y``; None for NaN or constant outputs."""
    if np.isnan(y).any() or np.ptp(y) == 0:
        return None
    if method == "morris":
        from SALib.analyze import morris

        return morris.analyze(
            problem, design, y, num_levels=4, conf_level=0.95, seed=seed, num_resamples=resamples
        )
    from SALib.analyze import sobol

    return sobol.analyze(
        problem, y, calc_second_order=False, conf_level=0.95, seed=seed, num_resamples=resamples
    )


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
    result = _salib_result(method, problem, design, y, seed)
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

"""Experiments a policy researcher can publish: compare, sweep, sensitivity and branch.

Each experiment turns its inputs into picklable jobs (:class:`analysis.ensemble.Task`, or
:class:`BranchJob`), runs them with :func:`analysis.ensemble.run_ensemble` on any executor,
then assembles ``runs.parquet`` from the per-run files and writes its own outputs. Every input
is validated (each arm's and each point's scenario is loaded) before the first run, so a bad
key or value is one :class:`ScenarioError` and nothing runs.

Common random numbers: every arm and every point runs on the same seeds ``0..N-1``, so
differences between arms are paired by seed (see :mod:`analysis.statistics`).
"""

from __future__ import annotations

import itertools
import pickle
import tomllib
import traceback
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from hetsim.analysis.ensemble import (
    BASELINE,
    EnsembleOutcome,
    SequentialExecutor,
    Task,
    arm_label,
    label_table,
    last_step_flows,
    run_ensemble,
)
from hetsim.analysis.runner import git_revision, now, versions
from hetsim.analysis.store import (
    assemble_runs,
    read_flows,
    read_manifest,
    read_runs,
    write_atomic,
    write_bytes_atomic,
    write_json,
    write_text_atomic,
)
from hetsim.scenarios.builder import build_model, flatten, load_scenario
from hetsim.simulation.schema import Scenario, ScenarioError, is_build_time_key

EXTRA_PACKAGES = ("threadpoolctl", "tqdm", "matplotlib", "duckdb", "SALib", "dask", "distributed")
SIZING_KEYS = ("communities.window", "large_entities.pool_size")
"""Keys that size a model's arrays; a branch may not change them (nor ``*.count``, ``run.*``)."""


@dataclass
class Experiment:
    """What an experiment wrote and how its runs went."""

    out_dir: Path
    outcome: EnsembleOutcome
    runs: pd.DataFrame | None = None
    files: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        """0 when every run finished, 1 when any failed."""
        return 0 if self.outcome.ok else 1


def all_versions() -> dict[str, str]:
    """Versions of Python, the simulation's packages and the experiment machinery."""
    out = versions()
    for name in EXTRA_PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def check_count(name: str, value: int | None, minimum: int = 1) -> None:
    """Refuse a count flag below its minimum, naming the flag and value."""
    if value is not None and value < minimum:
        raise ScenarioError(f"--{name} = {value}: must be an integer >= {minimum}")


def parse_arm(text: str) -> tuple[str, ...]:
    """``a+b`` is one arm applying interventions a and b; ``a`` applies a alone."""
    names = tuple(part.strip() for part in str(text).split("+"))
    if not all(names):
        raise ScenarioError(f"--intervention {text!r}: empty intervention name")
    return tuple(portable(name) for name in names)


def portable(name: str) -> str:
    """A shipped name as is; a file path made absolute, so workers elsewhere find it."""
    path = Path(name)
    return str(path.resolve()) if path.suffix == ".toml" or path.exists() else name


def _arms(interventions: Sequence[str]) -> list[tuple[str, tuple[str, ...]]]:
    arms: list[tuple[str, tuple[str, ...]]] = []
    for text in interventions:
        names = parse_arm(text)
        label = arm_label(names)
        if label == BASELINE:
            raise ScenarioError(f"--intervention {text!r}: 'baseline' is the name of no change")
        if label in {a for a, _ in arms}:
            raise ScenarioError(f"--intervention {text!r}: given twice")
        arms.append((label, names))
    return arms


def _start_manifest(
    out_dir: Path, manifest: dict[str, Any], resume: bool, executor: SequentialExecutor
) -> dict[str, Any]:
    """Start the executor and write the manifest before the first run.

    Called once every input is validated. Refuses to mix a fresh experiment into a folder
    holding runs, and on resume refuses a different plan.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    previous = read_manifest(out_dir)
    stored = next((out_dir / "runs").glob("*/*.parquet"), None)
    if stored is not None and not resume:
        raise ScenarioError(
            f"--out {out_dir}: already holds finished runs (e.g. {stored.relative_to(out_dir)}); "
            "pass --resume to continue that experiment, or choose another --out"
        )
    if resume and previous is not None and previous.get("plan") != manifest["plan"]:
        changed = sorted(
            k
            for k in set(previous.get("plan", {})) | set(manifest["plan"])
            if previous.get("plan", {}).get(k) != manifest["plan"].get(k)
        )
        raise ScenarioError(
            f"--resume {out_dir}: the stored experiment differs in {', '.join(changed)}; "
            "resume with the same scenario, interventions, parameters, steps and --set"
        )
    if resume and previous is not None:
        manifest["first_started"] = previous.get("first_started", previous.get("started"))
    executor.start()
    write_json(manifest, out_dir / "manifest.json")
    return manifest


def _finish_manifest(out_dir: Path, manifest: dict[str, Any], outcome: EnsembleOutcome) -> None:
    manifest["finished"] = now()
    manifest["status"] = "completed" if outcome.ok else "failed"
    manifest["runs_done_now"] = outcome.ran
    manifest["runs_resumed"] = outcome.skipped
    manifest["runs_failed"] = [f["run"] for f in outcome.failures]
    write_json(manifest, out_dir / "manifest.json")


def _base_manifest(kind: str, scenario: Scenario, executor: SequentialExecutor) -> dict:
    return {
        "experiment": kind,
        "scenario": scenario.name,
        "scenario_resolved": scenario.model_dump(mode="json"),
        "versions": all_versions(),
        "git_revision": git_revision(),
        "executor": executor.name,
        "started": now(),
        "status": "running",
    }


# ------------------------------------------------------------------------------ compare


def comparison_of(runs: pd.DataFrame) -> pd.DataFrame:
    """Paired comparison of a compare/branch runs table (branch: post-warm-up steps only)."""
    from hetsim.analysis.statistics import compare

    if "branched" in runs.columns:
        runs = runs[runs["branched"]]
    return compare(runs, baseline=BASELINE)


def write_comparison_and_report(
    out_dir: Path, runs: pd.DataFrame, manifest: dict[str, Any] | None
) -> list[Path]:
    """Write comparison.csv and report.html (+ PNGs) from a runs table."""
    from hetsim.analysis.report import write_report

    if "point" in runs.columns:
        raise ScenarioError(
            f"{out_dir}: holds a sweep (column 'point'); reports are for compare and branch "
            "folders — use `hetsim query` on a sweep"
        )
    comparison = comparison_of(runs)
    csv = out_dir / "comparison.csv"
    write_text_atomic(comparison.to_csv(index=False), csv)
    flows = read_flows(out_dir, BASELINE)
    report = write_report(out_dir, runs, comparison, flows_last_step=flows, manifest=manifest)
    return [csv, report, *sorted(out_dir.glob("*.png"))]


def compare_experiment(
    scenario: str,
    interventions: Sequence[str],
    *,
    seeds: int = 10,
    steps: int | None = None,
    overrides: Sequence[str] = (),
    out_dir: Path,
    executor: SequentialExecutor,
    resume: bool = False,
    progress: bool = True,
) -> Experiment:
    """Baseline and each intervention on seeds ``0..seeds-1``; runs, comparison, report.

    The network figure shows the last-step flows of baseline seed 0 (the lowest baseline seed
    stored), kept by the task itself in ``flows/baseline/`` — no extra run.
    """
    scenario = portable(scenario)
    check_count("seeds", seeds)
    check_count("steps", steps)
    if not interventions:
        raise ScenarioError("compare: give at least one --intervention NAME")
    base = load_scenario(scenario, list(overrides), [])
    arms = [(BASELINE, ()), *_arms(interventions)]
    patches = {}
    for label, names in arms[1:]:
        resolved = load_scenario(scenario, list(overrides), list(names))  # validates the arm
        patches[label] = _changed_keys(base, resolved)
    steps = base.run.steps if steps is None else steps
    out_dir = Path(out_dir)
    manifest = _base_manifest("compare", base, executor)
    manifest.update(
        {
            "interventions": [label for label, _ in arms[1:]],
            "intervention_changes": patches,
            "seeds": list(range(seeds)),
            "steps": steps,
            "overrides": list(overrides),
            "network_figure": "last-step flows of the lowest stored baseline seed",
            "plan": {
                "scenario": base.model_dump(mode="json"),
                "arms": [[label, list(names)] for label, names in arms],
                "steps": steps,
                "overrides": list(overrides),
            },
        }
    )
    _start_manifest(out_dir, manifest, resume, executor)
    tasks = [
        Task(scenario, names, seed, steps, tuple(overrides))
        for _, names in arms
        for seed in range(seeds)
    ]
    outcome = run_ensemble(
        tasks, out_dir, executor, resume=resume, progress=progress, desc="compare"
    )
    return _conclude(out_dir, manifest, outcome, [t.run_file(out_dir) for t in tasks])


def _conclude(
    out_dir: Path,
    manifest: dict[str, Any],
    outcome: EnsembleOutcome,
    files: list[Path],
    sort_by: Sequence[str] = ("intervention", "seed", "step"),
    report: bool = True,
) -> Experiment:
    """Assemble runs.parquet, write comparison and report, and close the manifest."""
    _finish_manifest(out_dir, manifest, outcome)
    experiment = Experiment(out_dir, outcome)
    if not any(f.exists() for f in files):
        experiment.notes.append("no run finished; nothing to assemble")
        return experiment
    experiment.runs = assemble_runs(files, out_dir / "runs.parquet", sort_by)
    experiment.files = [out_dir / "runs.parquet", out_dir / "manifest.json"]
    if report:
        try:
            experiment.files += write_comparison_and_report(out_dir, experiment.runs, manifest)
        except ValueError as exc:  # e.g. every baseline run failed
            experiment.notes.append(f"no comparison: {exc}")
    return experiment


def _changed_keys(base: Scenario, other: Scenario) -> dict[str, Any]:
    a = flatten(base.model_dump(mode="json"))
    b = flatten(other.model_dump(mode="json"))
    return {k: b.get(k) for k in sorted(set(a) | set(b)) if a.get(k) != b.get(k)}


# ------------------------------------------------------------------------------ parameters


@dataclass(frozen=True)
class Param:
    """A swept scenario key: its values (a list) or its range ``(lo, hi)``, and its type."""

    key: str
    kind: str  # "int", "float", "bool" or "str"
    values: tuple[Any, ...] = ()
    bounds: tuple[float, float] | None = None

    def coerce(self, value: Any) -> Any:
        """A value of this parameter's type (integers are rounded)."""
        if self.kind == "int":
            return int(np.rint(value))
        if self.kind == "float":
            return float(value)
        return value


def field_kind(key: str) -> str:
    """Type of a dotted scenario key: int, float, bool or str; ScenarioError if unknown."""
    model: Any = Scenario
    parts = key.split(".")
    for i, part in enumerate(parts):
        fields = getattr(model, "model_fields", None)
        if not fields or part not in fields:
            where = ".".join(parts[:i]) or "the top level"
            allowed = ", ".join(sorted(fields or {})) or "none (not a table)"
            raise ScenarioError(f"--param {key}: unknown key (allowed in {where}: {allowed})")
        model = fields[part].annotation
    if hasattr(model, "model_fields"):
        raise ScenarioError(f"--param {key}: is a table; give one of its keys")
    if model is bool:
        return "bool"
    if model is int:
        return "int"
    if model is float:
        return "float"
    return "str"


def _toml_value(raw: str) -> Any:
    try:
        return tomllib.loads(f"v = {raw.strip()}")["v"]
    except tomllib.TOMLDecodeError:
        return raw.strip()


def parse_param(text: str) -> Param:
    """``key=v1,v2,...`` (values) or ``key=lo:hi`` (a numeric range)."""
    if "=" not in text:
        raise ScenarioError(f"--param {text!r}: expected dotted.key=v1,v2,... or dotted.key=lo:hi")
    key, raw = (part.strip() for part in text.split("=", 1))
    if not key or not raw:
        raise ScenarioError(f"--param {text!r}: expected dotted.key=v1,v2,... or dotted.key=lo:hi")
    kind = field_kind(key)
    if ":" in raw and "," not in raw:
        lo_text, hi_text = raw.split(":", 1)
        lo, hi = _toml_value(lo_text), _toml_value(hi_text)
        numeric = all(isinstance(v, int | float) and not isinstance(v, bool) for v in (lo, hi))
        if kind not in ("int", "float") or not numeric or not lo < hi:
            raise ScenarioError(
                f"--param {text!r}: a range lo:hi needs a numeric key and numbers lo < hi "
                f"({key} is {kind})"
            )
        return Param(key, kind, bounds=(float(lo), float(hi)))
    values = [_toml_value(v) for v in raw.split(",")]
    if kind == "int" and any(
        not isinstance(v, int | float) or isinstance(v, bool) or float(v) != int(v) for v in values
    ):
        raise ScenarioError(f"--param {text!r}: {key} takes integers")
    if kind == "float" and any(
        not isinstance(v, int | float) or isinstance(v, bool) for v in values
    ):
        raise ScenarioError(f"--param {text!r}: {key} takes numbers")
    if kind == "bool" and any(not isinstance(v, bool) for v in values):
        raise ScenarioError(f"--param {text!r}: {key} takes true or false")
    param = Param(key, kind)
    return Param(key, kind, values=tuple(param.coerce(v) for v in values))


def _parse_params(texts: Sequence[str]) -> list[Param]:
    if not texts:
        raise ScenarioError("give at least one --param dotted.key=...")
    params = [parse_param(t) for t in texts]
    keys = [p.key for p in params]
    for key in keys:
        if keys.count(key) > 1:
            raise ScenarioError(f"--param {key}: given twice")
    return params


def _toml_literal(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def _point_overrides(params: Sequence[Param], point: Sequence[Any]) -> tuple[str, ...]:
    return tuple(f"{p.key}={_toml_literal(v)}" for p, v in zip(params, point, strict=True))


def _rounding_note(params: Sequence[Param]) -> list[str]:
    ints = [p.key for p in params if p.kind == "int" and p.bounds is not None]
    if not ints:
        return []
    return [f"integer key(s) {', '.join(ints)}: sampled values are rounded to the nearest integer"]


def _point_tasks(
    scenario: str,
    params: Sequence[Param],
    points: Sequence[Sequence[Any]],
    *,
    seeds: int,
    steps: int | None,
    overrides: Sequence[str],
    interventions: Sequence[str],
) -> list[Task]:
    """One task per point × seed; every point's scenario is validated first."""
    tasks = []
    for i, point in enumerate(points):
        point_overrides = tuple(overrides) + _point_overrides(params, point)
        load_scenario(scenario, list(point_overrides), list(interventions))  # validate
        columns = (("point", i), *((p.key, v) for p, v in zip(params, point, strict=True)))
        for seed in range(seeds):
            tasks.append(
                Task(
                    scenario,
                    tuple(interventions),
                    seed,
                    steps,
                    point_overrides,
                    columns,
                    arm=f"point={i:05d}",
                )
            )
    return tasks


# ------------------------------------------------------------------------------ sweep


def sweep_points(
    params: Sequence[Param], samples: int | None, sample_seed: int = 0
) -> list[tuple[Any, ...]]:
    """Full factorial over value lists, or a Latin hypercube of ``samples`` over ranges."""
    if samples is None:
        ranged = [p.key for p in params if p.bounds is not None]
        if ranged:
            raise ScenarioError(
                f"--param {ranged[0]}: a range lo:hi needs --samples N (Latin hypercube); "
                "a full factorial takes value lists v1,v2,..."
            )
        return list(itertools.product(*(p.values for p in params)))
    listed = [p.key for p in params if p.bounds is None]
    if listed:
        raise ScenarioError(f"--param {listed[0]}: --samples (Latin hypercube) needs a range lo:hi")
    from scipy.stats import qmc

    unit = qmc.LatinHypercube(d=len(params), seed=sample_seed).random(samples)
    lo = np.array([p.bounds[0] for p in params])
    hi = np.array([p.bounds[1] for p in params])
    scaled = qmc.scale(unit, lo, hi)
    return [tuple(p.coerce(v) for p, v in zip(params, row, strict=True)) for row in scaled]


def sweep_experiment(
    scenario: str,
    param_texts: Sequence[str],
    *,
    seeds: int = 3,
    samples: int | None = None,
    sample_seed: int = 0,
    steps: int | None = None,
    overrides: Sequence[str] = (),
    interventions: Sequence[str] = (),
    out_dir: Path,
    executor: SequentialExecutor,
    resume: bool = False,
    progress: bool = True,
) -> Experiment:
    """Runs at every point of a parameter grid or Latin hypercube, each on the same seeds.

    runs.parquet holds one row per point × seed × step with columns ``point`` and one per
    parameter (named by its dotted key).
    """
    scenario = portable(scenario)
    interventions = [portable(name) for name in interventions]
    check_count("seeds", seeds)
    check_count("steps", steps)
    check_count("samples", samples)
    params = _parse_params(param_texts)
    points = sweep_points(params, samples, sample_seed)
    plan = {"params": list(param_texts), "samples": samples, "sample_seed": sample_seed}
    record = {
        "design": "latin_hypercube" if samples else "full_factorial",
        "params": [p.key for p in params],
        "points": [[_plain(v) for v in point] for point in points],
    }
    return _run_points(
        "sweep",
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


def _run_points(
    kind: str,
    scenario: str,
    params: Sequence[Param],
    points: Sequence[tuple[Any, ...]],
    plan: dict[str, Any],
    record: dict[str, Any],
    *,
    seeds: int,
    steps: int | None,
    overrides: Sequence[str],
    interventions: Sequence[str],
    out_dir: Path,
    executor: SequentialExecutor,
    resume: bool,
    progress: bool,
) -> Experiment:
    """Run every point of a design on the same seeds; the shared body of sweep and sensitivity.

    ``plan`` (what was asked) and ``record`` (what it became) go to the manifest beside the
    scenario, steps, seeds, overrides and interventions.
    """
    base = load_scenario(scenario, list(overrides), list(interventions))
    steps = base.run.steps if steps is None else steps
    tasks = _point_tasks(
        scenario,
        params,
        points,
        seeds=seeds,
        steps=steps,
        overrides=overrides,
        interventions=interventions,
    )
    out_dir = Path(out_dir)
    notes = _rounding_note(params)
    manifest = _base_manifest(kind, base, executor)
    plan = {
        "scenario": base.model_dump(mode="json"),
        **plan,
        "steps": steps,
        "overrides": list(overrides),
        "interventions": list(interventions),
    }
    manifest.update(
        {
            **record,
            "seeds": list(range(seeds)),
            "steps": steps,
            "interventions": list(interventions),
            "overrides": list(overrides),
            "notes": notes,
            "plan": plan,
        }
    )
    _start_manifest(out_dir, manifest, resume, executor)
    outcome = run_ensemble(tasks, out_dir, executor, resume=resume, progress=progress, desc=kind)
    experiment = _conclude(
        out_dir,
        manifest,
        outcome,
        [t.run_file(out_dir) for t in tasks],
        sort_by=("point", "seed", "step"),
        report=False,
    )
    experiment.notes[:0] = notes
    return experiment


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


# ------------------------------------------------------------------------------ sensitivity

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
    from hetsim.analysis.report import DEFAULT_MAIN_METRICS
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
    params = _parse_params(param_texts)
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
    experiment = _run_points(
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


# ------------------------------------------------------------------------------ branch


@dataclass(frozen=True)
class BranchJob:
    """One seed of a branch experiment: warm up the baseline, then continue every arm."""

    scenario: str
    arms: tuple[tuple[str, tuple[str, ...]], ...]
    seed: int
    warmup: int
    steps: int
    overrides: tuple[str, ...] = ()

    def describe(self) -> str:
        """Short human description."""
        return f"branch seed={self.seed}"

    def task(self, label: str, names: tuple[str, ...]) -> Task:
        """The per-arm task naming this arm's files."""
        return Task(self.scenario, names, self.seed, self.warmup + self.steps, self.overrides)

    def checkpoint_file(self, out_dir: Path) -> Path:
        """Where the warm-up checkpoint is kept."""
        return Path(out_dir) / "checkpoints" / f"seed={self.seed}.pkl"


class BranchResult(NamedTuple):
    """A seed's checkpoint and each arm's (metrics, last-step flows), or an error."""

    checkpoint: bytes | None
    tables: dict[str, tuple[pd.DataFrame, pd.DataFrame]] | None
    error: str | None = None
    detail: str | None = None


def check_branchable(base: Scenario, arm: Scenario, label: str) -> None:
    """Refuse an intervention that changes a key sizing the model's arrays or the run."""
    for key in _changed_keys(base, arm):
        if key.endswith(".count") or key.startswith("run.") or key in SIZING_KEYS:
            raise ScenarioError(
                f"branch: intervention {label!r} changes {key}, which sizes the model's arrays "
                "or the run; a checkpoint cannot continue under it (not allowed: *.count, "
                f"run.*, {', '.join(SIZING_KEYS)})"
            )
        if is_build_time_key(key):
            raise ScenarioError(
                f"branch: intervention {label!r} changes {key}, which is read only when the "
                "world is built (agents' drawn profiles, data-generating processes); from a "
                "checkpoint it would have no effect — use `hetsim compare` for it"
            )


def run_branch(job: BranchJob) -> BranchResult:
    """Warm up the baseline, pickle it, and continue each arm from the unpickled state."""
    try:
        with threadpool_limits(1):
            base = load_scenario(job.scenario, list(job.overrides), [])
            model = build_model(base, seed=job.seed)
            model.recorder.keep_community_rows = False
            for _ in range(job.warmup):
                model.step()
            checkpoint = pickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL)
            del model
            tables = {}
            for label, names in job.arms:
                arm = pickle.loads(checkpoint)  # same state, same RNG stream for every arm
                if names:
                    arm.spec = load_scenario(job.scenario, list(job.overrides), list(names))
                for _ in range(job.steps):
                    arm.step()
                metrics = label_table(
                    arm.recorder.metrics_table(), job.task(label, names), base.name
                )
                metrics["branched"] = metrics["step"] > job.warmup
                tables[label] = (metrics, last_step_flows(arm.recorder.flows_table()))
                del arm
    except Exception as exc:
        return BranchResult(None, None, f"{type(exc).__name__}: {exc}", traceback.format_exc())
    return BranchResult(checkpoint, tables)


def _branch_done(job: BranchJob, out_dir: Path) -> bool:
    return all(job.task(label, names).run_file(out_dir).exists() for label, names in job.arms)


def _branch_store(job: BranchJob, result: BranchResult, out_dir: Path) -> None:
    write_bytes_atomic(result.checkpoint, job.checkpoint_file(out_dir))
    for label, names in job.arms:
        metrics, flows = result.tables[label]
        task = job.task(label, names)
        write_atomic(flows, task.flows_file(out_dir))
        write_atomic(metrics, task.run_file(out_dir))


def branch_experiment(
    scenario: str,
    interventions: Sequence[str],
    *,
    warmup: int,
    seeds: int = 10,
    steps: int | None = None,
    overrides: Sequence[str] = (),
    out_dir: Path,
    executor: SequentialExecutor,
    resume: bool = False,
    progress: bool = True,
) -> Experiment:
    """Per seed, run the baseline to ``warmup`` once, then every arm for ``steps`` more.

    runs.parquet holds every step (1..warmup+steps) of every arm, with ``branched`` true after
    the warm-up; the warm-up rows are the same in every arm. comparison.csv and the report's
    statistics use the branched steps only, so the last-10% window is the last 10% of the
    steps after the branch. One job per seed runs all its arms (the checkpoint never travels);
    ``--resume`` reruns a seed unless all its arms are stored (the warm-up is deterministic).
    """
    scenario = portable(scenario)
    check_count("seeds", seeds)
    check_count("warmup", warmup)
    check_count("steps", steps)
    if not interventions:
        raise ScenarioError("branch: give at least one --intervention NAME")
    base = load_scenario(scenario, list(overrides), [])
    arms = [(BASELINE, ()), *_arms(interventions)]
    patches = {}
    for label, names in arms[1:]:
        resolved = load_scenario(scenario, list(overrides), list(names))
        check_branchable(base, resolved, label)
        patches[label] = _changed_keys(base, resolved)
    steps = base.run.steps if steps is None else steps
    out_dir = Path(out_dir)
    manifest = _base_manifest("branch", base, executor)
    manifest.update(
        {
            "interventions": [label for label, _ in arms[1:]],
            "intervention_changes": patches,
            "seeds": list(range(seeds)),
            "warmup": warmup,
            "steps": warmup + steps,
            "steps_after_branch": steps,
            "overrides": list(overrides),
            "rows": "all steps; column branched is true after the warm-up; statistics use "
            "branched steps only",
            "network_figure": "last-step flows of the lowest stored baseline seed",
            "plan": {
                "scenario": base.model_dump(mode="json"),
                "arms": [[label, list(names)] for label, names in arms],
                "warmup": warmup,
                "steps": steps,
                "overrides": list(overrides),
            },
        }
    )
    _start_manifest(out_dir, manifest, resume, executor)
    jobs = [
        BranchJob(scenario, tuple(arms), seed, warmup, steps, tuple(overrides))
        for seed in range(seeds)
    ]
    outcome = run_ensemble(
        jobs,
        out_dir,
        executor,
        resume=resume,
        progress=progress,
        worker=run_branch,
        done=_branch_done,
        store=_branch_store,
        desc="branch",
    )
    files = [job.task(label, names).run_file(out_dir) for job in jobs for label, names in arms]
    return _conclude(out_dir, manifest, outcome, files)


# ------------------------------------------------------------------------------ report


def rebuild_report(out_dir: Path) -> list[Path]:
    """Recompute comparison.csv and rewrite report.html from a folder's runs.parquet."""
    out_dir = Path(out_dir)
    runs = read_runs(out_dir)
    try:
        return write_comparison_and_report(out_dir, runs, read_manifest(out_dir))
    except ValueError as exc:
        if isinstance(exc, ScenarioError):
            raise
        raise ScenarioError(f"report {out_dir}: {exc}") from None

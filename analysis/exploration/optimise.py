"""``hetsim optimise``: which mix of levers best trades concentration against accuracy (§3)?

The levers are scenario keys with ranges (``--lever key=lo:hi``); the objectives are metrics
to minimise or maximise over a run's window. Each point the search proposes is run on seeds
``0..seeds-1`` by hetsim's executors (one task per point × seed, exactly the run ``hetsim run
--set key=value --seed s`` makes), stored and resumable like every experiment; its objective
is the mean over the seeds. The search itself is EMA Workbench's ε-NSGA-II
(:mod:`hetsim.analysis.exploration.lever_search`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import pandas as pd

from hetsim.analysis.arguments import Param, check_count, parse_params, point_overrides, portable
from hetsim.analysis.ensemble import EnsembleOutcome, SequentialExecutor, Task, run_ensemble
from hetsim.analysis.exploration.lever_search import Lever, Objective, search
from hetsim.analysis.manifest import Experiment, base_manifest, conclude, start_manifest
from hetsim.analysis.sweep import point_tasks
from hetsim.scenarios.builder import load_scenario
from hetsim.simulation.schema import ScenarioError

DEFAULT_SEEDS = 3
DEFAULT_NFE = 200
#: ε-NSGA-II's population: small, because every member costs ``seeds`` runs of the model.
DEFAULT_POPULATION = 20
#: ε-box width per objective: a hundredth of the unit range that hetsim's shares, HHIs and
#: accuracies live in; give ``epsilons`` for metrics on another scale.
DEFAULT_EPSILON = 0.01


class _StoppedError(Exception):
    """The runs of a generation were interrupted or failed: the search cannot go on."""


def parse_levers(texts: Sequence[str], overrides: Sequence[str]) -> list[Param]:
    """Every ``--lever key=lo:hi``: a numeric key with a range, given once, not also ``--set``."""
    if not texts:
        raise ScenarioError("give at least one --lever dotted.key=lo:hi")
    try:
        params = parse_params(texts, overrides)
    except ScenarioError as exc:  # the shared parser names sweep's flag
        raise ScenarioError(str(exc).replace("--param", "--lever")) from None
    for param in params:
        if param.bounds is None:
            raise ScenarioError(f"--lever {param.key}: needs a numeric range lo:hi")
    return params


def objectives_of(
    minimise: Sequence[str], maximise: Sequence[str], epsilons: Sequence[float] | None
) -> list[Objective]:
    """The objectives in order (minimised first); ScenarioError for an unknown metric."""
    from hetsim.agents import STRATEGIES
    from hetsim.simulation.recorder import metric_columns

    metrics = metric_columns(STRATEGIES)
    named = [(m, "minimise") for m in minimise] + [(m, "maximise") for m in maximise]
    if not named:
        raise ScenarioError("give at least one objective: --minimise METRIC or --maximise METRIC")
    for metric, direction in named:
        if metric not in metrics or metric == "step":
            raise ScenarioError(f"--{direction} {metric!r}: not a metric; see docs/metrics.md")
    names = [m for m, _ in named]
    for metric in names:
        if names.count(metric) > 1:
            raise ScenarioError(f"objective {metric!r}: given twice (minimise or maximise it)")
    widths = [DEFAULT_EPSILON] * len(named) if epsilons is None else list(epsilons)
    if len(widths) != len(named) or any(not w > 0 for w in widths):
        raise ScenarioError(
            f"--epsilons {','.join(map(str, widths))}: one positive width per objective "
            f"({len(named)}: {', '.join(names)})"
        )
    return [Objective(m, d, float(w)) for (m, d), w in zip(named, widths, strict=True)]


def evaluation_tasks(
    scenario: str,
    params: Sequence[Param],
    points: Sequence[Sequence[Any]],
    first: int,
    *,
    seeds: int,
    steps: int,
    overrides: Sequence[str],
    interventions: Sequence[str],
) -> list[Task]:
    """A sweep's tasks for the points (one per point × seed), numbered from evaluation
    ``first``: column ``evaluation`` and folder ``runs/evaluation=NNNNN``."""
    tasks = point_tasks(
        scenario,
        params,
        points,
        seeds=seeds,
        steps=steps,
        overrides=overrides,
        interventions=interventions,
    )
    renumbered = []
    for task in tasks:
        n = first + dict(task.columns)["point"]
        columns = (("evaluation", n), *task.columns[1:])
        renumbered.append(replace(task, columns=columns, arm=f"evaluation={n:05d}"))
    return renumbered


def optimise_experiment(
    scenario: str,
    levers: Sequence[str],
    *,
    minimise: Sequence[str] = (),
    maximise: Sequence[str] = (),
    epsilons: Sequence[float] | None = None,
    seeds: int = DEFAULT_SEEDS,
    nfe: int = DEFAULT_NFE,
    population: int = DEFAULT_POPULATION,
    window: str = "last10pct",
    search_seed: int = 0,
    steps: int | None = None,
    overrides: Sequence[str] = (),
    interventions: Sequence[str] = (),
    out_dir: Path,
    executor: SequentialExecutor,
    resume: bool = False,
    progress: bool = True,
) -> Experiment:
    """The Pareto front of the objectives over the levers' ranges, seeds as replicates.

    Writes ``runs.parquet`` (every run, with its ``evaluation`` number and lever values),
    ``evaluations.csv`` (one row per point: levers, each objective's mean and SD over seeds),
    ``front.csv``, ``convergence.csv`` (ε-progress and hypervolume by evaluations),
    ``optimisation.md`` and the figures ``pareto.png`` and ``convergence.png``.
    """
    from hetsim.analysis.statistics import WINDOWS

    scenario = portable(scenario)
    interventions = [portable(name) for name in interventions]
    objectives = objectives_of(minimise, maximise, epsilons)
    if window not in WINDOWS:
        raise ScenarioError(f"--window {window!r}: must be one of {', '.join(WINDOWS)}")
    check_count("seeds", seeds)
    check_count("steps", steps)
    check_count("population", population, minimum=4)
    check_count("nfe", nfe, minimum=population)
    params = parse_levers(levers, overrides)
    base = load_scenario(scenario, list(overrides), list(interventions))
    for param in params:  # both ends of every range make a valid scenario
        for end in param.bounds or ():
            load_scenario(
                scenario,
                [*overrides, *point_overrides([param], [param.coerce(end)])],
                list(interventions),
            )
    steps = base.run.steps if steps is None else steps
    plan = {
        "scenario": base.model_dump(mode="json"),
        "levers": list(levers),
        "objectives": [[o.name, o.direction, o.epsilon] for o in objectives],
        "nfe": nfe,
        "population": population,
        "search_seed": search_seed,
        "window": window,
        "steps": steps,
        "overrides": list(overrides),
        "interventions": list(interventions),
    }
    manifest = base_manifest("optimise", base, executor)
    manifest.update(
        {
            "algorithm": "eps-NSGA-II (EMA Workbench optimize, Platypus)",
            "levers": [p.key for p in params],
            "objectives": plan["objectives"],
            "seeds": list(range(seeds)),
            "steps": steps,
            "window": window,
            "interventions": list(interventions),
            "overrides": list(overrides),
            "plan": plan,
        }
    )
    out_dir = Path(out_dir)
    start_manifest(out_dir, manifest, resume, executor)
    outcome = EnsembleOutcome()
    tasks: list[Task] = []
    names = [f"l{i}" for i in range(len(params))]  # EMA Workbench wants identifiers

    def evaluate(batch: list[dict[str, float]], replicates: int) -> list[list[dict[str, float]]]:
        points = [[p.coerce(b[n]) for p, n in zip(params, names, strict=True)] for b in batch]
        first = len(tasks) // replicates
        todo = evaluation_tasks(
            scenario,
            params,
            points,
            first,
            seeds=replicates,
            steps=steps,
            overrides=overrides,
            interventions=interventions,
        )
        tasks.extend(todo)
        done = run_ensemble(
            todo, out_dir, executor, resume=resume, progress=progress, desc="optimise"
        )
        outcome.ran += done.ran
        outcome.skipped += done.skipped
        outcome.total += done.total
        outcome.failures += done.failures
        outcome.damaged += done.damaged
        outcome.interrupted = done.interrupted
        if done.interrupted or done.failures:
            raise _StoppedError
        values = [run_values(t.run_file(out_dir), objectives, window) for t in todo]
        return [values[i * replicates : (i + 1) * replicates] for i in range(len(points))]

    stopped = False
    try:
        result = search(
            [
                Lever(n, *p.bounds, kind="int" if p.kind == "int" else "float")
                for n, p in zip(names, params, strict=True)
            ],  # type: ignore[misc]
            objectives,
            evaluate,
            seeds=seeds,
            nfe=nfe,
            population=population,
            search_seed=search_seed,
            progress=progress,
        )
    except _StoppedError:
        stopped = True
    experiment = conclude(
        out_dir,
        manifest,
        outcome,
        [t.run_file(out_dir) for t in tasks],
        sort_by=("evaluation", "seed", "step"),
        report=False,
    )
    if stopped:
        experiment.notes.append("the search stopped: a generation's runs did not all finish")
        return experiment
    from hetsim.analysis.exploration.optimise_report import write_optimisation

    experiment.files += write_optimisation(
        out_dir, result, params, names, objectives, seeds=seeds, steps=steps
    )
    return experiment


def run_values(path: Path, objectives: Sequence[Objective], window: str) -> dict[str, float]:
    """One stored run's objectives over the window."""
    from hetsim.analysis.statistics import summarise_runs

    values = summarise_runs(pd.read_parquet(path), window, metrics=[o.name for o in objectives])
    return dict(zip(values["metric"], values["value"].astype(float), strict=True))

"""``hetsim sweep``: runs at every point of a grid or a Latin hypercube, on the same seeds.

:func:`run_points` is the shared body of sweep and sensitivity: one task per point × seed,
every point's scenario validated before the first run.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from hetsim.analysis.arguments import (
    Param,
    check_count,
    parse_params,
    point_overrides,
    portable,
    rounding_note,
)
from hetsim.analysis.ensemble import SequentialExecutor, Task, run_ensemble
from hetsim.analysis.manifest import Experiment, base_manifest, conclude, start_manifest
from hetsim.analysis.tasks import arm_label
from hetsim.scenarios.builder import load_scenario
from hetsim.simulation.schema import ScenarioError


def point_tasks(
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
        settings = tuple(overrides) + point_overrides(params, point)
        load_scenario(scenario, list(settings), list(interventions))  # validate
        columns = (("point", i), *((p.key, v) for p, v in zip(params, point, strict=True)))
        for seed in range(seeds):
            tasks.append(
                Task(
                    scenario,
                    tuple(interventions),
                    seed,
                    steps,
                    settings,
                    columns,
                    arm=f"point={i:05d}",
                )
            )
    return tasks


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
    params = parse_params(param_texts, overrides)
    points = sweep_points(params, samples, sample_seed)
    plan = {"params": list(param_texts), "samples": samples, "sample_seed": sample_seed}
    record = {
        "design": "latin_hypercube" if samples else "full_factorial",
        "params": [p.key for p in params],
        "points": [[_plain(v) for v in point] for point in points],
    }
    return run_points(
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


def run_points(
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
    treatment: Sequence[str] = (),
) -> Experiment:
    """Run every point of a design on the same seeds; the shared body of sweep, sensitivity
    and discovery.

    ``plan`` (what was asked) and ``record`` (what it became) go to the manifest beside the
    scenario, steps, seeds, overrides and interventions. With a ``treatment`` (interventions
    applied on top), every point × seed is run twice, without and with it, on the same seed
    (common random numbers): the arms ``point=NNNNN`` and ``point=NNNNN+<treatment>``.
    """
    base = load_scenario(scenario, list(overrides), list(interventions))
    steps = base.run.steps if steps is None else steps
    arms = [tuple(interventions)]
    if treatment:
        arms.append((*interventions, *treatment))
        load_scenario(scenario, list(overrides), list(arms[1]))  # validate the treatment
    tasks = []
    for arm in arms:
        for task in point_tasks(
            scenario,
            params,
            points,
            seeds=seeds,
            steps=steps,
            overrides=overrides,
            interventions=arm,
        ):
            extra = arm[len(interventions) :]
            label = f"{task.arm}+{arm_label(extra)}" if extra else task.arm
            tasks.append(replace(task, arm=label))
    out_dir = Path(out_dir)
    notes = rounding_note(params)
    manifest = base_manifest(kind, base, executor)
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
    if treatment:
        plan["treatment"] = list(treatment)
        manifest["treatment"] = list(treatment)
    start_manifest(out_dir, manifest, resume, executor)
    outcome = run_ensemble(tasks, out_dir, executor, resume=resume, progress=progress, desc=kind)
    experiment = conclude(
        out_dir,
        manifest,
        outcome,
        [t.run_file(out_dir) for t in tasks],
        sort_by=("point", "intervention", "seed", "step"),
        report=False,
    )
    experiment.notes[:0] = notes
    return experiment


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value

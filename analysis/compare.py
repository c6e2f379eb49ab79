"""``hetsim compare``: the baseline and each intervention on the same seeds.

Common random numbers: every arm runs on seeds ``0..N-1``, so differences between arms are
paired by seed (see :mod:`hetsim.analysis.statistics`).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from hetsim.analysis.arguments import arm_list, check_count, portable
from hetsim.analysis.ensemble import BASELINE, SequentialExecutor, Task, run_ensemble
from hetsim.analysis.manifest import (
    Experiment,
    base_manifest,
    changed_keys,
    conclude,
    start_manifest,
)
from hetsim.scenarios.builder import load_scenario
from hetsim.simulation.schema import ScenarioError


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
    arms = [(BASELINE, ()), *arm_list(interventions)]
    patches = {}
    for label, names in arms[1:]:
        resolved = load_scenario(scenario, list(overrides), list(names))  # validates the arm
        patches[label] = changed_keys(base, resolved)
    steps = base.run.steps if steps is None else steps
    out_dir = Path(out_dir)
    manifest = base_manifest("compare", base, executor)
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
    start_manifest(out_dir, manifest, resume, executor)
    tasks = [
        Task(scenario, names, seed, steps, tuple(overrides))
        for _, names in arms
        for seed in range(seeds)
    ]
    outcome = run_ensemble(
        tasks, out_dir, executor, resume=resume, progress=progress, desc="compare"
    )
    return conclude(out_dir, manifest, outcome, [t.run_file(out_dir) for t in tasks])

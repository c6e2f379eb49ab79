"""``hetsim compare``: the baseline and each intervention on the same seeds.

Common random numbers: every arm runs on seeds ``0..N-1``, so differences between arms are
paired by seed (see :mod:`hetsim.analysis.statistics`). The comparison tests the primary
outcomes (``outcomes``, by default the scenario's ``run.primary_outcomes``, else the main
metrics) and Holm-adjusts over them; every other metric is reported as exploratory.
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
from hetsim.analysis.tasks import keep_tables
from hetsim.scenarios.builder import load_scenario
from hetsim.simulation.recorder import MAIN_METRICS
from hetsim.simulation.schema import Scenario, ScenarioError


def primary_outcomes(scenario: Scenario, outcomes: str | Sequence[str] | None) -> list[str]:
    """The outcomes a comparison tests: given, else the scenario's declared, else the main ones.

    ``outcomes`` is a list or a comma-separated string (``--outcomes a,b,c``); every name must
    be a metric column of the scenario's runs.
    """
    from hetsim.agents import STRATEGIES
    from hetsim.simulation.recorder import metric_columns

    if isinstance(outcomes, str):
        outcomes = [name.strip() for name in outcomes.split(",") if name.strip()]
    chosen = list(outcomes or scenario.run.primary_outcomes or MAIN_METRICS)
    known = [c for c in metric_columns(STRATEGIES) if c != "step"]
    for name in chosen:
        if name not in known:
            raise ScenarioError(
                f"outcomes = {name!r}: not a metric of a run; allowed: any column of "
                f"metrics.parquet (docs/metrics.md), e.g. {', '.join(MAIN_METRICS)}"
            )
    return list(dict.fromkeys(chosen))


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
    outcomes: str | Sequence[str] | None = None,
    keep: str | Sequence[str] | None = None,
) -> Experiment:
    """Baseline and each intervention on seeds ``0..seeds-1``; runs, comparison, report.

    The network figure shows the last-step flows of baseline seed 0 (the lowest baseline seed
    stored), kept by the task itself in ``flows/baseline/`` — no extra run. ``outcomes`` are
    the primary outcomes (see :func:`primary_outcomes`); ``keep`` names agent-level tables
    stored per run beside the metrics (``"communities,groups"``, queryable as views of the
    same names with ``hetsim query``).
    """
    scenario = portable(scenario)
    check_count("seeds", seeds)
    check_count("steps", steps)
    if not interventions:
        raise ScenarioError("compare: give at least one --intervention NAME")
    base = load_scenario(scenario, list(overrides), [])
    tested = primary_outcomes(base, outcomes)
    kept = keep_tables(keep)
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
            "outcomes": tested,
            "keep": list(kept),
            "network_figure": "last-step flows of the lowest stored baseline seed",
            "plan": {
                "scenario": base.model_dump(mode="json"),
                "arms": [[label, list(names)] for label, names in arms],
                "steps": steps,
                "overrides": list(overrides),
                **({"keep": list(kept)} if kept else {}),  # the stored tables of every run
            },
        }
    )
    start_manifest(out_dir, manifest, resume, executor)
    tasks = [
        Task(scenario, names, seed, steps, tuple(overrides), keep=kept)
        for _, names in arms
        for seed in range(seeds)
    ]
    outcome = run_ensemble(
        tasks, out_dir, executor, resume=resume, progress=progress, desc="compare"
    )
    return conclude(out_dir, manifest, outcome, [t.run_file(out_dir) for t in tasks])

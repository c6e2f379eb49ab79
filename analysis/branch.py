"""``hetsim branch``: warm the baseline up once per seed, then continue every arm from it.

The warm-up state is pickled once and every arm continues from an unpickled copy, so all arms
share the warm-up and the random stream from the branch point on.
"""

from __future__ import annotations

import pickle
import traceback
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import pandas as pd
from threadpoolctl import threadpool_limits

from hetsim.analysis.arguments import arm_list, check_count, portable
from hetsim.analysis.ensemble import (
    BASELINE,
    SequentialExecutor,
    Task,
    label_table,
    last_step_flows,
    run_ensemble,
    task_done,
    task_files,
)
from hetsim.analysis.manifest import (
    Experiment,
    base_manifest,
    changed_keys,
    conclude,
    start_manifest,
)
from hetsim.analysis.store import write_atomic, write_bytes_atomic
from hetsim.scenarios.builder import build_model, load_scenario
from hetsim.simulation.schema import Scenario, ScenarioError, is_build_time_key

SIZING_KEYS = ("communities.window", "large_entities.pool_size")
"""Keys that size a model's arrays; a branch may not change them (nor ``*.count``, ``run.*``)."""


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
    for key in changed_keys(base, arm):
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
                for step in range(job.steps):  # the last step's flows draw the network
                    arm.recorder.keep_community_rows = step == job.steps - 1
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
    return all(task_done(job.task(label, names), out_dir) for label, names in job.arms)


def _branch_files(job: BranchJob, out_dir: Path) -> list[Path]:
    files = [job.checkpoint_file(out_dir)]
    for label, names in job.arms:
        files += task_files(job.task(label, names), out_dir)
    return files


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
    arms = [(BASELINE, ()), *arm_list(interventions)]
    patches = {}
    for label, names in arms[1:]:
        resolved = load_scenario(scenario, list(overrides), list(names))
        check_branchable(base, resolved, label)
        patches[label] = changed_keys(base, resolved)
    steps = base.run.steps if steps is None else steps
    out_dir = Path(out_dir)
    manifest = base_manifest("branch", base, executor)
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
    start_manifest(out_dir, manifest, resume, executor)
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
        files=_branch_files,
        store=_branch_store,
        desc="branch",
    )
    files = [job.task(label, names).run_file(out_dir) for job in jobs for label, names in arms]
    return conclude(out_dir, manifest, outcome, files)

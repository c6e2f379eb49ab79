"""Tasks of an ensemble: what one run is, how a worker runs it, and where its tables are stored.

A :class:`Task` is a small picklable value naming what to run (after EMA Workbench's
evaluators); :func:`execute` turns one task into its tables in whatever process runs it, and
returns a :class:`RunResult` (tables, or the error) for the caller to store: a finished run is
``DIR/runs/<arm>/seed=<seed>.parquet`` (its metrics file marks it done) and
``DIR/flows/<arm>/seed=<seed>.parquet`` (the exchanges of its last step); each run file carries
the run's identity (a hash of the resolved scenario, seed, steps and code version) in its
Parquet metadata, so ``--resume`` never counts a run of another experiment as done. A task
that keeps agent-level rows (``keep``, see :data:`KEEP_TABLES`) also leaves
``DIR/communities/<arm>/seed=<seed>.parquet`` (every step × community × group) and/or
``DIR/groups/<arm>/seed=<seed>.parquet`` (every step × group, summed over communities).
"""

from __future__ import annotations

import functools
import hashlib
import json
import traceback
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import pandas as pd
from threadpoolctl import threadpool_limits

from hetsim.scenarios.builder import build_model, load_scenario
from hetsim.simulation.scenario_files import named
from hetsim.simulation.schema import ScenarioError

BASELINE = "baseline"
IDENTITY_KEY = b"hetsim.identity"

KEEP_TABLES: dict[str, str] = {
    "communities": "one row per step × community × group: outcomes of each community's model",
    "groups": "one row per step × group: the communities' outcomes summed, weighted by people",
}
"""Agent-level tables an ensemble can keep beside the metrics (``keep="communities,groups"``)."""

GROUP_RATES = ("accuracy", "tpr", "fpr", "selection_rate", "base_rate")
"""Community columns that are rates over a group's people (weighted by ``n`` when summed)."""


def keep_tables(keep: str | Sequence[str] | None) -> tuple[str, ...]:
    """The tables named by ``keep`` (a comma-separated string or a list), checked and ordered."""
    from hetsim.simulation.schema import ScenarioError

    if keep is None:
        return ()
    names = keep.split(",") if isinstance(keep, str) else list(keep)
    names = [str(n).strip() for n in names if str(n).strip()]
    unknown = [n for n in names if n not in KEEP_TABLES]
    if unknown:
        raise ScenarioError(
            f"keep = {unknown[0]!r}: not a table an ensemble keeps; "
            f"allowed: {', '.join(KEEP_TABLES)} (comma-separated)"
        )
    return tuple(n for n in KEEP_TABLES if n in names)


def arm_label(interventions: Sequence[str]) -> str:
    """Name of an arm: its interventions' names joined by ``+``, or ``baseline``."""
    return "+".join(Path(str(name)).stem for name in interventions) or BASELINE


@dataclass(frozen=True)
class Task:
    """One run to do: a scenario, the interventions applied, a seed and a length.

    ``overrides`` are ``--set`` strings applied after the interventions; ``columns`` are extra
    constant columns added to the run's table (a sweep's ``point`` and parameter values);
    ``arm`` names the run's folder and defaults to the interventions joined by ``+``; ``keep``
    names the agent-level tables stored beside the metrics (:data:`KEEP_TABLES`).
    """

    scenario: str
    interventions: tuple[str, ...] = ()
    seed: int = 0
    steps: int | None = None
    overrides: tuple[str, ...] = ()
    columns: tuple[tuple[str, Any], ...] = ()
    arm: str | None = None
    keep: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        """The arm's name (folder under ``runs/``)."""
        return self.arm or arm_label(self.interventions)

    @property
    def intervention(self) -> str:
        """The ``intervention`` column: interventions joined by ``+``, or ``baseline``."""
        return arm_label(self.interventions)

    def run_file(self, out_dir: Path) -> Path:
        """Where the finished run's metrics are stored."""
        return Path(out_dir) / "runs" / self.label / f"seed={self.seed}.parquet"

    def flows_file(self, out_dir: Path) -> Path:
        """Where the run's last-step flows are stored (for the network figure)."""
        return Path(out_dir) / "flows" / self.label / f"seed={self.seed}.parquet"

    def kept_file(self, out_dir: Path, table: str) -> Path:
        """Where a kept agent-level table of the run is stored (``communities``, ``groups``)."""
        return Path(out_dir) / table / self.label / f"seed={self.seed}.parquet"

    def describe(self) -> str:
        """Short human description: arm and seed."""
        return f"{self.label} seed={self.seed}"


class RunResult(NamedTuple):
    """What a worker sends back: the metrics rows, the last step's flows, or an error.

    ``kept`` holds the agent-level tables the task asked to keep, by name.
    """

    metrics: pd.DataFrame | None
    flows: pd.DataFrame | None
    error: str | None = None
    detail: str | None = None
    kept: dict[str, pd.DataFrame] | None = None


def label_table(metrics: pd.DataFrame, task: Task, scenario_name: str) -> pd.DataFrame:
    """Add the identifying columns (scenario, intervention, seed, task columns) to metrics."""
    out = metrics.copy()
    out.insert(0, "scenario", scenario_name)
    out.insert(1, "intervention", task.intervention)
    out.insert(2, "seed", int(task.seed))
    for name, value in task.columns:
        out[name] = value
    return out


def last_step_flows(flows: pd.DataFrame) -> pd.DataFrame:
    """Flows of the last recorded step only."""
    if flows.empty:
        return flows.reset_index(drop=True)
    return flows[flows["step"] == flows["step"].max()].reset_index(drop=True)


def group_table(communities: pd.DataFrame) -> pd.DataFrame:
    """Per step × group: people summed over communities, rates weighted by people (``n``)."""
    rates = [c for c in GROUP_RATES if c in communities.columns]
    n = communities["n"].astype(float)
    weighted = communities[rates].astype(float).mul(n, axis=0)
    weighted = weighted.where(communities[rates].notna())
    weights = communities[rates].notna().astype(float).mul(n, axis=0)
    keys = [communities["step"], communities["group"]]
    total = weighted.groupby(keys).sum(min_count=1) / weights.groupby(keys).sum().replace(
        0, float("nan")
    )
    people = n.groupby(keys).sum().astype("int64").rename("n")
    count = communities.groupby(["step", "group"]).size().rename("communities")
    out = pd.concat([people, count, total], axis=1).reset_index()
    return out[["step", "group", "n", "communities", *rates]]


def run_task_tables(
    task: Task,
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, pd.DataFrame]]:
    """Run a task; return its labelled metrics rows, last-step flows and kept tables.

    Memory stays bounded: agent-level rows are recorded only when the task keeps them, and
    otherwise for the last step alone, whose flows draw the report's exchange network.
    """
    with threadpool_limits(1):
        scenario = load_scenario(task.scenario, list(task.overrides), list(task.interventions))
        steps = scenario.run.steps if task.steps is None else task.steps
        model = build_model(scenario, seed=task.seed)
        recorder = model.recorder
        for step in range(steps):
            recorder.keep_community_rows = bool(task.keep) or step == steps - 1
            model.step()
        metrics = label_table(recorder.metrics_table(), task, scenario.name)
        kept: dict[str, pd.DataFrame] = {}
        if task.keep:
            communities = recorder.community_table()
            for name in task.keep:
                table = communities if name == "communities" else group_table(communities)
                kept[name] = label_table(table, task, scenario.name)
        return metrics, last_step_flows(recorder.flows_table()), kept


def run_task(task: Task) -> pd.DataFrame:
    """Run a task; return its metrics rows with ``scenario, intervention, seed`` columns."""
    return run_task_tables(task)[0]


def execute(task: Task) -> RunResult:
    """Run a task in a worker, turning any exception into an error the caller reports."""
    try:
        metrics, flows, kept = run_task_tables(task)
    except Exception as exc:  # a failed run must not sink the others
        return RunResult(None, None, f"{type(exc).__name__}: {exc}", traceback.format_exc())
    return RunResult(metrics, flows, kept=kept)


@functools.cache
def _code_version() -> str:
    from hetsim.analysis.runner import git_revision, versions

    return f"{versions().get('hetsim')} {git_revision()}"


def _stamp(name: str) -> tuple[str, int, int]:
    """A local file's name, size and modification time (a shipped name: the name alone)."""
    path = Path(name)
    if path.is_file():
        info = path.stat()
        return (name, info.st_size, info.st_mtime_ns)
    return (name, 0, 0)


@functools.lru_cache(maxsize=256)
def _resolved(
    scenario: tuple[str, int, int],
    interventions: tuple[tuple[str, int, int], ...],
    overrides: tuple[str, ...],
) -> str:
    """The resolved scenario as JSON; cached per file version (an edited file is read again)."""
    names = [name for name, _, _ in interventions]
    spec = load_scenario(scenario[0], list(overrides), names)
    return json.dumps(spec.model_dump(mode="json"), sort_keys=True)


def run_identity(task: Task) -> str:
    """What determines a run's rows, hashed: the scenario as resolved (after interventions'
    current contents and overrides), seed, steps, extra columns and the code's version."""
    scenario = _resolved(
        _stamp(task.scenario), tuple(_stamp(n) for n in task.interventions), task.overrides
    )
    steps = task.steps if task.steps is not None else json.loads(scenario)["run"]["steps"]
    text = json.dumps(
        [scenario, int(task.seed), steps, repr(task.columns), _code_version()], sort_keys=True
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def store_task_result(task: Task, result: RunResult, out_dir: Path) -> None:
    """Write a finished run: flows first, metrics last (the metrics file marks it done)."""
    from hetsim.analysis.store import write_atomic

    write_atomic(result.flows, task.flows_file(out_dir))
    for name, table in (result.kept or {}).items():
        write_atomic(table, task.kept_file(out_dir, name))
    identity = {IDENTITY_KEY: run_identity(task).encode("ascii")}
    write_atomic(result.metrics, task.run_file(out_dir), metadata=identity)


def stored_identity(path: Path) -> str | None:
    """The identity a run file was stored with (None for a file that carries none)."""
    import pyarrow.parquet as pq

    metadata = pq.read_schema(path).metadata or {}
    value = metadata.get(IDENTITY_KEY)
    return value.decode("ascii", "replace") if value is not None else None


def task_done(task: Task, out_dir: Path) -> bool:
    """True when the task's run file is whole: readable, one row per step (``--resume``).

    A whole file stored by a different experiment (another scenario, override, intervention
    content, seed, length or code version) is refused, never counted as this run.
    """
    from hetsim.analysis.store import stored_rows

    path = task.run_file(out_dir)
    rows = stored_rows(path)
    if rows is None:
        return False
    if stored_identity(path) != run_identity(task):
        raise ScenarioError(
            f"{path}: stored by a different experiment (its scenario, {named('set')} values, "
            "interventions' contents, seed, steps or hetsim version differ from this one); "
            f"give another {named('out')} folder for this experiment"
        )
    return rows == task.steps if task.steps is not None else rows > 0


def task_files(task: Task, out_dir: Path) -> list[Path]:
    """The files a finished task leaves (its run file marks it done)."""
    kept = [task.kept_file(out_dir, name) for name in task.keep]
    return [task.run_file(out_dir), task.flows_file(out_dir), *kept]

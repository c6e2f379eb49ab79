"""The Python API of hetsim: load a scenario, build or run a model, compare, sweep, plot.

Every function here is what the ``hetsim`` command runs: the CLI parses its flags and calls
these with the same names and defaults (``set`` is ``--set``, ``out`` is ``--out``), so a
script and a command given the same arguments write the same tables. Bad arguments raise
:class:`ScenarioError` (a ``ValueError``) with the message the CLI prints.

Experiments stream every run to ``out`` (default ``results/<command>-<scenario>``) and can be
resumed; pass ``workers=1`` to run in this process, ``workers=K`` for K local processes
(default: every core), ``scheduler=`` for Dask, or an ``executor`` you manage yourself. In a
script, call an experiment that uses worker processes under ``if __name__ == "__main__":``:
each worker imports the script again. Experiments report their progress on stderr (a bar on a
terminal, whole lines in a notebook or a log); ``progress=False`` silences them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pandas as pd
from pydantic import InstanceOf

from hetsim import api_checks as checks
from hetsim.analysis import arguments, store
from hetsim.analysis.branch import branch_experiment
from hetsim.analysis.compare import compare_experiment
from hetsim.analysis.ensemble import (
    DaskExecutor,
    ProcessExecutor,
    SequentialExecutor,
)
from hetsim.analysis.figures import plot_forest, plot_timeseries
from hetsim.analysis.manifest import Experiment, rebuild_report
from hetsim.analysis.runner import run_with_manifest
from hetsim.analysis.sensitivity import sensitivity_experiment
from hetsim.analysis.sweep import sweep_experiment
from hetsim.discovery import discover
from hetsim.optimisation import optimise
from hetsim.options import check_run_flag
from hetsim.ranking import rank
from hetsim.scenarios import builder
from hetsim.scenarios.library import list_interventions, list_scenarios
from hetsim.simulation.model import EcosystemModel
from hetsim.simulation.scenario_files import check_schedule, named
from hetsim.simulation.schema import Scenario, ScenarioError

__all__ = [
    "DaskExecutor",
    "EcosystemModel",
    "Experiment",
    "ProcessExecutor",
    "Run",
    "Scenario",
    "ScenarioError",
    "SequentialExecutor",
    "branch",
    "build",
    "compare",
    "discover",
    "list_interventions",
    "list_scenarios",
    "load_scenario",
    "optimise",
    "plot_forest",
    "plot_timeseries",
    "query",
    "rank",
    "report",
    "run",
    "sensitivity",
    "sweep",
    "tables",
]

ScenarioLike = str | Path | InstanceOf[Scenario]
"""A shipped scenario name, a path to a ``.toml`` file, or a loaded :class:`Scenario`."""


@dataclass
class Run:
    """One run's tables as pandas DataFrames, with its manifest (what ``hetsim run`` writes)."""

    metrics: pd.DataFrame
    """One row per step: concentration, dependency, sovereignty, fairness, … (docs/metrics.md)."""
    communities: pd.DataFrame
    """One row per step × community × group."""
    flows: pd.DataFrame
    """One row per step × source × target × kind of exchange."""
    entities: pd.DataFrame | None = None
    """One row per step × large entity: capital, compute, revenue, costs, whether it operates."""
    lending: pd.DataFrame | None = None
    """The lending domain's rows, when the scenario switches it on."""
    manifest: dict[str, Any] = field(default_factory=dict)
    """Scenario as resolved, seed, steps, versions, status (empty for :func:`tables`)."""
    out: Path | None = None
    """The folder the tables were written to, if any."""


@checks.checked
def load_scenario(
    name_or_path: str | Path,
    *,
    set: Sequence[str] = (),
    interventions: Sequence[str | Path] = (),
) -> Scenario:
    """A validated scenario: a shipped name or a path, with interventions then ``set`` applied.

    ``set`` holds ``dotted.key=value`` strings (TOML values), ``interventions`` shipped names or
    paths to intervention files; two interventions setting one key differently is an error.
    """
    return checks.load_checked(name_or_path, set, interventions, argument="name_or_path")


@checks.checked
def build(
    scenario: ScenarioLike,
    *,
    seed: int | None = None,
    set: Sequence[str] = (),
    interventions: Sequence[str | Path] = (),
) -> EcosystemModel:
    """A Mesa model ready to step: ``model.step()``, ``model.run_for(n)``, then :func:`tables`."""
    check_run_flag("seed", seed)
    spec = checks.scenario_of(scenario, set, interventions)
    return builder.build_model(spec, seed=seed)


@checks.checked
def tables(model: EcosystemModel) -> Run:
    """The tables a model has recorded so far, one row per step taken."""
    recorder = model.recorder
    return Run(
        metrics=recorder.metrics_table(),
        communities=recorder.community_table(),
        flows=recorder.flows_table(),
        entities=recorder.entity_table(),
        lending=recorder.lending_table(),
    )


@checks.checked
def run(
    scenario: ScenarioLike,
    *,
    seed: int | None = None,
    steps: int | None = None,
    set: Sequence[str] = (),
    interventions: Sequence[str | Path] = (),
    out: str | Path | None = None,
    progress: bool = False,
) -> Run:
    """Run a scenario for ``steps`` (default: the scenario's); write the tables if ``out``.

    Ctrl-C (or SIGTERM under the CLI) writes the steps that finished, marks the manifest
    ``interrupted`` and raises ``KeyboardInterrupt``.
    """
    check_run_flag("steps", steps)
    check_run_flag("seed", seed)
    spec = checks.scenario_of(scenario, set, interventions)
    if steps is not None:
        check_schedule(spec, steps, named("steps"), source=checks.source_name(scenario))
    out = None if out is None else store.check_out_dir(checks.checked_out(out), named("out"))
    if out is not None:
        checks.check_run_folder(out, spec, seed, steps)
    found, manifest = run_with_manifest(spec, out, seed=seed, steps=steps, progress=progress)
    return Run(
        metrics=found["metrics"],
        communities=found["communities"],
        flows=found["flows"],
        entities=found.get("entities"),
        lending=found.get("lending"),
        manifest=manifest,
        out=out,
    )


@checks.checked
def compare(
    scenario: str | Path,
    interventions: Sequence[str | Path],
    *,
    seeds: int = 10,
    steps: int | None = None,
    set: Sequence[str] = (),
    out: str | Path | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    executor: SequentialExecutor | None = None,
    resume: bool = False,
    progress: bool = True,
    outcomes: str | Sequence[str] | None = None,
    keep: str | Sequence[str] | None = None,
) -> Experiment:
    """Baseline and each intervention arm (``a+b`` applies both) on seeds ``0..seeds-1``.

    Writes runs.parquet, comparison.csv, report.html with its figures and manifest.json into
    ``out``; returns them with ``.runs`` and ``.comparison`` as DataFrames. ``outcomes`` are
    the primary outcomes tested and Holm-adjusted over (default: the scenario's
    ``run.primary_outcomes``, else the main metrics); ``keep="communities,groups"`` also
    stores those rows of every run (``query`` views of the same names).
    """
    checks.validate("compare", scenario, set, interventions=interventions, seeds=seeds, steps=steps)
    checks.check_executor(workers, scheduler)
    out_dir = checks.out_folder("compare", scenario, out)  # checked before any work starts
    with checks.chosen_executor(workers, scheduler, executor) as chosen:
        return compare_experiment(
            str(scenario),
            checks.strings(interventions),
            seeds=seeds,
            steps=steps,
            overrides=list(set),
            out_dir=out_dir,
            executor=chosen,
            resume=resume,
            progress=progress,
            outcomes=outcomes,
            keep=keep,
        )


@checks.checked
def branch(
    scenario: str | Path,
    interventions: Sequence[str | Path],
    *,
    warmup: int,
    seeds: int = 10,
    steps: int | None = None,
    set: Sequence[str] = (),
    out: str | Path | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    executor: SequentialExecutor | None = None,
    resume: bool = False,
    progress: bool = True,
) -> Experiment:
    """Per seed, warm the baseline up for ``warmup`` steps once, then run every arm ``steps``."""
    arguments.check_count("warmup", warmup)
    checks.validate(
        "branch",
        scenario,
        set,
        interventions=interventions,
        seeds=seeds,
        steps=steps,
        warmup=warmup,
    )
    checks.check_executor(workers, scheduler)
    out_dir = checks.out_folder("branch", scenario, out)  # checked before any work starts
    with checks.chosen_executor(workers, scheduler, executor) as chosen:
        return branch_experiment(
            str(scenario),
            checks.strings(interventions),
            warmup=warmup,
            seeds=seeds,
            steps=steps,
            overrides=list(set),
            out_dir=out_dir,
            executor=chosen,
            resume=resume,
            progress=progress,
        )


@checks.checked
def sweep(
    scenario: str | Path,
    params: Sequence[str],
    *,
    seeds: int = 3,
    samples: int | None = None,
    sample_seed: int = 0,
    steps: int | None = None,
    set: Sequence[str] = (),
    interventions: Sequence[str | Path] = (),
    out: str | Path | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    executor: SequentialExecutor | None = None,
    resume: bool = False,
    progress: bool = True,
) -> Experiment:
    """Runs at every point of ``key=v1,v2`` lists (full factorial) or ``key=lo:hi`` ranges.

    Ranges need ``samples`` (a Latin hypercube). ``.runs`` has a ``point`` column and one column
    per swept key.
    """
    checks.validate(
        "sweep",
        scenario,
        set,
        seeds=seeds,
        steps=steps,
        params=params,
        samples=samples,
        sample_seed=sample_seed,
    )
    checks.check_executor(workers, scheduler)
    out_dir = checks.out_folder("sweep", scenario, out)  # checked before any work starts
    with checks.chosen_executor(workers, scheduler, executor) as chosen:
        return sweep_experiment(
            str(scenario),
            list(params),
            seeds=seeds,
            samples=samples,
            sample_seed=sample_seed,
            steps=steps,
            overrides=list(set),
            interventions=checks.strings(interventions),
            out_dir=out_dir,
            executor=chosen,
            resume=resume,
            progress=progress,
        )


@checks.checked
def sensitivity(
    scenario: str | Path,
    params: Sequence[str],
    *,
    method: Literal["morris", "sobol"] = "morris",
    samples: int | None = None,
    metrics: Sequence[str] | None = None,
    window: Literal["final", "last10pct"] = "final",
    seeds: int = 8,
    sample_seed: int = 0,
    steps: int | None = None,
    set: Sequence[str] = (),
    interventions: Sequence[str | Path] = (),
    out: str | Path | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    executor: SequentialExecutor | None = None,
    resume: bool = False,
    progress: bool = True,
) -> Experiment:
    """Morris or Sobol indices (SALib) of ``metrics`` over ``key=lo:hi`` ranges (``.indices``).

    Every point runs on ``seeds`` seeds (default 8: the stability check in
    docs/sensitivity_seeds.md); ``indices.csv`` gives SALib's interval over the design and
    the interval over resampled seeds (``*_seed_ci_low``, ``*_seed_ci_high``).
    """
    checks.validate(
        "sensitivity",
        scenario,
        set,
        seeds=seeds,
        steps=steps,
        params=params,
        samples=samples,
        sample_seed=sample_seed,
    )
    if metrics is not None:
        checks.check_strings("metrics", metrics)
    checks.check_executor(workers, scheduler)
    out_dir = checks.out_folder("sensitivity", scenario, out)  # checked before any work starts
    with checks.chosen_executor(workers, scheduler, executor) as chosen:
        return sensitivity_experiment(
            str(scenario),
            list(params),
            method=method,
            samples=samples,
            metrics=list(metrics) if metrics else None,
            window=window,
            seeds=seeds,
            sample_seed=sample_seed,
            steps=steps,
            overrides=list(set),
            interventions=checks.strings(interventions),
            out_dir=out_dir,
            executor=chosen,
            resume=resume,
            progress=progress,
        )


@checks.checked
def report(out: str | Path) -> list[Path]:
    """Recompute comparison.csv and rewrite report.html from a compare or branch folder."""
    return rebuild_report(checks.checked_out(out))


@checks.checked
def query(out: str | Path, sql: str, *, allow_files: bool = False) -> pd.DataFrame:
    """Run DuckDB SQL over an experiment folder: tables ``runs``, ``comparison``, ``indices``.

    DuckDB cannot read or write any other file unless ``allow_files`` is True.
    """
    return store.query(checks.checked_out(out), sql, allow_files=allow_files)

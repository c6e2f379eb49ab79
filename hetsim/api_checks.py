"""Checks of the Python API's arguments, and the helpers every experiment of it shares.

Each check is cheap and runs before anything starts (no run, no worker process, no cluster),
so bad input is a :class:`ScenarioError` naming the argument; :mod:`hetsim.api` calls these.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from pathlib import Path

from hetsim.analysis import arguments
from hetsim.analysis.ensemble import SequentialExecutor, make_executor
from hetsim.analysis.store import check_out_dir
from hetsim.options import check_run_flag, default_out
from hetsim.scenarios import builder
from hetsim.simulation.scenario_files import check_schedule
from hetsim.simulation.schema import Scenario, ScenarioError


def load_checked(
    name_or_path: str | Path, overrides: Sequence[str], interventions: Sequence[str] = ()
) -> Scenario:
    """The scenario :func:`hetsim.api.load_scenario` gives, its lists checked first."""
    check_strings("set", overrides)
    check_strings("intervention", interventions)
    return builder.load_scenario(name_or_path, list(overrides), list(interventions))


def check_strings(name: str, values: Sequence[str]) -> None:
    """A lone string where a list belongs would be read letter by letter: refuse it."""
    if isinstance(values, str | Path):
        raise ScenarioError(f"{name}={values!r}: must be a list of strings, e.g. [{values!r}]")
    if not all(isinstance(v, str | Path) for v in values):
        raise ScenarioError(f"{name}={values!r}: every item must be a string")


def scenario_of(
    scenario: str | Path | Scenario, overrides: Sequence[str], names: Sequence[str]
) -> Scenario:
    """A loaded scenario as is (with no overrides or interventions to apply), else loaded."""
    if not isinstance(scenario, Scenario):
        return load_checked(scenario, overrides, names)
    if overrides or names:
        raise ScenarioError(
            f"scenario {scenario.name!r} is already loaded; pass set= and interventions= to "
            "hetsim.load_scenario, or pass the scenario's name instead"
        )
    return scenario


def validate(
    command: str,
    scenario: str | Path,
    overrides: Sequence[str],
    *,
    seeds: int,
    steps: int | None,
    interventions: Sequence[str] = (),
    params: Sequence[str] = (),
    samples: int | None = None,
    warmup: int = 0,
) -> None:
    """Cheap checks of the arguments, so bad input never starts a cluster."""
    if isinstance(scenario, Scenario):
        raise ScenarioError(
            f"{command}: give the scenario's name or path, not a loaded Scenario (each worker "
            "loads it again)"
        )
    arguments.check_count("seeds", seeds)
    check_run_flag("steps", steps)
    specs = [load_checked(scenario, overrides)]
    check_strings("intervention", interventions)
    for text in interventions:
        names = arguments.parse_arm(text)
        specs.append(load_checked(scenario, overrides, names))
    if steps is not None:
        for spec in specs:
            check_schedule(spec, steps + warmup, "--steps", source=source_name(scenario))
    if command in ("sweep", "sensitivity"):
        arguments.check_count("samples", samples)
        check_strings("param", params)
        if not params:
            raise ScenarioError(f"{command}: give at least one --param dotted.key=...")
        arguments.parse_params(params, overrides)
    elif not interventions:
        raise ScenarioError(f"{command}: give at least one --intervention NAME")


def check_executor(workers: int | None, scheduler: str | None) -> None:
    """``workers`` a count, and given only where this machine starts the workers."""
    arguments.check_count("workers", workers)
    if workers is not None and scheduler not in (None, "local"):
        raise ScenarioError(
            f"--workers {workers} with --scheduler {scheduler}: a remote cluster "
            "has its own workers; give --workers only with --scheduler local or no scheduler"
        )


@contextlib.contextmanager
def chosen_executor(
    workers: int | None, scheduler: str | None, executor: SequentialExecutor | None
) -> Iterator[SequentialExecutor]:
    """The caller's executor as is, or one made from ``workers``/``scheduler`` and closed."""
    if executor is not None:
        if workers is not None or scheduler is not None:
            raise ScenarioError("give either executor= or workers=/scheduler=, not both")
        yield executor
        return
    with make_executor(workers, scheduler) as made:
        yield made


def out_folder(command: str, scenario: str | Path, out: str | Path | None) -> Path:
    """``out``, or ``results/<command>-<scenario>``; checked to be a folder we can write."""
    return check_out_dir(
        Path(out) if out is not None else default_out(command, Path(scenario).stem)
    )


def source_name(scenario: str | Path | Scenario) -> str:
    """The scenario's name, or its file's name, for error messages."""
    return scenario.name if isinstance(scenario, Scenario) else Path(scenario).name

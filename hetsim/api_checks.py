"""Checks of the Python API's arguments, and the helpers every experiment of it shares.

Each check is cheap and runs before anything starts (no run, no worker process, no cluster),
so bad input is a :class:`ScenarioError` naming the argument; :mod:`hetsim.api` calls these.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import json
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar

import pydantic

from hetsim.analysis import arguments
from hetsim.analysis.ensemble import SequentialExecutor, make_executor
from hetsim.analysis.store import check_out_dir, read_manifest
from hetsim.options import check_run_flag, default_out
from hetsim.scenarios import builder
from hetsim.simulation.scenario_files import (
    check_path_text,
    check_schedule,
    flatten,
    named,
    shown,
)
from hetsim.simulation.schema import Scenario, ScenarioError

F = TypeVar("F", bound=Callable[..., Any])
# The arguments' types are checked as strictly as a scenario file's keys: no conversion, a bool
# is not an integer, a string is not a list or a flag.
STRICT = pydantic.ConfigDict(strict=True, arbitrary_types_allowed=True)


READABLE = {"ScenarioLike": "str | Path | Scenario"}


def checked[F: Callable[..., Any]](function: F) -> F:
    """``function`` with its arguments checked against its annotations before it runs.

    A wrong type is a :class:`ScenarioError` naming the argument as the caller wrote it.
    """
    validated = pydantic.validate_call(config=STRICT)(function)
    signature = inspect.signature(function)

    @functools.wraps(function)
    def call(*args: Any, **kwargs: Any) -> Any:
        try:
            bound = signature.bind(*args, **kwargs)
        except TypeError as exc:
            raise ScenarioError(f"{function.__name__}(): {exc}") from None
        try:
            return validated(*args, **kwargs)
        except pydantic.ValidationError as exc:
            if exc.title != function.__name__:
                raise
            raise ScenarioError(_argument_error(signature, bound, exc)) from None

    return call  # type: ignore[return-value]


def _argument_error(
    signature: inspect.Signature, bound: inspect.BoundArguments, exc: pydantic.ValidationError
) -> str:
    """One line per argument of the wrong type: its name, its value and the type it takes."""
    lines: dict[str, str] = {}
    positional = list(signature.parameters)
    for error in exc.errors():
        first = error["loc"][0] if error["loc"] else ""
        name = positional[first] if isinstance(first, int) else str(first)
        if name in lines or name not in bound.arguments:
            continue
        value = bound.arguments[name]
        wanted = str(signature.parameters[name].annotation)
        for alias, meaning in READABLE.items():
            wanted = wanted.replace(alias, meaning)
        text = repr(value) if len(repr(value)) <= 80 else repr(value)[:60] + "..."
        if wanted.startswith("Sequence") and isinstance(value, str | Path):
            lines[name] = f"{name}={value!r}: must be a list of strings, e.g. [{value!r}]"
            continue
        if isinstance(value, Scenario):
            lines[name] = (
                f"{name}=<Scenario {value.name!r}>: give the scenario's name or path, not a "
                "loaded Scenario (each worker loads it again)"
            )
            continue
        lines[name] = (
            f"{name}={text}: must be {wanted} (got {type(value).__name__}; no conversion is made)"
        )
    return "\n".join(lines.values()) or str(exc)


def load_checked(
    name_or_path: str | Path,
    overrides: Sequence[str],
    interventions: Sequence[str | Path] = (),
    argument: str = "scenario",
) -> Scenario:
    """The scenario :func:`hetsim.api.load_scenario` gives, its lists checked first."""
    check_path_text(name_or_path, argument)
    check_strings("set", overrides)
    check_strings("interventions", interventions)
    for name in interventions:
        check_path_text(name, "interventions")
    return builder.load_scenario(name_or_path, list(overrides), strings(interventions))


def strings(names: Sequence[str | Path]) -> list[str]:
    """Intervention names and paths as the strings the builder and the workers take."""
    return [str(name) for name in names]


def check_strings(name: str, values: Sequence[str | Path]) -> None:
    """A lone string where a list belongs would be read letter by letter: refuse it."""
    if isinstance(values, str | Path):
        raise ScenarioError(f"{name}={values!r}: must be a list of strings, e.g. [{values!r}]")
    if not isinstance(values, Sequence):
        raise ScenarioError(f"{name}={values!r}: must be a list of strings")
    if not all(isinstance(v, str | Path) for v in values):
        raise ScenarioError(f"{name}={values!r}: every item must be a string")


def scenario_of(
    scenario: str | Path | Scenario, overrides: Sequence[str], names: Sequence[str | Path]
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
    interventions: Sequence[str | Path] = (),
    params: Sequence[str] = (),
    samples: int | None = None,
    sample_seed: int = 0,
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
    for text in overrides:
        if str(text).split("=", 1)[0].strip() == "run.seed":
            raise ScenarioError(
                f"{named('set')} {text!r}: an experiment runs seeds 0..N-1 (N is "
                f"{named('seeds')}) in every arm, so run.seed would change nothing"
            )
    check_strings("interventions", interventions)
    for text in strings(interventions):
        names = arguments.parse_arm(text)
        specs.append(load_checked(scenario, overrides, names))
    if steps is not None:
        for spec in specs:
            check_schedule(spec, steps + warmup, named("steps"), source=source_name(scenario))
    if warmup:  # the warm-up and the arms run as one model: together within run.steps
        total = warmup + (steps if steps is not None else specs[0].run.steps)
        try:
            check_run_flag("steps", total)
        except ScenarioError as exc:
            rule = str(exc).split(": ", 1)[1]
            raise ScenarioError(
                f"{shown('warmup', warmup)} plus the steps ({total}): {rule}"
            ) from None
    if command in ("sweep", "sensitivity"):
        arguments.check_count("samples", samples)
        arguments.check_count("sample_seed", sample_seed, minimum=0)
        check_strings("params", params)
        if not params:
            raise ScenarioError(f"{command}: give at least one {named('params')} dotted.key=...")
        arguments.parse_params(params, overrides)
    elif not interventions and command not in ("optimise", "rank"):  # they choose their own
        raise ScenarioError(f"{command}: give at least one {named('interventions')} NAME")


def check_executor(workers: int | None, scheduler: str | None) -> None:
    """``workers`` a count, and given only where this machine starts the workers."""
    arguments.check_count("workers", workers)
    if workers is not None and scheduler not in (None, "local"):
        raise ScenarioError(
            f"{shown('workers', workers)} with {shown('scheduler', scheduler)}: a remote cluster "
            f"has its own workers; give {named('workers')} only with {named('scheduler')} local "
            "or no scheduler"
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
        checked_out(out) if out is not None else default_out(command, Path(scenario).stem),
        named("out"),
    )


def checked_out(out: str | Path) -> Path:
    """An ``out`` given as text: not empty (that would be the working folder), a valid path."""
    if not str(out).strip():
        raise ScenarioError(
            f"{shown('out', str(out))}: empty; give a folder name (use '.' to mean this folder)"
        )
    check_path_text(out, "out")
    return Path(out)


def source_name(scenario: str | Path | Scenario) -> str:
    """The scenario's name, or its file's name, for error messages."""
    return scenario.name if isinstance(scenario, Scenario) else Path(scenario).name


def check_run_folder(out: Path, spec: Scenario, seed: int | None, steps: int | None) -> None:
    """Refuse to write one run over another: a folder's manifest must describe this very run.

    The same scenario, seed and steps again rewrite the same tables (a run is determined by
    them); anything else is refused, as ``compare`` refuses a folder holding other runs.
    """
    if not out.is_dir() or not any(
        (out / f).exists() for f in ("manifest.json", "metrics.parquet")
    ):
        return
    held = read_manifest(out)
    where = shown("out", str(out))
    if held is None:
        raise ScenarioError(
            f"{where}: holds a run whose manifest.json is missing or unreadable; give another "
            "folder or remove this one"
        )
    mine = json.loads(json.dumps(spec.model_dump(mode="json")))
    seed = spec.run.seed if seed is None else seed
    steps = spec.run.steps if steps is None else steps
    differ = sorted(
        key
        for key in set(flatten(mine)) | set(flatten(held.get("scenario") or {}))
        if flatten(mine).get(key) != flatten(held.get("scenario") or {}).get(key)
    )
    if held.get("seed") != seed:
        differ.append("seed")
    if held.get("steps") != steps:
        differ.append("steps")
    if differ:
        shown_keys = ", ".join(differ[:5]) + (", ..." if len(differ) > 5 else "")
        raise ScenarioError(
            f"{where}: holds a different run (it differs in {shown_keys}); give another "
            f"{named('out')} folder or remove this one"
        )

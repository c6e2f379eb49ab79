"""Turn a scenario file (plus overrides and interventions) into a model with its agents."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hetsim.agents import ROLES, STRATEGIES
from hetsim.scenarios.library import intervention_path, scenario_path
from hetsim.simulation.model import EcosystemModel
from hetsim.simulation.scenario_files import flatten, load, read_toml
from hetsim.simulation.schema import Scenario, ScenarioError
from hetsim.simulation.strategy import check_strategies

__all__ = ["build_model", "flatten", "intervention_patch", "load_scenario"]

# Interventions change the world; the run's length and seed are the experiment's to set.
RUN_KEYS_HELP = "an intervention changes the world, not the run: give --steps or --seed instead"


def intervention_source(path: Path) -> str:
    """How errors name an intervention file."""
    return f"{path.name} (intervention)"


def _intervention_layers(names: list[str]) -> list[tuple[str, dict[str, Any]]]:
    """Each intervention file read as (source, table); conflicting values are an error."""
    layers: list[tuple[str, dict[str, Any]]] = []
    owner: dict[str, tuple[str, Any]] = {}
    for name in names:
        path = intervention_path(name)
        data = read_toml(path, kind="intervention")
        source = intervention_source(path)
        for label in ("name", "description"):  # the intervention's own, not the world's
            text = data.pop(label, "")
            if not isinstance(text, str):
                raise ScenarioError(f"{source}: {label} = {text!r}: must be a string")
        if "run" in data:
            raise ScenarioError(f"{source}: run = {data['run']!r}: {RUN_KEYS_HELP}")
        for key, value in flatten(data).items():
            if key in owner and owner[key][1] != value:
                raise ScenarioError(
                    f"{source}: {key} = {value!r}: conflicts with intervention "
                    f"{owner[key][0]!r}, which sets it to {owner[key][1]!r}"
                )
            owner[key] = (path.stem, value)
        layers.append((source, data))
    return layers


def intervention_patch(names: list[str]) -> dict[str, Any]:
    """Merge intervention files; two interventions setting one key differently is an error."""
    from hetsim.simulation.scenario_files import merge

    patch: dict[str, Any] = {}
    for _, data in _intervention_layers(names):
        patch = merge(patch, data)
    return patch


def load_scenario(
    name_or_path: str | Path,
    overrides: list[str] | None = None,
    interventions: list[str] | None = None,
) -> Scenario:
    """Load a shipped or local scenario, apply interventions, then ``--set`` overrides."""
    path = scenario_path(name_or_path)
    layers = _intervention_layers(interventions or [])
    scenario = load(path, overrides, patches=layers)
    try:
        check_strategies(scenario, STRATEGIES)
    except ScenarioError as exc:
        raise ScenarioError(f"{path.name}: {exc}") from None
    return scenario


def build_model(scenario: Scenario, seed: int | None = None) -> EcosystemModel:
    """A ready-to-step model of the scenario, with the four roles and the shipped strategies."""
    return EcosystemModel(scenario, ROLES, STRATEGIES, seed=seed)

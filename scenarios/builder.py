"""Turn a scenario file (plus overrides and interventions) into a model with its agents."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hetsim.agents import ROLES, STRATEGIES
from hetsim.scenarios.library import intervention_path, scenario_path
from hetsim.simulation.model import EcosystemModel
from hetsim.simulation.schema import Scenario, ScenarioError, load, read_toml
from hetsim.simulation.strategy import check_strategies


def flatten(table: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Dotted keys of every leaf of a nested table (lists are leaves)."""
    out: dict[str, Any] = {}
    for key, value in table.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(flatten(value, f"{dotted}."))
        else:
            out[dotted] = value
    return out


def intervention_patch(names: list[str]) -> dict[str, Any]:
    """Merge intervention files; two interventions setting one key differently is an error."""
    from hetsim.simulation.schema import merge

    patch: dict[str, Any] = {}
    owner: dict[str, str] = {}
    for name in names:
        path = intervention_path(name)
        data = read_toml(path)
        data.pop("description", None)
        data.pop("name", None)
        for key, value in flatten(data).items():
            if key in owner and flatten(patch)[key] != value:
                raise ScenarioError(
                    f"{path.name}: {key} = {value!r}: conflicts with intervention "
                    f"{owner[key]!r}, which sets it to {flatten(patch)[key]!r}"
                )
            owner[key] = path.stem
        patch = merge(patch, data)
    return patch


def load_scenario(
    name_or_path: str | Path,
    overrides: list[str] | None = None,
    interventions: list[str] | None = None,
) -> Scenario:
    """Load a shipped or local scenario, apply interventions, then ``--set`` overrides."""
    path = scenario_path(name_or_path)
    patch = intervention_patch(interventions or [])
    scenario = load(path, overrides, extra=patch)
    try:
        check_strategies(scenario, STRATEGIES)
    except ScenarioError as exc:
        raise ScenarioError(f"{path.name}: {exc}") from None
    return scenario


def build_model(scenario: Scenario, seed: int | None = None) -> EcosystemModel:
    """A ready-to-step model of the scenario, with the four roles and the shipped strategies."""
    return EcosystemModel(scenario, ROLES, STRATEGIES, seed=seed)

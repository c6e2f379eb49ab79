"""Shipped scenarios and interventions, and the builder that turns a file into a model."""

from hetsim.scenarios.library import (
    describe,
    intervention_path,
    list_interventions,
    list_scenarios,
    scenario_path,
)

__all__ = [
    "describe",
    "intervention_path",
    "list_interventions",
    "list_scenarios",
    "scenario_path",
]

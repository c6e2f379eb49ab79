"""Every shipped scenario and intervention validates, says what it stages, and runs."""

from __future__ import annotations

import pytest

from hetsim.analysis.runner import run_scenario
from hetsim.scenarios.builder import load_scenario
from hetsim.scenarios.library import (
    describe,
    intervention_path,
    list_interventions,
    list_scenarios,
    scenario_path,
)

SMALL = ["communities.count=8", "annotators.count=6"]


@pytest.mark.parametrize("name", list_scenarios())
def test_each_scenario_runs_and_cites_the_paper(name):
    text = scenario_path(name).read_text(encoding="utf-8")
    assert text.startswith("#")
    assert "§" in text or "Liu et al." in text
    assert "expect" in text.lower()
    assert describe(scenario_path(name))
    metrics = run_scenario(load_scenario(name, SMALL), seed=0, steps=2)["metrics"]
    assert len(metrics) == 2


@pytest.mark.parametrize("name", list_interventions())
def test_each_intervention_applies_over_the_default_scenario(name):
    text = intervention_path(name).read_text(encoding="utf-8")
    assert text.startswith("#") and "expect" in text.lower()
    scenario = load_scenario("status_quo", SMALL, [name])
    metrics = run_scenario(scenario, seed=0, steps=2)["metrics"]
    assert len(metrics) == 2


def test_the_library_covers_the_paper():
    scenarios = set(list_scenarios())
    assert {
        "status_quo",
        "sharing_vs_pooling",
        "pretrained_adaptation",
        "federated_consortium",
        "refugee_influx",
        "affirmative_action",
        "proxy_mismatch",
        "annotation_mismatch",
        "regulatory_patchwork",
        "privacy_fairness",
        "lending_delayed_impact",
    } <= scenarios
    assert {
        "audit_regime",
        "locally_defined_fairness",
        "public_compute",
        "open_weights_mandate",
        "data_sovereignty_protocol",
        "fair_annotation_pay",
        "consortium_facilitator",
        "dp_mandate",
        "documentation",
    } <= set(list_interventions())

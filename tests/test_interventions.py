"""The shipped interventions validate, say what they model, and change what they say."""

from __future__ import annotations

from pathlib import Path

import pytest

from hetsim.analysis.claims.registry import CLAIMS
from hetsim.analysis.ensemble import Task, run_task
from hetsim.scenarios.builder import intervention_patch, load_scenario
from hetsim.scenarios.library import describe, intervention_path, list_interventions
from hetsim.simulation.schema import ScenarioError

SMALL = ("communities.count=8", "annotators.count=10")
CLAIM_TESTS = Path(__file__).parent / "claims"
SHIPPED = {
    "audit_regime": {
        ("regulators", "audit_probability"): 0.6,
        ("regulators", "publish"): True,
        ("regulators", "penalty_fraction"): 0.2,
    },
    "public_compute": {("communities", "public_compute"): 600.0},
    "no_data_sharing": {("exchange", "data_sharing"): False},
    "fair_annotation_pay": {("annotators", "minimum_pay"): 0.03},
    "consortium_facilitator": {("exchange", "consortium_facilitator"): True},
    "data_sovereignty_protocol": {("exchange", "sovereignty_terms"): True},
    "documentation": {("practices", "documentation"): 1.0},
    "dp_mandate": {
        ("regulators", "epsilon_cap"): 1.0,
        ("large_entities", "claimed_epsilon"): 1.0,
        ("large_entities", "effective_epsilon"): 1.0,
    },
    "locally_defined_fairness": {("regulators", "locally_defined"): True},
    "open_weights_mandate": {("large_entities", "open_weights_share"): 1.0},
}
SECTIONS = {
    "audit_regime": "§3",
    "public_compute": "§2.2",
    "no_data_sharing": "§4.1",
    "fair_annotation_pay": "§2.4.3",
    "consortium_facilitator": "§4.3",
    "data_sovereignty_protocol": "§4.1",
    "documentation": "§2.1",
    "dp_mandate": "§2.3",
    "locally_defined_fairness": "§2.3",
    "open_weights_mandate": "§4.2",
}


def _mean(name: str | None, column: str, seeds: int = 3, steps: int = 30) -> float:
    names = (name,) if name else ()
    runs = [run_task(Task("status_quo", names, seed, steps, SMALL)) for seed in range(seeds)]
    return float(sum(r[column].mean() for r in runs) / len(runs))


@pytest.mark.parametrize("name", sorted(SHIPPED))
def test_intervention_validates_and_sets_its_keys(name):
    assert name in list_interventions()
    scenario = load_scenario("status_quo", list(SMALL), [name])
    for (section, key), value in SHIPPED[name].items():
        assert getattr(getattr(scenario, section), key) == value


@pytest.mark.parametrize("name", sorted(SHIPPED))
def test_intervention_file_says_policy_section_and_expectation(name):
    path = intervention_path(name)
    header = "\n".join(line for line in path.read_text().splitlines() if line.startswith("#"))
    assert SECTIONS[name] in header
    assert "What to expect" in header
    assert describe(path) and SECTIONS[name] in describe(path)


def test_every_shipped_intervention_is_listed_here():
    assert set(SHIPPED) == set(list_interventions())


@pytest.mark.parametrize("name", sorted(SHIPPED))
def test_every_intervention_has_an_outcome_test_in_the_claims_suite(name):
    """Its expected outcome is a claim (treatment arm) that tests/claims runs with an ablation."""
    claims = [c for c in CLAIMS if name in c.treatment.interventions]
    assert claims, f"{name}: no claim of analysis/claims/registry/ stages its outcome"
    tests = "\n".join(p.read_text() for p in CLAIM_TESTS.glob("test_*.py"))
    for claim in claims:
        assert f"def test_{claim.id}(" in tests
        assert claim.ablation, f"{claim.id}: no ablation"


def test_audit_regime_raises_audits():
    assert _mean("audit_regime", "audits") > 2 * _mean(None, "audits")


def test_public_compute_lowers_the_entities_compute_share():
    base = _mean(None, "entity_compute_share", seeds=2, steps=5)
    assert _mean("public_compute", "entity_compute_share", seeds=2, steps=5) < base


def test_no_data_sharing_leaves_no_sharer():
    assert _mean(None, "strategy_share_share", seeds=2, steps=10) > 0
    assert _mean("no_data_sharing", "strategy_share_share", seeds=2, steps=10) == 0


def test_fair_annotation_pay_puts_a_floor_under_pay():
    runs = [run_task(Task("status_quo", ("fair_annotation_pay",), s, 10, SMALL)) for s in (0, 1)]
    pay = [v for r in runs for v in r["annotator_pay_mean"].dropna()]
    assert pay and min(pay) >= 0.03 - 1e-12
    assert _mean(None, "annotator_pay_mean", seeds=2, steps=10) < min(pay)


def test_conflicting_interventions_are_an_error(tmp_path):
    strict = tmp_path / "strict_audits.toml"
    strict.write_text('description = "x"\n[regulators]\naudit_probability = 0.9\n')
    with pytest.raises(ScenarioError, match=r"audit_probability.*conflicts"):
        intervention_patch(["audit_regime", str(strict)])
    with pytest.raises(ScenarioError, match="conflicts"):
        load_scenario("status_quo", [], ["audit_regime", str(strict)])


def test_composable_interventions_apply_both():
    scenario = load_scenario("status_quo", [], ["audit_regime", "public_compute"])
    assert scenario.regulators.audit_probability == 0.6
    assert scenario.communities.public_compute == 600.0

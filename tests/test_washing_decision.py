"""Washing is a decision (§3): entities weigh what a selective report saves against what it
risks, so audits deter it; a fixed propensity does not respond to them."""

from __future__ import annotations

import numpy as np

from hetsim.agents import washing
from hetsim.analysis.runner import run_scenario
from hetsim.scenarios.builder import build_model, load_scenario

SMALL = [
    "communities.count=24",
    "annotators.count=20",
    "large_entities.count=3",
    "regulators.count=3",
    # a strict threshold, so honest reports would often be violations and washing pays
    "regulators.threshold=0.03",
    "practices.documentation=0.0",
]
SEEDS = (0, 1, 2, 3, 4, 5)
SANCTIONS = washing.Sanctions(violation_fine=3.0, washing_fine=1.0, reputation=4.0)


def washing_share(rule: str, audit_probability: float, seed: int, steps: int = 16) -> float:
    """Share of fairness reports washed over a run."""
    scenario = load_scenario(
        "status_quo",
        [
            *SMALL,
            f'large_entities.washing_rule="{rule}"',
            f"regulators.audit_probability={audit_probability}",
        ],
    )
    metrics = run_scenario(scenario, seed=seed, steps=steps, community_rows=False)["metrics"]
    return float(metrics["washing_share"].mean())


def paired_t(rule: str) -> tuple[float, float]:
    """Mean paired change in washing when audits go from rare to frequent, and its t statistic."""
    change = np.array([washing_share(rule, 0.9, s) - washing_share(rule, 0.05, s) for s in SEEDS])
    return float(change.mean()), float(change.mean() / (change.std(ddof=1) / np.sqrt(change.size)))


def test_frequent_audits_deter_washing_under_the_decision_rule_only():
    """Paired seeds: audits 0.05 → 0.9 lower the washed share of reports when entities decide,
    and leave it unchanged (within sampling noise) when they wash with a fixed propensity."""
    deterred, t_decision = paired_t("decision")
    unmoved, _ = paired_t("fixed")
    assert deterred < -0.05 and t_decision < -2.5
    # "unchanged" is bounded by size, not by a t statistic: a null change's t exceeds 2.5 in
    # about 1 of 20 seed sets (seeds 0-5: +0.037, t = 3.6; seeds 0-11: -0.001, t = -0.04)
    assert abs(unmoved) < abs(deterred) / 2


def test_washing_costs_more_the_likelier_an_audit_is_believed():
    options = washing.ReportOptions(honest_gap=0.3, washed_gap=0.12, standard_error=0.04)
    costs = [
        washing.expected_sanction(0.12, options, 0.15, 0.01, belief, False, SANCTIONS)
        for belief in (0.05, 0.3, 0.9)
    ]
    assert costs[0] < costs[1] < costs[2]
    honest = washing.expected_sanction(0.3, options, 0.15, 0.01, 0.05, False, SANCTIONS)
    assert honest == SANCTIONS.violation_fine + SANCTIONS.reputation  # on the record: certain


def test_a_documented_team_expects_a_selective_report_to_be_found():
    """Datasheets record which people a figure was computed on (Balayn & Gadiraju practice)."""
    small_shortfall = washing.ReportOptions(honest_gap=0.17, washed_gap=0.14, standard_error=0.04)
    costs = {
        documented: washing.expected_sanction(
            0.14, small_shortfall, 0.15, 0.01, 0.5, documented, SANCTIONS
        )
        for documented in (False, True)
    }
    assert costs[True] > costs[False]


def test_the_audit_belief_is_learnt_from_audits_experienced():
    """An entity's belief starts at its prior whatever the true rate, and moves toward the
    rate of audits it experiences."""
    scenario = load_scenario("status_quo", [*SMALL, "regulators.audit_probability=0.8"])
    model = build_model(scenario, seed=0)
    ent, spec = model.entity_arrays, scenario.large_entities
    prior = spec.audit_prior_audits / (spec.audit_prior_audits + spec.audit_prior_quiet)
    before = washing.audit_belief(
        ent.audits_seen, ent.reports_made, spec.audit_prior_audits, spec.audit_prior_quiet
    )
    np.testing.assert_allclose(before, prior)
    for _ in range(20):
        model.step()
    seen = ent.reports_made >= 15
    after = washing.audit_belief(
        ent.audits_seen, ent.reports_made, spec.audit_prior_audits, spec.audit_prior_quiet
    )[seen]
    assert seen.any()
    assert abs(after.mean() - 0.8) < 0.1 < abs(prior - 0.8)

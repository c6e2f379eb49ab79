"""Audits re-measure a report under the regulator's protocol; a report below it beyond the
sampling tolerance has its records inspected, and only the records find washing; published
sanctions cost trust most among the entity's customers (§3)."""

from __future__ import annotations

import numpy as np
import pytest

from hetsim.analysis.runner import run_scenario
from hetsim.scenarios.builder import build_model, load_scenario
from hetsim.scenarios.library import list_scenarios
from hetsim.simulation.measures.audit_sampling import Evaluation, detection_probability

SMALL = [
    "communities.count=24",
    "annotators.count=20",
    "large_entities.count=3",
    "regulators.count=3",
]
NEVER_WASH = ["large_entities.washing_propensity=0.0"]


def world(*overrides: str):
    """The status quo shrunk; ``overrides`` are added after it."""
    return load_scenario("status_quo", [*SMALL, *overrides])


def test_the_screen_flags_honest_reports_at_its_level_and_their_records_clear_them():
    """The tolerance is a one-sided test at washing_test_level on two draws of one estimator:
    it asks to inspect an honest entity's records in at most about that share of audits, and
    the records clear every such flag, so the flags are never findings."""
    level = 0.05
    scenario = world(
        *NEVER_WASH,
        "regulators.audit_probability=1.0",
        "practices.documentation=0.0",  # every inspection is one the screen asked for
        f"regulators.washing_test_level={level}",
    )
    metrics = run_scenario(scenario, seed=0, steps=32, community_rows=False)["metrics"]
    audits, flags = int(metrics["audits"].sum()), int(metrics["inspections"].sum())
    assert audits >= 150  # enough audits for the rate to mean something
    assert 0 < flags / audits <= level + 3.0 * np.sqrt(level * (1 - level) / audits)
    assert int(metrics["inspections_cleared"].sum()) == flags
    assert metrics["violations_washing"].sum() == 0


@pytest.mark.parametrize("name", list_scenarios())
def test_no_entity_that_never_washes_is_ever_found_washing(name):
    """Whatever notions its regulators mandate and however often they audit, an honest
    reporter is never found washing, and an honest privacy claim is never found either."""
    scenario = load_scenario(name, [*NEVER_WASH, "regulators.audit_probability=1.0"])
    metrics = run_scenario(scenario, seed=0, steps=3, community_rows=False)["metrics"]
    if scenario.regulators.count and scenario.large_entities.count:
        assert metrics["audits"].sum() > 0
    assert metrics["violations_washing"].sum() == 0
    assert metrics["violations_privacy_washing"].sum() == 0


def test_audits_find_washing_when_entities_wash():
    """The same audits that never accuse an honest reporter do find selective reports."""
    washing = ['large_entities.washing_rule="fixed"', "large_entities.washing_propensity=1.0"]
    audited = ["regulators.audit_probability=1.0", "practices.documentation=0.0"]
    found = 0  # a found selective report is a rare event in a short run: three seeds
    for seed in range(3):
        honest = run_scenario(
            world(*NEVER_WASH, *audited), seed=seed, steps=12, community_rows=False
        )
        washed = run_scenario(world(*washing, *audited), seed=seed, steps=12, community_rows=False)
        assert honest["metrics"]["violations_washing"].sum() == 0
        assert washed["metrics"]["washing_gap_mean"].mean() > 0
        found += washed["metrics"]["violations_washing"].sum()
    assert found > 0


def test_undocumented_washing_is_found_at_the_rate_the_screen_predicts():
    """Without datasheets an audit finds a washed report only through the screen, so the number
    found matches the sum over audited washed reports of the chance the screen flags a report
    that far below an independent re-measurement: Φ(Δ/(√2·s) − z(1−α))."""
    washing = ['large_entities.washing_rule="fixed"', "large_entities.washing_propensity=1.0"]
    audited = ["regulators.audit_probability=1.0", "practices.documentation=0.0"]
    level = 0.2  # a lenient screen, so that enough washed reports are found to count
    model = build_model(world(*washing, *audited, f"regulators.washing_test_level={level}"), 0)
    ent = model.entity_arrays
    predicted = found = 0.0
    for _ in range(30):
        seen = ent.audits_seen.copy()
        model.step()
        audited_now = (ent.audits_seen > seen) & ent.report_washed
        shortfall = ent.report_honest_gap - ent.report_gap
        for e, j in zip(*np.nonzero(audited_now), strict=True):
            predicted += detection_probability(shortfall[e, j], ent.report_error[e, j], level)
        found += model.jurisdictions.washing_violations
    assert predicted >= 10  # enough expected findings for the count to mean something
    assert abs(found - predicted) <= 3.0 * np.sqrt(predicted)


def test_a_published_sanction_costs_trust_most_among_the_entitys_customers():
    model = build_model(world('communities.strategy="adopt"'), seed=0)
    for _ in range(3):
        model.step()
    com, led, spec = model.community_arrays, model.ledger, model.spec.regulators
    customers_of = [
        model.strategy_flag("with_entity") & (com.partner == e)
        for e in range(model.entity_arrays.n)
    ]
    e = int(np.argmax([0 < c.sum() < com.n for c in customers_of]))
    customers = customers_of[e]
    assert 0 < customers.sum() < com.n
    led.trust[:, e] = 0.5
    model.members["regulators"][0].sanction(e, violation=True, washed=False)
    np.testing.assert_allclose(led.trust[customers, e], 0.5 * (1 - spec.trust_penalty_customers))
    np.testing.assert_allclose(
        led.trust[~customers, e], 0.5 * (1 - spec.trust_penalty_word_of_mouth)
    )


def test_the_entities_table_records_what_was_reported_and_what_was_audited():
    """reported_gap is the figure sent to the home regulator; audited_gap stays NaN until
    that regulator audits."""
    never = run_scenario(world("regulators.audit_probability=0.0"), seed=0, steps=3)["entities"]
    always = run_scenario(world("regulators.audit_probability=1.0"), seed=0, steps=3)["entities"]
    never, always = never[never["active"]], always[always["active"]]  # not entrants outside
    assert never["reported_gap"].notna().all()
    assert never["audited_gap"].isna().all()
    assert always["audited_gap"].notna().all()
    assert always["audited_gap"].between(0, 1).all()


@pytest.mark.parametrize("notion", ["demographic_parity", "equal_opportunity", "equalized_odds"])
def test_the_bootstrap_error_matches_the_spread_of_repeated_evaluations(notion):
    """The tolerance rests on the standard error: it must match how much the gap of one
    protocol sample varies from sample to sample."""
    rng = np.random.default_rng(7)

    def draw() -> Evaluation:
        group = (rng.random((10, 40)) < 0.3).astype(np.int8)
        y = (rng.random((10, 40)) < 0.5).astype(np.int8)
        decision = (rng.random((10, 40)) < np.where(group == 0, 0.6, 0.45)).astype(np.int8)
        return Evaluation(y=y, decision=decision, group=group, all_communities=True)

    figures = [draw().figures(notion, rng) for _ in range(400)]
    spread = np.std([f.gap for f in figures], ddof=1)
    estimated = np.mean([f.standard_error for f in figures])
    assert abs(estimated / spread - 1) < 0.15
    assert all(f.favourable_gap <= f.gap for f in figures)


@pytest.mark.parametrize("notion", ["demographic_parity", "equal_opportunity", "equalized_odds"])
def test_the_cluster_bootstrap_error_matches_the_spread_when_communities_are_sampled(notion):
    """When an evaluation draws 10 of a jurisdiction's 400 communities, each with its own rates,
    the gap varies with the communities drawn as well as with the people; resampling the
    communities whole matches that spread (resampling people within them too would count
    their variation twice)."""
    rng = np.random.default_rng(11)
    n_communities, k, m = 400, 10, 40
    minority = rng.uniform(0.1, 0.5, n_communities)
    base = rng.uniform(0.3, 0.7, n_communities)
    favour = rng.normal(0.12, 0.1, n_communities)  # each community's model favours group 0

    def draw() -> Evaluation:
        chosen = rng.choice(n_communities, size=k, replace=False)
        group = (rng.random((k, m)) < minority[chosen, None]).astype(np.int8)
        y = (rng.random((k, m)) < base[chosen, None]).astype(np.int8)
        select = np.clip(base[chosen, None] + np.where(group == 0, favour[chosen, None], 0), 0, 1)
        decision = (rng.random((k, m)) < select).astype(np.int8)
        return Evaluation(y=y, decision=decision, group=group, all_communities=False)

    figures = [draw().figures(notion, rng) for _ in range(400)]
    spread = np.std([f.gap for f in figures], ddof=1)
    estimated = np.mean([f.standard_error for f in figures])
    assert abs(estimated / spread - 1) < 0.15

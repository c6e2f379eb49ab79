"""An entity's true mandated gap (what washing hides) is the gap of the decisions its model
makes for all of its users' people pooled, under its home jurisdiction's notion."""

from __future__ import annotations

import numpy as np

from hetsim.scenarios.builder import build_model, load_scenario
from hetsim.simulation import decisions, measures
from hetsim.simulation.population import N_GROUPS


def test_true_gap_pools_every_user_of_the_entity() -> None:
    model = build_model(load_scenario("status_quo", ["communities.count=24"]), seed=3)
    for _ in range(3):
        model.step()
    com, ent = model.community_arrays, model.entity_arrays
    sample = model.population.draw(50, np.random.default_rng(7))
    score = model.deployed_scores(np.arange(com.n), sample.x)
    decisions.measure_entity_gaps(model, sample, score)
    served = model.strategy_flag("serves_partner_model")
    checked = 0
    for e in range(ent.n):
        users = np.flatnonzero(served & (com.partner == e))
        if users.size == 0:
            assert np.isnan(ent.true_gap[e])
            continue
        pooled = measures.group_rates(
            sample.y[users].reshape(1, -1),
            (score[users] > 0).astype(np.int8).reshape(1, -1),
            sample.a[users].reshape(1, -1),
            N_GROUPS,
        )
        notion = str(model.jurisdictions.notion[max(ent.jurisdiction[e], 0)])
        assert ent.true_gap[e] == measures.fairness_gap(pooled, notion)[0]
        checked += users.size > 1  # pooling over several users is exercised
    assert checked >= 1

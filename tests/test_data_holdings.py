"""Data holdings are measured from the records each organisation holds and can use: sharing
concentrates them in entities, pooling spreads them over peers, withdrawal takes them back."""

from __future__ import annotations

import numpy as np

from hetsim.scenarios.builder import build_model, load_scenario

BASE = ["communities.count=24", "annotators.count=12", "communities.expertise=1.0"]


def hhi_data(strategy: str, *overrides: str, seed: int) -> float:
    scenario = load_scenario(
        "status_quo", [*BASE, f'communities.strategy="{strategy}"', *overrides]
    )
    model = build_model(scenario, seed=seed)
    for _ in range(10):
        model.step()
    return float(model.recorder.metrics_table()["hhi_data"].iloc[-1])


def test_sharing_concentrates_data_and_pooling_spreads_it_paired_by_seed():
    for seed in range(3):
        local = hhi_data("local", seed=seed)
        assert hhi_data("share", seed=seed) > local + 0.02
        assert hhi_data("pool", seed=seed) < local
        assert hhi_data("cooperative", "strategy.cooperative.licensing=false", seed=seed) < local


def test_withdrawn_records_leave_the_entity_s_holdings():
    model = build_model(
        load_scenario(
            "status_quo", [*BASE, 'communities.strategy="share"', "exchange.sovereignty_terms=true"]
        ),
        seed=0,
    )
    for _ in range(3):
        model.step()
    led = model.ledger
    entity = int(np.argmax(led.records_by_origin.sum(axis=1)))
    before = led.data_held()[led.entity_org(entity)]
    community = int(np.argmax(led.records_by_origin[entity]))
    given = led.records_by_origin[entity, community]
    model.withdraw_records(entity, community)
    assert led.data_held()[led.entity_org(entity)] == before - given

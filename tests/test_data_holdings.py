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
    led, ent, com = model.ledger, model.entity_arrays, model.community_arrays
    entity = int(np.argmax(led.records_by_origin.sum(axis=1)))
    before = led.data_held(ent.filled, com.filled)[led.entity_org(entity)]
    community = int(np.argmax(led.records_by_origin[entity]))
    on_terms = ent.records_of(entity, np.array([community]), on_terms=True).size
    assert on_terms > 0
    model.withdraw_records(entity, community)
    assert led.data_held(ent.filled, com.filled)[led.entity_org(entity)] == before - on_terms


def test_holdings_are_what_can_be_used_now_and_the_flows_keep_counting():
    """After long enough, an entity's pool and a community's window are full: what they hold
    stops growing, while the records they have gathered keep counting (the flow measure)."""
    model = build_model(load_scenario("status_quo", [*BASE, "communities.window=60"]), seed=1)
    held, gathered = [], []
    for _ in range(8):
        model.step()
        led, ent, com = model.ledger, model.entity_arrays, model.community_arrays
        held.append(led.data_held(ent.filled, com.filled).copy())
        gathered.append(led.data_accumulated().copy())
    communities = led.community_org(np.arange(com.n))
    pooling = np.zeros(led.n_orgs, dtype=bool)
    for members in led.pools:
        pooling[led.community_org(members)] = True
    alone = communities[~pooling[communities]]
    assert alone.size and np.all(held[-1][alone] == 60)  # a full window, however long the run
    assert np.all(gathered[-1][alone] > gathered[0][alone])  # the flow counts every record
    table = model.recorder.metrics_table()
    assert (table["hhi_data"] != table["hhi_data_accumulated"]).all()


def test_a_pool_member_holds_its_partners_windows_while_it_pools():
    model = build_model(load_scenario("status_quo", [*BASE, 'communities.strategy="pool"']), seed=0)
    model.step()
    led, ent, com = model.ledger, model.entity_arrays, model.community_arrays
    held = led.data_held(ent.filled, com.filled)
    for members in led.pools:
        assert np.all(held[led.community_org(members)] == com.filled[members].sum())
    led.start_step()  # a step in which nobody pools
    alone = led.data_held(ent.filled, com.filled)[led.community_org(np.arange(com.n))]
    assert np.all(alone == com.filled)

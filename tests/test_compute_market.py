"""Compute is rented on a market (§2.2): a community with money trains on every record it
holds, providers sell only what they leave idle, and the price follows excess demand."""

from __future__ import annotations

import numpy as np

from hetsim.agents.strategies.fitting import budget
from hetsim.scenarios.builder import build_model, load_scenario
from hetsim.simulation.economy.compute_market import ComputeMarket

BASE = ["communities.count=30", "annotators.count=12", 'communities.strategy="local"']


def rows_used(*overrides: str, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Records each community's fit may use, and the records it holds, after a few steps."""
    model = build_model(load_scenario("status_quo", [*BASE, *overrides]), seed=seed)
    for _ in range(4):
        model.step()
    everyone = np.arange(model.community_arrays.n)
    rows, _ = budget(model, everyone)
    return rows, model.community_arrays.filled


def test_a_community_with_money_rents_compute_to_train_on_all_its_records():
    rows, held = rows_used("communities.compute_share=0.25")
    assert np.mean(rows == held) > 0.9
    rows_off, held_off = rows_used("communities.compute_share=0.0")
    assert np.median(rows_off / held_off) < 0.5  # own compute alone: a fraction of the records


def test_providers_rent_out_only_idle_compute_and_ration_when_short():
    market = ComputeMarket(price=1.0)
    units = market.clear(np.array([30.0, 50.0, 20.0]), np.array([40.0, 10.0]))
    got = units.sum(axis=1)
    assert np.isclose(got.sum(), 50.0)  # all idle compute, no more
    np.testing.assert_allclose(got / got.sum(), [0.3, 0.5, 0.2])  # rationed in proportion
    np.testing.assert_allclose(units.sum(axis=0), [40.0, 10.0])
    units = market.clear(np.array([5.0, 0.0]), np.array([40.0, 10.0]))
    assert units.tolist() == [[5.0, 0.0], [0.0, 0.0]]  # the most idle provider first


def test_a_buyer_rents_from_the_providers_it_trusts_with_its_records():
    market = ComputeMarket(price=1.0)
    trusts = np.array([[False, True], [True, True]])  # the first distrusts the most idle one
    units = market.clear(np.array([30.0, 30.0]), np.array([40.0, 10.0]), trusts)
    assert units[0, 0] == 0.0 and units[0, 1] == 10.0  # all it can get from the other
    assert units[1].sum() == 30.0  # the other buyer is filled by the most idle provider


def test_the_rent_follows_excess_demand_between_cost_and_purchase_price():
    market = ComputeMarket(price=1.0)
    market.adjust(asked=200.0, offered=100.0, adjustment=0.1, floor=0.5, ceiling=2.0)
    assert market.price > 1.0
    for _ in range(100):
        market.adjust(asked=0.0, offered=100.0, adjustment=0.1, floor=0.5, ceiling=2.0)
    assert market.price == 0.5


def test_renting_exposes_records_to_misuse_and_communities_stop_renting_from_a_misuser():
    """A provider's machines see the records they process (§3): when it misuses them, those
    who rented from it lose trust in it, not in the providers they did not rent from, and no
    longer rent from it."""
    scenario = load_scenario(
        "status_quo",
        [*BASE, "communities.compute_share=0.25", "exchange.misuse_probability=1.0"],
    )
    model = build_model(scenario, seed=1)
    model.step()
    com, led = model.community_arrays, model.ledger
    renters = np.flatnonzero(com.rented_from >= 0)
    assert renters.size
    seller = com.rented_from[renters]
    in_seller = led.trust[renters, seller]
    others = led.trust[renters].sum(axis=1) - in_seller
    in_others = others / (led.trust.shape[1] - 1)
    kept = model.spec.exchange.misuse_trust_kept
    assert np.all(in_seller < kept * in_others + 0.05)
    model.step()
    assert not np.any(com.rented_from[renters] == seller)  # no longer trusted with records

"""Capacity is bought, not granted (§2.2): a community training its own model rents compute
beyond its records' need when the accuracy a larger model showed on its records is worth the
price to it, by the utility rule of its choices; the demand falls with the price."""

from __future__ import annotations

import numpy as np

from hetsim.agents.community import Community
from hetsim.scenarios.builder import build_model, load_scenario
from hetsim.simulation.learning.capacity import capacity_share, compute_for_capacity

BASE = ["communities.count=12", "annotators.count=6", 'communities.strategy="local"']


def test_the_compute_bought_is_where_capacity_stops_paying_for_itself():
    half, value, cost = 6000.0, np.array([0.2, 0.2, 0.001]), np.array([1e-6, 1e-6, 1e-6])
    held = np.array([100.0, 8000.0, 100.0])
    added = compute_for_capacity(held, half, value, cost)
    grid = np.linspace(0.0, 1e6, 200_001)
    for i in range(3):
        net = value[i] * capacity_share(held[i] + grid, half) - cost[i] * grid
        assert abs(added[i] - grid[np.argmax(net)]) <= grid[1]  # the best on a fine grid
    assert added[0] > added[1] > 0  # who holds more buys less
    assert added[2] == 0  # capacity worth little: nothing bought


def test_a_community_rents_capacity_when_a_larger_model_did_better_on_its_records():
    model = build_model(load_scenario("status_quo", BASE), seed=0)
    for _ in range(2):
        model.step()
    com, led = model.community_arrays, model.ledger
    held = led.compute[led.community_org(np.arange(com.n))]
    com.capacity_gain[:] = 0.0
    assert not Community.capacity_demand(model, held).any()  # nothing to gain: no demand
    com.capacity_gain[:] = 0.1
    model.compute_market.price = 1e-5  # capacity cheap
    cheap = Community.capacity_demand(model, held)
    model.compute_market.price = 1e-2
    dear = Community.capacity_demand(model, held)
    assert (cheap > 0).all() and (dear <= cheap).all() and dear.sum() < cheap.sum()
    # the market rents it: κ rises above what the records' need alone buys
    model.compute_market.price = 1e-5
    off = build_model(
        load_scenario("status_quo", [*BASE, "communities.buy_capacity=false"]), seed=0
    )
    for m in (model, off):
        m.community_arrays.capacity_gain[:] = 0.1
        m.compute_market.price = 1e-5
        m.step()
    kappa = {
        name: capacity_share(
            m.ledger.compute[m.ledger.community_org(np.arange(m.community_arrays.n))],
            m.spec.learning.capacity_compute,
        )
        for name, m in (("on", model), ("off", off))
    }
    assert np.median(kappa["on"]) > 2 * np.median(kappa["off"])

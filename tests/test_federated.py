"""Tests for simulation.learning.federated: FedAvg consortia with a proximal local solver (§4.3).

Claims: pooling model updates helps typical members with little data; the averaged model does
not serve members whose concept differs (the paper's "does not necessarily guarantee the best
performance for all collaborators"); with IID clients and many rounds FedAvg approaches the
centralised fit; the server weights clients by sample count.
"""

from __future__ import annotations

import numpy as np

from hetsim.simulation.learning.capacity import feature_map
from hetsim.simulation.learning.federated import fedavg
from hetsim.simulation.learning.logistic import fit_logistic
from hetsim.simulation.population import Population
from hetsim.simulation.schema import DataSection

SEEDS = range(5)
N_CONS, SIZE, ROWS = 10, 8, 40  # consortia, clients per consortium, rows per client


def accuracy(X: np.ndarray, y: np.ndarray, coef: np.ndarray, intercept: np.ndarray) -> np.ndarray:
    scores = np.einsum("knd,kd->kn", X, coef) + intercept[:, None]
    return ((scores > 0) == y).mean(axis=1)


def consortium_gains(seed: int) -> tuple[float, float]:
    """(typical, outlier) mean gain in own-data accuracy of the federated over the local model.

    The first client of every consortium has a shifted concept (two of its four merit
    weights flipped in sign); the others share the usual small concept spread.
    """
    rng = np.random.default_rng(seed)
    pop = Population.generate(DataSection(relational_identity=0.0), N_CONS * SIZE, 5, rng)
    outlier = np.arange(N_CONS) * SIZE
    pop.concept[outlier] *= np.array([1.0, -1.0, -1.0, 1.0])
    train, test = pop.draw(ROWS, rng), pop.draw(2000, rng)
    X, Xt = feature_map(train.x, False), feature_map(test.x, False)
    y = train.y.astype(float)
    members = [np.arange(g * SIZE, (g + 1) * SIZE) for g in range(N_CONS)]
    fed = fedavg(X, y, np.ones_like(y), members, rounds=10, local_l2=1.0)
    local = fit_logistic(X, y, l2=1.0)
    cons = np.repeat(np.arange(N_CONS), SIZE)
    gain = accuracy(Xt, test.y, fed.coef[cons], fed.intercept[cons]) - accuracy(
        Xt, test.y, local.coef, local.intercept
    )
    typical = np.ones(N_CONS * SIZE, dtype=bool)
    typical[outlier] = False
    return float(gain[typical].mean()), float(gain[outlier].mean())


def test_federation_helps_typical_members_and_fails_outliers() -> None:
    """Mean over seeds: typical members (40 rows each) gain accuracy on their own data from the
    federated model; members with an outlying concept gain less — here they lose."""
    gains = np.array([consortium_gains(seed) for seed in SEEDS])
    typical, outlier = gains.mean(axis=0)
    assert typical > 0.0
    assert outlier < typical
    assert outlier < 0.0


def test_iid_many_rounds_approaches_centralised_fit() -> None:
    """IID clients (one community's data split six ways), many rounds: the federated model is
    close to the centralised fit of the pooled data with the same ridge and decides alike.

    FedProx's fixed point carries a client-drift bias that shrinks as the proximal pull grows
    (local models stay nearer the global one), so the strong pull is closer than the weak one.
    """
    rng = np.random.default_rng(11)
    pop = Population.generate(DataSection(), 1, 5, rng)
    C = 6
    train = pop.draw(50, rng, communities=np.zeros(C, dtype=np.int64))
    X, y = feature_map(train.x, False), train.y.astype(float)
    central = fit_logistic(X.reshape(1, C * 50, -1), y.reshape(1, -1), l2=1.0)
    scale = np.abs(central.coef).max()
    ones, everyone = np.ones_like(y), [np.arange(C)]
    weak = fedavg(X, y, ones, everyone, rounds=60, local_l2=1.0, l2=1.0)
    strong = fedavg(X, y, ones, everyone, rounds=200, local_l2=100.0, l2=1.0)
    one_round = fedavg(X, y, ones, everyone, rounds=1, local_l2=100.0, l2=1.0)
    err = {
        name: np.abs(fit.coef - central.coef).max()
        for name, fit in (("weak", weak), ("strong", strong), ("one", one_round))
    }
    assert err["strong"] < 0.1 * scale
    assert err["strong"] < err["weak"] < 0.25 * scale
    assert err["strong"] < err["one"]
    test = pop.draw(5000, rng)
    Xt = feature_map(test.x, False)[0]
    central_dec = Xt @ central.coef[0] + central.intercept[0] > 0
    agreement = {
        name: np.mean((Xt @ fit.coef[0] + fit.intercept[0] > 0) == central_dec)
        for name, fit in (("weak", weak), ("strong", strong))
    }
    assert agreement["strong"] > 0.97
    assert agreement["weak"] > 0.95  # the weak pull keeps its client-drift bias


def test_server_weights_clients_by_sample_count() -> None:
    """The global model is the sample-count-weighted mean of the local models (not the plain
    mean), and a client with no data does not move it."""
    rng = np.random.default_rng(4)
    pop = Population.generate(DataSection(concept_shift=1.0), 3, 5, rng)
    s = pop.draw(60, rng)
    X, y = feature_map(s.x, False), s.y.astype(float)
    w = np.ones_like(y)
    w[1, 15:] = 0.0  # client 1 holds 15 rows, client 0 holds 60
    w[2] = 0.0  # client 2 holds nothing
    res = fedavg(X, y, w, [np.array([0, 1, 2])], rounds=1, local_l2=1e-3, local_steps=50)
    counts = w.sum(axis=1)
    expected = (counts[:, None] * res.local.coef).sum(axis=0) / counts.sum()
    np.testing.assert_allclose(res.coef[0], expected, atol=1e-12)
    plain = res.local.coef[:2].mean(axis=0)
    assert np.abs(res.coef[0] - plain).max() > 1e-2
    without = fedavg(X, y, w, [np.array([0, 1])], rounds=1, local_l2=1e-3, local_steps=50)
    np.testing.assert_allclose(res.coef, without.coef, atol=1e-12)


def test_partial_participation_uses_the_rng() -> None:
    """With participation < 1 the result depends on the rng draw and is reproducible."""
    rng = np.random.default_rng(2)
    pop = Population.generate(DataSection(concept_shift=1.0), 6, 5, rng)
    s = pop.draw(40, rng)
    X, y = feature_map(s.x, False), s.y.astype(float)
    args = (X, y, np.ones_like(y), [np.arange(6)], 3, 1.0)
    a = fedavg(*args, rng=np.random.default_rng(0), participation=0.5)
    b = fedavg(*args, rng=np.random.default_rng(0), participation=0.5)
    c = fedavg(*args, rng=np.random.default_rng(1), participation=0.5)
    np.testing.assert_array_equal(a.coef, b.coef)
    assert np.abs(a.coef - c.coef).max() > 0

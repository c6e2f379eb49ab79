"""Split learning (§4.3) is really split: two parties exchanging activations and gradients
train the network central training would, the server never receives a raw record, and the
community cannot decide without the server's head."""

from __future__ import annotations

import numpy as np
from scipy.special import expit
from sklearn.linear_model import LogisticRegression
from sklearn.neural_network import MLPClassifier

from hetsim.scenarios.builder import build_model
from hetsim.simulation.learning import split as split_learning
from tests.conftest import small_scenario

D, H = 5, 8


def interaction_data(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Records whose label depends on an interaction a linear model cannot represent."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, D))
    logit = 3.0 * x[:, 0] * x[:, 1] + x[:, 2]
    return x, (rng.random(n) < expit(logit)).astype(float)


def central_training(x, y, w, lower, lower_bias, head, head_bias, epochs, lr, l2):
    """The same network trained in one place: gradient descent on all parameters at once."""
    n = w.sum()
    for _ in range(epochs):
        pre = x @ lower + lower_bias
        hidden = np.maximum(pre, 0.0)
        r = (expit(hidden @ head + head_bias) - y) * w / n  # d loss / d logit
        d_head = hidden.T @ r + l2 / n * head
        d_head_bias = r.sum()
        d_pre = np.outer(r, head) * (pre > 0)
        d_lower = x.T @ d_pre + l2 / n * lower
        d_lower_bias = d_pre.sum(axis=0)
        lower, lower_bias = lower - lr * d_lower, lower_bias - lr * d_lower_bias
        head, head_bias = head - lr * d_head, head_bias - lr * d_head_bias
    return lower, lower_bias, head, head_bias


def test_the_split_protocol_trains_the_network_central_training_would():
    x, y = interaction_data(300, seed=0)
    w = np.ones_like(y)
    w[250:] = 0.0  # padded rows do not count
    init = split_learning.init_split(1, D, H, np.random.default_rng(1))
    init.head[:] = np.random.default_rng(2).normal(0, 0.3, size=(1, H))
    net, sent = split_learning.train_split(
        x[None], y[None], w[None], init, epochs=40, learning_rate=0.5, l2=1.0
    )
    central = central_training(
        x, y, w, init.lower[0], init.lower_bias[0], init.head[0], init.head_bias[0], 40, 0.5, 1.0
    )
    for split_part, central_part in zip(
        (net.lower[0], net.lower_bias[0], net.head[0], net.head_bias[0]), central, strict=True
    ):
        np.testing.assert_allclose(split_part, central_part, rtol=1e-10, atol=1e-12)
    assert sent == 40 * 250  # the server saw one activation row per record and round


def test_the_clients_layer_learns_from_the_servers_gradient_what_random_features_miss():
    """The client's layer is trained by the gradient the server sends back: the split network
    learns the interaction as well as a network trained in one place, while the same network
    with the client's layer left at its initialisation (only the head fitted on those fixed
    random features, the best a frozen client allows) and a linear model both miss it."""
    hidden, l2 = 4, 1.0  # four ReLU units can express x0·x1; four random ones rarely do
    x, y = interaction_data(2000, seed=3)
    test_x, test_y = interaction_data(4000, seed=4)
    init = split_learning.init_split(1, D, hidden, np.random.default_rng(5))
    net, _ = split_learning.train_split(
        x[None], y[None], np.ones((1, len(y))), init, epochs=3000, learning_rate=0.5, l2=l2
    )
    split_acc = np.mean((split_learning.scores(test_x[None], net)[0] > 0) == test_y)

    def initial_features(records: np.ndarray) -> np.ndarray:
        return split_learning.client_forward(records[None], init.lower, init.lower_bias)[0]

    # the head's best fit on the client's initial layer: the same objective, head only
    random_features = (
        LogisticRegression(C=1.0 / l2, max_iter=1000)
        .fit(initial_features(x), y)
        .score(initial_features(test_x), test_y)
    )
    linear = LogisticRegression().fit(x, y).score(test_x, test_y)
    central = MLPClassifier((hidden,), max_iter=2000, random_state=0).fit(x, y)
    assert split_acc > random_features + 0.1
    assert split_acc > linear + 0.1
    assert split_acc > central.score(test_x, test_y) - 0.03


def split_model(*overrides: str):
    model = build_model(
        small_scenario('communities.strategy="split"', "communities.expertise=1.0", *overrides),
        seed=2,
    )
    for _ in range(4):
        model.step()
    return model


def test_split_deploys_a_model_whose_head_stays_with_the_entity_and_sees_no_record():
    model = split_model()
    com, led = model.community_arrays, model.ledger
    assert (model.providers() == led.entity_org(com.partner)).all()  # §3 dependency
    assert led.records_by_origin.sum() == 0  # no raw record was handed over
    kinds, _, dst, amount = led.flows()
    activations = (kinds == 0) & (dst < led.n_entities)
    assert amount[activations].sum() > 0  # ...but the server saw the activations
    # the community's layer alone decides nothing: another server's head changes decisions
    split = model.strategies[model.strategy_names.index("split")]
    x = model.population.draw(200, model.rng).x
    users = np.arange(com.n)
    before = model.deployed_scores(users, x) > 0
    split.net.head[:] = split.net.head[np.roll(users, 1)]
    after = model.deployed_scores(users, x) > 0
    assert (before != after).mean() > 0.05

"""What compute buys (§2.2), and the exchange ledgers (§3, §4.1)."""

from __future__ import annotations

import numpy as np

from hetsim.simulation.learning.capacity import (
    capacity_share,
    decision_scores,
    feature_map,
    sample_budget,
    to_fit_space,
    to_model_space,
)
from hetsim.simulation.learning.logistic import fit_logistic, predict_proba
from hetsim.simulation.ledger import Ledger
from hetsim.simulation.population import Population
from hetsim.simulation.schema import DataSection, LearningSection


def _accuracy(train_n: int, high_capacity: bool, seed: int = 0) -> float:
    pop = Population.generate(DataSection(interaction=1.5), 1, 5, np.random.default_rng(seed))
    train = pop.draw(train_n, np.random.default_rng(seed + 1))
    test = pop.draw(20000, np.random.default_rng(seed + 2))
    fit = fit_logistic(feature_map(train.x, high_capacity), train.y.astype(float))
    proba = predict_proba(feature_map(test.x, True), fit.coef, fit.intercept)
    return float(((proba > 0.5) == test.y).mean())


def test_more_compute_buys_more_records_and_a_better_model():
    """Compute × expertise is the sample budget: with capacity bought outright, each rise in
    compute lets a fit use more of the records a community holds, and held-out accuracy rises
    with it; less expertise turns the same compute into fewer records and a worse model."""
    full_capacity = 0.0  # learning.capacity_compute = 0: every fit has the full feature map
    accuracy = [_held_out_accuracy(c, 4000, full_capacity) for c in (30, 100, 300, 1000)]
    assert np.all(np.diff(accuracy) > 0.004)
    expert = _held_out_accuracy(300, 4000, full_capacity, expertise=1.0)
    novice = _held_out_accuracy(300, 4000, full_capacity, expertise=0.1)
    assert expert > novice + 0.02


def test_high_capacity_learns_the_nonlinear_part_of_the_concept():
    low = np.mean([_accuracy(3000, False, s) for s in range(3)])
    high = np.mean([_accuracy(3000, True, s) for s in range(3)])
    assert high - low > 0.02


def test_low_capacity_zeroes_the_extra_features():
    x = np.random.default_rng(0).standard_normal((2, 4, 5))
    mapped = feature_map(x, np.array([True, False]))
    assert np.all(mapped[1, :, 5:] == 0)
    assert np.allclose(mapped[0, :, 5], x[0, :, 0] * x[0, :, 1])


def test_payments_conserve_money_and_are_recorded_as_flows():
    ledger = Ledger(2, 3, 1, 1)
    ledger.money[:] = 10.0
    ledger.pay([2, 3], [0, 0], [1.5, 2.0])
    assert ledger.money.sum() == 70.0
    assert ledger.money[0] == 13.5
    _, src, dst, amount = ledger.flows()
    assert set(zip(src.tolist(), dst.tolist(), strict=True)) == {(2, 0), (3, 0)}
    assert amount.sum() == 3.5


def test_sharing_on_the_receivers_terms_lowers_sovereignty_and_sovereign_terms_do_not():
    ledger = Ledger(1, 2, 0, 0)
    ledger.records_collected[:] = 100
    ledger.give_data(np.array([0]), np.array([0]), 40)
    ledger.give_data(np.array([1]), np.array([0]), 40, sovereign=True)
    sovereignty = ledger.data_sovereignty()
    assert sovereignty[0] == 0.6
    assert sovereignty[1] == 1.0
    assert ledger.data_accumulated()[0] == 80


def test_the_flow_graph_aggregates_annotators_and_keeps_kinds():
    ledger = Ledger(1, 1, 3, 0)
    ledger.pay(1, [2, 3, 4], 1.0)
    ledger.record_flow("model", 0, 1, 1.0)
    graph = ledger.flow_graph()
    assert graph["C0"]["annotators"]["money"] == 3.0
    assert graph["E0"]["C0"]["model"] == 1.0


def test_decision_scores_equal_the_feature_map_product():
    from hetsim.simulation.learning.capacity import decision_scores

    rng = np.random.default_rng(3)
    x = rng.standard_normal((4, 50, 5))
    coef = rng.standard_normal((4, 8))
    intercept = rng.standard_normal(4)
    expected = np.einsum("knd,kd->kn", feature_map(x, True), coef) + intercept[:, None]
    assert np.allclose(decision_scores(x, coef, intercept), expected)


def test_scores_of_many_models_equal_one_model_at_a_time():
    from hetsim.simulation.learning.capacity import decision_scores, decision_scores_many

    rng = np.random.default_rng(5)
    x = rng.standard_normal((3, 20, 5))
    coef = rng.standard_normal((3, 4, 8))
    intercept = rng.standard_normal((3, 4))
    many = decision_scores_many(x, coef, intercept)
    for k in range(4):
        assert np.allclose(many[:, k], decision_scores(x, coef[:, k], intercept[:, k]))


def test_network_top_centrality_matches_networkx_on_a_run(small_model):
    """The array computation equals the in-degree share of the networkx flow graph."""
    from hetsim.simulation.measures import network_centrality

    small_model.step()
    kinds, src, dst, _ = small_model.ledger.flows()
    keep = kinds <= 2
    edges = {(int(s), int(t)) for s, t in zip(src[keep], dst[keep], strict=True)}
    expected = max(network_centrality([(str(s), str(t), 1.0) for s, t in edges]).values())
    assert small_model.recorder._network_in_share() == expected


def test_compute_beyond_the_records_still_buys_accuracy_continuously():
    """Once compute covers every record a community holds (200 here), more compute still buys
    held-out accuracy on a concept with an interaction, through the capacity share κ: every
    doubling gains, and no single doubling brings most of the gain (no threshold)."""
    compute = (250, 500, 1000, 2000)
    accuracy = [_held_out_accuracy(c, 200, LearningSection().capacity_compute) for c in compute]
    gains = np.diff(accuracy)
    assert np.all(gains > 0.005)
    assert gains.max() < 0.5 * gains.sum()


def test_weights_convert_between_fit_space_and_model_space_without_loss():
    """A warm start (model space → fit space) and an install (fit space → model space) undo
    each other for any capacity share."""
    coef = np.random.default_rng(0).normal(size=(2, 8))
    kappa = np.array([0.25, 0.8])
    np.testing.assert_allclose(to_model_space(to_fit_space(coef, kappa), kappa), coef)


def _held_out_accuracy(
    compute: float, held: int, capacity_compute: float, expertise: float = 1.0
) -> float:
    """Mean held-out accuracy over 20 communities of a fit paid with ``compute``, as a
    community's own fit is made: the sample budget caps the records it uses (at most the
    ``held`` it holds), the capacity share scales the nonlinear features, and the weights are
    installed in model space."""
    k = 20
    pop = Population.generate(DataSection(), k, 5, np.random.default_rng(0))
    train, test = pop.draw(held, np.random.default_rng(1)), pop.draw(5000, np.random.default_rng(2))
    rows = int(min(sample_budget(compute, expertise), held))
    kappa = np.full(k, capacity_share(compute, capacity_compute))
    fit = fit_logistic(feature_map(train.x[:, :rows], kappa), train.y[:, :rows].astype(float))
    coef = to_model_space(fit.coef, kappa)
    return float(((decision_scores(test.x, coef, fit.intercept) > 0) == test.y).mean())

"""What compute buys (§2.2), and the exchange ledgers (§3, §4.1)."""

from __future__ import annotations

import numpy as np

from hetsim.simulation.capacity import feature_map
from hetsim.simulation.learning import fit_logistic, predict_proba
from hetsim.simulation.ledger import Ledger
from hetsim.simulation.population import Population
from hetsim.simulation.schema import DataSection


def _accuracy(train_n: int, high_capacity: bool, seed: int = 0) -> float:
    pop = Population.generate(DataSection(interaction=1.5), 1, 5, np.random.default_rng(seed))
    train = pop.draw(train_n, np.random.default_rng(seed + 1))
    test = pop.draw(20000, np.random.default_rng(seed + 2))
    fit = fit_logistic(feature_map(train.x, high_capacity), train.y.astype(float))
    proba = predict_proba(feature_map(test.x, True), fit.coef, fit.intercept)
    return float(((proba > 0.5) == test.y).mean())


def test_more_records_give_a_better_model():
    small = np.mean([_accuracy(30, False, s) for s in range(5)])
    large = np.mean([_accuracy(3000, False, s) for s in range(5)])
    assert large - small > 0.02


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
    assert ledger.data_held()[0] == 80


def test_the_flow_graph_aggregates_annotators_and_keeps_kinds():
    ledger = Ledger(1, 1, 3, 0)
    ledger.pay(1, [2, 3, 4], 1.0)
    ledger.record_flow("model", 0, 1, 1.0)
    graph = ledger.flow_graph()
    assert graph["C0"]["annotators"]["money"] == 3.0
    assert graph["E0"]["C0"]["model"] == 1.0


def test_decision_scores_equal_the_feature_map_product():
    from hetsim.simulation.capacity import decision_scores

    rng = np.random.default_rng(3)
    x = rng.standard_normal((4, 50, 5))
    coef = rng.standard_normal((4, 8))
    intercept = rng.standard_normal(4)
    expected = np.einsum("knd,kd->kn", feature_map(x, True), coef) + intercept[:, None]
    assert np.allclose(decision_scores(x, coef, intercept), expected)


def test_scores_of_many_models_equal_one_model_at_a_time():
    from hetsim.simulation.capacity import decision_scores, decision_scores_many

    rng = np.random.default_rng(5)
    x = rng.standard_normal((3, 20, 5))
    coef = rng.standard_normal((3, 4, 8))
    intercept = rng.standard_normal((3, 4))
    many = decision_scores_many(x, coef, intercept)
    for k in range(4):
        assert np.allclose(many[:, k], decision_scores(x, coef[:, k], intercept[:, k]))


def test_network_top_centrality_matches_networkx_on_a_run(small_model):
    """The array computation equals the in-degree share of the networkx flow graph."""
    from hetsim.simulation.metrics import network_centrality

    small_model.step()
    kinds, src, dst, _ = small_model.ledger.flows()
    keep = kinds <= 2
    edges = {(int(s), int(t)) for s, t in zip(src[keep], dst[keep], strict=True)}
    expected = max(network_centrality([(str(s), str(t), 1.0) for s, t in edges]).values())
    assert small_model.recorder._network_in_share() == expected


def test_capacity_grows_continuously_with_compute():
    from hetsim.simulation.capacity import capacity_share, to_fit_space, to_model_space

    shares = capacity_share(np.array([0.0, 600.0, 6000.0, 60000.0]), 6000.0)
    assert np.all(np.diff(shares) > 0) and shares[0] == 0 and shares[-1] < 1
    accuracy = [_accuracy_at(kappa) for kappa in (0.0, 0.3, 1.0)]
    assert accuracy[0] < accuracy[1] < accuracy[2]  # more capacity learns more of the concept
    coef = np.random.default_rng(0).normal(size=(2, 8))
    kappa = np.array([0.25, 0.8])
    np.testing.assert_allclose(to_model_space(to_fit_space(coef, kappa), kappa), coef)


def _accuracy_at(kappa: float, seed: int = 0) -> float:
    """Held-out accuracy of a fit on 2,000 records with capacity share kappa."""
    from hetsim.simulation.capacity import decision_scores, to_model_space

    spec = DataSection(interaction=2.0, concept_shift=0.0, covariate_shift=0.0, label_shift=0.0)
    pop = Population.generate(spec, 1, 1, np.random.default_rng(seed))
    train, test = pop.draw(2000, np.random.default_rng(1)), pop.draw(4000, np.random.default_rng(2))
    fit = fit_logistic(feature_map(train.x, kappa), train.y.astype(float))
    coef = to_model_space(fit.coef, np.array([kappa]))
    return float(((decision_scores(test.x, coef, fit.intercept) > 0) == test.y).mean())

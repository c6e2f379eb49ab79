"""Tests for simulation.privacy.dp_training: DP-SGD / DP-GD training of the logistic models (§2.3).

Claims: each record's influence on a step is clipped; the noise added has the size the
accountant calibrated; Poisson sampling trains on a random fraction; privacy costs accuracy,
more so the smaller ε, and the cost falls disproportionately on a small minority whose features
are distributed differently (Bagdasaryan et al. 2019, cited by the paper's §2.3).
"""

from __future__ import annotations

import numpy as np

from hetsim.simulation.learning.capacity import feature_map
from hetsim.simulation.learning.logistic import fit_logistic
from hetsim.simulation.measures import group_rates
from hetsim.simulation.population import Population
from hetsim.simulation.privacy.accounting import noise_multiplier_for
from hetsim.simulation.privacy.dp_training import dp_fit_logistic, epsilon_of_release
from hetsim.simulation.schema import DataSection

DELTA = 1e-5
SEEDS = range(5)
#: A small minority (15 %) whose merit features are shifted (covariate gap): distinct data.
MINORITY = DataSection(
    minority_share=0.15,
    demographic_shift=0.0,
    covariate_gap=1.0,
    relational_identity=0.0,
    emerged_group_share=0.0,
)


def group_accuracy(seed: int, epsilons: list[float], n: int = 500) -> dict[float, np.ndarray]:
    """Mean held-out accuracy of (majority, minority, overall) over 40 communities, per ε."""
    rng = np.random.default_rng(seed)
    pop = Population.generate(MINORITY, 40, 5, rng)
    train, test = pop.draw(n, rng), pop.draw(4000, rng)
    X, Xt = feature_map(train.x, False), feature_map(test.x, False)
    out = {}
    for eps in epsilons:
        fit, _ = dp_fit_logistic(X, train.y.astype(float), eps, DELTA, rng)
        s = np.einsum("knd,kd->kn", Xt, fit.coef) + fit.intercept[:, None]
        rates = group_rates(test.y, (s > 0).astype(np.int8), test.group, 3)
        acc = np.nanmean(rates.accuracy[:, :2], axis=0)
        share = np.nanmean(rates.n[:, :2] / rates.n.sum(axis=1, keepdims=True), axis=0)
        out[eps] = np.append(acc, acc @ share)
    return out


def test_accuracy_falls_as_epsilon_falls() -> None:
    """Mean over seeds: accuracy(ε=∞) > accuracy(ε=1) > accuracy(ε=0.1)."""
    eps = [np.inf, 1.0, 0.1]
    runs = [group_accuracy(seed, eps, n=300) for seed in SEEDS]
    overall = {e: np.mean([r[e][2] for r in runs]) for e in eps}
    assert overall[np.inf] > overall[1.0] > overall[0.1]
    assert overall[np.inf] - overall[0.1] > 0.05


def test_dp_costs_the_minority_more_accuracy() -> None:
    """Disparate impact of DP (Bagdasaryan et al. 2019): at ε = 1 the minority (15 %, shifted
    features) loses more accuracy than the majority, mean over five seeds."""
    runs = [group_accuracy(seed, [np.inf, 1.0]) for seed in SEEDS]
    majority_drop, minority_drop = np.mean([r[np.inf][:2] - r[1.0][:2] for r in runs], axis=0)
    assert minority_drop > majority_drop
    assert minority_drop > 0.0


def test_clipping_bounds_each_records_influence() -> None:
    """Without noise, one step moves the weights by at most lr·clip/n per record: an outlier
    record 1000 times the others' size moves the model no more than an ordinary one."""
    rng = np.random.default_rng(1)
    n, clip = 200, 0.5
    x = rng.normal(size=(1, n, 3))
    y = (rng.random((1, n)) < 0.5).astype(float)
    base, _ = dp_fit_logistic(x, y, 1.0, DELTA, rng, clip=clip, epochs=1, l2=0.0, noise_factor=0)
    outlier = x.copy()
    outlier[0, 0] *= 1000.0
    moved, _ = dp_fit_logistic(
        outlier, y, 1.0, DELTA, rng, clip=clip, epochs=1, l2=0.0, noise_factor=0
    )
    before = np.append(base.coef[0], base.intercept[0])
    after = np.append(moved.coef[0], moved.intercept[0])
    assert np.linalg.norm(after - before) <= 2 * clip / n + 1e-12


def test_noise_has_the_size_the_accountant_calibrated() -> None:
    """With data whose gradient is zero, the weights after one step are the noise alone: their
    spread is z·clip/n with z from the accountant for the target ε."""
    K, n, eps, clip = 4000, 250, 1.0, 1.0
    X = np.zeros((K, n, 3))
    y = np.full((K, n), 0.5)
    fit, trainings = dp_fit_logistic(X, y, eps, DELTA, np.random.default_rng(5), epochs=1, l2=0)
    z = noise_multiplier_for(eps, DELTA, 1)
    np.testing.assert_allclose(fit.coef.std(), z * clip / n, rtol=0.05)
    assert trainings[0].noise_multiplier == z
    np.testing.assert_allclose(epsilon_of_release(trainings[0], DELTA), eps, rtol=1e-3)


def test_washing_adds_less_noise_and_spends_more() -> None:
    """noise_factor < 1 (claim ε, add less noise): the release really spends more than ε."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(2, 200, 4))
    y = (rng.random((2, 200)) < 0.5).astype(float)
    _, honest = dp_fit_logistic(X, y, 1.0, DELTA, rng)
    _, washed = dp_fit_logistic(X, y, 1.0, DELTA, rng, noise_factor=0.5)
    assert epsilon_of_release(washed[0], DELTA) > 1.5 * epsilon_of_release(honest[0], DELTA)


def test_poisson_sampling_trains_on_a_random_fraction() -> None:
    """At sampling rate q the noiseless step is the full-batch step on average (the sum is
    divided by the expected batch q·n), yet varies from model to model."""
    rng = np.random.default_rng(2)
    K, n = 3000, 100
    X = np.broadcast_to(rng.normal(size=(1, n, 3)), (K, n, 3)).copy()
    y = np.broadcast_to((rng.random((1, n)) < 0.5).astype(float), (K, n)).copy()
    full, _ = dp_fit_logistic(X[:1], y[:1], 1.0, DELTA, rng, epochs=1, l2=0, noise_factor=0)
    sampled, _ = dp_fit_logistic(
        X, y, 1.0, DELTA, rng, epochs=1, l2=0, noise_factor=0, sampling_rate=0.2
    )
    assert sampled.coef.std(axis=0).min() > 0.0
    np.testing.assert_allclose(sampled.coef.mean(axis=0), full.coef[0], atol=4e-3)


def test_infinite_epsilon_is_the_exact_fit() -> None:
    """ε = ∞ adds no noise: it is fit_logistic's solution, and mixing ε per model works."""
    rng = np.random.default_rng(3)
    X = rng.normal(size=(4, 150, 3))
    y = (rng.random((4, 150)) < 0.4).astype(float)
    fit, trainings = dp_fit_logistic(X, y, np.array([np.inf, 1.0, np.inf, 0.5]), DELTA, rng)
    ref = fit_logistic(X, y)
    np.testing.assert_allclose(fit.coef[[0, 2]], ref.coef[[0, 2]])
    assert trainings[0] is None and trainings[2] is None
    assert trainings[1].noise_multiplier < trainings[3].noise_multiplier

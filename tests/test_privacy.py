"""Tests for simulation.privacy: DP gradient descent and its accounting (§2.3).

Claims: privacy costs accuracy, more so the smaller ε; the cost falls disproportionately on a
small minority whose features are distributed differently (Bagdasaryan et al. 2019, cited by the
paper's §2.3); the accounting is monotone, and an auditor can recover ε from the noise that was
actually added (privacy washing is measurable).
"""

from __future__ import annotations

import numpy as np
import pytest

from hetsim.simulation.capacity import feature_map
from hetsim.simulation.metrics import group_rates
from hetsim.simulation.population import Population
from hetsim.simulation.privacy import (
    dp_fit_logistic,
    effective_epsilon,
    noise_for_epsilon,
    rho_for_epsilon,
)
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
    """Mean held-out accuracy of (majority, minority) over 40 communities, per ε."""
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
        out[eps] = np.append(acc, acc @ share)  # majority, minority, overall
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
    drop = np.mean([r[np.inf][:2] - r[1.0][:2] for r in runs], axis=0)
    majority_drop, minority_drop = drop
    assert minority_drop > majority_drop
    assert minority_drop > 0.0


# ------------------------------------------------------------------------------ accounting


def test_effective_epsilon_is_monotone() -> None:
    """More noise -> smaller ε; more steps -> larger ε; zero noise -> ε = ∞."""
    noise = np.array([0.001, 0.003, 0.01, 0.03, 0.1])
    eps = effective_epsilon(noise, steps=40, n=500, delta=DELTA)
    assert np.all(np.diff(eps) < 0)
    assert np.all(eps > 0)
    more_steps = effective_epsilon(noise, steps=80, n=500, delta=DELTA)
    assert np.all(more_steps > eps)
    assert np.isinf(effective_epsilon(0.0, steps=40, n=500, delta=DELTA))


@pytest.mark.parametrize("eps", [0.1, 1.0, 8.0])
def test_accounting_round_trip(eps: float) -> None:
    """effective_epsilon inverts the calibration: calibrated noise spends exactly ε, and
    dp_fit_logistic reports ε spent = ε claimed when honest, more when it adds less noise."""
    n = np.array([100, 500, 2000])
    sigma = noise_for_epsilon(eps, DELTA, 40, n, clip=1.0)
    np.testing.assert_allclose(effective_epsilon(sigma, 40, n, DELTA), eps, rtol=1e-10)
    assert rho_for_epsilon(eps, DELTA) > 0
    rng = np.random.default_rng(0)
    X = rng.normal(size=(3, 200, 4))
    y = (rng.random((3, 200)) < 0.5).astype(float)
    _, spent = dp_fit_logistic(X, y, eps, DELTA, rng)
    np.testing.assert_allclose(spent, eps, rtol=1e-10)
    _, washed = dp_fit_logistic(X, y, eps, DELTA, rng, noise_factor=0.5)
    assert np.all(washed > eps)


def test_auditor_recovers_epsilon_from_the_noise_actually_added() -> None:
    """The noise in the released weights has the calibrated size: with all-zero features the
    weights after one step are pure noise, and their spread gives back ε (within sampling
    error); a washing entity's weights give back a larger ε than it claims."""
    K, n, eps = 4000, 250, 1.0
    X = np.zeros((K, n, 3))
    y = np.full((K, n), 0.5)  # zero data gradient at the start
    rng = np.random.default_rng(5)
    for factor in (1.0, 0.4):
        fit, spent = dp_fit_logistic(X, y, eps, DELTA, rng, epochs=1, l2=0.0, noise_factor=factor)
        noise_std = fit.coef.std()
        audited = effective_epsilon(noise_std, 1, n, DELTA)
        np.testing.assert_allclose(audited, spent[0], rtol=0.1)
        if factor < 1.0:
            assert audited > 1.5 * eps


def test_infinite_epsilon_is_the_exact_fit() -> None:
    """ε = ∞ adds no noise: it is fit_logistic's solution, and mixing ε per model works."""
    from hetsim.simulation.learning import fit_logistic

    rng = np.random.default_rng(3)
    X = rng.normal(size=(4, 150, 3))
    y = (rng.random((4, 150)) < 0.4).astype(float)
    fit, spent = dp_fit_logistic(X, y, np.array([np.inf, 1.0, np.inf, 0.5]), DELTA, rng)
    ref = fit_logistic(X, y)
    np.testing.assert_allclose(fit.coef[[0, 2]], ref.coef[[0, 2]])
    assert np.isinf(spent[[0, 2]]).all() and np.isfinite(spent[[1, 3]]).all()

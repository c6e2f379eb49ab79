"""Tests for simulation.privacy.accounting: calibration and composition of DP releases.

Claims: calibrated noise spends the target ε and no less noise would; a ledger's cumulative ε
is what the library's accountant gives for all its releases composed, is bounded below by the
exact privacy curve of the composed Gaussian mechanism (an independent calculation), grows with
every retraining, and becomes infinite after a release without noise; in a run, the entity and
community ``epsilon_spent`` columns are cumulative and non-decreasing.
"""

from __future__ import annotations

import dp_accounting
import numpy as np
import pytest
from dp_accounting import rdp
from scipy import optimize, stats

from hetsim.scenarios.builder import build_model, load_scenario
from hetsim.simulation.privacy.accounting import (
    INTEGER_ORDERS,
    DpTraining,
    PrivacyLedger,
    noise_multiplier_for,
)

DELTA = 1e-5


@pytest.mark.parametrize(("eps", "steps", "q"), [(1.0, 30, 1.0), (4.0, 10, 1.0), (1.0, 50, 0.1)])
def test_calibrated_noise_spends_the_target(eps: float, steps: int, q: float) -> None:
    """The library's accountant gives ε (±0.1 %) for the calibrated z, more for 2 % less noise."""
    z = noise_multiplier_for(eps, DELTA, steps, q)

    def spent(noise: float) -> float:
        acc = rdp.RdpAccountant(list(map(float, range(2, 65))) if q < 1 else None)
        step = dp_accounting.GaussianDpEvent(noise)
        if q < 1:
            step = dp_accounting.PoissonSampledDpEvent(q, step)
        return acc.compose(step, steps).get_epsilon(DELTA)

    assert spent(z) == pytest.approx(eps, rel=1e-3)
    assert spent(0.98 * z) > eps


def test_composition_equals_the_accountant_for_subsampled_gaussian_steps() -> None:
    """k retrainings of T Poisson-sampled Gaussian steps compose to the accountant's ε for k·T
    such steps, composed in one call on a fresh accountant."""
    z, steps, q, k = 1.1, 40, 0.05, 6
    ledger = PrivacyLedger(2)
    for _ in range(k):
        ledger.record(np.array([0]), DpTraining(z, steps, q))
    acc = rdp.RdpAccountant(list(INTEGER_ORDERS))
    acc.compose(dp_accounting.PoissonSampledDpEvent(q, dp_accounting.GaussianDpEvent(z)), k * steps)
    assert ledger.epsilon_spent(DELTA)[0] == pytest.approx(acc.get_epsilon(DELTA), rel=1e-9)
    assert ledger.epsilon_spent(DELTA)[1] == 0.0


def exact_gaussian_epsilon(mu: float, delta: float) -> float:
    """ε of a mu-GDP mechanism at δ from its exact privacy curve (Dong, Roth & Su 2019)."""

    def excess(eps: float) -> float:
        tail = stats.norm.cdf(-eps / mu + mu / 2) - np.exp(eps) * stats.norm.cdf(-eps / mu - mu / 2)
        return tail - delta

    return optimize.brentq(excess, 0.0, 100.0)


def test_full_batch_composition_is_a_sound_bound_of_the_exact_curve() -> None:
    """k full-batch releases of T steps at z are one Gaussian mechanism with μ = sqrt(kT)/z:
    the ledger's ε is at least the exact ε of that mechanism and at most 35 % above it."""
    z, steps, k = 20.0, 30, 8
    ledger = PrivacyLedger(1)
    for _ in range(k):
        ledger.record(np.array([0]), DpTraining(z, steps))
    exact = exact_gaussian_epsilon(np.sqrt(k * steps) / z, DELTA)
    spent = ledger.epsilon_spent(DELTA)[0]
    assert exact <= spent <= 1.35 * exact


def test_spend_grows_with_every_retraining_and_mixes_events() -> None:
    """Each release on a holder's records raises its ε; different releases compose; holders
    share nothing; a release without noise makes the spend infinite for good."""
    ledger = PrivacyLedger(3)
    path = []
    for training in (DpTraining(10.0, 30), DpTraining(10.0, 30), DpTraining(3.0, 10, 0.2)):
        ledger.record(np.array([0, 1]), training)
        path.append(ledger.epsilon_spent(DELTA).copy())
    path = np.array(path)
    assert np.all(np.diff(path[:, 0]) > 0)
    np.testing.assert_array_equal(path[:, 0], path[:, 1])
    assert np.all(path[:, 2] == 0.0)
    ledger.record(np.array([1]), None)
    ledger.record(np.array([1]), DpTraining(10.0, 30))
    spent = ledger.epsilon_spent(DELTA)
    assert np.isinf(spent[1]) and np.isfinite(spent[0])


def test_epsilon_spent_columns_are_cumulative_in_a_run() -> None:
    """privacy_fairness with entities training at ε = 1: every operating entity's and every
    community's epsilon_spent is finite, non-decreasing, and exceeds one release's ε after
    retraining."""
    scenario = load_scenario(
        "privacy_fairness",
        [
            "run.steps=5",
            "communities.count=30",
            "large_entities.claimed_epsilon=1.0",
            "large_entities.effective_epsilon=1.0",
        ],
    )
    model = build_model(scenario, seed=3)
    for _ in range(5):
        model.step()
    entities = model.recorder.entity_table()
    operating = entities.groupby("entity")["active"].all()  # potential entrants never train
    entities = entities[entities["entity"].isin(operating.index[operating])]
    for table, holder in ((entities, "entity"), (model.recorder.community_table(), "community")):
        per_step = table.groupby([holder, "step"])["epsilon_spent"].first().unstack()
        assert np.isfinite(per_step.to_numpy()).all()
        assert (per_step.diff(axis=1).iloc[:, 1:] >= 0).all().all()
        assert (per_step.iloc[:, -1] > 1.0 + 1e-6).all()

"""Tests for simulation.privacy.audit and the regulator's ε audit (issue 10, item 5).

Claims: the audit sees only an opaque training procedure, records and query answers, never ε
or the noise; with that evidence it tells apart two entities that claim the same ε and add
different noise; its bound is sound (an honest entity is not found washing, at the audit's
confidence); its power grows with the number of models it has trained; in a run, regulators
find privacy washing only where entities wash.
"""

from __future__ import annotations

import inspect

import numpy as np
import pytest

from hetsim.scenarios.builder import build_model, load_scenario
from hetsim.simulation.population import Population
from hetsim.simulation.privacy.audit import estimate_epsilon_lower_bound
from hetsim.simulation.privacy.dp_training import dp_fit_logistic
from hetsim.simulation.schema import DataSection

DELTA = 1e-5
CLAIMED = 1.0


def pipeline(noise_factor: float, epsilon: float = CLAIMED):
    """An entity's procedure: DP-GD calibrated to ``epsilon``, times its noise factor."""

    def train(x, y, weight, query, rng):
        fit, _ = dp_fit_logistic(
            x, y, epsilon, DELTA, rng, epochs=30, sample_weight=weight, noise_factor=noise_factor
        )
        return np.einsum("qd,kd->kq", query, fit.coef) + fit.intercept[:, None]

    return train


@pytest.fixture(scope="module")
def records() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    sample = Population.generate(DataSection(), 5, 3, rng).draw(60, rng)
    return sample.x.reshape(-1, sample.x.shape[2]), sample.y.ravel().astype(float)


def test_the_audit_cannot_receive_epsilon_or_noise() -> None:
    """Structural: no parameter of the audit carries ε, σ or a noise multiplier."""
    names = set(inspect.signature(estimate_epsilon_lower_bound).parameters)
    assert names == {
        "train",
        "records_x",
        "records_y",
        "delta",
        "rng",
        "trials",
        "confidence",
        "canary_scale",
    }


def test_same_claim_different_noise_told_apart_by_evidence(records) -> None:
    """Two entities claim ε = 1; one adds the calibrated noise, one a hundredth of it. Over five
    audits each, the washing one is always found (bound > 1), the honest one never."""
    x, y = records
    honest = [
        estimate_epsilon_lower_bound(pipeline(1.0), x, y, DELTA, np.random.default_rng(s))[0]
        for s in range(5)
    ]
    washing = [
        estimate_epsilon_lower_bound(pipeline(0.01), x, y, DELTA, np.random.default_rng(s))[0]
        for s in range(5)
    ]
    assert max(honest) <= CLAIMED
    assert min(washing) > CLAIMED


def test_power_grows_with_the_models_trained(records) -> None:
    """Against a training without noise, the certified bound rises with the trials (the
    Clopper-Pearson bounds tighten): 40 models per world certify less than 200."""
    x, y = records
    small, _ = estimate_epsilon_lower_bound(
        pipeline(0.0), x, y, DELTA, np.random.default_rng(1), trials=40
    )
    large, ev_large = estimate_epsilon_lower_bound(
        pipeline(0.0), x, y, DELTA, np.random.default_rng(1), trials=200
    )
    assert 0 < small < large
    assert ev_large.true_positives == ev_large.evaluated and ev_large.false_positives == 0


def test_an_outlying_canary_is_what_gives_the_audit_power(records) -> None:
    """Against a training at ε = 16 that claims 1, the ClipBKD canary (far out along the
    least-variance axis) finds washing in every audit; the mean record, as a canary, certifies
    far less (mean bound under half as large)."""
    x, y = records
    bounds = {
        scale: [
            estimate_epsilon_lower_bound(
                pipeline(1.0, 16.0), x, y, DELTA, np.random.default_rng(s), canary_scale=scale
            )[0]
            for s in range(4)
        ]
        for scale in (8.0, 0.0)
    }
    assert min(bounds[8.0]) > CLAIMED
    assert np.mean(bounds[0.0]) < 0.5 * np.mean(bounds[8.0])


def washing_found(effective: str, seed: int = 0) -> int:
    """Privacy violations found over 6 steps with every entity audited every step."""
    scenario = load_scenario(
        "status_quo",
        [
            "run.steps=6",
            "communities.count=60",
            "regulators.audit_probability=1.0",
            "regulators.epsilon_cap=1.0",
            "regulators.privacy_audit_trials=60",
            "large_entities.claimed_epsilon=1.0",
            f"large_entities.effective_epsilon={effective}",
            "large_entities.washing_propensity=1.0",
            "learning.dp_iterations=10",
        ],
    )
    model = build_model(scenario, seed=seed)
    for _ in range(6):
        model.step()
    return int(model.recorder.metrics_table()["violations_privacy_washing"].sum())


def test_regulators_find_privacy_washing_only_where_entities_wash() -> None:
    """Entities claiming ε = 1 and training without noise are found; entities training at
    ε = 1 as claimed are never found, though audited as often."""
    assert washing_found("inf") > 0
    assert washing_found("1.0") == 0

"""§3 regulation that is symmetric and observable: rules loosen after a quiet spell, an
inspection recomputes the gap from the records, the canary audit's power is known and decides
whether privacy washing pays."""

from __future__ import annotations

import numpy as np
import pytest

from hetsim.scenarios.builder import build_model, load_scenario
from hetsim.simulation.population import Population
from hetsim.simulation.privacy.audit import (
    estimate_epsilon_lower_bound,
    largest_certifiable_epsilon,
)
from hetsim.simulation.privacy.dp_training import dp_fit_logistic
from hetsim.simulation.schema import DataSection

SMALL = ("communities.count=12", "annotators.count=10", "large_entities.count=2")
DELTA = 1e-5


def _model(*overrides: str, seed: int = 0):
    return build_model(load_scenario("status_quo", [*SMALL, *overrides]), seed=seed)


@pytest.mark.parametrize("relax_after", [2, 0])
def test_rules_loosen_after_a_quiet_spell_back_to_the_statute_never_beyond(relax_after):
    """Rules tightened earlier, then no harm: they loosen step by step to the scenario's
    rules and stop there; with ``relax_after = 0`` (no loosening) they stay tight."""
    model = _model(
        "regulators.threshold=1.0",  # no gap is a violation: no harm happens
        "regulators.audit_probability=0.2",
        f"regulators.relax_after={relax_after}",
    )
    jur = model.jurisdictions
    jur.threshold[:] = 0.4  # as after several tightenings
    jur.audit_probability[:] = 0.7
    for _ in range(30):
        model.step()
    if relax_after:
        assert np.allclose(jur.threshold, 1.0) and np.allclose(jur.audit_probability, 0.2)
    else:
        assert np.allclose(jur.threshold, 0.4) and np.allclose(jur.audit_probability, 0.7)


def test_an_inspection_recomputes_the_gap_from_the_records_it_inspects():
    """What the entity keeps privately does not decide an inspection; the records do."""
    model = _model('large_entities.washing_rule="fixed"', "large_entities.washing_propensity=1.0")
    for _ in range(3):
        model.step()
    ent = model.entity_arrays
    reported = [(e, j) for (e, j) in ent.report_records if not np.isnan(ent.report_gap[e, j])]
    assert reported and any(ent.report_washed[e, j] for e, j in reported)
    regulators = model.members["regulators"]
    for e, j in reported:
        ent.report_honest_gap[e, j] = ent.report_gap[e, j]  # a private figure that lies
        assert regulators[j].records_show_selection(e) == ent.report_washed[e, j]
    ent.report_records.clear()  # no records to inspect: no finding
    assert not any(regulators[j].records_show_selection(e) for e, j in reported)


def _no_noise(x, y, weight, query, rng):
    """A training that claims ε = 4 and adds no noise (privacy washing)."""
    fit, _ = dp_fit_logistic(
        x, y, 4.0, DELTA, rng, epochs=30, sample_weight=weight, noise_factor=0.0
    )
    return np.einsum("qd,kd->kq", query, fit.coef) + fit.intercept[:, None]


def test_an_audit_of_200_models_cannot_catch_a_claimed_epsilon_of_4_and_one_of_600_can():
    """The audit's power is its number of trials: 200 models per world certify at most ε ≈ 3.3,
    whatever the training did; 600 certify up to ≈ 4.4 and catch the noise-free claim."""
    rng = np.random.default_rng(0)
    sample = Population.generate(DataSection(), 5, 3, rng).draw(60, rng)
    x, y = sample.x.reshape(-1, sample.x.shape[2]), sample.y.ravel().astype(float)
    found = {}
    for trials in (200, 600):
        bound, evidence = estimate_epsilon_lower_bound(
            _no_noise, x, y, DELTA, np.random.default_rng(1), trials=trials
        )
        assert bound <= evidence.largest_certifiable + 1e-9
        assert evidence.largest_certifiable == largest_certifiable_epsilon(trials, 0.95, DELTA)
        found[trials] = bound > 4.0
    assert found == {200: False, 600: True}


def _privacy_washing(trials: int, rule: str, propensity: float = 0.3) -> int:
    """Entity-steps in which an operating entity trains without the noise it claims."""
    model = _model(
        "large_entities.claimed_epsilon=4.0",
        "large_entities.effective_epsilon=inf",
        f"large_entities.washing_propensity={propensity}",
        f'large_entities.washing_rule="{rule}"',
        "regulators.epsilon_cap=4.0",  # the claim is the law: an honest entity trains at ε = 4
        "regulators.audit_probability=1.0",
        f"regulators.privacy_audit_trials={trials}",
        "learning.dp_iterations=10",
    )
    washing = 0
    for _ in range(6):
        model.step()
        ent = model.entity_arrays
        washing += int(np.sum(ent.active & ~np.isfinite(ent.effective_epsilon)))
    return washing


def test_privacy_washing_is_a_decision_weighing_the_audits_power():
    """Claiming ε = 4 with no noise pays where the audit cannot certify ε = 4 (200 trials):
    there is no sanction to expect; where it can (600 trials) the expected sanction deters
    it. Under the fixed rule the set-up coin decides, whatever the audit's power."""
    assert _privacy_washing(200, "decision") > _privacy_washing(600, "decision") == 0
    assert _privacy_washing(200, "fixed", 1.0) == _privacy_washing(600, "fixed", 1.0) > 0

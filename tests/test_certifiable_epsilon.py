"""The certifiable ε columns say which privacy claims an audit can catch (§3 privacy washing).

A canary audit of ``regulators.privacy_audit_trials`` models certifies at most some ε
(:func:`hetsim.simulation.privacy.largest_certifiable_epsilon`); an entity claiming more than
that, while training without noise, is never caught. The claim checked: an entity claiming
ε = 4 is found out (``violations_privacy_washing``) only where the run's
``certifiable_epsilon_max`` and its home regulator's ``certifiable_epsilon`` lie above 4.
"""

from __future__ import annotations

import numpy as np

from hetsim.analysis.runner import run_scenario
from hetsim.scenarios.builder import load_scenario

WORLD = [
    "communities.count=12",
    "annotators.count=10",
    "large_entities.count=2",
    "regulators.count=2",
    "regulators.loophole_share=0.0",
    "regulators.audit_probability=0.5",
    "large_entities.claimed_epsilon=4.0",  # trained without noise (effective ε is inf)
]


def run(trials: int):
    scenario = load_scenario("status_quo", [*WORLD, f"regulators.privacy_audit_trials={trials}"])
    out = run_scenario(scenario, seed=0, steps=8, community_rows=False)
    return out["metrics"], out["entities"]


def test_a_claim_is_caught_only_below_the_certifiable_epsilon():
    for trials in (200, 600):
        metrics, entities = run(trials)
        power = metrics["certifiable_epsilon_max"].to_numpy()
        caught = int(metrics["violations_privacy_washing"].sum())
        home = entities["certifiable_epsilon"].to_numpy()
        assert np.all(np.isfinite(power)) and np.all(np.isfinite(home))
        if trials == 200:
            assert power.max() < 4.0 and home.max() < 4.0 and caught == 0
        else:
            assert power.min() > 4.0 and home.min() > 4.0 and caught > 0


def test_no_audits_no_power():
    world = [key for key in WORLD if not key.startswith("regulators.loophole_share")]
    scenario = load_scenario("status_quo", [*world, "regulators.loophole_share=1.0"])
    out = run_scenario(scenario, seed=0, steps=2, community_rows=False)
    assert out["metrics"]["certifiable_epsilon_max"].isna().all()
    assert (out["entities"]["certifiable_epsilon"] == 0.0).all()

"""Ecosystem-level outcomes (Toups et al. 2023; Bommasani et al. 2022) and values homogenisation.

Unit tests check the measures against hand computations on decisions built for the purpose;
run tests check that they come from the mechanism they name: dependence on the same model
makes failures fall on the same people, and dependence on an entity (not a community's own
practice) is what narrows the fairness notions enforced.
"""

from __future__ import annotations

import numpy as np

from hetsim.analysis.runner import run_scenario
from hetsim.scenarios.builder import load_scenario
from hetsim.simulation.measures.ecosystem import exposure_peers, measure

SEEDS = (0, 1, 2)


def run_means(columns: list[str], *overrides: str, steps: int = 8) -> np.ndarray:
    """(seeds, columns) means over the second half of small status-quo runs."""
    base = ["communities.count=24", "annotators.count=20", "regulators.count=3"]
    rows = []
    for seed in SEEDS:
        scenario = load_scenario("status_quo", [*base, *overrides])
        metrics = run_scenario(scenario, seed=seed, steps=steps, community_rows=False)["metrics"]
        rows.append(metrics[metrics["step"] > steps // 2][columns].mean().to_numpy())
    return np.array(rows)


def test_people_face_models_of_their_own_jurisdiction_only():
    jurisdiction = np.array([0, 1, 0, 0, 1, 2, 0])
    peers = exposure_peers(jurisdiction, 3)
    assert (peers[:, 0] == np.arange(7)).all()  # one's own community's model first
    for c, row in enumerate(peers):
        faced = row[row >= 0]
        assert len(set(faced)) == len(faced) == min(3, (jurisdiction == jurisdiction[c]).sum())
        assert (jurisdiction[faced] == jurisdiction[c]).all()
    # every model of a jurisdiction is faced as often as its neighbours'
    counts = np.bincount(peers[peers >= 0], minlength=7)
    assert (counts[jurisdiction == 0] == 3).all()


def test_identical_models_fail_the_same_people_and_independent_ones_do_not():
    rng = np.random.default_rng(0)
    m, k = 20_000, 3
    y = rng.integers(0, 2, size=(1, m))
    wrong = rng.random((1, m)) < 0.2
    valid = np.ones((1, k), dtype=bool)
    same = np.repeat(np.where(wrong, 1 - y, y)[:, None, :], k, axis=1)
    shared = measure(same, y, valid)
    rate = wrong.mean()
    assert np.isclose(shared.systemic_failure_rate, rate)
    assert np.isclose(shared.systemic_failure_independent, rate**k)
    assert np.isclose(shared.outcome_homogenisation, 1 / rate ** (k - 1))
    assert shared.model_monoculture == 1.0
    flips = rng.random((1, k, m)) < 0.2  # each model errs on its own draw
    independent = measure(np.where(flips, 1 - y[:, None, :], y[:, None, :]), y, valid)
    assert abs(independent.outcome_homogenisation - 1.0) < 0.15
    assert independent.model_monoculture < 0.75  # agree only when both right or both wrong


def test_a_model_missing_from_a_small_market_is_not_counted_as_failing_or_agreeing():
    y = np.array([[1, 0, 1, 0]])
    decisions = np.array([[[0, 0, 1, 1], [0, 1, 1, 0], [1, 1, 1, 1]]])
    full = measure(decisions, y, np.array([[True, True, True]]))
    small = measure(decisions, y, np.array([[True, True, False]]))
    assert small.systemic_failure_rate == 0.25  # only the first person fails both models
    assert small.model_monoculture == 0.5
    assert full.systemic_failure_rate == 0.0  # the third model gets the first person right
    assert np.isnan(measure(decisions, y, np.array([[True, False, False]])).model_monoculture)


def test_dependence_on_one_entity_makes_failures_fall_on_the_same_people():
    """§3 dependency as monoculture: one shared model decides alike and fails alike."""
    columns = ["model_monoculture", "outcome_homogenisation", "systemic_failure_rate"]
    own = run_means(columns, 'communities.strategy="local"', "large_entities.count=1")
    shared = run_means(columns, 'communities.strategy="adopt"', "large_entities.count=1")
    assert (shared[:, 0] > own[:, 0]).all()  # paired by seed
    assert (shared[:, 1] > own[:, 1]).all()
    assert (own[:, 1] > 1.0).all()  # models on similar data already share some failures
    alone = run_means(columns, 'communities.strategy="adopt"', "communities.exposure=1")
    assert np.isnan(alone).all()  # nobody faces two models: nothing to measure


def test_a_world_without_large_entities_shows_no_values_homogenisation():
    columns = ["values_diversity_held", "values_diversity_enforced", "values_override_share"]
    alone = run_means(columns, "large_entities.count=0")
    assert (alone[:, 1] == alone[:, 0]).all()
    assert (alone[:, 2] == 0).all()


def test_dependence_on_entities_narrows_the_notions_enforced_paired_by_seed():
    """§3: models another organisation controls enforce its notion, not their users'."""
    columns = ["values_diversity_held", "values_diversity_enforced", "values_override_share"]
    dependent = run_means(columns, 'communities.strategy="adopt"')
    own = run_means(columns, 'communities.strategy="local"')
    assert (dependent[:, 1] < dependent[:, 0] - 0.1).all()
    assert (dependent[:, 2] > 0.3).all()
    assert (own[:, 1] == own[:, 0]).all()  # the same worlds, each community its own model

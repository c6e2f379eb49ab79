"""Annotation (§2.4.3): label noise rises with cultural mismatch and with low pay."""

from __future__ import annotations

import numpy as np

from hetsim.analysis.runner import run_scenario
from hetsim.simulation.economy.annotation import annotate, cultural_distance, flip_probability
from hetsim.simulation.schema import AnnotatorsSection
from tests.conftest import small_scenario

SPEC = AnnotatorsSection()


def test_flip_rate_rises_with_cultural_mismatch():
    mismatch = np.linspace(0, 1, 5)
    flip = flip_probability(mismatch, np.full(5, SPEC.fair_pay), np.full(5, 0.7), SPEC)
    assert np.all(np.diff(flip) > 0)


def test_flip_rate_rises_as_pay_falls_below_fair_and_skill_damps_it():
    pay = np.array([0.0, 0.5, 1.0, 2.0]) * SPEC.fair_pay
    flip = flip_probability(np.zeros(4), pay, np.full(4, 0.7), SPEC)
    assert flip[0] > flip[1] > flip[2] == flip[3]
    assert flip_probability(0.5, 0.0, 0.9, SPEC) < flip_probability(0.5, 0.0, 0.2, SPEC)


def test_cultural_distance_is_circular():
    assert cultural_distance(0, 0, 6) == 0
    assert cultural_distance(0, 3, 6) == 1
    assert cultural_distance(0, 5, 6) == cultural_distance(0, 1, 6)


def test_annotate_flips_at_the_given_rate():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, size=(3, 20000)).astype(np.int8)
    noisy = annotate(y, np.array([0.0, 0.1, 0.4]), rng)
    rate = (noisy != y).mean(axis=1)
    assert rate[0] == 0
    assert abs(rate[1] - 0.1) < 0.01
    assert abs(rate[2] - 0.4) < 0.01


def test_mismatched_workforce_writes_worse_labels_in_a_run():
    """A world whose annotators all share one culture labels other cultures' data worse."""

    def label_accuracy(*overrides: str) -> float:
        metrics = run_scenario(small_scenario(*overrides), seed=4, steps=5)["metrics"]
        return float(metrics["label_accuracy_mean"].mean())

    matched = label_accuracy("communities.cultures=1", "annotators.mismatch_noise=0.3")
    mismatched = label_accuracy("communities.cultures=8", "annotators.mismatch_noise=0.3")
    assert matched - mismatched > 0.03

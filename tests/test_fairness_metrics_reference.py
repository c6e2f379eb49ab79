"""hetsim's group metrics agree with fairlearn's reference implementations (§2.3).

Random decisions on random data with unequal groups, padded rows and several communities at
once; fairlearn computes every figure one community at a time from the valid rows only.
"""

from __future__ import annotations

import numpy as np
import pytest
from fairlearn.metrics import (
    MetricFrame,
    demographic_parity_difference,
    equal_opportunity_difference,
    equalized_odds_difference,
    false_positive_rate,
    selection_rate,
    true_positive_rate,
)

from hetsim.simulation.fairness.post_processing import decide, threshold_policy
from hetsim.simulation.measures import fairness_gap, group_rates

C, M, G = 6, 400, 3


def random_decisions(seed: int):
    """Labels, decisions, groups and a padding mask for C communities; every group is present
    with both labels among the valid rows, so every rate is defined."""
    rng = np.random.default_rng(seed)
    group = rng.choice(G, size=(C, M), p=[0.6, 0.3, 0.1])
    y = (rng.random((C, M)) < 0.3 + 0.15 * group).astype(np.int8)
    decision = (rng.random((C, M)) < 0.25 + 0.2 * y - 0.05 * group).astype(np.int8)
    padding = rng.integers(0, 60, size=C)
    mask = np.arange(M)[None, :] < (M - padding)[:, None]
    group[:, :6], y[:, :6] = np.arange(6) % G, np.arange(6) // G % 2  # both labels everywhere
    return y, decision, group, mask


@pytest.mark.parametrize("seed", range(3))
def test_group_rates_match_fairlearn_metric_frame(seed: int) -> None:
    """Selection rate, TPR and FPR per community and group equal fairlearn's MetricFrame."""
    y, decision, group, mask = random_decisions(seed)
    rates = group_rates(y, decision, group, G, mask)
    for c in range(C):
        ok = mask[c]
        frame = MetricFrame(
            metrics={
                "selection": selection_rate,
                "tpr": true_positive_rate,
                "fpr": false_positive_rate,
            },
            y_true=y[c, ok],
            y_pred=decision[c, ok],
            sensitive_features=group[c, ok],
        ).by_group
        np.testing.assert_allclose(rates.selection_rate[c], frame["selection"].to_numpy())
        np.testing.assert_allclose(rates.tpr[c], frame["tpr"].to_numpy())
        np.testing.assert_allclose(rates.fpr[c], frame["fpr"].to_numpy())


@pytest.mark.parametrize("seed", range(3))
def test_fairness_gaps_match_fairlearn_differences(seed: int) -> None:
    """The gaps hetsim reports per notion equal fairlearn's between-group differences."""
    y, decision, group, mask = random_decisions(seed)
    rates = group_rates(y, decision, group, G, mask)
    reference = {
        "demographic_parity": demographic_parity_difference,
        "equal_opportunity": equal_opportunity_difference,
        "equalized_odds": equalized_odds_difference,
    }
    for notion, difference in reference.items():
        gaps = fairness_gap(rates, notion)
        for c in range(C):
            ok = mask[c]
            expected = difference(y[c, ok], decision[c, ok], sensitive_features=group[c, ok])
            assert gaps[c] == pytest.approx(expected, abs=1e-12), (notion, c)


def test_gaps_of_randomised_equalized_odds_decisions_match_fairlearn() -> None:
    """The gaps of decisions drawn from a randomised equalized-odds rule, as hetsim measures
    them at deployment, are fairlearn's too (the rule's own output is what is measured)."""
    rng = np.random.default_rng(7)
    y, _, group, mask = random_decisions(7)
    scores = rng.normal(size=y.shape) + 1.5 * y - 0.4 * group
    policy = threshold_policy(scores, y, group, "equalized_odds", G, mask=mask)
    assert policy.randomised.all()
    decision = decide(scores, group, policy, rng)
    gaps = fairness_gap(group_rates(y, decision, group, G, mask), "equalized_odds")
    for c in range(C):
        ok = mask[c]
        expected = equalized_odds_difference(
            y[c, ok], decision[c, ok], sensitive_features=group[c, ok]
        )
        assert gaps[c] == pytest.approx(expected, abs=1e-12)

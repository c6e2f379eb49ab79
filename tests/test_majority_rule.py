"""Communities choose sensibly: none takes a model that loses to the majority-class rule on its
own newest records (McNemar's test), and one whose own model loses decides by the rule."""

from __future__ import annotations

import numpy as np

from hetsim.scenarios.builder import build_model, load_scenario

STARVED = [  # local fits on four noisy records a step: often worse than guessing the majority
    "communities.count=30",
    "annotators.count=12",
    'communities.strategy="local"',
    "communities.compute=4",
    "communities.compute_spread=0.1",
    "communities.compute_share=0",  # and no compute to rent
    "data.label_shift=1.5",
    "data.measurement_noise=1.5",
]


def below_the_rule(alpha: float) -> tuple[float, float]:
    """Share of community-steps whose deployed accuracy on fresh people trails the majority
    rule's by more than 0.05, and share deciding by the rule, over three seeds."""
    worse = by_rule = total = 0
    for seed in range(3):
        model = build_model(
            load_scenario(
                "status_quo", [*STARVED, f"communities.values.majority_rule_alpha={alpha}"]
            ),
            seed=seed,
        )
        for _ in range(12):
            model.step()
            dep = model.deployment
            rule = np.maximum(dep.base_rate, 1.0 - dep.base_rate)
            worse += int((dep.accuracy < rule - 0.05).sum())
            by_rule += int(model.community_arrays.decides_by_rule.sum())
            total += dep.accuracy.size
    return worse / total, by_rule / total


def test_a_community_whose_model_loses_to_the_majority_rule_decides_by_the_rule():
    worse_checked, by_rule = below_the_rule(0.05)
    worse_unchecked, never = below_the_rule(0.0)
    assert by_rule > 0.05 and never == 0
    assert worse_checked < worse_unchecked - 0.03

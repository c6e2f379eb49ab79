"""An entity mitigates toward the notion its regulators mandate (§2.3, agents/mitigation.py).

The claim: under an equal-opportunity mandate, an entity that mitigates toward the mandated
notion (``practices.mitigation_target = "mandated"``: that notion's penalty) shows regulators a
smaller equal-opportunity gap than one that mitigates toward independence whatever is mandated
(``"own_practice"``). Paired seeds; every entity checks every step and mitigates any gap, so the
arms differ only in the notion mitigated toward; the minority's base rate is lower
(``data.group_label_bias = -1``), where equal opportunity is not demographic parity.

Not reproduced in this world; it reverses. Measured with :func:`reported_gap` over seeds 0-7
(16 steps, second half): with the penalty practice 0.085 (mandated) against 0.073 (own
practice), paired difference +0.012 [+0.003, +0.021]; with reweighing 0.087 against 0.075
(+0.012 [-0.003, +0.027]); with no mitigation 0.091. Why is not established; a candidate:
the features carry the group only through proxies, and the positives-only covariance is
estimated from fewer rows than the covariance over everyone. Kept as a strict expected
failure, so a model change that reproduces it is noticed.
"""

from __future__ import annotations

import numpy as np
import pytest

from hetsim.scenarios.builder import build_model, load_scenario

WORLD = [
    "communities.count=24",
    "annotators.count=20",
    "large_entities.count=3",
    "regulators.count=3",
    'regulators.mandated_notions=["equal_opportunity"]',
    "data.group_label_bias=-1.0",
    "practices.fairness_check=1.0",
    "practices.check_threshold=0.0",
    "practices.mitigations={penalty=1.0}",
]
STEPS, SEEDS = 16, range(4)


def reported_gap(target: str, seed: int) -> float:
    """Mean honest gap the regulators' protocol measures over the run's second half."""
    model = build_model(
        load_scenario("status_quo", [*WORLD, f'practices.mitigation_target="{target}"']), seed
    )
    late = []
    for step in range(STEPS):
        model.step()
        if step >= STEPS // 2:
            late.append(np.nanmean(model.entity_arrays.report_honest_gap))
    return float(np.nanmean(late))


@pytest.mark.xfail(strict=True, reason="not reproduced: see the module docstring's figures")
def test_mandated_target_lowers_the_mandated_gap_more():
    mandated = np.mean([reported_gap("mandated", seed) for seed in SEEDS])
    own = np.mean([reported_gap("own_practice", seed) for seed in SEEDS])
    assert mandated < own - 0.005


def test_an_entity_held_to_equal_opportunity_mitigates_differently():
    """The key is a real switch: the same seed trains different models under the two targets."""
    gaps = {target: reported_gap(target, 0) for target in ("mandated", "own_practice")}
    assert gaps["mandated"] != gaps["own_practice"]

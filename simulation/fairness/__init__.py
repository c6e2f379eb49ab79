"""Fairness (§2.3, §2.4.1, §4.2): mitigations for the notion a community holds.

Which notion of fairness applies differs by community and jurisdiction (§2.3); a community
adapts a model to its own definition by pre-processing (reweighing), in-processing (a
fairness penalty in training) or post-processing (group thresholds), at different costs and
with different access to the model (§4.2) — :mod:`.mitigation`, :mod:`.post_processing`, and
equalized odds by randomised thresholds (:mod:`.equalized_odds`, Hardt et al. 2016). The gaps
themselves are measured in :mod:`hetsim.simulation.measures`. Other domains use the names below.
"""

from hetsim.simulation.fairness.mitigation import (
    MIN_GROUP_ROWS,
    NOTIONS,
    PENALTY_ROWS,
    REWEIGHING_NOTIONS,
    apply_thresholds,
    fairness_penalty,
    fit_mitigation,
    group_thresholds,
    independence_penalty,
    reweighing_weights,
)
from hetsim.simulation.fairness.post_processing import (
    ThresholdPolicy,
    decide,
    equalized_odds_policy,
    threshold_policy,
)

__all__ = [
    "MIN_GROUP_ROWS",
    "NOTIONS",
    "PENALTY_ROWS",
    "REWEIGHING_NOTIONS",
    "ThresholdPolicy",
    "apply_thresholds",
    "decide",
    "equalized_odds_policy",
    "fairness_penalty",
    "fit_mitigation",
    "group_thresholds",
    "independence_penalty",
    "reweighing_weights",
    "threshold_policy",
]

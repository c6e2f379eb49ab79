"""Lending (§2.1 temporal shift, §2.4.1 high-stakes decisions): decisions that change people.

The delayed-impact credit model of Liu et al. (2018), as in ml-fairness-gym: its parameters
(:mod:`.params`), the lender's policies, a threshold per group maximising profit under a
fairness constraint (:mod:`.policy`), the stand-alone environment used for replications
(:mod:`.environment`: its step; its state and records in :mod:`.records`, how loans move scores
in :mod:`.updaters`), and lending inside the ecosystem, where each community lends with the
model it deploys and repayment moves its people's credit scores (:mod:`.ecosystem`).
"""

from hetsim.simulation.lending.ecosystem import (
    POLICY_OF_NOTION,
    EcosystemLending,
    LendingOutcome,
    domain,
    lending_params,
)
from hetsim.simulation.lending.params import (
    POLICIES,
    LendingParams,
    expected_repayment_probability_change,
    expected_utility,
    mean_repayment_probability,
)
from hetsim.simulation.lending.policy import policy_thresholds, score_thresholds

__all__ = [
    "POLICIES",
    "POLICY_OF_NOTION",
    "EcosystemLending",
    "LendingOutcome",
    "LendingParams",
    "domain",
    "expected_repayment_probability_change",
    "expected_utility",
    "lending_params",
    "mean_repayment_probability",
    "policy_thresholds",
    "score_thresholds",
]

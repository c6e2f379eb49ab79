"""Privacy (§2.3): differentially private training, its accounting, and audits from evidence.

Differential privacy adds noise that hurts small groups most (§2.3, Bagdasaryan et al. 2019):
DP-GD / DP-SGD on the batched logistic models (:mod:`.dp_training`); the privacy loss of every
release composed with Google's ``dp-accounting`` library (:mod:`.accounting`); and a canary
audit by which a regulator bounds the ε a training really has from the models it observes,
never from the entity's internals (:mod:`.audit`, §3 privacy washing).
"""

from hetsim.simulation.privacy.accounting import (
    DpTraining,
    PrivacyLedger,
    epsilon_of,
    noise_multiplier_for,
)
from hetsim.simulation.privacy.audit import (
    AuditEvidence,
    TrainingPipeline,
    canary_record,
    estimate_epsilon_lower_bound,
    largest_certifiable_epsilon,
)
from hetsim.simulation.privacy.dp_training import (
    DEFAULT_STEPS,
    dp_fit_logistic,
    dp_fit_scenario,
    epsilon_of_release,
)

__all__ = [
    "DEFAULT_STEPS",
    "AuditEvidence",
    "DpTraining",
    "PrivacyLedger",
    "TrainingPipeline",
    "canary_record",
    "dp_fit_logistic",
    "dp_fit_scenario",
    "epsilon_of",
    "epsilon_of_release",
    "estimate_epsilon_lower_bound",
    "largest_certifiable_epsilon",
    "noise_multiplier_for",
]

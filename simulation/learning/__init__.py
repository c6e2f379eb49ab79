"""Learning (§4): real classifiers, trained in batches, whose capability grows with compute.

Every model in hetsim is fitted on generated records: batched L2-penalised logistic regression
(:mod:`.logistic`, solved by the chunked Newton solver of :mod:`.newton`) run once per phase for
every fit requested (:mod:`.training`); what compute buys, records and capacity
(:mod:`.capacity`, §2.2); adapting a pretrained model by fine-tuning and distillation, with
negative transfer between distant domains (:mod:`.transfer`, §4.2); federated averaging over
consortia (:mod:`.federated`, §4.3) and split learning with the server holding the head
(:mod:`.split`, §4.3). Other domains use the names below.
"""

from hetsim.simulation.learning.capacity import (
    capacity_share,
    compute_for_capacity,
    decision_scores,
    decision_scores_many,
    feature_map,
    to_fit_space,
    to_model_space,
)
from hetsim.simulation.learning.logistic import (
    INTERCEPT_RIDGE,
    FitResult,
    fit_logistic,
    log_loss_objective,
    predict_proba,
    training_flops,
)

__all__ = [
    "INTERCEPT_RIDGE",
    "FitResult",
    "capacity_share",
    "compute_for_capacity",
    "decision_scores",
    "decision_scores_many",
    "feature_map",
    "fit_logistic",
    "log_loss_objective",
    "predict_proba",
    "to_fit_space",
    "to_model_space",
    "training_flops",
]

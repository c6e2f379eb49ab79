"""Bulk state of every community (§2, §4): data window, own model, values, resources, choices."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from hetsim.simulation.fairness.post_processing import N_CUTS
from hetsim.simulation.population import N_RAW
from hetsim.simulation.privacy.accounting import PrivacyLedger
from hetsim.simulation.state.encoding import N_FEATURES


@dataclass
class CommunityArrays:
    """Data windows, local models, values and resources of every community."""

    n: int
    window: int
    # data window (ring buffer of the most recent annotated records)
    x: np.ndarray = field(init=False)  # (C, W, 5) raw features
    group: np.ndarray = field(init=False)  # (C, W) protected-attribute value
    label: np.ndarray = field(init=False)  # (C, W) label as annotated (noisy)
    filled: np.ndarray = field(init=False)  # (C,) rows in use
    cursor: np.ndarray = field(init=False)  # (C,) next row to overwrite
    # the community's own model, trained on its own records when it trains locally; the models
    # of other strategies live on the strategies (hetsim.agents.strategies)
    coef: np.ndarray = field(init=False)  # (C, 8) weights of the community's own local model
    intercept: np.ndarray = field(init=False)  # (C,)
    consortium: np.ndarray = field(init=False)  # (C,) peers it may pool, federate or cooperate with
    n_consortia: int = field(init=False)  # consortia of the world (one per jurisdiction)
    # post-processing rule on the deployed model's logit, per own group (§4.2): thresholds
    # and the probability of using each (randomised for equalized odds, Hardt et al. 2016)
    threshold_cuts: np.ndarray = field(init=False)  # (C, 3, N_CUTS)
    threshold_weights: np.ndarray = field(init=False)  # (C, 3, N_CUTS), sum 1 per group
    enforced_notion: np.ndarray = field(init=False)  # (C,) notion its own model is mitigated
    # or post-processed for this step, "none" when none
    # developer practice (Balayn & Gadiraju) and further values
    fairness_check: np.ndarray = field(init=False)  # (C,) chance to check fairness a step
    mitigation: np.ndarray = field(init=False)  # (C,) MITIGATIONS code
    mitigating: np.ndarray = field(init=False)  # (C,) a fairness check found a gap this step
    capacity_gain: np.ndarray = field(init=False)  # (C,) accuracy an entity's model had over
    # its own at the last choice, on its newest records (what more capacity may be worth)
    explain_need: np.ndarray = field(init=False)  # (C,) need to explain decisions, [0, 1]
    weight_explainability: np.ndarray = field(init=False)  # (C,)
    max_epsilon: np.ndarray = field(init=False)  # (C,) largest acceptable DP ε
    epsilon: np.ndarray = field(init=False)  # (C,) effective DP ε of the deployed model
    explainable: np.ndarray = field(init=False)  # (C,) the deployed model can be explained
    # values profile (§2.3, §2.4.1)
    notion: np.ndarray = field(init=False)  # (C,) fairness notion, a FAIRNESS_NOTIONS name
    quota_target: np.ndarray = field(init=False)  # (C,) selection rate a quota asks
    weight_accuracy: np.ndarray = field(init=False)  # (C,)
    weight_fairness: np.ndarray = field(init=False)  # (C,)
    weight_privacy: np.ndarray = field(init=False)  # (C,)
    weight_sovereignty: np.ndarray = field(init=False)  # (C,)
    fairness_tolerance: np.ndarray = field(init=False)  # (C,) largest acceptable own gap
    min_accuracy: np.ndarray = field(init=False)  # (C,) lowest acceptable accuracy
    # resources (§2.2)
    budget: np.ndarray = field(init=False)  # (C,) money earned per step
    own_compute: np.ndarray = field(init=False)  # (C,) compute of its own, records/step
    expertise: np.ndarray = field(init=False)  # (C,) share of compute used well, [0, 1]
    jurisdiction: np.ndarray = field(init=False)  # (C,) regulator index, -1 when none
    # choices
    strategy: np.ndarray = field(init=False)  # (C,) index in the model's strategy list
    partner: np.ndarray = field(init=False)  # (C,) partner entity of the strategy, -1 none
    decides_by_rule: np.ndarray = field(init=False)  # (C,) deploys the majority-class rule:
    # no model it could take beat it on its newest records
    data_with: np.ndarray = field(init=False)  # (C,) entity given records without use limits
    # this step, -1 none (§3 misuse)
    rented_from: np.ndarray = field(init=False)  # (C,) entity whose compute processed its
    # records this step, -1 none (§2.2 compute market; §3 misuse)
    rented: np.ndarray = field(init=False)  # (C,) units of compute rented this step
    previous_strategy: np.ndarray = field(init=False)  # (C,) strategy of the step before
    previous_partner: np.ndarray = field(init=False)  # (C,) partner of the step before
    annotator: np.ndarray = field(init=False)  # (C,) annotator hired this step, -1 self
    label_accuracy: np.ndarray = field(init=False)  # (C,) share of this step's labels correct
    privacy: PrivacyLedger = field(init=False)  # DP releases trained on each one's records

    def __post_init__(self) -> None:
        c, w = self.n, self.window
        self.privacy = PrivacyLedger(c)
        self.x = np.zeros((c, w, N_RAW))
        self.group = np.zeros((c, w), dtype=np.int8)
        self.label = np.zeros((c, w), dtype=np.int8)
        self.filled = np.zeros(c, dtype=np.int64)
        self.cursor = np.zeros(c, dtype=np.int64)
        self.coef = np.zeros((c, N_FEATURES))
        self.intercept = np.zeros(c)
        self.consortium = np.zeros(c, dtype=np.int64)
        self.n_consortia = 1
        self.threshold_cuts = np.zeros((c, 3, N_CUTS))
        self.threshold_weights = np.zeros((c, 3, N_CUTS))
        self.threshold_weights[:, :, 0] = 1.0
        self.enforced_notion = np.full(c, "none", dtype=object)
        self.fairness_check = np.zeros(c)
        self.mitigation = np.zeros(c, dtype=np.int64)
        self.mitigating = np.zeros(c, dtype=bool)
        self.capacity_gain = np.zeros(c)
        self.explain_need = np.zeros(c)
        self.weight_explainability = np.zeros(c)
        self.max_epsilon = np.full(c, np.inf)
        self.epsilon = np.full(c, np.inf)
        self.explainable = np.ones(c, dtype=bool)
        self.notion = np.full(c, "none", dtype=object)
        for name in (
            "quota_target",
            "weight_accuracy",
            "weight_fairness",
            "weight_privacy",
            "weight_sovereignty",
            "fairness_tolerance",
            "min_accuracy",
            "budget",
            "expertise",
            "label_accuracy",
            "rented",
        ):
            setattr(self, name, np.zeros(c))
        self.jurisdiction = np.full(c, -1, dtype=np.int64)
        self.strategy = np.zeros(c, dtype=np.int64)
        self.partner = np.full(c, -1, dtype=np.int64)
        self.data_with = np.full(c, -1, dtype=np.int64)
        self.rented_from = np.full(c, -1, dtype=np.int64)
        self.decides_by_rule = np.zeros(c, dtype=bool)
        self.previous_strategy = np.zeros(c, dtype=np.int64)
        self.previous_partner = np.full(c, -1, dtype=np.int64)
        self.annotator = np.full(c, -1, dtype=np.int64)

    def recent(self, who: np.ndarray, rows: int) -> tuple[np.ndarray, np.ndarray]:
        """Window positions (len(who), rows) of the most recent records, and their ages."""
        age = np.arange(rows)
        pos = (self.cursor[who, None] - 1 - age[None, :]) % self.window
        return pos, age

    def append(self, x: np.ndarray, group: np.ndarray, label: np.ndarray) -> None:
        """Append one batch of records (C, n, ...) to every window, overwriting the oldest."""
        n = x.shape[1]
        pos = (self.cursor[:, None] + np.arange(n)[None, :]) % self.window
        rows = np.arange(self.n)[:, None]
        self.x[rows, pos] = x
        self.group[rows, pos] = group
        self.label[rows, pos] = label
        self.cursor = (self.cursor + n) % self.window
        self.filled = np.minimum(self.filled + n, self.window)

    def majority_class(self) -> np.ndarray:
        """(C,) the most frequent label of each window (1 on a tie of a filled window: no)."""
        return self.label.sum(axis=1) * 2 > self.filled

    def recent_mask(self, budget: np.ndarray) -> np.ndarray:
        """(C, W) mask of each window's most recent ``budget`` records."""
        age = (self.cursor[:, None] - 1 - np.arange(self.window)[None, :]) % self.window
        return age < np.minimum(budget, self.filled)[:, None]

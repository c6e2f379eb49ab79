"""Bulk state of the world, kept in arrays the engine updates in one pass.

Agents are readable policies over these arrays; one row per member of a role. Every field has
a comment saying what it is and its unit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import get_args

import numpy as np

from hetsim.simulation.fairness.post_processing import N_CUTS
from hetsim.simulation.learning.capacity import N_EXTRA
from hetsim.simulation.measures.ecosystem import EcosystemOutcomes
from hetsim.simulation.population import N_RAW
from hetsim.simulation.privacy.accounting import PrivacyLedger
from hetsim.simulation.schema import Mitigation

N_FEATURES = N_RAW + N_EXTRA  # model inputs: raw features plus high-capacity extras
MITIGATIONS: tuple[str, ...] = get_args(Mitigation)


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


@dataclass
class EntityArrays:
    """Training pools, large models and terms of every large entity."""

    n: int
    pool_size: int
    x: np.ndarray = field(init=False)  # (E, P, 5) training pool (reservoir of all records)
    group: np.ndarray = field(init=False)  # (E, P) attribute a of pooled records
    label: np.ndarray = field(init=False)  # (E, P) pooled labels as annotated
    origin: np.ndarray = field(init=False)  # (E, P) community of origin
    on_terms: np.ndarray = field(init=False)  # (E, P) held under the origin's terms (§4.1)
    filled: np.ndarray = field(init=False)  # (E,) rows in use
    seen: np.ndarray = field(init=False)  # (E,) records ever offered to the pool
    coef: np.ndarray = field(init=False)  # (E, 8) the large model
    intercept: np.ndarray = field(init=False)  # (E,)
    capacity: np.ndarray = field(init=False)  # (E,) share of model capacity its compute buys
    compute_used: np.ndarray = field(init=False)  # (E,) compute its own last fit used
    price: np.ndarray = field(init=False)  # (E,) price of model access per step
    paying_users: np.ndarray = field(init=False)  # (E,) communities paying this step
    culture: np.ndarray = field(init=False)  # (E,) home culture
    jurisdiction: np.ndarray = field(init=False)  # (E,) where it trains, -1 when none
    reported_notion: np.ndarray = field(init=False)  # (E,) notion its home regulator mandates
    reported_gap: np.ndarray = field(init=False)  # (E,) gap last reported to its home regulator
    audited_gap: np.ndarray = field(init=False)  # (E,) gap its home regulator last re-measured
    # reports to each regulator (E, R), sized by open_reports; NaN where it does not report
    operates_in: np.ndarray = field(init=False)  # (E, R) trains there or has customers there
    report_gap: np.ndarray = field(init=False)  # (E, R) gap reported this step
    report_honest_gap: np.ndarray = field(init=False)  # (E, R) gap measured under the protocol
    report_error: np.ndarray = field(init=False)  # (E, R) its stated (bootstrap) standard error
    report_favourable_gap: np.ndarray = field(init=False)  # (E, R) lowest gap of a subset
    report_washed: np.ndarray = field(init=False)  # (E, R) the report is a favourable subset's
    reports_made: np.ndarray = field(init=False)  # (E, R) steps it has reported there
    audits_seen: np.ndarray = field(init=False)  # (E, R) of those, steps it was audited there
    annotator: np.ndarray = field(init=False)  # (E,) annotator hired this step
    revenue: np.ndarray = field(init=False)  # (E,) money earned this step
    open_weights: np.ndarray = field(init=False)  # (E,) publishes its weights (else closed API)
    claimed_epsilon: np.ndarray = field(init=False)  # (E,) DP ε it claims
    effective_epsilon: np.ndarray = field(init=False)  # (E,) DP ε it really trains with
    washes: np.ndarray = field(init=False)  # (E,) washed a report this step (§3)
    washing_propensity: np.ndarray = field(init=False)  # (E,) disposition to report selectively
    true_gap: np.ndarray = field(init=False)  # (E,) mandated gap measured on fresh data
    # developer practice (Balayn & Gadiraju): no standard across organisations
    fairness_check: np.ndarray = field(init=False)  # (E,) chance to check fairness a step
    mitigation: np.ndarray = field(init=False)  # (E,) MITIGATIONS code
    documents: np.ndarray = field(init=False)  # (E,) documents data (datasheets)
    energy_aware: np.ndarray = field(init=False)  # (E,) retrains only when needed
    mitigating: np.ndarray = field(init=False)  # (E,) a fairness check found a gap to mitigate
    misused: np.ndarray = field(init=False)  # (E,) misused shared data this step (§3)
    washes_privacy: np.ndarray = field(init=False)  # (E,) trains with more ε than it may
    label_accuracy: np.ndarray = field(init=False)  # (E,) share of this step's labels correct
    # firm dynamics: entities enter, go insolvent and exit
    active: np.ndarray = field(init=False)  # (E,) operating (entered and not exited)
    insolvent_for: np.ndarray = field(init=False)  # (E,) consecutive quarters below credit
    costs: np.ndarray = field(init=False)  # (E,) money spent this step
    invested: np.ndarray = field(init=False)  # (E,) of it, bought compute (capital, not cost)
    entered_at: np.ndarray = field(init=False)  # (E,) step it started operating, -1 not yet
    profit_published: np.ndarray = field(init=False)  # (E,) average quarterly operating
    # profit in its accounts, what potential entrants read
    privacy: PrivacyLedger = field(init=False)  # DP releases of each one's model

    def __post_init__(self) -> None:
        e, p = self.n, self.pool_size
        self.privacy = PrivacyLedger(e)
        self.x = np.zeros((e, p, N_RAW))
        self.group = np.zeros((e, p), dtype=np.int8)
        self.label = np.zeros((e, p), dtype=np.int8)
        self.origin = np.full((e, p), -1, dtype=np.int64)
        self.on_terms = np.zeros((e, p), dtype=bool)
        self.filled = np.zeros(e, dtype=np.int64)
        self.seen = np.zeros(e, dtype=np.int64)
        self.coef = np.zeros((e, N_FEATURES))
        self.intercept = np.zeros(e)
        self.capacity = np.zeros(e)
        self.compute_used = np.zeros(e)
        self.price = np.zeros(e)
        self.paying_users = np.zeros(e, dtype=np.int64)
        self.culture = np.zeros(e, dtype=np.int64)
        self.jurisdiction = np.full(e, -1, dtype=np.int64)
        self.reported_notion = np.full(e, "demographic_parity", dtype=object)
        self.reported_gap = np.full(e, np.nan)
        self.audited_gap = np.full(e, np.nan)
        self.open_reports(0)
        self.annotator = np.full(e, -1, dtype=np.int64)
        self.revenue = np.zeros(e)
        self.open_weights = np.zeros(e, dtype=bool)
        self.claimed_epsilon = np.full(e, np.inf)
        self.effective_epsilon = np.full(e, np.inf)
        self.washes = np.zeros(e, dtype=bool)
        self.washing_propensity = np.zeros(e)
        self.true_gap = np.full(e, np.nan)
        self.fairness_check = np.zeros(e)
        self.mitigation = np.zeros(e, dtype=np.int64)
        self.documents = np.zeros(e, dtype=bool)
        self.energy_aware = np.zeros(e, dtype=bool)
        self.mitigating = np.zeros(e, dtype=bool)
        self.misused = np.zeros(e, dtype=bool)
        self.washes_privacy = np.zeros(e, dtype=bool)
        self.label_accuracy = np.full(e, np.nan)
        self.active = np.ones(e, dtype=bool)
        self.insolvent_for = np.zeros(e, dtype=np.int64)
        self.costs = np.zeros(e)
        self.invested = np.zeros(e)
        self.entered_at = np.zeros(e, dtype=np.int64)
        self.profit_published = np.zeros(e)

    def open_reports(self, n_regulators: int) -> None:
        """Size the per-regulator reports and audit experience (before any step)."""
        shape = (self.n, n_regulators)
        self.operates_in = np.zeros(shape, dtype=bool)
        self.report_gap = np.full(shape, np.nan)
        self.report_honest_gap = np.full(shape, np.nan)
        self.report_error = np.full(shape, np.nan)
        self.report_favourable_gap = np.full(shape, np.nan)
        self.report_washed = np.zeros(shape, dtype=bool)
        self.reports_made = np.zeros(shape)
        self.audits_seen = np.zeros(shape)

    def records_of(self, entity: int, origins: np.ndarray, on_terms: bool) -> np.ndarray:
        """Pool rows of ``entity`` from any of ``origins`` held on (or off) their terms."""
        n = int(self.filled[entity])
        mine = np.isin(self.origin[entity, :n], origins)
        return np.flatnonzero(mine & (self.on_terms[entity, :n] == on_terms))

    def withdraw(self, entity: int, origin: int) -> int:
        """Remove the records one community gave on its own terms (§4.1); return how many.

        Records the entity scraped itself from that community, or received on its own terms,
        stay."""
        n = int(self.filled[entity])
        keep = ~((self.origin[entity, :n] == origin) & self.on_terms[entity, :n])
        removed = int(n - keep.sum())
        if removed:
            for array in (self.x, self.group, self.label, self.origin, self.on_terms):
                array[entity, : n - removed] = array[entity, :n][keep]
            self.origin[entity, n - removed : n] = -1
            self.on_terms[entity, n - removed : n] = False
            self.filled[entity] = n - removed
            self.seen[entity] = max(int(self.seen[entity]) - removed, n - removed)
        return removed

    def offer(
        self,
        entity: int,
        x: np.ndarray,
        group: np.ndarray,
        label: np.ndarray,
        origin: np.ndarray,
        rng: np.random.Generator,
        on_terms: np.ndarray | bool = False,
    ) -> None:
        """Offer records to an entity's pool; reservoir sampling keeps a uniform sample.

        ``on_terms`` marks records held under their origin's terms (withdrawn on request)."""
        m = len(label)
        if m == 0:
            return
        start = self.seen[entity]
        index = start + np.arange(m)
        slot = np.where(index < self.pool_size, index, rng.integers(0, np.maximum(index + 1, 1)))
        keep = slot < self.pool_size
        slot = slot[keep]
        self.x[entity, slot] = x[keep]
        self.group[entity, slot] = group[keep]
        self.label[entity, slot] = label[keep]
        self.origin[entity, slot] = origin[keep]
        self.on_terms[entity, slot] = np.broadcast_to(on_terms, (m,))[keep]
        self.seen[entity] += m
        self.filled[entity] = min(self.pool_size, self.seen[entity])


@dataclass
class AnnotatorArrays:
    """Culture, skill, pay and work of every annotator (§2.4.3)."""

    n: int
    culture: np.ndarray = field(init=False)  # (A,) cultural background
    skill: np.ndarray = field(init=False)  # (A,) in [0, 1]
    pay: np.ndarray = field(init=False)  # (A,) asking pay per record
    reservation_pay: np.ndarray = field(init=False)  # (A,) lowest pay it will accept
    records: np.ndarray = field(init=False)  # (A,) records labelled this step
    income: np.ndarray = field(init=False)  # (A,) money earned this step
    correct: np.ndarray = field(init=False)  # (A,) labels written correctly this step

    def __post_init__(self) -> None:
        a = self.n
        self.culture = np.zeros(a, dtype=np.int64)
        self.skill = np.zeros(a)
        self.pay = np.zeros(a)
        self.reservation_pay = np.zeros(a)
        self.records = np.zeros(a)
        self.income = np.zeros(a)
        self.correct = np.zeros(a)


@dataclass
class Jurisdictions:
    """The rules in force in each regulator's jurisdiction (§2.3, §3)."""

    n: int
    notion: np.ndarray = field(init=False)  # (R,) mandated fairness notion
    threshold: np.ndarray = field(init=False)  # (R,) largest lawful mandated gap
    audit_probability: np.ndarray = field(init=False)  # (R,) chance to audit an entity a step
    explainability: np.ndarray = field(init=False)  # (R,) requires explainable models
    epsilon_cap: np.ndarray = field(init=False)  # (R,) largest lawful DP ε of training here
    loophole: np.ndarray = field(init=False)  # (R,) no audits and no caps
    harm_step: np.ndarray = field(init=False)  # (R,) step of the last publicised harm, -1 none
    privacy_violations: int = 0  # privacy (ε) violations found this step
    explainability_violations: int = 0  # closed models found deployed where banned
    audits: int = 0  # audits done this step
    violations: int = 0  # mandated gaps above the threshold found this step (report or audit)
    washing_violations: int = 0  # reports an audit found misleading this step
    inspections: int = 0  # audits that inspected the records behind a report this step
    inspections_cleared: int = 0  # statistical flags the records cleared (honest reports)
    fines: float = 0.0  # money fined this step

    def __post_init__(self) -> None:
        self.notion = np.full(self.n, "demographic_parity", dtype=object)
        self.threshold = np.full(self.n, 0.1)
        self.audit_probability = np.zeros(self.n)
        self.explainability = np.zeros(self.n, dtype=bool)
        self.epsilon_cap = np.full(self.n, np.inf)
        self.loophole = np.zeros(self.n, dtype=bool)
        self.harm_step = np.full(self.n, -1, dtype=np.int64)

    def start_step(self) -> None:
        """Reset this step's audit counters."""
        self.audits = 0
        self.violations = 0
        self.washing_violations = 0
        self.inspections = 0
        self.inspections_cleared = 0
        self.fines = 0.0
        self.privacy_violations = 0
        self.explainability_violations = 0


@dataclass
class Deployment:
    """What the deployed models did this step, per community (filled in the deploy phase)."""

    n: int
    n_groups: int
    group_n: np.ndarray = field(init=False)  # (C, G) individuals decided on, by own group
    group_accuracy: np.ndarray = field(init=False)  # (C, G)
    group_tpr: np.ndarray = field(init=False)  # (C, G)
    group_fpr: np.ndarray = field(init=False)  # (C, G)
    group_selection: np.ndarray = field(init=False)  # (C, G)
    group_base_rate: np.ndarray = field(init=False)  # (C, G) share of positives (true labels)
    accuracy: np.ndarray = field(init=False)  # (C,) overall accuracy
    base_rate: np.ndarray = field(init=False)  # (C,) share of positives among those decided on
    gap_own: np.ndarray = field(init=False)  # (C,) gap under the community's own notion
    gap_mandated: np.ndarray = field(init=False)  # (C,) gap under its jurisdiction's notion
    aligned: np.ndarray = field(init=False)  # (C,) meets the community's own values
    provider: np.ndarray = field(init=False)  # (C,) organisation controlling the model
    decisions: np.ndarray = field(init=False)  # (O,) decisions made by each organisation's models
    ecosystem: EcosystemOutcomes = field(init=False)  # failures shared across each market

    def __post_init__(self) -> None:
        c, g = self.n, self.n_groups
        for name in (
            "group_n",
            "group_accuracy",
            "group_tpr",
            "group_fpr",
            "group_selection",
            "group_base_rate",
        ):
            setattr(self, name, np.full((c, g), np.nan))
        for name in ("accuracy", "base_rate", "gap_own", "gap_mandated"):
            setattr(self, name, np.full(c, np.nan))
        self.aligned = np.zeros(c, dtype=bool)
        self.provider = np.zeros(c, dtype=np.int64)
        self.decisions = np.zeros(0)
        self.ecosystem = EcosystemOutcomes.undefined()

"""Bulk state of every large entity (§2.2, §3): training pool, large model, terms and accounts."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from hetsim.simulation.population import N_RAW
from hetsim.simulation.privacy.accounting import PrivacyLedger
from hetsim.simulation.state.encoding import N_FEATURES


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
    # (entity, jurisdiction) -> the evaluation records behind this step's report, kept for an
    # inspection to recompute the gap from
    report_records: dict[tuple[int, int], Any] = field(default_factory=dict)
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
    serving: np.ndarray = field(init=False)  # (E,) able to serve customers at this choice
    quarterly_revenue: np.ndarray = field(init=False)  # (E, 4) revenue of the last 4 quarters
    fines_into_debt: np.ndarray = field(init=False)  # (E,) fines this step beyond its cash
    entry_cost: np.ndarray = field(init=False)  # (E,) cost of entering, paid this step
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
        self.serving = np.ones(e, dtype=bool)
        self.quarterly_revenue = np.zeros((e, 4))
        self.fines_into_debt = np.zeros(e)
        self.entry_cost = np.zeros(e)

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

"""Firm dynamics of large entities (§3: the scaling race, who enters and who is left standing).

Entry and exit: seats for entrants wait outside the market; a provider enters at its
scheduled step or, as often as a seat is free, when the profit it expects would pay its sunk
entry cost back (Sutton 1991; Hopenhayn 1992). It expects the incumbents' published profit;
in a market without incumbents, the profit of selling to the communities that buy no model
at the initial price, less the costs it would run. A firm insolvent for too long exits and its
data go as their terms say. A firm entering a seat another left starts as a new firm.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from hetsim.agents import jurisdiction
from hetsim.agents.practices import draw_practices

if TYPE_CHECKING:
    from hetsim.agents.large_entity import LargeEntity
    from hetsim.simulation.model import EcosystemModel


def prepare_seats(model: EcosystemModel) -> None:
    """Seats for scheduled entrants and for entrants when profitable wait, empty, outside."""
    spec, ent, led = model.spec.large_entities, model.entity_arrays, model.ledger
    waiting = [entry.open_weights for entry in spec.entries] + [
        spec.entry_when_profitable.open_weights
    ] * spec.entry_when_profitable.slots
    for k, open_weights in enumerate(waiting):
        i = spec.count + k
        ent.active[i], ent.entered_at[i] = False, -1
        ent.open_weights[i] = open_weights
        led.money[led.entity_org(i)] = led.compute[led.entity_org(i)] = 0.0


def consider_entry(entity: LargeEntity) -> None:
    """An entrant enters: at its scheduled step, or when entry would pay back its cost."""
    model, ent, spec = entity.model, entity.model.entity_arrays, entity.model.spec.large_entities
    k = entity.index - spec.count
    if entity.operating:
        return
    if 0 <= k < len(spec.entries) and ent.entered_at[entity.index] < 0:
        if spec.entries[k].step == model.steps:
            enter(entity, spec.entries[k].capital, spec.entries[k].compute)
    elif entry_pays_back(entity):
        rule = spec.entry_when_profitable
        enter(entity, rule.capital, rule.compute, rule.open_weights, rule.sunk_cost)


def entry_cost(model: EcosystemModel) -> float:
    """What entering costs a firm, sunk (Sutton 1991: sunk entry costs set how concentrated a
    market stays): the compute to start a model, at ``large_entities.compute_price``, and the
    other sunk costs of entering. The capital it brings stays its own money, not a cost."""
    spec = model.spec.large_entities
    rule = spec.entry_when_profitable
    return rule.compute * spec.compute_price + rule.sunk_cost


def expected_profit(model: EcosystemModel, incumbents: np.ndarray) -> float:
    """The quarterly operating profit a would-be entrant expects, from what it can observe.

    With incumbents: their published operating profit, on average. Without any: a market
    survey of demand — the communities that buy no model (all of them, in an empty market)
    paying the initial price of access, less the costs it would run each quarter as the
    accounts count them: operating, annotating its scrape at the annotators' mean asking pay,
    and the depreciation of its starting compute at the compute price."""
    ent, spec = model.entity_arrays, model.spec.large_entities
    if incumbents.size:
        return float(ent.profit_published[incumbents].mean())
    com = model.community_arrays
    buying = model.strategy_flag("with_entity") & (com.partner >= 0) if com.n else []
    demand = int(com.n - np.count_nonzero(buying))
    rule = spec.entry_when_profitable
    costs = (
        spec.operating_cost
        + model.spec.annotators.pay_mean * spec.records_per_step * (model.annotator_arrays.n > 0)
        + spec.compute_depreciation * rule.compute * spec.compute_price
    )
    return demand * spec.access_price - costs


def entry_pays_back(entity: LargeEntity) -> bool:
    """A firm enters when the profit it expects would pay back its entry cost within the
    payback period, as often as that holds, at most one a quarter. It takes the first seat
    free: one never used, or one a firm left on exit (the seats bound how many firms operate
    at once, not how many ever enter)."""
    model, ent = entity.model, entity.model.entity_arrays
    spec = model.spec.large_entities
    rule = spec.entry_when_profitable
    scheduled = spec.count + np.arange(len(spec.entries))
    waiting = np.zeros(ent.n, dtype=bool)
    waiting[scheduled] = ent.entered_at[scheduled] < 0  # a scheduled entrant's seat
    free = np.flatnonzero(~ent.active & ~waiting)
    incumbents = np.flatnonzero(ent.active & (ent.entered_at < model.steps))
    if spec.count + len(spec.entries) == 0:
        return False  # a world without large entities: no market to enter
    if rule.slots == 0 or free.size == 0 or entity.index != free[0]:
        return False  # no entry when profitable, or not first in line
    if incumbents.size < ent.active.sum():
        return False  # another entered this quarter
    profit = expected_profit(model, incumbents)
    return profit * rule.payback_quarters >= entry_cost(model)


def enter(
    entity: LargeEntity,
    capital: float,
    compute: float,
    open_weights: bool | None = None,
    sunk: float = 0.0,
) -> None:
    """Start operating with ``capital`` and ``compute`` and a first scrape of data; the entry
    cost, recorded, is the compute at its price and the ``sunk`` costs.

    A firm taking a seat another left starts afresh: no model, no accounts, no reports, no
    privacy releases, and the communities' trust at its initial level."""
    model, ent, led = entity.model, entity.model.entity_arrays, entity.model.ledger
    i, spec = entity.index, model.spec.large_entities
    if ent.entered_at[i] >= 0:  # a seat another firm left: this firm is not that one
        new_firm(entity)
    ent.active[i], ent.entered_at[i] = True, model.steps
    ent.entry_cost[i] = (
        entry_cost(model) if open_weights is not None else compute * spec.compute_price
    )
    if open_weights is not None:
        ent.open_weights[i] = open_weights
    ent.coef[i], ent.intercept[i], ent.capacity[i] = 0.0, 0.0, 0.0
    ent.insolvent_for[i] = 0
    ent.profit_published[i] = 0.0
    ent.quarterly_revenue[i] = 0.0
    ent.price[i] = spec.access_price
    ent.mitigating[i] = ent.misused[i] = False
    ent.reported_gap[i] = ent.audited_gap[i] = np.nan
    ent.reports_made[i] = ent.audits_seen[i] = 0.0
    led.trust[:, i] = model.spec.exchange.initial_trust
    led.money[entity.org], led.compute[entity.org] = capital, compute
    entity.previous_users = 0
    model.scrape(i, spec.pool_size // 4, annotator=-1)


def new_firm(entity: LargeEntity) -> None:
    """Give a firm taking a seat another left what belongs to a firm, not to a seat: its own
    home culture, developer practice and disposition to wash privacy claims (drawn as the
    first firms' were), its seat's home jurisdiction (not where the last firm shopped to),
    no reports, no audit experience and no releases on its privacy ledger."""
    model, ent, i = entity.model, entity.model.entity_arrays, entity.index
    spec, rng = model.spec.large_entities, model.rng
    ent.culture[i] = rng.integers(0, model.spec.communities.cultures)
    practice = draw_practices(model.spec.practices, 1, rng)
    ent.fairness_check[i], ent.mitigation[i] = practice.fairness_check[0], practice.mitigation[0]
    ent.documents[i], ent.energy_aware[i] = practice.documents[0], practice.energy_aware[0]
    ent.washes_privacy[i] = rng.random() < spec.washing_propensity
    r = ent.operates_in.shape[1]
    ent.jurisdiction[i] = i % r if r else -1
    if r:
        ent.reported_notion[i] = model.jurisdictions.notion[ent.jurisdiction[i]]
    ent.claimed_epsilon[i], ent.effective_epsilon[i] = spec.claimed_epsilon, spec.effective_epsilon
    jurisdiction.comply_with_privacy_rules(entity)
    for report in (ent.report_gap, ent.report_honest_gap, ent.report_error):
        report[i] = np.nan
    ent.report_favourable_gap[i] = np.nan
    ent.report_washed[i] = ent.operates_in[i] = False
    for key in [key for key in ent.report_records if key[0] == i]:
        del ent.report_records[key]
    ent.annotator[i], ent.compute_used[i] = -1, 0.0
    ent.true_gap[i] = ent.label_accuracy[i] = np.nan
    ent.privacy.open_account(i)


def exit_market(entity: LargeEntity) -> None:
    """Leave after ``exit_after`` insolvent quarters.

    Customers lose access and choose again next step. The data go as their terms say: records
    held under the communities' terms go back to them; the rest of the pool (scraped, or shared
    on the entity's terms) is sold to the richest entity still operating, as data assets are
    sold in bankruptcy. Unpaid debt is written off; compute is scrapped.
    """
    model, ent, led, i = entity.model, entity.model.entity_arrays, entity.model.ledger, entity.index
    ent.active[i] = False
    ent.report_gap[i] = ent.report_honest_gap[i] = np.nan
    ent.operates_in[i] = ent.report_washed[i] = False
    for c in np.flatnonzero(led.records_sovereign_by_origin[i] > 0):
        model.withdraw_records(i, int(c))
    buyers = np.flatnonzero(ent.active)
    if buyers.size and ent.filled[i]:
        buyer = int(buyers[np.argmax(led.money[led.entity_org(buyers)])])
        n = int(ent.filled[i])
        ent.offer(
            buyer, ent.x[i, :n], ent.group[i, :n], ent.label[i, :n], ent.origin[i, :n], model.rng
        )
        price = model.spec.large_entities.data_value * n
        led.money[led.entity_org(buyer)] -= price
        ent.costs[buyer] += price
        led.records_by_origin[buyer] += led.records_by_origin[i]
        led.records_scraped[buyer] += led.records_scraped[i]
        led.record_flow("data", led.entity_org(i), led.entity_org(buyer), n)
    led.records_by_origin[i] = 0.0
    led.records_scraped[i] = 0.0
    ent.filled[i] = ent.seen[i] = 0
    led.money[entity.org] = led.compute[entity.org] = 0.0

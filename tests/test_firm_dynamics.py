"""Firm dynamics: entities that cannot serve lose their customers, those that stay insolvent
exit and their data go as the terms say; providers enter at a scheduled step or, as often as a
seat is free, when the incumbents' published profits would pay the entry cost back."""

from __future__ import annotations

import numpy as np

from hetsim.scenarios.builder import build_model, load_scenario

BASE = ["communities.count=24", "annotators.count=12", "large_entities.count=3"]
NO_ENTRANTS = "large_entities.entry_when_profitable.slots=0"  # entry is tested on its own
KEEP_SELLING = ["large_entities.stop_selling_when_unable=false"]
LOSSMAKING = ["large_entities.operating_cost=40.0", "large_entities.credit_limit=20.0"]


def run(*overrides: str, steps: int = 8, seed: int = 0):
    if not any(o.startswith(NO_ENTRANTS.split("=")[0]) for o in overrides):
        overrides = (*overrides, NO_ENTRANTS)
    model = build_model(load_scenario("status_quo", [*BASE, *overrides]), seed=seed)
    for _ in range(steps):
        model.step()
    return model


def customers_of(model, entity: int) -> int:
    com = model.community_arrays
    return int(((com.partner == entity) & model.strategy_flag("with_entity")).sum())


def test_insolvent_entities_exit_and_their_customers_choose_again():
    model = run(*LOSSMAKING, "large_entities.exit_after=2")
    ent = model.entity_arrays
    assert not ent.active.any()  # every entity ran out of credit and left
    assert all(customers_of(model, e) == 0 for e in range(ent.n))
    entities = model.recorder.entity_table()
    gone = entities[~entities["active"]]
    exit_step = gone.groupby("entity")["step"].transform("min")
    # customers keep the step they were served in and choose again at the next one
    assert (gone.loc[gone["step"] > exit_step, "customers"] == 0).all()
    assert (entities.loc[entities["active"], "customers"] > 0).any()  # they had customers


def test_a_firm_below_its_credit_line_or_without_compute_to_retrain_loses_its_customers():
    """Service degrades: a firm that cannot serve is not offered and its customers choose
    again; switched off, the same insolvent firms keep selling."""
    for unable in (LOSSMAKING, ["large_entities.compute=5.0", "large_entities.invest_fraction=0"]):
        model = run(*unable, "large_entities.exit_after=1000")
        table = model.recorder.entity_table()
        assert (~table["serving"]).any()
        assert (table.loc[~table["serving"], "customers"] == 0).all()
        kept = run(*unable, "large_entities.exit_after=1000", *KEEP_SELLING)
        kept_table = kept.recorder.entity_table()
        assert kept_table["serving"].all()
        spec = kept.spec.large_entities
        cannot = (kept_table["capital"] < -spec.credit_limit) | (kept_table["compute"] < 10)
        assert kept_table.loc[cannot, "customers"].sum() > 0


def test_an_exiting_entity_returns_records_held_on_the_communities_terms_and_sells_the_rest():
    model = run('communities.strategy="share"', "exchange.sovereignty_terms=true", steps=4)
    ent, led = model.entity_arrays, model.ledger
    leaving = int(np.argmax(led.records_sovereign_by_origin.sum(axis=1)))
    origins = np.flatnonzero(led.records_sovereign_by_origin[leaving] > 0)
    assert origins.size
    buyers = [e for e in range(ent.n) if e != leaving]
    richest = max(buyers, key=lambda e: led.money[led.entity_org(e)])
    before = int(ent.seen[richest])
    held_on_terms = ent.records_of(richest, origins, on_terms=True).size
    on_terms = ent.records_of(leaving, origins, on_terms=True).size
    assert on_terms > 0
    kept = int(ent.filled[leaving]) - on_terms  # scraped, or shared on the entity's terms
    model.agents_by_type[type(model.members["large_entities"][0])].select(
        lambda a: a.index == leaving
    ).do("exit_market")
    assert not ent.active[leaving]
    assert led.records_by_origin[leaving].sum() == 0
    assert int(ent.seen[richest]) == before + kept  # the buyer got the rest of the pool...
    # ...and none of the records held on the communities' terms, which went back to them
    assert ent.records_of(richest, origins, on_terms=True).size == held_on_terms
    assert led.records_sovereign_by_origin[leaving].sum() == 0


def test_a_scheduled_provider_enters_the_market_at_its_step():
    entry = "large_entities.entries=[{step = 3, open_weights = true, capital = 40.0}]"
    model = run(entry, steps=2)
    ent, led = model.entity_arrays, model.ledger
    newcomer = ent.n - 1
    assert not ent.active[newcomer] and led.money[led.entity_org(newcomer)] == 0
    model.step()
    assert ent.active[newcomer] and ent.filled[newcomer] > 0
    for _ in range(6):
        model.step()
    table = model.recorder.entity_table()
    assert table.loc[table["entity"] == f"E{newcomer}", "active"].tolist()[:2] == [False, False]
    assert model.recorder.metrics_table()["entities_active"].tolist()[:3] == [3, 3, 4]


def test_providers_enter_when_incumbents_profits_would_pay_entry_back():
    """Free entry: potential entrants read the incumbents' published operating profit and enter,
    one a quarter, when it would pay back their entry cost (compute and other sunk costs)
    within the payback period; they stay out of a market that loses money, and a sunk cost
    keeps them out of one that would pay back the compute alone."""
    entry = "large_entities.entry_when_profitable.slots=2"
    model = run(entry, steps=1)
    ent, spec = model.entity_arrays, model.spec.large_entities
    rule = spec.entry_when_profitable
    payback = rule.compute * spec.compute_price + rule.sunk_cost
    # accounts showing a profit that pays entry back in a quarter: entrants come, one a quarter
    ent.profit_published[:3] = 2.0 * payback
    model.step()
    ent.profit_published[:3] = np.maximum(ent.profit_published[:3], 2.0 * payback)
    model.step()
    assert ent.entered_at[3] == 2 and ent.entered_at[4] == 3
    # the same accounts read by entrants wanting their money back in less time than it takes
    impatient = run(entry, "large_entities.entry_when_profitable.payback_quarters=1", steps=1)
    impatient.entity_arrays.profit_published[:3] = 0.5 * payback
    impatient.step()
    assert (impatient.entity_arrays.entered_at[3:] < 0).all()
    # a market that loses money attracts no one
    assert (run(entry, *LOSSMAKING, steps=30).entity_arrays.entered_at[3:] < 0).all()
    # a barrier: the same accounts (16 x the compute in 8 quarters) do not pay back a sunk cost
    # twenty times the compute
    barrier = run(entry, f"large_entities.entry_when_profitable.sunk_cost={20 * payback}", steps=1)
    barrier.entity_arrays.profit_published[:3] = 2.0 * payback
    barrier.step()
    assert (barrier.entity_arrays.entered_at[3:] < 0).all()


def test_firms_enter_as_often_as_entry_pays_into_seats_others_left():
    """Entry is not a count: with one seat for entrants, a firm takes it, and when an
    incumbent exits the next entrant takes its seat; each entry is reported with its cost."""
    model = run("large_entities.entry_when_profitable.slots=1", steps=1)
    ent, spec = model.entity_arrays, model.spec.large_entities
    rule = spec.entry_when_profitable
    cost = rule.compute * spec.compute_price + rule.sunk_cost
    ent.profit_published[:3] = 2.0 * cost
    model.step()
    assert ent.entered_at[3] == 2  # the seat for entrants is taken
    model.members["large_entities"][0].exit_market()
    ent.profit_published[1:4] = 2.0 * cost
    model.step()
    assert ent.active[0] and ent.entered_at[0] == 3  # a new firm in the seat E0 left
    table = model.recorder.metrics_table()
    assert table["entries"].tolist() == [0, 1, 1]
    assert table["entry_cost"].tolist() == [0.0, cost, cost]


def test_a_fine_on_an_insolvent_firm_becomes_recorded_debt():
    """A fine is a share of money, of annual turnover or of the value of the firm's compute,
    whichever is highest; what the cash does not cover is added to the firm's debt and
    recorded, so no sanctioned firm is fined nothing."""
    model = run("regulators.count=2", steps=5)
    ent, led = model.entity_arrays, model.ledger
    e = int(np.argmax(ent.quarterly_revenue.sum(axis=1)))
    turnover = float(ent.quarterly_revenue[e].sum())
    assert turnover > 0
    org = led.entity_org(e)
    led.money[org] = -5.0  # in debt, within its credit line
    fined_before = model.jurisdictions.fines
    model.members["regulators"][0].sanction(e, violation=True, washed=False)
    base = max(turnover, led.compute[org] * model.spec.large_entities.compute_price)
    fine = model.spec.regulators.penalty_fraction * base
    assert led.money[org] == -5.0 - fine
    assert ent.fines_into_debt[e] == fine
    assert model.jurisdictions.fines - fined_before == fine


def empty_the_market(model) -> None:
    for entity in model.members["large_entities"]:
        if entity.operating:
            entity.exit_market()


def test_an_empty_market_refills_from_the_demand_an_entrant_can_observe():
    """With no incumbent to read, a would-be entrant surveys demand: the communities buying
    no model, at the initial price, against the costs it would run. It enters the emptied
    market, paying its entry cost, and again each time the market empties; where that demand
    would not pay the entry cost back, or the world has no large entities, none enters."""
    model = run("large_entities.entry_when_profitable.slots=1", steps=1)
    ent, spec = model.entity_arrays, model.spec.large_entities
    rule = spec.entry_when_profitable
    cost = rule.compute * spec.compute_price + rule.sunk_cost
    for _ in range(2):
        empty_the_market(model)
        model.step()
        assert ent.active.sum() == 1 and ent.entered_at[0] == model.steps  # E0's seat, refilled
    table = model.recorder.metrics_table()
    assert table["entries"].tolist() == [0, 1, 1]
    assert table["entry_cost"].tolist() == [0.0, cost, cost]
    # 24 communities at a price of 0.01 a quarter do not cover the costs of running a firm
    thin = run("large_entities.entry_when_profitable.slots=1", "large_entities.access_price=0.01")
    empty_the_market(thin)
    for _ in range(3):
        thin.step()
    assert not thin.entity_arrays.active.any()
    # a world staged without large entities stays without them
    world = [*BASE[:2], "large_entities.count=0", "large_entities.entry_when_profitable.slots=1"]
    alone = build_model(load_scenario("status_quo", world), seed=0)
    for _ in range(3):
        alone.step()
    assert not alone.entity_arrays.active.any()


def test_a_firm_in_a_seat_another_left_starts_with_a_fresh_privacy_ledger():
    """The ε a firm has spent is its own: a new firm in a freed seat has released nothing
    before its first training, so its cumulative ε is that of one release, not the sum of
    the last firm's and its own. It trains where the seat's home is, not where the last firm
    had moved to."""
    dp = ["large_entities.effective_epsilon=2.0", "practices.energy_awareness=0.0"]
    world = ["large_entities.entry_when_profitable.slots=1", "regulators.count=2", *dp]
    model = run(*world, steps=6)
    ent, delta = model.entity_arrays, model.spec.learning.dp_delta
    before = ent.privacy.epsilon_spent(delta)[0]
    assert ent.privacy.counts[0].sum() > 1  # the first firm's releases
    assert ent.jurisdiction[0] == 0
    ent.jurisdiction[0] = 1  # the first firm moved its training abroad
    empty_the_market(model)
    model.step()
    assert ent.entered_at[0] == model.steps
    assert ent.privacy.counts[0].sum() == 1  # the new firm's one release
    assert 0.0 < ent.privacy.epsilon_spent(delta)[0] < before
    assert ent.jurisdiction[0] == 0

"""Firm dynamics: entities that stay insolvent exit, their customers choose again and their
data go as the terms say; providers enter at a scheduled step or when the incumbents' published
profits would pay entry back."""

from __future__ import annotations

import numpy as np

from hetsim.scenarios.builder import build_model, load_scenario

BASE = ["communities.count=24", "annotators.count=12", "large_entities.count=3"]
NO_ENTRANTS = "large_entities.entry_when_profitable.slots=0"  # entry is tested on its own
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
    assert (gone.loc[gone["step"] > exit_step, "customers"] == 0).all()  # they chose again
    assert (gone.loc[gone["step"] == exit_step, "customers"] > 0).any()  # it had customers
    # without exit the same insolvent firms would keep selling
    kept = run(*LOSSMAKING, "large_entities.exit_after=1000")
    assert kept.entity_arrays.active.all()
    assert sum(customers_of(kept, e) for e in range(kept.entity_arrays.n)) > 0


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
    one a quarter, when it would pay back their compute within the payback period; they stay
    out of a market that loses money."""
    entry = "large_entities.entry_when_profitable.slots=2"
    model = run(entry, steps=1)
    ent, spec = model.entity_arrays, model.spec.large_entities
    payback = spec.entry_when_profitable.compute * spec.compute_price
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

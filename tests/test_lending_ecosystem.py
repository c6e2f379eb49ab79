"""Lending inside the ecosystem: deployed models decide, and the decisions change people.

The wiring has switches: ``lending.decided_by = "oracle"`` runs the stand-alone environment
instead of the deployed models, ``lending.shift_increment = 0`` stops loans from moving anyone's
credit score and ``lending.loan_money = 0`` from moving anyone's money. Each test shows its
claim failing with its switch off, or compares paired worlds (one seed) differing in one key.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from hetsim.scenarios.builder import build_model, load_scenario
from hetsim.simulation.lending.ecosystem import lending_params
from hetsim.simulation.lending.params import LendingParams
from hetsim.simulation.population import Population
from hetsim.simulation.schema import DataSection, ScenarioError

SMALL = [
    "communities.count=12",
    "annotators.count=8",
    "large_entities.count=2",
    "regulators.count=2",
    "lending.applicants_per_step=40",
]


def _model(*overrides: str, seed: int = 0):
    chosen = dict(text.split("=", 1) for text in [*SMALL, *overrides])  # overrides replace
    keys = [f"{key}={value}" for key, value in chosen.items()]
    return build_model(load_scenario("lending_delayed_impact", keys), seed=seed)


def _lend_with_reversed_model(decided_by: str, steps: int = 2):
    """One step of lending in two identical worlds (same seed, same history); in the second
    the deployed models rank the applicants in reverse, for this step's lending only."""
    overrides = [f'lending.decided_by="{decided_by}"', 'lending.policy_source="fixed"']
    same, reversed_ = _model(*overrides), _model(*overrides)
    for _ in range(steps):
        same.step()
        reversed_.step()
    original = reversed_.deployed_scores
    reversed_.deployed_scores = lambda users, x: -original(users, x)
    return same.lending.step(same), reversed_.lending.step(reversed_)


def test_lending_decisions_come_from_the_deployed_models():
    """The same applicants, one lender's deployed model ranking them in reverse: it approves
    other people and earns less, so the loans follow the model the community deploys."""
    same, reversed_ = _lend_with_reversed_model("deployed_models")
    assert not np.array_equal(same.loans, reversed_.loans)
    assert reversed_.profit.sum() < same.profit.sum()
    # switched off: the stand-alone oracle decides, whatever the communities deploy
    same, reversed_ = _lend_with_reversed_model("oracle")
    assert np.array_equal(same.loans, reversed_.loans)


def _approval_gap(*overrides: str, seeds: range = range(3)) -> float:
    """Majority's minus minority's approval rate in the first step's lending, over seeds."""
    loans, applicants = np.zeros(2), np.zeros(2)
    for seed in seeds:
        model = _model("lending.applicants_per_step=200", *overrides, seed=seed)
        model.step()
        loans += model.lending_record.loans[:, :2].sum(axis=0)
        applicants += model.lending_record.applicants[:, :2].sum(axis=0)
    rate = loans / applicants
    return float(rate[0] - rate[1])


def test_a_lender_applies_the_notion_its_policy_source_names():
    """Paired worlds that differ only in whose notion sets the lending policy. Communities
    holding demographic parity that lend by it narrow the approval gap the profit maximiser
    leaves their minority; communities holding no notion narrow it when lending follows their
    jurisdiction and the jurisdiction mandates demographic parity."""
    parity = "communities.values.notions={demographic_parity=1.0}"
    by_own = _approval_gap(parity, 'lending.policy_source="community"')
    by_fixed = _approval_gap(parity, 'lending.policy_source="fixed"')
    assert by_fixed > 0.05  # the group-blind bar approves the minority less
    assert by_own < 0.7 * by_fixed
    no_notion = "communities.values.notions={none=1.0}"
    mandate = 'regulators.mandated_notions=["demographic_parity"]'
    by_law = _approval_gap(no_notion, mandate, 'lending.policy_source="jurisdiction"')
    by_none = _approval_gap(no_notion, mandate, 'lending.policy_source="community"')
    assert by_none > 0.05
    assert by_law < 0.7 * by_none


def _minority_credit(steps: int, *overrides: str, seed: int) -> tuple[float, int]:
    """Mean credit-score shift of group a = 1 after ``steps`` and the loans it received."""
    model = _model('lending.policy_source="fixed"', *overrides, seed=seed)
    loans = 0
    for _ in range(steps):
        model.step()
        loans += int(model.lending_record.loans[:, 1].sum())
    shift = model.population.credit_shift
    return float(shift[:, 1].mean()) if shift is not None else 0.0, loans


@pytest.mark.parametrize("seed", [0, 1])
def test_approving_more_of_a_group_moves_its_credit_scores(seed):
    """A lender that approves every minority applicant (burn-in) lends to many who default:
    their group's credit score falls further than under the profit maximiser's bar."""
    steps = 6
    bar, bar_loans = _minority_credit(steps, seed=seed)
    everyone, all_loans = _minority_credit(steps, f"lending.burn_in={steps}", seed=seed)
    assert all_loans > bar_loans
    assert everyone < min(bar, 0.0)  # the bar alone may move it either way (Liu et al. §3)
    # switched off: with no shift per borrower, loans leave every score where it was
    off = _minority_credit(
        steps, f"lending.burn_in={steps}", "lending.shift_increment=0", seed=seed
    )
    assert off[0] == 0.0 and off[1] > bar_loans


def test_a_moved_credit_score_changes_the_data_people_bring():
    """The population draws a group with a raised credit score as more likely to repay."""
    rng = np.random.default_rng(3)
    population = Population.generate(DataSection(), 4, 2, rng)
    before = population.draw(4000, np.random.default_rng(9))
    population.credit_shift = np.zeros((4, 3))
    population.credit_shift[:, 1] = 1.0
    after = population.draw(4000, np.random.default_rng(9))
    minority, majority = before.a == 1, before.a == 0
    assert np.array_equal(before.a, after.a)
    assert after.y[minority].mean() > before.y[minority].mean() + 0.05
    assert np.array_equal(after.y[majority], before.y[majority])


def test_lending_feeds_back_into_the_records_communities_train_on():
    """Paired seeds: moved credit scores reach the communities' next records."""
    moved, frozen = _model(), _model("lending.shift_increment=0")
    for _ in range(4):
        moved.step()
        frozen.step()
    assert moved.population.credit_shift is not None
    assert not np.array_equal(moved.community_arrays.x, frozen.community_arrays.x)


def test_lending_outcomes_enter_satisfaction_and_trust():
    """Communities served by an entity's model trust it less when its loans harm their people."""
    adopt = ['communities.strategy="adopt"', "lending.burn_in=5"]  # approving all: harm
    cold, caring = _model(*adopt, "lending.satisfaction_weight=0"), _model(*adopt)
    cold.step()
    caring.step()
    impact = caring.lending_record.impact_per_applicant()
    assert impact.mean() < 0.0
    users = np.flatnonzero(caring.strategy_flag("entity_controls"))
    partner = caring.community_arrays.partner[users]
    assert users.size
    assert caring.ledger.trust[users, partner].mean() < cold.ledger.trust[users, partner].mean()


def _lenders_money(*overrides: str) -> tuple[np.ndarray, np.ndarray]:
    """Each community's money and its lending pool's profit after one step of lending."""
    model = _model('lending.policy_source="fixed"', *overrides)
    model.step()
    ledger = model.ledger
    money = ledger.money[ledger.community_org(np.arange(model.community_arrays.n))]
    return money.copy(), model.lending_record.profit


def test_loans_move_the_lending_communitys_money():
    """A lending pool earns interest on repayments and loses the principal of defaults: a step
    of approving everyone (burn-in) leaves the lenders poorer than a step under the profit
    maximiser's bar, by what their loans earned less."""
    all_approved, all_profit = _lenders_money("lending.burn_in=1")
    by_bar, bar_profit = _lenders_money()
    assert all_approved.sum() < by_bar.sum()
    np.testing.assert_allclose(all_approved - by_bar, all_profit - bar_profit)
    # switched off: loans that move no money leave the paired ledgers equal
    free_all, _ = _lenders_money("lending.burn_in=1", "lending.loan_money=0")
    free_bar, _ = _lenders_money("lending.loan_money=0")
    np.testing.assert_array_equal(free_all, free_bar)


def test_every_stand_alone_parameter_is_reachable_from_a_scenario():
    values = {
        "success_probability": "[0.2, 0.5, 0.9]",
        "initial_distribution": "[[0.2, 0.3, 0.5], [0.5, 0.3, 0.2]]",
        "group_shares": "[0.4, 0.6]",
        "loan_size": "2.0",
        "interest_rate": "0.5",
        "shift_increment": "0.05",
        "applicants_per_step": "7",
        "policy": '"demographic_parity"',
        "fairness_grid_size": "51",
        "burn_in": "4",
    }
    assert set(values) == {f.name for f in dataclasses.fields(LendingParams)}
    scenario = load_scenario(
        "lending_delayed_impact", [f"lending.{key}={value}" for key, value in values.items()]
    )
    params = lending_params(scenario)
    assert params.fairness_grid_size == 51 and params.burn_in == 4
    assert params.applicants_per_step == 7 and params.group_shares == (0.4, 0.6)


@pytest.mark.parametrize(
    ("override", "named"),
    [
        ("lending.burn_in=-1", "burn_in"),
        ("lending.fairness_grid_size=1", "fairness_grid_size"),
        ("lending.applicants_per_step=0", "applicants_per_step"),
        ("lending.score_loss_default=-0.5", "score_loss_default"),
        ('lending.decided_by="bank"', "decided_by"),
        ('lending.decided_by="oracle"', "policy_source"),
    ],
)
def test_bad_lending_keys_are_refused_by_name(override, named):
    with pytest.raises(ScenarioError, match=named):
        load_scenario("lending_delayed_impact", [override])

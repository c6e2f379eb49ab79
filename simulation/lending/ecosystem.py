"""Decisions that change people: the lending domain inside the ecosystem (§2.1, §2.4.1).

When a scenario switches lending on, each community lends to its own people with the model it
deploys (its own, or the one it depends on). Every step its applicants are drawn from its
population; the deployed model scores them, and the lender approves ``score > threshold`` with
per-group thresholds that maximise its profit on its own labelled records under its policy:
the fairness notion of the community, of its jurisdiction, or one fixed for all
(``lending.policy_source``). Approved applicants repay with their true repayment probability
(their label in the population: P(y | merit)); a repayment raises, a default lowers their
group's credit score in the community's population (Liu et al. 2018; the increment per
borrower as ml-fairness-gym's ``cluster_shift_increment``), so the next steps' records, labels
and models change. Interest and defaults move the community's money; the applicants' mean
credit-score change enters its satisfaction.

``lending.decided_by = "oracle"`` runs instead the stand-alone environment of
:mod:`hetsim.simulation.lending.environment` beside the ecosystem, for replications.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from hetsim.simulation.fairness import MIN_GROUP_ROWS
from hetsim.simulation.lending import environment as lending_env
from hetsim.simulation.lending.params import LendingParams
from hetsim.simulation.lending.policy import score_thresholds
from hetsim.simulation.population import N_GROUPS
from hetsim.simulation.schema import Scenario, ScenarioError

if TYPE_CHECKING:
    from hetsim.simulation.model import EcosystemModel

__all__ = ["POLICY_OF_NOTION", "EcosystemLending", "LendingOutcome", "domain"]

#: The lending policy that serves each fairness notion. Liu et al. study demographic parity
#: and equal opportunity; equalized odds lends as equal opportunity (its constraint on
#: creditworthy applicants: thresholds alone cannot also equalise false-positive rates), a
#: quota as demographic parity (a floor on the protected groups' selection rate) and "none"
#: as the profit maximiser.
POLICY_OF_NOTION: dict[str, str] = {
    "demographic_parity": "demographic_parity",
    "equal_opportunity": "equal_opportunity",
    "equalized_odds": "equal_opportunity",
    "quota": "demographic_parity",
    "none": "max_utility",
}


def lending_params(scenario: Scenario) -> LendingParams:
    """The scenario's lending parameters, validated (a ScenarioError names the key)."""
    spec = scenario.lending
    try:
        return LendingParams(
            success_probability=tuple(spec.success_probability),
            initial_distribution=tuple(tuple(row) for row in spec.initial_distribution),
            group_shares=tuple(spec.group_shares),
            loan_size=spec.loan_size,
            interest_rate=spec.interest_rate,
            shift_increment=spec.shift_increment,
            applicants_per_step=spec.applicants_per_step,
            policy=spec.policy,
            fairness_grid_size=spec.fairness_grid_size,
            burn_in=spec.burn_in,
        )
    except ValueError as exc:
        raise ScenarioError(f"lending: {exc}") from None


@dataclass(frozen=True)
class LendingOutcome:
    """One step of lending in the ecosystem, per community and group (attribute ``a``)."""

    applicants: np.ndarray  # (C, G) applicants drawn
    loans: np.ndarray  # (C, G) applicants approved
    repaid: np.ndarray  # (C, G) borrowers who repaid
    defaulted: np.ndarray  # (C, G) borrowers who defaulted
    score_change: np.ndarray  # (C, G) change of the group's mean credit score, sd
    credit_score: np.ndarray  # (C, G) the group's credit score shift since the start, sd
    mean_repayment_probability: np.ndarray  # (C, G) share of applicants who would repay
    policy: np.ndarray  # (C,) the lending policy applied
    profit: np.ndarray  # (C,) money the community's lending pool earned (lost if < 0)

    def columns(self) -> dict[str, np.ndarray]:
        """``(C, G)`` arrays by column name for ``lending.parquet``."""
        with np.errstate(invalid="ignore", divide="ignore"):
            approval = self.loans / self.applicants
            default = self.defaulted / self.loans
        return {
            "applicants": self.applicants,
            "loans": self.loans,
            "repaid": self.repaid,
            "defaulted": self.defaulted,
            "approval_rate": approval,
            "default_rate": default,
            "score_change": self.score_change,
            "credit_score": self.credit_score,
            "mean_repayment_probability": self.mean_repayment_probability,
            "policy": np.repeat(self.policy[:, None], self.loans.shape[1], axis=1),
        }

    def impact_per_applicant(self) -> np.ndarray:
        """(C,) the applicants' mean credit-score change this step, sd (Liu et al.'s Δμ)."""
        moved = (self.score_change * self.applicants).sum(axis=1)
        return moved / np.maximum(self.applicants.sum(axis=1), 1)


class EcosystemLending:
    """Communities lend to their own people with their deployed models; loans change people."""

    def __init__(self, scenario: Scenario, n_communities: int) -> None:
        self.params = lending_params(scenario)
        self.spec = scenario.lending
        self.steps = 0
        self.n = n_communities

    def policies(self, model: EcosystemModel) -> np.ndarray:
        """(C,) each lender's policy: fixed, its community's notion or its jurisdiction's."""
        com, spec = model.community_arrays, model.spec.lending
        if spec.policy_source == "fixed":
            return np.full(com.n, spec.policy, dtype=object)
        notion = com.notion.astype(object)
        locally_defined = model.spec.regulators.locally_defined  # §2.3: its own notion is law
        if spec.policy_source == "jurisdiction" and model.jurisdictions.n and not locally_defined:
            # a community outside every jurisdiction lends by its own notion
            ruled = com.jurisdiction >= 0
            notion = np.where(
                ruled, model.jurisdictions.notion[np.maximum(com.jurisdiction, 0)], notion
            )
        return np.array([POLICY_OF_NOTION[str(n)] for n in notion], dtype=object)

    def thresholds(self, model: EcosystemModel, policy: np.ndarray) -> np.ndarray:
        """(C, G) thresholds on the deployed scores, from each community's labelled window."""
        com = model.community_arrays
        if self.steps < self.params.burn_in:  # ml-fairness-gym's burn-in: approve everyone
            return np.full((com.n, N_GROUPS), -np.inf)
        everyone = np.arange(com.n)
        window = model.deployed_scores(everyone, com.x)
        model.training.charge_inference(2.0 * com.x.shape[2] * window.size)
        valid = np.arange(com.window)[None, :] < com.filled[:, None]
        return score_thresholds(
            window, com.label == 1, com.group, valid, policy, self.params, N_GROUPS, MIN_GROUP_ROWS
        )

    def step(self, model: EcosystemModel) -> LendingOutcome:
        """Lend to this step's applicants and move their groups' credit scores."""
        com, spec, params = model.community_arrays, self.spec, self.params
        everyone = np.arange(com.n)
        policy = self.policies(model)
        cut = self.thresholds(model, policy)
        people = model.population.draw(params.applicants_per_step, model.rng)
        score = model.deployed_scores(everyone, people.x)
        model.training.charge_inference(2.0 * people.x.shape[2] * score.size)
        approved = score > np.take_along_axis(cut, people.group.astype(np.int64), axis=1)
        repays = people.y == 1  # drawn from the applicant's true P(repay | merit)

        def by_group(mask: np.ndarray) -> np.ndarray:
            onehot = people.a[..., None] == np.arange(N_GROUPS)
            return (mask[..., None] & onehot).sum(axis=1)

        applicants = by_group(np.ones_like(approved))
        loans = by_group(approved)
        repaid = by_group(approved & repays)
        defaulted = loans - repaid
        # Liu et al.: each repayment raises, each default lowers the borrower's score; the
        # group's score moves by shift_increment per borrower (ml-fairness-gym)
        change = params.shift_increment * (
            spec.score_gain_repaid * repaid - spec.score_loss_default * defaulted
        )
        population = model.population
        if population.credit_shift is None:
            population.credit_shift = np.zeros((com.n, N_GROUPS))
        population.credit_shift += change
        profit = spec.loan_money * (params.interest_rate * repaid - defaulted).sum(axis=1)
        if spec.loan_money > 0:
            model.ledger.money[model.ledger.community_org(everyone)] += profit
        would_repay = by_group(repays)
        with np.errstate(invalid="ignore", divide="ignore"):
            share_repaying = np.where(applicants > 0, would_repay / applicants, np.nan)
        self.steps += 1
        return LendingOutcome(
            applicants=applicants,
            loans=loans,
            repaid=repaid,
            defaulted=defaulted,
            score_change=change,
            credit_score=population.credit_shift.copy(),
            mean_repayment_probability=share_repaying,
            policy=policy.astype(str),
            profit=profit,
        )


class OracleLending:
    """The stand-alone environment (Liu et al. / ml-fairness-gym) stepped beside the ecosystem."""

    def __init__(self, scenario: Scenario, n_communities: int) -> None:
        self.params = lending_params(scenario)
        self.state = lending_env.init_state(self.params, n_communities)

    def step(self, model: EcosystemModel) -> lending_env.LendingStepRecord:
        """One step of the stand-alone environment with the model's generator."""
        return lending_env.step(self.state, self.params, model.rng)


def domain(scenario: Scenario, n_communities: int) -> EcosystemLending | OracleLending | None:
    """The lending domain the scenario switches on, or None."""
    spec = scenario.lending
    if not spec.enabled or n_communities == 0:
        return None
    if spec.decided_by == "oracle":
        return OracleLending(scenario, n_communities)
    return EcosystemLending(scenario, n_communities)


def satisfaction_term(model: EcosystemModel) -> np.ndarray:
    """(C,) lending's weighted contribution to each community's satisfaction (0 when off)."""
    record = getattr(model, "lending_record", None)
    if not isinstance(record, LendingOutcome):
        return np.zeros(model.community_arrays.n)
    return model.spec.lending.satisfaction_weight * record.impact_per_applicant()

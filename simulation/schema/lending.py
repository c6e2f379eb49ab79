"""The ``[lending]`` section (§2.1, §2.4.1): lending with delayed impact (Liu et al. 2018)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from hetsim.simulation.schema.base import NonNegative, Probability, Section

LendingPolicy = Literal["max_utility", "equal_opportunity", "demographic_parity"]


class LendingSection(Section):
    """Lending with delayed impact: decisions that change people (Liu et al. 2018, §2.1)."""

    enabled: bool = Field(False, description="switch the lending domain on")
    decided_by: Literal["deployed_models", "oracle"] = Field(
        "deployed_models",
        description="deployed_models: each community's deployed model scores its own applicants "
        "and loans move their group's credit score in its population; oracle: the stand-alone "
        "environment of Liu et al. / ml-fairness-gym runs beside the ecosystem (replications)",
    )
    policy_source: Literal["fixed", "community", "jurisdiction"] = Field(
        "community",
        description="whose fairness notion sets each lender's policy: fixed (lending.policy for "
        "all), community (its own notion) or jurisdiction (its regulator's mandated notion); "
        "the oracle takes fixed only",
    )
    policy: LendingPolicy = Field(
        "max_utility", description="the lender's policy when policy_source is fixed"
    )
    success_probability: list[Probability] = Field(
        default_factory=lambda: [0.1, 0.2, 0.45, 0.6, 0.65, 0.7, 0.7],
        min_length=2,
        description="oracle: repayment probability of each credit-score bucket (ml-fairness-gym)",
    )
    initial_distribution: list[list[Probability]] = Field(
        default_factory=lambda: [
            [0.0, 0.1, 0.1, 0.2, 0.3, 0.3, 0.0],
            [0.1, 0.1, 0.2, 0.3, 0.3, 0.0, 0.0],
        ],
        description="oracle: initial share of each group's applicants in each score bucket, "
        "a row a group",
    )
    group_shares: list[Probability] = Field(
        default_factory=lambda: [0.5, 0.5], description="oracle: share of applicants in each group"
    )
    loan_size: float = Field(
        1.0, gt=0.0, le=1e6, description="principal the lender loses on a default (its utility)"
    )
    interest_rate: float = Field(
        1.0,
        gt=0.0,
        le=100.0,
        description="interest earned on a repaid loan, a fraction of the loan (ml-fairness-gym "
        "experiments: 1.0, break-even at repayment probability 0.5)",
    )
    shift_increment: Probability = Field(
        0.01,
        description="share of a group one borrower stands for: the group's credit score moves "
        "by this times the borrower's own change (ml-fairness-gym cluster_shift_increment)",
    )
    applicants_per_step: int = Field(
        1, ge=1, le=100_000, description="applicants per community and step"
    )
    burn_in: int = Field(
        0,
        ge=0,
        le=100_000,
        description="first steps in which every applicant is approved, as ml-fairness-gym's "
        "agents do to gather data (its experiments: 50); 0: lenders apply their policy at once",
    )
    fairness_grid_size: int = Field(
        201,
        ge=2,
        le=100_001,
        description="target rates in [0, 1] searched by the constrained policies (201: a "
        "resolution of 0.005)",
    )
    score_gain_repaid: NonNegative = Field(
        0.75,
        le=10.0,
        description="deployed_models: credit-score rise of a borrower who repays, in standard "
        "deviations of the latent merit (Liu et al. 2018 §6: +75 FICO points, sd ~100)",
    )
    score_loss_default: NonNegative = Field(
        1.5,
        le=10.0,
        description="deployed_models: credit-score fall of a borrower who defaults, in standard "
        "deviations (Liu et al. 2018 §6: -150 FICO points)",
    )
    loan_money: NonNegative = Field(
        0.1,
        le=1e6,
        description="deployed_models: money a loan moves through the community's ledger (its "
        "lending pool): lost on a default, interest_rate times it earned on repayment; 0.1 "
        "keeps a step's lending near a tenth of the median budget (communities.budget 4)",
    )
    satisfaction_weight: NonNegative = Field(
        1.0,
        le=100.0,
        description="deployed_models: weight in a community's satisfaction of its applicants' "
        "mean credit-score change (sd per applicant and step), on the scale of accuracy: a "
        "policy costing each applicant 0.1 sd weighs as 0.1 accuracy lost",
    )

    @model_validator(mode="after")
    def _oracle_has_a_fixed_policy(self) -> LendingSection:
        if self.decided_by == "oracle" and self.policy_source != "fixed":
            raise ValueError(
                f"lending.policy_source = {self.policy_source!r} needs lenders with a fairness "
                "notion; the oracle (decided_by = 'oracle') takes policy_source = 'fixed'"
            )
        return self

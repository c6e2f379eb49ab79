"""The ``[communities]`` section (§2, §4) and its ``[communities.values]`` table (§2.3, §2.4.1).

Small communities' population, data, resources and strategy, and the values profiles they are
drawn with.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, model_validator

from hetsim.simulation.schema.base import (
    Amount,
    Epsilon,
    FairnessNotion,
    NonNegative,
    Probability,
    Section,
    Spread,
    Weight,
)

# Strategy names are checked against the strategies the model is built with (a plug-in
# mapping, hetsim.agents.strategies.STRATEGIES) when a scenario is loaded or a model is built.
StrategyName = Annotated[str, Field(min_length=1, pattern=r"^[a-z_]+$")]


def _notion_frequencies() -> dict[FairnessNotion, float]:
    """The default mix of notions communities hold (communities.values.notions)."""
    return {
        "demographic_parity": 1.0,
        "equal_opportunity": 1.0,
        "equalized_odds": 1.0,
        "quota": 0.5,
        "none": 0.5,
    }


class ValuesSection(Section):
    """Communities' values profiles (§2.3, §2.4.1), drawn heterogeneously."""

    notions: dict[FairnessNotion, NonNegative] = Field(
        default_factory=_notion_frequencies,
        description="relative frequency of each fairness notion among communities",
    )
    quota_target: Probability = Field(0.4, description="selection rate a quota asks per group")
    weight_accuracy: Weight = Field(
        1.0, description="weight on a model's accuracy in a community's utility (the unit)"
    )
    weight_fairness: Weight = Field(
        1.0, description="weight on the fairness gap under the community's own notion"
    )
    weight_privacy: Weight = Field(
        0.1, description="weight on the exposure of the community's people (a strategy's cost)"
    )
    weight_sovereignty: Weight = Field(
        0.1, description="weight on control over its data given up (a strategy's cost, §4.1)"
    )
    weight_money: Weight = Field(0.5, description="weight on spending a step's budget")
    trust_premium: Weight = Field(
        0.2, description="utility a fully distrusted provider loses (risk of misuse)"
    )
    weight_spread: Probability = Field(0.5, description="relative spread of the weights")
    fairness_tolerance: Probability = Field(0.15, description="largest acceptable own gap")
    min_accuracy: Probability = Field(0.65, description="lowest acceptable accuracy")
    explainability_need: Probability = Field(0.3, description="mean need to explain decisions")
    explainability_spread: Spread = Field(
        0.2, description="spread (sd) of the need across communities, clipped to [0, 1]"
    )
    adaptation_premium: Probability = Field(
        0.5,
        description="share of the distrust premium an option bears when the community keeps "
        "the model it makes from an entity's (fine-tuning, distilling) rather than the entity",
    )
    weight_explainability: Weight = Field(0.2, description="weight on an unmet need")
    majority_rule_alpha: Probability = Field(
        0.05,
        description="level of the one-sided McNemar test (Dietterich 1998) by which a community "
        "judges a model worse than the majority-class rule on its newest records; it takes no "
        "such model and decides by the rule when its own is; 0 switches the check off",
    )
    max_epsilon: Epsilon = Field(
        float("inf"), description="largest DP ε a community accepts for its data"
    )
    local_epsilon: Epsilon = Field(
        float("inf"), description="DP ε communities train their own models with"
    )

    @model_validator(mode="after")
    def _some_notion(self) -> ValuesSection:
        if sum(self.notions.values()) <= 0:
            raise ValueError("at least one notion needs a positive frequency")
        return self


class CommunitiesSection(Section):
    """Small communities (§2, §4): population, data, values, resources, strategy."""

    count: int = Field(40, ge=0, le=200_000, description="communities in the world")
    records_per_step: int = Field(60, ge=2, le=10_000, description="individuals collected")
    window: int = Field(240, ge=10, le=100_000, description="recent records kept for training")
    deploy_per_step: int = Field(120, ge=10, le=100_000, description="decisions made per step")
    exposure: int = Field(
        3,
        ge=1,
        le=50,
        description="deployed models each person faces (ecosystem-level measures): their own "
        "community's and those of the next communities of their jurisdiction; 3 as HAPI's "
        "three commercial providers per task (Toups et al. 2023); 1 measures no ecosystem",
    )
    exposure_sample: int = Field(
        40,
        ge=1,
        le=100_000,
        description="people per community each step on whom the ecosystem-level measures are "
        "taken (the first of those decided on): the measures are world-wide rates, so a sample "
        "keeps their cost below the decisions' own; with 40 people in each of 20 communities a "
        "systemic failure rate near 0.14 has a standard error of about 0.012 a step",
    )
    compute: Amount = Field(60.0, description="median compute (records trainable/step)")
    compute_spread: Spread = Field(0.8, description="log-normal sigma of compute")
    expertise: Probability = Field(0.6, description="mean ML expertise (scales usable compute)")
    expertise_spread: Spread = Field(
        0.15, description="spread (sd) of expertise across communities, clipped to [0.05, 1]"
    )
    budget: Amount = Field(4.0, description="median money per step")
    budget_spread: Spread = Field(0.6, description="log-normal sigma of budget")
    public_compute: Amount = Field(
        0.0, description="publicly subsidised compute granted to every community per step"
    )
    annotation_share: Probability = Field(0.3, description="share of budget for annotation")
    compute_share: Probability = Field(
        0.25,
        description="share of its money a community may spend a step renting compute (§2.2 "
        "compute market), beside the annotation share; 0 shuts communities out of the market "
        "(the status quo's concentration then emerges: docs/claims.md); 0.25 with the "
        "annotation share 0.3 leaves 45% for access fees and savings, a modelling choice that "
        "docs/compute_access.md sweeps",
    )
    buy_capacity: bool = Field(
        True,
        description="a community training its own model rents compute beyond what its records "
        "need to buy model capacity, as much as its expected utility says (false: only what its "
        "records need, the ablation)",
    )
    strategy: StrategyName = Field(
        "choose", description="a strategy every community takes, or choose by utility"
    )
    strategies: list[StrategyName] = Field(
        default_factory=lambda: [
            "local",
            "adopt",
            "share",
            "pool",
            "finetune",
            "distill",
            "federate",
            "split",
        ],
        min_length=1,
        description="strategies communities may choose from (§4)",
    )
    expertise_growth: Probability = Field(0.02, description="expertise gained per step training")
    expertise_decay: Probability = Field(0.03, description="expertise lost per step not training")
    share_propensity: Probability = Field(0.5, description="openness to sharing data")
    choice_temperature: float = Field(
        0.05,
        gt=0.0,
        le=10.0,
        description="scale of the Gumbel noise of a choice (a logit choice model, McFadden "
        "1974): near 0 the best option always wins",
    )
    switching_cost: Weight = Field(0.05, description="utility kept by the incumbent option")
    cultures: int = Field(5, ge=1, le=1000, description="distinct cultural backgrounds")
    values: ValuesSection = Field(default_factory=ValuesSection)

"""The ``[large_entities]`` section (§2.2, §3): large AI entities, and firms entering the market.

Capital, compute, data, a large model and access terms; the disposition to wash reports (§3);
entry at scheduled steps or when expected profits would pay entry back, and exit.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from hetsim.simulation.schema.base import Amount, Epsilon, Probability, Section, Spread


class EntrySpec(Section):
    """A provider that enters the market at a scheduled step (firm dynamics)."""

    step: int = Field(ge=1, description="step at which it starts operating")
    open_weights: bool = Field(True, description="publishes open weights (else a closed API)")
    capital: Amount = Field(30.0, description="money it starts with")
    compute: Amount = Field(1500.0, description="compute it starts with")


class ProfitableEntrySection(Section):
    """Providers that enter when the profit they expect would pay entry back (firm dynamics:
    free entry, as in Hopenhayn 1992; the payback rule is, after net present value, the
    capital-budgeting rule firms use most, Graham & Harvey 2001). They expect the incumbents'
    published profit or, with no incumbent, the demand of the communities buying no model at
    access_price, less operating, annotation and depreciation costs."""

    slots: int = Field(
        2,
        ge=0,
        le=20,
        description="seats for entrants beyond the firms at the start and the scheduled ones: "
        "how many more firms may operate at once; a seat any firm leaves on exit is taken by "
        "the next entrant, so entry happens as often as it pays, also into a market every firm "
        "has left (0: no entry when profitable; a world with large_entities.count=0 and no "
        "scheduled entries has no market to enter)",
    )
    open_weights: bool = Field(
        True, description="an entrant publishes open weights (else sells a closed API)"
    )
    capital: Amount = Field(
        30.0,
        description="money an entrant brings to start (half an incumbent's initial capital); "
        "it stays the firm's own, so it is not part of the entry cost",
    )
    compute: Amount = Field(
        1500.0,
        description="compute an entrant buys to start a model (half an incumbent's initial "
        "compute), at large_entities.compute_price; sunk, part of the entry cost",
    )
    sunk_cost: Amount = Field(
        0.0,
        description="other sunk costs of entering (licences, hiring, compliance), money, "
        "added to the entry cost: raise it to stage a barrier to entry (0: only the compute)",
    )
    payback_quarters: int = Field(
        8,
        ge=1,
        le=400,
        description="an entrant enters when the profit it expects (the incumbents' mean "
        "published operating profit; with none, the communities buying no model at "
        "access_price less its running costs) would pay back its entry cost (compute at its "
        "price plus sunk_cost) within this many quarters (two years)",
    )
    profit_memory: Probability = Field(
        0.25,
        description="weight of the latest quarter in the published profit an entrant reads "
        "(an exponential average: about a year of accounts)",
    )


class LargeEntitiesSection(Section):
    """Large AI entities (§2.2, §3): capital, compute, data, a large model, access terms."""

    count: int = Field(3, ge=0, le=100, description="large entities operating at the start")
    capital: Amount = Field(60.0, description="initial money per entity")
    capital_spread: Probability = Field(0.3, description="relative spread of initial capital")
    compute: Amount = Field(3000.0, description="initial compute, records trainable per step")
    compute_spread: Spread = Field(
        0.1, description="log-normal sigma of initial compute across entities"
    )
    compute_price: float = Field(
        0.002,
        ge=1e-9,  # capital / price stays finite: at most 1e18 units of compute
        le=1e9,
        description="money per unit of compute",
    )
    invest_fraction: Probability = Field(0.2, description="share of capital turned into compute")
    compute_depreciation: Probability = Field(0.1, description="compute lost per step")
    records_per_step: int = Field(100, ge=0, le=100_000, description="records scraped per step")
    scrape_minority_weight: Probability = Field(
        0.5, description="representation of minority groups in scraped data (1 = as in life)"
    )
    access_price: Amount = Field(1.0, description="initial price of model access per step")
    price_adjustment: Probability = Field(0.05, description="relative price change per step")
    pool_size: int = Field(6000, ge=100, le=1_000_000, description="training pool kept (rows)")
    operating_cost: Amount = Field(0.5, description="money spent per step to operate")
    open_weights_share: Probability = Field(
        0.34, description="share of entities publishing open weights (the rest: closed API)"
    )
    washing_propensity: Probability = Field(
        0.5,
        description="disposition to wash (§3): under the decision rule, the share of the "
        "expected sanction a selective report avoids that the entity counts as a gain (0: never "
        "misreports, 1: minimises expected sanctions); under the fixed rule, the chance it "
        "reports the subset where it looks best",
    )
    washing_rule: Literal["decision", "fixed"] = Field(
        "decision",
        description="how an entity decides to wash: weigh expected sanctions (decision) or "
        "flip a coin of probability washing_propensity (fixed, the ablation)",
    )
    audit_prior_audits: float = Field(
        1.0,
        gt=0.0,
        le=1000.0,
        description="pseudo-audits of an entity's Beta prior on a regulator's audit rate "
        "(1 and 1: Laplace's rule of succession, no knowledge of the rate)",
    )
    audit_prior_quiet: float = Field(
        1.0,
        gt=0.0,
        le=1000.0,
        description="pseudo-steps without an audit of that Beta prior",
    )
    claimed_epsilon: Epsilon = Field(
        float("inf"), description="DP ε entities claim to train with (inf: no claim)"
    )
    effective_epsilon: Epsilon = Field(
        float("inf"), description="DP ε they really train with (inf: no noise; §3)"
    )
    jurisdiction_shopping: bool = Field(
        False, description="entities move training to the laxest jurisdiction (§3 loopholes)"
    )
    min_price: Amount = Field(
        0.1, description="lowest price of model access an entity asks per step"
    )
    report_sample: int = Field(
        1000, ge=10, le=1_000_000, description="pooled records an entity's fairness check runs on"
    )
    split_fee_share: Probability = Field(0.5, description="share of the access price for split")
    data_value: Amount = Field(
        0.01, description="money an entity makes per record received, outside the simulated market"
    )
    credit_limit: Amount = Field(
        60.0,
        description="money an entity may owe and still operate; below it, it is insolvent "
        "(default: the initial capital, as lenders lend against equity)",
    )
    stop_selling_when_unable: bool = Field(
        True,
        description="an entity whose compute cannot retrain its model, or whose capital is "
        "below its credit line, is not offered at the choice and its customers choose again "
        "(false: it keeps selling, the ablation)",
    )
    exit_after: int = Field(
        4,
        ge=1,
        le=1000,
        description="consecutive insolvent quarters after which an entity exits (a year)",
    )
    entries: list[EntrySpec] = Field(
        default_factory=list, description="providers entering the market at scheduled steps"
    )
    entry_when_profitable: ProfitableEntrySection = Field(
        default_factory=ProfitableEntrySection,
        description="providers that enter when the profit they expect would pay entry back",
    )

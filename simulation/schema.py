"""The validated scenario schema: every knob of a hetsim world, with its range.

A scenario is a TOML file; :mod:`hetsim.simulation.scenario_files` reads it and validates it
against this schema into a frozen :class:`Scenario`. Unknown keys, wrong types and
out-of-range values raise one :class:`ScenarioError` naming the file, the dotted key, the
value and what is allowed. Nothing is silently defaulted or coerced beyond what TOML itself
says: the one conversion is an integer where a float is expected. Strings, booleans, integers
and floats are never turned into one another, ``inf`` and ``nan`` are refused except for the
privacy budgets (where ``inf`` means "no noise"), and every error is blamed on the layer that
wrote the key: the scenario file, an intervention file or ``--set``.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

FairnessNotion = Literal[
    "demographic_parity", "equal_opportunity", "equalized_odds", "quota", "none"
]
# Strategy names are checked against the strategies the model is built with (a plug-in
# mapping, hetsim.agents.strategies.STRATEGIES) when a scenario is loaded or a model is built.
StrategyName = Annotated[str, Field(min_length=1, pattern=r"^[a-z_]+$")]
Mitigation = Literal["none", "reweighing", "penalty", "thresholds"]
LendingPolicy = Literal["max_utility", "equal_opportunity", "demographic_parity"]
Probability = Annotated[float, Field(ge=0.0, le=1.0)]
NonNegative = Annotated[float, Field(ge=0.0)]
# A differential-privacy budget: inf is the one infinite value a scenario may hold (no noise).
Epsilon = Annotated[float, Field(gt=0.0, allow_inf_nan=True)]


# Every community keeps both groups present: its drawn minority share stays in this range.
MINORITY_SHARE_RANGE = (0.02, 0.9)
# An emerged group (§2.4.1) takes at most this share of a community, so the two others remain.
EMERGED_SHARE_MAX = 0.9


class ScenarioError(ValueError):
    """A scenario file or override is invalid; the message names file, key, value and rule."""


class Section(BaseModel):
    """Base of every scenario section: strict keys, validated on assignment, frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)


class RunSection(Section):
    """Length and seed of a run."""

    steps: int = Field(100, ge=1, le=100_000, description="steps (quarters) to simulate")
    seed: int = Field(0, ge=0, le=2**63 - 1, description="the one seed that determines the run")


class EntrySpec(Section):
    """A provider that enters the market at a scheduled step (firm dynamics)."""

    step: int = Field(ge=1, description="step at which it starts operating")
    open_weights: bool = Field(True, description="publishes open weights (else a closed API)")
    capital: NonNegative = Field(30.0, description="money it starts with")
    compute: NonNegative = Field(1500.0, description="compute it starts with")


class ProfitableEntrySection(Section):
    """Providers that enter when incumbents' published profits would pay entry back (firm
    dynamics: free entry, as in Hopenhayn 1992; the payback rule is, after net present value,
    the capital-budgeting rule firms use most, Graham & Harvey 2001)."""

    slots: int = Field(
        2, ge=0, le=20, description="potential entrants waiting outside the market (0: none)"
    )
    open_weights: bool = Field(
        True, description="an entrant publishes open weights (else sells a closed API)"
    )
    capital: NonNegative = Field(30.0, description="money an entrant starts with")
    compute: NonNegative = Field(
        1500.0, description="compute an entrant buys to start, at large_entities.compute_price"
    )
    payback_quarters: int = Field(
        8,
        ge=1,
        le=400,
        description="an entrant enters when the mean operating profit of the incumbents, as "
        "published, would pay back its compute within this many quarters (two years)",
    )
    profit_memory: Probability = Field(
        0.25,
        description="weight of the latest quarter in the published profit an entrant reads "
        "(an exponential average: about a year of accounts)",
    )


class LargeEntitiesSection(Section):
    """Large AI entities (§2.2, §3): capital, compute, data, a large model, access terms."""

    count: int = Field(3, ge=0, le=100, description="large entities operating at the start")
    capital: NonNegative = Field(60.0, description="initial money per entity")
    capital_spread: Probability = Field(0.3, description="relative spread of initial capital")
    compute: NonNegative = Field(3000.0, description="initial compute, records trainable per step")
    compute_spread: NonNegative = Field(
        0.1, description="log-normal sigma of initial compute across entities"
    )
    compute_price: float = Field(0.002, gt=0.0, description="money per unit of compute")
    invest_fraction: Probability = Field(0.2, description="share of capital turned into compute")
    compute_depreciation: Probability = Field(0.1, description="compute lost per step")
    records_per_step: int = Field(100, ge=0, le=100_000, description="records scraped per step")
    scrape_minority_weight: Probability = Field(
        0.5, description="representation of minority groups in scraped data (1 = as in life)"
    )
    access_price: NonNegative = Field(1.0, description="initial price of model access per step")
    price_adjustment: Probability = Field(0.05, description="relative price change per step")
    pool_size: int = Field(6000, ge=100, le=1_000_000, description="training pool kept (rows)")
    operating_cost: NonNegative = Field(0.5, description="money spent per step to operate")
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
    min_price: NonNegative = Field(
        0.1, description="lowest price of model access an entity asks per step"
    )
    report_sample: int = Field(
        1000, ge=10, le=1_000_000, description="pooled records an entity's fairness check runs on"
    )
    split_fee_share: Probability = Field(0.5, description="share of the access price for split")
    data_value: NonNegative = Field(
        0.01, description="money an entity makes per record received, outside the simulated market"
    )
    credit_limit: NonNegative = Field(
        60.0,
        description="money an entity may owe and still operate; below it, it is insolvent "
        "(default: the initial capital, as lenders lend against equity)",
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
        description="providers that enter when the incumbents' profits would pay entry back",
    )


class ValuesSection(Section):
    """Communities' values profiles (§2.3, §2.4.1), drawn heterogeneously."""

    notions: dict[FairnessNotion, NonNegative] = Field(
        default_factory=lambda: {
            "demographic_parity": 1.0,
            "equal_opportunity": 1.0,
            "equalized_odds": 1.0,
            "quota": 0.5,
            "none": 0.5,
        },
        description="relative frequency of each fairness notion among communities",
    )
    quota_target: Probability = Field(0.4, description="selection rate a quota asks per group")
    weight_accuracy: NonNegative = Field(
        1.0, description="weight on a model's accuracy in a community's utility (the unit)"
    )
    weight_fairness: NonNegative = Field(
        1.0, description="weight on the fairness gap under the community's own notion"
    )
    weight_privacy: NonNegative = Field(
        0.1, description="weight on the exposure of the community's people (a strategy's cost)"
    )
    weight_sovereignty: NonNegative = Field(
        0.1, description="weight on control over its data given up (a strategy's cost, §4.1)"
    )
    weight_money: NonNegative = Field(0.5, description="weight on spending a step's budget")
    trust_premium: NonNegative = Field(
        0.2, description="utility a fully distrusted provider loses (risk of misuse)"
    )
    weight_spread: Probability = Field(0.5, description="relative spread of the weights")
    fairness_tolerance: Probability = Field(0.15, description="largest acceptable own gap")
    min_accuracy: Probability = Field(0.65, description="lowest acceptable accuracy")
    explainability_need: Probability = Field(0.3, description="mean need to explain decisions")
    explainability_spread: NonNegative = Field(
        0.2, description="spread (sd) of the need across communities, clipped to [0, 1]"
    )
    adaptation_premium: Probability = Field(
        0.5,
        description="share of the distrust premium an option bears when the community keeps "
        "the model it makes from an entity's (fine-tuning, distilling) rather than the entity",
    )
    weight_explainability: NonNegative = Field(0.2, description="weight on an unmet need")
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
    compute: NonNegative = Field(60.0, description="median compute (records trainable/step)")
    compute_spread: NonNegative = Field(0.8, description="log-normal sigma of compute")
    expertise: Probability = Field(0.6, description="mean ML expertise (scales usable compute)")
    expertise_spread: NonNegative = Field(
        0.15, description="spread (sd) of expertise across communities, clipped to [0.05, 1]"
    )
    budget: NonNegative = Field(4.0, description="median money per step")
    budget_spread: NonNegative = Field(0.6, description="log-normal sigma of budget")
    public_compute: NonNegative = Field(
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
    switching_cost: NonNegative = Field(0.05, description="utility kept by the incumbent option")
    cultures: int = Field(5, ge=1, le=1000, description="distinct cultural backgrounds")
    values: ValuesSection = Field(default_factory=ValuesSection)


class AnnotatorsSection(Section):
    """Annotators (§2.4.3): culture, skill and pay set their label noise."""

    count: int = Field(100, ge=0, le=100_000, description="annotators on the market")
    pay_mean: NonNegative = Field(0.02, description="mean asking pay per record")
    pay_spread: Probability = Field(0.5, description="relative spread of asking pay")
    fair_pay: float = Field(0.03, gt=0.0, description="pay below which labels get sloppier")
    minimum_pay: NonNegative = Field(0.0, description="legal floor on pay per record")
    base_noise: Probability = Field(
        0.03, description="flip rate of a skilled, fairly paid annotator of one's own culture"
    )
    mismatch_noise: Probability = Field(0.2, description="added flip rate at full mismatch")
    low_pay_noise: Probability = Field(0.1, description="added flip rate at zero pay")
    skill_mean: Probability = Field(0.7, description="mean annotator skill")
    skill_spread: NonNegative = Field(
        0.15, description="spread (sd) of annotator skill, clipped to [0, 1]"
    )
    pay_adjustment: Probability = Field(0.05, description="relative asking-pay change per step")
    self_skill: Probability = Field(
        0.4,
        description="skill of a community labelling its own records: no cultural mismatch, "
        "less skill than the mean annotator (skill_mean)",
    )
    max_flip: float = Field(
        0.45,
        ge=0.0,
        lt=0.5,
        description="largest label-flip rate: labels stay better than a coin flip",
    )
    reservation_share: Probability = Field(
        0.6, description="an annotator never asks less than this share of its first ask"
    )


class RegulatorsSection(Section):
    """Regulators (§2.3, §3): mandates, audits, penalties per jurisdiction."""

    count: int = Field(3, ge=0, le=1000, description="regulators, one per jurisdiction")
    mandated_notions: list[FairnessNotion] = Field(
        default_factory=lambda: ["demographic_parity", "equal_opportunity", "equalized_odds"],
        min_length=1,
        description="mandated notion per jurisdiction, cycled over regulators",
    )
    threshold: Probability = Field(0.1, description="largest lawful mandated gap")
    audit_probability: Probability = Field(0.1, description="chance to audit an entity per step")
    audit_sample: int = Field(
        400,
        ge=20,
        le=100_000,
        description="fresh people of the jurisdiction a mandated gap is evaluated on, in an "
        "audit and in an entity's report alike (the regulator's protocol)",
    )
    audit_communities: int = Field(
        20,
        ge=1,
        le=10_000,
        description="communities of the jurisdiction one evaluation draws its people from, "
        "in equal numbers (a cluster sample; fewer when the jurisdiction has fewer): a "
        "regulator's protocol, and the records of a privacy audit; 20 keeps an evaluation "
        "cheap at any world size while its standard error still reflects the spread "
        "between communities",
    )
    penalty_fraction: Probability = Field(0.05, description="share of capital fined")
    publish: bool = Field(True, description="publish findings (moves trust)")
    trust_penalty_customers: Probability = Field(
        0.2,
        description="share of their trust the sanctioned entity's own customers lose when a "
        "violation is published (they learn their provider broke the rules)",
    )
    trust_penalty_word_of_mouth: Probability = Field(
        0.05,
        description="share of their trust every other community loses in it (hearsay: a "
        "quarter of the customers' loss, as exchange.word_of_mouth spreads reputation slowly)",
    )
    locally_defined: bool = Field(
        False, description="the mandate is each community's own fairness notion (§2.3)"
    )
    explainability_mandate: Probability = Field(
        0.0, description="share of jurisdictions that require explainable models"
    )
    epsilon_cap: Epsilon = Field(
        float("inf"), description="largest DP ε a jurisdiction allows (DP mandate)"
    )
    loophole_share: Probability = Field(
        0.0, description="share of jurisdictions with loopholes: no audits, no caps (§3)"
    )
    tighten_lag: int = Field(8, ge=1, le=1000, description="steps before rules tighten")
    tighten_factor: Probability = Field(
        0.2, description="after publicised harm: threshold and audit gaps shrink by this share"
    )
    washing_penalty_fraction: Probability = Field(
        0.017,
        description="share of capital fined for a report an audit finds misleading (a third "
        "of penalty_fraction, as the EU AI Act, Art. 99, caps fines for misleading information "
        "at 1% of turnover against 3% for breaching an obligation)",
    )
    violation_test_level: float = Field(
        0.05,
        gt=0.0,
        le=0.5,
        description="level of the one-sided test that a measured gap exceeds the threshold: a "
        "report or audit is evidence of a violation only beyond this sampling tolerance (0.5: "
        "the point estimate alone)",
    )
    washing_test_level: float = Field(
        0.01,
        gt=0.0,
        lt=0.5,
        description="level of the auditor's one-sided screen of a report against its "
        "re-measured gap: a report lower beyond this sampling tolerance has the records behind it "
        "inspected, so an honest entity is inspected in at most about this share of audits (the "
        "records, not the screen, find washing)",
    )
    privacy_audit_trials: int = Field(
        200,
        ge=4,
        le=10_000,
        description="models an ε audit has the entity train per world (with and without a "
        "canary); 200 certify at most ε ≈ 3.3 at 95% (docs/privacy.md)",
    )
    privacy_audit_records: int = Field(
        300, ge=20, le=100_000, description="fresh records of its jurisdiction an ε audit uses"
    )
    privacy_audit_confidence: float = Field(
        0.95, gt=0.0, lt=1.0, description="confidence of an ε audit's lower bound"
    )


class PracticesSection(Section):
    """Developers' practices (Balayn & Gadiraju 2025): drawn per organisation, no standard."""

    fairness_check: Probability = Field(0.4, description="mean chance to check fairness a step")
    mitigations: dict[Mitigation, NonNegative] = Field(
        default_factory=lambda: {"none": 1.0, "reweighing": 1.0, "penalty": 1.0, "thresholds": 1.0},
        description="relative frequency of each mitigation among organisations",
    )
    documentation: Probability = Field(0.3, description="share documenting data (datasheets)")
    energy_awareness: Probability = Field(0.3, description="share retraining only when needed")
    penalty_strength: NonNegative = Field(5.0, description="strength of in-processing penalty")
    concentration: float = Field(
        4.0,
        gt=0.0,
        le=1000.0,
        description="how tightly organisations' practices cluster around the means: a Beta "
        "distribution with this sum of parameters (4: a wide spread, as Balayn & Gadiraju find "
        "no standard)",
    )
    check_threshold: Probability = Field(
        0.1,
        description="fairness gap above which an entity's own check sets off its mitigation "
        "(the default mandated threshold)",
    )
    energy_aware_every: int = Field(
        4, ge=1, le=1000, description="an energy-aware team retrains every this many steps"
    )

    @field_validator("mitigations")
    @classmethod
    def _some_mitigation(cls, value: dict[str, float]) -> dict[str, float]:
        if sum(value.values()) <= 0:
            raise ValueError(
                "at least one mitigation needs a positive frequency "
                "(e.g. {none = 1.0} for organisations that never mitigate)"
            )
        return value


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


class ShockSpec(Section):
    """A scheduled shock, e.g. a refugee influx that jumps a group's share (§2.4.1)."""

    step: int = Field(ge=1)
    kind: Literal["group_share", "covariate", "concept", "emerged_group"] = "group_share"
    fraction: Probability = Field(1.0, description="share of communities hit")
    size: float = Field(0.3, ge=-10.0, le=10.0, description="magnitude of the jump")

    @model_validator(mode="after")
    def _emerged_share_in_range(self) -> ShockSpec:
        if self.kind == "emerged_group" and not 0.0 < self.size <= EMERGED_SHARE_MAX:
            raise ValueError(
                f"an emerged_group shock's size is the new group's share: "
                f"0 < size <= {EMERGED_SHARE_MAX} (got {self.size})"
            )
        return self


class DataSection(Section):
    """Data-generating processes and every §2.1 shift as a named parameter."""

    minority_share: float = Field(
        0.3,
        ge=MINORITY_SHARE_RANGE[0],
        le=MINORITY_SHARE_RANGE[1],
        description="mean share of the minority group (each community's draw stays in this range)",
    )
    demographic_shift: Probability = Field(0.15, description="spread of group shares")
    covariate_shift: NonNegative = Field(0.3, description="spread of feature means")
    covariate_gap: NonNegative = Field(0.5, description="feature deficit of the minority")
    concept_shift: NonNegative = Field(0.15, description="spread of P(y|x) weights")
    label_shift: NonNegative = Field(0.3, description="spread of base rates")
    measurement_shift: NonNegative = Field(0.1, description="spread of feature scale")
    measurement_noise: NonNegative = Field(0.3, description="mean feature measurement noise")
    proxy_strength: NonNegative = Field(1.0, description="mean proxy-group correlation")
    proxy_spread: NonNegative = Field(1.0, description="spread of proxy strength")
    group_label_bias: float = Field(-0.3, ge=-5.0, le=5.0, description="minority label shift")
    relational_identity: Probability = Field(
        0.2, description="share of communities protecting the second attribute"
    )
    emerged_group_share: float = Field(
        0.0, ge=0.0, le=EMERGED_SHARE_MAX, description="initial share of a third group"
    )
    interaction: float = Field(1.5, ge=-5.0, le=5.0, description="nonlinear term in the concept")
    drift: NonNegative = Field(0.02, description="random-walk step of means and shares")
    shocks: list[ShockSpec] = Field(
        default_factory=list, description="scheduled shocks (§2.4.1), e.g. a refugee influx"
    )


class LearningSection(Section):
    """Real training (§4): regularisation, scaling curve, cost."""

    l2: float = Field(1.0, gt=0.0, description="L2 penalty of every logistic model")
    max_iter: int = Field(25, ge=1, le=200, description="Newton steps a fit may take at most")
    warm_start: bool = Field(True, description="a fit starts from the model it retrains")
    capacity_compute: NonNegative = Field(
        6000.0, description="compute needed for the high-capacity feature map"
    )
    dp_iterations: int = Field(30, ge=1, le=1000, description="noisy gradient steps of DP fits")
    dp_clip: float = Field(1.0, gt=0.0, description="per-record gradient clipping norm")
    dp_delta: float = Field(
        1e-5, gt=0.0, lt=1.0, description="δ of the (ε, δ) guarantee, below 1 / records"
    )
    dp_sampling_rate: float = Field(
        1.0,
        gt=0.0,
        le=1.0,
        description="Poisson sampling rate of each DP step (1: full-batch DP-GD; Abadi et al. "
        "2016 sample lots of about 1% of the records)",
    )
    kwh_per_gflop: NonNegative = Field(
        1.0e-9,
        description="energy per GFLOP of training and inference: an A100 (400 W, 312 dense "
        "TFLOP/s) at 40% model FLOP utilisation (Chowdhery et al. 2022) in a data centre of "
        "PUE 1.1 (Patterson et al. 2021): 400 / (0.4 × 312e12) × 1.1 J/FLOP ≈ 1.0e-9 kWh/GFLOP",
    )
    split_hidden: int = Field(
        8, ge=1, le=256, description="width of the cut layer of split networks (§4.3)"
    )
    split_epochs: int = Field(
        20, ge=1, le=1000, description="split-learning rounds (forward + backward) per step"
    )
    split_learning_rate: float = Field(
        0.5, gt=0.0, le=10.0, description="gradient step of split learning"
    )


class ExchangeSection(Section):
    """Exchanges of data, models, money and trust (§3, §4.1)."""

    data_sharing: bool = Field(True, description="communities may share data with entities")
    share_discount: Probability = Field(1.0, description="price waived for sharers")
    initial_trust: Probability = Field(
        0.5, description="trust of every community in every entity at the start (neutral)"
    )
    trust_learning_rate: Probability = Field(
        0.2, description="share of the gap to this step's satisfaction that trust moves (§3)"
    )
    word_of_mouth: Probability = Field(0.05, description="pull of trust toward reputation")
    sovereignty_terms: bool = Field(
        False, description="data is shared under the community's terms (§4.1 protocol)"
    )
    benefit_share: Probability = Field(
        0.5, description="share of data value returned to sovereign sharers"
    )
    consortium_facilitator: bool = Field(
        False, description="a facilitator lowers the expertise federated learning needs (§4.3)"
    )
    misuse_probability: Probability = Field(
        0.02, description="chance per step an entity misuses shared data (§3)"
    )
    compute_rent: float = Field(
        0.0004,
        gt=0.0,
        description="initial price of renting one unit of compute for a step: twice its cost "
        "(large_entities.compute_price × compute_depreciation), a provider's margin; the market "
        "moves it between that cost and the purchase price",
    )
    compute_rent_adjustment: Probability = Field(
        0.1,
        description="relative change of the rent per unit of relative excess demand (tâtonnement)",
    )
    rent_trust_floor: Probability = Field(
        0.3,
        description="trust below which a community will not let a provider's machines process "
        "its records (§2.2 compute market, §3 misuse): renting exposes the records to misuse "
        "like sharing them; one found misuse puts a provider trusted neutrally (0.5) below "
        "it (0.5 × misuse_trust_kept = 0.25)",
    )
    misuse_trust_kept: Probability = Field(
        0.5, description="share of its trust a community keeps in an entity that misused its data"
    )
    satisfaction_slope: NonNegative = Field(
        5.0,
        description="satisfaction gained per unit of value surplus (accuracy and gap against "
        "one's own thresholds): a surplus of 0.1 moves it from neutral 0.5 to 1",
    )


# The strategies' own keys, one table each ([strategy.<name>]); their names and keys are the
# strategies' (hetsim.agents.strategies), checked when a scenario is loaded or a world is built.
StrategyTables = dict[str, dict[str, Any]]
FREE_TABLE = StrategyTables


class Scenario(Section):
    """A whole hetsim world."""

    name: str = Field(
        "unnamed", description="the scenario's name (results go to a folder so named)"
    )
    description: str = Field("", description="one line on what the scenario stages")
    run: RunSection = Field(default_factory=RunSection)
    large_entities: LargeEntitiesSection = Field(default_factory=LargeEntitiesSection)
    communities: CommunitiesSection = Field(default_factory=CommunitiesSection)
    annotators: AnnotatorsSection = Field(default_factory=AnnotatorsSection)
    regulators: RegulatorsSection = Field(default_factory=RegulatorsSection)
    data: DataSection = Field(default_factory=DataSection)
    learning: LearningSection = Field(default_factory=LearningSection)
    exchange: ExchangeSection = Field(default_factory=ExchangeSection)
    practices: PracticesSection = Field(default_factory=PracticesSection)
    strategy: StrategyTables = Field(
        default_factory=dict,
        description="parameters of each community strategy, a table [strategy.<name>] each; "
        "checked against the strategy's own parameters when the world is built",
    )
    lending: LendingSection = Field(default_factory=LendingSection)


# Keys read only when the world is built (drawn into agents' profiles or the data-generating
# processes); changing them on a running model (a branched intervention) would have no effect.
BUILD_TIME_KEYS: tuple[str, ...] = (
    "communities.compute",
    "communities.compute_spread",
    "communities.expertise_spread",
    "communities.values.explainability_spread",
    "large_entities.compute_spread",
    "annotators.skill_spread",
    "annotators.reservation_share",
    "communities.budget",
    "communities.budget_spread",
    "communities.expertise",
    "communities.cultures",
    "communities.values.notions",
    "communities.values.quota_target",
    "communities.values.weight_accuracy",
    "communities.values.weight_fairness",
    "communities.values.weight_privacy",
    "communities.values.weight_sovereignty",
    "communities.values.weight_spread",
    "communities.values.fairness_tolerance",
    "communities.values.min_accuracy",
    "communities.values.explainability_need",
    "communities.values.weight_explainability",
    "communities.values.max_epsilon",
    "annotators.pay_mean",
    "annotators.pay_spread",
    "annotators.skill_mean",
    "large_entities.capital",
    "large_entities.capital_spread",
    "large_entities.compute",
    "large_entities.access_price",
    "large_entities.open_weights_share",
    "regulators.loophole_share",
    "regulators.explainability_mandate",
    "practices.",
    "lending.",
)
RUNTIME_DATA_KEYS = ("data.drift", "data.shocks")


def is_build_time_key(key: str) -> bool:
    """Whether a dotted key only takes effect when the world is built."""
    if key.startswith("data."):
        return not key.startswith(RUNTIME_DATA_KEYS)
    return any(
        key == k or (k.endswith(".") and key.startswith(k)) or key.startswith(k + ".")
        for k in BUILD_TIME_KEYS
    )


# The loading functions live in scenario_files; they stay importable from here.
LOADING_NAMES = frozenset(
    {"SET", "apply_override", "check_schedule", "flatten", "load", "merge", "parse_override",
     "read_toml", "validate"}
)  # fmt: skip


def __getattr__(name: str) -> Any:
    """``schema.load`` and friends, from :mod:`hetsim.simulation.scenario_files`."""
    if name in LOADING_NAMES:
        from hetsim.simulation import scenario_files

        return getattr(scenario_files, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

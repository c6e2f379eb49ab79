"""The ``[regulators]`` section (§2.3, §3): mandates, audits and penalties per jurisdiction."""

from __future__ import annotations

from pydantic import Field

from hetsim.simulation.schema.base import Epsilon, FairnessNotion, Probability, Section


def _three_notions() -> list[FairnessNotion]:
    """The three jurisdictions' mandates: one notion each."""
    return ["demographic_parity", "equal_opportunity", "equalized_odds"]


class RegulatorsSection(Section):
    """Regulators (§2.3, §3): mandates, audits, penalties per jurisdiction."""

    count: int = Field(3, ge=0, le=1000, description="regulators, one per jurisdiction")
    mandated_notions: list[FairnessNotion] = Field(
        default_factory=_three_notions,
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
    relax_after: int = Field(
        16,
        ge=0,
        le=1000,
        description="steps without publicised harm (or rule change) before a jurisdiction "
        "loosens its rules again, never beyond the scenario's (a sunset review: four years of "
        "quarters, twice the tightening lag; 0: rules never loosen)",
    )
    relax_factor: float = Field(
        0.2,
        ge=0.0,
        lt=1.0,
        description="after a quiet spell: the threshold and the audit gap (1 − audit "
        "probability) grow by 1 / (1 − relax_factor), which undoes one tightening when equal "
        "to tighten_factor (the same step both ways, so neither direction is favoured)",
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
        description="the ε audit's power: models it has the entity train per world (with and "
        "without a canary); 200 certify at most ε ≈ 3.3 at 95%, 600 at most ε ≈ 4.4 "
        "(largest_certifiable_epsilon, reported per audit; docs/privacy.md)",
    )
    privacy_audit_records: int = Field(
        300, ge=20, le=100_000, description="fresh records of its jurisdiction an ε audit uses"
    )
    privacy_audit_confidence: float = Field(
        0.95, gt=0.0, lt=1.0, description="confidence of an ε audit's lower bound"
    )

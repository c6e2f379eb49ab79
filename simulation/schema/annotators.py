"""The ``[annotators]`` section (§2.4.3): culture, skill and pay set annotators' label noise."""

from __future__ import annotations

from pydantic import Field

from hetsim.simulation.schema.base import Amount, Probability, Section, Spread


class AnnotatorsSection(Section):
    """Annotators (§2.4.3): culture, skill and pay set their label noise."""

    count: int = Field(100, ge=0, le=100_000, description="annotators on the market")
    pay_mean: Amount = Field(0.02, description="mean asking pay per record")
    pay_spread: Probability = Field(0.5, description="relative spread of asking pay")
    fair_pay: float = Field(0.03, gt=0.0, le=1e9, description="pay below which labels get sloppier")
    minimum_pay: Amount = Field(0.0, description="legal floor on pay per record")
    base_noise: Probability = Field(
        0.03, description="flip rate of a skilled, fairly paid annotator of one's own culture"
    )
    mismatch_noise: Probability = Field(0.2, description="added flip rate at full mismatch")
    low_pay_noise: Probability = Field(0.1, description="added flip rate at zero pay")
    skill_mean: Probability = Field(0.7, description="mean annotator skill")
    skill_spread: Spread = Field(
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

"""The ``[data]`` section (§2.1, §2.4.1): data-generating processes, every shift, shocks."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from hetsim.simulation.schema.base import NonNegative, Probability, Section, Shift, Spread

# Every community keeps both groups present: its drawn minority share stays in this range.
MINORITY_SHARE_RANGE = (0.02, 0.9)
# An emerged group (§2.4.1) takes at most this share of a community, so the two others remain.
EMERGED_SHARE_MAX = 0.9


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
    covariate_shift: Shift = Field(0.3, description="spread of feature means")
    covariate_gap: Shift = Field(0.5, description="feature deficit of the minority")
    concept_shift: Shift = Field(0.15, description="spread of P(y|x) weights")
    label_shift: Shift = Field(0.3, description="spread of base rates")
    measurement_shift: Shift = Field(0.1, description="spread of feature scale")
    measurement_noise: Shift = Field(0.3, description="mean feature measurement noise")
    proxy_strength: Shift = Field(1.0, description="mean proxy-group correlation")
    proxy_spread: Spread = Field(1.0, description="spread of proxy strength")
    group_label_bias: float = Field(-0.3, ge=-5.0, le=5.0, description="minority label shift")
    relational_identity: Probability = Field(
        0.2, description="share of communities protecting the second attribute"
    )
    emerged_group_share: float = Field(
        0.0, ge=0.0, le=EMERGED_SHARE_MAX, description="initial share of a third group"
    )
    interaction: float = Field(1.5, ge=-5.0, le=5.0, description="nonlinear term in the concept")
    drift: NonNegative = Field(
        0.02,
        le=1.0,
        description="step of the temporal drift of feature means and group-share logits",
    )
    drift_reversion: Probability = Field(
        0.05,
        description="share of a drifted parameter's distance from the community's own long-run "
        "value recovered each step: mean-reverting drift, an Ornstein-Uhlenbeck process in "
        "discrete time (Uhlenbeck & Ornstein 1930); 0 is the unbounded random walk. 0.05 gives "
        "a half-life of 13.5 quarters and a stationary spread of drift/sqrt(0.0975) = 0.064 at "
        "the default drift, a fifth of the spread between communities (covariate_shift 0.3): "
        "a community's world moves over time without turning into another community's",
    )
    shocks: list[ShockSpec] = Field(
        default_factory=list, description="scheduled shocks (§2.4.1), e.g. a refugee influx"
    )

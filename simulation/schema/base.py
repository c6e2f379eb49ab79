"""What every scenario section shares: the error, the strict base model and the value types.

A section (one module of this package each) is a frozen, strict :class:`Section`; its keys use
the constrained numbers below, so a range reads the same in every section.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

FairnessNotion = Literal[
    "demographic_parity", "equal_opportunity", "equalized_odds", "quota", "none"
]
Probability = Annotated[float, Field(ge=0.0, le=1.0)]
NonNegative = Annotated[float, Field(ge=0.0)]
# A differential-privacy budget: inf is the one infinite value a scenario may hold (no noise).
Epsilon = Annotated[float, Field(gt=0.0, allow_inf_nan=True)]


class ScenarioError(ValueError):
    """A scenario file or override is invalid; the message names file, key, value and rule."""


class Section(BaseModel):
    """Base of every scenario section: strict keys, validated on assignment, frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)

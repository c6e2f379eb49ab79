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
# Ranges that keep the model finite (docs/reliability.md); each end is run by
# tests/test_extremes.py. An amount of money or compute per agent up to 1e9 units is a million
# times the shipped values, and sums of it over agents and steps stay far inside float64.
Amount = Annotated[float, Field(ge=0.0, le=1e9)]
# The sigma of a log-normal draw (or the sd of a clipped normal): exp(5 sigma) is about 7e10.
Spread = Annotated[float, Field(ge=0.0, le=5.0)]
# A utility weight or penalty: up to 1,000 times the shipped weights (all of order 1).
Weight = Annotated[float, Field(ge=0.0, le=1e3)]
# A shift of the generated data, in units of the features' standard deviation.
Shift = Annotated[float, Field(ge=0.0, le=10.0)]
# A differential-privacy budget: inf is the one infinite value a scenario may hold (no noise).
Epsilon = Annotated[float, Field(gt=0.0, allow_inf_nan=True)]


class ScenarioError(ValueError):
    """A scenario file or override is invalid; the message names file, key, value and rule."""


class Section(BaseModel):
    """Base of every scenario section: strict keys, validated on assignment, frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)

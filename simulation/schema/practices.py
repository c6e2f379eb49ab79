"""The ``[practices]`` section: developers' practices per organisation (Balayn & Gadiraju 2025)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from hetsim.simulation.schema.base import NonNegative, Probability, Section, Weight

Mitigation = Literal["none", "reweighing", "penalty", "thresholds"]


def _every_mitigation() -> dict[Mitigation, float]:
    """Every mitigation equally frequent: there is no standard (Balayn & Gadiraju)."""
    return {"none": 1.0, "reweighing": 1.0, "penalty": 1.0, "thresholds": 1.0}


class PracticesSection(Section):
    """Developers' practices (Balayn & Gadiraju 2025): drawn per organisation, no standard."""

    fairness_check: Probability = Field(0.4, description="mean chance to check fairness a step")
    mitigations: dict[Mitigation, NonNegative] = Field(
        default_factory=_every_mitigation,
        description="relative frequency of each mitigation among organisations",
    )
    documentation: Probability = Field(0.3, description="share documenting data (datasheets)")
    energy_awareness: Probability = Field(0.3, description="share retraining only when needed")
    penalty_strength: Weight = Field(5.0, description="strength of in-processing penalty")
    concentration: float = Field(
        4.0,
        ge=0.01,  # below it a Beta parameter underflows to zero
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
    mitigation_target: Literal["mandated", "own_practice"] = Field(
        "mandated",
        description="which fairness notions an entity's mitigation aims at: 'mandated', every "
        "notion mandated by the regulators it answers to (paper §2.3: rules differ by "
        "jurisdiction and an entity adheres to each; their published rules are what it observes), "
        "with the notion's own method (reweighing for demographic parity and quota, the notion's "
        "penalty otherwise); 'own_practice', its practice toward independence whatever is "
        "mandated (switches the notion-aware mitigation off)",
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

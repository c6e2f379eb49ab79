"""The ``[run]`` section: how long a run lasts and the one seed that determines it."""

from __future__ import annotations

from pydantic import Field

from hetsim.simulation.schema.base import Section


class RunSection(Section):
    """Length and seed of a run."""

    steps: int = Field(100, ge=1, le=100_000, description="steps (quarters) to simulate")
    seed: int = Field(0, ge=0, le=2**63 - 1, description="the one seed that determines the run")
    primary_outcomes: list[str] = Field(
        default_factory=list,
        description="the metrics a comparison of this scenario tests, Holm-adjusting over them "
        "alone; the others are reported as exploratory, unadjusted. Empty: the main metrics "
        "(hetsim.simulation.recorder.MAIN_METRICS). Declared before running, as a study "
        "pre-registers its outcomes, so the family of tests is not chosen after the results",
    )

"""The ``[run]`` section: how long a run lasts and the one seed that determines it."""

from __future__ import annotations

from pydantic import Field

from hetsim.simulation.schema.base import Section


class RunSection(Section):
    """Length and seed of a run."""

    steps: int = Field(100, ge=1, le=100_000, description="steps (quarters) to simulate")
    seed: int = Field(0, ge=0, le=2**63 - 1, description="the one seed that determines the run")

"""``crisis``: share records only in a crisis, on time-limited terms (§4.1, §2.4.1).

§4.1 ends its list of ways to be included with "purely sharing data in crisis [77]". A shock of
the scenario (``data.shocks``, e.g. the refugee influx of §2.4.1) opens crisis terms for
``duration`` quarters from its step: a community may then hand its records to an entity, as in
raw sharing, but always under its own terms (use limits, a benefit share, withdrawal: the data
sovereignty protocol of :mod:`hetsim.agents.strategies.share`, whatever
``exchange.sovereignty_terms`` says). When the terms close the option is gone, the community
chooses again, and the entity gives the records back. It fits the strategy protocol without
engine changes: the window is a feasibility rule read from the scenario's shocks, the return
is raw sharing's withdrawal. What the engine does not record is which communities a shock hit,
so the terms open for every community. Keys: ``[strategy.crisis]``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from pydantic import Field

from hetsim.agents.strategies.share import Share, ShareParams

if TYPE_CHECKING:
    from hetsim.simulation.model import EcosystemModel


class CrisisParams(ShareParams):
    """Keys of ``[strategy.crisis]``: what taking it costs, and its settings."""

    duration: int = Field(
        4,
        ge=1,
        description=(
            "quarters crisis terms stay open from a shock's step (a year; no empirical "
            "estimate: sweep it)"
        ),
    )


class Crisis(Share):
    """Hand records to an entity only while a crisis lasts, on one's own terms."""

    name = "crisis"
    Params = CrisisParams
    section = "§4.1, §2.4.1"
    summary = "sharing data under crisis terms"

    def on_terms(self, model: EcosystemModel) -> bool:
        return True  # crisis terms are always the community's: use limits and withdrawal

    def open(self, model: EcosystemModel) -> bool:
        """A shock's crisis terms are open this step."""
        duration = self.params(model).duration
        return any(s.step <= model.steps < s.step + duration for s in model.spec.data.shocks)

    def feasible(self, model: EcosystemModel, partner: np.ndarray) -> np.ndarray | None:
        if not self.open(model):
            return np.zeros((model.community_arrays.n, partner.size), dtype=bool)
        return super().feasible(model, partner)

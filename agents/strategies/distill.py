"""``distill``: train a small student on an entity's soft labels over local records (§4.2).

Distillation fits the teacher into the community's small compute; the student is the
community's own, explainable model. A closed teacher is queried through its API at its price.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from pydantic import Field

from hetsim.agents.strategies.adapted import AdaptedStrategy
from hetsim.agents.strategies.fitting import adaptation_batches
from hetsim.simulation.learning.transfer import distill
from hetsim.simulation.schema import Probability
from hetsim.simulation.strategy import StrategyParams, access_price

if TYPE_CHECKING:
    from hetsim.simulation.model import EcosystemModel


class DistillParams(StrategyParams):
    """Keys of ``[strategy.distill]``: what taking it costs, and its settings."""

    expertise: Probability = Field(
        0.25,
        description="least expertise to distil a teacher",
    )


class Distill(AdaptedStrategy):
    """Distil a partner's model into a small student the community holds."""

    name = "distill"
    Params = DistillParams
    section = "§4.2"
    summary = "distilling an entity's model"

    def fee(self, model: EcosystemModel, partner: np.ndarray) -> np.ndarray:
        closed = ~model.entity_arrays.open_weights[np.maximum(partner, 0)]
        return np.where(closed, access_price(model, partner), 0.0)

    def train(self, model: EcosystemModel, users: np.ndarray) -> None:
        ent = model.entity_arrays
        if users.size == 0:
            return
        for ids, partner, x, _, _ in adaptation_batches(model, users):
            small_student = np.zeros(len(ids), dtype=bool)
            fit = distill(
                x, ent.coef[partner], ent.intercept[partner], small_student, model.spec.learning.l2
            )
            self.keep(model, ids, fit, x.shape[1])

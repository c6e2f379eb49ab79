"""``adopt``: pay for access to an entity's model; the entity controls it (§3 dependency)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from pydantic import Field

from hetsim.simulation.schema import Probability
from hetsim.simulation.strategy import Pilot, Strategy, StrategyParams, Trial, access_price

if TYPE_CHECKING:
    from hetsim.simulation.model import EcosystemModel


class AdoptParams(StrategyParams):
    """Keys of ``[strategy.adopt]``: what taking it costs, and its settings."""

    privacy_cost: Probability = Field(
        0.1,
        description=(
            "exposure of the community's people: their records pass through the entity's "
            "service; an ordinal judgement, local 0 < adopt, federate 0.1 < pool, "
            "cooperative, split 0.2 < share 0.5: sweep it"
        ),
    )
    sovereignty_loss: Probability = Field(
        0.2,
        description="control given up: the entity decides for the community's people",
    )


class Adopt(Strategy):
    """Use a large entity's model through its API or weights, at its price."""

    name = "adopt"
    Params = AdoptParams
    section = "§3"
    summary = "paying for an entity's model"
    with_entity = True
    entity_controls = True
    serves_partner_model = True

    def fee(self, model: EcosystemModel, partner: np.ndarray) -> np.ndarray:
        return access_price(model, partner)

    def pilot(self, model: EcosystemModel, pilot: Pilot, partner: np.ndarray) -> Trial:
        return entity_trial(model, pilot).columns(partner)

    def deployed(self, model: EcosystemModel, users: np.ndarray):
        ent, partner = model.entity_arrays, model.community_arrays.partner[users]
        return ent.coef[partner], ent.intercept[partner]

    def epsilon(self, model: EcosystemModel, users: np.ndarray) -> np.ndarray:
        partner = model.community_arrays.partner[users]
        return model.entity_arrays.effective_epsilon[partner].astype(float)


def entity_trial(model: EcosystemModel, pilot: Pilot) -> Trial:
    """(C, E) trial of every entity's model on each community's newest records."""
    ent = model.entity_arrays
    return pilot.linear("entity", ent.coef, ent.intercept)

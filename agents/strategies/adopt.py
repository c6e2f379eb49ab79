"""``adopt``: pay for access to an entity's model; the entity controls it (§3 dependency)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from hetsim.simulation.strategy import Pilot, Strategy, Trial, access_price

if TYPE_CHECKING:
    from hetsim.simulation.model import EcosystemModel


class Adopt(Strategy):
    """Use a large entity's model through its API or weights, at its price."""

    name = "adopt"
    section = "§3"
    summary = "paying for an entity's model"
    with_entity = True
    entity_controls = True
    serves_partner_model = True
    privacy_cost = 0.1  # people's records pass through the entity's service
    sovereignty_loss = 0.2

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

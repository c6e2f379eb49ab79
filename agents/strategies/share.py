"""``share``: give one's data to an entity for access to its model (§4.1).

On the entity's terms the records become its own (sovereignty lost, misuse possible); under
the data sovereignty protocol (``exchange.sovereignty_terms``) they come with use limits, a
benefit share of their value, and withdrawal: a community that stops sharing takes them back.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from pydantic import Field

from hetsim.agents.strategies.adopt import Adopt
from hetsim.simulation.schema import NonNegative, Probability
from hetsim.simulation.strategy import StrategyParams, access_price

if TYPE_CHECKING:
    from hetsim.simulation.model import EcosystemModel


class ShareParams(StrategyParams):
    """Keys of ``[strategy.share]``: what taking it costs, and its settings."""

    privacy_cost: Probability = Field(
        0.5,
        description=(
            "exposure: the community's records are handed over; an ordinal judgement, local "
            "0 < adopt, federate 0.1 < pool, cooperative, split 0.2 < share 0.5: sweep it"
        ),
    )
    sovereignty_loss: Probability = Field(
        1.0,
        description="control given up on the entity's terms: all of it",
    )
    sovereign_loss: Probability = Field(
        0.2,
        description="control still given up under the sovereignty protocol's terms (§4.1)",
    )
    reluctance: NonNegative = Field(
        2.0,
        description=(
            "how much more a community minds giving its records away than other exposures "
            "at share_propensity 0; it minds it reluctance × (1 − share_propensity) times "
            "as much"
        ),
    )


class Share(Adopt):
    """Hand this step's records to an entity in exchange for (discounted) model access."""

    name = "share"
    Params = ShareParams
    section = "§4.1"
    summary = "giving data for access"

    def fee(self, model: EcosystemModel, partner: np.ndarray) -> np.ndarray:
        return access_price(model, partner) * (1.0 - model.spec.exchange.share_discount)

    def on_terms(self, model: EcosystemModel) -> bool:
        """Records go under the community's terms (the data sovereignty protocol, §4.1)."""
        return model.spec.exchange.sovereignty_terms

    def expected_income(self, model: EcosystemModel, partner: np.ndarray) -> np.ndarray | None:
        """(C, k) under the sovereignty protocol, the benefit share of the value of the
        records it would hand over each step: the protocol's terms are known in advance
        (§4.1); on the entity's terms, nothing."""
        spec = model.spec
        if not self.on_terms(model):
            return None
        value = spec.large_entities.data_value * spec.communities.records_per_step
        benefit = spec.exchange.benefit_share * value
        return np.full((model.community_arrays.n, np.size(partner)), benefit)

    def _reluctance(self, model: EcosystemModel) -> float:
        """How much more than other strategies a community minds giving its data away."""
        return self.params(model).reluctance * (1.0 - model.spec.communities.share_propensity)

    def privacy(self, model: EcosystemModel, partner: np.ndarray) -> np.ndarray:
        return np.full(np.shape(partner), self.params(model).privacy_cost * self._reluctance(model))

    def sovereignty(self, model: EcosystemModel, partner: np.ndarray) -> np.ndarray:
        kept = self.on_terms(model)
        params = self.params(model)
        loss = params.sovereign_loss if kept else params.sovereignty_loss
        return np.full(np.shape(partner), loss * self._reluctance(model))

    def feasible(self, model: EcosystemModel, partner: np.ndarray) -> np.ndarray | None:
        com, ent = model.community_arrays, model.entity_arrays
        if not model.spec.exchange.data_sharing:
            return np.zeros((com.n, partner.size), dtype=bool)
        # an entity must promise the privacy the community demands for its data (§2.3)
        return ent.claimed_epsilon[partner][None, :] <= com.max_epsilon[:, None]

    def settle(self, model: EcosystemModel, users: np.ndarray) -> None:
        """Withdraw records from former partners, then hand over this step's records."""
        com, ledger, spec = model.community_arrays, model.ledger, model.spec
        sovereign = self.on_terms(model)
        if sovereign:
            stopped = np.flatnonzero(
                (com.previous_strategy == self.code)
                & ((com.strategy != self.code) | (com.partner != com.previous_partner))
            )
            for c in stopped:
                model.withdraw_records(int(com.previous_partner[c]), int(c))
        if users.size == 0:
            return
        n = spec.communities.records_per_step
        partner = com.partner[users]
        ledger.give_data(users, partner, n, sovereign=sovereign)
        value = spec.large_entities.data_value * n  # data is capital (§3, §4.1)
        ent = model.entity_arrays
        np.add.at(ledger.money, ledger.entity_org(partner), value)
        np.add.at(ent.revenue, partner, value)
        if sovereign:  # §4.1 protocol: part of the value goes back to the community
            benefit = spec.exchange.benefit_share * value
            ledger.pay(ledger.entity_org(partner), ledger.community_org(users), benefit)
            np.add.at(ent.costs, partner, benefit)
        else:  # on the entity's terms: no use limits, misuse is possible (§3)
            com.data_with[users] = partner
        model.hand_over_batch(users, partner, on_terms=sovereign)

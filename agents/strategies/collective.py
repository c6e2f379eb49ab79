"""What collective strategies share: one model per consortium of peers (§4.1, §4.3).

A consortium is the set of communities of one jurisdiction (``community_arrays.consortium``);
the members that take the strategy train one model together and each deploys it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from hetsim.simulation.learning.capacity import to_model_space
from hetsim.simulation.state import N_FEATURES
from hetsim.simulation.strategy import Pilot, Strategy, Trial

if TYPE_CHECKING:
    from hetsim.simulation.model import EcosystemModel


class CollectiveStrategy(Strategy):
    """A strategy whose members of one consortium share one linear model."""

    def setup(self, model: EcosystemModel) -> None:
        groups = model.community_arrays.n_consortia
        self.coef = np.zeros((groups, N_FEATURES))  # (G, 8) each consortium's model
        self.intercept = np.zeros(groups)  # (G,)

    def pilot(self, model: EcosystemModel, pilot: Pilot, partner: np.ndarray) -> Trial:
        cons = model.community_arrays.consortium
        return pilot.linear(self.name, self.coef[cons][:, None], self.intercept[cons][:, None])

    def deployed(self, model: EcosystemModel, users: np.ndarray):
        cons = model.community_arrays.consortium[users]
        return self.coef[cons], self.intercept[cons]

    def pool_records(self, model: EcosystemModel, users: np.ndarray) -> None:
        """The members' new records join their consortium's pool, usable by every member."""
        com = model.community_arrays
        for group in np.unique(com.consortium[users]):
            members = users[com.consortium[users] == group]
            model.ledger.pool_data(members, model.spec.communities.records_per_step)

    def install(self, trained, groups: np.ndarray, capacity: np.ndarray) -> None:
        """Put the consortia's newly trained models in place (weights on unscaled features)."""
        self.coef[groups] = to_model_space(trained.coef, capacity)
        self.intercept[groups] = trained.intercept

"""What adaptation strategies share: a community's own copy of a partner's model (§4.2).

Fine-tuning and distillation start from an entity's model and end with one the community
holds. Each strategy keeps, per community, the last model it produced and the entity it came
from; an option with another entity is estimated from that entity's piloted model until tried.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from hetsim.agents.strategies.adopt import entity_trial
from hetsim.simulation.state import N_FEATURES
from hetsim.simulation.strategy import Pilot, Strategy, Trial

if TYPE_CHECKING:
    from hetsim.simulation.model import EcosystemModel


class AdaptedStrategy(Strategy):
    """A strategy that turns a partner entity's model into one the community holds."""

    with_entity = True

    def setup(self, model: EcosystemModel) -> None:
        c = model.community_arrays.n
        self.coef = np.zeros((c, N_FEATURES))  # (C, 8) the community's adapted model
        self.intercept = np.zeros(c)  # (C,)
        self.source = np.full(c, -1, dtype=np.int64)  # (C,) entity it was adapted from

    def untried(self, model: EcosystemModel, pilot: Pilot, partner: np.ndarray) -> Trial:
        """(C, k) expected trial of adapting a model not tried yet: the partner's own."""
        return entity_trial(model, pilot).columns(partner)

    def pilot(self, model: EcosystemModel, pilot: Pilot, partner: np.ndarray) -> Trial:
        guess = self.untried(model, pilot, partner)
        tried = self.source[:, None] == partner[None, :]
        if not tried.any():
            return guess
        own = pilot.linear(self.name, self.coef[:, None], self.intercept[:, None])
        return own.columns(np.zeros(partner.size, dtype=np.int64)).where(tried, guess)

    def deployed(self, model: EcosystemModel, users: np.ndarray):
        return self.coef[users], self.intercept[users]

    def keep(self, model: EcosystemModel, ids: np.ndarray, fit, rows: int) -> None:
        """Store the communities' adapted models and charge the work it took."""
        self.coef[ids], self.intercept[ids] = fit.coef, fit.intercept
        self.source[ids] = model.community_arrays.partner[ids]
        model.training.charge(ids.size, rows, fit.coef.shape[1], fit.n_iter)

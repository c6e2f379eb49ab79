"""``pool``: pool records with peers under collective ownership and train one model (§4.1).

The peers of one consortium (communities of one jurisdiction) each contribute their newest
records, as many as their own compute processes; the pooled model, of the capacity their
compute buys together, serves every member.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from hetsim.agents.strategies.collective import CollectiveStrategy
from hetsim.agents.strategies.fitting import budget, consortia, pooled_capacity, pooled_records
from hetsim.simulation.capacity import to_fit_space

if TYPE_CHECKING:
    from hetsim.simulation.model import EcosystemModel


class Pool(CollectiveStrategy):
    """One model per consortium, trained on its members' pooled records."""

    name = "pool"
    section = "§4.1"
    summary = "pooling data with peers"
    privacy_cost = 0.2
    sovereignty_loss = 0.1
    expertise = 0.2

    def settle(self, model: EcosystemModel, users: np.ndarray) -> None:
        """Pooled records are held under collective ownership: every member can use them."""
        self.pool_records(model, users)

    def train(self, model: EcosystemModel, users: np.ndarray) -> None:
        groups, parts = consortia(model, users)
        if groups.size == 0:
            return
        members = [users[p] for p in parts]
        rows_each, _ = budget(model, users)  # each member processes what its compute allows
        rows = [rows_each[p] for p in parts]
        capacity = pooled_capacity(model, members)  # the members' compute, pooled
        x, y, w = pooled_records(model, members, rows, capacity)
        ticket = model.training.submit(
            x,
            y,
            w,
            coef_init=to_fit_space(self.coef[groups], capacity),
            intercept_init=self.intercept[groups],
        )
        model.training.on_done(ticket, self.install, groups, capacity)

"""``pool``: pool records with peers under collective ownership and train one model (§4.1).

The peers of one consortium (communities of one jurisdiction) each contribute their newest
``POOL_ROWS_PER_MEMBER`` records; the pooled model serves every member.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from hetsim.agents.strategies.collective import CollectiveStrategy
from hetsim.agents.strategies.fitting import consortia, pooled_records

if TYPE_CHECKING:
    from hetsim.simulation.model import EcosystemModel

POOL_ROWS_PER_MEMBER = 120  # records each member contributes to a pooled fit


class Pool(CollectiveStrategy):
    """One model per consortium, trained on its members' pooled records."""

    name = "pool"
    section = "§4.1"
    summary = "pooling data with peers"
    privacy_cost = 0.2
    sovereignty_loss = 0.1
    expertise = 0.2

    def train(self, model: EcosystemModel, users: np.ndarray) -> None:
        groups, parts = consortia(model, users)
        if groups.size == 0:
            return
        rows = [np.full(len(p), POOL_ROWS_PER_MEMBER) for p in parts]
        x, y, w = pooled_records(model, [users[p] for p in parts], rows)
        ticket = model.training.submit(
            x, y, w, coef_init=self.coef[groups], intercept_init=self.intercept[groups]
        )
        model.training.on_done(ticket, self.install, groups)

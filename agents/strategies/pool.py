"""``pool``: pool records with peers under collective ownership and train one model (§4.1).

The peers of one consortium (communities of one jurisdiction) each contribute their newest
records, as many as their own compute processes; the pooled model, of the capacity their
compute buys together, serves every member.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from pydantic import Field

from hetsim.agents.strategies.collective import CollectiveStrategy
from hetsim.agents.strategies.fitting import budget, consortia, pooled_capacity, pooled_records
from hetsim.simulation.learning.capacity import to_fit_space
from hetsim.simulation.schema import Probability
from hetsim.simulation.strategy import StrategyParams

if TYPE_CHECKING:
    from hetsim.simulation.model import EcosystemModel


class PoolParams(StrategyParams):
    """Keys of ``[strategy.pool]``: what taking it costs, and its settings."""

    privacy_cost: Probability = Field(
        0.2,
        description=(
            "exposure: peers see each other's records; an ordinal judgement, local 0 < "
            "adopt, federate 0.1 < pool, cooperative, split 0.2 < share 0.5: sweep it"
        ),
    )
    sovereignty_loss: Probability = Field(
        0.1,
        description="control given up to the pool's collective ownership",
    )
    expertise: Probability = Field(
        0.2,
        description="least expertise to run a pooled fit",
    )


class Pool(CollectiveStrategy):
    """One model per consortium, trained on its members' pooled records."""

    name = "pool"
    Params = PoolParams
    section = "§4.1"
    summary = "pooling data with peers"

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

"""``federate``: join a FedAvg consortium; the global model can fail outlying members (§4.3).

Members keep their records and run local FedProx steps each round; the consortium averages.
Federating needs expertise, less with a consortium facilitator
(``exchange.consortium_facilitator``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from hetsim.agents.strategies.collective import CollectiveStrategy
from hetsim.agents.strategies.fitting import budget, consortia, member_records
from hetsim.simulation.capacity import feature_map
from hetsim.simulation.federated import fedavg

if TYPE_CHECKING:
    from hetsim.simulation.model import EcosystemModel

FEDERATED_ROUNDS = 3
ROWS_PER_MEMBER = 120  # newest records each member trains on per round
FACILITATED_EXPERTISE = 0.1  # what federating needs with a consortium facilitator (§4.3)


class Federate(CollectiveStrategy):
    """One FedAvg model per consortium; the data stay with the members."""

    name = "federate"
    section = "§4.3"
    summary = "in a federated consortium"
    privacy_cost = 0.1
    expertise = 0.4

    def needed_expertise(self, model: EcosystemModel) -> float:
        return (
            FACILITATED_EXPERTISE if model.spec.exchange.consortium_facilitator else self.expertise
        )

    def train(self, model: EcosystemModel, users: np.ndarray) -> None:
        if users.size == 0:
            return
        xs, ys, ws = member_records(model, users, ROWS_PER_MEMBER)
        _, capacity = budget(model, users)
        x = feature_map(xs, capacity)
        groups, members = consortia(model, users)
        coef, intercept, _ = fedavg(
            x,
            ys.astype(float),
            ws,
            members,
            FEDERATED_ROUNDS,
            model.spec.learning.l2,
            coef_init=self.coef[groups],
        )
        self.coef[groups], self.intercept[groups] = coef, intercept
        model.training.charge(users.size, xs.shape[1], x.shape[2], 3 * FEDERATED_ROUNDS)

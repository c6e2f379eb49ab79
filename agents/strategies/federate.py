"""``federate``: join a FedAvg consortium; the global model can fail outlying members (§4.3).

Members keep their records and run local FedProx steps each round; the consortium averages.
Federating needs expertise, less with a consortium facilitator
(``exchange.consortium_facilitator``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from hetsim.agents.strategies.collective import CollectiveStrategy
from hetsim.agents.strategies.fitting import budget, consortia, member_records, pooled_capacity
from hetsim.simulation.capacity import feature_map, to_fit_space, to_model_space
from hetsim.simulation.federated import fedavg

if TYPE_CHECKING:
    from hetsim.simulation.model import EcosystemModel

FEDERATED_ROUNDS = 3
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
        rows, _ = budget(model, users)  # each member trains on what its own compute processes
        xs, ys, ws = member_records(model, users, rows)
        groups, members = consortia(model, users)
        # one architecture per consortium, of the capacity the members' compute buys together
        capacity = pooled_capacity(model, [users[m] for m in members])
        per_member = np.empty(users.size)
        for g, m in enumerate(members):
            per_member[m] = capacity[g]
        x = feature_map(xs, per_member)
        coef, intercept, _ = fedavg(
            x,
            ys.astype(float),
            ws,
            members,
            FEDERATED_ROUNDS,
            model.spec.learning.l2,
            coef_init=to_fit_space(self.coef[groups], capacity),
        )
        self.coef[groups] = to_model_space(coef, capacity)
        self.intercept[groups] = intercept
        model.training.charge(users.size, xs.shape[1], x.shape[2], 3 * FEDERATED_ROUNDS)

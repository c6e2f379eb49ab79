"""``federate``: join a FedAvg consortium; the global model can fail outlying members (§4.3).

Members keep their records and run local FedProx steps each round; the consortium averages.
Federating needs expertise, less with a consortium facilitator
(``exchange.consortium_facilitator``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from pydantic import Field

from hetsim.agents.strategies.collective import CollectiveStrategy
from hetsim.agents.strategies.fitting import budget, consortia, member_records, pooled_capacity
from hetsim.simulation.learning.capacity import feature_map, to_fit_space, to_model_space
from hetsim.simulation.learning.federated import fedavg
from hetsim.simulation.schema import Probability
from hetsim.simulation.strategy import StrategyParams

if TYPE_CHECKING:
    from hetsim.simulation.model import EcosystemModel


class FederateParams(StrategyParams):
    """Keys of ``[strategy.federate]``: what taking it costs, and its settings."""

    privacy_cost: Probability = Field(
        0.1,
        description=(
            "exposure: model updates reveal a little of the records; an ordinal judgement, "
            "local 0 < adopt, federate 0.1 < pool, cooperative, split 0.2 < share 0.5: "
            "sweep it"
        ),
    )
    expertise: Probability = Field(
        0.4,
        description="least expertise to federate without a facilitator (§4.3)",
    )
    facilitated_expertise: Probability = Field(
        0.1,
        description=(
            "least expertise to federate with a consortium facilitator "
            "(exchange.consortium_facilitator)"
        ),
    )
    rounds: int = Field(
        3,
        ge=1,
        le=100,
        description="FedAvg communication rounds per step",
    )


class Federate(CollectiveStrategy):
    """One FedAvg model per consortium; the data stay with the members."""

    name = "federate"
    Params = FederateParams
    section = "§4.3"
    summary = "in a federated consortium"

    def needed_expertise(self, model: EcosystemModel) -> float:
        params = self.params(model)
        return (
            params.facilitated_expertise
            if model.spec.exchange.consortium_facilitator
            else params.expertise
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
            self.params(model).rounds,
            model.spec.learning.l2,
            coef_init=to_fit_space(self.coef[groups], capacity),
        )
        self.coef[groups] = to_model_space(coef, capacity)
        self.intercept[groups] = intercept
        rounds = self.params(model).rounds
        model.training.charge(users.size, xs.shape[1], x.shape[2], 3 * rounds)

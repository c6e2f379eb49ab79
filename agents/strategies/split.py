"""``split``: split learning with an entity's server (§4.3).

The community keeps its raw records and the lower layer of a two-layer network; the server
keeps the head (:mod:`hetsim.simulation.learning.split`). Training exchanges activations and
gradients: the server sees the activations of every record trained on, never a raw record.
The community cannot decide without the server's head, so the entity controls the deployed
model (dependency). The community's compute bounds the records its layer processes; the
server's work is paid by the fee, a share of the access price.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from pydantic import Field

from hetsim.agents.strategies.adopt import entity_trial
from hetsim.agents.strategies.fitting import buckets, budget
from hetsim.simulation.learning import split as split_learning
from hetsim.simulation.population import N_RAW
from hetsim.simulation.schema import Probability
from hetsim.simulation.strategy import Pilot, Strategy, StrategyParams, Trial, access_price

if TYPE_CHECKING:
    from hetsim.simulation.model import EcosystemModel


class SplitParams(StrategyParams):
    """Keys of ``[strategy.split]``: what taking it costs, and its settings."""

    privacy_cost: Probability = Field(
        0.2,
        description=(
            "exposure: the server sees the activations of every record (§4.3); an ordinal "
            "judgement, local 0 < adopt, federate 0.1 < pool, cooperative, split 0.2 < "
            "share 0.5: sweep it"
        ),
    )
    sovereignty_loss: Probability = Field(
        0.5,
        description="control given up: the server holds the head, without which nothing is decided",
    )
    expertise: Probability = Field(
        0.15,
        description="least expertise to train the lower layer",
    )


class Split(Strategy):
    """Train and decide with a network whose head stays on the entity's server."""

    name = "split"
    Params = SplitParams
    section = "§4.3"
    summary = "in split learning with an entity"
    with_entity = True
    entity_controls = True

    def setup(self, model: EcosystemModel) -> None:
        c, hidden = model.community_arrays.n, model.spec.learning.split_hidden
        self.net = split_learning.SplitModel(
            np.zeros((c, N_RAW, hidden)), np.zeros((c, hidden)), np.zeros((c, hidden)), np.zeros(c)
        )  # row c: community c's lower layer and, on its partner's server, the head
        self.source = np.full(c, -1, dtype=np.int64)  # (C,) entity whose server holds the head
        self.started = np.zeros(c, dtype=bool)  # (C,) the lower layer has been initialised

    def fee(self, model: EcosystemModel, partner: np.ndarray) -> np.ndarray:
        return access_price(model, partner) * model.spec.large_entities.split_fee_share

    def pilot(self, model: EcosystemModel, pilot: Pilot, partner: np.ndarray) -> Trial:
        guess = entity_trial(model, pilot).columns(partner)  # until tried: the server's model
        tried = self.source[:, None] == partner[None, :]
        if not tried.any():
            return guess
        own = pilot.scored(self.name, split_learning.scores(pilot.x, self.net)[:, None, :])
        return own.columns(np.zeros(partner.size, dtype=np.int64)).where(tried, guess)

    def train(self, model: EcosystemModel, users: np.ndarray) -> None:
        com, led, learning = model.community_arrays, model.ledger, model.spec.learning
        if users.size == 0:
            return
        fresh = users[~self.started[users]]
        if fresh.size:  # the community initialises its own layer once
            init = split_learning.init_split(fresh.size, N_RAW, learning.split_hidden, model.rng)
            self.net.lower[fresh], self.started[fresh] = init.lower, True
        moved = users[self.source[users] != com.partner[users]]
        self.net.head[moved], self.net.head_bias[moved] = 0.0, 0.0  # a new server, a new head
        rows, _ = budget(model, users)
        for members, width in buckets(rows, com.window):
            ids = users[members]
            pos, age = com.recent(ids, width)
            x = com.x[ids[:, None], pos]
            y = com.label[ids[:, None], pos].astype(float)
            weight = (age[None, :] < rows[members, None]).astype(float)
            net, _ = split_learning.train_split(
                x,
                y,
                weight,
                self.net.take(ids),
                learning.split_epochs,
                learning.split_learning_rate,
                learning.l2,
            )
            self.net.put(ids, net)
            work = split_learning.split_flops(width, N_RAW, learning.split_hidden, 1)
            model.training.charge_flops(ids.size, work * learning.split_epochs * ids.size)
            # the server sees the activations of every record trained on (§4.3)
            led.record_flow(
                "data",
                led.community_org(ids),
                led.entity_org(com.partner[ids]),
                rows[members],
            )
        self.source[users] = com.partner[users]

    def scores(self, model: EcosystemModel, users: np.ndarray, x: np.ndarray) -> np.ndarray:
        return split_learning.scores(x, self.net.take(users))

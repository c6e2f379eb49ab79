"""``aggregate``: share sufficient statistics, never records, for an entity's model (§4.1).

§4.1 names "sharing aggregated data [105]" among the ways to share "in a privacy-preserving
manner". Each step the community releases the per-(group, label) counts, feature sums and sums of
outer products of its newest records (as many as its compute allows;
:mod:`hetsim.agents.strategies.moments`) to its partner entity, under its own terms: when it
leaves, the entity drops them. The entity cannot run its logistic fit on statistics; it fits a
**linear discriminant** (Fisher 1936; Hastie et al. 2009 §4.3) from the moments of its own pool
plus those its users shared, and serves that model to them (it controls it: dependency stays).
The loss of fit is measured, not set: LDA assumes Gaussian classes with a shared covariance, and
the moments cannot carry the label's nonlinear dependence on the features that the entity's
high-capacity model learns; ``fit_from = "records"`` is the knockout that shares the records and
fits the entity's logistic model on them instead, so the two arms measure what statistics cost.
With a finite ``epsilon`` each release is differentially private (Dwork et al. 2014) and composes
in the community's privacy ledger; without, aggregates carry no DP guarantee (they can be
attacked by reconstruction, Dinur & Nissim 2003). Keys: ``[strategy.aggregate]``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, ClassVar, Literal

import numpy as np
from pydantic import Field

from hetsim.agents.strategies import moments
from hetsim.agents.strategies.fitting import buckets, budget
from hetsim.agents.strategies.private_sharing import (
    PartnerModel,
    ReleaseParams,
    epsilon_column,
)
from hetsim.simulation.population import N_RAW
from hetsim.simulation.schema import Probability

if TYPE_CHECKING:
    from hetsim.simulation.model import EcosystemModel


class AggregateParams(ReleaseParams):
    """Keys of ``[strategy.aggregate]``: what taking it costs, and its settings."""

    privacy_cost: Probability = Field(
        0.1,
        description=(
            "exposure without DP: aggregates can be attacked by reconstruction (Dinur & Nissim "
            "2003); an ordinal judgement, local 0 < adopt 0.1 < pool 0.2 < share 0.5: sweep it"
        ),
    )
    fit_from: Literal["statistics", "records"] = Field(
        "statistics",
        description=(
            "what the entity fits from: the shared statistics (a linear discriminant), or (the "
            "knockout that measures the loss of fit) the records themselves, handed over on "
            "its terms, by its logistic fit"
        ),
    )


class Aggregate(PartnerModel):
    """Give an entity per-group, per-label moments; deploy the discriminant it fits from them."""

    name = "aggregate"
    Params = AggregateParams
    summary = "sharing aggregate statistics for access"
    metric_columns: ClassVar[Mapping[str, str]] = epsilon_column("aggregate")

    def setup(self, model: EcosystemModel) -> None:
        super().setup(model)
        c, cells = model.community_arrays.n, moments.N_CELLS
        self.shared = moments.Moments(
            np.zeros((c, cells)), np.zeros((c, cells, N_RAW)), np.zeros((c, cells, N_RAW, N_RAW))
        )  # (C, ...) the statistics each community's partner holds of it
        self.holder = np.full(c, -1, dtype=np.int64)  # (C,) entity holding them, -1 none

    def settle(self, model: EcosystemModel, users: np.ndarray) -> None:
        """Leavers' statistics are dropped; users release this step's statistics."""
        com, led = model.community_arrays, model.ledger
        gone = np.flatnonzero(self.holder >= 0)
        gone = gone[(com.strategy[gone] != self.code) | (com.partner[gone] != self.holder[gone])]
        self.holder[gone] = -1
        if users.size == 0:
            return
        if self.params(model).fit_from == "records":  # the knockout: the records themselves
            self.hand_over(model, users, model.spec.communities.records_per_step)
            return
        rows, _ = budget(model, users)
        for members, width in buckets(rows, com.window):
            ids = users[members]
            stats = self.release(model, ids, rows[members], width)
            for target, value in zip(self.shared, stats, strict=True):
                target[ids] = value
            led.record_flow(
                "data", led.community_org(ids), led.entity_org(com.partner[ids]), rows[members]
            )
        self.holder[users] = com.partner[users]

    def release(self, model: EcosystemModel, ids: np.ndarray, rows: np.ndarray, width: int):
        """Moments of each community's newest ``rows`` records, noisy if ``epsilon`` is finite;
        the release is composed in its privacy ledger."""
        com, params = model.community_arrays, self.params(model)
        pos, age = com.recent(ids, width)
        index = ids[:, None]
        weight = (age[None, :] < rows[:, None]).astype(float)
        private = self.private(model)
        stats = moments.cell_moments(
            com.x[index, pos],
            com.group[index, pos],
            com.label[index, pos],
            weight,
            params.clip if private else np.inf,
        )
        model.training.charge_flops(ids.size, 2.0 * width * N_RAW * N_RAW * ids.size)
        release = None
        if private:
            stats, release = moments.privatise(
                stats, params.epsilon, model.spec.learning.dp_delta, params.clip, model.rng
            )
        self.record_release(model, ids, release)
        return stats

    def train(self, model: EcosystemModel, users: np.ndarray) -> None:
        """Each partner fits its discriminant from its pool's moments and its users' shared
        statistics (or, in the knockout, its logistic model on their records)."""
        if users.size == 0:
            return
        if self.params(model).fit_from == "records":
            rows, _ = budget(model, users)
            self.record_release(model, users, None)  # the entity fits on them without noise
            self.fit_on_records(model, users, rows)
            return
        ent, learning = model.entity_arrays, model.spec.learning
        for e in np.unique(model.community_arrays.partner[users]):
            n = int(ent.filled[e])
            pool = moments.cell_moments(
                ent.x[e : e + 1, :n], ent.group[e : e + 1, :n], ent.label[e : e + 1, :n], 1.0
            )
            held = self.shared.take(np.flatnonzero(self.holder == e)).summed()
            coef, intercept = moments.discriminant(pool + held, learning.l2)
            self.coef[e, :N_RAW], self.coef[e, N_RAW:] = coef[0], 0.0
            self.intercept[e], self.fitted[e] = intercept[0], True
            model.training.charge_flops(1, 2.0 * n * N_RAW * N_RAW)

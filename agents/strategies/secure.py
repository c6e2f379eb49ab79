"""``secure``: an entity trains on one's records without seeing them (§4.1, "encryption [76]").

The technique modelled is **secure aggregation** (Bonawitz et al. 2017, CCS): the entity's
logistic fit needs, at each iteration, the sum of per-record gradients; each user computes the
sum over its own records at home, masks it with pairwise keys, and the entity can unmask only the
total over all parties. The fit is therefore exactly the logistic regression on the union of the
entity's pool and the users' records (:meth:`PartnerModel.fit_on_records`), yet no record and no
single user's sum leaves home: exposure is the service's alone (as adopt's), the records stay
under the community's control (data sovereignty kept), and the entity serves the model (it
controls it: dependency stays). The fitted model itself is not differentially private (secure
computation hides the inputs, not what the output reveals), so the release is composed as
noiseless in the community's privacy ledger.

**The overhead** (``overhead``): the protocol's extra work per record, as a multiple of the
plaintext work. Bonawitz et al. (2017) measure a communication expansion of 1.73× (2^10 users,
2^20-dimensional vectors) to 1.98× (2^14 users, 2^24): overhead 0.73–0.98; the default is the
larger. Who pays: the user computes and masks its sums with its own compute, so its records in
the fit are its sample budget divided by ``1 + overhead``; the entity's unmasking of the masked
sums is compute it spends on the users' behalf (``overhead`` units per user record, taken from
what it could rent out) and charges at the compute market's going price, in the fee. Other
techniques cost far more: training logistic regression under homomorphic encryption took about
6 minutes for 1,579 records of 18 features (Kim et al. 2018, BMC Med Genomics 11:83) and
0.4–3.2 hours per gradient iteration (Chen et al. 2018, BMC Med Genomics 11:81), against 2.1 ms
for the whole plaintext fit of the same size with hetsim's solver (measured, 2 vCPU, 2026-12):
an overhead of about 10^5 to 10^7. Sweep ``overhead`` to stage them: at those values no
community can pay for it. Keys: ``[strategy.secure]``; ``overhead = 0`` is the knockout.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, ClassVar

import numpy as np
from pydantic import Field

from hetsim.agents.strategies.fitting import budget
from hetsim.agents.strategies.private_sharing import (
    PartnerModel,
    PrivateSharingParams,
    epsilon_column,
)
from hetsim.simulation.learning.logistic import training_flops
from hetsim.simulation.schema import NonNegative, Probability
from hetsim.simulation.state import N_FEATURES

if TYPE_CHECKING:
    from hetsim.simulation.model import EcosystemModel


class SecureParams(PrivateSharingParams):
    """Keys of ``[strategy.secure]``: what taking it costs, and its settings."""

    privacy_cost: Probability = Field(
        0.1,
        description=(
            "exposure: no record is seen, only the service's queries (as adopt's 0.1); an "
            "ordinal judgement, local 0 < adopt 0.1 < pool 0.2 < share 0.5: sweep it"
        ),
    )
    overhead: NonNegative = Field(
        0.98,
        description=(
            "extra work of the secure protocol per record, as a multiple of the plaintext work: "
            "secure aggregation's measured communication expansion 1.73x-1.98x (Bonawitz et al. "
            "2017) gives 0.73-0.98; homomorphic encryption about 1e5-1e7 (Kim et al. 2018; "
            "Chen et al. 2018; see the module); 0 is the knockout"
        ),
    )


class Secure(PartnerModel):
    """Let an entity fit on one's records by secure aggregation; deploy the model it serves."""

    name = "secure"
    Params = SecureParams
    summary = "in secure training with an entity"
    metric_columns: ClassVar[Mapping[str, str]] = {
        **epsilon_column("secure"),
        "secure_records": "community records in this step's secure fits (§4.1), >= 0",
        "secure_overhead_compute": "compute units the secure protocol's overhead took this step, "
        ">= 0",
    }

    def setup(self, model: EcosystemModel) -> None:
        super().setup(model)
        self.records = 0.0
        self.overhead_compute = 0.0

    def fee(self, model: EcosystemModel, partner: np.ndarray) -> np.ndarray:
        """Discounted access plus the entity's unmasking work on a full window of records, at
        the compute market's going price."""
        spec = model.spec
        work = self.params(model).overhead * spec.communities.window
        return super().fee(model, partner) + work * model.compute_market.price

    def train(self, model: EcosystemModel, users: np.ndarray) -> None:
        """Each user's records, as many as its compute allows after the overhead, enter its
        partner's secure fit; the entity's unmasking work is taken from its idle compute."""
        self.records = self.overhead_compute = 0.0
        if users.size == 0:
            return
        com, ent, led = model.community_arrays, model.entity_arrays, model.ledger
        overhead = self.params(model).overhead
        plain, _ = budget(model, users)
        rows = np.minimum(np.floor(plain / (1.0 + overhead)), com.filled[users]).astype(np.int64)
        self.record_release(model, users, None)  # the output model carries no DP guarantee
        self.fit_on_records(model, users, rows)
        # the users' masking work (theirs, within their compute) and the entity's unmasking
        learning = model.spec.learning
        work = training_flops(rows, N_FEATURES, np.full(users.size, learning.max_iter))
        model.training.charge_flops(0, float(np.sum(work)) * 2.0 * overhead)
        partner = com.partner[users]
        units = overhead * rows
        np.add.at(ent.compute_used, partner, units)
        led.record_flow("compute", led.entity_org(partner), led.community_org(users), units)
        self.records = float(rows.sum())
        # the protocol's extra work: the users' masking and the entity's unmasking, each units
        self.overhead_compute = float(2.0 * units.sum())

    def measures(self, model: EcosystemModel) -> dict[str, float]:
        return {
            **super().measures(model),
            "secure_records": self.records,
            "secure_overhead_compute": self.overhead_compute,
        }

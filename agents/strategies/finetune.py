"""``finetune``: adapt an entity's open weights to local records (§4.2).

A warm start plus a proximal pull toward the pretrained weights; transfer is negative when
source and target domains differ. The source–target divergence is exposed as a metric: how
often the pretrained model decides otherwise than one fitted on the community's window.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, ClassVar

import numpy as np
from pydantic import Field

from hetsim.agents.strategies.adapted import AdaptedStrategy
from hetsim.agents.strategies.fitting import adaptation_batches
from hetsim.simulation.learning.capacity import feature_map
from hetsim.simulation.learning.logistic import fit_logistic
from hetsim.simulation.learning.transfer import decision_divergence, finetune
from hetsim.simulation.schema import NonNegative, Probability
from hetsim.simulation.strategy import Pilot, StrategyParams, Trial

if TYPE_CHECKING:
    from hetsim.simulation.model import EcosystemModel


class FinetuneParams(StrategyParams):
    """Keys of ``[strategy.finetune]``: what taking it costs, and its settings."""

    expertise: Probability = Field(
        0.3,
        description="least expertise to fine-tune",
    )
    strength: NonNegative = Field(
        5.0,
        description=(
            "proximal pull toward the pretrained weights (§4.2): 0 trains from the weights freely"
        ),
    )


class Finetune(AdaptedStrategy):
    """Fine-tune a partner's open weights; the result is the community's own model."""

    name = "finetune"
    Params = FinetuneParams
    section = "§4.2"
    summary = "fine-tuning open weights"
    metric_columns: ClassVar[Mapping[str, str]] = {
        "finetune_divergence_mean": "mean source-target divergence of fine-tuning communities: "
        "share of their records the pretrained model decides otherwise than a locally fitted "
        "one (§4.2; NaN when none), [0, 1]",
    }

    def setup(self, model: EcosystemModel) -> None:
        super().setup(model)
        self.divergence = np.full(model.community_arrays.n, np.nan)  # (C,) at last fine-tune

    def feasible(self, model: EcosystemModel, partner: np.ndarray) -> np.ndarray | None:
        open_weights = model.entity_arrays.open_weights[partner]  # closed APIs cannot be tuned
        return np.broadcast_to(open_weights, (model.community_arrays.n, partner.size))

    def untried(self, model: EcosystemModel, pilot: Pilot, partner: np.ndarray) -> Trial:
        """Expected at least as good as the better of one's own model and the pretrained one."""
        com = model.community_arrays
        own = pilot.linear("own", com.coef[:, None], com.intercept[:, None])
        own = own.columns(np.zeros(partner.size, dtype=np.int64))
        return super().untried(model, pilot, partner).best(own)

    def train(self, model: EcosystemModel, users: np.ndarray) -> None:
        com, ent = model.community_arrays, model.entity_arrays
        if users.size == 0:
            return
        strength = self.params(model).strength
        for ids, partner, x, label, weight in adaptation_batches(model, users):
            fit = finetune(x, label, weight, ent.coef[partner], ent.intercept[partner], strength)
            self.keep(model, ids, fit, x.shape[1])
        partner = com.partner[users]
        pos, _ = com.recent(users, com.window)
        x = feature_map(com.x[users[:, None], pos], True)
        weight = (np.arange(com.window)[None, :] < com.filled[users, None]).astype(float)
        reference = fit_logistic(
            x, com.label[users[:, None], pos].astype(float), weight, l2=model.spec.learning.l2
        )
        self.divergence[users] = decision_divergence(
            x,
            ent.coef[partner],
            ent.intercept[partner],
            reference.coef,
            reference.intercept,
            weight,
        )

    def measures(self, model: EcosystemModel) -> dict[str, float]:
        tuning = model.community_arrays.strategy == self.code
        values = self.divergence[tuning]
        values = values[~np.isnan(values)]
        mean = float(values.mean()) if values.size and model.entity_arrays.n else float("nan")
        return {"finetune_divergence_mean": mean}

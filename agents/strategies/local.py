"""``local``: a community trains its own model on its own annotated records (§4).

It pays with its own compute: a fit uses at most compute × expertise of its newest records
(:mod:`hetsim.simulation.learning.capacity`). It is every community's first model and its last
resort.
With a finite ``communities.values.local_epsilon`` the fit is differentially private (§2.3).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from hetsim.agents.strategies.fitting import buckets, budget, mitigated_fit_inputs
from hetsim.simulation.learning.capacity import feature_map, to_fit_space, to_model_space
from hetsim.simulation.privacy.dp_training import dp_fit_scenario
from hetsim.simulation.strategy import Pilot, Strategy, Trial

if TYPE_CHECKING:
    from hetsim.simulation.model import EcosystemModel


class Local(Strategy):
    """Train one's own model; the community controls it and gives nothing away."""

    name = "local"
    section = "§4"
    summary = "training their own model"
    fallback = True
    builds_expertise = True
    accounts_privacy = True  # enters its own releases in the communities' privacy ledger

    def pilot(self, model: EcosystemModel, pilot: Pilot, partner: np.ndarray) -> Trial:
        com = model.community_arrays
        return pilot.linear("own", com.coef[:, None], com.intercept[:, None])

    def train(self, model: EcosystemModel, users: np.ndarray) -> None:
        com, learning = model.community_arrays, model.spec.learning
        rows, capacity = budget(model, users)
        epsilon = model.spec.communities.values.local_epsilon
        for members, width in buckets(rows, com.window):
            ids = users[members]
            pos, age = com.recent(ids, width)
            index = ids[:, None]
            x = feature_map(com.x[index, pos], capacity[members])
            label, group = com.label[index, pos], com.group[index, pos]
            weight = (age[None, :] < rows[members, None]).astype(float)
            weight, quadratic = mitigated_fit_inputs(model, ids, x, label, group, weight)
            kappa = capacity[members]
            if np.isfinite(epsilon):  # §2.3 differential privacy on the community's own data
                fit, training = dp_fit_scenario(learning, x, label, epsilon, model.rng, weight)
                com.privacy.record(ids, training)
                com.coef[ids] = to_model_space(fit.coef, kappa)
                com.intercept[ids] = fit.intercept
                model.training.charge(ids.size, width, x.shape[2], learning.dp_iterations)
                continue
            com.privacy.record(ids, None)  # trained without noise on their records
            ticket = model.training.submit(
                x,
                label,
                weight,
                coef_init=to_fit_space(com.coef[ids], kappa),
                intercept_init=com.intercept[ids],
                quadratic=quadratic,
            )
            model.training.on_done(ticket, _install, model, ids, kappa)

    def deployed(self, model: EcosystemModel, users: np.ndarray):
        com = model.community_arrays
        return com.coef[users], com.intercept[users]

    def epsilon(self, model: EcosystemModel, users: np.ndarray) -> np.ndarray:
        return np.full(users.size, model.spec.communities.values.local_epsilon)


def _install(trained, model: EcosystemModel, ids: np.ndarray, capacity: np.ndarray) -> None:
    com = model.community_arrays
    com.coef[ids] = to_model_space(trained.coef, capacity)
    com.intercept[ids] = trained.intercept

"""What the privacy-preserving forms of sharing have in common (§4.1).

§4.1 names ways a community can be represented in a large model without handing over its
records: "sharing data in a privacy-preserving manner [49] with more resourceful entities, using
techniques such as encryption [76], sharing aggregated data [105], synthetic data [82]". In each
form here the community gives an entity something other than its records (samples, statistics,
ciphertexts) in exchange for access to a model the entity trains and controls — so dependency
stays, while the records, and data sovereignty (§4.1), stay home. Like raw sharing, the access is
discounted (``exchange.share_discount``) and allowed only where ``exchange.data_sharing`` is.

:class:`PrivateSharing` is the base: the fee, the gate, the knockout that hands over the real
records instead (to measure what the form is worth) and the privacy release on the community's
ledger. :class:`PartnerModel` adds a model per entity that the strategy fits on the entity's
behalf (from statistics, or on encrypted records) and its users deploy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from pydantic import Field

from hetsim.agents.strategies.adopt import Adopt, entity_trial
from hetsim.simulation.learning.capacity import (
    feature_map,
    sample_budget,
    to_fit_space,
    to_model_space,
)
from hetsim.simulation.privacy.accounting import PrivacyLedger
from hetsim.simulation.schema import Epsilon, NonNegative, Probability
from hetsim.simulation.state import N_FEATURES
from hetsim.simulation.strategy import Pilot, StrategyParams, Trial, access_price

if TYPE_CHECKING:
    from hetsim.simulation.model import EcosystemModel


def epsilon_column(name: str) -> dict[str, str]:
    """The metric column of :meth:`PrivateSharing.measures` for strategy ``name``, documented."""
    return {
        f"{name}_epsilon_spent": "median over this form's users of the DP ε its releases have "
        "spent on their records, composed over every release (inf: some release had no noise; "
        "NaN: no users) (§4.1, §2.3), > 0"
    }


class PrivateSharingParams(StrategyParams):
    """Keys every privacy-preserving form of sharing has."""

    sovereignty_loss: Probability = Field(
        0.2,
        description=(
            "control given up: the records stay home, but the entity trains and controls the "
            "model the community deploys (as adopt's 0.2)"
        ),
    )


class ReleaseParams(PrivateSharingParams):
    """Keys of the forms that release something computed from the records (samples,
    statistics), optionally differentially private."""

    privacy_cost_dp: Probability = Field(
        0.05,
        description="exposure with a finite epsilon: bounded by DP; an ordinal judgement",
    )
    epsilon: Epsilon = Field(
        float("inf"),
        description=(
            "DP budget of each release of the community's samples or statistics, composed in "
            "its privacy ledger over every release (inf: no noise, no DP guarantee)"
        ),
    )
    clip: NonNegative = Field(
        4.0,
        description=(
            "L2 bound on a record's raw features under DP (Dwork et al. 2014 'Analyze Gauss'): "
            "the five raw features have norm about √5 ≈ 2.2; larger records are clipped"
        ),
    )


class PrivateSharing(Adopt):
    """Give an entity something other than one's records for discounted model access."""

    section = "§4.1"
    accounts_privacy = True  # records its own releases in the communities' privacy ledger

    def setup(self, model: EcosystemModel) -> None:
        # the form's own releases, beside the community's ledger (which also composes the
        # entities' fits on scraped records): the ε the form itself spends
        self.releases = PrivacyLedger(model.community_arrays.n)

    def record_release(self, model: EcosystemModel, ids: np.ndarray, release) -> None:
        """Compose one release on the records of ``ids`` (None: without noise)."""
        model.community_arrays.privacy.record(ids, release)
        self.releases.record(ids, release)

    def measures(self, model: EcosystemModel) -> dict[str, float]:
        """Median over this step's users of the ε the form's releases have spent on them."""
        users = np.flatnonzero(model.community_arrays.strategy == self.code)
        spent = self.releases.epsilon_spent(model.spec.learning.dp_delta)[users]
        return {f"{self.name}_epsilon_spent": float(np.median(spent)) if users.size else np.nan}

    def fee(self, model: EcosystemModel, partner: np.ndarray) -> np.ndarray:
        return access_price(model, partner) * (1.0 - model.spec.exchange.share_discount)

    def feasible(self, model: EcosystemModel, partner: np.ndarray) -> np.ndarray | None:
        if not model.spec.exchange.data_sharing:
            return np.zeros((model.community_arrays.n, partner.size), dtype=bool)
        return None

    def hand_over(self, model: EcosystemModel, users: np.ndarray, records: int) -> None:
        """The knockout: hand ``records`` real records each to the partner, on its terms."""
        com = model.community_arrays
        model.ledger.give_data(users, com.partner[users], records)
        com.data_with[users] = com.partner[users]  # no use limits: misuse possible (§3)

    def private(self, model: EcosystemModel) -> bool:
        """Releases are differentially private."""
        return bool(np.isfinite(getattr(self.params(model), "epsilon", np.inf)))

    def privacy(self, model: EcosystemModel, partner: np.ndarray) -> np.ndarray:
        """Exposure: the DP-bounded one where releases are private."""
        params = self.params(model)
        cost = params.privacy_cost_dp if self.private(model) else params.privacy_cost
        return np.full(np.shape(partner), cost)

    def epsilon(self, model: EcosystemModel, users: np.ndarray) -> np.ndarray:
        """The DP ε of one release (inf: none); the ledger composes them over releases."""
        return np.full(users.size, float(getattr(self.params(model), "epsilon", np.inf)))


class PartnerModel(PrivateSharing):
    """A privacy-preserving form whose users deploy a model the strategy keeps per entity."""

    serves_partner_model = False  # the deployed model is not the entity's large model

    def setup(self, model: EcosystemModel) -> None:
        super().setup(model)
        e = model.entity_arrays.n
        self.coef = np.zeros((e, N_FEATURES))  # (E, 8) each entity's model for these users
        self.intercept = np.zeros(e)
        self.fitted = np.zeros(e, dtype=bool)  # (E,) trained at least once

    def pilot(self, model: EcosystemModel, pilot: Pilot, partner: np.ndarray) -> Trial:
        guess = entity_trial(model, pilot).columns(partner)  # until fitted: the entity's model
        if not self.fitted[partner].any():
            return guess
        own = pilot.linear(self.name, self.coef, self.intercept).columns(partner)
        return own.where(np.broadcast_to(self.fitted[partner], own.accuracy.shape), guess)

    def deployed(self, model: EcosystemModel, users: np.ndarray):
        partner = model.community_arrays.partner[users]
        return self.coef[partner], self.intercept[partner]

    def partner_groups(self, model: EcosystemModel, users: np.ndarray):
        """Each partner entity of ``users`` with its users."""
        partner = model.community_arrays.partner[users]
        for e in np.unique(partner):
            yield int(e), users[partner == e]

    def fit_on_records(self, model: EcosystemModel, users: np.ndarray, rows: np.ndarray) -> None:
        """Fit each partner's model by logistic regression on a sample of its pool (as large as
        its compute allows, as its own fit: compute it cannot rent out) and each user's newest
        ``rows`` records; warm start from the entity's model, at its capacity. Installs the
        models when the training service has run."""
        com, ent, led = model.community_arrays, model.entity_arrays, model.ledger
        groups = list(self.partner_groups(model, users))
        if not groups:
            return
        stacks = []
        for e, mine in groups:
            budget = int(sample_budget(led.compute[led.entity_org(e)]))
            chosen = model.rng.choice(int(ent.filled[e]), min(budget, int(ent.filled[e])), False)
            ent.compute_used[e] += chosen.size  # its compute, not rented out this quarter
            take = rows[np.searchsorted(users, mine)] if users.size else rows
            width = int(take.max(initial=0))
            pos, age = com.recent(mine, max(width, 1))
            index = mine[:, None]
            keep = (age[None, :] < take[:, None]).ravel()
            x = np.concatenate([ent.x[e, chosen], com.x[index, pos].reshape(-1, 5)[keep]])
            y = np.concatenate([ent.label[e, chosen], com.label[index, pos].ravel()[keep]])
            stacks.append((x, y))
        n = max(len(y) for _, y in stacks)
        k = len(stacks)
        x, y, w = np.zeros((k, n, 5)), np.zeros((k, n)), np.zeros((k, n))
        for i, (xs, ys) in enumerate(stacks):
            x[i, : len(ys)], y[i, : len(ys)], w[i, : len(ys)] = xs, ys, 1.0
        entities = np.array([e for e, _ in groups])
        capacity = ent.capacity[entities]
        ticket = model.training.submit(
            feature_map(x, capacity),
            y,
            w,
            coef_init=to_fit_space(ent.coef[entities], capacity),
            intercept_init=ent.intercept[entities],
        )
        model.training.on_done(ticket, self.install, entities, capacity)

    def install(self, trained, entities: np.ndarray, capacity: np.ndarray) -> None:
        """Put the entities' newly fitted models in place (weights on unscaled features)."""
        self.coef[entities] = to_model_space(trained.coef, capacity)
        self.intercept[entities] = trained.intercept
        self.fitted[entities] = True

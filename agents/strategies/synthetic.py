"""``synthetic``: share synthetic samples of one's records for access to an entity's model (§4.1).

§4.1 names "synthetic data [82]" among the ways to share "in a privacy-preserving manner". The
community fits a generative model of its records and gives the partner entity samples of it; the
entity pools them with its other data and trains its large model on them as on shared records;
the community deploys that model (the entity controls it: dependency stays). Its records never
leave: data sovereignty is kept, and what the entity holds is not the community's to withdraw.

The generator (a stated choice): a **class- and group-conditional Gaussian**, one full-covariance
Gaussian of the five raw features per (group, label) cell, fitted to the newest records the
community's compute allows (:mod:`hetsim.agents.strategies.moments`), cells sampled in proportion
to their counts. What is lost is measured, not set: the Gaussian misses the label's nonlinear
dependence on the features (the ``x0·x1`` interaction), and a small minority's cells are
estimated from few records and shrunk toward the majority's shape — the disparate effect of
synthetic data measured by Ganev et al. (2022, "Robin Hood and Matthew effects") and the
privacy/utility trade-off of Stadler et al. (2022, "Synthetic data — anonymisation groundhog
day"), who find that synthetic data without differential privacy does not protect outliers.
With a finite ``epsilon`` the fit is differentially private (noisy moments, Dwork et al. 2014);
each release composes in the community's privacy ledger, and the entity's training on the
samples is post-processing that spends nothing more. Without it, the release has no DP
guarantee (its ε is infinite). Keys: ``[strategy.synthetic]``; ``samples = "records"`` is the
knockout that hands over the real records instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, ClassVar, Literal

import numpy as np
from pydantic import Field

from hetsim.agents.strategies import moments
from hetsim.agents.strategies.fitting import buckets, budget
from hetsim.agents.strategies.private_sharing import (
    PrivateSharing,
    ReleaseParams,
    epsilon_column,
)
from hetsim.simulation.schema import NonNegative, Probability

if TYPE_CHECKING:
    from hetsim.simulation.model import EcosystemModel


class SyntheticParams(ReleaseParams):
    """Keys of ``[strategy.synthetic]``: what taking it costs, and its settings."""

    privacy_cost: Probability = Field(
        0.2,
        description=(
            "exposure without DP: samples of a fitted model can still reveal outliers (Stadler "
            "et al. 2022); an ordinal judgement, local 0 < adopt 0.1 < pool 0.2 < share 0.5: "
            "sweep it"
        ),
    )
    sample_ratio: NonNegative = Field(
        1.0,
        description=(
            "synthetic records shared per record collected this step (1: as many as raw "
            "sharing hands over)"
        ),
    )
    prior_records: NonNegative = Field(
        5.0,
        description=(
            "pseudo-records shrinking each (group, label) Gaussian toward its label's moments "
            "pooled over groups: keeps a cell of few records well-posed (d + 1 = 6 records "
            "determine a 5-dimensional covariance); a normal-inverse-Wishart-style prior"
        ),
    )
    samples: Literal["synthetic", "records"] = Field(
        "synthetic",
        description=(
            "what is shared: synthetic samples, or (the knockout that measures the form) this "
            "step's real records, handed over on the entity's terms"
        ),
    )


class Synthetic(PrivateSharing):
    """Give an entity samples of a Gaussian fitted to one's records, for model access."""

    name = "synthetic"
    Params = SyntheticParams
    summary = "sharing synthetic data for access"
    metric_columns: ClassVar[Mapping[str, str]] = epsilon_column("synthetic")

    def settle(self, model: EcosystemModel, users: np.ndarray) -> None:
        """Fit each user's generator, and give its samples to the partner's pool."""
        if users.size == 0:
            return
        params, spec = self.params(model), model.spec
        n = spec.communities.records_per_step
        partner = model.community_arrays.partner[users]
        if params.samples == "records":  # the knockout: the real records, as raw sharing
            self.record_release(model, users, None)  # the entity trains on them, noiseless
            self.hand_over(model, users, n)
            model.hand_over_batch(users, partner)
            return
        m = round(params.sample_ratio * n)
        x, group, label = self.generate(model, users, m)
        ent, led = model.entity_arrays, model.ledger
        for e in np.unique(partner):
            mine = np.flatnonzero(partner == e)
            ent.offer(  # origin -1: samples, not records of anyone (a release, like open data)
                int(e),
                x[mine].reshape(-1, x.shape[-1]),
                group[mine].ravel(),
                label[mine].ravel(),
                np.full(mine.size * m, -1),
                model.rng,
            )
        led.record_flow("data", led.community_org(users), led.entity_org(partner), m)

    def shared(self, model: EcosystemModel, users: np.ndarray, m: int):
        """What each user gives the entity: ``m`` samples of its generator, or (the knockout)
        its newest ``m`` records: x (U, m, 5), group (U, m), label (U, m)."""
        if self.params(model).samples == "records":
            com = model.community_arrays
            pos, _ = com.recent(users, m)
            index = users[:, None]
            return com.x[index, pos], com.group[index, pos], com.label[index, pos]
        return self.generate(model, users, m)

    def generate(self, model: EcosystemModel, users: np.ndarray, m: int):
        """Fit each user's class- and group-conditional Gaussian to its newest records (as
        many as its compute allows), privately if ``epsilon`` is finite; record the release in
        its privacy ledger; return ``m`` samples each: x (U, m, 5), group, label."""
        com, params = model.community_arrays, self.params(model)
        rows, _ = budget(model, users)
        fitted = []
        for members, width in buckets(rows, com.window):
            ids = users[members]
            pos, age = com.recent(ids, width)
            index = ids[:, None]
            weight = (age[None, :] < rows[members, None]).astype(float)
            clip = params.clip if self.private(model) else np.inf
            stats = moments.cell_moments(
                com.x[index, pos], com.group[index, pos], com.label[index, pos], weight, clip
            )
            release = None
            if self.private(model):
                stats, release = moments.privatise(
                    stats, params.epsilon, model.spec.learning.dp_delta, params.clip, model.rng
                )
            self.record_release(model, ids, release)
            d = stats.total.shape[-1]
            model.training.charge_flops(ids.size, 2.0 * width * d * d * ids.size)
            fitted.append((members, moments.fit_gaussians(stats, params.prior_records, clip)))
        x = np.zeros((users.size, m, com.x.shape[-1]))
        group = np.zeros((users.size, m), dtype=np.int8)
        label = np.zeros((users.size, m), dtype=np.int8)
        for members, gauss in fitted:
            x[members], group[members], label[members] = moments.sample(gauss, m, model.rng)
        return x, group, label

    def epsilon(self, model: EcosystemModel, users: np.ndarray) -> np.ndarray:
        if self.params(model).samples == "records":  # the entity trains on the records
            return super(PrivateSharing, self).epsilon(model, users)
        return super().epsilon(model, users)

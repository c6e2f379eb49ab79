"""Each community's data-generating process, with every §2.1 shift as a named parameter.

Stages paper §2.1 (data heterogeneity): individuals carry a group attribute ``a`` (0 majority,
1 minority, 2 an emerged group), a second binary attribute ``b``, four merit features, and a
proxy feature (think zip code) whose correlation with ``a`` differs by community (§2.4.2). The
label follows a community-specific concept P(y|x). Which attribute a community protects differs
(relational identity, §2.4.2). Feature means and group shares drift, by default mean-reverting
around each community's own long-run process (an unbounded random walk when
``data.drift_reversion`` is 0), and jump at scheduled shocks (§2.4.1, e.g. a refugee influx),
which move the long-run process too. All arrays are vectorised over communities.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hetsim.simulation.schema import MINORITY_SHARE_RANGE, DataSection, ShockSpec

N_GROUPS = 3  # values of attribute a: 0 majority, 1 minority, 2 emerged group
N_MERIT = 4  # merit features x0..x3; feature 4 is the proxy
N_RAW = N_MERIT + 1
GLOBAL_CONCEPT = np.array([1.2, -0.8, 0.6, 0.4])  # shared core of P(y|x) before §2.1 shifts


def sigmoid(z: np.ndarray) -> np.ndarray:
    """Numerically safe logistic function."""
    return 0.5 * (1.0 + np.tanh(0.5 * z))


@dataclass
class Sample:
    """Individuals drawn from communities; every array has leading shape (k, n)."""

    x: np.ndarray  # (k, n, 5) observed features: 4 merit + proxy
    a: np.ndarray  # (k, n) group attribute 0/1/2
    b: np.ndarray  # (k, n) second protected attribute 0/1
    y: np.ndarray  # (k, n) true label 0/1
    group: np.ndarray  # (k, n) value of the attribute the community protects


@dataclass
class Population:
    """The data-generating process of every community (arrays over communities)."""

    group_share: np.ndarray  # (C, 3) shares of a = majority, minority, emerged; demographic shift
    b_share: np.ndarray  # (C,) share with b = 1
    feature_mean: np.ndarray  # (C, 4) mean merit features of the majority; covariate shift
    group_gap: np.ndarray  # (C,) merit deficit of the minority (emerged: 1.5x); covariate shift
    concept: np.ndarray  # (C, 4) weights of P(y|x); concept shift
    intercept: np.ndarray  # (C,) base rate of P(y|x); label shift
    group_label_bias: np.ndarray  # (C,) logit shift of the minority's labels; historical bias
    b_label_bias: np.ndarray  # (C,) logit shift of b = 1
    interaction: float  # weight of x0*x1 in the concept: what high-capacity models can learn
    scale: np.ndarray  # (C, 4) measurement scale of the merit features; acquisition shift
    noise: np.ndarray  # (C,) measurement noise; acquisition shift
    proxy_strength: np.ndarray  # (C,) how strongly the proxy encodes the minority; spurious §2.4.2
    protected: np.ndarray  # (C,) 0: attribute a is protected, 1: attribute b; relational identity
    culture: np.ndarray  # (C,) cultural background of the community's data (annotation §2.4.3)
    # (C, 3) credit-score shift of each group a, in sd of latent merit along the concept
    # P(y|x): what repaid and defaulted loans did to the group (lending domain; None when off)
    credit_shift: np.ndarray | None = None
    # share of the distance from the long-run process recovered per step (0: random walk)
    drift_reversion: float = 0.0
    # the long-run process drift reverts to: (C, 4) feature means, (C, 3) group-share logits
    home_feature_mean: np.ndarray | None = None
    home_share_logits: np.ndarray | None = None

    def __post_init__(self) -> None:
        if self.home_feature_mean is None:
            self.home_feature_mean = self.feature_mean.copy()
        if self.home_share_logits is None:
            self.home_share_logits = _share_logits(self.group_share)

    @property
    def size(self) -> int:
        """Number of communities."""
        return len(self.intercept)

    @classmethod
    def generate(
        cls, spec: DataSection, n_communities: int, n_cultures: int, rng: np.random.Generator
    ) -> Population:
        """Draw every community's process; each shift's spread is a named parameter."""
        c = n_communities
        # The schema keeps the mean inside MINORITY_SHARE_RANGE; only the spread is bounded here.
        minority = np.clip(
            spec.minority_share + spec.demographic_shift * rng.standard_normal(c),
            *MINORITY_SHARE_RANGE,
        )
        emerged = np.full(c, spec.emerged_group_share)
        share = np.stack(
            [(1.0 - minority) * (1.0 - emerged), minority * (1.0 - emerged), emerged], axis=1
        )
        return cls(
            group_share=share,
            b_share=np.clip(0.5 + 0.1 * rng.standard_normal(c), 0.05, 0.95),
            feature_mean=spec.covariate_shift * rng.standard_normal((c, N_MERIT)),
            group_gap=np.full(c, spec.covariate_gap),
            concept=GLOBAL_CONCEPT + spec.concept_shift * rng.standard_normal((c, N_MERIT)),
            intercept=spec.label_shift * rng.standard_normal(c),
            group_label_bias=np.full(c, spec.group_label_bias),
            b_label_bias=0.5 * spec.group_label_bias * np.ones(c),
            interaction=spec.interaction,
            scale=np.exp(spec.measurement_shift * rng.standard_normal((c, N_MERIT))),
            noise=spec.measurement_noise * np.exp(0.3 * rng.standard_normal(c)),
            proxy_strength=np.maximum(
                0.0, spec.proxy_strength + spec.proxy_spread * rng.standard_normal(c)
            ),
            protected=(rng.random(c) < spec.relational_identity).astype(np.int8),
            culture=rng.integers(0, n_cultures, size=c),
            drift_reversion=spec.drift_reversion,
        )

    def draw(
        self,
        n: int,
        rng: np.random.Generator,
        communities: np.ndarray | None = None,
        minority_weight: float = 1.0,
    ) -> Sample:
        """Draw ``n`` individuals from each community in ``communities`` (default: all).

        ``minority_weight`` < 1 under-samples groups 1 and 2, the representation bias of
        scraped data (§2.1).
        """
        idx = np.arange(self.size) if communities is None else np.asarray(communities)
        k = len(idx)
        share = self.group_share[idx].copy()
        share[:, 1:] *= minority_weight
        share /= share.sum(axis=1, keepdims=True)
        cum = np.cumsum(share, axis=1)
        # all draws at once, in a fixed order: uniforms for a, b, y; normals for features.
        # Feature-major layout (feature, k, n) keeps every per-feature operation contiguous.
        u = rng.random((3, k, n), dtype=np.float32)
        z = rng.standard_normal((2 * N_MERIT + 1, k, n), dtype=np.float32)
        a = (u[0] > cum[:, 0:1]).astype(np.int8) + (u[0] > cum[:, 1:2])
        b = (u[1] < self.b_share[idx, None]).astype(np.int8)
        minority = a >= 1

        deficit = self.group_gap[idx, None] * np.where(a == 2, 1.5, minority)
        latent = z[:N_MERIT]  # the latent merit, shifted in place
        latent += self.feature_mean[idx].T[:, :, None]
        latent -= deficit[None, :, :]
        concept = self.concept[idx]
        if self.credit_shift is not None:  # loans moved the groups' credit scores (Liu et al.)
            shift = np.take_along_axis(self.credit_shift[idx], a.astype(np.int64), axis=1)
            along = concept / np.maximum(np.linalg.norm(concept, axis=1, keepdims=True), 1e-12)
            latent += (along.T[:, :, None] * shift[None, :, :]).astype(np.float32)
        logit = self.intercept[idx, None] + self.interaction * latent[0] * latent[1]
        for d in range(N_MERIT):
            logit += concept[:, d, None] * latent[d]
        logit += self.group_label_bias[idx, None] * minority
        logit += self.b_label_bias[idx, None] * b
        y = (u[2] < sigmoid(logit)).astype(np.int8)

        observed = z[N_MERIT:]  # measurement: scale and noise, in place (§2.1 acquisition)
        observed[:N_MERIT] *= self.noise[idx, None]
        observed[:N_MERIT] += latent * self.scale[idx].T[:, :, None]
        observed[N_MERIT] += self.proxy_strength[idx, None] * minority  # the proxy (§2.4.2)
        x = np.moveaxis(observed, 0, -1).copy()
        group = np.where(self.protected[idx, None] == 1, b, a).astype(np.int8)
        return Sample(x=x, a=a, b=b, y=y, group=group)

    # ------------------------------------------------------------------ temporal shifts

    def drift(self, size: float, rng: np.random.Generator) -> None:
        """Temporal drift (§2.1) of feature means and group-share logits: each step a normal
        step of sd ``size`` plus a pull back of ``drift_reversion`` × the distance from the
        community's long-run process (discrete Ornstein-Uhlenbeck; 0: a random walk)."""
        if size <= 0 or self.size == 0:
            return
        assert self.home_feature_mean is not None and self.home_share_logits is not None
        theta = self.drift_reversion
        pull = theta * (self.home_feature_mean - self.feature_mean)
        self.feature_mean += size * rng.standard_normal(self.feature_mean.shape) + pull
        present = self.group_share > 0
        logits = _share_logits(self.group_share)
        logits += size * rng.standard_normal(logits.shape)
        logits += theta * np.where(present, self.home_share_logits - logits, 0.0)
        share = np.where(present, np.exp(logits), 0.0)
        self.group_share = share / share.sum(axis=1, keepdims=True)

    def apply_shock(self, shock: ShockSpec, rng: np.random.Generator) -> np.ndarray:
        """Apply a scheduled shock (§2.4.1) to a random share of communities; return them."""
        hit = np.flatnonzero(rng.random(self.size) < shock.fraction)
        if hit.size == 0:
            return hit
        if shock.kind == "group_share":  # e.g. a refugee influx: the minority grows at once
            share = self.group_share[hit]
            minority = np.clip(share[:, 1] + shock.size * (1.0 - share[:, 1]), 0.0, 0.95)
            rest = share[:, [0, 2]]
            rest_total = np.maximum(rest.sum(axis=1, keepdims=True), 1e-12)
            share = np.column_stack([rest / rest_total * (1.0 - minority)[:, None], minority])
            self.group_share[hit] = share[:, [0, 2, 1]]
        elif shock.kind == "emerged_group":  # a group unseen in any training data appears
            share = self.group_share[hit]
            emerged = shock.size  # the schema keeps it in (0, EMERGED_SHARE_MAX]
            share[:, :2] *= (1.0 - emerged) / np.maximum(share[:, :2].sum(axis=1), 1e-12)[:, None]
            share[:, 2] = emerged
            self.group_share[hit] = share
        elif shock.kind == "covariate":
            self.feature_mean[hit] += shock.size
        elif shock.kind == "concept":
            self.concept[hit] += shock.size * rng.standard_normal((hit.size, N_MERIT))
        # a shock changes the world for good: drift reverts to the shocked process
        assert self.home_feature_mean is not None and self.home_share_logits is not None
        self.home_feature_mean[hit] = self.feature_mean[hit]
        self.home_share_logits[hit] = _share_logits(self.group_share[hit])
        return hit


def _share_logits(share: np.ndarray) -> np.ndarray:
    """Log group shares, 0 where a group is absent (it stays absent under drift)."""
    return np.log(np.where(share > 0, share, 1.0))

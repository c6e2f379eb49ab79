"""Per-(group, label) moments of a community's records: what privacy-preserving sharing releases
instead of the records (§4.1: "sharing aggregated data [105], synthetic data [82]").

A record falls in one *cell*, its (group, label) pair (3 groups × 2 labels); a cell's sufficient
statistics for a Gaussian are its count, the sum of its feature vectors and the sum of their outer
products. Aggregated sharing releases them; synthetic sharing fits a Gaussian per cell on them
and releases samples; a large entity fits a linear discriminant from them.

**Differential privacy** (optional, a finite ``epsilon``): the "Analyze Gauss" release of Dwork
et al. (2014): each feature vector is clipped to L2 norm ``clip``; the counts, the sums and the
outer-product sums are three Gaussian mechanisms of L2 sensitivity 1, ``clip`` and ``clip²``
under add/remove-one (a record sits in one cell), each with noise ``z`` times its sensitivity.
The three compose as one ``DpTraining(z, 3)`` release of the accountant
(:mod:`hetsim.simulation.privacy.accounting`), ``z`` calibrated to ``(epsilon, delta)``.

**Fitting a cell** from (possibly noisy) moments: a normal-inverse-Wishart-style shrinkage with
``prior_records`` pseudo-records at the label's moments pooled over groups (themselves shrunk
as much toward the standard normal, a data-independent prior), and, under DP, means and
variances kept within what records clipped to ``clip`` can have: a cell with few
records (a small minority) is pulled toward the majority's shape, the disparate loss of
synthetic data that Ganev et al. (2022) measure and Stadler et al. (2022) warn of. Nothing sets
that loss: it follows from the counts.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from hetsim.simulation.population import N_GROUPS
from hetsim.simulation.privacy.accounting import DpTraining, noise_multiplier_for

N_CELLS = 2 * N_GROUPS  # (group, label) pairs; cell = 2 * group + label


class Moments(NamedTuple):
    """Sufficient statistics of each holder's cells: count (k, 6), sum (k, 6, d), outer
    (k, 6, d, d)."""

    count: np.ndarray
    total: np.ndarray
    outer: np.ndarray

    def __add__(self, other: Moments) -> Moments:  # type: ignore[override]
        return Moments(*(a + b for a, b in zip(self, other, strict=True)))

    def take(self, rows: np.ndarray) -> Moments:
        """The moments of some holders."""
        return Moments(*(a[rows] for a in self))

    def summed(self) -> Moments:
        """The moments of all holders together, as one holder (1, ...)."""
        return Moments(*(a.sum(axis=0, keepdims=True) for a in self))


def cell_moments(x, group, label, weight, clip: float = np.inf) -> Moments:
    """Moments of records x (k, n, d) with group, label and 0/1 weight (k, n), each feature
    vector clipped to L2 norm ``clip`` (inf: not clipped)."""
    if np.isfinite(clip):
        norm = np.linalg.norm(x, axis=-1, keepdims=True)
        x = x * np.minimum(1.0, clip / np.maximum(norm, 1e-12))
    cell = 2 * np.asarray(group, dtype=np.int64) + np.asarray(label, dtype=np.int64)
    onehot = (cell[..., None] == np.arange(N_CELLS)) * np.asarray(weight, dtype=float)[..., None]
    return Moments(
        onehot.sum(axis=1),
        np.einsum("knc,knd->kcd", onehot, x),
        np.einsum("knc,knd,kne->kcde", onehot, x, x),
    )


def privatise(
    moments: Moments, epsilon: float, delta: float, clip: float, rng: np.random.Generator
) -> tuple[Moments, DpTraining]:
    """Gaussian noise on moments of records clipped to ``clip`` (Dwork et al. 2014), calibrated
    so that one release spends ``(epsilon, delta)``; returns the noisy moments and the release."""
    z = noise_multiplier_for(epsilon, delta, 3)
    count = moments.count + z * rng.standard_normal(moments.count.shape)
    total = moments.total + z * clip * rng.standard_normal(moments.total.shape)
    noise = z * clip**2 * rng.standard_normal(moments.outer.shape)
    outer = moments.outer + 0.5 * (noise + np.swapaxes(noise, -1, -2))  # post-processing
    return Moments(count, total, outer), DpTraining(z, 3)


class Gaussians(NamedTuple):
    """A Gaussian per cell of each holder: weight (k, 6), mean (k, 6, d), cov (k, 6, d, d)."""

    weight: np.ndarray
    mean: np.ndarray
    cov: np.ndarray


def fit_gaussians(
    moments: Moments, prior_records: float, bound: float = np.inf, floor: float = 1e-3
) -> Gaussians:
    """Each cell's Gaussian, shrunk toward its label's moments pooled over groups by
    ``prior_records`` pseudo-records, the pooled moments themselves shrunk as much toward the
    standard normal (a data-independent prior: with noisy moments a label's pooled count can
    be near zero). With records clipped to norm ``bound`` (DP), means are projected into that
    ball and variances capped at ``bound²``, which clipped records cannot exceed (both
    post-processing). Covariance eigenvalues are floored at ``floor`` (relative)."""
    count = np.maximum(moments.count, 0.0)
    label = np.arange(N_CELLS) % 2
    k0 = prior_records
    d = moments.total.shape[-1]
    # the label's moments pooled over groups, as (k, 6, ...) for each cell
    pooled = [
        np.stack([a[:, label == y].sum(axis=1) for y in label], axis=1)
        for a in (count, moments.total, moments.outer)
    ]
    n_pool = np.maximum(pooled[0] + k0, 1e-9)
    mean_pool = pooled[1] / n_pool[..., None]
    second_pool = (pooled[2] + k0 * np.eye(d)) / n_pool[..., None, None]
    n = np.maximum(count + k0, 1e-9)
    mean = (moments.total + k0 * mean_pool) / n[..., None]
    second = (moments.outer + k0 * second_pool) / n[..., None, None]
    if np.isfinite(bound):
        norm = np.linalg.norm(mean, axis=-1, keepdims=True)
        mean = mean * np.minimum(1.0, bound / np.maximum(norm, 1e-12))
    cov = second - mean[..., :, None] * mean[..., None, :]
    value, vector = np.linalg.eigh(0.5 * (cov + np.swapaxes(cov, -1, -2)))
    value = np.maximum(value, floor * np.maximum(value.mean(axis=-1, keepdims=True), 1.0))
    value = np.minimum(value, bound**2)
    cov = np.einsum("...ij,...j,...kj->...ik", vector, value, vector)
    return Gaussians(count, mean, cov)


def sample(gauss: Gaussians, m: int, rng: np.random.Generator):
    """``m`` records per holder from its cells' Gaussians, cells drawn in proportion to their
    counts: x (k, m, d), group (k, m), label (k, m)."""
    k, _, d = gauss.mean.shape
    p = gauss.weight + 1e-12
    cum = np.cumsum(p / p.sum(axis=1, keepdims=True), axis=1)
    cell = (rng.random((k, m))[..., None] > cum[:, None, :]).sum(axis=-1)
    cell = np.minimum(cell, N_CELLS - 1)
    rows = np.arange(k)[:, None]
    root = np.linalg.cholesky(gauss.cov)  # (k, 6, d, d)
    z = rng.standard_normal((k, m, d))
    x = gauss.mean[rows, cell] + np.einsum("kmij,kmj->kmi", root[rows, cell], z)
    return x, (cell // 2).astype(np.int8), (cell % 2).astype(np.int8)


def discriminant(moments: Moments, ridge: float) -> tuple[np.ndarray, np.ndarray]:
    """Linear discriminant analysis (Fisher 1936; Hastie et al. 2009 §4.3) of each holder from
    its moments: the two labels' means, the within-label covariance pooled over cells (plus
    ``ridge`` / n on the diagonal, as the logistic fit's ridge), class priors from the counts.
    Returns coef (k, d) and intercept (k,) of the log-odds of label 1."""
    count = np.maximum(moments.count, 0.0)
    label = np.arange(N_CELLS) % 2
    n = np.stack([count[:, label == y].sum(axis=1) for y in (0, 1)], axis=1)  # (k, 2)
    total = np.stack([moments.total[:, label == y].sum(axis=1) for y in (0, 1)], axis=1)
    outer = np.stack([moments.outer[:, label == y].sum(axis=1) for y in (0, 1)], axis=1)
    safe = np.maximum(n, 1.0)
    mean = total / safe[..., None]
    scatter = outer - safe[..., None, None] * mean[..., :, None] * mean[..., None, :]
    records = np.maximum(n.sum(axis=1), 3.0)
    d = mean.shape[-1]
    cov = scatter.sum(axis=1) / (records - 2.0)[:, None, None]
    cov = 0.5 * (cov + np.swapaxes(cov, -1, -2)) + (ridge / records)[:, None, None] * np.eye(d)
    value, vector = np.linalg.eigh(cov)
    value = np.maximum(value, 1e-3 * np.maximum(value.mean(axis=-1, keepdims=True), 1e-3))
    cov = np.einsum("...ij,...j,...kj->...ik", vector, value, vector)
    coef = np.linalg.solve(cov, (mean[:, 1] - mean[:, 0])[..., None])[..., 0]
    prior = np.log(safe[:, 1] / safe[:, 0])
    intercept = -0.5 * np.einsum("kd,kd->k", mean[:, 1] + mean[:, 0], coef) + prior
    return coef, intercept

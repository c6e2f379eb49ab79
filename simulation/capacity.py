"""What compute buys (§2.2): model capacity and how many records a model can learn from.

The scaling curve of hetsim is mechanistic rather than a formula pasted onto accuracy:

* **records**: a fit uses at most ``compute × expertise`` records per step (the sample budget);
  a larger sample lowers estimation error, the data half of a scaling law.
* **capacity**: organisations with at least ``learning.capacity_compute`` compute train on a
  richer feature map (the interaction ``x0·x1`` and squares) and so can learn the nonlinear part
  of the concept; below it the extra columns are zero and their weights stay at the prior.

Accuracy as a function of records and capacity is therefore measured, not assumed:
``benchmarks/bench_scaling.py`` prints the curve.
"""

from __future__ import annotations

import numpy as np

N_EXTRA = 3  # x0*x1, x0^2 - 1, x1^2 - 1


def feature_map(x: np.ndarray, high_capacity: np.ndarray | bool) -> np.ndarray:
    """Map raw features (k, n, 5) to model inputs (k, n, 8); low capacity zeroes the extras."""
    extra = np.stack([x[..., 0] * x[..., 1], x[..., 0] ** 2 - 1.0, x[..., 1] ** 2 - 1.0], axis=-1)
    gate = np.asarray(high_capacity, dtype=float)
    if gate.ndim == 1:
        gate = gate[:, None, None]
    return np.concatenate([x, extra * gate], axis=-1)


def sample_budget(compute: np.ndarray, expertise: np.ndarray | float = 1.0) -> np.ndarray:
    """Records a fit can use this step: compute scaled by the expertise to use it well."""
    return np.maximum(np.floor(np.asarray(compute) * expertise), 0).astype(np.int64)


def has_capacity(compute: np.ndarray, threshold: float) -> np.ndarray:
    """Whether compute suffices for the high-capacity feature map."""
    return np.asarray(compute) >= threshold


def decision_scores(x: np.ndarray, coef: np.ndarray, intercept: np.ndarray) -> np.ndarray:
    """Logits of models (k, 8) on raw features (k, n, 5), without building the feature map.

    Equal to ``feature_map(x, True) @ coef + intercept`` (tested); several times faster for
    the many small deployments of a step.
    """
    x0, x1 = x[..., 0], x[..., 1]
    score = np.einsum("knd,kd->kn", x, coef[:, : x.shape[-1]])
    score += coef[:, 5, None] * (x0 * x1)
    score += coef[:, 6, None] * (x0 * x0 - 1.0)
    score += coef[:, 7, None] * (x1 * x1 - 1.0)
    score += intercept[:, None]
    return score


def decision_scores_many(x: np.ndarray, coef: np.ndarray, intercept: np.ndarray) -> np.ndarray:
    """Logits of several models per row of records: x (c, n, 5), coef (c, k, 8) -> (c, k, n).

    Equal to :func:`decision_scores` applied to each of the k models (tested), without
    copying the records k times.
    """
    x0, x1 = x[..., 0], x[..., 1]
    score = np.einsum("cnd,ckd->ckn", x, coef[:, :, : x.shape[-1]])
    score += coef[:, :, 5, None] * (x0 * x1)[:, None, :]
    score += coef[:, :, 6, None] * (x0 * x0 - 1.0)[:, None, :]
    score += coef[:, :, 7, None] * (x1 * x1 - 1.0)[:, None, :]
    score += intercept[:, :, None]
    return score

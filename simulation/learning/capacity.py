"""What compute buys (§2.2): how many records a fit can learn from, and model capacity.

The scaling curve of hetsim is mechanistic rather than a formula pasted onto accuracy, and it
is continuous — no threshold that only some organisations reach:

* **records**: a fit uses at most ``compute × expertise`` records per step (the sample budget);
  a larger sample lowers estimation error, the data half of a scaling law (Hestness et al.
  2017; Kaplan et al. 2020).
* **capacity**: compute buys a share κ = compute / (compute + ``learning.capacity_compute``) of
  the model's capacity. The model's nonlinear features (the interaction ``x0·x1`` and squares)
  enter a fit scaled by κ, which under the fit's ridge penalty is a penalty λ/κ² on their
  weights: the effective number of parameters (Hastie, Tibshirani & Friedman 2009, §3.4.1)
  grows smoothly with compute, from the linear model (κ → 0) to the full one (κ → 1).
  Coefficients are stored in the model's own space (weights on the unscaled features), so a
  deployed model decides without knowing the compute it was trained with.

Accuracy as a function of records and capacity is therefore measured, not assumed:
``benchmarks/bench_scaling.py`` prints the curve and draws docs/images/scaling-curve.png.
"""

from __future__ import annotations

import numpy as np

N_EXTRA = 3  # x0*x1, x0^2 - 1, x1^2 - 1
N_EXTRA_START = 5  # the extras follow the five raw features


def feature_map(x: np.ndarray, capacity: np.ndarray | float | bool) -> np.ndarray:
    """Map raw features (k, n, 5) to model inputs (k, n, 8), the nonlinear extras scaled by the
    capacity share κ in [0, 1] (a scalar, or one per model; True is 1, False 0).

    Written column by column into one output array: at 10,000 communities the map of every
    window is 150 MB, and building it from stacked and concatenated temporaries cost as much
    again in fresh memory (``benchmarks/bench_floor.py``)."""
    gate = np.asarray(capacity, dtype=float)
    if gate.ndim == 1:
        gate = gate[:, None]
    raw = x.shape[-1]
    out = np.empty((*x.shape[:-1], raw + N_EXTRA), dtype=np.result_type(x.dtype, gate.dtype))
    out[..., :raw] = x
    x0, x1 = x[..., 0], x[..., 1]
    np.multiply(x0 * x1, gate, out=out[..., raw])
    np.multiply(x0**2 - 1.0, gate, out=out[..., raw + 1])
    np.multiply(x1**2 - 1.0, gate, out=out[..., raw + 2])
    return out


def sample_budget(compute: np.ndarray, expertise: np.ndarray | float = 1.0) -> np.ndarray:
    """Records a fit can use this step: compute scaled by the expertise to use it well."""
    return np.maximum(np.floor(np.asarray(compute) * expertise), 0).astype(np.int64)


def capacity_share(compute: np.ndarray | float, half: float) -> np.ndarray:
    """κ = compute / (compute + half): the share of model capacity compute buys, in [0, 1)."""
    compute = np.maximum(np.asarray(compute, dtype=float), 0.0)
    if half <= 0:
        return np.ones_like(compute)
    return np.asarray(compute / (compute + half))


def compute_for_capacity(
    compute: np.ndarray, half: float, value: np.ndarray, unit_cost: np.ndarray
) -> np.ndarray:
    """Compute to add so that ``value`` × κ(compute + added) − ``unit_cost`` × added is
    highest: with κ = c / (c + half), where the marginal value of capacity,
    value · half / (c + half)², falls to the unit cost, c + half = sqrt(value · half / cost);
    never negative (one already holding that much adds nothing)."""
    compute = np.maximum(np.asarray(compute, dtype=float), 0.0)
    if half <= 0:
        return np.zeros_like(compute)
    value, cost = np.asarray(value, dtype=float), np.asarray(unit_cost, dtype=float)
    ratio = np.divide(
        value * half, cost, out=np.zeros(np.broadcast(value, cost).shape), where=cost > 0
    )
    best = np.sqrt(np.maximum(ratio, 0.0)) - half
    return np.maximum(best - compute, 0.0)


def to_model_space(coef: np.ndarray, capacity: np.ndarray) -> np.ndarray:
    """Weights fitted on features scaled by κ, as weights on the unscaled features."""
    coef = np.array(coef, dtype=float)
    coef[..., N_EXTRA_START:] *= np.asarray(capacity, dtype=float).reshape(-1, 1)
    return coef


def to_fit_space(coef: np.ndarray, capacity: np.ndarray) -> np.ndarray:
    """Weights on the unscaled features, as a warm start for a fit on features scaled by κ."""
    coef = np.array(coef, dtype=float)
    gate = np.asarray(capacity, dtype=float).reshape(-1, 1)
    extra = coef[..., N_EXTRA_START:]
    coef[..., N_EXTRA_START:] = np.divide(extra, gate, out=np.zeros_like(extra), where=gate > 0)
    return coef


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

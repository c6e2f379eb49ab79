"""Equalized odds by randomised group thresholds (Hardt, Price & Srebro 2016, §4).

Equal true- *and* false-positive rates across groups can in general be reached only by a
randomised rule: a common operating point ``(FPR, TPR) = (x*, y*)`` lies on or below every
group's ROC convex hull; a group reaches it by mixing the two hull vertices around ``x*``
(two thresholds) and, with some probability, ignoring the score and selecting with
probability ``x*`` (the diagonal point).  The point maximises accuracy on the lowest hull, as
fairlearn's ``ThresholdOptimizer(constraints="equalized_odds")`` does.  Everything is batched
over ``K`` models and ``G`` groups with fixed-size arrays (no loop over models or groups).
No random numbers are used here; :func:`simulation.fairness.post_processing.decide` draws them.
"""

from __future__ import annotations

import numpy as np

__all__ = ["FPR_GRID", "N_CUTS", "ROC_POINTS", "hardt_mixture"]

#: Thresholds a rule may mix per group: two hull vertices, "select nobody", "select everybody".
N_CUTS: int = 4

#: Candidate thresholds per model for the ROC curves of equalized odds: quantiles of the
#: model's pooled scores. Mixing interpolates between them, so the constraint holds exactly on
#: the fitting data whatever the grid; a finer grid only gains accuracy (fairlearn uses every
#: distinct score). A community's window holds a few hundred records, so a group has a few
#: dozen positives or negatives: 32 quantiles resolve its ROC curve about as finely as its
#: data do (the test against fairlearn allows 0.01 of accuracy).
ROC_POINTS: int = 32

#: False-positive rates searched for the common operating point (fairlearn's default grid
#: has 1,000 steps). Steps of 0.01 are finer than one negative in a group of a few dozen.
FPR_GRID: int = 100


def _roc_points(s, yy, gg, valid, n_groups):
    """ROC points of every (model, group) at ``ROC_POINTS`` pooled-quantile thresholds.

    Returns thresholds ``(K, P)`` in descending order (``+inf`` first, ``-inf`` last) and
    FPR, TPR ``(K, G, P)`` of ``score > threshold``, plus positives and negatives ``(K, G)``.
    """
    K, _ = s.shape
    ordered = np.sort(np.where(valid, s, np.inf), axis=1)  # valid rows first, ascending
    top = np.maximum(valid.sum(axis=1) - 1, 0)
    at = np.rint(np.linspace(0.0, 1.0, ROC_POINTS)[None, :] * top[:, None]).astype(np.int64)
    grid = np.take_along_axis(ordered, at, axis=1) if s.shape[1] else np.zeros((K, ROC_POINTS))
    grid = np.where(np.isfinite(grid), grid, 0.0)  # models with no valid rows: any grid will do
    # entry[k, i]: first position j (in the descending list) at which row i is selected
    below = (grid[:, None, :] < s[:, :, None]).sum(axis=2)  # grid points under the score
    entry = ROC_POINTS + 1 - below  # in 1 .. ROC_POINTS + 1
    P = ROC_POINTS + 2
    g = np.clip(gg.astype(np.int64), 0, n_groups - 1)
    label = (yy == 1).astype(np.int64)
    code = ((np.arange(K)[:, None] * n_groups + g) * 2 + label) * P + entry
    counts = np.bincount(code[valid], minlength=K * n_groups * 2 * P)
    counts = counts.reshape(K, n_groups, 2, P).cumsum(axis=3).astype(float)
    neg, pos = counts[:, :, 0, -1], counts[:, :, 1, -1]
    fpr = counts[:, :, 0] / np.maximum(neg, 1.0)[:, :, None]
    tpr = counts[:, :, 1] / np.maximum(pos, 1.0)[:, :, None]
    thresholds = np.empty((K, P))
    thresholds[:, 0], thresholds[:, -1] = np.inf, -np.inf
    thresholds[:, 1:-1] = grid[:, ::-1]
    return thresholds, fpr, tpr, pos, neg


def _upper_hull(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Which points lie on the upper concave hull of each curve (points sorted by ``x``).

    Point ``i`` is a vertex iff ``min_{a<i} slope(a, i) >= max_{b>i} slope(i, b)``: no chord
    between a point on its left and one on its right passes above it.
    """
    dx = x[..., None, :] - x[..., :, None]  # [.., a, b] = x_b - x_a >= 0 for a < b
    dy = y[..., None, :] - y[..., :, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        slope = dy / dx  # +inf straight up; NaN between coinciding points (ignored below)
    P = x.shape[-1]
    slope[..., ~np.triu(np.ones((P, P), dtype=bool), 1)] = np.nan  # keep pairs a < b
    left = np.fmin.reduce(slope, axis=-2)  # over a < i, into i (NaN: none)
    right = np.fmax.reduce(slope, axis=-1)  # over b > i, out of i
    left = np.where(np.isnan(left), np.inf, left)
    right = np.where(np.isnan(right), -np.inf, right)
    return left >= right - 1e-12


def hardt_mixture(
    s: np.ndarray,
    yy: np.ndarray,
    gg: np.ndarray,
    valid: np.ndarray,
    n_groups: int,
    min_rows: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Per model and group, the thresholds and probabilities of the equalized-odds rule.

    Each group's ROC convex hull is evaluated on a grid of false-positive rates; the common
    curve is the lowest hull at each rate; the operating point ``(x*, y*)`` on it maximises
    accuracy ``P(y=1) y* + P(y=0) (1 - x*)``.  A group mixes the hull vertices ``a`` and ``b``
    around ``x*`` (probabilities ``p_a``, ``1 - p_a``) with probability ``q`` and otherwise
    selects nobody with probability ``1 - x*`` and everybody with probability ``x*``; ``q``
    brings its hull TPR down to ``y*``.  On ``(s, yy)`` every participating group then has
    expected TPR ``y*`` and FPR ``x*``.  Groups with fewer than ``min_rows`` positives or
    negatives (and models with fewer than two such groups) keep threshold 0.

    Args:
        s: ``(K, n)`` logit scores.
        yy: ``(K, n)`` labels in ``{0, 1}``.
        gg: ``(K, n)`` group ids in ``0 .. n_groups - 1``.
        valid: ``(K, n)`` boolean valid rows.
        n_groups: Number of groups ``G``.
        min_rows: Fewest positives and negatives a group needs to take part.

    Returns:
        Thresholds ``(K, G, N_CUTS)`` (decide ``score > cut``) and their probabilities.
    """
    K = s.shape[0]
    thresholds, fpr, tpr, pos, neg = _roc_points(s, yy, gg, valid, n_groups)
    takes_part = (pos >= min_rows) & (neg >= min_rows)  # (K, G)
    vertex = _upper_hull(fpr, tpr)  # (K, G, P)
    P = fpr.shape[2]
    idx = np.arange(P)
    # next vertex to the right of each point
    nxt = np.where(vertex, idx, P)[..., ::-1]
    nxt = np.minimum.accumulate(nxt, axis=-1)[..., ::-1]
    nxt = np.concatenate([nxt[..., 1:], np.full((*nxt.shape[:-1], 1), P - 1)], axis=-1)
    nxt = np.minimum(nxt, P - 1)

    grid = np.linspace(0.0, 1.0, FPR_GRID + 1)
    # last vertex a with fpr_a <= x, for every grid x: (K, G, X)
    left_of = vertex[..., None, :] & (fpr[..., None, :] <= grid[:, None] + 1e-12)
    a = P - 1 - np.argmax(left_of[..., ::-1], axis=-1)
    b = np.take_along_axis(nxt, a.reshape(K, n_groups, -1), axis=-1).reshape(a.shape)
    xa, xb = np.take_along_axis(fpr, a, -1), np.take_along_axis(fpr, b, -1)
    ya, yb = np.take_along_axis(tpr, a, -1), np.take_along_axis(tpr, b, -1)
    span = xb - xa
    p_a = np.where(span > 0, (xb - grid) / np.where(span > 0, span, 1.0), 1.0)
    p_a = np.clip(p_a, 0.0, 1.0)
    hull = p_a * ya + (1.0 - p_a) * yb  # (K, G, X)

    common = np.where(takes_part[..., None], hull, np.inf).min(axis=1)  # (K, X)
    n_pos, n_neg = (pos * takes_part).sum(axis=1), (neg * takes_part).sum(axis=1)
    with np.errstate(invalid="ignore"):  # 0 × inf where no group takes part: NaN, skipped
        accuracy = n_pos[:, None] * common + n_neg[:, None] * (1.0 - grid)
    best = np.argmax(np.where(np.isfinite(accuracy), accuracy, -np.inf), axis=1)  # (K,)
    x_star = grid[best]
    y_star = common[np.arange(K), best]

    pick = best[:, None, None]
    pa = np.take_along_axis(p_a, pick, -1)[..., 0]
    h = np.take_along_axis(hull, pick, -1)[..., 0]
    ta = np.take_along_axis(thresholds[:, None, :], np.take_along_axis(a, pick, -1), -1)[..., 0]
    tb = np.take_along_axis(thresholds[:, None, :], np.take_along_axis(b, pick, -1), -1)[..., 0]
    lift = h - x_star[:, None]
    q = np.where(lift > 1e-12, (y_star[:, None] - x_star[:, None]) / np.where(lift > 0, lift, 1), 1)
    q = np.clip(q, 0.0, 1.0)

    cuts = np.zeros((K, n_groups, N_CUTS))
    weights = np.zeros((K, n_groups, N_CUTS))
    cuts[..., 0], cuts[..., 1], cuts[..., 2], cuts[..., 3] = ta, tb, np.inf, -np.inf
    weights[..., 0] = q * pa
    weights[..., 1] = q * (1.0 - pa)
    weights[..., 2] = (1.0 - q) * (1.0 - x_star[:, None])
    weights[..., 3] = (1.0 - q) * x_star[:, None]
    apart = ~takes_part | (takes_part.sum(axis=1) < 2)[:, None]
    cuts[apart], weights[apart] = 0.0, np.array([1.0, 0.0, 0.0, 0.0])
    return cuts, weights

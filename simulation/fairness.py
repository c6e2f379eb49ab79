"""Fairness mitigations for a chosen notion: pre-, in- and post-processing, and quotas.

Stages paper §2.3 (fairness is a value, and which notion applies differs by community and
jurisdiction), §2.4.1 (affirmative action: "not every protected group needs the same remedy";
quotas are incompatible with the statistical parity notions) and §4.2 (a community adapting a
model to its own fairness definition with *pre-processing*, *in-processing* or
*post-processing* techniques, at different costs and with different access to the model).

Three families, each batched over ``K`` models (one row of every ``(K, n)`` array per model;
padded rows are excluded with ``mask``):

* **pre-processing** — :func:`reweighing_weights`, Kamiran & Calders (2012) reweighing: row
  weights ``w(g, y) = P(g) P(y) / P(g, y)`` that make label and group independent in the
  weighted training data; pass them as ``sample_weight`` to
  :func:`simulation.learning.fit_logistic`.
* **in-processing** — :func:`independence_penalty`, the decision-boundary covariance of Zafar et
  al. (2017) turned into a quadratic penalty ``0.5 * w^T Q w`` on the weights (``quadratic``
  argument of :func:`~simulation.learning.fit_logistic`); needs access to the training
  objective, which §4.2 notes a community adopting a closed model does not have.
* **post-processing** — :func:`group_thresholds` and :func:`apply_thresholds`, group-specific
  decision thresholds on the model's logit scores (Hardt et al. 2016 style), the cheapest
  adaptation of a model one cannot retrain.

No random numbers are used here.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "MIN_GROUP_ROWS",
    "NOTIONS",
    "apply_thresholds",
    "group_thresholds",
    "independence_penalty",
    "reweighing_weights",
]

#: Notions understood by :func:`group_thresholds` (the same names as
#: :data:`simulation.metrics.FAIRNESS_NOTIONS`).
NOTIONS: tuple[str, ...] = (
    "demographic_parity",
    "equal_opportunity",
    "equalized_odds",
    "quota",
    "none",
)

#: Groups with fewer valid rows (for equal opportunity: fewer positives) keep threshold 0:
#: a threshold estimated from a handful of people is noise.
MIN_GROUP_ROWS: int = 5


def _valid(mask: np.ndarray | None, shape: tuple[int, ...]) -> np.ndarray:
    if mask is None:
        return np.ones(shape, dtype=bool)
    valid = np.asarray(mask, dtype=bool)
    if valid.shape != shape:
        raise ValueError(f"mask must have shape {shape}, got {valid.shape}")
    return valid


def _check_2d(a: np.ndarray, name: str) -> np.ndarray:
    arr = np.asarray(a)
    if arr.ndim != 2:
        raise ValueError(f"{name} must have shape (K, n), got {arr.shape}")
    return arr


# ------------------------------------------------------------------------------ pre-processing


def reweighing_weights(
    y: np.ndarray, group: np.ndarray, mask: np.ndarray | None = None
) -> np.ndarray:
    """Kamiran–Calders reweighing weights, per model row.

    For model ``k``, a valid row with group ``g`` and label ``y`` gets
    ``w(g, y) = P_k(g) P_k(y) / P_k(g, y)`` (empirical frequencies over the model's valid rows),
    so that in the weighted data ``P_w(y | g) = P(y)`` for every group: label and group are
    independent.  Weights are normalised to mean 1 over valid rows (the raw weights already
    have mean 1; the normalisation only absorbs rounding); invalid rows get 0.  All models are
    counted with one ``np.bincount``.

    Args:
        y: ``(K, n)`` labels in ``{0, 1}`` (values are rounded).
        group: ``(K, n)`` non-negative integer group ids.
        mask: Optional ``(K, n)`` boolean array of valid rows.

    Returns:
        ``(K, n)`` non-negative weights.

    Raises:
        ValueError: On mismatched shapes or negative group ids.
    """
    yy = np.rint(_check_2d(y, "y")).astype(np.int64)
    gg = _check_2d(group, "group").astype(np.int64)
    if yy.shape != gg.shape:
        raise ValueError(f"y and group must share a shape, got {yy.shape} and {gg.shape}")
    valid = _valid(mask, yy.shape)
    K = yy.shape[0]
    if np.any(gg[valid] < 0):
        raise ValueError("group ids must be >= 0")
    G = int(gg[valid].max(initial=0)) + 1
    g_safe = np.where(valid, gg, 0)
    y_safe = np.clip(np.where(valid, yy, 0), 0, 1)
    code = (np.arange(K)[:, None] * G + g_safe) * 2 + y_safe
    counts = np.bincount(code[valid], minlength=K * G * 2).reshape(K, G, 2).astype(float)
    n = counts.sum(axis=(1, 2))  # (K,)
    n_g = counts.sum(axis=2)  # (K, G)
    n_y = counts.sum(axis=1)  # (K, 2)
    rows = np.arange(K)[:, None]
    cell = counts[rows, g_safe, y_safe]
    num = n_g[rows, g_safe] * n_y[rows, y_safe]
    den = n[:, None] * cell
    w = np.zeros(yy.shape)
    np.divide(num, den, out=w, where=valid & (den > 0))
    total = w.sum(axis=1)
    n_valid = valid.sum(axis=1)
    scale = np.zeros(K)
    np.divide(n_valid, total, out=scale, where=total > 0)
    return w * scale[:, None]


# ------------------------------------------------------------------------------ in-processing


def independence_penalty(
    X: np.ndarray,
    group: np.ndarray,
    strength: float | np.ndarray,
    mask: np.ndarray | None = None,
) -> np.ndarray:
    """Decision-boundary covariance penalty (Zafar et al. 2017) as a ``(K, d, d)`` matrix.

    With ``z = 1[group >= 1]`` (member of a protected group) the covariance between ``z`` and
    the signed distance to the boundary ``x . w`` is ``c . w`` with
    ``c = mean_i (z_i - mean(z)) x_i`` over valid rows.  Demographic parity of a linear
    classifier is approached by driving ``c . w`` to 0; the penalty
    ``0.5 * w^T Q w = 0.5 * strength * n * (c . w)^2`` with ``Q = strength * n * c c^T`` does
    so softly.  The factor ``n`` (valid rows) makes ``strength`` comparable across sample
    sizes, since the log-loss term of the objective is a sum over rows.  Pass the result as
    ``quadratic`` to :func:`simulation.learning.fit_logistic`.

    Args:
        X: ``(K, n, d)`` model features.
        group: ``(K, n)`` group ids; ``>= 1`` counts as protected.
        strength: Scalar or ``(K,)`` non-negative penalty strength (0 = no penalty).
        mask: Optional ``(K, n)`` boolean array of valid rows.

    Returns:
        ``(K, d, d)`` symmetric positive semi-definite matrices (rank <= 1).

    Raises:
        ValueError: On mismatched shapes or negative strength.
    """
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 3:
        raise ValueError(f"X must have shape (K, n, d), got {X.shape}")
    K, n, _ = X.shape
    gg = _check_2d(group, "group")
    if gg.shape != (K, n):
        raise ValueError(f"group must have shape {(K, n)}, got {gg.shape}")
    valid = _valid(mask, (K, n))
    lam = np.broadcast_to(np.asarray(strength, dtype=float), (K,))
    if np.any(~np.isfinite(lam)) or np.any(lam < 0):
        raise ValueError("strength must be finite and >= 0")
    v = valid.astype(float)
    n_valid = v.sum(axis=1)
    z = (gg >= 1).astype(float) * v
    zbar = np.zeros(K)
    np.divide(z.sum(axis=1), n_valid, out=zbar, where=n_valid > 0)
    centred = (z - zbar[:, None]) * v
    c = np.einsum("kn,knd->kd", centred, X)
    np.divide(c, n_valid[:, None], out=c, where=n_valid[:, None] > 0)
    return (lam * n_valid)[:, None, None] * (c[:, :, None] * c[:, None, :])


# ------------------------------------------------------------------------------ post-processing


def _topk_threshold(scores: np.ndarray, valid: np.ndarray, rate: np.ndarray) -> np.ndarray:
    """Per row, a threshold ``t`` such that ``scores > t`` selects ``round(rate * m)`` valid rows.

    ``m`` is the row's number of valid entries; ``t`` is the midpoint between the two order
    statistics around the cut (ties can make the count off by the tie size).  Rows with
    ``m == 0`` get NaN.
    """
    K = scores.shape[0]
    s = np.sort(np.where(valid, scores, np.inf), axis=1)  # valid first, ascending
    m = valid.sum(axis=1)
    k_sel = np.clip(np.rint(rate * m), 0, m).astype(np.int64)  # rows to select
    rows = np.arange(K)
    lo_idx = np.clip(m - k_sel - 1, 0, None)  # highest rejected
    hi_idx = np.clip(m - k_sel, 0, np.maximum(m - 1, 0))  # lowest selected
    lo = s[rows, lo_idx] if s.shape[1] else np.zeros(K)
    hi = s[rows, hi_idx] if s.shape[1] else np.zeros(K)
    t = 0.5 * (lo + hi)
    t = np.where(k_sel == 0, hi + 1.0, t)  # select none: above the maximum
    t = np.where(k_sel == m, lo - 1.0, t)  # select all: below the minimum
    return np.where(m > 0, t, np.nan)


def _notion_array(notion: str | np.ndarray, K: int) -> np.ndarray:
    arr = np.broadcast_to(np.asarray(notion, dtype=str), (K,))
    bad = sorted(set(arr.tolist()) - set(NOTIONS))
    if bad:
        raise ValueError(f"unknown fairness notion(s) {bad}; allowed: {', '.join(NOTIONS)}")
    return arr


def group_thresholds(
    scores: np.ndarray,
    y: np.ndarray,
    group: np.ndarray,
    notion: str | np.ndarray,
    n_groups: int = 3,
    quota_target: float | np.ndarray = 0.5,
    mask: np.ndarray | None = None,
) -> np.ndarray:
    """Group-specific thresholds on logit scores that satisfy a notion on the given data.

    The reference decision is ``score > 0``.  Per notion (one per model, or one for all):

    * ``demographic_parity``: every group's selection rate is set to the overall selection
      rate at threshold 0 (each group's threshold is the matching upper quantile of its
      scores).
    * ``equal_opportunity``: every group's true-positive rate is set to the overall TPR at
      threshold 0 (the quantile is taken among the group's positives).
    * ``equalized_odds``: **simplified to equal opportunity.**  Exact equalised odds needs
      randomised thresholds mixing two ROC points (Hardt et al. 2016); the deterministic
      thresholds here equalise TPRs only, so an FPR gap may remain.
    * ``quota``: each protected group (``g >= 1``) selects at least ``quota_target``; its
      threshold is lowered from 0 only if needed; the majority keeps 0.
    * ``none``: all thresholds 0.

    Groups with fewer than :data:`MIN_GROUP_ROWS` valid rows (for the TPR notions: fewer than
    that many positives) keep threshold 0.  Thresholds are fitted on the data passed in; use
    them on fresh data with :func:`apply_thresholds` (expect sampling error there).

    Args:
        scores: ``(K, n)`` logit scores of each model on its rows.
        y: ``(K, n)`` true labels in ``{0, 1}`` (only used by the TPR notions).
        group: ``(K, n)`` integer group ids in ``0 .. n_groups - 1``.
        notion: A notion name from :data:`NOTIONS`, or a ``(K,)`` array of names.
        n_groups: Number of groups ``G``.
        quota_target: Scalar or ``(K,)`` target selection rate in ``[0, 1]`` for ``quota``.
        mask: Optional ``(K, n)`` boolean array of valid rows.

    Returns:
        ``(K, G)`` thresholds; decide ``score > threshold[group]``.

    Raises:
        ValueError: On mismatched shapes, unknown notions, or a target outside ``[0, 1]``.
    """
    s = np.asarray(_check_2d(scores, "scores"), dtype=np.float64)
    K, n = s.shape
    yy = np.asarray(_check_2d(y, "y"))
    gg = np.asarray(_check_2d(group, "group"))
    if yy.shape != s.shape or gg.shape != s.shape:
        raise ValueError("scores, y and group must share a shape")
    valid = _valid(mask, (K, n))
    notions = _notion_array(notion, K)
    target = np.broadcast_to(np.asarray(quota_target, dtype=float), (K,))
    if np.any(~np.isfinite(target)) or np.any((target < 0) | (target > 1)):
        raise ValueError("quota_target must lie in [0, 1]")

    out = np.zeros((K, n_groups))
    sel0 = (s > 0.0) & valid
    pos = valid & (yy == 1)
    n_valid = valid.sum(axis=1)
    n_pos = pos.sum(axis=1)
    overall_rate = np.divide(sel0.sum(axis=1), n_valid, out=np.zeros(K), where=n_valid > 0)
    overall_tpr = np.divide((sel0 & pos).sum(axis=1), n_pos, out=np.zeros(K), where=n_pos > 0)

    dp = notions == "demographic_parity"
    eo = (notions == "equal_opportunity") | (notions == "equalized_odds")
    quota = notions == "quota"
    for g in range(n_groups):
        in_g = valid & (gg == g)
        m_g = in_g.sum(axis=1)
        if np.any(dp):
            t = _topk_threshold(s, in_g, overall_rate)
            ok = dp & (m_g >= MIN_GROUP_ROWS)
            out[ok, g] = t[ok]
        if np.any(eo):
            pos_g = in_g & pos
            t = _topk_threshold(s, pos_g, overall_tpr)
            ok = eo & (pos_g.sum(axis=1) >= MIN_GROUP_ROWS)
            out[ok, g] = t[ok]
        if g >= 1 and np.any(quota):
            t = _topk_threshold(s, in_g, target)
            ok = quota & (m_g >= MIN_GROUP_ROWS)
            out[ok, g] = np.minimum(0.0, t[ok])  # only ever lower the bar
    return out


def apply_thresholds(scores: np.ndarray, group: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
    """Decisions ``score > thresholds[k, group]`` as ``(K, n)`` int8 in ``{0, 1}``.

    Args:
        scores: ``(K, n)`` logit scores.
        group: ``(K, n)`` integer group ids (clipped into ``0 .. G - 1``, so padding is safe).
        thresholds: ``(K, G)`` from :func:`group_thresholds`.

    Returns:
        ``(K, n)`` int8 decisions.
    """
    s = np.asarray(scores, dtype=np.float64)
    thr = np.asarray(thresholds, dtype=np.float64)
    gg = np.clip(np.asarray(group).astype(np.int64), 0, thr.shape[1] - 1)
    return (s > np.take_along_axis(thr, gg, axis=1)).astype(np.int8)

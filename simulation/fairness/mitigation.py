"""Fairness mitigations for the notion a community holds: pre- and in-processing.

Stages paper §2.3 (fairness is a value, and which notion applies differs by community and
jurisdiction), §2.4.1 (affirmative action: "not every protected group needs the same remedy")
and §4.2 (a community adapting a model to its own fairness definition with *pre-processing*,
*in-processing* or *post-processing* techniques, at different costs and with different access
to the model).  Post-processing lives in :mod:`simulation.fairness.post_processing`.

Batched over ``K`` models (one row of every ``(K, n)`` array per model; padded rows are
excluded with ``mask``); the notion may differ per model.

* **pre-processing** — :func:`reweighing_weights`, Kamiran & Calders (2012) reweighing: row
  weights ``w(g, y) = P(g) P(y) / P(g, y)`` that make label and group independent in the
  weighted training data, which is what demographic parity asks of the decisions (and the
  remedy for ``quota``, which asks protected groups to be selected more).  Equal opportunity
  and equalized odds have **no standard closed-form reweighing**: the reweighting schemes the
  literature gives for them (Agarwal et al. 2018's reductions; Jiang & Nachum 2020's label-bias
  weights) are iterative, each round a fit followed by a multiplier update.  A community holding
  those notions that chose reweighing therefore gets the in-processing penalty for its notion
  (:func:`fit_mitigation`), not demographic parity's weights as a stand-in.
* **in-processing** — :func:`fairness_penalty`, the decision-boundary covariance of Zafar et al.
  (2017a, "Fairness constraints") between group membership and the score, as a quadratic
  penalty ``0.5 * w^T Q w`` on the weights (``quadratic`` argument of
  :func:`~simulation.learning.logistic.fit_logistic`): over every row for demographic parity; over
  the
  positives (``y = 1``) for equal opportunity, the convex covariance proxy for equal
  true-positive rates (Zafar et al. 2017b, "Disparate mistreatment", restricted to the rows
  the notion conditions on); over the positives *and*, as a separate term, over the negatives
  for equalized odds, so equal false-positive rates are asked for too.  Needs access to the
  training objective, which §4.2 notes a community adopting a closed model does not have.

No random numbers are used here.
"""

from __future__ import annotations

import numpy as np

from hetsim.simulation.fairness.post_processing import (
    MIN_GROUP_ROWS,
    NOTIONS,
    apply_thresholds,
    group_thresholds,
    valid_mask,
)

__all__ = [
    "MIN_GROUP_ROWS",
    "NOTIONS",
    "PENALTY_ROWS",
    "REWEIGHING_NOTIONS",
    "apply_thresholds",
    "fairness_penalty",
    "fit_mitigation",
    "group_thresholds",
    "independence_penalty",
    "reweighing_weights",
]

#: Notions with a standard reweighing (Kamiran & Calders 2012); the others use the penalty.
REWEIGHING_NOTIONS: tuple[str, ...] = ("demographic_parity", "quota")

#: Which rows' covariance each notion's penalty drives to zero: (all rows, y = 1, y = 0).
#: ``quota`` asks protected groups to be selected more, as demographic parity does; ``none``
#: asks nothing.
PENALTY_ROWS: dict[str, tuple[bool, bool, bool]] = {
    "demographic_parity": (True, False, False),
    "equal_opportunity": (False, True, False),
    "equalized_odds": (False, True, True),
    "quota": (True, False, False),
    "none": (False, False, False),
}


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
    valid = valid_mask(mask, yy.shape)
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


def _membership_covariance(
    X: np.ndarray, group: np.ndarray, rows: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Per model, ``c = mean_i (z_i - mean z) x_i`` over ``rows`` with ``z = 1[group >= 1]``.

    Returns ``c`` ``(K, d)`` and the number of rows used ``(K,)``.
    """
    v = rows.astype(float)
    n_rows = v.sum(axis=1)
    z = (group >= 1).astype(float) * v
    zbar = np.zeros(len(v))
    np.divide(z.sum(axis=1), n_rows, out=zbar, where=n_rows > 0)
    centred = (z - zbar[:, None]) * v
    c = np.einsum("kn,knd->kd", centred, X)
    np.divide(c, n_rows[:, None], out=c, where=n_rows[:, None] > 0)
    return c, n_rows


def _penalty_inputs(X, group, strength, mask):
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 3:
        raise ValueError(f"X must have shape (K, n, d), got {X.shape}")
    K, n, _ = X.shape
    gg = _check_2d(group, "group")
    if gg.shape != (K, n):
        raise ValueError(f"group must have shape {(K, n)}, got {gg.shape}")
    lam = np.broadcast_to(np.asarray(strength, dtype=float), (K,))
    if np.any(~np.isfinite(lam)) or np.any(lam < 0):
        raise ValueError("strength must be finite and >= 0")
    return X, gg, valid_mask(mask, (K, n)), lam


def independence_penalty(
    X: np.ndarray,
    group: np.ndarray,
    strength: float | np.ndarray,
    mask: np.ndarray | None = None,
) -> np.ndarray:
    """Demographic parity's covariance penalty (Zafar et al. 2017a) as a ``(K, d, d)`` matrix.

    With ``z = 1[group >= 1]`` (member of a protected group) the covariance between ``z`` and
    the signed distance to the boundary ``x . w`` is ``c . w`` with
    ``c = mean_i (z_i - mean(z)) x_i`` over valid rows.  Demographic parity of a linear
    classifier is approached by driving ``c . w`` to 0; the penalty
    ``0.5 * w^T Q w = 0.5 * strength * n * (c . w)^2`` with ``Q = strength * n * c c^T`` does
    so softly.  The factor ``n`` (valid rows) makes ``strength`` comparable across sample
    sizes, since the log-loss term of the objective is a sum over rows.  Pass the result as
    ``quadratic`` to :func:`simulation.learning.logistic.fit_logistic`.

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
    X, gg, valid, lam = _penalty_inputs(X, group, strength, mask)
    c, n_valid = _membership_covariance(X, gg, valid)
    return (lam * n_valid)[:, None, None] * (c[:, :, None] * c[:, None, :])


def fairness_penalty(
    X: np.ndarray,
    y: np.ndarray,
    group: np.ndarray,
    notion: str | np.ndarray,
    strength: float | np.ndarray,
    mask: np.ndarray | None = None,
) -> np.ndarray:
    """The in-processing penalty for each model's own notion, as ``(K, d, d)`` matrices.

    ``Q = strength * n * sum_s c_s c_s^T`` over the row sets :data:`PENALTY_ROWS` names for the
    notion: every row (demographic parity, quota), the positives (equal opportunity), the
    positives and the negatives as two terms (equalized odds: equal TPR and equal FPR), where
    ``c_s`` is the covariance of group membership with the features over the rows ``s`` (see
    :func:`independence_penalty`).  Every term is scaled by ``n``, the model's valid rows, as
    the log-loss it is added to is a sum over all of them: ``strength`` is then the weight of a
    squared covariance per training row whichever rows the notion conditions on, rather than
    a weaker push for notions that condition on fewer rows.  One batched product per row set;
    the notion may differ per model.

    Args:
        X: ``(K, n, d)`` model features.
        y: ``(K, n)`` labels in ``{0, 1}``.
        group: ``(K, n)`` group ids; ``>= 1`` counts as protected.
        notion: A name from :data:`NOTIONS` or a ``(K,)`` array of names.
        strength: Scalar or ``(K,)`` non-negative penalty strength.
        mask: Optional ``(K, n)`` boolean array of valid rows.

    Returns:
        ``(K, d, d)`` symmetric positive semi-definite matrices (rank <= 2).

    Raises:
        ValueError: On mismatched shapes, unknown notions or negative strength.
    """
    X, gg, valid, lam = _penalty_inputs(X, group, strength, mask)
    K, n, d = X.shape
    yy = _check_2d(y, "y")
    if yy.shape != (K, n):
        raise ValueError(f"y must have shape {(K, n)}, got {yy.shape}")
    notions = np.broadcast_to(np.asarray(notion, dtype=str), (K,))
    bad = sorted(set(notions.tolist()) - set(PENALTY_ROWS))
    if bad:
        raise ValueError(f"unknown fairness notion(s) {bad}; allowed: {', '.join(NOTIONS)}")
    positive = np.rint(yy) == 1
    n_valid = valid.sum(axis=1)
    Q = np.zeros((K, d, d))
    for s, rows in enumerate((valid, valid & positive, valid & ~positive)):
        use = np.array([PENALTY_ROWS[str(v)][s] for v in notions], dtype=bool)
        if not use.any():
            continue
        c, _ = _membership_covariance(X[use], gg[use], rows[use])
        Q[use] += (lam[use] * n_valid[use])[:, None, None] * (c[:, :, None] * c[:, None, :])
    return Q


def fit_mitigation(
    X: np.ndarray,
    y: np.ndarray,
    group: np.ndarray,
    weight: np.ndarray,
    notion: np.ndarray,
    method: np.ndarray,
    strength: float,
) -> tuple[np.ndarray, np.ndarray | None]:
    """Row weights and quadratic penalty for models mitigating their own notion before a fit.

    ``method`` names each model's mitigation (``"reweighing"``, ``"penalty"`` or anything else
    for none).  Reweighing multiplies ``weight`` by Kamiran–Calders weights for the notions in
    :data:`REWEIGHING_NOTIONS`; a model holding another notion that chose reweighing gets its
    notion's penalty instead (see the module docstring).  Padded rows (``weight == 0``) are
    excluded from both.

    Args:
        X: ``(K, n, d)`` model features.
        y: ``(K, n)`` labels.
        group: ``(K, n)`` group ids.
        weight: ``(K, n)`` row weights before mitigation.
        notion: ``(K,)`` notion names.
        method: ``(K,)`` mitigation names.
        strength: Penalty strength.

    Returns:
        The new ``(K, n)`` weights, and ``(K, d, d)`` penalties or ``None`` if no model uses one.
    """
    notion = np.asarray(notion, dtype=str)
    method = np.asarray(method, dtype=str)
    reweighable = np.isin(notion, REWEIGHING_NOTIONS)
    reweigh = (method == "reweighing") & reweighable
    penalise = (method == "penalty") | ((method == "reweighing") & ~reweighable)
    if reweigh.any():
        weight = np.array(weight, dtype=float, copy=True)
        weight[reweigh] *= reweighing_weights(y[reweigh], group[reweigh], weight[reweigh] > 0)
    quadratic = None
    if penalise.any():
        quadratic = np.zeros((len(notion), X.shape[2], X.shape[2]))
        quadratic[penalise] = fairness_penalty(
            X[penalise],
            y[penalise],
            group[penalise],
            notion[penalise],
            strength,
            mask=weight[penalise] > 0,
        )
    return weight, quadratic

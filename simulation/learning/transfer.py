"""Adapting a pretrained model locally: fine-tuning, divergence, and distillation.

Stages paper §4.2 (large pretrained models with post-processing and adaptation):

* **fine-tuning / transfer learning** — a community adapts an entity's pretrained weights to its
  own small data.  "If there is little in common or a goal mismatch between the domains,
  knowledge transfer could be unsuccessful or even hinder learning on the target task, that is
  the performance ... [is] worse than training from scratch" (negative transfer, Wang et al.
  2019).  :func:`finetune` is a warm start plus a proximal penalty toward the pretrained
  weights; the penalty is what carries knowledge over *and* what drags a mismatched source
  into the target's model.
* **domain divergence** — :func:`domain_divergence` (between weight vectors) and
  :func:`decision_divergence` (data-based: how often the source model and a target-fitted
  model disagree on target records) measure how far apart source and target are, so a
  community can anticipate negative transfer.
* **knowledge distillation** — :func:`distill` trains a low-capacity student on a teacher's soft
  labels over local unlabelled records, adapting to local resources (Hinton et al. 2015); the
  student can only copy what its feature map can express (capacity gap).

No random numbers are used here.
"""

from __future__ import annotations

import numpy as np

from hetsim.simulation.learning.capacity import N_EXTRA
from hetsim.simulation.learning.logistic import FitResult, fit_logistic, predict_proba

__all__ = ["decision_divergence", "distill", "domain_divergence", "finetune"]


def finetune(
    X: np.ndarray,
    y: np.ndarray,
    weight: np.ndarray | None,
    pretrained_coef: np.ndarray,
    pretrained_intercept: np.ndarray,
    strength: float | np.ndarray,
    max_iter: int = 25,
) -> FitResult:
    """Fine-tune ``K`` pretrained models on local data (warm start + proximal penalty).

    Minimises ``sum_i s_i logloss_i + 0.5 * strength * ||w - w_pretrained||^2`` starting
    from the pretrained weights and intercept.  ``strength -> 0`` is local training without a
    ridge (the source only supplies the starting point); ``strength -> inf`` keeps the
    pretrained weights (only the intercept adapts).

    Args:
        X: ``(K, n, d)`` local features (the pretrained model's feature map).
        y: ``(K, n)`` local labels.
        weight: ``(K, n)`` row weights (0 masks padding) or ``None``.
        pretrained_coef: ``(K, d)`` source weights.
        pretrained_intercept: ``(K,)`` source intercepts.
        strength: Proximal strength, scalar or ``(K,)``, ``>= 0``.
        max_iter: Newton iterations.

    Returns:
        The fine-tuned :class:`~simulation.learning.logistic.FitResult`.
    """
    prior = np.asarray(pretrained_coef, dtype=np.float64)
    return fit_logistic(
        X,
        y,
        sample_weight=weight,
        l2=strength,
        prior=prior,
        coef_init=prior,
        intercept_init=np.asarray(pretrained_intercept, dtype=np.float64),
        max_iter=max_iter,
    )


def domain_divergence(source_coef: np.ndarray, target_coef: np.ndarray) -> np.ndarray:
    """Relative distance between source and target weights, ``(K,)`` in ``[0, inf)``.

    ``||w_source - w_target|| / ||w_target||`` (0 when ``w_target`` is 0 and the two
    coincide, ``inf`` when only ``w_target`` is 0): 0 for identical concepts, about 2 for a
    sign-flipped concept, scale-free in the target.  ``target_coef`` is typically a model
    fitted on the target's own data, so the measure is noisy for tiny samples.

    Args:
        source_coef: ``(K, d)`` pretrained weights.
        target_coef: ``(K, d)`` target weights.

    Returns:
        ``(K,)`` divergences.
    """
    s = np.asarray(source_coef, dtype=np.float64)
    t = np.asarray(target_coef, dtype=np.float64)
    num = np.linalg.norm(s - t, axis=-1)
    den = np.linalg.norm(t, axis=-1)
    out = np.full(num.shape, np.inf)
    np.divide(num, den, out=out, where=den > 0)
    return np.where((den == 0) & (num == 0), 0.0, out)


def decision_divergence(
    X: np.ndarray,
    source_coef: np.ndarray,
    source_intercept: np.ndarray,
    target_coef: np.ndarray,
    target_intercept: np.ndarray,
    weight: np.ndarray | None = None,
) -> np.ndarray:
    """Weighted share of target records on which source and target models decide differently.

    A data-based divergence in ``[0, 1]``: the disagreement rate of ``score > 0`` decisions on
    the target's own records, where the target model is fitted on those records.

    Args:
        X: ``(K, n, d)`` target features.
        source_coef: ``(K, d)``; source_intercept: ``(K,)``.
        target_coef: ``(K, d)``; target_intercept: ``(K,)``.
        weight: ``(K, n)`` row weights (default ones).

    Returns:
        ``(K,)`` disagreement rates (0 where a model has no weighted rows).
    """
    X = np.asarray(X, dtype=np.float64)
    w = np.ones(X.shape[:2]) if weight is None else np.asarray(weight, dtype=np.float64)
    src = predict_proba(X, source_coef, source_intercept) > 0.5
    tgt = predict_proba(X, target_coef, target_intercept) > 0.5
    total = w.sum(axis=1)
    return np.divide(
        (w * (src != tgt)).sum(axis=1), total, out=np.zeros(len(total)), where=total > 0
    )


def distill(
    X_local: np.ndarray,
    teacher_coef: np.ndarray,
    teacher_intercept: np.ndarray,
    student_capacity_mask: np.ndarray | bool,
    l2: float | np.ndarray,
    temperature: float = 1.0,
    weight: np.ndarray | None = None,
    max_iter: int = 25,
) -> FitResult:
    """Distil ``K`` teachers into students on local unlabelled records.

    The teacher labels each local record softly, ``sigmoid(logit / temperature)``; the
    student is an L2 logistic model fitted to those soft labels.  A low-capacity student (its
    ``student_capacity_mask`` entry False) sees the local features with the last
    :data:`simulation.learning.capacity.N_EXTRA` (nonlinear) columns zeroed, exactly as
    ``feature_map(x, False)``, so its weights on them stay 0: it can mimic a low-capacity
    teacher exactly but only approximate a teacher that uses the nonlinear features.

    Args:
        X_local: ``(K, n, d)`` local records in the teacher's (high-capacity) feature map.
        teacher_coef: ``(K, d)`` teacher weights.
        teacher_intercept: ``(K,)`` teacher intercepts.
        student_capacity_mask: ``(K,)`` bool (or one bool): True if the student has the
            high-capacity feature map.
        l2: Student ridge, scalar or ``(K,)``.
        temperature: Softening of the teacher's logits (``> 0``; higher = softer labels).
        weight: ``(K, n)`` row weights (0 masks padding), default ones.
        max_iter: Newton iterations.

    Returns:
        The student's :class:`~simulation.learning.logistic.FitResult` (in the same ``d``-column
        layout; zeroed columns have weight 0).
    """
    if not temperature > 0:
        raise ValueError("temperature must be > 0")
    X = np.asarray(X_local, dtype=np.float64)
    K, _, d = X.shape
    coef = np.asarray(teacher_coef, dtype=np.float64)
    icpt = np.asarray(teacher_intercept, dtype=np.float64)
    soft = predict_proba(X, coef / temperature, icpt / temperature)
    high = np.broadcast_to(np.asarray(student_capacity_mask, dtype=bool), (K,))
    gate = np.ones((K, 1, d))
    gate[~high, :, d - N_EXTRA :] = 0.0
    return fit_logistic(X * gate, soft, sample_weight=weight, l2=l2, max_iter=max_iter)

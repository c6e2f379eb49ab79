"""Batched L2-penalised logistic regression: the learning engine of hetsim.

This module stages DESIGN §2 "Learning (§4)" of the paper: the models in the
simulated ML ecosystem are real classifiers trained on generated data, not
scalar "quality" numbers.  Every simulation step many models (one per
community, ``K`` up to ~10,000) are (re)fitted at once, so the trainer fits a
whole stack of independent problems together with stacked Newton (IRLS)
iterations written in numpy only:

* the data of ``K`` models is a ``(K, n, d)`` array; models with fewer rows
  are padded and the padding masked with ``sample_weight == 0``;
* the solver itself, chunked and safeguarded by step halving, is
  :mod:`.newton`.

The objective of model ``k`` is::

    f_k(w, b) = sum_i s_ki * logloss(y_ki, x_ki . w + b)
                + 0.5 * l2_k * ||w - prior_k||^2 + 0.5 * 1e-10 * b^2
                [+ 0.5 * w^T Q_k w]

With ``sample_weight=None`` and ``prior=None`` this is ``1/C`` times the
objective of scikit-learn's ``LogisticRegression(C=1/l2)`` (L2 penalty,
unpenalised intercept), so the solutions coincide.  The ``prior`` turns the
penalty into a proximal term, which is how fine-tuning a pretrained model
(foundation-model weights as the prior) is expressed.  The optional quadratic
penalty ``0.5 * w^T Q_k w`` (``Q_k`` a ``(d, d)`` PSD matrix, weights only) is
how in-processing fairness constraints are expressed as penalties (e.g. the
decision-boundary covariance penalty of :mod:`simulation.fairness.mitigation`).

The tiny ridge ``INTERCEPT_RIDGE = 1e-10`` on the intercept is a guard: when a
model's labels are all of one class the unpenalised optimum has an infinite
intercept; with the ridge the optimum is finite (|b| of order
``log(n / 1e-10)``, ~24 for n = 100) and every output stays finite.  Newton
moves the intercept by about one unit per step in that regime, so it needs
~25-35 steps; with the default ``max_iter=25`` such a model may report
``converged=False``, with a finite, sensible fit all the same (probability ~1
or ~0 for the only class seen).  On any ordinary problem the ridge's effect is
~1e-10 relative, far below the test tolerances.

No random numbers are used here.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hetsim.simulation.learning.newton import INTERCEPT_RIDGE, solve

__all__ = [
    "INTERCEPT_RIDGE",
    "FitResult",
    "fit_logistic",
    "log_loss_objective",
    "predict_proba",
    "training_flops",
]


@dataclass(frozen=True)
class FitResult:
    """Result of :func:`fit_logistic` for a stack of ``K`` models.

    Attributes:
        coef: ``(K, d)`` feature weights.
        intercept: ``(K,)`` intercepts.
        n_iter: ``(K,)`` Newton iterations used (0 for models with no data).
        converged: ``(K,)`` whether the last Newton step was below ``tol``.
    """

    coef: np.ndarray
    intercept: np.ndarray
    n_iter: np.ndarray
    converged: np.ndarray


# --------------------------------------------------------------------------- helpers


def _sigmoid_and_softplus(eta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Stable ``sigmoid(eta)`` and ``log(1 + exp(eta))`` from one ``exp`` call."""
    e = np.exp(-np.abs(eta))  # in (0, 1], never overflows
    inv = 1.0 / (1.0 + e)
    p = np.where(eta >= 0.0, inv, e * inv)
    softplus = np.log1p(e) + np.maximum(eta, 0.0)
    return p, softplus


def _as_float_stack(a: np.ndarray, name: str, shape: tuple[int, ...]) -> np.ndarray:
    arr = np.asarray(a, dtype=np.float64)
    if arr.shape != shape:
        raise ValueError(f"{name} must have shape {shape}, got {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite")
    return arr


def _l2_vector(l2: float | np.ndarray, K: int) -> np.ndarray:
    lam = np.asarray(l2, dtype=np.float64)
    if lam.ndim == 0:
        lam = np.full(K, float(lam))
    if lam.shape != (K,):
        raise ValueError(f"l2 must be a scalar or have shape ({K},), got {lam.shape}")
    if not np.all(np.isfinite(lam)) or np.any(lam < 0):
        raise ValueError("l2 must be finite and >= 0")
    return lam


def _quadratic_stack(quadratic: np.ndarray | None, K: int, d: int) -> np.ndarray | None:
    if quadratic is None:
        return None
    Q = _as_float_stack(quadratic, "quadratic", (K, d, d))
    scale = 1.0 + np.abs(Q).max(initial=0.0)
    if not np.allclose(Q, Q.transpose(0, 2, 1), rtol=0.0, atol=1e-10 * scale):
        raise ValueError("quadratic must be symmetric")
    return 0.5 * (Q + Q.transpose(0, 2, 1))


# --------------------------------------------------------------------------- public API


def fit_logistic(
    X: np.ndarray,
    y: np.ndarray,
    sample_weight: np.ndarray | None = None,
    l2: float | np.ndarray = 1.0,
    prior: np.ndarray | None = None,
    coef_init: np.ndarray | None = None,
    intercept_init: np.ndarray | None = None,
    max_iter: int = 25,
    tol: float = 1e-8,
    chunk_size: int = 128,
    quadratic: np.ndarray | None = None,
) -> FitResult:
    """Fit ``K`` independent L2-penalised logistic regressions at once.

    Minimises, for each model ``k``,
    ``sum_i w_ki * logloss_ki + 0.5 * l2_k * ||coef_k - prior_k||^2``
    ``+ 0.5 * coef_k^T Q_k coef_k`` (the last term only if ``quadratic`` is given; plus
    the ``INTERCEPT_RIDGE`` guard on the intercept, see the module docstring)
    by stacked, step-halving-safeguarded Newton iterations.  An intercept
    column is added internally and is not penalised.

    Args:
        X: ``(K, n, d)`` features, without an intercept column.
        y: ``(K, n)`` labels in ``{0, 1}`` (values in ``[0, 1]`` are accepted
            as soft labels).
        sample_weight: ``(K, n)`` non-negative row weights; a weight of 0
            masks a padded row, so models with different ``n`` can share one
            stack.  ``None`` means all ones.
        l2: Penalty strength, scalar or ``(K,)``, ``>= 0``.  ``l2 = 1/C`` for
            scikit-learn's ``C``.
        prior: ``(K, d)`` centre of the penalty (default 0).  Use pretrained
            weights here for proximal fine-tuning.
        coef_init: ``(K, d)`` warm start for the weights (default: ``prior``).
        intercept_init: ``(K,)`` warm start for the intercepts (default 0).
        max_iter: Maximum Newton iterations per model.
        tol: A model stops once the largest absolute component of its Newton
            step is below ``tol``.
        chunk_size: Maximum number of models processed together (cache
            blocking).  The chunk is further capped so that its work buffers
            stay within ~8 MB; results do not depend on the chunking.
        quadratic: Optional ``(K, d, d)`` symmetric positive semi-definite
            matrices ``Q_k``; the objective gains ``0.5 * coef_k^T Q_k coef_k``
            (weights only, not centred on ``prior``).  Used for in-processing
            fairness penalties.

    Returns:
        A :class:`FitResult`.  Models whose weights are all zero get
        ``coef = prior`` (or 0), ``intercept = 0``, ``n_iter = 0`` and
        ``converged = True``.

    Raises:
        ValueError: On inconsistent shapes, non-finite inputs, negative
            weights or ``l2``, labels outside ``[0, 1]``, bad settings, or a
            ``quadratic`` that is not symmetric.
    """
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 3:
        raise ValueError(f"X must have shape (K, n, d), got {X.shape}")
    K, n, d = X.shape
    if not np.all(np.isfinite(X)):
        raise ValueError("X must be finite")
    y = _as_float_stack(y, "y", (K, n))
    if np.any((y < 0.0) | (y > 1.0)):
        raise ValueError("y must lie in [0, 1]")
    if sample_weight is None:
        sw = np.ones((K, n))
    else:
        sw = _as_float_stack(sample_weight, "sample_weight", (K, n))
        if np.any(sw < 0.0):
            raise ValueError("sample_weight must be >= 0")
    lam = _l2_vector(l2, K)
    centre = np.zeros((K, d)) if prior is None else _as_float_stack(prior, "prior", (K, d))
    quad = _quadratic_stack(quadratic, K, d)
    if max_iter < 0:
        raise ValueError("max_iter must be >= 0")
    if chunk_size < 1:
        raise ValueError("chunk_size must be >= 1")
    if not tol >= 0:
        raise ValueError("tol must be >= 0")

    beta0 = np.zeros((K, d + 1))
    beta0[:, :d] = centre if coef_init is None else _as_float_stack(coef_init, "coef_init", (K, d))
    if intercept_init is not None:
        beta0[:, d] = _as_float_stack(intercept_init, "intercept_init", (K,))

    beta = np.zeros((K, d + 1))
    beta[:, :d] = centre
    n_iter = np.zeros(K, dtype=np.int64)
    converged = np.ones(K, dtype=bool)

    solve(X, y, sw, lam, centre, beta0, max_iter, tol, chunk_size, beta, n_iter, converged, quad)

    return FitResult(
        coef=beta[:, :d].copy(),
        intercept=beta[:, d].copy(),
        n_iter=n_iter,
        converged=converged,
    )


def predict_proba(X: np.ndarray, coef: np.ndarray, intercept: np.ndarray) -> np.ndarray:
    """Probability of ``y = 1`` under each model.

    Args:
        X: ``(K, n, d)`` features.
        coef: ``(K, d)`` weights.
        intercept: ``(K,)`` intercepts.

    Returns:
        ``(K, n)`` probabilities.
    """
    X = np.asarray(X, dtype=np.float64)
    coef = np.asarray(coef, dtype=np.float64)
    intercept = np.asarray(intercept, dtype=np.float64)
    eta = (X @ coef[:, :, None])[:, :, 0] + intercept[:, None]
    prob, _ = _sigmoid_and_softplus(eta)
    return prob


def log_loss_objective(
    X: np.ndarray,
    y: np.ndarray,
    coef: np.ndarray,
    intercept: np.ndarray,
    sample_weight: np.ndarray | None = None,
    l2: float | np.ndarray = 1.0,
    prior: np.ndarray | None = None,
    quadratic: np.ndarray | None = None,
) -> np.ndarray:
    """Penalised objective ``sum_i w_i * logloss_i + 0.5 * l2 * ||coef - prior||^2``.

    Plus ``0.5 * coef^T Q coef`` when ``quadratic`` is given.

    This is the objective :func:`fit_logistic` minimises, without the
    negligible ``INTERCEPT_RIDGE`` term; meant for tests and diagnostics.

    Args:
        X: ``(K, n, d)`` features.
        y: ``(K, n)`` labels.
        coef: ``(K, d)`` weights.
        intercept: ``(K,)`` intercepts.
        sample_weight: ``(K, n)`` row weights (default ones).
        l2: Scalar or ``(K,)`` penalty strength.
        prior: ``(K, d)`` penalty centre (default 0).
        quadratic: Optional ``(K, d, d)`` PSD matrices (see :func:`fit_logistic`).

    Returns:
        ``(K,)`` objective values.
    """
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    coef = np.asarray(coef, dtype=np.float64)
    intercept = np.asarray(intercept, dtype=np.float64)
    K = X.shape[0]
    sw = np.ones_like(y) if sample_weight is None else np.asarray(sample_weight, np.float64)
    lam = _l2_vector(l2, K)
    diff = coef if prior is None else coef - np.asarray(prior, dtype=np.float64)
    eta = (X @ coef[:, :, None])[:, :, 0] + intercept[:, None]
    _, softplus = _sigmoid_and_softplus(eta)
    data = np.einsum("kn,kn->k", sw, softplus - y * eta)
    out = data + 0.5 * lam * np.einsum("kd,kd->k", diff, diff)
    if quadratic is not None:
        Q = np.asarray(quadratic, dtype=np.float64)
        out = out + 0.5 * np.einsum("ki,kij,kj->k", coef, Q, coef)
    return out


def training_flops(
    n_samples: np.ndarray | int, n_features: int, n_iter: np.ndarray | int
) -> np.ndarray:
    """Floating-point operations a fit used.

    Counts ``n_iter * (2 * n * (d+1)^2 + (d+1)^3 / 3)``: per Newton step the
    Hessian accumulation dominates, plus the LU solve.  The simulation charges
    compute and energy from this number.

    Args:
        n_samples: Rows per model (the non-masked count), scalar or array.
        n_features: ``d``, features without the intercept.
        n_iter: Newton iterations per model (``FitResult.n_iter``).

    Returns:
        FLOPs as a float64 array broadcast from the inputs.
    """
    n = np.asarray(n_samples, dtype=np.float64)
    it = np.asarray(n_iter, dtype=np.float64)
    p = float(n_features) + 1.0
    return np.asarray(it * (2.0 * n * p * p + p**3 / 3.0), dtype=np.float64)

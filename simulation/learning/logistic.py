"""Batched L2-penalised logistic regression: the learning engine of hetsim.

This module stages DESIGN §2 "Learning (§4)" of the paper: the models in the
simulated ML ecosystem are real classifiers trained on generated data, not
scalar "quality" numbers.  Every simulation step many models (one per
community, ``K`` up to ~10,000) are (re)fitted at once, so the trainer fits a
whole stack of independent problems together with stacked Newton (IRLS)
iterations written in numpy only:

* the data of ``K`` models is a ``(K, n, d)`` array; models with fewer rows
  are padded and the padding masked with ``sample_weight == 0``;
* each Newton step forms the ``K`` Hessians with one batched ``matmul`` and
  solves the ``(K, d+1, d+1)`` stack with :func:`numpy.linalg.solve`;
* models are processed in chunks of at most ``chunk_size`` (and at most ~8 MB
  of work buffers) to keep the working set in cache; all large temporaries
  live in preallocated buffers, because freshly ``mmap``-ed numpy temporaries
  page-fault on every use and cost more than the arithmetic here;
* a model stops updating (and costing work: converged models are compacted
  out of the chunk) as soon as its Newton step is below ``tol``;
* every step is safeguarded by step halving on the objective (plain Newton
  can diverge, e.g. when started at a distant prior).  This is cheap: the
  trial point's linear predictor and probabilities are the ones the next
  Newton step needs, so only the log-loss itself is extra.

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

__all__ = [
    "INTERCEPT_RIDGE",
    "FitResult",
    "fit_logistic",
    "log_loss_objective",
    "predict_proba",
    "training_flops",
]

#: Ridge on the intercept (in the objective, gradient and Hessian).  Keeps the
#: optimum finite for single-class data; negligible otherwise.
INTERCEPT_RIDGE: float = 1e-10

#: Added to the Hessian diagonal only (not the objective) so that the linear
#: solve never sees an exactly singular matrix (``l2 == 0`` with an all-zero or a
#: duplicated feature, such as the extras of a zero-capacity feature map; a constant
#: feature is already kept apart from the intercept by ``INTERCEPT_RIDGE``).  It only
#: perturbs the step, never the fixed point.
_HESSIAN_JITTER: float = 1e-12

#: Maximum number of step halvings per Newton step.
_MAX_HALVINGS: int = 60

#: Cache budget for one chunk's work buffers.  Measured on the project's
#: 2-core machines: beyond ~8 MB per chunk the Newton step slows by up to 2x.
_CHUNK_BYTES: int = 8 * 2**20


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


class _Workspace:
    """Preallocated per-call buffers, reused by every chunk and iteration.

    Fresh numpy temporaries of a few hundred KB are served by ``mmap`` and
    page-faulted on every use, which on the project's machines costs more
    than the arithmetic; all ``(k, n)``-sized work therefore goes through
    these buffers with ``out=``.  The working set of a chunk is always the
    contiguous prefix ``[:m]`` (converged models are compacted away).
    """

    def __init__(self, c: int, n: int, p: int) -> None:
        self.XT = np.empty((c, p, n))  # features + intercept row, transposed
        self.Z = np.empty((c, p + 1, n))  # curvature-weighted X^T ; residual
        self.G = np.empty((c, p + 1, p))  # Hessian ; gradient (data part)
        self.y = np.empty((c, n))
        self.ny = np.empty((c, n))  # 1 - y
        self.sw = np.empty((c, n))
        # p = sigmoid(eta) and q = 1 - p = sigmoid(-eta), each computed to full
        # relative precision, at the current and at the trial iterate.
        self.prob = np.empty((c, n))
        self.qrob = np.empty((c, n))
        self.prob_new = np.empty((c, n))
        self.qrob_new = np.empty((c, n))
        self.eta = np.empty((c, n))
        self.t1 = np.empty((c, n))
        self.t2 = np.empty((c, n))


def _evaluate(
    XT: np.ndarray,
    beta: np.ndarray,
    y: np.ndarray,
    sw: np.ndarray,
    centre: np.ndarray,
    pen: np.ndarray,
    eta: np.ndarray,
    prob: np.ndarray,
    qrob: np.ndarray,
    t1: np.ndarray,
    t2: np.ndarray,
    quad: np.ndarray | None = None,
) -> np.ndarray:
    """Objective per model at ``beta``.

    Writes ``p = sigmoid(X @ beta)`` into ``prob`` and ``1 - p`` into ``qrob``.
    ``XT`` is the transposed ``(k, p, n)`` design; ``eta``, ``t1`` and ``t2``
    are scratch buffers of ``prob``'s shape.  ``quad`` is an optional
    ``(k, d, d)`` matrix adding ``0.5 * w^T Q w`` on the weights ``beta[:, :d]``.
    """
    np.matmul(beta[:, None, :], XT, out=eta[:, None, :])
    # p = 1 / (1 + t) and q = 1 - p = t p with t = exp(-eta): both relatively
    # accurate.  q is not formed as 1 - p: near p = 1 the subtraction would
    # leave few correct digits in the residual and the curvature, and Newton
    # could not reach tol on saturated (e.g. one-class) models.  eta is
    # clipped at -700 only inside exp (no overflow; p ~ 1e-304 instead of less).
    np.maximum(eta, -700.0, out=qrob)
    np.negative(qrob, out=qrob)
    np.exp(qrob, out=qrob)
    np.add(qrob, 1.0, out=prob)
    np.divide(1.0, prob, out=prob)
    qrob *= prob
    # log loss = softplus(eta) - y eta, softplus = max(eta, 0) + log1p(exp(-|eta|)).
    np.abs(eta, out=t1)
    np.negative(t1, out=t1)
    np.exp(t1, out=t1)
    np.log1p(t1, out=t1)
    np.maximum(eta, 0.0, out=t2)
    t1 += t2
    np.multiply(y, eta, out=t2)
    t1 -= t2
    diff = beta - centre
    f = np.einsum("kn,kn->k", sw, t1) + 0.5 * np.einsum("kp,kp,kp->k", pen, diff, diff)
    if quad is not None:
        w = beta[:, : quad.shape[1]]
        f += 0.5 * np.einsum("ki,kij,kj->k", w, quad, w)
    return f


def _copy_rows(dst: np.ndarray, src: np.ndarray, rows: np.ndarray) -> None:
    """``dst[:len(rows)] = src[rows]`` without a temporary (rows ascending)."""
    m = rows.size
    if m and rows[-1] - rows[0] == m - 1:
        dst[:m] = src[rows[0] : rows[0] + m]
    else:
        for j, r in enumerate(rows):
            dst[j] = src[r]


def _compact(arrays: tuple[np.ndarray, ...], keep: np.ndarray) -> None:
    """In place, move rows ``keep`` (ascending) of each array to the front."""
    for j, r in enumerate(keep):
        if j != r:
            for a in arrays:
                a[j] = a[r]


def _fit_chunk(
    ws: _Workspace,
    X: np.ndarray,
    y: np.ndarray,
    sw: np.ndarray,
    rows: np.ndarray,
    lam: np.ndarray,
    prior: np.ndarray,
    beta0: np.ndarray,
    max_iter: int,
    tol: float,
    out_beta: np.ndarray,
    out_iter: np.ndarray,
    out_conv: np.ndarray,
    quadratic: np.ndarray | None = None,
) -> None:
    """Safeguarded stacked Newton for models ``rows``; writes into the ``out_*`` arrays."""
    m = rows.size
    d = X.shape[2]
    p = d + 1
    XT = ws.XT
    XT[:m, d, :] = 1.0
    _copy_rows(XT[:, :d, :], X.transpose(0, 2, 1), rows)
    _copy_rows(ws.y, y, rows)
    np.subtract(1.0, ws.y[:m], out=ws.ny[:m])
    _copy_rows(ws.sw, sw, rows)
    pen = np.empty((m, p))
    pen[:, :d] = lam[rows, None]
    pen[:, d] = INTERCEPT_RIDGE
    centre = np.zeros((m, p))
    centre[:, :d] = prior[rows]
    beta = beta0[rows]
    quad = None if quadratic is None else quadratic[rows]
    ids = rows.copy()  # working row -> model index
    n_iter = np.zeros(m, dtype=np.int64)
    prob, prob_new, qrob, qrob_new = ws.prob, ws.prob_new, ws.qrob, ws.qrob_new
    f = _evaluate(
        XT[:m],
        beta,
        ws.y[:m],
        ws.sw[:m],
        centre,
        pen,
        ws.eta[:m],
        prob[:m],
        qrob[:m],
        ws.t1[:m],
        ws.t2[:m],
        quad,
    )
    diag = np.arange(p)

    for _ in range(max_iter):
        Xs, ys, nys, sws = XT[:m], ws.y[:m], ws.ny[:m], ws.sw[:m]
        ps, qs = prob[:m], qrob[:m]
        t1, t2, Z, G = ws.t1[:m], ws.t2[:m], ws.Z[:m], ws.G[:m]

        # Hessian and gradient of the data term in one batched GEMM:
        # [X^T diag(s); r^T] X with s = w p q and r = w (p - y) = w ((1-y) p - y q).
        np.multiply(nys, ps, out=t1)
        np.multiply(ys, qs, out=t2)
        t1 -= t2
        t1 *= sws
        np.multiply(ps, qs, out=t2)
        t2 *= sws
        np.multiply(Xs, t2[:, None, :], out=Z[:, :p, :])
        Z[:, p, :] = t1
        np.matmul(Z, Xs.transpose(0, 2, 1), out=G)
        grad = G[:, p, :] + pen * (beta - centre)
        hess = G[:, :p, :].copy()
        hess[:, diag, diag] += pen + _HESSIAN_JITTER
        if quad is not None:
            grad[:, :d] += np.matmul(quad, beta[:, :d, None])[:, :, 0]
            hess[:, :d, :d] += quad
        step = -np.linalg.solve(hess, grad[:, :, None])[:, :, 0]
        step[~np.isfinite(step)] = 0.0

        # Trial point; its sigmoid is what the next Newton step needs.
        b_new = beta + step
        pn, qn = prob_new[:m], qrob_new[:m]
        f_new = _evaluate(Xs, b_new, ys, sws, centre, pen, ws.eta[:m], pn, qn, t1, t2, quad)
        slack = 1e-12 * (1.0 + np.abs(f))
        bad = ~(f_new <= f + slack)  # also catches NaN
        if np.any(bad):
            scale = np.ones(m)
            for _h in range(_MAX_HALVINGS):
                bi = np.flatnonzero(bad)
                if bi.size == 0:
                    break
                scale[bi] *= 0.5
                b_new[bi] = beta[bi] + scale[bi, None] * step[bi]
                sub = np.empty((5, bi.size, ys.shape[1]))
                f_new[bi] = _evaluate(
                    Xs[bi],
                    b_new[bi],
                    ys[bi],
                    sws[bi],
                    centre[bi],
                    pen[bi],
                    *sub,
                    None if quad is None else quad[bi],
                )
                pn[bi], qn[bi] = sub[1], sub[2]
                bad[bi] = ~(f_new[bi] <= f[bi] + slack[bi])
            # No decrease even for a tiny step: keep the current point and stop
            # this model (it is as good as the arithmetic allows).
            bi = np.flatnonzero(bad)
            b_new[bi], f_new[bi], pn[bi], qn[bi] = beta[bi], f[bi], ps[bi], qs[bi]

        beta, f = b_new, f_new
        prob, prob_new, qrob, qrob_new = prob_new, prob, qrob_new, qrob
        n_iter += 1
        small = np.max(np.abs(step), axis=1) < tol
        stop = small | bad
        if np.any(stop):
            done = np.flatnonzero(stop)
            out_beta[ids[done]] = beta[done]
            out_iter[ids[done]] = n_iter[done]
            out_conv[ids[done]] = small[done]
            keep = np.flatnonzero(~stop)
            _compact((XT, ws.y, ws.ny, ws.sw, prob, qrob), keep)
            beta, f, pen, centre = beta[keep], f[keep], pen[keep], centre[keep]
            if quad is not None:
                quad = quad[keep]
            ids, n_iter = ids[keep], n_iter[keep]
            m = keep.size
            if m == 0:
                break

    if m:  # max_iter reached
        out_beta[ids] = beta
        out_iter[ids] = n_iter
        out_conv[ids] = False


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

    has_data = np.flatnonzero(sw.sum(axis=1) > 0.0)
    if has_data.size:
        # Bytes of work buffers per model: X^T, Z and ten (n,) vectors.
        per_model = 8 * n * (2 * (d + 1) + 11)
        chunk = max(1, min(chunk_size, _CHUNK_BYTES // per_model, has_data.size))
        ws = _Workspace(chunk, n, d + 1)
        for start in range(0, has_data.size, chunk):
            rows = has_data[start : start + chunk]
            _fit_chunk(
                ws,
                X,
                y,
                sw,
                rows,
                lam,
                centre,
                beta0,
                max_iter,
                tol,
                beta,
                n_iter,
                converged,
                quad,
            )

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

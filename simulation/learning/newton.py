"""The batched Newton (IRLS) solver behind :func:`~.logistic.fit_logistic` (§4 learning).

How ``K`` independent L2-penalised logistic regressions are solved together, in numpy only:

* each Newton step forms the ``K`` Hessians with one batched ``matmul`` and
  solves the ``(K, d+1, d+1)`` stack with :func:`numpy.linalg.solve`;
* models are processed in chunks of at most ``chunk_size`` (and at most ~8 MB
  of work buffers) to keep the working set in cache; all large temporaries
  live in preallocated buffers (:class:`_Workspace`), because freshly
  ``mmap``-ed numpy temporaries page-fault on every use and cost more than
  the arithmetic here;
* a model stops updating (and costing work: converged models are compacted
  out of the chunk) as soon as its Newton step is below ``tol``;
* every step is safeguarded by step halving on the objective (plain Newton
  can diverge, e.g. when started at a distant prior).  This is cheap: the
  trial point's linear predictor and probabilities are the ones the next
  Newton step needs, so only the log-loss itself is extra.

The inputs arrive validated by :func:`~.logistic.fit_logistic`, which owns the
objective and its documentation.  No random numbers are used here.
"""

from __future__ import annotations

import numpy as np

__all__ = ["INTERCEPT_RIDGE", "solve"]

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


def solve(
    X: np.ndarray,
    y: np.ndarray,
    sw: np.ndarray,
    lam: np.ndarray,
    centre: np.ndarray,
    beta0: np.ndarray,
    max_iter: int,
    tol: float,
    chunk_size: int,
    beta: np.ndarray,
    n_iter: np.ndarray,
    converged: np.ndarray,
    quad: np.ndarray | None,
) -> None:
    """Fit every model with data, chunk by chunk; write into ``beta``, ``n_iter``, ``converged``.

    ``X`` is ``(K, n, d)``, ``y`` and ``sw`` ``(K, n)``, ``lam`` ``(K,)``, ``centre`` the
    ``(K, d)`` penalty centre, ``beta0`` the ``(K, d + 1)`` start (intercept last) and
    ``quad`` the optional ``(K, d, d)`` penalty; models whose weights are all zero are left
    as the caller set them.
    """
    n, d = X.shape[1], X.shape[2]
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
                    sub[0],
                    sub[1],
                    sub[2],
                    sub[3],
                    sub[4],
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

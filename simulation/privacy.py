"""Differentially private training of the batched logistic models.

Stages paper §2.3 (values, culture and regulation): "Differential privacy, the de facto
technique for privacy in ML, involves adding noise to the data or the model. This
disproportionately affects minority groups in the datasets ... too much noise is added to
their datapoints which leads to inaccurate or unfair predictions" (Bagdasaryan et al. 2019),
and the washing gap of DESIGN §3 (claimed versus effective ε): :func:`effective_epsilon` lets
an auditor recompute ε from the noise that was actually added.

Mechanism: **full-batch DP gradient descent** (noisy GD; Abadi et al. 2016 without
subsampling), batched over ``K`` models.  Each of ``T`` steps

1. computes every row's gradient ``g_i = s_i (p_i - y_i) [x_i, 1]`` (weights and intercept;
   ``s_i`` the row weight),
2. clips it to L2 norm ``clip``,
3. sums, adds Gaussian noise ``N(0, (sigma_mean * n)^2 I)`` to the sum and divides by the
   number ``n`` of valid rows: the noisy mean gradient has noise std ``sigma_mean`` per
   coordinate,
4. adds the (data-independent) ridge gradient ``l2 / n * w`` and takes a step of size
   ``learning_rate``.

Privacy accounting (add/remove-one adjacency).  The clipped sum has L2 sensitivity ``clip``,
so one step is a Gaussian mechanism with noise multiplier ``z = sigma_mean * n / clip`` and
satisfies ``rho_step = 1 / (2 z^2)``-zero-concentrated DP (Bun & Steinke 2016, Prop. 1.6).
zCDP composes additively: ``T`` steps give ``rho = T / (2 z^2) = T clip^2 / (2 n^2
sigma_mean^2)``.  ``rho``-zCDP implies ``(epsilon, delta)``-DP with
``epsilon = rho + 2 sqrt(rho log(1/delta))`` (ibid., Prop. 1.3); inverting,
``rho = (sqrt(log(1/delta) + epsilon) - sqrt(log(1/delta)))^2``.  This bound is slightly
loose (a tighter RDP conversion would allow ~10-20 % less noise) but simple, monotone and
exactly invertible, which is what a simulated auditor needs.  The number of rows ``n`` is
treated as public (standard for full-batch DP-GD), the step size and the initial point are
data-independent, and the returned model is post-processing of the noisy gradients.

Cost: ``T`` (``steps``, default 40) full-batch gradient evaluations of ``(K, n, d)`` work —
far fewer flops than a Newton fit's Hessians, but DP-GD does not reach the non-private
optimum in ``T`` steps even without noise; the accuracy lost to privacy therefore includes
the accuracy lost to clipping and early stopping, as it does in practice.

All randomness comes from the ``np.random.Generator`` passed in.
"""

from __future__ import annotations

import numpy as np

from hetsim.simulation.learning import FitResult, fit_logistic
from hetsim.simulation.schema import LearningSection

__all__ = [
    "DEFAULT_STEPS",
    "dp_fit_logistic",
    "effective_epsilon",
    "noise_for_epsilon",
    "rho_for_epsilon",
]

#: Default number of full-batch DP-GD steps.
DEFAULT_STEPS: int = 40


def rho_for_epsilon(epsilon: np.ndarray | float, delta: float) -> np.ndarray:
    """zCDP budget ``rho`` whose ``(epsilon, delta)`` conversion equals ``epsilon``.

    Args:
        epsilon: Target ε (``> 0``; ``inf`` gives ``inf``).
        delta: Target δ in ``(0, 1)``.

    Returns:
        ``rho = (sqrt(log(1/delta) + epsilon) - sqrt(log(1/delta)))^2`` as an array.
    """
    _check_delta(delta)
    eps = np.asarray(epsilon, dtype=np.float64)
    if np.any(~(eps > 0)):
        raise ValueError("epsilon must be > 0")
    L = np.log(1.0 / delta)
    with np.errstate(invalid="ignore"):
        root = np.sqrt(L + eps) - np.sqrt(L)
    return np.where(np.isinf(eps), np.inf, root * root)


def noise_for_epsilon(
    epsilon: np.ndarray | float, delta: float, steps: int, n: np.ndarray | int, clip: float = 1.0
) -> np.ndarray:
    """Noise std ``sigma_mean`` on the mean clipped gradient that spends exactly ``epsilon``.

    Inverts :func:`effective_epsilon`: ``sigma_mean = clip / n * sqrt(steps / (2 rho))``.

    Args:
        epsilon: Target ε, scalar or ``(K,)`` (``inf`` gives 0 noise).
        delta: Target δ.
        steps: Number of full-batch steps ``T``.
        n: Rows per model (public), scalar or ``(K,)``.
        clip: Per-example gradient norm bound.

    Returns:
        ``sigma_mean`` broadcast over the inputs.
    """
    rho = rho_for_epsilon(epsilon, delta)
    nn = np.maximum(np.asarray(n, dtype=np.float64), 1.0)
    with np.errstate(divide="ignore"):
        z = np.sqrt(steps / (2.0 * rho))  # noise multiplier on the sum; 0 when rho = inf
    return clip * z / nn


def effective_epsilon(
    noise_multiplier: np.ndarray | float,
    steps: int,
    n: np.ndarray | int,
    delta: float,
) -> np.ndarray:
    """ε actually spent by ``steps`` full-batch DP-GD steps with the given noise.

    The auditor's function: from the noise that was really added (not the ε that was
    claimed) it recomputes the guarantee, so privacy washing shows up as a gap.

    Args:
        noise_multiplier: ``sigma_mean / clip``: std of the Gaussian noise on the *mean*
            clipped gradient in units of the clipping norm, scalar or ``(K,)``.  The noise
            multiplier on the sum (the usual ``z`` of DP-SGD) is ``noise_multiplier * n``.
        steps: Number of full-batch steps ``T``.
        n: Rows per model, scalar or ``(K,)``.
        delta: δ of the guarantee.

    Returns:
        ``epsilon = rho + 2 sqrt(rho log(1/delta))`` with
        ``rho = steps / (2 (noise_multiplier * n)^2)``; ``inf`` for zero noise.  Strictly
        decreasing in the noise and increasing in ``steps``.
    """
    _check_delta(delta)
    nm = np.asarray(noise_multiplier, dtype=np.float64)
    if np.any(nm < 0):
        raise ValueError("noise_multiplier must be >= 0")
    z = nm * np.asarray(n, dtype=np.float64)
    with np.errstate(divide="ignore"):
        rho = steps / (2.0 * z * z)
    return rho + 2.0 * np.sqrt(rho * np.log(1.0 / delta))


def _check_delta(delta: float) -> None:
    if not 0.0 < delta < 1.0:
        raise ValueError("delta must lie in (0, 1)")


def dp_fit_logistic(
    X: np.ndarray,
    y: np.ndarray,
    epsilon: float | np.ndarray,
    delta: float,
    rng: np.random.Generator,
    clip: float = 1.0,
    epochs: int = DEFAULT_STEPS,
    l2: float = 1.0,
    sample_weight: np.ndarray | None = None,
    coef_init: np.ndarray | None = None,
    learning_rate: float = 1.0,
    noise_factor: float | np.ndarray = 1.0,
) -> tuple[FitResult, np.ndarray]:
    """Fit ``K`` logistic models with full-batch DP gradient descent.

    Minimises the mean log-loss plus ``0.5 * l2 / n * ||w||^2`` (the objective of
    :func:`~simulation.learning.fit_logistic` divided by ``n``) with ``epochs`` noisy,
    clipped gradient steps; see the module docstring for the mechanism and its accounting.
    Models whose ``epsilon`` is ``inf`` are fitted without noise by
    :func:`~simulation.learning.fit_logistic` (exact Newton, no clipping).

    Args:
        X: ``(K, n, d)`` features.
        y: ``(K, n)`` labels in ``[0, 1]``.
        epsilon: Claimed ε, scalar or ``(K,)``, ``> 0`` (``inf``: no privacy).
        delta: δ of the guarantee, in ``(0, 1)`` (e.g. ``1 / n^1.1``).
        rng: Source of the Gaussian noise.
        clip: Per-example gradient L2 bound.
        epochs: Number of full-batch steps ``T`` (each a pass over the data).
        l2: Ridge strength, as in ``fit_logistic``.
        sample_weight: ``(K, n)`` row weights; 0 masks padding.  A row's weight scales its
            gradient before clipping, so the sensitivity stays ``clip``.
        coef_init: ``(K, d)`` data-independent starting weights (default 0).
        learning_rate: Step size on the mean objective.
        noise_factor: Fraction of the calibrated noise actually added, scalar or ``(K,)``.
            1 is honest; < 1 models privacy washing (claim ε, add less noise) and the
            returned ``epsilon_spent`` then exceeds the claim.

    Returns:
        ``(fit, epsilon_spent)``: a :class:`~simulation.learning.FitResult` (``n_iter`` =
        steps taken, ``converged`` False for noisy models, which stop after ``epochs``
        steps by design) and the ``(K,)`` ε actually spent (``inf`` without noise).
    """
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 3:
        raise ValueError(f"X must have shape (K, n, d), got {X.shape}")
    K, n, d = X.shape
    y = np.asarray(y, dtype=np.float64)
    if y.shape != (K, n):
        raise ValueError(f"y must have shape {(K, n)}, got {y.shape}")
    sw = np.ones((K, n)) if sample_weight is None else np.asarray(sample_weight, np.float64)
    if sw.shape != (K, n) or np.any(sw < 0):
        raise ValueError("sample_weight must be (K, n) and >= 0")
    if clip <= 0 or epochs < 1:
        raise ValueError("clip must be > 0 and epochs >= 1")
    eps = np.broadcast_to(np.asarray(epsilon, dtype=np.float64), (K,)).copy()
    factor = np.broadcast_to(np.asarray(noise_factor, dtype=np.float64), (K,))
    if np.any(factor < 0):
        raise ValueError("noise_factor must be >= 0")
    n_valid = (sw > 0).sum(axis=1).astype(np.float64)
    private = np.isfinite(eps)
    coef = np.zeros((K, d)) if coef_init is None else np.array(coef_init, dtype=np.float64)
    intercept = np.zeros(K)
    n_iter = np.zeros(K, dtype=np.int64)
    converged = np.zeros(K, dtype=bool)
    spent = np.full(K, np.inf)

    if np.any(~private):
        idx = np.flatnonzero(~private)
        ref = fit_logistic(
            X[idx],
            y[idx],
            sample_weight=sw[idx],
            l2=l2,
            coef_init=None if coef_init is None else coef[idx],
        )
        coef[idx], intercept[idx] = ref.coef, ref.intercept
        n_iter[idx], converged[idx] = ref.n_iter, ref.converged

    idx = np.flatnonzero(private)
    if idx.size:
        sigma = noise_for_epsilon(eps[idx], delta, epochs, n_valid[idx], clip) * factor[idx]
        spent[idx] = effective_epsilon(sigma / clip, epochs, n_valid[idx], delta)
        Xp = np.concatenate([X[idx], np.ones((idx.size, n, 1))], axis=2)  # (m, n, d+1)
        norms = np.linalg.norm(Xp, axis=2)  # (m, n): ||[x, 1]||
        yp, swp = y[idx], sw[idx]
        beta = np.concatenate([coef[idx], intercept[idx, None]], axis=1)
        inv_n = 1.0 / np.maximum(n_valid[idx], 1.0)
        ridge = np.full(d + 1, l2)
        ridge[d] = 0.0
        for _ in range(epochs):
            eta = np.einsum("knd,kd->kn", Xp, beta)
            resid = swp * (1.0 / (1.0 + np.exp(-eta)) - yp)  # per-row gradient = resid * x
            gnorm = np.abs(resid) * norms
            scale = np.minimum(1.0, clip / np.maximum(gnorm, 1e-300))
            g_sum = np.einsum("kn,knd->kd", resid * scale, Xp)
            g_sum += (sigma * n_valid[idx])[:, None] * rng.standard_normal((idx.size, d + 1))
            grad = g_sum * inv_n[:, None] + ridge * beta * inv_n[:, None]
            beta -= learning_rate * grad
        coef[idx], intercept[idx] = beta[:, :d], beta[:, d]
        n_iter[idx] = epochs
        converged[idx] = sigma == 0.0

    fit = FitResult(coef=coef, intercept=intercept, n_iter=n_iter, converged=converged)
    return fit, spent


def dp_fit_scenario(
    learning: LearningSection,
    X: np.ndarray,
    y: np.ndarray,
    epsilon: float,
    rng: np.random.Generator,
    sample_weight: np.ndarray,
    coef_init: np.ndarray | None = None,
) -> FitResult:
    """:func:`dp_fit_logistic` with the scenario's δ, clipping norm, steps and ridge."""
    fit, _ = dp_fit_logistic(
        X,
        y.astype(float),
        epsilon,
        learning.dp_delta,
        rng,
        clip=learning.dp_clip,
        epochs=learning.dp_iterations,
        l2=learning.l2,
        sample_weight=sample_weight,
        coef_init=coef_init,
    )
    return fit

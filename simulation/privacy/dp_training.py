"""Differentially private training of the batched logistic models (DP-GD / DP-SGD).

Stages paper §2.3 (values, culture and regulation): "Differential privacy, the de facto
technique for privacy in ML, involves adding noise to the data or the model. This
disproportionately affects minority groups in the datasets ... too much noise is added to
their datapoints which leads to inaccurate or unfair predictions" (Bagdasaryan et al. 2019).

Mechanism: the DP-SGD of Abadi et al. (2016), batched over ``K`` models.  Each of ``T`` steps

1. takes a Poisson sample of the valid rows at rate ``q`` (``q = 1``: every row, full-batch
   DP-GD, the default),
2. computes every sampled row's gradient ``g_i = s_i (p_i - y_i) [x_i, 1]`` (weights and
   intercept; ``s_i`` the row weight) and clips it to L2 norm ``clip``,
3. sums, adds Gaussian noise ``N(0, (z clip)^2 I)`` to the sum and divides by the expected
   batch size ``q n`` (``n``, the number of valid rows, is treated as public, as in Abadi et al.),
4. adds the (data-independent) ridge gradient ``l2 / n * w`` and takes a step of size
   ``learning_rate``.

The noise multiplier ``z`` for a target ``(epsilon, delta)`` over the ``T`` planned steps is
calibrated with the RDP accountant of ``dp-accounting``
(:func:`~simulation.privacy.accounting.noise_multiplier_for`); with ``q = 1`` it does not depend
on ``n``.  The step size and the initial point are data-independent (a warm start from a previous
release is post-processing of that release, whose ε the holder has already spent), and the
returned model is post-processing of the noisy gradients.

Cost: ``T`` (``learning.dp_iterations``) gradient evaluations of ``(K, n, d)`` work; DP-GD does
not reach the non-private optimum in ``T`` steps even without noise, so the accuracy lost to
privacy includes the accuracy lost to clipping and early stopping, as it does in practice.

All randomness comes from the ``np.random.Generator`` passed in.
"""

from __future__ import annotations

import numpy as np

from hetsim.simulation.learning import FitResult, fit_logistic
from hetsim.simulation.privacy.accounting import DpTraining, epsilon_of, noise_multiplier_for
from hetsim.simulation.schema import LearningSection

__all__ = [
    "DEFAULT_STEPS",
    "dp_fit_logistic",
    "dp_fit_scenario",
    "epsilon_of_release",
]

#: Default number of DP-GD steps.
DEFAULT_STEPS: int = 40


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
    sampling_rate: float = 1.0,
) -> tuple[FitResult, list[DpTraining | None]]:
    """Fit ``K`` logistic models with DP-SGD (full-batch DP-GD when ``sampling_rate`` is 1).

    Minimises the mean log-loss plus ``0.5 * l2 / n * ||w||^2`` (the objective of
    :func:`~simulation.learning.logistic.fit_logistic` divided by ``n``) with ``epochs`` noisy,
    clipped gradient steps; see the module docstring for the mechanism.  Models whose
    ``epsilon`` is ``inf`` are fitted without noise by
    :func:`~simulation.learning.logistic.fit_logistic`
    (exact Newton, no clipping).

    Args:
        X: ``(K, n, d)`` features.
        y: ``(K, n)`` labels in ``[0, 1]``.
        epsilon: Target ε of one training, scalar or ``(K,)``, ``> 0`` (``inf``: no privacy).
        delta: δ of the guarantee, in ``(0, 1)``.
        rng: Source of the sampling and of the Gaussian noise.
        clip: Per-example gradient L2 bound.
        epochs: Number of noisy gradient steps ``T``.
        l2: Ridge strength, as in ``fit_logistic``.
        sample_weight: ``(K, n)`` row weights; 0 masks padding.  A row's weight scales its
            gradient before clipping, so the sensitivity stays ``clip``.
        coef_init: ``(K, d)`` starting weights (default 0).
        learning_rate: Step size on the mean objective.
        noise_factor: Fraction of the calibrated noise actually added, scalar or ``(K,)``.
            1 is honest; < 1 stages privacy washing (claim ε, add less noise).
        sampling_rate: Poisson sampling rate ``q`` of each step, in ``(0, 1]``.

    Returns:
        ``(fit, trainings)``: a :class:`~simulation.learning.logistic.FitResult` (``n_iter`` = steps
        taken, ``converged`` False for noisy models, which stop after ``epochs`` steps by
        design) and, per model, the :class:`~simulation.privacy.accounting.DpTraining` really
        run (its actual noise multiplier), or ``None`` for a fit without noise.
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
    trainings: list[DpTraining | None] = [None] * K

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
        z = (
            np.array(
                [noise_multiplier_for(float(e), delta, epochs, sampling_rate) for e in eps[idx]]
            )
            * factor[idx]
        )
        for k, zk in zip(idx, z, strict=True):
            trainings[k] = DpTraining(float(zk), epochs, sampling_rate) if zk > 0 else None
        Xp = np.concatenate([X[idx], np.ones((idx.size, n, 1))], axis=2)  # (m, n, d+1)
        norms = np.linalg.norm(Xp, axis=2)  # (m, n): ||[x, 1]||
        yp, swp = y[idx], sw[idx]
        beta = np.concatenate([coef[idx], intercept[idx, None]], axis=1)
        batch = sampling_rate * np.maximum(n_valid[idx], 1.0)  # expected batch size
        noise_std = (z * clip)[:, None]  # on the clipped sum
        inv_n = 1.0 / np.maximum(n_valid[idx], 1.0)
        ridge = np.full(d + 1, l2)
        ridge[d] = 0.0
        for _ in range(epochs):
            eta = np.einsum("knd,kd->kn", Xp, beta)
            resid = swp * (1.0 / (1.0 + np.exp(-eta)) - yp)  # per-row gradient = resid * x
            gnorm = np.abs(resid) * norms
            scale = np.minimum(1.0, clip / np.maximum(gnorm, 1e-300))
            if sampling_rate < 1.0:
                scale = scale * (rng.random(scale.shape) < sampling_rate)
            g_sum = np.einsum("kn,knd->kd", resid * scale, Xp)
            g_sum += noise_std * rng.standard_normal((idx.size, d + 1))
            grad = g_sum / batch[:, None] + ridge * beta * inv_n[:, None]
            beta -= learning_rate * grad
        coef[idx], intercept[idx] = beta[:, :d], beta[:, d]
        n_iter[idx] = epochs
        converged[idx] = z == 0.0

    fit = FitResult(coef=coef, intercept=intercept, n_iter=n_iter, converged=converged)
    return fit, trainings


def epsilon_of_release(training: DpTraining | None, delta: float) -> float:
    """ε at ``delta`` that one release really spent (``inf`` without noise)."""
    return float("inf") if training is None else epsilon_of(((training, 1),), delta)


def dp_fit_scenario(
    learning: LearningSection,
    X: np.ndarray,
    y: np.ndarray,
    epsilon: float,
    rng: np.random.Generator,
    sample_weight: np.ndarray,
    coef_init: np.ndarray | None = None,
) -> tuple[FitResult, DpTraining | None]:
    """:func:`dp_fit_logistic` with the scenario's δ, clipping, sampling, steps and ridge.

    Returns the fit and the one :class:`DpTraining` all its models ran (for the ledgers).
    """
    fit, trainings = dp_fit_logistic(
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
        sampling_rate=learning.dp_sampling_rate,
    )
    return fit, trainings[0] if trainings else None

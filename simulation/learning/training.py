"""The model's training service: every fit requested in a phase runs in one batched solve.

Agents submit what they want trained (their data, sample weights, warm start, prior); the
service pads and stacks requests of the same feature width and fits them together with the
batched Newton solver of :mod:`simulation.learning.logistic`, then charges the floating-point work
as
energy (§2.2: training costs compute and energy).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from hetsim.simulation.learning.logistic import FitResult, fit_logistic, training_flops


@dataclass
class FitRequest:
    """One stack of k models to fit on (k, n, d) data."""

    X: np.ndarray
    y: np.ndarray
    weight: np.ndarray
    prior: np.ndarray | None
    coef_init: np.ndarray | None
    intercept_init: np.ndarray | None
    l2: float
    quadratic: np.ndarray | None = None


@dataclass
class TrainedModels:
    """Result of a request: coefficients, intercepts and the work each fit took."""

    coef: np.ndarray  # (k, d)
    intercept: np.ndarray  # (k,)
    flops: np.ndarray  # (k,)
    n_iter: np.ndarray  # (k,)


class TrainingService:
    """Collects fit requests during the training phase and runs them in bulk."""

    def __init__(self, l2: float, max_iter: int, warm_start: bool, kwh_per_gflop: float):
        self.l2 = l2
        self.max_iter = max_iter
        self.warm_start = warm_start
        self.kwh_per_gflop = kwh_per_gflop
        self._requests: list[FitRequest] = []
        self._results: dict[int, TrainedModels] = {}
        self._callbacks: list[tuple[int, Callable[..., None], tuple[Any, ...]]] = []
        self.fits = 0  # models fitted this step
        self.gflop = 0.0  # work done this step

    def start_step(self) -> None:
        """Forget last step's requests, results and work."""
        self._requests.clear()
        self._results.clear()
        self._callbacks.clear()
        self.fits = 0
        self.gflop = 0.0

    def submit(
        self,
        X: np.ndarray,
        y: np.ndarray,
        weight: np.ndarray | None = None,
        prior: np.ndarray | None = None,
        coef_init: np.ndarray | None = None,
        intercept_init: np.ndarray | None = None,
        l2: float | None = None,
        quadratic: np.ndarray | None = None,
    ) -> int:
        """Queue a stack of fits; return a ticket to collect the result after :meth:`run`."""
        if weight is None:
            weight = np.ones(y.shape)
        if not self.warm_start:
            coef_init = intercept_init = None
        self._requests.append(
            FitRequest(X, y, weight, prior, coef_init, intercept_init, l2 or self.l2, quadratic)
        )
        return len(self._requests) - 1

    def on_done(self, ticket: int, callback: Callable[..., None], *args: Any) -> None:
        """Call ``callback(result, *args)`` once the ticket's models are trained."""
        self._callbacks.append((ticket, callback, args))

    def run(self) -> None:
        """Fit every queued request; singletons of equal width are padded and stacked."""
        singles: dict[tuple[int, float], list[int]] = {}
        for ticket, req in enumerate(self._requests):
            if req.X.shape[0] == 1 and req.quadratic is None:
                singles.setdefault((req.X.shape[2], req.l2), []).append(ticket)
            else:
                self._results[ticket] = self._fit(req)
        for tickets in singles.values():
            reqs = [self._requests[t] for t in tickets]
            stacked = _stack(reqs)
            result = self._fit(stacked)
            for i, t in enumerate(tickets):
                self._results[t] = TrainedModels(
                    result.coef[i : i + 1],
                    result.intercept[i : i + 1],
                    result.flops[i : i + 1],
                    result.n_iter[i : i + 1],
                )
        callbacks, self._callbacks = self._callbacks, []
        for ticket, callback, args in callbacks:
            callback(self._results[ticket], *args)
        self._requests.clear()

    def charge(self, models: int, rows: int, features: int, n_iter) -> None:
        """Account for fits run outside the service (DP, FedAvg, transfer) as work done."""
        flops = training_flops(rows, features, np.broadcast_to(n_iter, (models,)))
        self.fits += models
        self.gflop += float(np.sum(flops)) / 1e9

    def charge_inference(self, flops: float) -> None:
        """Account for the work of models deciding (deployment and piloting)."""
        self.gflop += flops / 1e9

    def charge_flops(self, models: int, flops: float) -> None:
        """Account for fits of other model shapes (e.g. split networks) by their work."""
        self.fits += models
        self.gflop += flops / 1e9

    def result(self, ticket: int) -> TrainedModels:
        """The trained models of a ticket (after :meth:`run`)."""
        return self._results[ticket]

    @property
    def energy_kwh(self) -> float:
        """Energy of this step's fits."""
        return self.gflop * self.kwh_per_gflop

    def energy_of(self, flops: np.ndarray) -> np.ndarray:
        """Energy in kWh of fits that took ``flops`` floating-point operations."""
        return np.asarray(flops) / 1e9 * self.kwh_per_gflop

    def _fit(self, req: FitRequest) -> TrainedModels:
        k, _, d = req.X.shape
        if k == 0:
            return TrainedModels(np.zeros((0, d)), np.zeros(0), np.zeros(0), np.zeros(0))
        fit: FitResult = fit_logistic(
            req.X,
            req.y,
            sample_weight=req.weight,
            l2=req.l2,
            prior=req.prior,
            coef_init=req.coef_init,
            intercept_init=req.intercept_init,
            max_iter=self.max_iter,
            quadratic=req.quadratic,
        )
        used = (req.weight > 0).sum(axis=1)
        flops = np.where(used > 0, training_flops(used, d, fit.n_iter), 0.0)
        self.fits += int((used > 0).sum())
        self.gflop += float(flops.sum()) / 1e9
        return TrainedModels(fit.coef, fit.intercept, flops, fit.n_iter)


def _stack(reqs: list[FitRequest]) -> FitRequest:
    """Pad single-model requests to a common number of rows and stack them."""
    n = max(r.X.shape[1] for r in reqs)
    d = reqs[0].X.shape[2]
    k = len(reqs)
    X = np.zeros((k, n, d))
    y = np.zeros((k, n))
    w = np.zeros((k, n))
    prior = np.zeros((k, d))
    coef = np.zeros((k, d))
    intercept = np.zeros(k)
    warm = all(r.coef_init is not None for r in reqs)
    for i, r in enumerate(reqs):
        m = r.X.shape[1]
        X[i, :m], y[i, :m], w[i, :m] = r.X[0], r.y[0], r.weight[0]
        if r.prior is not None:
            prior[i] = r.prior[0]
        if warm and r.coef_init is not None:
            coef[i] = r.coef_init[0]
            intercept[i] = r.intercept_init[0] if r.intercept_init is not None else 0.0
    has_prior = any(r.prior is not None for r in reqs)
    return FitRequest(
        X,
        y,
        w,
        prior if has_prior else None,
        coef if warm else None,
        intercept if warm else None,
        reqs[0].l2,
    )

"""Benchmark: batched Newton trainer vs a scikit-learn lbfgs loop.

Run from the repository root::

    python benchmarks/bench_trainer.py

Everything runs single-threaded (``threadpool_limits(1)``) in one process so
the numbers are comparable side by side.  For each shape and ``K`` it times

* ``sklearn``: a Python loop of ``LogisticRegression(C=1/l2).fit`` (lbfgs,
  default tolerance 1e-4, i.e. a looser stop than ours),
* ``cold``: :func:`simulation.learning.logistic.fit_logistic` from zero (tol 1e-8),
* ``warm``: ``fit_logistic`` warm-started from the fit on the previous
  "simulation step" (a fresh sample from the same generating models), which
  is how the simulation uses it,

and prints the median over a few repeats as µs per model, plus speed-ups, as a
markdown table.  No assertions: timing is informational.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from statistics import median

import numpy as np
from sklearn.linear_model import LogisticRegression
from threadpoolctl import threadpool_limits

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from hetsim.simulation.learning.logistic import fit_logistic

L2 = 1.0
SHAPES = ((300, 6), (500, 10))
KS = (10, 100, 1000)
REPEATS = 5


def make_data(
    rng: np.random.Generator, w: np.ndarray, b: np.ndarray, n: int
) -> tuple[np.ndarray, np.ndarray]:
    """One sample of size n from each of the K generating logistic models."""
    K, d = w.shape
    X = rng.normal(size=(K, n, d))
    eta = np.einsum("knd,kd->kn", X, w) + b[:, None]
    y = (rng.random((K, n)) < 1.0 / (1.0 + np.exp(-eta))).astype(float)
    # Guarantee two classes per model (sklearn refuses a single class).
    y[:, 0], y[:, 1] = 0.0, 1.0
    return X, y


def time_it(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return median(times)


def sklearn_loop(X: np.ndarray, y: np.ndarray) -> None:
    for k in range(X.shape[0]):
        LogisticRegression(C=1.0 / L2).fit(X[k], y[k])


def main() -> None:
    rng = np.random.default_rng(20240601)
    rows = []
    t_start = time.perf_counter()
    with threadpool_limits(1):
        for n, d in SHAPES:
            for K in KS:
                w = rng.normal(size=(K, d))
                b = rng.normal(size=K)
                X_prev, y_prev = make_data(rng, w, b, n)
                X, y = make_data(rng, w, b, n)
                prev = fit_logistic(X_prev, y_prev, l2=L2)

                t_sk = time_it(lambda X=X, y=y: sklearn_loop(X, y), REPEATS)
                t_cold = time_it(lambda X=X, y=y: fit_logistic(X, y, l2=L2), REPEATS)
                t_warm = time_it(
                    lambda X=X, y=y, prev=prev: fit_logistic(
                        X, y, l2=L2, coef_init=prev.coef, intercept_init=prev.intercept
                    ),
                    REPEATS,
                )
                cold = fit_logistic(X, y, l2=L2)
                warm = fit_logistic(X, y, l2=L2, coef_init=prev.coef, intercept_init=prev.intercept)
                rows.append(
                    (
                        K,
                        n,
                        d,
                        1e6 * t_sk / K,
                        1e6 * t_cold / K,
                        1e6 * t_warm / K,
                        float(np.median(cold.n_iter)),
                        float(np.median(warm.n_iter)),
                    )
                )
    elapsed = time.perf_counter() - t_start

    print(f"L2 logistic regression, single thread, median of {REPEATS}, l2={L2}\n")
    print(
        "| K | n | d | sklearn lbfgs µs/model | cold µs/model | warm µs/model "
        "| speed-up cold | speed-up warm | Newton iters cold / warm |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for K, n, d, sk, cold_us, warm_us, it_c, it_w in rows:
        print(
            f"| {K} | {n} | {d} | {sk:.0f} | {cold_us:.0f} | {warm_us:.0f} "
            f"| {sk / cold_us:.1f}x | {sk / warm_us:.1f}x | {it_c:.0f} / {it_w:.0f} |"
        )
    print(f"\ntotal benchmark time: {elapsed:.1f} s")


if __name__ == "__main__":
    main()

"""Approximate Bayesian computation by sequential Monte Carlo (pyabc's ABC-SMC).

The prior is uniform on each calibrated key's range; a parameter set's distance to the field
is the Euclidean norm of its fit targets' distances, each in units of half the target's
tolerance (:meth:`Target.distance`). ABC-SMC (Toni et al. 2009, as implemented by pyabc,
Schälte et al. 2022) shrinks the acceptance threshold generation by generation until the
budget of simulations is spent. Parameter sets are evaluated on hetsim's worker processes (one
BLAS thread each, :func:`hetsim.analysis.workers.limit_threads`) through pyabc's
``ConcurrentFutureSampler``; the history lives in an SQLite file, so a run interrupted or
ended by its budget continues with ``resume``.
"""

from __future__ import annotations

import logging
import math
import multiprocessing
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from hetsim.analysis.calibration.targets import Prior, Target
from hetsim.simulation.schema import ScenarioError

MISSING_PENALTY = 10.0
"""Distance of a target whose measure is undefined in a run (NaN): far outside tolerance."""


@dataclass(frozen=True)
class FitDistance:
    """Euclidean norm of the fit targets' distances (NaN measures count MISSING_PENALTY)."""

    targets: tuple[Target, ...]

    def __call__(self, simulated: Mapping[str, float], observed: Mapping[str, float]) -> float:
        """The distance pyabc compares with its threshold (``observed`` is fixed by the file)."""
        total = 0.0
        for target in self.targets:
            d = target.distance(float(simulated[target.name]))
            total += (MISSING_PENALTY if math.isnan(d) else d) ** 2
        return math.sqrt(total)


@dataclass
class Posterior:
    """The last generation's weighted particles and what the calibration did to get there."""

    particles: pd.DataFrame  # one column per calibrated key
    weights: np.ndarray
    populations: pd.DataFrame  # per generation: t, epsilon, samples (pyabc's table)
    evaluations: int

    def quantile(self, key: str, q: float) -> float:
        """Weighted quantile ``q`` of a calibrated key."""
        values = self.particles[key].to_numpy(dtype=float)
        order = np.argsort(values, kind="stable")
        cumulative = np.cumsum(self.weights[order]) / self.weights.sum()
        return float(values[order][min(np.searchsorted(cumulative, q), len(values) - 1)])

    def median(self) -> dict[str, float]:
        """The point estimate: each key's weighted posterior median."""
        return {key: self.quantile(key, 0.5) for key in self.particles.columns}

    def draws(self, n: int, seed: int) -> pd.DataFrame:
        """``n`` parameter sets drawn from the posterior by weight."""
        rng = np.random.default_rng(seed)
        pick = rng.choice(len(self.weights), size=n, p=self.weights / self.weights.sum())
        return self.particles.iloc[pick].reset_index(drop=True)


def worker_pool(workers: int):
    """hetsim's worker processes (one BLAS thread each) as a concurrent.futures executor."""
    if workers <= 1:
        return None
    from concurrent.futures import ProcessPoolExecutor

    from hetsim.analysis.workers import limit_threads

    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("forkserver"),
        initializer=limit_threads,
        initargs=(os.getpid(),),
    )


def make_sampler(workers: int):
    """pyabc's sampler and its pool: in this process, or on hetsim's worker processes."""
    import pyabc

    pool = worker_pool(workers)
    if pool is None:
        return pyabc.SingleCoreSampler(), None
    return pyabc.ConcurrentFutureSampler(cfuture_executor=pool, client_max_jobs=workers), pool


def run_smc(
    simulate: Callable[[Mapping[str, float]], dict[str, float]],
    fit: Sequence[Target],
    priors: Sequence[Prior],
    *,
    db: Path,
    budget: int,
    population: int,
    generations: int = 100,
    workers: int = 1,
    resume: bool = False,
    sample_seed: int = 0,
    max_minutes: float | None = None,
    quiet: bool = True,
) -> Posterior:
    """Run (or continue) ABC-SMC until ``budget`` simulations or ``max_minutes`` (both checked
    between generations); the last generation's posterior."""
    import pyabc

    logging.getLogger("ABC").setLevel(logging.WARNING if quiet else logging.INFO)
    logging.getLogger("pyabc").setLevel(logging.WARNING if quiet else logging.INFO)
    prior = pyabc.Distribution(
        **{p.key: pyabc.RV("uniform", p.low, p.high - p.low) for p in priors}
    )
    observed = {t.name: t.value for t in fit}
    np.random.seed(sample_seed)  # pyabc draws particles from numpy's global generator
    sampler, pool = make_sampler(workers)
    try:
        abc = pyabc.ABCSMC(
            simulate, prior, FitDistance(tuple(fit)), population_size=population, sampler=sampler
        )
        url = f"sqlite:///{Path(db).resolve()}"
        if resume and Path(db).is_file():
            history = abc.load(url, 1)
        elif Path(db).is_file():
            raise ScenarioError(
                f"{db}: a calibration is stored there; continue it with --resume or give "
                "another --out folder"
            )
        else:
            history = abc.new(url, observed)
        if history.n_populations == 0 or history.total_nr_simulations < budget:
            history = abc.run(
                max_nr_populations=generations,
                max_total_nr_simulations=budget,
                min_acceptance_rate=0.005,
                max_walltime=None if max_minutes is None else timedelta(minutes=max_minutes),
            )
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
    particles, weights = history.get_distribution(m=0, t=history.max_t)
    particles = particles[[p.key for p in priors]].reset_index(drop=True)
    return Posterior(
        particles=particles,
        weights=np.asarray(weights, dtype=float),
        populations=history.get_all_populations(),
        evaluations=int(history.total_nr_simulations),
    )

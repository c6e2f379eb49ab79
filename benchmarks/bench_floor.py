"""The floor of a step: time inside the batched kernels, and the trainer's arithmetic rate.

A step of hetsim is a few dozen array kernels (fits, draws, inference, group rates and gaps,
post-processing thresholds, the resampling and figures of reports and audits) tied together
by the roles' turns, the economy, the ledger and the recorder. This benchmark says how much of
a step each part takes, so that what a faster step must cut is named by measurement:

* every kernel below is wrapped with a timer (at each module that imported it) and its
  *exclusive* time is summed, so nested kernels are not counted twice (a report's group rates
  count as group rates, not as report); what no kernel claims is "orchestration";
* the fits' floating-point work is the model's own charge (``training_flops``: the Hessian
  accumulation and the solve, per Newton step) over the time inside the solver: the trainer's
  GFLOP/s, printed beside a stacked small matmul of the same shape as the Hessian product
  (``(K, d+2, n) @ (K, n, d+1)``, K models of n rows) timed in the same process, which is what
  the arithmetic alone could reach;
* it also prints Newton iterations per fit and ns per row-iteration (a fit's cost per training
  row per Newton step): the unit the trainer's floor is counted in.

One process, one BLAS thread; sizes run one after the other:

    .venv/bin/python benchmarks/bench_floor.py [--sizes 40,1000] [--steps 30] [--warmup 3]
"""

from __future__ import annotations

import argparse
import importlib
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from threadpoolctl import threadpool_limits

from hetsim.scenarios.builder import build_model, load_scenario
from hetsim.simulation import population as population_module
from hetsim.simulation.fairness import post_processing
from hetsim.simulation.learning import capacity, logistic, newton
from hetsim.simulation.measures import audit_sampling
from hetsim.simulation.state import N_FEATURES as N_FIT_FEATURES

group_rates = importlib.import_module("hetsim.simulation.measures.group_rates")

#: kernel -> the functions (module, name) whose calls it counts
KERNELS: dict[str, list[tuple[object, str]]] = {
    "fits (Newton solve)": [(newton, "solve")],
    "fit set-up (checks, stacking)": [(logistic, "fit_logistic")],
    "population draws": [(population_module.Population, "draw")],
    "inference (feature map, scores)": [
        (capacity, "feature_map"),
        (capacity, "decision_scores"),
        (capacity, "decision_scores_many"),
    ],
    "group rates and gaps": [
        (group_rates, "group_rates"),
        (group_rates, "confusion_counts"),
        (group_rates, "rates_from_counts"),
        (group_rates, "fairness_gap"),
    ],
    "thresholds (post-processing)": [
        (post_processing, "threshold_policy"),
        (post_processing, "decide"),
    ],
    "reports and audits (resampling, figures)": [
        (audit_sampling, "evaluate_many"),
        (audit_sampling, "resample"),
        (audit_sampling, "figures_from"),
    ],
}


class Clock:
    """Exclusive time per kernel: entering a kernel pauses the one that called it."""

    def __init__(self, now: Callable[[], float] = time.perf_counter) -> None:
        self.now = now
        self.spent: dict[str, float] = defaultdict(float)
        self.calls: dict[str, int] = defaultdict(int)
        self._stack: list[list] = []  # [kernel, started]

    def wrap(self, kernel: str, fn: Callable) -> Callable:
        def timed(*args, **kwargs):
            now = self.now()
            if self._stack:
                outer = self._stack[-1]
                self.spent[outer[0]] += now - outer[1]
            frame = [kernel, now]
            self._stack.append(frame)
            try:
                return fn(*args, **kwargs)
            finally:
                end = self.now()
                self.spent[kernel] += end - frame[1]
                self.calls[kernel] += 1
                self._stack.pop()
                if self._stack:
                    self._stack[-1][1] = end

        timed.__wrapped__ = fn  # type: ignore[attr-defined]
        return timed

    def reset(self) -> None:
        self.spent.clear()
        self.calls.clear()


def replace_everywhere(owner: object, name: str, replacement: Callable) -> Callable[[], None]:
    """Put ``replacement`` where ``owner.name`` is defined and wherever a hetsim module imported
    it by name; return the function that puts the original back."""
    original = getattr(owner, name)
    undo: list[tuple[object, str, object]] = [(owner, name, original)]
    setattr(owner, name, replacement)
    for module in list(sys.modules.values()):
        if not getattr(module, "__name__", "").startswith("hetsim"):
            continue
        for attr, value in list(vars(module).items()):
            if value is original:
                undo.append((module, attr, value))
                setattr(module, attr, replacement)

    def restore() -> None:
        for where, attr, value in reversed(undo):
            setattr(where, attr, value)

    return restore


def install(clock: Clock, work: FitWork) -> Callable[[], None]:
    """Count the solver's work, then time every kernel; return the function that undoes both."""
    undo = [replace_everywhere(newton, "solve", work.wrap(newton.solve))]
    for kernel, targets in KERNELS.items():
        for owner, name in targets:
            undo.append(replace_everywhere(owner, name, clock.wrap(kernel, getattr(owner, name))))

    def restore() -> None:
        for step in reversed(undo):
            step()

    return restore


class FitWork:
    """Floating-point work and row-iterations of every solve, as the model charges them."""

    def __init__(self) -> None:
        self.flops = 0.0
        self.row_iterations = 0.0
        self.fits = 0
        self.iterations = 0

    def wrap(self, solve: Callable) -> Callable:
        def counted(X, y, sw, lam, centre, beta0, max_iter, tol, chunk, beta, n_iter, conv, quad):
            solve(X, y, sw, lam, centre, beta0, max_iter, tol, chunk, beta, n_iter, conv, quad)
            rows = (sw > 0).sum(axis=1)
            fitted = rows > 0
            self.flops += float(logistic.training_flops(rows, X.shape[2], n_iter)[fitted].sum())
            self.row_iterations += float((X.shape[1] * n_iter)[fitted].sum())
            self.fits += int(fitted.sum())
            self.iterations += int(n_iter[fitted].sum())

        return counted


def stacked_matmul_gflops(k: int, n: int, d: int, seconds: float = 0.5) -> float:
    """GFLOP/s of ``(k, d+2, n) @ (k, n, d+1)``, the Hessian product's shape, in this process."""
    rng = np.random.default_rng(0)
    a = rng.standard_normal((k, d + 2, n))
    b = rng.standard_normal((k, n, d + 1))
    out = np.empty((k, d + 2, d + 1))
    np.matmul(a, b, out=out)
    reps, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        np.matmul(a, b, out=out)
        reps += 1
    elapsed = time.perf_counter() - start
    return 2.0 * k * (d + 2) * n * (d + 1) * reps / elapsed / 1e9


@dataclass
class Floor:
    """Where the measured steps of one world went."""

    communities: int
    steps: int
    total: float  # seconds over the measured steps
    spent: dict[str, float]  # exclusive seconds per kernel
    calls: dict[str, int]
    work: FitWork

    @property
    def orchestration(self) -> float:
        """Seconds no kernel claims."""
        return self.total - sum(self.spent.values())


def measure(communities: int, steps: int, warmup: int, seed: int) -> Floor:
    """Run one world: ``warmup`` steps, then ``steps`` steps with every kernel timed."""
    scenario = load_scenario("status_quo", [f"communities.count={communities}"])
    model = build_model(scenario, seed=seed)
    for _ in range(warmup):
        model.step()
    clock, work = Clock(), FitWork()
    restore = install(clock, work)
    try:
        start = time.perf_counter()
        for _ in range(steps):
            model.step()
        total = time.perf_counter() - start
    finally:
        restore()
    return Floor(communities, steps, total, dict(clock.spent), dict(clock.calls), work)


def report(floor: Floor, seed: int) -> None:
    """Print one world's floor as a Markdown table."""
    steps, total, work = floor.steps, floor.total, floor.work
    print(f"\n## status_quo, {floor.communities:,} communities, {steps} steps (seed {seed})\n")
    print(f"step: {total / steps * 1e3:.1f} ms\n")
    print("| part of the step | ms per step | share | calls per step |")
    print("|---|---:|---:|---:|")
    for kernel in KERNELS:
        spent = floor.spent.get(kernel, 0.0)
        calls = floor.calls.get(kernel, 0) / steps
        print(f"| {kernel} | {spent / steps * 1e3:.2f} | {spent / total:.0%} | {calls:.1f} |")
    rest = floor.orchestration
    print(
        f"| orchestration (turns, economy, ledger, recording) | {rest / steps * 1e3:.2f} "
        f"| {rest / total:.0%} | |"
    )
    solve_time = floor.spent.get("fits (Newton solve)", 0.0)
    if work.fits and solve_time > 0:
        print(
            f"\nfits: {work.fits / steps:.1f} per step, {work.iterations / work.fits:.2f} Newton "
            f"steps each; {solve_time / work.row_iterations * 1e9:.0f} ns per row-iteration; "
            f"{work.flops / solve_time / 1e9:.2f} GFLOP/s (the model's charge / time in the solver)"
        )
    k, n = 3, 6000
    print(
        f"stacked matmul of the Hessian's shape, {k} x {n} rows x {N_FIT_FEATURES} features: "
        f"{stacked_matmul_gflops(k, n, N_FIT_FEATURES):.2f} GFLOP/s; 1,000 x 240 rows: "
        f"{stacked_matmul_gflops(1000, 240, N_FIT_FEATURES):.2f} GFLOP/s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="40,1000", help="communities, comma-separated")
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    print(f"# Floor of a step ({time.strftime('%Y-%m-%d')}, one BLAS thread)")
    with threadpool_limits(1):
        for size in (int(s) for s in args.sizes.split(",")):
            report(measure(size, args.steps, args.warmup, args.seed), args.seed)


if __name__ == "__main__":
    main()

"""The naive yardstick: the default world's learning and reporting written the per-agent way.

hetsim trains every model of a step in one stacked Newton solve, scores and counts every
community's decisions in one array operation, and bootstraps a report's error in one draw. A
naive build would instead step Mesa agents one by one, each community fitting its own
scikit-learn ``LogisticRegression``, and compute rates and reports per entity in Python loops.
This benchmark measures the two side by side, in one process, on the same world:

1. **hetsim**: the status-quo world (``--communities``, seed ``--seed``) is stepped ``--steps``
   times after a warm-up step; the median seconds per step is timed.
2. **replay**: the same seed is stepped again while every batched fit is recorded (its inputs
   and hetsim's solution), with the number of reports each step and their sample sizes.
3. **naive**: a Mesa model with one agent per community replays those steps: agents stepped one
   by one (``shuffle_do``), each fitting its share of the step's models with scikit-learn
   (``lbfgs``, ``C = 1 / l2``, the same sample weights), scoring its training people and
   counting its group rates and gap in a Python loop over groups (NumPy within a group); then
   one agent per large entity computes each of its reports with 200 bootstrap resamples, one
   resample at a time (the same
   loop over groups per resample).

The naive build does *less* than hetsim (no economy, annotation, privacy, regulation or
recording), so the ratio naive / hetsim is a lower bound on what a full naive build would cost.

**Same decisions.** For every recorded fit that scikit-learn can express (penalty centred on
zero, no fairness penalty matrix) the naive model's decisions on the fit's own training rows
are compared with the decisions of hetsim's solution: the share that agree and the largest
coefficient difference are printed. Both solvers stop at a tolerance, so a decision may flip
only for a person whose score is within that tolerance of zero.

    .venv/bin/python benchmarks/bench_naive.py [--communities 40] [--steps 10] [--seed 0]
"""

from __future__ import annotations

import argparse
import statistics
import time
import warnings
from dataclasses import dataclass, field

import mesa
import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from threadpoolctl import threadpool_limits

from hetsim.scenarios.builder import build_model, load_scenario
from hetsim.simulation.learning import training
from hetsim.simulation.measures import FAIRNESS_NOTIONS

BOOTSTRAP = 200  # resamples per report, as hetsim's audit sampling


@dataclass
class Fit:
    """One model hetsim fitted: its inputs and its solution."""

    X: np.ndarray
    y: np.ndarray
    weight: np.ndarray
    l2: float
    centred: bool  # penalty centred on zero and no penalty matrix: scikit-learn can fit it
    coef: np.ndarray
    intercept: float


@dataclass
class Step:
    """What one hetsim step did that the naive build redoes."""

    fits: list[Fit] = field(default_factory=list)
    reports: int = 0  # entity × regulator reports made


def world(communities: int, seed: int):
    scenario = load_scenario("status_quo", [f"communities.count={communities}"])
    return build_model(scenario, seed=seed)


def time_hetsim(communities: int, steps: int, seed: int) -> list[float]:
    """Seconds of each of ``steps`` steps of the hetsim world (after a warm-up step)."""
    model = world(communities, seed)
    model.step()
    spent = []
    for _ in range(steps):
        start = time.perf_counter()
        model.step()
        spent.append(time.perf_counter() - start)
    return spent


def record(communities: int, steps: int, seed: int):
    """Step the same world again, recording every fit and report; return steps and model."""
    model = world(communities, seed)
    model.step()
    fit_logistic = training.fit_logistic
    current = Step()

    def recording(X, y, sample_weight=None, l2=1.0, prior=None, quadratic=None, **kw):
        result = fit_logistic(X, y, sample_weight, l2, prior, quadratic=quadratic, **kw)
        lam = np.broadcast_to(np.asarray(l2, dtype=float), (X.shape[0],))
        for k in range(X.shape[0]):
            used = sample_weight[k] > 0
            if not used.any():
                continue
            centred = quadratic is None and (prior is None or not np.any(prior[k]))
            current.fits.append(
                Fit(
                    X[k, used].copy(),
                    y[k, used].copy(),
                    sample_weight[k, used].copy(),
                    float(lam[k]),
                    centred,
                    result.coef[k].copy(),
                    float(result.intercept[k]),
                )
            )
        return result

    recorded = []
    training.fit_logistic = recording
    try:
        for _ in range(steps):
            current = Step()
            before = model.entity_arrays.reports_made.sum()
            model.step()
            current.reports = int(model.entity_arrays.reports_made.sum() - before)
            recorded.append(current)
    finally:
        training.fit_logistic = fit_logistic
    return recorded, model


def naive_rates(y, decision, group, groups: int) -> list[tuple[float, float, float]]:
    """Per group, in a Python loop over the groups: selection rate, TPR, FPR (NaN where
    undefined), each counted with NumPy over that group's people."""
    out = []
    for g in range(groups):
        mine = group == g
        yes, chosen = y[mine] == 1, decision[mine] == 1
        tp, fp = int((yes & chosen).sum()), int((~yes & chosen).sum())
        fn, tn = int((yes & ~chosen).sum()), int((~yes & ~chosen).sum())
        n = tp + fp + tn + fn
        out.append(
            (
                (tp + fp) / n if n else np.nan,
                tp / (tp + fn) if tp + fn else np.nan,
                fp / (fp + tn) if fp + tn else np.nan,
            )
        )
    return out


def naive_gap(rates: list[tuple[float, float, float]], notion: str) -> float:
    """The gap under ``notion`` from per-group rates, as a loop over the groups present."""
    column = {"demographic_parity": 0, "equal_opportunity": 1, "equalized_odds": 1}.get(notion)
    if column is None:
        return 0.0
    values = [r[column] for r in rates if not np.isnan(r[column])]
    gap = max(values) - min(values) if len(values) > 1 else 0.0
    if notion == "equalized_odds":
        fpr = [r[2] for r in rates if not np.isnan(r[2])]
        gap = max(gap, max(fpr) - min(fpr) if len(fpr) > 1 else 0.0)
    return gap


def sklearn_fit(fit: Fit) -> LogisticRegression:
    if fit.l2 > 0:
        learner = LogisticRegression(C=1.0 / fit.l2, tol=1e-6, max_iter=500)
    else:
        learner = LogisticRegression(penalty=None, tol=1e-6, max_iter=500)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        if len(np.unique(fit.y)) < 2:  # scikit-learn refuses one class: the constant rule
            return None
        return learner.fit(fit.X, fit.y, sample_weight=fit.weight)


class NaiveCommunity(mesa.Agent):
    """A community that fits its own models, decides and measures itself, one at a time."""

    def __init__(self, model: NaiveWorld, notion: str) -> None:
        super().__init__(model)
        self.notion = notion
        self.fits: list[Fit] = []
        self.gap = 0.0

    def step(self) -> None:
        for fit in self.fits:
            learner = sklearn_fit(fit)
            decision = (
                learner.predict(fit.X) if learner is not None else np.full(len(fit.y), fit.y[0])
            )
            self.model.checked.append((fit, learner, decision))
            group = self.model.rng.integers(0, 3, size=len(fit.y))
            self.gap = naive_gap(naive_rates(fit.y, decision, group, 3), self.notion)


class NaiveEntity(mesa.Agent):
    """A large entity that computes each report's bootstrap error one resample at a time (the same
    loop over groups per resample)."""

    def __init__(self, model: NaiveWorld) -> None:
        super().__init__(model)
        self.reports = 0

    def step(self) -> None:
        rng, n = self.model.rng, self.model.audit_sample
        for _ in range(self.reports):
            y = rng.integers(0, 2, size=n)
            decision = rng.integers(0, 2, size=n)
            group = rng.integers(0, 3, size=n)
            resampled = []
            for _ in range(BOOTSTRAP):
                pick = rng.integers(0, n, size=n)
                rates = naive_rates(y[pick], decision[pick], group[pick], 3)
                resampled.append(naive_gap(rates, "demographic_parity"))
            self.error = float(np.std(resampled, ddof=1))


class NaiveWorld(mesa.Model):
    """One agent per community and per large entity, stepped one by one."""

    def __init__(self, notions: list[str], entities: int, audit_sample: int, seed: int) -> None:
        super().__init__(rng=seed)
        self.audit_sample = audit_sample
        self.communities = [NaiveCommunity(self, str(n)) for n in notions]
        self.entities = [NaiveEntity(self) for _ in range(entities)]
        self.checked: list = []

    def replay(self, step: Step) -> None:
        for agent in self.communities:
            agent.fits = []
        for i, fit in enumerate(step.fits):  # each community fits its share of the models
            self.communities[i % len(self.communities)].fits.append(fit)
        per, extra = divmod(step.reports, max(len(self.entities), 1))
        for e, agent in enumerate(self.entities):
            agent.reports = per + (e < extra)
        self.agents.shuffle_do("step")


def agreement(checked) -> tuple[int, float, float]:
    """Fits compared, share of decisions that agree, largest coefficient difference."""
    same = total = 0
    worst = 0.0
    fits = 0
    for fit, learner, decision in checked:
        if not fit.centred or learner is None:
            continue
        fits += 1
        hetsim = (fit.X @ fit.coef + fit.intercept > 0).astype(int)
        same += int((hetsim == decision).sum())
        total += len(decision)
        worst = max(worst, float(np.abs(learner.coef_[0] - fit.coef).max()))
    return fits, same / max(total, 1), worst


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--communities", type=int, default=40)
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    with threadpool_limits(1):
        hetsim_steps = time_hetsim(args.communities, args.steps, args.seed)
        recorded, model = record(args.communities, args.steps, args.seed)
        notions = [str(n) for n in model.community_arrays.notion]
        assert set(notions) <= set(FAIRNESS_NOTIONS)
        naive = NaiveWorld(
            notions, model.entity_arrays.n, model.spec.regulators.audit_sample, args.seed
        )
        naive_steps = []
        for step in recorded:
            start = time.perf_counter()
            naive.replay(step)
            naive_steps.append(time.perf_counter() - start)
    fits = sum(len(s.fits) for s in recorded)
    reports = sum(s.reports for s in recorded)
    compared, agree, worst = agreement(naive.checked)
    h, n = statistics.median(hetsim_steps), statistics.median(naive_steps)
    print(
        f"{args.communities} communities, seed {args.seed}, {args.steps} steps: "
        f"{fits} fits and {reports} reports replayed"
    )
    print("| build | median s/step | 100 steps s |")
    print("|---|---:|---:|")
    print(f"| hetsim (whole step) | {h:.4f} | {100 * h:.1f} |")
    print(f"| naive (fits, decisions, reports only) | {n:.4f} | {100 * n:.1f} |")
    print(f"\nratio naive / hetsim: {n / h:.1f}")
    print(
        f"same decisions: {compared} fits compared, {100 * agree:.3f}% of decisions agree, "
        f"largest coefficient difference {worst:.2e}"
    )


if __name__ == "__main__":
    main()

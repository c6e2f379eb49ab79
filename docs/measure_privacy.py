"""Measure the figures of docs/privacy.md: DP's cost by group, and the ε audit's power.

    .venv/bin/python docs/measure_privacy.py [--seeds 3] [--repeats 10]

Prints two markdown tables. (1) Accuracy and TPR lost to DP-GD (the scenario default: 30 full-batch
steps, clip 1, δ = 1e-5) by group, against the same training without noise, for several ε and
minority shares; 40 communities of 500 training records each, 4,000 test records, minority
features shifted by one standard deviation. (2) How often a canary audit finds washing (bound above
a claimed ε = 1) when the training really has ε_true, for several numbers of audit models.
"""

from __future__ import annotations

import argparse

import numpy as np
from threadpoolctl import threadpool_limits

from hetsim.simulation.learning.capacity import feature_map
from hetsim.simulation.measures import group_rates
from hetsim.simulation.population import Population
from hetsim.simulation.privacy.audit import estimate_epsilon_lower_bound
from hetsim.simulation.privacy.dp_training import dp_fit_logistic
from hetsim.simulation.schema import DataSection

DELTA, STEPS = 1e-5, 30
EPSILONS = (0.5, 1.0, 2.0, 8.0, np.inf)
SHARES = (0.05, 0.15, 0.3)


def disparate_impact(seeds: int) -> None:
    """Accuracy / TPR lost by majority and minority, per ε and minority share."""
    print(
        "| minority share | ε | majority acc | minority acc | majority Δacc | minority Δacc "
        "| majority ΔTPR | minority ΔTPR |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for share in SHARES:
        data = DataSection(
            minority_share=share,
            demographic_shift=0.0,
            covariate_gap=1.0,
            relational_identity=0.0,
            emerged_group_share=0.0,
        )
        acc = {e: [] for e in EPSILONS}
        tpr = {e: [] for e in EPSILONS}
        for seed in range(seeds):
            rng = np.random.default_rng(seed)
            pop = Population.generate(data, 40, 5, rng)
            train, test = pop.draw(500, rng), pop.draw(4000, rng)
            X, Xt = feature_map(train.x, False), feature_map(test.x, False)
            for eps in EPSILONS:
                fit, _ = dp_fit_logistic(X, train.y.astype(float), eps, DELTA, rng, epochs=STEPS)
                s = np.einsum("knd,kd->kn", Xt, fit.coef) + fit.intercept[:, None]
                rates = group_rates(test.y, (s > 0).astype(np.int8), test.group, 3)
                acc[eps].append(np.nanmean(rates.accuracy[:, :2], axis=0))
                tpr[eps].append(np.nanmean(rates.tpr[:, :2], axis=0))
        base_acc, base_tpr = np.mean(acc[np.inf], axis=0), np.mean(tpr[np.inf], axis=0)
        for eps in EPSILONS:
            a, t = np.mean(acc[eps], axis=0), np.mean(tpr[eps], axis=0)
            da, dt = base_acc - a, base_tpr - t
            print(
                f"| {share} | {eps} | {a[0]:.3f} | {a[1]:.3f} | {da[0]:+.3f} | {da[1]:+.3f} "
                f"| {dt[0]:+.3f} | {dt[1]:+.3f} |"
            )


def audit_power(repeats: int) -> None:
    """Detection rate of washing (bound > claimed ε = 1) and mean bound, per ε_true and trials."""
    rng = np.random.default_rng(0)
    sample = Population.generate(DataSection(), 5, 3, rng).draw(60, rng)
    x, y = sample.x.reshape(-1, sample.x.shape[2]), sample.y.ravel().astype(float)
    print("| ε_true | models per world | found washing (bound > 1) | mean bound | max bound |")
    print("|---:|---:|---:|---:|---:|")
    for eps in (1.0, 2.0, 4.0, 8.0, 16.0, np.inf):

        def train(X, Y, w, q, r, eps=eps):
            fit, _ = dp_fit_logistic(X, Y, eps, DELTA, r, epochs=STEPS, sample_weight=w)
            return np.einsum("qd,kd->kq", q, fit.coef) + fit.intercept[:, None]

        for trials in (50, 100, 200):
            bounds = [
                estimate_epsilon_lower_bound(
                    train, x, y, DELTA, np.random.default_rng(k), trials=trials
                )[0]
                for k in range(repeats)
            ]
            b = np.array(bounds)
            print(f"| {eps} | {trials} | {np.mean(b > 1.0):.0%} | {b.mean():.2f} | {b.max():.2f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=10)
    args = parser.parse_args()
    with threadpool_limits(1):
        disparate_impact(args.seeds)
        print()
        audit_power(args.repeats)


if __name__ == "__main__":
    main()

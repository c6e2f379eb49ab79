"""The scaling curve hetsim's compute buys: held-out accuracy against records and capacity.

Fits the model's logistic learner on ``n`` records of a community's data-generating process
(the status-quo defaults), with its nonlinear features scaled by the capacity share κ that
compute buys (:mod:`hetsim.simulation.learning.capacity`), and measures accuracy on 20,000 fresh
people.
Averages over communities; prints a Markdown table and draws docs/images/scaling-curve.png.
With ``--sweep``, runs the status quo instead for each value of ``learning.capacity_compute``
and prints how the communities' and entities' capacity, adopt's accuracy edge over local
training and dependency change with it (docs/scaling.md).

    .venv/bin/python benchmarks/bench_scaling.py [--communities 20]
    .venv/bin/python benchmarks/bench_scaling.py --sweep [--seeds 3 --steps 60]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from hetsim.simulation.learning.capacity import decision_scores, feature_map, to_model_space
from hetsim.simulation.learning.logistic import fit_logistic
from hetsim.simulation.population import Population
from hetsim.simulation.schema import DataSection

RECORDS = (16, 32, 64, 128, 256, 512, 1024, 2048, 4096)
CAPACITY = (0.0, 0.1, 0.3, 0.6, 1.0)
# learning.capacity_compute, and whether communities may buy capacity
SWEEP = ((0.0, True), (1500.0, True), (6000.0, True), (6000.0, False), (24000.0, True))
FIGURE = Path(__file__).resolve().parent.parent / "docs" / "images" / "scaling-curve.png"


def curve(communities: int) -> np.ndarray:
    """(len(CAPACITY), len(RECORDS)) mean held-out accuracy."""
    rng = np.random.default_rng(0)
    pop = Population.generate(DataSection(), communities, 5, rng)
    test = pop.draw(20_000 // communities, rng)
    train = pop.draw(max(RECORDS), rng)
    out = np.zeros((len(CAPACITY), len(RECORDS)))
    for i, kappa in enumerate(CAPACITY):
        for j, n in enumerate(RECORDS):
            fit = fit_logistic(feature_map(train.x[:, :n], kappa), train.y[:, :n].astype(float))
            coef = to_model_space(fit.coef, np.full(communities, kappa))
            decided = decision_scores(test.x, coef, fit.intercept) > 0
            out[i, j] = float((decided == test.y).mean())
    return out


def sweep_row(capacity_compute: float, buy: bool, seeds: int, steps: int) -> list[float]:
    """Status-quo means over steps and seeds: κ medians, local and adopt accuracy, dependency."""
    from hetsim.scenarios.builder import build_model, load_scenario

    rows = []
    for seed in range(seeds):
        scenario = load_scenario(
            "status_quo",
            [
                f"learning.capacity_compute={capacity_compute}",
                f"communities.buy_capacity={str(buy).lower()}",
            ],
        )
        model = build_model(scenario, seed=seed)
        for _ in range(steps):
            model.step()
        metrics = model.recorder.metrics_table()
        people = model.recorder.community_table()
        people = people[people["n"] > 0].assign(hits=lambda t: t["accuracy"] * t["n"])
        per = people.groupby(["step", "community"]).agg(
            n=("n", "sum"), hits=("hits", "sum"), strategy=("strategy", "first")
        )
        accuracy = per["hits"] / per["n"]
        strategy = per["strategy"].astype(str)
        rows.append(
            [
                metrics["capacity_median_communities"].mean(),
                metrics["capacity_median_entities"].mean(),
                accuracy[strategy == "local"].mean(),
                accuracy[strategy == "adopt"].mean(),
                metrics["dependency_share"].mean(),
                metrics["compute_rented"].mean(),
            ]
        )
    return [float(v) for v in np.mean(rows, axis=0)]


def print_sweep(seeds: int, steps: int) -> None:
    print(f"status quo, {seeds} seeds × {steps} steps, means over steps and seeds")
    print(
        "| `learning.capacity_compute` | communities buy capacity | κ communities (median) "
        "| κ entities (median) | local accuracy | adopt accuracy | adopt's edge "
        "| dependency_share | compute rented a step |"
    )
    print("|---:|:---:|---:|---:|---:|---:|---:|---:|---:|")
    for half, buy in SWEEP:
        kc, ke, local, adopt, dependency, rented = sweep_row(half, buy, seeds, steps)
        print(
            f"| {half:,.0f} | {'yes' if buy else 'no'} | {kc:.3f} | {ke:.3f} | {local:.3f} "
            f"| {adopt:.3f} | {adopt - local:+.3f} | {dependency:.3f} | {rented:,.0f} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--communities", type=int, default=20)
    parser.add_argument("--sweep", action="store_true", help="sweep learning.capacity_compute")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--steps", type=int, default=60)
    args = parser.parse_args()
    if args.sweep:
        print_sweep(args.seeds, args.steps)
        return
    acc = curve(args.communities)
    print("| capacity κ | " + " | ".join(f"{n} records" for n in RECORDS) + " |")
    print("|---:|" + "---:|" * len(RECORDS))
    for kappa, row in zip(CAPACITY, acc, strict=True):
        print(f"| {kappa:.1f} | " + " | ".join(f"{a:.3f}" for a in row) + " |")
    fig = Figure(figsize=(6, 3.6))
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    for kappa, row in zip(CAPACITY, acc, strict=True):
        ax.plot(RECORDS, 1.0 - row, marker="o", label=f"κ = {kappa:.1f}")
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xlabel("records per fit")
    ax.set_ylabel("held-out error")
    ax.set_title("What compute buys: records and capacity")
    ax.legend(fontsize=8)
    fig.tight_layout()
    FIGURE.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(FIGURE, dpi=120)
    print(f"wrote {FIGURE}")


if __name__ == "__main__":
    main()

"""The scaling curve hetsim's compute buys: held-out accuracy against records and capacity.

Fits the model's logistic learner on ``n`` records of a community's data-generating process
(the status-quo defaults), with its nonlinear features scaled by the capacity share κ that
compute buys (:mod:`hetsim.simulation.learning.capacity`), and measures accuracy on 20,000 fresh
people.
Averages over communities; prints a Markdown table and draws docs/images/scaling-curve.png.

    .venv/bin/python benchmarks/bench_scaling.py [--communities 20]
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--communities", type=int, default=20)
    args = parser.parse_args()
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

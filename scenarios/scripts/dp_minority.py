"""§2.3 Differential privacy and the minority: who pays for privacy?

Question. Training with differential privacy protects individuals, but its clipping and noise
cost accuracy, and Molamohammadi et al. (§2.3) note that the cost falls hardest on small
groups. Does a community's privacy value conflict with its fairness value?

Set-up. The `privacy_fairness` world: communities train locally, a minority of 15% whose
features differ from the majority's. Each seed is run with no privacy (ε = ∞) and at each
privacy budget ε; this script steps single runs with `hetsim.run` and reads the per-group rows
of the communities table, weighting each community's group accuracy by its size.

What to look for. Accuracy falls as ε falls, for both groups. At moderate ε (3, 1) the
minority loses more than the majority, mostly through clipping; at very small ε both groups
fall toward chance and the gap closes (the README reports the claim as reproduced in part).

Run:  python scenarios/scripts/dp_minority.py results/dp_minority  [--fast]
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path

import pandas as pd

import hetsim

SCENARIO = "privacy_fairness"
EPSILONS = [math.inf, 3.0, 1.0, 0.3]
GROUPS = {0: "majority", 1: "minority", 2: "emerged group"}
FULL = {"seeds": 10, "steps": 20, "set": []}
FAST = {"seeds": 2, "steps": 4, "set": ["communities.count=8", "annotators.count=8"]}


def group_accuracy(communities: pd.DataFrame) -> pd.Series:
    """Accuracy per group over the second half of a run, weighted by people decided."""
    late = communities[communities["step"] > communities["step"].max() // 2]
    correct = (late["accuracy"] * late["n"]).groupby(late["group"]).sum()
    return correct / late.groupby("group")["n"].sum()


def main(out: Path, fast: bool = False) -> pd.DataFrame:
    """Run every (ε, seed); write dp_minority.png and dp_minority.csv into ``out``."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    size = FAST if fast else FULL
    rows = []
    for epsilon in EPSILONS:
        budget = "inf" if math.isinf(epsilon) else repr(epsilon)
        settings = [*size["set"], f"communities.values.local_epsilon={budget}"]
        for seed in range(size["seeds"]):
            run = hetsim.run(SCENARIO, seed=seed, steps=size["steps"], set=settings)
            by_group = group_accuracy(run.communities).rename(index=GROUPS)
            rows += [(epsilon, seed, group, value) for group, value in by_group.items()]
    runs = pd.DataFrame(rows, columns=["epsilon", "seed", "group", "accuracy"])
    accuracy = runs.pivot_table("accuracy", ["seed", "group"], "epsilon")
    loss = -accuracy.sub(accuracy[math.inf], axis=0)  # accuracy given up, paired by seed
    table = pd.concat({"accuracy": accuracy.stack(), "loss": loss.stack()}, axis=1)
    table = table.groupby(["epsilon", "group"]).agg(["mean", "std"])
    table.columns = [f"{name}_{stat}" for name, stat in table.columns]
    table = table.reset_index()
    table.to_csv(out / "dp_minority.csv", index=False)

    from matplotlib.figure import Figure

    figure = Figure(figsize=(5, 3.4))
    axes = figure.subplots()
    private = table[table["epsilon"] < math.inf]
    for group, rows_of_group in private.groupby("group"):
        x, y, sd = (rows_of_group[c] for c in ("epsilon", "loss_mean", "loss_std"))
        axes.errorbar(x, y, yerr=sd, fmt="o-", capsize=3, label=group)
    axes.set_xscale("log")
    axes.axhline(0.0, color="black", linewidth=0.8, linestyle="--")
    axes.set(xlabel="privacy budget ε (log scale)", ylabel="accuracy lost vs ε = ∞ (± sd)")
    axes.legend(frameon=False)
    figure.tight_layout()
    figure.savefig(out / "dp_minority.png", dpi=110, metadata={"Software": None})
    return table


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="folder for the figure and the table")
    parser.add_argument("--fast", action="store_true", help="a tiny world, 2 seeds, 4 steps")
    args = parser.parse_args()
    print(main(args.out, fast=args.fast).to_string(index=False))

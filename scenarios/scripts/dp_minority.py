"""§2.3 Differential privacy and the minority: who pays for privacy?

Question. Training with differential privacy protects individuals, but its clipping and noise
cost accuracy, and Molamohammadi et al. (§2.3) note that the cost falls hardest on small
groups. Does a community's privacy value conflict with its fairness value?

Set-up. The `privacy_fairness` world: communities train locally, a minority of 15% whose
features differ from the majority's. One comparison runs every privacy budget ε (the
scenario's own ε as the baseline, every other ε as a small intervention file this script
writes) on the same seeds, keeping each run's per-group rows (`keep="groups"`: a group's
accuracy over the communities, weighted by the people decided); the accuracy given up is
read against ε = ∞, paired by seed.

What to look for. At the scenario's own ε the claims table (docs/claims.md) finds that local
differential privacy costs accuracy (dp_costs_accuracy) and costs the minority more accuracy
than the majority in direction only (dp_costs_minority_more: its interval holds 0). How the cost
varies with ε (whether the minority's loss is larger at moderate ε, and whether both groups fall
toward chance and the gap closes at very small ε) is not in the claims table: it is what this
script's table measures.

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


def group_accuracy(groups: pd.DataFrame) -> pd.Series:
    """Accuracy per group over the second half of a run, weighted by people decided."""
    late = groups[groups["step"] > groups["step"].max() // 2]
    correct = (late["accuracy"] * late["n"]).groupby(late["group"]).sum()
    return correct / late.groupby("group")["n"].sum()


def budget_arm(folder: Path, epsilon: float) -> Path:
    """Write an intervention file setting the communities' privacy budget ε."""
    budget = "inf" if math.isinf(epsilon) else repr(epsilon)
    path = folder / f"epsilon_{budget.replace('.', 'p')}.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        f'description = "communities train at ε = {budget}"\n\n'
        f"[communities.values]\nlocal_epsilon = {budget}\n",
        encoding="utf-8",
    )
    return path


def main(out: Path, fast: bool = False) -> pd.DataFrame:
    """Run every (ε, seed); write dp_minority.png and dp_minority.csv into ``out``."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    size = FAST if fast else FULL
    own = hetsim.load_scenario(SCENARIO).communities.values.local_epsilon
    arms = {"baseline": own}
    arms |= {budget_arm(out / "arms", e).stem: e for e in EPSILONS if e != own}
    hetsim.compare(
        SCENARIO,
        [str(out / "arms" / f"{arm}.toml") for arm in arms if arm != "baseline"],
        seeds=size["seeds"],
        steps=size["steps"],
        set=size["set"],
        out=out / "runs",
        workers=1 if fast else None,
        resume=True,
        keep="groups",
    )
    groups = hetsim.query(out / "runs", "SELECT * FROM groups")
    rows = []
    for (arm, seed), run in groups.groupby(["intervention", "seed"]):
        by_group = group_accuracy(run).rename(index=GROUPS)
        rows += [(arms[arm], seed, group, value) for group, value in by_group.items()]
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
    budgets = sorted(private["epsilon"].unique())
    axes.set_xticks(budgets, [f"{e:g}" for e in budgets])
    axes.minorticks_off()
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

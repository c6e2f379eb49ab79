"""§4.1 Sharing without handing over: what synthetic, aggregated and secure sharing keep and cost.

Question. §4.1 names ways a community can be represented in a large model "in a
privacy-preserving manner": synthetic data, aggregated data, encryption — beside raw sharing
with an entity, pooling with peers and a data cooperative. Does privacy-preserving sharing keep
sovereignty *and* inclusion? What does each form cost in dependency, minority accuracy and
privacy (ε spent)?

Set-up. The `privacy_preserving_sharing` world. Each arm imposes one form on every community
(`communities.strategy`; a community still falls back on its own model when it cannot pay or
the form loses to the majority-class rule), on the same seeds: raw sharing, pooling, the
cooperative, synthetic data (no DP, and DP at ε = 1 per release), aggregates (the entity's
discriminant from statistics, and the knockout that fits its logistic model on the records),
secure aggregation (overhead 0.98, Bonawitz et al. 2017) and secure training at a homomorphic
encryption overhead (1e5). Per run: dependency and sovereignty over the second half of the run;
accuracy of each group's members (weighted by people decided) over the second half; the ε the
form's own releases spent, composed over the run (median over its users at the end; inf: some
release had no noise — raw records, shared or pooled, always; the communities' own ledgers are
infinite in every arm, since the entities fit on scraped records without noise); the share of
communities on the arm's form.

What to look for. The three forms keep sovereignty at 1 like pooling and unlike raw sharing,
but leave dependency as high as sharing: the entity still trains and controls the model.
Measured (10 seeds x 40 steps, 20 communities; accuracy paired by seed against raw sharing):
sovereignty 0.12 (share) vs 1.00 (every form); dependency 1.00 for every form; minority accuracy
synthetic -0.008, DP synthetic -0.070 (ε 7.97 spent over 40 releases of ε = 1), aggregates
-0.063 (majority -0.043: the minority loses more), secure -0.002; at an HE overhead no community
can pay (on the form 0.00, dependency 0, -0.087). docs/sharing_forms.md has the table.

Run:  python scenarios/scripts/privacy_preserving_sharing.py results/pps  [--fast]
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path

import numpy as np
import pandas as pd

import hetsim

SCENARIO = "privacy_preserving_sharing"
ARMS: dict[str, tuple[str, list[str]]] = {
    "share": ("share", []),
    "pool": ("pool", []),
    "cooperative": ("cooperative", []),
    "synthetic": ("synthetic", []),
    "synthetic ε=1": ("synthetic", ["strategy.synthetic.epsilon=1.0"]),
    "aggregate": ("aggregate", []),
    "aggregate, fit on records": ("aggregate", ['strategy.aggregate.fit_from="records"']),
    "secure": ("secure", []),
    "secure, HE overhead": ("secure", ["strategy.secure.overhead=1e5"]),
}
FULL = {"seeds": 10, "steps": 40, "set": ["communities.count=20", "annotators.count=50"]}
FAST = {"seeds": 2, "steps": 6, "set": ["communities.count=8", "annotators.count=8"]}
METRICS = [
    "dependency",
    "sovereignty",
    "accuracy_majority",
    "accuracy_minority",
    "epsilon_spent",
    "on_form",
]


def summarise(run, strategy: str) -> dict[str, float]:
    """The figures of one run: second-half means, ε at the end."""
    steps, com = run.metrics, run.communities
    half = steps["step"] > steps["step"].max() // 2
    late = com[com["step"] > com["step"].max() // 2]
    correct = (late["accuracy"] * late["n"]).groupby(late["group"]).sum()
    accuracy = correct / late.groupby("group")["n"].sum()
    last = com[com["step"] == com["step"].max()].drop_duplicates("community")
    return {
        "dependency": float(steps.loc[half, "dependency_share"].mean()),
        "sovereignty": float(steps.loc[half, "data_sovereignty_mean"].mean()),
        "accuracy_majority": float(accuracy.get(0, np.nan)),
        "accuracy_minority": float(accuracy.get(1, np.nan)),
        # ε the form's own releases spent (median over its users, at the end); raw records,
        # pooled or shared, are released without noise
        "epsilon_spent": float(steps[f"{strategy}_epsilon_spent"].iloc[-1])
        if f"{strategy}_epsilon_spent" in steps
        else math.inf,
        "on_form": float((last["strategy"] == strategy).mean()),
    }


def main(out: Path, fast: bool = False) -> pd.DataFrame:
    """Run every arm and seed; write privacy_preserving_sharing.png and .csv into ``out``."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    size = FAST if fast else FULL
    rows = []
    for arm, (strategy, settings) in ARMS.items():
        for seed in range(size["seeds"]):
            overrides = [*size["set"], f'communities.strategy="{strategy}"', *settings]
            run = hetsim.run(SCENARIO, seed=seed, steps=size["steps"], set=overrides)
            rows.append({"arm": arm, "seed": seed, **summarise(run, strategy)})
    runs = pd.DataFrame(rows)
    # what each form gives up against raw sharing, paired by seed (common random numbers)
    shared = runs[runs["arm"] == "share"].set_index("seed")
    for group in ("majority", "minority"):
        column = f"accuracy_{group}"
        runs[f"{column}_vs_share"] = runs[column] - runs["seed"].map(shared[column])
    columns = [*METRICS, "accuracy_majority_vs_share", "accuracy_minority_vs_share"]
    table = runs.groupby("arm", sort=False)[columns].agg(["mean", "std"])
    table.columns = [f"{name}_{stat}" for name, stat in table.columns]
    table = table.reset_index()
    table.insert(1, "seeds", size["seeds"])
    table.insert(2, "steps", size["steps"])
    table.to_csv(out / "privacy_preserving_sharing.csv", index=False)
    figure(table, out / "privacy_preserving_sharing.png")
    return table


def figure(table: pd.DataFrame, path: Path) -> None:
    """Four panels, one bar per arm: dependency, sovereignty, minority accuracy, ε spent."""
    from matplotlib.figure import Figure

    panels = [
        ("dependency", "dependency (share controlled by an entity)"),
        ("sovereignty", "data sovereignty"),
        ("accuracy_minority", "minority accuracy"),
        ("epsilon_spent", "ε the form spent (median over its users)"),
    ]
    fig = Figure(figsize=(11, 6.5))
    axes = fig.subplots(2, 2).ravel()
    y = np.arange(len(table))
    for ax, (name, title) in zip(axes, panels, strict=True):
        mean, sd = table[f"{name}_mean"].to_numpy(), table[f"{name}_std"].to_numpy()
        infinite, missing = np.isinf(mean), np.isnan(mean)
        shown = np.where(infinite | missing, 0.0, mean)
        error = np.where(infinite | missing, 0.0, np.nan_to_num(sd))
        bars = ax.barh(y, shown, xerr=error, capsize=2)
        for bar, inf, nan in zip(bars, infinite, missing, strict=True):
            if inf or nan:  # ∞: a release without noise; n/a: no community on the form
                label = " ∞" if inf else " n/a"
                ax.text(0.0, bar.get_y() + bar.get_height() / 2, label, va="center")
        ax.set_yticks(y, table["arm"] if ax in axes[::2] else [""] * len(y))
        ax.invert_yaxis()
        ax.set_title(title, fontsize=10)
        if name == "accuracy_minority":
            low = np.nanmin(shown) - 0.05 if np.isfinite(np.nanmin(shown)) else 0.0
            ax.set_xlim(max(0.0, math.floor(low * 20) / 20), None)
    fig.tight_layout()
    fig.savefig(path, dpi=110, metadata={"Software": None})


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="folder for the figure and the table")
    parser.add_argument("--fast", action="store_true", help="a tiny world, 2 seeds, 6 steps")
    args = parser.parse_args()
    print(main(args.out, fast=args.fast).to_string(index=False))

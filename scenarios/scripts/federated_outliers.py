"""§4.3 Federated members with outlying data: does the consortium serve everyone?

Question. Federated learning keeps data local and lets low-resourced communities train a
model together (§4.3), but one global model is fitted to the members' average: members
whose data differ from the rest may gain little or lose. As communities' data grow more
heterogeneous, who pays for the consortium's average?

Set-up. The `federated_consortium` world (with a facilitator, so joining needs little
expertise), every community fixed either to train locally or to federate, on a grid of
concept shifts (`data.concept_shift`). Same seeds at every point, so the gain of federating
is paired: the same communities with the same data, in a consortium or alone.

What to look for. When data are alike, federating helps the typical member (`accuracy_mean`)
and the worst-served community (`accuracy_min_community`, taken in each arm) alike. As the
shift grows the gain turns into a loss, and the worst-served member — the one whose data lie
farthest from the consortium's average — loses most: the cost of one global model.

Run:  python scenarios/scripts/federated_outliers.py results/federated  [--fast]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

import hetsim

SCENARIO = "federated_consortium"
PARAMS = ["communities.strategy=local,federate", "data.concept_shift=0.0,0.75,1.5"]
MEASURES = {"accuracy_mean": "typical member", "accuracy_min_community": "worst-served member"}
FULL = {"seeds": 10, "steps": 30, "set": []}
FAST = {"seeds": 2, "steps": 4, "set": ["communities.count=8", "annotators.count=8"]}


def main(out: Path, fast: bool = False) -> pd.DataFrame:
    """Run the sweep; write federated_outliers.png and .csv into ``out``."""
    out = Path(out)
    size = FAST if fast else FULL
    experiment = hetsim.sweep(
        SCENARIO, PARAMS, **size, out=out / "runs", workers=1 if fast else None, resume=True
    )
    runs = experiment.runs
    late = runs[runs["step"] > runs["step"].max() // 2]  # the second half of every run
    per_seed = late.groupby(["communities.strategy", "data.concept_shift", "seed"])[
        list(MEASURES)
    ].mean()
    gain = per_seed.xs("federate") - per_seed.xs("local")  # paired by shift and seed
    table = gain.groupby("data.concept_shift").agg(["mean", "std"])
    table.columns = [f"gain_{measure}_{stat}" for measure, stat in table.columns]
    table = table.reset_index()
    table.to_csv(out / "federated_outliers.csv", index=False)

    from matplotlib.figure import Figure

    figure = Figure(figsize=(5, 3.4))
    axes = figure.subplots()
    for measure, label in MEASURES.items():
        axes.errorbar(
            table["data.concept_shift"],
            table[f"gain_{measure}_mean"],
            yerr=table[f"gain_{measure}_std"],
            fmt="o-",
            capsize=3,
            label=label,
        )
    axes.axhline(0.0, color="black", linewidth=0.8, linestyle="--")
    axes.set(xlabel="concept shift", ylabel="accuracy: federate − local (± sd)")
    axes.legend(frameon=False)
    figure.tight_layout()
    figure.savefig(out / "federated_outliers.png", dpi=110, metadata={"Software": None})
    return table


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="folder for the figure, the table and the runs")
    parser.add_argument("--fast", action="store_true", help="a tiny world, 2 seeds, 4 steps")
    args = parser.parse_args()
    print(main(args.out, fast=args.fast).to_string(index=False))

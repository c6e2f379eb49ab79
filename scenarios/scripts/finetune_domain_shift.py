"""§4.2 Fine-tuning under domain shift: when does a pretrained model stop helping?

Question. Open pretrained models let a community with little data adapt a large model to its
own (§4.2), but transfer turns negative when the source and the target domains differ. How
fast does the gain of fine-tuning over local training vanish as communities' data drift
away from the population the entity trained on?

Set-up. The `pretrained_adaptation` world with every entity publishing its weights, and every
community fixed to one strategy — fine-tune the open model, or train locally — on a grid of
concept shifts (`data.concept_shift`, how differently P(y|x) is drawn per community). A full
factorial sweep runs each (strategy, shift) point on the same seeds.

What to look for. At small shift fine-tuning beats local training; as the shift grows its
gain shrinks toward zero or below while `finetune_divergence_mean` (how far the tuned model
had to move from the source) rises (the test suite checks this at shifts 0 and 1.5).

Run:  python scenarios/scripts/finetune_domain_shift.py results/finetune  [--fast]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

import hetsim

SCENARIO = "pretrained_adaptation"
PARAMS = ["communities.strategy=local,finetune", "data.concept_shift=0.0,0.75,1.5"]
SETTINGS = ["large_entities.open_weights_share=1.0", "communities.expertise=1.0"]
FULL = {"seeds": 10, "steps": 30, "set": SETTINGS}
FAST = {"seeds": 2, "steps": 4, "set": [*SETTINGS, "communities.count=8", "annotators.count=8"]}


def main(out: Path, fast: bool = False) -> pd.DataFrame:
    """Run the sweep; write finetune_domain_shift.png and .csv into ``out``."""
    out = Path(out)
    size = FAST if fast else FULL
    experiment = hetsim.sweep(
        SCENARIO, PARAMS, **size, out=out / "runs", workers=1 if fast else None, resume=True
    )
    runs = experiment.runs
    late = runs[runs["step"] > runs["step"].max() // 2]  # the second half of every run
    per_seed = late.groupby(["communities.strategy", "data.concept_shift", "seed"]).mean(
        numeric_only=True
    )
    accuracy = per_seed["accuracy_mean"].unstack("communities.strategy")
    gain = (accuracy["finetune"] - accuracy["local"]).groupby("data.concept_shift")
    divergence = per_seed.xs("finetune")["finetune_divergence_mean"].groupby("data.concept_shift")
    table = pd.DataFrame(
        {
            "gain_mean": gain.mean(),
            "gain_sd": gain.std(),
            "divergence_mean": divergence.mean(),
            "seeds": gain.size(),
        }
    ).reset_index()
    table.to_csv(out / "finetune_domain_shift.csv", index=False)

    from matplotlib.figure import Figure

    figure = Figure(figsize=(8, 3.2))
    left, right = figure.subplots(1, 2)
    left.errorbar(table["data.concept_shift"], table["gain_mean"], yerr=table["gain_sd"], fmt="o-")
    left.axhline(0.0, color="black", linewidth=0.8, linestyle="--")
    left.set(xlabel="concept shift", ylabel="accuracy: fine-tune − local", title="Gain (± sd)")
    right.plot(table["data.concept_shift"], table["divergence_mean"], "o-", color="tab:red")
    right.set(xlabel="concept shift", ylabel="divergence", title="Distance moved from source")
    figure.tight_layout()
    figure.savefig(out / "finetune_domain_shift.png", dpi=110, metadata={"Software": None})
    return table


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="folder for the figure, the table and the runs")
    parser.add_argument("--fast", action="store_true", help="a tiny world, 2 seeds, 4 steps")
    args = parser.parse_args()
    print(main(args.out, fast=args.fast).to_string(index=False))

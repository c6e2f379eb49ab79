"""§2.4.3 Annotation mismatch: whose data get the worst labels, and does fair pay help?

Question. Labels are written by annotators whose culture may differ from the data's, often
for little pay. Molamohammadi et al. (§2.4.3) argue that the resulting noise lands on the
communities least like the workforce. Does a legal minimum pay for annotation restore label
quality, and does it reach the models communities deploy?

Set-up. The `annotation_mismatch` world: twelve cultures, a workforce drawn from them, strong
mismatch noise and low pay. The baseline is compared with the `fair_annotation_pay`
intervention (a pay floor) on the same seeds; effects are paired by seed.

What to look for. Under the pay floor `label_accuracy_mean` rises (the claims table's
fair_pay_restores_labels, docs/claims.md); how far, how far `annotator_pay_mean` rises, and
whether model accuracy follows, also for the worst-served community (`accuracy_min_community`),
is what this script's table and forest plot measure.

Run:  python scenarios/scripts/annotation_mismatch.py results/annotation  [--fast]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

import hetsim

SCENARIO = "annotation_mismatch"
INTERVENTIONS = ["fair_annotation_pay"]
METRICS = ["annotator_pay_mean", "label_accuracy_mean", "accuracy_mean", "accuracy_min_community"]
FULL = {"seeds": 20, "steps": 40, "set": []}
FAST = {"seeds": 2, "steps": 4, "set": ["communities.count=8", "annotators.count=8"]}
COLUMNS = ["metric", "baseline_mean", "mean", "diff_mean", "diff_ci_low", "diff_ci_high"]
COLUMNS += ["effect_size", "p_value", "p_adjusted"]


def main(out: Path, fast: bool = False) -> pd.DataFrame:
    """Run the comparison; write annotation_mismatch.png and .csv into ``out``."""
    out = Path(out)
    size = FAST if fast else FULL
    experiment = hetsim.compare(
        SCENARIO,
        INTERVENTIONS,
        **size,
        out=out / "runs",
        workers=1 if fast else None,
        resume=True,
        outcomes=METRICS,  # the question's outcomes: Holm adjusts over these
    )
    comparison = experiment.comparison
    chosen = comparison[comparison["metric"].isin(METRICS)]
    hetsim.plot_forest(out / "annotation_mismatch.png", chosen, window="last10pct")
    table = chosen[chosen["window"] == "last10pct"][COLUMNS].reset_index(drop=True)
    table.to_csv(out / "annotation_mismatch.csv", index=False)
    return table


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="folder for the figure, the table and the runs")
    parser.add_argument("--fast", action="store_true", help="a tiny world, 2 seeds, 4 steps")
    args = parser.parse_args()
    print(main(args.out, fast=args.fast).to_string(index=False))

"""§4.1 Sharing with an entity, pooling with peers, or a cooperative: who keeps the data?

Question. Communities short of data can give it to a resourceful entity in exchange for a
large model (sharing), or pool it with peers under collective ownership (pooling).
Molamohammadi et al. (§4.1) argue that sharing trades data autonomy for inclusion in a model
whose benefits skew to the powerful, while pooling keeps sovereignty and can narrow the gap.

Set-up. The world of the `sharing_vs_pooling` scenario, whose only change from the defaults is
the menu of strategies. The baseline menu lets communities only train locally or adopt an
entity's model; each arm adds one way of exchanging data (the arm is a small
intervention file this script writes, so the arms run on the same seeds as the baseline).
The data cooperative (§4.1, §5) pools its members' records under collective ownership and
licenses the pool to entities on terms its members vote on. Another arm is one more line in
ARMS.

What to look for. With sharing, `dependency_share` rises and `data_sovereignty_mean` falls;
with pooling, sovereignty stays near 1 and dependency lower; the cooperative should keep
sovereignty like pooling while it bargains with entities. Accuracy depends on how alike the
poolers' data are (try ``--set data.concept_shift=...`` in a full run).

Run:  python scenarios/scripts/sharing_vs_pooling.py results/sharing_vs_pooling  [--fast]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pandas as pd

import hetsim

BASELINE_MENU = ["local", "adopt"]
ARMS = {
    "share": ["local", "adopt", "share"],  # give data to an entity for access to its model
    "pool": ["local", "adopt", "pool"],  # pool with peers under collective ownership
    "cooperative": ["local", "adopt", "cooperative"],  # a data cooperative that licenses its pool
}
METRICS = ["dependency_share", "data_sovereignty_mean", "accuracy_mean", "hhi_data"]
FULL = {"seeds": 20, "steps": 60, "set": []}
FAST = {"seeds": 2, "steps": 6, "set": ["communities.count=8", "annotators.count=8"]}
COLUMNS = ["intervention", "metric", "baseline_mean", "mean", "diff_mean"]
COLUMNS += ["diff_ci_low", "diff_ci_high", "p_adjusted"]


def strategy_menu(path: Path, menu: list[str], name: str | None = None) -> Path:
    """Write a scenario (``name`` given) or intervention file setting the strategies allowed."""
    header = f"name = {json.dumps(name)}\n\n" if name else ""
    text = f"{header}[communities]\nstrategies = {json.dumps(menu)}\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def main(out: Path, fast: bool = False) -> pd.DataFrame:
    """Run every arm; write sharing_vs_pooling.png and sharing_vs_pooling.csv into ``out``."""
    out = Path(out)
    size = FAST if fast else FULL
    baseline = strategy_menu(out / "arms" / "no_exchange.toml", BASELINE_MENU, "no_exchange")
    arms = [str(strategy_menu(out / "arms" / f"{arm}.toml", menu)) for arm, menu in ARMS.items()]
    experiment = hetsim.compare(
        str(baseline),
        arms,
        seeds=size["seeds"],
        steps=size["steps"],
        set=size["set"],
        out=out / "runs",
        workers=1 if fast else None,
        resume=True,
        outcomes=METRICS,  # the question's outcomes: Holm adjusts over these
    )
    hetsim.plot_timeseries(out / "sharing_vs_pooling.png", experiment.runs, METRICS)
    comparison = experiment.comparison  # paired by seed, over the last 10% of steps
    late = comparison[(comparison["window"] == "last10pct") & comparison["metric"].isin(METRICS)]
    table = late[COLUMNS].reset_index(drop=True)
    table.to_csv(out / "sharing_vs_pooling.csv", index=False)
    return table


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="folder for the figure, the table and the runs")
    parser.add_argument("--fast", action="store_true", help="a tiny world, 2 seeds, 6 steps")
    args = parser.parse_args()
    print(main(args.out, fast=args.fast).to_string(index=False))

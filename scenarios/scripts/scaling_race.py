"""§3 The scaling race: does power concentrate, and which intervention slows it?

Question. Molamohammadi et al. (§3) argue that scale is self-reinforcing: entities with more
compute and data build better models, win more decisions and more data, and communities grow
dependent on models they do not control. Do audits, public compute or an open-weights mandate
slow that race?

Set-up. The `status_quo` scenario (3 entities, 40 communities, 100 annotators, 3 regulators)
against three interventions, each run on the same seeds (common random numbers), so every
difference is paired by seed.

What to look for. As docs/claims.md finds it (20 seeds × 40 steps of a smaller world; checked by
tests/claims/test_stated_results.py): in the baseline `data_sovereignty_mean` falls over the
run; `hhi_compute`, `hhi_decisions` and `dependency_share` rise in direction only. Public
compute lowers the dependency share; an open-weights mandate does not lower it (communities run
entities' open models); an audit regime lowers it in direction only. Read the paired differences
and their intervals in the table, not the gap between two means.

Run:  python scenarios/scripts/scaling_race.py results/scaling_race  [--fast]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

import hetsim

SCENARIO = "status_quo"
INTERVENTIONS = ["audit_regime", "public_compute", "open_weights_mandate"]
METRICS = ["hhi_compute", "hhi_decisions", "dependency_share", "data_sovereignty_mean"]
FULL = {"seeds": 20, "steps": 100, "set": []}
FAST = {"seeds": 2, "steps": 6, "set": ["communities.count=8", "annotators.count=8"]}
COLUMNS = ["intervention", "metric", "baseline_mean", "mean", "diff_mean"]
COLUMNS += ["diff_ci_low", "diff_ci_high", "effect_size", "p_adjusted"]


def main(out: Path, fast: bool = False) -> pd.DataFrame:
    """Run the comparison; write scaling_race.png and scaling_race.csv into ``out``."""
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
    hetsim.plot_timeseries(out / "scaling_race.png", experiment.runs, METRICS)
    comparison = experiment.comparison
    late = comparison[(comparison["window"] == "last10pct") & comparison["metric"].isin(METRICS)]
    table = late[COLUMNS].reset_index(drop=True)
    table.to_csv(out / "scaling_race.csv", index=False)
    return table


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="folder for the figure, the table and the runs")
    parser.add_argument("--fast", action="store_true", help="a tiny world, 2 seeds, 6 steps")
    args = parser.parse_args()
    print(main(args.out, fast=args.fast).to_string(index=False))

"""§2.2, §3 Which mix of audits and public compute least concentrates decisions, at what accuracy?

Question. Audits (§3) and public compute (§2.2) are the two levers a regulator holds against
the concentration of decisions in a few large entities' models. Each can cost accuracy: audits
and fines change which models entities deploy, public compute moves communities onto their
own smaller models. Which mixes of audit rate and public compute are not beaten on both
counts — decisions least concentrated (`hhi_decisions`) and accuracy highest
(`accuracy_mean`)?

Set-up. `hetsim.optimise` over `regulators.audit_probability` (0–1) and
`communities.public_compute` (0–1,200 records/step) of the `status_quo` world: ε-NSGA-II (EMA
Workbench) proposes mixes, each is run on the same seeds and scored by its mean over them
(over the last 10% of steps); the Pareto front is what no other mix beats on both.

What to look for. In the figure's left panel, the front's shape: a steep front means
concentration can be lowered at little accuracy cost; a flat one, that every gain costs
accuracy. In the right panel, where the front's mixes lie in lever space: whether one lever
alone reaches the front, or only the two together. `optimisation.md` gives the convergence
(ε-progress and hypervolume): a front still moving at the end is not settled.

Run:  python scenarios/scripts/audit_compute_mix.py results/audit_compute_mix  [--fast]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

import hetsim

LEVERS = ["regulators.audit_probability=0:1", "communities.public_compute=0:1200"]
FULL = {"nfe": 100, "population": 12, "seeds": 3, "steps": 40, "set": ["communities.count=12"]}
FAST = {"nfe": 8, "population": 4, "seeds": 1, "steps": 3, "set": ["communities.count=6"]}


def main(out: Path, fast: bool = False) -> pd.DataFrame:
    """Search the mixes; write the front's table and figure into ``out``."""
    out = Path(out)
    size = FAST if fast else FULL
    experiment = hetsim.optimise(
        "status_quo",
        LEVERS,
        minimise=["hhi_decisions"],
        maximise=["accuracy_mean"],
        nfe=size["nfe"],
        population=size["population"],
        seeds=size["seeds"],
        steps=size["steps"],
        set=size["set"],
        out=out / "optimise",
        workers=1 if fast else None,
        resume=(out / "optimise" / "manifest.json").exists(),
    )
    front = pd.read_csv(experiment.out_dir / "front.csv")
    evaluated = pd.read_csv(experiment.out_dir / "evaluations.csv")
    front.to_csv(out / "audit_compute_mix.csv", index=False)

    from matplotlib.figure import Figure

    audit, compute = (text.split("=")[0] for text in LEVERS)
    figure = Figure(figsize=(9, 3.4))
    left, right = figure.subplots(1, 2)
    left.scatter(evaluated["hhi_decisions"], evaluated["accuracy_mean"], s=10, c="#bbbbbb",
                 label="mixes evaluated")  # fmt: skip
    left.scatter(front["hhi_decisions"], front["accuracy_mean"], s=22, c="#1f4e79",
                 label="Pareto front")  # fmt: skip
    left.set(xlabel="decision concentration (HHI, lower better)", ylabel="mean accuracy")
    left.legend(frameon=False, fontsize=8)
    right.scatter(evaluated[audit], evaluated[compute], s=10, c="#bbbbbb")
    points = right.scatter(front[audit], front[compute], s=22, c=front["hhi_decisions"])
    right.set(xlabel="audit probability", ylabel="public compute (records/step)")
    figure.colorbar(points, ax=right, label="HHI of decisions")
    figure.tight_layout()
    figure.savefig(out / "audit_compute_mix.png", dpi=110, metadata={"Software": None})
    return front


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="folder for the figure, the table and the runs")
    parser.add_argument("--fast", action="store_true", help="a tiny world, 8 mixes, 3 steps")
    args = parser.parse_args()
    print(main(args.out, fast=args.fast).to_string(index=False))

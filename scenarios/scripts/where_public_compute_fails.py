"""§2.2, §3 Public compute under deep uncertainty: in which worlds does it fail?

Question. Public compute narrows the resource gap of §2.2, and the intervention file expects it
to lower dependency on the large entities (§3). A policy researcher needs more than the
average effect: in which worlds — how much expertise communities have, how much money, how
dear the entities' models are, how much compute buys capacity — does it fail to lower
dependency at all?

Set-up. `hetsim.discover` over four uncertain keys of the `status_quo` world (a Latin
hypercube, EMA Workbench): each world is run without and with `public_compute` on the same
seeds; a world *fails* when the paired effect on `dependency_share` (with minus without, mean
over the last 10% of steps and over seeds) is ≥ 0. PRIM then finds the box of failing worlds,
extra trees score the uncertainties.

What to look for. In `worlds.csv`, how many worlds fail and how the effect varies with each
uncertainty (the figure: the effect against each key, failing worlds marked); in
`discovery.md`, the PRIM box (its coverage and density) and which keys it restricts; a key
the box leaves unrestricted, and that scores low, does not decide where the lever fails.

Run:  python scenarios/scripts/where_public_compute_fails.py results/discover  [--fast]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

import hetsim

UNCERTAIN = [
    "communities.expertise=0.2:0.9",
    "communities.budget=1:10",
    "learning.capacity_compute=1000:20000",
    "large_entities.access_price=0.2:3",
]
FULL = {"samples": 60, "seeds": 3, "steps": 60, "set": ["communities.count=20"]}
FAST = {"samples": 4, "seeds": 1, "steps": 3, "set": ["communities.count=6"]}


def main(out: Path, fast: bool = False) -> pd.DataFrame:
    """Discover where public compute fails; write the figure and the worlds table into ``out``."""
    out = Path(out)
    size = FAST if fast else FULL
    experiment = hetsim.discover(
        "status_quo",
        ["public_compute"],
        UNCERTAIN,
        outcome="dependency_share",
        fails_when="effect >= 0",
        samples=size["samples"],
        seeds=size["seeds"],
        steps=size["steps"],
        set=size["set"],
        out=out / "discovery",
        workers=1 if fast else None,
        resume=(out / "discovery" / "manifest.json").exists(),
    )
    worlds = pd.read_csv(experiment.out_dir / "worlds.csv")
    worlds.to_csv(out / "where_public_compute_fails.csv", index=False)

    from matplotlib.figure import Figure

    keys = [text.split("=")[0] for text in UNCERTAIN]
    figure = Figure(figsize=(9, 2.8))
    axes = figure.subplots(1, len(keys), sharey=True)
    for ax, key in zip(axes, keys, strict=True):
        ok, bad = worlds[~worlds["fails"]], worlds[worlds["fails"]]
        ax.scatter(ok[key], ok["effect"], s=12, color="#4c72b0", label="lowers dependency")
        ax.scatter(bad[key], bad["effect"], s=14, color="#dd8452", marker="x", label="fails")
        ax.axhline(0.0, color="black", linewidth=0.8, linestyle="--")
        ax.set_xlabel(key.split(".")[-1].replace("_", " "))
    axes[0].set_ylabel("effect on dependency share")
    axes[0].legend(frameon=False, fontsize=8)
    figure.tight_layout()
    figure.savefig(out / "where_public_compute_fails.png", dpi=110, metadata={"Software": None})
    return worlds


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="folder for the figure, the table and the runs")
    parser.add_argument("--fast", action="store_true", help="a tiny world, 4 worlds, 3 steps")
    args = parser.parse_args()
    print(main(args.out, fast=args.fast).to_string(index=False))

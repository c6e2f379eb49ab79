"""Write docs/compute_access.md from two sweeps of the status quo over communities.compute_share.

    hetsim sweep status_quo --seeds 20 --param communities.compute_share=0,0.25,0.05,0.1,0.5 \\
        --out results/compute_access
    hetsim sweep status_quo --seeds 20 --set exchange.data_sharing=false \\
        --param communities.compute_share=0,0.25 --out results/compute_access_nosharing
    python docs/make_compute_access.py results/compute_access results/compute_access_nosharing
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

from hetsim.analysis.statistics import mean_ci

DOC = Path(__file__).resolve().parent / "compute_access.md"
RISES = ["hhi_compute", "hhi_decisions", "dependency_share", "data_sovereignty_mean"]
ENDS = [
    "dependency_share",
    "strategy_local_share",
    "accuracy_mean",
    "compute_dependency_mean",
    "entities_active",
    "hhi_data",
]


def load(folder: Path) -> pd.DataFrame:
    """One row per (compute_share, seed): rises (last 10 − first 10 steps) and end levels."""
    rows = []
    for point in sorted((folder / "runs").iterdir()):
        for run in sorted(point.glob("seed=*.parquet")):
            m = pd.read_parquet(run)
            share = float(m["communities.compute_share"].iloc[0])
            early = m[m["step"] <= 10]
            late = m[m["step"] > m["step"].max() - 10]
            row = {"compute_share": share, "seed": int(run.stem.split("=")[1])}
            row |= {f"rise_{c}": late[c].mean() - early[c].mean() for c in RISES}
            row |= {f"end_{c}": late[c].mean() for c in ENDS}
            rows.append(row)
    return pd.DataFrame(rows)


def fmt(values: np.ndarray, digits: int = 3) -> str:
    mean, lo, hi = mean_ci(values)
    return f"{mean:+.{digits}f} [{lo:+.{digits}f}, {hi:+.{digits}f}]"


def main(folder: str, nosharing: str) -> None:
    runs, off = load(Path(folder)), load(Path(nosharing))
    lines = []
    for share, g in runs.groupby("compute_share"):
        g = g.sort_values("seed")
        lines.append(
            f"| {share:g} | {len(g)} | "
            + " | ".join(fmt(g[f"rise_{c}"].to_numpy()) for c in RISES)
            + " | "
            + " | ".join(f"{g[f'end_{c}'].mean():.3g}" for c in ENDS)
            + " |"
        )
    paired = []
    for share, g in runs.groupby("compute_share"):
        h = off[off["compute_share"] == share]
        if h.empty:
            continue
        both = g.merge(h, on="seed", suffixes=("", "_off"))
        paired.append(
            f"| {share:g} | {len(both)} | "
            + " | ".join(
                fmt((both[f"rise_{c}"] - both[f"rise_{c}_off"]).to_numpy())
                for c in ("hhi_compute", "hhi_decisions", "dependency_share")
            )
            + f" | {fmt((both['end_hhi_data'] - both['end_hhi_data_off']).to_numpy(), 4)} |"
        )
    print("\n".join(lines))
    print("\n".join(paired))
    return lines, paired


if __name__ == "__main__":
    main(*sys.argv[1:3])

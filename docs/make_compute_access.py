"""Write docs/compute_access.md from two sweeps of the status quo over communities.compute_share.

    hetsim sweep status_quo --seeds 20 --param communities.compute_share=0,0.25,0.05,0.1,0.5 \\
        --out results/compute_access
    hetsim sweep status_quo --seeds 20 --set exchange.data_sharing=false \\
        --param communities.compute_share=0,0.25 --out results/compute_access_nosharing
    hetsim sweep status_quo --seeds 20 --set large_entities.entry_when_profitable.slots=0 \
        --param communities.compute_share=0,0.25 --out results/compute_access_noentry
    python docs/make_compute_access.py results/compute_access results/compute_access_nosharing \
        results/compute_access_noentry
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


HEADER = (
    "| compute_share | seeds | HHI compute rise | HHI decisions rise | dependency rise "
    "| sovereignty rise | dependency end | local share end | accuracy end "
    "| compute rented share end | entities operating end | HHI data end |\n"
    "|---|---|---|---|---|---|---|---|---|---|---|---|"
)


def table(runs: pd.DataFrame) -> list[str]:
    """One row per compute_share: rises with 95% CIs over seeds, end levels as means."""
    lines = [HEADER]
    for share, g in runs.groupby("compute_share"):
        lines.append(
            f"| {share:g} | {len(g)} | "
            + " | ".join(fmt(g[f"rise_{c}"].to_numpy()) for c in RISES)
            + " | "
            + " | ".join(f"{g[f'end_{c}'].mean():.3g}" for c in ENDS)
            + " |"
        )
    return lines


def paired(runs: pd.DataFrame, other: pd.DataFrame) -> list[str]:
    """Per compute_share: paired (same seed) differences of the rises, runs minus other."""
    lines = [
        "| compute_share | seeds | HHI compute rise | HHI decisions rise | dependency rise "
        "| HHI data end |",
        "|---|---|---|---|---|---|",
    ]
    for share, g in runs.groupby("compute_share"):
        h = other[other["compute_share"] == share]
        if h.empty:
            continue
        both = g.merge(h, on="seed", suffixes=("", "_off"))
        lines.append(
            f"| {share:g} | {len(both)} | "
            + " | ".join(
                fmt((both[f"rise_{c}"] - both[f"rise_{c}_off"]).to_numpy())
                for c in ("hhi_compute", "hhi_decisions", "dependency_share")
            )
            + f" | {fmt((both['end_hhi_data'] - both['end_hhi_data_off']).to_numpy(), 4)} |"
        )
    return lines


def main(folder: str, nosharing: str, noentry: str) -> None:
    runs, off, closed = (load(Path(f)) for f in (folder, nosharing, noentry))
    text = DOC.read_text(encoding="utf-8")
    head = text.split("<!-- generated -->", 1)[0]
    body = [
        "<!-- generated -->",
        "",
        "### The status quo as communities get access to the market (20 seeds × 100 steps)",
        "",
        "Rises are the mean of the last 10 steps minus the first 10, with a 95% t-interval",
        "over seeds; end levels are means of the last 10 steps.",
        "",
        *table(runs),
        "",
        "### Without profitable entry (`large_entities.entry_when_profitable.slots = 0`)",
        "",
        *table(closed),
        "",
        "### Data sharing: with minus without (`exchange.data_sharing`), paired by seed",
        "",
        *paired(runs, off),
        "",
    ]
    DOC.write_text(head + "\n".join(body), encoding="utf-8")
    print(f"wrote {DOC}")


if __name__ == "__main__":
    main(*sys.argv[1:4])

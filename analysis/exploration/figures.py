"""Figures of a discovery: PRIM's coverage–density trade-off and the failing worlds."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd


def plot_discovery(worlds: pd.DataFrame, box, scores: pd.DataFrame, out_dir: Path) -> list[Path]:
    """``prim_tradeoff.png`` and ``worlds.png`` (the two top-scoring uncertainties)."""
    out_dir = Path(out_dir)
    paths = []
    fig, ax = plt.subplots(figsize=(5.5, 4.2), layout="constrained")
    t = box.trajectory
    points = ax.scatter(t["coverage"], t["density"], c=t["res_dim"], cmap="viridis", s=18)
    chosen = t.iloc[box.chosen]
    ax.scatter([chosen["coverage"]], [chosen["density"]], s=120, facecolors="none",
               edgecolors="crimson", linewidths=1.5, label="reported box")  # fmt: skip
    ax.set(xlabel="coverage (share of failures in the box)", ylabel="density (share failing)",
           xlim=(0, 1.02), ylim=(0, 1.02), title="PRIM peeling trajectory")  # fmt: skip
    fig.colorbar(points, ax=ax, label="restricted dimensions")
    ax.legend(loc="lower left")
    paths.append(out_dir / "prim_tradeoff.png")
    fig.savefig(paths[-1], dpi=150)
    plt.close(fig)

    top = list(scores["uncertainty"][:2])
    if len(top) == 2:
        fig, ax = plt.subplots(figsize=(5.5, 4.2), layout="constrained")
        ok = worlds[~worlds["fails"]]
        bad = worlds[worlds["fails"]]
        ax.scatter(ok[top[0]], ok[top[1]], s=16, c="#4c72b0", label="works")
        ax.scatter(bad[top[0]], bad[top[1]], s=16, c="#dd8452", marker="x", label="fails")
        lims = box.limits.set_index("uncertainty")
        x0, x1 = ax.get_xlim()
        y0, y1 = ax.get_ylim()
        xl = tuple(lims.loc[top[0], ["lower", "upper"]]) if top[0] in lims.index else (x0, x1)
        yl = tuple(lims.loc[top[1], ["lower", "upper"]]) if top[1] in lims.index else (y0, y1)
        corner, width, height = (xl[0], yl[0]), xl[1] - xl[0], yl[1] - yl[0]
        edge = {"edgecolor": "crimson", "linewidth": 1.5, "label": "PRIM box"}
        ax.add_patch(plt.Rectangle(corner, width, height, fill=False, **edge))
        ax.set(xlabel=top[0], ylabel=top[1], title="Worlds sampled")
        ax.legend(loc="best")
        paths.append(out_dir / "worlds.png")
        fig.savefig(paths[-1], dpi=150)
        plt.close(fig)
    return paths

"""The exchange network figure of a report: who sends data, compute, models, money to whom.

Drawn like every analysis figure (:mod:`hetsim.analysis.figures`): a
:class:`matplotlib.figure.Figure` on the Agg canvas, saved without a date, laid out with a
fixed seed, so the same flows give a byte-identical PNG.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.lines import Line2D

from hetsim.analysis.plotting import RC, mpl_text, new_figure, save

__all__ = ["FLOW_COLOURS", "NETWORK_LAYOUT_SEED", "plot_network"]

FLOW_COLOURS: dict[str, str] = {
    "data": "#1f77b4",
    "compute": "#ff7f0e",
    "model": "#2ca02c",
    "money": "#9467bd",
}
"""Edge colour of each flow kind in the network figure; other kinds are drawn grey."""

NETWORK_LAYOUT_SEED = 20240607
"""Seed of the spring layout, so the network figure is reproducible."""
_OTHER_KIND_COLOUR = "#7f7f7f"


def plot_network(path: Path, flows: pd.DataFrame) -> Path:
    """Exchange network of one step: who sends data, compute, models and money to whom.

    Flows are summed per (source, target, kind). Node area is proportional to the node's
    total in-flow (all kinds summed, negative amounts ignored); edge colour is the kind;
    edge width is the amount relative to the largest flow *of the same kind* (kinds have
    different units). Parallel edges of different kinds are drawn as arcs of different
    curvature. The spring layout uses :data:`NETWORK_LAYOUT_SEED` on nodes inserted in
    sorted order, so the figure is reproducible. With more than 25 nodes only the 15 with
    the largest in-flow are labelled.

    Args:
        path: PNG file to write.
        flows: Table with columns ``source, target, kind, amount``.

    Returns:
        ``path``.
    """
    import networkx as nx

    missing = {"source", "target", "kind", "amount"} - set(flows.columns)
    if missing:
        raise ValueError(f"flows is missing column(s): {sorted(missing)}")
    f = pd.DataFrame(
        {
            "source": flows["source"].astype(str),
            "target": flows["target"].astype(str),
            "kind": flows["kind"].astype(str),
            "amount": pd.to_numeric(flows["amount"], errors="coerce").fillna(0.0),
        }
    )
    f = f.groupby(["source", "target", "kind"], sort=True)["amount"].sum().reset_index()
    nodes = sorted(set(f["source"]) | set(f["target"]))
    inflow = f.assign(a=f["amount"].clip(lower=0)).groupby("target")["a"].sum()
    inflow = inflow.reindex(nodes, fill_value=0.0)
    kinds = [k for k in FLOW_COLOURS if k in set(f["kind"])]
    kinds += sorted(set(f["kind"]) - set(FLOW_COLOURS))

    with matplotlib.rc_context(RC):
        fig = new_figure(8.0, 6.5)
        ax = fig.subplots()
        ax.set_axis_off()
        if not nodes:
            ax.text(0.5, 0.5, "no flows at the last step", ha="center", va="center")
            return save(fig, path)

        layout_graph = nx.Graph()
        layout_graph.add_nodes_from(nodes)
        layout_graph.add_edges_from(zip(f["source"], f["target"], strict=True))
        pos = nx.spring_layout(layout_graph, seed=NETWORK_LAYOUT_SEED)

        max_in = float(inflow.max())
        sizes = 80.0 + (1400.0 * inflow / max_in if max_in > 0 else 0.0 * inflow)
        size_of = dict(zip(nodes, np.asarray(sizes, dtype=float), strict=True))
        graph = nx.DiGraph()
        graph.add_nodes_from(nodes)
        nx.draw_networkx_nodes(
            graph,
            pos,
            ax=ax,
            nodelist=nodes,
            node_size=[size_of[n] for n in nodes],
            node_color="#dddddd",
            edgecolors="#444444",
            linewidths=0.8,
        )
        for i, kind in enumerate(kinds):
            fk = f[(f["kind"] == kind) & (f["source"] != f["target"])]
            if fk.empty:
                continue
            top = float(fk["amount"].abs().max())
            widths = 0.6 + 3.4 * (fk["amount"].abs() / top if top > 0 else 0.0 * fk["amount"])
            edges = list(zip(fk["source"], fk["target"], strict=True))
            g = nx.DiGraph()
            g.add_nodes_from(nodes)
            g.add_edges_from(edges)
            nx.draw_networkx_edges(
                g,
                pos,
                ax=ax,
                edgelist=edges,
                width=list(np.asarray(widths, dtype=float)),
                edge_color=FLOW_COLOURS.get(kind, _OTHER_KIND_COLOUR),
                alpha=0.75,
                arrows=True,
                arrowsize=10,
                nodelist=nodes,
                node_size=[size_of[n] for n in nodes],
                connectionstyle=f"arc3,rad={0.08 + 0.1 * i:.2f}",
            )
        if len(nodes) <= 25:
            labelled = nodes
        else:
            labelled = sorted(inflow.sort_values(ascending=False, kind="mergesort").index[:15])
        nx.draw_networkx_labels(
            graph, pos, ax=ax, labels={n: mpl_text(n) for n in labelled}, font_size=7
        )
        handles = [
            Line2D(
                [],
                [],
                color=FLOW_COLOURS.get(k, _OTHER_KIND_COLOUR),
                linewidth=2.5,
                label=mpl_text(k),
            )
            for k in kinds
        ]
        ax.legend(handles=handles, title="flow kind", loc="upper left", frameon=False)
        ax.set_title("Exchange network at the last step (node area ∝ total in-flow)", fontsize=9)
        fig.tight_layout()
        return save(fig, path)

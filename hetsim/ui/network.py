"""The exchange network figure: organisations by role, this step's flows by kind.

Built once per model (node positions depend only on the names, so the picture does not jump)
and updated every step: node sizes follow the share of decisions, edges are redrawn. Each flow
kind runs on its own lane (a small sideways offset) so data, model, compute and money flows
between the same pair stay distinguishable instead of blending into one colour.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import networkx as nx
import numpy as np
from matplotlib.artist import Artist
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from hetsim.ui.figures import LEGEND_PT

if TYPE_CHECKING:
    from hetsim.simulation.model import EcosystemModel

ROLE_COLOURS: dict[str, str] = {
    "large_entity": "#d1495b",
    "community": "#00798c",
    "annotators": "#edae49",
    "regulator": "#30638e",
}
ROLE_LABELS: dict[str, str] = {
    "large_entity": "large entity",
    "community": "community",
    "annotators": "annotators (pooled)",
    "regulator": "regulator",
}
# Flow kind → colour and lane (sideways offset, in axis units, to the right of travel).
FLOW_STYLE: dict[str, tuple[str, float]] = {
    "data": ("#2a9d8f", 0.012),
    "model": ("#e76f51", -0.012),
    "compute": ("#6a4c93", 0.030),
    "money": ("#8d8d8d", -0.030),
}
ENTRANT_EDGE = "#9a9a9a"
"""Outline of a large entity that has not entered the market yet (drawn hollow)."""
LABELLED_COMMUNITIES = 3
"""Communities labelled by name: those whose models make the most decisions."""


def _role(node: str, attrs: dict) -> str:
    role = attrs.get("role")
    if node == "annotators" or role in ("annotator", "annotators"):
        return "annotators"
    return role or "community"


def network_layout(graph: nx.DiGraph) -> dict[str, tuple[float, float]]:
    """Fixed positions by role: entities inside, communities on a ring, regulators outside."""
    by_role: dict[str, list[str]] = {}
    for node, attrs in graph.nodes(data=True):
        by_role.setdefault(_role(node, attrs), []).append(node)
    pos: dict[str, tuple[float, float]] = {}

    def ring(nodes: list[str], radius: float, phase: float = 0.0) -> None:
        nodes = sorted(nodes, key=lambda n: (len(n), n))
        for i, node in enumerate(nodes):
            angle = phase + 2 * np.pi * i / max(len(nodes), 1)
            pos[node] = (radius * np.cos(angle), radius * np.sin(angle))

    entities = by_role.get("large_entity", [])
    ring(entities, 0.0 if len(entities) == 1 else 0.28, np.pi / 2)
    ring(by_role.get("community", []), 1.0)
    ring(by_role.get("regulator", []), 1.35, np.pi / 4)
    for node in by_role.get("annotators", []):
        pos[node] = (0.0, -1.35)
    return pos


def decision_shares(model: EcosystemModel) -> dict[str, float]:
    """Share of this step's decisions made by each organisation's models."""
    decisions = np.asarray(model.deployment.decisions, dtype=float)
    total = decisions.sum()
    names = model.ledger.org_names()
    share = decisions / total if total > 0 else np.zeros_like(decisions)
    return {name: float(s) for name, s in zip(names, share, strict=False)}


def edge_segments(
    edges: list[tuple[str, str]], pos: dict[str, tuple[float, float]], lane: float
) -> np.ndarray:
    """Segments (E, 2, 2) from source to target, shifted ``lane`` to the right of travel."""
    start = np.array([pos[u] for u, _ in edges], dtype=float).reshape(-1, 2)
    end = np.array([pos[v] for _, v in edges], dtype=float).reshape(-1, 2)
    direction = end - start
    length = np.maximum(np.hypot(direction[:, 0], direction[:, 1]), 1e-9)[:, None]
    right = np.stack([direction[:, 1], -direction[:, 0]], axis=1) / length
    shift = lane * right
    return np.stack([start + shift, end + shift], axis=1)


def edge_width(amounts: np.ndarray) -> np.ndarray:
    """Line width by the logarithm of the amount, 0.5 (smallest) to 3 (largest of its kind)."""
    amounts = np.asarray(amounts, dtype=float)
    top = max(float(np.log1p(amounts.max())) if amounts.size else 0.0, 1e-9)
    return 0.5 + 2.5 * np.log1p(amounts) / top


class NetworkFigure:
    """The exchange network of one model, updated in place every step."""

    def __init__(self, model: EcosystemModel) -> None:
        graph = model.ledger.flow_graph()
        self.pos = network_layout(graph)
        self.figure = Figure(figsize=(6.4, 4.6))
        ax = self.ax = self.figure.add_axes((0.0, 0.0, 0.64, 0.93))
        ax.set_axis_off()
        ax.set_aspect("equal")
        ax.set_xlim(-1.6, 1.6)
        ax.set_ylim(-1.55, 1.55)
        self.edges = {
            kind: ax.add_collection(
                LineCollection([], colors=colour, alpha=0.3 if kind == "money" else 0.6, zorder=1)
            )
            for kind, (colour, _lane) in FLOW_STYLE.items()
        }
        self.nodes: dict[str, tuple[list[str], object]] = {}
        for role, colour in ROLE_COLOURS.items():
            names = [n for n, d in graph.nodes(data=True) if _role(n, d) == role]
            if not names:
                continue
            xy = np.array([self.pos[n] for n in names])
            dots = ax.scatter(
                xy[:, 0], xy[:, 1], s=30, c=colour, edgecolors="white", linewidths=0.8, zorder=2
            )
            self.nodes[role] = (names, dots)
            if role != "community":
                for name, (x, y) in zip(names, xy, strict=True):
                    text = "A" if role == "annotators" else name
                    ax.text(
                        x,
                        y,
                        text,
                        ha="center",
                        va="center",
                        fontsize=7,
                        color="white",
                        fontweight="bold",
                        zorder=3,
                    )
        self.community_labels = [
            ax.text(
                0,
                0,
                "",
                fontsize=7,
                ha="center",
                va="center",
                zorder=4,
                bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.8},
            )
            for _ in range(LABELLED_COMMUNITIES)
        ]
        handles = [
            Line2D([], [], marker="o", ls="", color=c, markersize=7, label=ROLE_LABELS[r])
            for r, c in ROLE_COLOURS.items()
        ]
        handles.append(
            Line2D(
                [], [], marker="o", ls="", markersize=7, markerfacecolor="white",
                markeredgecolor=ENTRANT_EDGE, label="entrant, not yet operating",
            )
        )  # fmt: skip
        handles += [
            Line2D([], [], color=c, lw=2, label=f"{k} flow") for k, (c, _) in FLOW_STYLE.items()
        ]
        handles += [
            Line2D([], [], color="#555555", lw=w, label=text)
            for w, text in ((0.5, "smallest flow of its kind"), (3.0, "largest flow of its kind"))
        ]
        self.figure.legend(  # beside the network, under the title: nothing overlaps
            handles=handles,
            loc="center left",
            fontsize=LEGEND_PT,
            frameon=False,
            ncols=1,
            bbox_to_anchor=(0.62, 0.46),
        )
        self.title = self.figure.suptitle("", fontsize=9, x=0.02, y=0.99, ha="left")
        self.update(model)

    def dynamic(self) -> list[Artist]:
        """Artists that change from frame to frame (node labels too: they sit on the nodes)."""
        return [
            *self.edges.values(),
            *(dots for _, dots in self.nodes.values()),
            *self.ax.texts,
            self.title,
        ]

    def update(self, model: EcosystemModel) -> Figure:
        """Redraw this step's flows, node sizes and labels; return the figure."""
        graph = model.ledger.flow_graph()
        share = decision_shares(model)
        for kind, (_colour, lane) in FLOW_STYLE.items():
            edges = [(u, v, d[kind]) for u, v, d in graph.edges(data=True) if d.get(kind)]
            collection = self.edges[kind]
            if not edges:
                collection.set_segments([])
                continue
            amounts = np.array([a for _, _, a in edges], dtype=float)
            collection.set_segments(edge_segments([(u, v) for u, v, _ in edges], self.pos, lane))
            collection.set_linewidths(edge_width(amounts))
        for role, (names, dots) in self.nodes.items():
            if role == "annotators":
                sizes = np.full(len(names), 260.0)
            elif role == "regulator":
                sizes = np.full(len(names), 160.0)
            else:
                smallest = 160.0 if role == "large_entity" else 30.0  # entity labels stay readable
                sizes = np.array([smallest + 1400 * share.get(n, 0.0) for n in names])
            dots.set_sizes(sizes)
            if role == "large_entity":  # entrants not yet operating: hollow, grey outline
                active = np.asarray(model.entity_arrays.active, dtype=bool)
                operating = [bool(active[int(n[1:])]) for n in names]
                colour = ROLE_COLOURS[role]
                dots.set_facecolors([colour if on else "white" for on in operating])
                dots.set_edgecolors(["white" if on else ENTRANT_EDGE for on in operating])
        communities = self.nodes.get("community", ([], None))[0]
        top = sorted(communities, key=lambda n: (-share.get(n, 0.0), len(n), n))
        for label, name in zip(
            self.community_labels, top + [None] * LABELLED_COMMUNITIES, strict=False
        ):
            if name is None or share.get(name, 0.0) <= 0:
                label.set_text("")
                continue
            x, y = self.pos[name]
            label.set_position((1.17 * x, 1.12 * y))
            label.set_text(f"{name} {share[name]:.0%}")
        self.title.set_text(
            f"Exchange network, step {model.steps} · node size: share of decisions · "
            f"labelled: top {LABELLED_COMMUNITIES} communities"
        )
        return self.figure


def network_figure(model: EcosystemModel) -> Figure:
    """The exchange network at the current step, as a new figure."""
    return NetworkFigure(model).figure

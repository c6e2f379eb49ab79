"""Figures for the browser UI, as pure functions of a model (or a table) → matplotlib Figure.

Each function builds a ``matplotlib.figure.Figure`` without pyplot, so it is safe in a server
thread and testable without a browser. The app (``app.py``) only wraps these in Solara.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import networkx as nx
import numpy as np
import pandas as pd
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator

from hetsim.simulation.recorder import MAIN_METRICS

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
FLOW_COLOURS: dict[str, str] = {
    "data": "#2a9d8f",
    "model": "#e76f51",
    "compute": "#6a4c93",
    "money": "#b0b0b0",
}
STRATEGY_COLOURS: dict[str, str] = {"local": "#00798c", "adopt": "#d1495b", "share": "#edae49"}
STRATEGY_NAMES = ("local", "adopt", "share")

TIME_SERIES_PANELS: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    (
        "Concentration (HHI)",
        (("hhi_compute", "compute"), ("hhi_data", "data"), ("hhi_decisions", "decisions")),
    ),
    (
        "Dependency, sovereignty, trust",
        (
            ("dependency_share", "dependency share"),
            ("data_sovereignty_mean", "data sovereignty"),
            ("trust_mean", "trust in entities"),
        ),
    ),
    ("Energy of training (kWh)", (("energy_kwh", "energy"),)),
)
"""Panels of the time-series figure: title and (metric column, label) pairs."""

ENSEMBLE_METRICS: tuple[str, ...] = MAIN_METRICS
"""Main metrics shown by the ensemble panel."""


def _role(node: str, attrs: dict) -> str:
    role = attrs.get("role")
    if node == "annotators" or role in ("annotator", "annotators"):
        return "annotators"
    return role or "community"


def network_layout(graph: nx.DiGraph) -> dict[str, tuple[float, float]]:
    """Fixed positions by role: entities inside, communities on a ring, regulators outside.

    Positions depend only on the node names, so the picture does not jump between steps.
    """
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


def network_figure(model: EcosystemModel, *, title: str | None = None) -> Figure:
    """The exchange network at the current step: who sends data, models, compute and money.

    Nodes are organisations (annotators pooled into one node), coloured by role and sized by
    their share of decisions; edges are this step's flows, coloured by kind.
    """
    graph = model.ledger.flow_graph()
    fig = Figure(figsize=(6.4, 4.4))
    ax = fig.add_axes((0.0, 0.0, 1.0, 0.93))
    ax.set_axis_off()
    ax.set_aspect("equal")
    ax.set_xlim(-1.6, 1.6)
    ax.set_ylim(-1.6, 1.6)
    pos = network_layout(graph)
    share = decision_shares(model)

    for kind in ("money", "compute", "data", "model"):
        edges = [(u, v, d.get(kind, 0.0)) for u, v, d in graph.edges(data=True) if d.get(kind)]
        if not edges:
            continue
        amounts = np.array([a for _, _, a in edges], dtype=float)
        width = 0.5 + 2.5 * np.log1p(amounts) / max(np.log1p(amounts.max()), 1e-9)
        start = np.array([pos[u] for u, _, _ in edges])
        end = np.array([pos[v] for _, v, _ in edges])
        alpha = 0.55 if kind != "money" else 0.3
        # One collection per kind (fast); width grows with the logarithm of the amount.
        ax.add_collection(
            LineCollection(
                np.stack([start, end], axis=1),
                linewidths=width,
                colors=FLOW_COLOURS[kind],
                alpha=alpha,
                zorder=1,
            )
        )

    for role, colour in ROLE_COLOURS.items():
        nodes = [n for n, d in graph.nodes(data=True) if _role(n, d) == role]
        if not nodes:
            continue
        xy = np.array([pos[n] for n in nodes])
        smallest = 160.0 if role == "large_entity" else 30.0  # entity labels stay readable
        sizes = np.array([smallest + 1400 * share.get(n, 0.0) for n in nodes])
        if role in ("annotators", "regulator"):
            sizes = np.full(len(nodes), 260.0 if role == "annotators" else 160.0)
        ax.scatter(
            xy[:, 0], xy[:, 1], s=sizes, c=colour, edgecolors="white", linewidths=0.8, zorder=2
        )
        if role != "community":
            for n, (x, y) in zip(nodes, xy, strict=True):
                ax.text(
                    x,
                    y,
                    n if role != "annotators" else "A",
                    ha="center",
                    va="center",
                    fontsize=7,
                    color="white",
                    zorder=3,
                    fontweight="bold",
                )

    handles = [
        Line2D([], [], marker="o", ls="", color=c, markersize=7, label=ROLE_LABELS[r])
        for r, c in ROLE_COLOURS.items()
    ] + [Line2D([], [], color=c, lw=2, label=f"{k} flow") for k, c in FLOW_COLOURS.items()]
    ax.legend(
        handles=handles,
        loc="upper left",
        fontsize=7,
        frameon=False,
        ncols=2,
        bbox_to_anchor=(-0.02, 1.02),
    )
    ax.set_title(
        title or f"Exchange network, step {model.steps} (node size: share of decisions)", fontsize=9
    )
    return fig


def time_series_figure(metrics: pd.DataFrame) -> Figure:
    """Concentration, dependency, sovereignty, trust and energy over the steps run so far."""
    fig = Figure(figsize=(6.4, 4.4))
    fig.subplots_adjust(left=0.1, right=0.75, top=0.94, bottom=0.1, hspace=0.45)
    axes = fig.subplots(len(TIME_SERIES_PANELS), 1, sharex=True)
    for ax, (title, series) in zip(axes, TIME_SERIES_PANELS, strict=True):
        for column, label in series:
            if column in metrics and len(metrics):
                ax.plot(metrics["step"], metrics[column], label=label, lw=1.6)
        ax.set_title(title, fontsize=9, loc="left")
        ax.tick_params(labelsize=7)
        ax.grid(alpha=0.3)
        if len(series) > 1 and len(metrics):
            ax.legend(fontsize=7, frameon=False, loc="center left", bbox_to_anchor=(1.0, 0.5))
        if not title.startswith("Energy"):
            ax.set_ylim(-0.02, 1.02)
    axes[-1].set_xlabel("step (quarter)", fontsize=8)
    axes[-1].xaxis.set_major_locator(MaxNLocator(integer=True))
    if not len(metrics):
        axes[0].text(
            0.5,
            0.5,
            "press Step or ▶ to run",
            transform=axes[0].transAxes,
            ha="center",
            va="center",
            fontsize=9,
            color="grey",
        )
    return fig


def community_outcomes(model: EcosystemModel) -> pd.DataFrame:
    """Per community now: accuracy, fairness gap under its own notion, strategy; worst first."""
    accuracy = np.asarray(model.deployment.accuracy, dtype=float)
    gap = np.asarray(model.deployment.gap_own, dtype=float)
    codes = np.asarray(model.community_arrays.strategy, dtype=int)
    table = pd.DataFrame(
        {
            "community": [f"C{i}" for i in range(len(accuracy))],
            "accuracy": accuracy,
            "gap_own": gap,
            "strategy": [model.strategy_names[c] for c in codes],
        }
    )
    return table.sort_values(["accuracy", "community"], kind="stable").reset_index(drop=True)


def community_figure(model: EcosystemModel, *, worst: int = 5) -> Figure:
    """Per-community accuracy (ascending) and own-notion fairness gap (descending).

    The ``worst`` worst-served communities are outlined in black in both panels, so who is
    failed by the deployed models is visible at a glance; bar colour is the community's
    strategy (local, adopt, share).
    """
    table = community_outcomes(model)
    fig = Figure(figsize=(6.4, 4.4))
    fig.subplots_adjust(left=0.07, right=0.98, top=0.94, bottom=0.1, hspace=0.55)
    ax_acc, ax_gap = fig.subplots(2, 1)
    worst_set = set(table["community"].head(worst))
    if table.empty or model.steps == 0:
        for ax in (ax_acc, ax_gap):
            ax.set_axis_off()
        message = "no communities" if table.empty else "no decisions yet: press Step or ▶"
        ax_acc.text(0.5, 0.5, message, ha="center", va="center", color="grey", fontsize=9)
        return fig
    for ax, column, ascending, title in (
        (ax_acc, "accuracy", True, "Accuracy of the deployed model, worst-served first"),
        (ax_gap, "gap_own", False, "Fairness gap under the community's own notion, largest first"),
    ):
        data = table.sort_values(
            [column, "community"], ascending=[ascending, True], na_position="last"
        )
        x = np.arange(len(data))
        colours = [STRATEGY_COLOURS.get(s, "grey") for s in data["strategy"]]
        edge = ["black" if c in worst_set else "none" for c in data["community"]]
        ax.bar(x, data[column].fillna(0), color=colours, edgecolor=edge, linewidth=1.2)
        ax.set_title(title, fontsize=9, loc="left")
        ax.set_xticks(x if len(x) <= 40 else x[:: max(len(x) // 40, 1)])
        labels = list(data["community"])
        ax.set_xticklabels(
            labels if len(x) <= 40 else labels[:: max(len(x) // 40, 1)], rotation=90, fontsize=6
        )
        ax.tick_params(axis="y", labelsize=7)
        ax.set_ylim(0, 1)
        ax.grid(axis="y", alpha=0.3)
    handles = [
        Line2D([], [], marker="s", ls="", color=c, label=s) for s, c in STRATEGY_COLOURS.items()
    ]
    handles.append(
        Line2D(
            [],
            [],
            marker="s",
            ls="",
            markerfacecolor="white",
            markeredgecolor="black",
            label=f"{worst} worst-served",
        )
    )
    ax_acc.legend(handles=handles, fontsize=7, frameon=False, ncols=4, loc="upper left")
    return fig


def audit_figure(metrics: pd.DataFrame) -> Figure:
    """Audits and violations found per step, the |reported - audited| gap and the washing gap."""
    fig = Figure(figsize=(6.4, 3.2))
    fig.subplots_adjust(left=0.09, right=0.9, top=0.9, bottom=0.15)
    ax = fig.add_subplot()
    if len(metrics):
        ax.bar(metrics["step"], metrics["audits"], color="#30638e", alpha=0.6, label="audits")
        ax.bar(
            metrics["step"],
            metrics["violations_found"],
            color="#d1495b",
            alpha=0.9,
            label="violations found",
        )
    ax.set_xlabel("step (quarter)", fontsize=8)
    ax.set_ylabel("count", fontsize=8)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.tick_params(labelsize=7)
    ax.set_title("Audits and reported-gap error (fairness washing)", fontsize=9, loc="left")
    twin = ax.twinx()
    if len(metrics):
        twin.plot(
            metrics["step"],
            metrics["reported_gap_error_mean"],
            "o-",
            ms=2.5,
            color="#2a2a2a",
            lw=1.2,
            label="|reported - audited| gap",
        )
        if "washing_gap_mean" in metrics:
            twin.plot(
                metrics["step"],
                metrics["washing_gap_mean"],
                "s-",
                ms=2.5,
                color="#edae49",
                lw=1.2,
                label="washing gap (true - reported)",
            )
    twin.set_ylabel("gap", fontsize=8)
    twin.tick_params(labelsize=7)
    lines = ax.get_legend_handles_labels()
    lines2 = twin.get_legend_handles_labels()
    ax.legend(
        lines[0] + lines2[0],
        lines[1] + lines2[1],
        fontsize=7,
        loc="upper left",
        framealpha=0.9,
        edgecolor="none",
    )
    return fig


def status_line(model: EcosystemModel) -> str:
    """One line: step, numbers of each role and the key figures of the latest step."""
    counts = model.counts
    head = (
        f"Step {model.steps} · {counts['large_entities']} entities · "
        f"{counts['communities']} communities · {counts['annotators']} annotators · "
        f"{counts['regulators']} regulators"
    )
    metrics = model.recorder.metrics_table()
    if not len(metrics):
        return head
    last = metrics.iloc[-1]
    return (
        f"{head} · HHI compute {last['hhi_compute']:.2f} · decisions "
        f"{last['hhi_decisions']:.2f} · dependency {last['dependency_share']:.2f} · "
        f"worst accuracy {last['accuracy_min_community']:.2f} · trust {last['trust_mean']:.2f}"
    )


def paired_ensemble(
    scenario: str,
    overrides: Sequence[str],
    interventions: Sequence[str],
    intervention: str,
    seeds: Sequence[int],
    steps: int,
    on_progress: Callable[[int, int], None] | None = None,
) -> pd.DataFrame:
    """Run each seed under the baseline and with one more intervention; the paired comparison.

    The baseline is the scenario with ``overrides`` and ``interventions``; the other arm adds
    ``intervention``. Same seeds in both arms (common random numbers). Returns
    :func:`analysis.statistics.compare`'s table. ``on_progress(done, total)`` is called after
    every run. Runs go through the same tasks and runner as ``hetsim compare``.
    """
    from hetsim.analysis.ensemble import SequentialExecutor, Task, execute
    from hetsim.analysis.statistics import compare
    from hetsim.scenarios.builder import load_scenario
    from hetsim.simulation.schema import ScenarioError

    if intervention in interventions:
        raise ScenarioError(
            f"intervention {intervention!r} is already in the baseline; pick another one"
        )
    load_scenario(scenario, list(overrides), [*interventions, intervention])  # validate first
    baseline = tuple(interventions)
    arms = {"baseline": baseline, intervention: (*baseline, intervention)}
    tasks = [
        Task(scenario, arm, int(seed), steps, tuple(overrides), arm=name)
        for seed in seeds
        for name, arm in arms.items()
    ]
    frames = []
    for done, (task, result) in enumerate(SequentialExecutor().imap(execute, tasks), start=1):
        if result.error is not None:
            raise RuntimeError(f"run {task.describe()} failed: {result.error}")
        frames.append(result.metrics.assign(intervention=task.arm))
        if on_progress is not None:
            on_progress(done, len(tasks))
    runs = pd.concat(frames, ignore_index=True)
    return compare(runs, metrics=[m for m in ENSEMBLE_METRICS if m in runs])


def ensemble_figure(effects: pd.DataFrame, window: str = "last10pct") -> Figure:
    """Forest plot: paired difference (intervention - baseline) with its CI, per metric.

    Each metric has its own row and x-scale (metrics differ in units); the line marks no effect.
    """
    rows = effects[effects["window"] == window].reset_index(drop=True)
    fig = Figure(figsize=(5.0, 0.42 * max(len(rows), 1) + 1.0), layout="constrained")
    if rows.empty:
        ax = fig.add_subplot()
        ax.set_axis_off()
        ax.text(0.5, 0.5, "no results", ha="center", va="center")
        return fig
    axes = np.atleast_1d(fig.subplots(len(rows), 1))
    for ax, (_, row) in zip(axes, rows.iterrows(), strict=True):
        lo, hi, mid = row["diff_ci_low"], row["diff_ci_high"], row["diff_mean"]
        significant = np.isfinite(lo) and np.isfinite(hi) and (lo > 0 or hi < 0)
        colour = "#d1495b" if significant else "#555555"
        if np.isfinite(lo) and np.isfinite(hi):
            ax.plot([lo, hi], [0, 0], color=colour, lw=2)
        ax.plot([mid], [0], "o", color=colour)
        ax.axvline(0, color="black", lw=0.8, ls="--")
        span = np.nanmax(np.abs([lo, hi, mid, 0.0]))
        span = span if span > 1e-9 else 0.01  # no difference at all: a readable axis
        ax.set_xlim(-1.15 * span, 1.15 * span)
        ax.ticklabel_format(axis="x", style="plain", useOffset=False)
        ax.xaxis.set_major_locator(MaxNLocator(5))
        ax.set_yticks([])
        ax.set_ylabel(row["metric"], rotation=0, ha="right", va="center", fontsize=8)
        ax.tick_params(axis="x", labelsize=7)
        for side in ("top", "right", "left"):
            ax.spines[side].set_visible(False)
    fig.suptitle(
        f"{rows['intervention'].iloc[0]} − baseline, paired over {int(rows['n_seeds'].max())} "
        f"seeds\nmean of the last 10% of steps, 95% CI (red: excludes 0)",
        fontsize=9,
        x=0.02,
        ha="left",
    )
    return fig

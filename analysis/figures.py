"""The figures of an intervention comparison, byte-reproducible PNGs.

* ``timeseries.png``: small multiples, one panel per main metric, mean across seeds with a
  t-interval band per intervention (baseline in black);
* ``forest.png``: seed-paired effects of every intervention on every metric (window
  ``last10pct``), see :func:`plot_forest` for why the effects are standardised;
* ``network.png``: the exchange network at the last step, if flows are given.

Reproducibility: figures are drawn on :class:`matplotlib.figure.Figure` objects rendered by
the Agg canvas (no pyplot, no global backend switch), PNGs are saved without the
``Software`` metadata key and carry no date, and the network layout uses a fixed seed.
Drawing the same inputs twice gives byte-identical files.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.transforms import blended_transform_factory

from hetsim.analysis.statistics import timeseries_bands
from hetsim.simulation.recorder import MAIN_METRICS

__all__ = [
    "DEFAULT_MAIN_METRICS",
    "FLOW_COLOURS",
    "NETWORK_LAYOUT_SEED",
    "forest_rows",
    "plot_forest",
    "plot_network",
    "plot_timeseries",
]

DEFAULT_MAIN_METRICS: tuple[str, ...] = (*MAIN_METRICS, "energy_kwh")
"""Metrics shown in the time-series figure by default (those present in the runs)."""

FLOW_COLOURS: dict[str, str] = {
    "data": "#1f77b4",
    "compute": "#ff7f0e",
    "model": "#2ca02c",
    "money": "#9467bd",
}
"""Edge colour of each flow kind in the network figure; other kinds are drawn grey."""

NETWORK_LAYOUT_SEED = 20240607
"""Seed of the spring layout, so the network figure is reproducible."""

BASELINE_COLOUR = "black"
SIGNIFICANT_COLOUR = "#d62728"
NON_SIGNIFICANT_COLOUR = "#8c8c8c"
_OTHER_KIND_COLOUR = "#7f7f7f"
_DPI = 110
_RC = {"svg.hashsalt": "hetsim", "figure.dpi": _DPI, "font.size": 9}
_PNG_METADATA = {"Software": None}  # no Software key, and PNGs never carry a date
_MARKERS = ("o", "s", "^", "D", "v", "P", "X", "<", ">", "h", "*", "p")
_LINESTYLES = ("-", "--", ":", "-.")


def _mpl(text) -> str:
    """Text from the data, safe for matplotlib (a "$" would start mathtext)."""
    return str(text).replace("$", r"\$")


def _new_figure(width: float, height: float) -> Figure:
    fig = Figure(figsize=(width, height), dpi=_DPI)
    FigureCanvasAgg(fig)
    return fig


def _save(fig: Figure, path: Path) -> Path:
    fig.savefig(path, format="png", dpi=_DPI, metadata=_PNG_METADATA)
    return path


def _ordered_arms(arms, baseline: str) -> list[str]:
    """Baseline first, then the other interventions sorted by name."""
    arms = sorted({str(a) for a in arms})
    return ([baseline] if baseline in arms else []) + [a for a in arms if a != baseline]


def _arm_colours(arms: Sequence[str], baseline: str) -> dict[str, object]:
    others = [a for a in arms if a != baseline]
    cmap = matplotlib.colormaps["tab10" if len(others) <= 10 else "tab20"]
    colours: dict[str, object] = {a: cmap(i % cmap.N) for i, a in enumerate(others)}
    colours[baseline] = BASELINE_COLOUR
    return colours


def plot_timeseries(
    path: Path, runs: pd.DataFrame, metrics: Sequence[str], baseline: str = "baseline"
) -> Path:
    """Small multiples: per metric, mean across seeds with a 95% t-band per intervention.

    With several scenarios in ``runs`` each scenario gets its own line style.

    Args:
        path: PNG file to write.
        runs: The runs table.
        metrics: Metric columns to plot, one panel each (must be non-empty).
        baseline: Name of the baseline intervention (drawn in black).

    Returns:
        ``path``.
    """
    metrics = list(metrics)
    ncols = min(4, len(metrics))
    nrows = math.ceil(len(metrics) / ncols)
    arms = _ordered_arms(runs["intervention"].unique(), baseline)
    colours = _arm_colours(arms, baseline)
    scenarios = sorted({str(s) for s in runs["scenario"].unique()})
    styles = {s: _LINESTYLES[i % len(_LINESTYLES)] for i, s in enumerate(scenarios)}

    with matplotlib.rc_context(_RC):
        fig = _new_figure(3.6 * ncols, 2.7 * nrows + 0.8)
        axes = fig.subplots(nrows, ncols, squeeze=False)
        for ax, metric in zip(axes.ravel(), metrics, strict=False):
            bands = timeseries_bands(runs, metric)
            bands = bands.assign(
                scenario=bands["scenario"].astype(str),
                intervention=bands["intervention"].astype(str),
            )
            for scen in scenarios:
                for arm in arms:
                    b = bands[(bands["scenario"] == scen) & (bands["intervention"] == arm)]
                    if b.empty:
                        continue
                    x = b["step"].to_numpy(dtype=float)
                    ax.fill_between(
                        x,
                        b["ci_low"].to_numpy(dtype=float),
                        b["ci_high"].to_numpy(dtype=float),
                        color=colours[arm],
                        alpha=0.15,
                        linewidth=0,
                    )
                    ax.plot(
                        x,
                        b["mean"].to_numpy(dtype=float),
                        color=colours[arm],
                        linestyle=styles[scen],
                        linewidth=1.8 if arm == baseline else 1.3,
                        zorder=3 if arm == baseline else 2,
                    )
            ax.set_title(_mpl(metric), fontsize=9)
            ax.set_xlabel("step")
            ax.grid(True, alpha=0.3)
        for ax in axes.ravel()[len(metrics) :]:
            ax.set_visible(False)

        handles = [Line2D([], [], color=colours[a], linewidth=2, label=_mpl(a)) for a in arms]
        if len(scenarios) > 1:
            handles += [
                Line2D([], [], color="0.3", linestyle=styles[s], label=_mpl(f"scenario: {s}"))
                for s in scenarios
            ]
        fig.legend(
            handles=handles,
            loc="upper center",
            ncol=min(len(handles), 6),
            frameon=False,
            bbox_to_anchor=(0.5, 1.0),
        )
        fig.suptitle("Mean across seeds with 95% t-interval band", y=0.0, va="bottom", fontsize=8)
        fig.tight_layout(rect=(0, 0.03, 1, 1 - 0.3 / (2.7 * nrows + 0.8)))
        return _save(fig, path)


def forest_rows(comparison: pd.DataFrame) -> pd.DataFrame:
    """Standardised effects d_z with their CI, from a ``compare`` table."""
    c = comparison.copy()
    sd = c["diff_sd"].astype(float) if "diff_sd" in c else c["diff_mean"] / c["effect_size"]
    with np.errstate(divide="ignore", invalid="ignore"):
        c["dz"] = c["effect_size"].astype(float)
        c["dz_low"] = c["diff_ci_low"].astype(float) / sd
        c["dz_high"] = c["diff_ci_high"].astype(float) / sd
    undefined = ~np.isfinite(c["dz"]) | ~np.isfinite(c["dz_low"]) | ~np.isfinite(c["dz_high"])
    c.loc[undefined, ["dz", "dz_low", "dz_high"]] = np.nan
    c["excludes_zero"] = (c["diff_ci_low"] > 0) | (c["diff_ci_high"] < 0)
    return c


def plot_forest(path: Path, comparison: pd.DataFrame, window: str = "last10pct") -> Path:
    """Forest plot of seed-paired effects, metrics on the y-axis, one marker per intervention.

    Design choice: metrics live on different scales (an HHI in [0, 1], energy in kWh), so
    one shared axis of raw differences would be unreadable, and one panel per metric makes
    the reader compare many x-scales. We plot the standardised paired effect
    ``d_z = mean(diff) / sd(diff)`` on a single shared axis, with CI
    ``[diff_ci_low, diff_ci_high] / sd(diff)``. That interval is the paired t-interval
    rescaled, so it excludes 0 exactly when the unadjusted paired t-test rejects at the
    interval's level, and every comparison reads on the same "how many seed-to-seed
    standard deviations" scale. Markers are red when the CI excludes 0 (unadjusted; the
    report's table marks Holm-adjusted significance) and grey otherwise. Raw differences in
    the metric's own units are in the report's table. Rows with ``sd(diff) == 0`` (e.g. an
    intervention identical to the baseline) have no d_z and are labelled "d_z undefined".

    Args:
        path: PNG file to write.
        comparison: Table from :func:`analysis.statistics.compare`.
        window: Which summary window to plot.

    Returns:
        ``path``.
    """
    c = forest_rows(comparison[comparison["window"] == window])
    multi = c["scenario"].nunique() > 1 if "scenario" in c else False
    c = c.assign(arm=c["intervention"].astype(str))
    if multi:
        c["arm"] = c["scenario"].astype(str) + ": " + c["arm"]
    metrics = list(dict.fromkeys(c["metric"].astype(str)))
    arms = list(dict.fromkeys(sorted(c["arm"])))
    k = len(arms)
    marker = {a: _MARKERS[i % len(_MARKERS)] for i, a in enumerate(arms)}
    offset = {a: (0.0 if k == 1 else 0.35 - 0.7 * i / (k - 1)) for i, a in enumerate(arms)}

    with matplotlib.rc_context(_RC):
        height = 1.3 + len(metrics) * max(0.45, 0.2 * k)
        fig = _new_figure(7.5, height)
        ax = fig.subplots()
        label_tf = blended_transform_factory(ax.transAxes, ax.transData)
        for i, metric in enumerate(metrics):
            y0 = -i
            if i % 2 == 0:
                ax.axhspan(y0 - 0.5, y0 + 0.5, color="0.95", zorder=0)
            rows = c[c["metric"].astype(str) == metric]
            for _, r in rows.iterrows():
                y = y0 + offset[r["arm"]]
                if np.isnan(r["dz"]):
                    ax.text(
                        0.01,
                        y,
                        _mpl(f"{r['arm']}: d_z undefined (sd of differences = 0)"),
                        transform=label_tf,
                        fontsize=6.5,
                        color="0.4",
                        va="center",
                    )
                    continue
                colour = SIGNIFICANT_COLOUR if r["excludes_zero"] else NON_SIGNIFICANT_COLOUR
                ax.errorbar(
                    r["dz"],
                    y,
                    xerr=[[r["dz"] - r["dz_low"]], [r["dz_high"] - r["dz"]]],
                    fmt=marker[r["arm"]],
                    color=colour,
                    markersize=5,
                    capsize=2,
                    linewidth=1.2,
                    zorder=3,
                )
        ax.axvline(0.0, color="black", linewidth=0.9, linestyle="--", zorder=2)
        ax.set_yticks([-i for i in range(len(metrics))], [_mpl(m) for m in metrics])
        ax.set_ylim(-len(metrics) + 0.5, 0.5)
        ax.set_xlabel("standardised paired effect d_z = mean(diff) / sd(diff), with CI")
        ax.set_title(f"Intervention − baseline, paired by seed (window: {window})", fontsize=9)
        ax.grid(True, axis="x", alpha=0.3)
        handles = [
            Line2D([], [], marker=marker[a], color="0.2", linestyle="", label=_mpl(a)) for a in arms
        ]
        handles += [
            Patch(color=SIGNIFICANT_COLOUR, label="CI excludes 0"),
            Patch(color=NON_SIGNIFICANT_COLOUR, label="CI includes 0"),
        ]
        ax.legend(
            handles=handles,
            loc="upper left",
            bbox_to_anchor=(1.01, 1.0),
            frameon=False,
            fontsize=7.5,
        )
        fig.tight_layout()
        return _save(fig, path)


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

    with matplotlib.rc_context(_RC):
        fig = _new_figure(8.0, 6.5)
        ax = fig.subplots()
        ax.set_axis_off()
        if not nodes:
            ax.text(0.5, 0.5, "no flows at the last step", ha="center", va="center")
            return _save(fig, path)

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
            graph, pos, ax=ax, labels={n: _mpl(n) for n in labelled}, font_size=7
        )
        handles = [
            Line2D(
                [], [], color=FLOW_COLOURS.get(k, _OTHER_KIND_COLOUR), linewidth=2.5, label=_mpl(k)
            )
            for k in kinds
        ]
        ax.legend(handles=handles, title="flow kind", loc="upper left", frameon=False)
        ax.set_title("Exchange network at the last step (node area ∝ total in-flow)", fontsize=9)
        fig.tight_layout()
        return _save(fig, path)

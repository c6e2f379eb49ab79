"""Self-contained, byte-reproducible HTML report of an intervention comparison.

:func:`write_report` writes ``report.html`` plus PNG figures beside it:

* ``timeseries.png``: small multiples, one panel per main metric, mean across seeds with a
  t-interval band per intervention (baseline in black);
* ``forest.png``: seed-paired effects of every intervention on every metric (window
  ``last10pct``), see :func:`plot_forest` for why the effects are standardised;
* ``network.png``: the exchange network at the last step, if flows are given.

Reproducibility: figures are drawn on :class:`matplotlib.figure.Figure` objects rendered by
the Agg canvas (no pyplot, no global backend switch), PNGs are saved without the
``Software`` metadata key and carry no date, the network layout uses a fixed seed, and the
HTML contains no timestamps except any taken verbatim from the manifest. Writing the same
inputs twice gives byte-identical files. Every string taken from the data or the manifest
is HTML-escaped.
"""

from __future__ import annotations

import html
import json
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
    "plot_forest",
    "plot_network",
    "plot_timeseries",
    "write_report",
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


# --------------------------------------------------------------------------------------
# Figures
# --------------------------------------------------------------------------------------


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


def _forest_rows(comparison: pd.DataFrame) -> pd.DataFrame:
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
    c = _forest_rows(comparison[comparison["window"] == window])
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


# --------------------------------------------------------------------------------------
# HTML
# --------------------------------------------------------------------------------------

_CSS = """
body { font-family: -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; margin: 2em auto;
       max-width: 1200px; color: #222; line-height: 1.45; padding: 0 1em; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; }
h2 { font-size: 1.25em; border-bottom: 1px solid #ddd; padding-bottom: 0.2em; margin-top: 1.6em; }
dl.manifest { display: grid; grid-template-columns: max-content auto; gap: 0.2em 1.2em; }
dl.manifest dt { font-weight: 600; }
dl.manifest dd { margin: 0; }
figure { margin: 1em 0; }
figure img { max-width: 100%; height: auto; border: 1px solid #eee; }
figcaption, p.note { font-size: 0.9em; color: #555; }
table.comparison { border-collapse: collapse; font-size: 0.85em; width: 100%; }
table.comparison th, table.comparison td { border: 1px solid #ddd; padding: 0.25em 0.5em; }
table.comparison th { background: #f3f3f3; text-align: left; }
table.comparison td.num { text-align: right; font-variant-numeric: tabular-nums; }
table.comparison tr.sig { background: #fff1d6; font-weight: 600; }
pre { background: #f7f7f7; padding: 0.8em; overflow-x: auto; font-size: 0.8em; }
"""


def _esc(value) -> str:
    return html.escape(str(value), quote=True)


def _fmt_num(x) -> str:
    """About four significant figures, plain notation for 1e-3 <= |x| < 1e6."""
    try:
        x = float(x)
    except (TypeError, ValueError):
        return _esc(x)
    if math.isnan(x):
        return "–"
    if math.isinf(x):
        return "∞" if x > 0 else "−∞"
    if x == 0:
        return "0"
    a = abs(x)
    plain = 1e-3 <= a < 1e6
    s = f"{x:.{max(0, 3 - math.floor(math.log10(a)))}f}" if plain else f"{x:.3e}"
    return s[1:] if s.startswith("-") and float(s) == 0 else s


def _fmt_p(p) -> str:
    p = float(p)
    if math.isnan(p):
        return "–"
    return "&lt;0.001" if p < 0.001 else f"{p:.3f}"


def _json_default(obj):
    if isinstance(obj, set | frozenset):
        return sorted(obj, key=str)
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    return str(obj)


def _fmt_value(value) -> str:
    """Short human-readable rendering of a manifest value (already escaped)."""
    if isinstance(value, str):
        return _esc(value)
    if isinstance(value, dict):
        return _esc(
            ", ".join(
                f"{k} {_plain(v)}" for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))
            )
        )
    if isinstance(value, list | tuple | set | frozenset | np.ndarray | pd.Index | pd.Series):
        items = list(value) if not isinstance(value, set | frozenset) else sorted(value, key=str)
        return _fmt_seq(items)
    return _esc(_plain(value))


def _plain(value) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, dict | list | tuple | set | frozenset):
        return json.dumps(value, sort_keys=True, default=_json_default)
    return str(value)


def _fmt_seq(items: list) -> str:
    n = len(items)
    vals = [v.item() if isinstance(v, np.generic) else v for v in items]
    if n and all(isinstance(v, int) and not isinstance(v, bool) for v in vals):
        s = sorted(vals)
        if n > 3 and s == list(range(s[0], s[0] + n)):
            return _esc(f"{n} ({s[0]}–{s[-1]})")
    shown = ", ".join(_plain(v) for v in vals[:12])
    more = f", … ({n} in total)" if n > 12 else ""
    return _esc(f"{shown}{more}" if n <= 12 else f"{n}: {shown}{more}")


def _manifest_section(runs: pd.DataFrame, manifest: dict | None) -> str:
    manifest = dict(manifest or {})
    entries: list[tuple[str, str]] = []

    def pick(key: str, label: str, fallback) -> None:
        if key in manifest and manifest[key] is not None:
            entries.append((label, _fmt_value(manifest[key])))
        elif fallback is not None:
            entries.append((label + " (from runs)", _fmt_value(fallback)))

    pick("scenario", "Scenario", sorted({str(s) for s in runs["scenario"].unique()}))
    seeds = sorted(runs["seed"].unique().tolist()) if "seed" in runs else None
    pick("seeds", "Seeds", seeds)
    pick("steps", "Steps", int(runs["step"].max()) if len(runs) else None)
    pick("interventions", "Interventions", sorted({str(a) for a in runs["intervention"].unique()}))
    pick("versions", "Versions", None)
    shown = {"scenario", "seeds", "steps", "interventions", "versions"}
    for key in sorted((k for k in manifest if k not in shown), key=str):
        value = manifest[key]
        if isinstance(value, str | int | float | bool) or value is None:
            entries.append((str(key), _esc(_plain(value))))

    parts = ['<dl class="manifest">']
    parts += [f"<dt>{_esc(label)}</dt><dd>{value}</dd>" for label, value in entries]
    parts.append("</dl>")
    if manifest:
        full = json.dumps(manifest, indent=2, sort_keys=True, default=_json_default)
        parts.append(f"<details><summary>Full manifest</summary><pre>{_esc(full)}</pre></details>")
    return "\n".join(parts)


def _comparison_table(comparison: pd.DataFrame, window: str = "last10pct") -> str:
    c = comparison[comparison["window"] == window]
    if c.empty:
        return '<p class="note">No interventions to compare.</p>'
    multi = "scenario" in c and c["scenario"].nunique() > 1
    head = (["Scenario"] if multi else []) + [
        "Intervention",
        "Metric",
        "n seeds",
        "Baseline mean",
        "Intervention mean",
        "Difference",
        "Difference CI",
        "d<sub>z</sub>",
        "p (t-test)",
        "p (Wilcoxon)",
        "p (Holm)",
        "Sig.",
    ]
    lines = ['<table class="comparison">', "<thead><tr>"]
    lines.append("".join(f"<th>{h}</th>" for h in head))
    lines.append("</tr></thead>")
    lines.append("<tbody>")
    for _, r in c.iterrows():
        sig = bool(pd.notna(r["p_adjusted"]) and r["p_adjusted"] < 0.05)
        cells = [f"<td>{_esc(r['scenario'])}</td>"] if multi else []
        cells += [
            f"<td>{_esc(r['intervention'])}</td>",
            f"<td>{_esc(r['metric'])}</td>",
            f'<td class="num">{int(r["n_seeds"])}</td>',
            f'<td class="num">{_fmt_num(r["baseline_mean"])}</td>',
            f'<td class="num">{_fmt_num(r["mean"])}</td>',
            f'<td class="num">{_fmt_num(r["diff_mean"])}</td>',
            f'<td class="num">[{_fmt_num(r["diff_ci_low"])}, {_fmt_num(r["diff_ci_high"])}]</td>',
            f'<td class="num">{_fmt_num(r["effect_size"])}</td>',
            f'<td class="num">{_fmt_p(r["p_value"])}</td>',
            f'<td class="num">{_fmt_p(r["p_value_wilcoxon"])}</td>',
            f'<td class="num">{_fmt_p(r["p_adjusted"])}</td>',
            f"<td>{'*' if sig else ''}</td>",
        ]
        cls = ' class="sig"' if sig else ""
        lines.append(f"<tr{cls}>" + "".join(cells) + "</tr>")
    lines.append("</tbody></table>")
    return "\n".join(lines)


def _figure(src: str, alt: str, caption: str) -> str:
    return (
        f'<figure><img src="{_esc(src)}" alt="{_esc(alt)}">'
        f"<figcaption>{caption}</figcaption></figure>"
    )


def write_report(
    out_dir: Path,
    runs: pd.DataFrame,
    comparison: pd.DataFrame,
    flows_last_step: pd.DataFrame | None = None,
    manifest: dict | None = None,
    main_metrics: list[str] | None = None,
    *,
    baseline: str = "baseline",
) -> Path:
    """Write ``report.html`` and its PNG figures into ``out_dir``.

    Args:
        out_dir: Directory to write into (created if needed). Files are overwritten.
        runs: The runs table (for the time-series figure and the manifest fallback).
        comparison: Table from :func:`analysis.statistics.compare`; its ``last10pct`` rows
            make the forest plot and the table.
        flows_last_step: Optional flows (``source, target, kind, amount``) for
            ``network.png``; skipped when None.
        manifest: Optional run manifest; ``scenario, seeds, steps, interventions,
            versions`` are summarised (falling back to values read from ``runs``), other
            scalar entries are listed and the full manifest is shown collapsed.
        main_metrics: Metrics for the time-series figure; default
            :data:`DEFAULT_MAIN_METRICS`. Only those present in ``runs`` are plotted.
        baseline: Name of the baseline intervention.

    Returns:
        Path of ``report.html``.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    wanted = list(DEFAULT_MAIN_METRICS if main_metrics is None else main_metrics)
    metrics = [m for m in dict.fromkeys(wanted) if m in runs.columns]
    not_found = [m for m in dict.fromkeys(wanted) if m not in runs.columns]

    scenarios = sorted({str(s) for s in runs["scenario"].unique()})
    if manifest and isinstance(manifest.get("scenario"), str):
        title = f"hetsim report: {manifest['scenario']}"
    else:
        title = "hetsim report: " + ", ".join(scenarios)

    body: list[str] = [f"<h1>{_esc(title)}</h1>"]
    body.append("<h2>Run</h2>")
    body.append(_manifest_section(runs, manifest))

    body.append("<h2>Trajectories</h2>")
    if metrics:
        plot_timeseries(out_dir / "timeseries.png", runs, metrics, baseline=baseline)
        body.append(
            _figure(
                "timeseries.png",
                "Time series of the main metrics",
                "Mean across seeds per step with a 95% t-interval band; baseline in black.",
            )
        )
    else:
        body.append('<p class="note">None of the main metrics is present in the runs.</p>')
    if not_found:
        body.append(
            f'<p class="note">Main metrics not in the runs: {_esc(", ".join(not_found))}.</p>'
        )

    window = "last10pct"
    body.append("<h2>Effects of the interventions</h2>")
    body.append(
        '<p class="note">Each intervention is run on the same seeds as the baseline (common '
        "random numbers); differences are intervention − baseline, paired by seed, on the "
        "mean over the last 10% of steps of each run. Intervals are t-intervals; p-values are "
        "paired t-tests and Wilcoxon signed-rank tests; p (Holm) is Holm–Bonferroni-adjusted "
        "across metrics within each intervention. Rows marked * have p (Holm) &lt; 0.05.</p>"
    )
    has_rows = "window" in comparison.columns and bool((comparison["window"] == window).any())
    if has_rows:
        plot_forest(out_dir / "forest.png", comparison, window=window)
        forest_rows = _forest_rows(comparison[comparison["window"] == window])
        n_undefined = int(forest_rows["dz"].isna().sum())
        caption = (
            "Standardised paired effect d<sub>z</sub> = mean(diff) / sd(diff) with its CI "
            "(the paired t-interval divided by sd(diff)); red where the CI excludes 0 "
            "(unadjusted). Raw differences are in the table below."
        )
        if n_undefined:
            caption += f" {n_undefined} comparison(s) have sd(diff) = 0 and no d<sub>z</sub>."
        body.append(_figure("forest.png", "Forest plot of paired effects", caption))
        body.append(_comparison_table(comparison, window=window))
    else:
        body.append('<p class="note">No interventions to compare.</p>')

    if flows_last_step is not None:
        body.append("<h2>Exchange network</h2>")
        plot_network(out_dir / "network.png", flows_last_step)
        body.append(
            _figure(
                "network.png",
                "Exchange network at the last step",
                "Flows of data, compute, models and money at the last step of one run; node "
                "area ∝ total in-flow, edge width relative to the largest flow of its kind.",
            )
        )

    page = "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en">',
            "<head>",
            '<meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{_esc(title)}</title>",
            f"<style>{_CSS}</style>",
            "</head>",
            "<body>",
            *body,
            "</body>",
            "</html>",
            "",
        ]
    )
    path = out_dir / "report.html"
    path.write_bytes(page.encode("utf-8"))
    return path

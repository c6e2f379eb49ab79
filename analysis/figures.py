"""The figures of an intervention comparison, byte-reproducible PNGs.

* ``timeseries.png``: small multiples, one panel per main metric, mean across seeds with a
  t-interval band per intervention (baseline in black);
* ``forest.png``: seed-paired effects of every intervention on every metric (window
  ``last10pct``), see :func:`plot_forest` for why the effects are standardised;
* ``network.png``: the exchange network at the last step, if flows are given.

Every title, axis and legend names a metric by its entry in :mod:`hetsim.analysis.labels`
(readable name and unit; energy scaled to a readable prefix), and bands are clipped to the
metric's range.

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
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator
from matplotlib.transforms import blended_transform_factory

from hetsim.analysis.labels import FAMILIES, display_unit, label
from hetsim.analysis.network import FLOW_COLOURS, NETWORK_LAYOUT_SEED, plot_network
from hetsim.analysis.plotting import RC, mpl_text, new_figure, save
from hetsim.analysis.statistics import PRIMARY, timeseries_bands
from hetsim.simulation.recorder import MAIN_METRICS

__all__ = [
    "DEFAULT_MAIN_METRICS",
    "FLOW_COLOURS",
    "NETWORK_LAYOUT_SEED",
    "forest_figure",
    "forest_rows",
    "plot_forest",
    "plot_network",
    "plot_timeseries",
    "timeseries_figure",
]

DEFAULT_MAIN_METRICS: tuple[str, ...] = (*MAIN_METRICS, "energy_kwh")
"""Metrics shown in the time-series figure by default (those present in the runs)."""


BASELINE_COLOUR = "black"
SIGNIFICANT_COLOUR = "#d62728"
NON_SIGNIFICANT_COLOUR = "#8c8c8c"
_MARKERS = ("o", "s", "^", "D", "v", "P", "X", "<", ">", "h", "*", "p")
_LINESTYLES = ("-", "--", ":", "-.")


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
        ``path``. Panels are titled by the metrics' labels with the unit on the y-axis,
        bands clipped to each metric's range.
    """
    return save(timeseries_figure(runs, metrics, baseline), path)


def timeseries_figure(
    runs: pd.DataFrame, metrics: Sequence[str], baseline: str = "baseline"
) -> Figure:
    """The figure :func:`plot_timeseries` writes (for a notebook, or to draw on)."""
    metrics = list(metrics)
    ncols = min(4, len(metrics))
    nrows = math.ceil(len(metrics) / ncols)
    arms = _ordered_arms(runs["intervention"].unique(), baseline)
    colours = _arm_colours(arms, baseline)
    scenarios = sorted({str(s) for s in runs["scenario"].unique()})
    styles = {s: _LINESTYLES[i % len(_LINESTYLES)] for i, s in enumerate(scenarios)}

    with matplotlib.rc_context(RC):
        fig = new_figure(3.6 * ncols, 2.7 * nrows + 0.8)
        axes = fig.subplots(nrows, ncols, squeeze=False)
        for ax, metric in zip(axes.ravel(), metrics, strict=False):
            lab = label(metric)
            bands = timeseries_bands(runs, metric)
            bands = bands.assign(
                scenario=bands["scenario"].astype(str),
                intervention=bands["intervention"].astype(str),
                ci_low=bands["ci_low"].clip(lower=lab.low, upper=lab.high),
                ci_high=bands["ci_high"].clip(lower=lab.low, upper=lab.high),
            )
            factor, unit = display_unit(lab.unit, bands["mean"])
            for scen in scenarios:
                for arm in arms:
                    b = bands[(bands["scenario"] == scen) & (bands["intervention"] == arm)]
                    if b.empty:
                        continue
                    x = b["step"].to_numpy(dtype=float)
                    ax.fill_between(
                        x,
                        b["ci_low"].to_numpy(dtype=float) * factor,
                        b["ci_high"].to_numpy(dtype=float) * factor,
                        color=colours[arm],
                        alpha=0.15,
                        linewidth=0,
                    )
                    ax.plot(
                        x,
                        b["mean"].to_numpy(dtype=float) * factor,
                        color=colours[arm],
                        linestyle=styles[scen],
                        linewidth=1.8 if arm == baseline else 1.3,
                        zorder=3 if arm == baseline else 2,
                    )
            ax.set_title(mpl_text(lab.name), fontsize=9)
            if unit:
                ax.set_ylabel(mpl_text(unit), fontsize=8)
            ax.set_xlabel("step")
            ax.xaxis.set_major_locator(MaxNLocator(nbins=5, integer=True))
            ax.yaxis.set_major_locator(MaxNLocator(nbins=5))
            ax.grid(True, alpha=0.3)
        for ax in axes.ravel()[len(metrics) :]:
            ax.set_visible(False)

        handles = [Line2D([], [], color=colours[a], linewidth=2, label=mpl_text(a)) for a in arms]
        if len(scenarios) > 1:
            handles += [
                Line2D([], [], color="0.3", linestyle=styles[s], label=mpl_text(f"scenario: {s}"))
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
        return fig


def forest_rows(comparison: pd.DataFrame) -> pd.DataFrame:
    """Standardised effects d_z with their CI, from a ``compare`` table.

    ``significant`` is Holm-adjusted significance (``p_adjusted < 0.05``) of a primary
    outcome; ``excludes_zero`` is the unadjusted CI test.
    """
    c = comparison.copy()
    sd = c["diff_sd"].astype(float) if "diff_sd" in c else c["diff_mean"] / c["effect_size"]
    with np.errstate(divide="ignore", invalid="ignore"):
        c["dz"] = c["effect_size"].astype(float)
        c["dz_low"] = c["diff_ci_low"].astype(float) / sd
        c["dz_high"] = c["diff_ci_high"].astype(float) / sd
    undefined = ~np.isfinite(c["dz"]) | ~np.isfinite(c["dz_low"]) | ~np.isfinite(c["dz_high"])
    c.loc[undefined, ["dz", "dz_low", "dz_high"]] = np.nan
    c["excludes_zero"] = (c["diff_ci_low"] > 0) | (c["diff_ci_high"] < 0)
    c["significant"] = c["p_adjusted"].astype(float) < 0.05
    return c


PAGE_HEIGHT = 9.0
"""Largest forest plot height in inches (with its 7.5-inch width it fits an A4/Letter page)."""


def plot_forest(path: Path, comparison: pd.DataFrame, window: str = "last10pct") -> Path:
    """Forest plot of seed-paired effects on the primary outcomes, grouped by outcome family.

    Design choice: metrics live on different scales (an HHI in [0, 1], energy in kWh), so
    one shared axis of raw differences would be unreadable, and one panel per metric makes
    the reader compare many x-scales. We plot the standardised paired effect
    ``d_z = mean(diff) / sd(diff)`` on a single shared axis, with CI
    ``[diff_ci_low, diff_ci_high] / sd(diff)``, the paired t-interval rescaled, so every
    comparison reads on the same "how many seed-to-seed standard deviations" scale.

    Only the primary outcomes are drawn (rows whose ``outcome`` is ``primary``; a table
    without that column counts every row as primary), grouped by family
    (:data:`hetsim.analysis.labels.FAMILIES`) and named by their labels; exploratory metrics
    are in the report's table. Markers are red when the Holm-adjusted p-value is below 0.05,
    grey otherwise. The figure is at most :data:`PAGE_HEIGHT` inches tall: rows get
    narrower as outcomes are added. Rows with ``sd(diff) == 0`` (e.g. an intervention
    identical to the baseline) have no d_z and are labelled "d_z undefined".

    Args:
        path: PNG file to write.
        comparison: Table from :func:`analysis.statistics.compare`.
        window: Which summary window to plot.

    Returns:
        ``path``.
    """
    return save(forest_figure(comparison, window), path)


def forest_figure(comparison: pd.DataFrame, window: str = "last10pct") -> Figure:
    """The figure :func:`plot_forest` writes (for a notebook, or to draw on)."""
    c = forest_rows(comparison[comparison["window"] == window])
    if "outcome" in c:
        c = c[c["outcome"] == PRIMARY]
    multi = c["scenario"].nunique() > 1 if "scenario" in c else False
    c = c.assign(arm=c["intervention"].astype(str))
    if multi:
        c["arm"] = c["scenario"].astype(str) + ": " + c["arm"]
    family_rank = {f: i for i, f in enumerate(FAMILIES)}
    metrics = sorted(
        dict.fromkeys(c["metric"].astype(str)), key=lambda m: family_rank[label(m).family]
    )
    arms = list(dict.fromkeys(sorted(c["arm"])))
    k = len(arms)
    marker = {a: _MARKERS[i % len(_MARKERS)] for i, a in enumerate(arms)}
    offset = {a: (0.0 if k == 1 else 0.35 - 0.7 * i / (k - 1)) for i, a in enumerate(arms)}
    # one row per metric, plus a header row per family
    rows_y: dict[str, float] = {}
    headers: list[tuple[float, str]] = []
    y = 0.0
    for metric in metrics:
        family = label(metric).family
        if not headers or headers[-1][1] != family:
            headers.append((y, family))
            y -= 1.0
        rows_y[metric] = y
        y -= 1.0
    n_rows = max(1.0, -y)

    with matplotlib.rc_context(RC):
        height = min(PAGE_HEIGHT, 1.4 + n_rows * max(0.3, 0.16 * k))
        fig = new_figure(7.5, height)
        ax = fig.subplots()
        label_tf = blended_transform_factory(ax.transAxes, ax.transData)
        for y0, family in headers:
            ax.text(
                -0.01,
                y0,
                family,
                transform=label_tf,
                ha="right",
                va="center",
                fontsize=8,
                fontweight="bold",
            )
        for i, metric in enumerate(metrics):
            y0 = rows_y[metric]
            if i % 2 == 0:
                ax.axhspan(y0 - 0.5, y0 + 0.5, color="0.95", zorder=0)
            for _, r in c[c["metric"].astype(str) == metric].iterrows():
                y = y0 + offset[r["arm"]]
                if np.isnan(r["dz"]):
                    ax.text(
                        0.01,
                        y,
                        mpl_text(f"{r['arm']}: d_z undefined (sd of differences = 0)"),
                        transform=label_tf,
                        fontsize=6.5,
                        color="0.4",
                        va="center",
                    )
                    continue
                colour = SIGNIFICANT_COLOUR if r["significant"] else NON_SIGNIFICANT_COLOUR
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
        ax.set_yticks(
            [rows_y[m] for m in metrics], [mpl_text(label(m).name) for m in metrics], fontsize=8
        )
        ax.set_ylim(-n_rows + 0.5, 0.5)
        ax.set_xlabel("standardised paired effect d_z = mean(diff) / sd(diff), with 95% CI")
        ax.set_title(
            f"Primary outcomes: intervention − baseline, paired by seed (window: {window})",
            fontsize=9,
        )
        ax.grid(True, axis="x", alpha=0.3)
        handles = [
            Line2D([], [], marker=marker[a], color="0.2", linestyle="", label=mpl_text(a))
            for a in arms
        ]
        handles += [
            Patch(color=SIGNIFICANT_COLOUR, label="Holm-adjusted p < 0.05"),
            Patch(color=NON_SIGNIFICANT_COLOUR, label="Holm-adjusted p ≥ 0.05"),
        ]
        ax.legend(
            handles=handles,
            loc="upper center",
            bbox_to_anchor=(0.5, -0.12 - 0.3 / height),
            ncol=min(3, len(handles)),
            frameon=False,
            fontsize=7.5,
        )
        fig.tight_layout()
        return fig

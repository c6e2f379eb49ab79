"""Figures of a run, built once per model and updated in place every step.

Each ``*Figure`` class holds a matplotlib ``Figure`` (no pyplot: safe in a server thread) whose
artists get new data on :meth:`update`; axes span the planned run length, so a frame changes
only its data. The module-level functions build a fresh figure for tests and downloads.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from matplotlib.artist import Artist
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator

from hetsim.simulation.recorder import MAIN_METRICS
from hetsim.ui.labels import metric_label

if TYPE_CHECKING:
    from hetsim.simulation.model import EcosystemModel

# Colour-blind-safe qualitative colours, cycled over the sorted strategy names: Okabe & Ito
# (2008), then colours from Paul Tol's schemes that none of them resembles: 18 in all, enough
# for every shipped strategy to have its own.
PALETTE = (
    "#0072b2",
    "#d55e00",
    "#e69f00",
    "#009e73",
    "#cc79a7",
    "#56b4e9",
    "#f0e442",
    "#000000",
    "#882255",
    "#44aa99",
    "#999933",
    "#332288",
    "#117733",
    "#aa4499",
    "#ddcc77",
    "#661100",
    "#6699cc",
    "#888888",
)
WORST = 5
LEGEND_PT = 9.5
"""Legend text size: 11.9 px in a 90 dpi frame, >= 11 px shown at >= 0.95 of its natural size."""
TICK_PT = 8.5
# The three HHI lines often coincide: each its own dash and marker, the thinner drawn on top.
HHI_STYLE = {
    "hhi_compute": {"ls": "-", "marker": "o", "lw": 2.6, "zorder": 2},
    "hhi_data": {"ls": "--", "marker": "s", "lw": 1.6, "zorder": 3, "mfc": "none"},
    "hhi_decisions": {"ls": ":", "marker": "^", "lw": 1.8, "zorder": 4},
}
"""Worst-served communities outlined (and named) in the community figure."""

TIME_SERIES_PANELS: tuple[tuple[str, str, tuple[tuple[str, str], ...]], ...] = (
    (
        "Concentration (HHI)",
        "HHI",
        (("hhi_compute", "compute"), ("hhi_data", "data"), ("hhi_decisions", "decisions")),
    ),
    (
        "Dependency, sovereignty, trust",
        "share / mean",
        (
            ("dependency_share", "dependency share"),
            ("data_sovereignty_mean", "data sovereignty"),
            ("trust_mean", "trust in entities"),
        ),
    ),
    ("Energy of training", "kWh per step", (("energy_kwh", "energy"),)),
)
"""Panels of the time-series figure: title, y-axis label and (metric column, legend label)."""


def nice_ceiling(value: float) -> float:
    """The smallest of 1, 2, 5 × 10^k at or above ``value`` (an axis top that rarely moves)."""
    if not np.isfinite(value) or value <= 0:
        return 1.0
    power = 10 ** np.floor(np.log10(value))
    return float(next(m * power for m in (1, 2, 5, 10) if m * power >= value))


ENSEMBLE_METRICS: tuple[str, ...] = MAIN_METRICS
"""Main metrics shown by the ensemble panel."""


def strategy_colours(names: Sequence[str]) -> dict[str, str]:
    """A colour per strategy name: the palette cycled over the sorted names."""
    return {name: PALETTE[i % len(PALETTE)] for i, name in enumerate(sorted(set(names)))}


def _x_limit(planned: int, steps: int) -> float:
    return max(planned, steps, 1) + 0.5


class TimeSeriesFigure:
    """Concentration, dependency, sovereignty, trust and energy over the run's steps."""

    def __init__(self, planned_steps: int) -> None:
        self.planned = int(planned_steps)
        self.figure = Figure(figsize=(6.4, 4.6))
        self.figure.subplots_adjust(left=0.11, right=0.68, top=0.94, bottom=0.1, hspace=0.5)
        self.axes = self.figure.subplots(len(TIME_SERIES_PANELS), 1, sharex=True)
        self.lines: dict[str, Line2D] = {}
        for ax, (title, unit, columns) in zip(self.axes, TIME_SERIES_PANELS, strict=True):
            for column, label in columns:
                style = HHI_STYLE.get(column, {"ls": "-", "marker": "o", "lw": 1.5})
                (self.lines[column],) = ax.plot([], [], ms=3.5, label=label, **style)
            ax.set_title(title, fontsize=9, loc="left")
            ax.set_ylabel(unit, fontsize=TICK_PT)
            ax.tick_params(labelsize=TICK_PT)
            ax.grid(alpha=0.3)
            ax.set_ylim(-0.02, 1.02)
            ax.legend(
                fontsize=LEGEND_PT, frameon=False, loc="center left", bbox_to_anchor=(1.0, 0.5)
            )
        self.axes[-1].set_xlabel("step (quarter)", fontsize=8)
        self.axes[-1].xaxis.set_major_locator(MaxNLocator(integer=True))
        self.axes[-1].set_xlim(0.5, _x_limit(self.planned, 0))

    def dynamic(self) -> list[Artist]:
        """Artists that change from frame to frame."""
        return list(self.lines.values())

    def update(self, metrics: pd.DataFrame) -> Figure:
        """Show the metrics table's steps; return the figure."""
        steps = metrics["step"].to_numpy() if len(metrics) else np.array([])
        for column, line in self.lines.items():
            line.set_data(steps, metrics[column].to_numpy() if column in metrics else [])
        self.axes[-1].set_xlim(0.5, _x_limit(self.planned, len(steps)))
        energy = metrics["energy_kwh"].dropna() if "energy_kwh" in metrics else []
        self.axes[-1].set_ylim(0, nice_ceiling(float(energy.max()) if len(energy) else 0.0))
        return self.figure


def community_outcomes(model: EcosystemModel) -> pd.DataFrame:
    """Per community now: accuracy, fairness gap under its own notion, strategy; worst first."""
    names = model.strategy_names
    codes = np.asarray(model.community_arrays.strategy, dtype=int)
    table = pd.DataFrame(
        {
            "community": [f"C{i}" for i in range(len(codes))],
            "accuracy": np.asarray(model.deployment.accuracy, dtype=float),
            "gap_own": np.asarray(model.deployment.gap_own, dtype=float),
            "strategy": [names[c] if 0 <= c < len(names) else f"code {c}" for c in codes],
        }
    )
    return table.sort_values(["accuracy", "community"], kind="stable").reset_index(drop=True)


def _bar_vertices(heights: np.ndarray, width: float = 0.8) -> np.ndarray:
    """Rectangles from 0 to each height, centred on 0, 1, …: an (n, 4, 2) array of corners."""
    x = np.arange(len(heights), dtype=float)
    corners = np.zeros((len(heights), 4, 2))
    corners[:, :2, 0] = (x - width / 2)[:, None]
    corners[:, 2:, 0] = (x + width / 2)[:, None]
    corners[:, 1:3, 1] = np.asarray(heights, dtype=float)[:, None]
    return corners


class CommunityFigure:
    """Per-community accuracy (ascending) and own-notion gap (descending), by strategy."""

    PANELS = (
        ("accuracy", True, "Accuracy of the deployed model, worst-served first", "accuracy"),
        (
            "gap_own",
            False,
            "Fairness gap under the community's own notion, largest first",
            "fairness gap",
        ),
    )

    def __init__(self, n_communities: int, strategy_names: Sequence[str]) -> None:
        self.figure = Figure(figsize=(6.4, 5.2))
        self.figure.subplots_adjust(left=0.09, right=0.98, top=0.7, bottom=0.04, hspace=0.3)
        self.axes = self.figure.subplots(2, 1)
        self.colours = strategy_colours(strategy_names)
        self.bars = []
        self.names = []
        for ax, (_column, _asc, title, unit) in zip(self.axes, self.PANELS, strict=True):
            # one collection of rectangles, drawn in one call (a bar per patch costs ~0.5 ms each)
            bars = PolyCollection(
                _bar_vertices(np.zeros(n_communities)),
                facecolors="#cccccc",
                edgecolors="none",
                linewidths=1.2,
            )
            self.bars.append(ax.add_collection(bars))
            self.names.append(
                [
                    ax.text(0, 0, "", fontsize=6, ha="center", va="bottom", rotation=90)
                    for _ in range(WORST)
                ]
            )
            ax.set_title(title, fontsize=9, loc="left")
            ax.set_ylabel(unit, fontsize=8)
            ax.set_xticks([])
            ax.set_xlim(-0.6, max(n_communities, 1) - 0.4)
            ax.set_ylim(0, 1.15)  # room for the names above the bars
            ax.tick_params(axis="y", labelsize=7)
            ax.grid(axis="y", alpha=0.3)
        handles = [
            Line2D([], [], marker="s", ls="", color=c, label=s) for s, c in self.colours.items()
        ]
        handles.append(
            Line2D(
                [],
                [],
                marker="s",
                ls="",
                markerfacecolor="white",
                markeredgecolor="black",
                label=f"{WORST} worst-served (named)",
            )
        )
        self.figure.legend(
            handles=handles,
            fontsize=LEGEND_PT,
            frameon=False,
            ncols=4,
            loc="upper left",
            bbox_to_anchor=(0.07, 1.0),
            title="strategy",
            title_fontsize=LEGEND_PT,
            alignment="left",
        )
        self.empty = self.axes[0].text(
            0.5,
            0.5,
            "no decisions yet: press Step or ▶",
            transform=self.axes[0].transAxes,
            ha="center",
            color="grey",
            fontsize=9,
        )

    def dynamic(self) -> list[Artist]:
        """Artists that change from frame to frame."""
        texts = [t for names in self.names for t in names]
        return [*self.bars, *texts, self.empty]

    def update(self, model: EcosystemModel) -> Figure:
        """Sort, colour and outline this step's communities; return the figure."""
        table = community_outcomes(model)
        started = model.steps > 0 and not table.empty
        self.empty.set_visible(not started)
        worst = set(table["community"].head(WORST))
        for bars, names, (column, ascending, *_) in zip(
            self.bars, self.names, self.PANELS, strict=True
        ):
            data = table.sort_values(
                [column, "community"], ascending=[ascending, True], na_position="last"
            ).reset_index(drop=True)
            values = data[column].fillna(0).to_numpy() if started else np.zeros(len(data))
            bars.set_verts(_bar_vertices(values))
            bars.set_facecolors([self.colours.get(s, "#999999") for s in data["strategy"]])
            bars.set_edgecolors(
                ["black" if started and n in worst else "none" for n in data["community"]]
            )
            marked = [(i, n) for i, n in enumerate(data["community"]) if started and n in worst]
            for text, (i, name) in zip(names, marked + [(None, "")] * WORST, strict=False):
                text.set_text(name)
                if i is not None:
                    text.set_position((i, values[i] + 0.01))
        return self.figure


class AuditFigure:
    """Audits and violations per step, the reported-gap error and the washing gap."""

    def __init__(self, planned_steps: int) -> None:
        self.planned = int(planned_steps)
        self.figure = Figure(figsize=(6.4, 4.2))
        self.figure.subplots_adjust(left=0.1, right=0.88, top=0.7, bottom=0.12)
        ax = self.ax = self.figure.add_subplot()
        (self.audits,) = ax.plot([], [], "o-", ms=3, color="#30638e", label="audits")
        (self.violations,) = ax.plot(
            [], [], "s-", ms=3, color="#d1495b", label=metric_label("violations_fairness")
        )
        (self.washing_found,) = ax.plot(
            [], [], "x-", ms=4, color="#7a3b69", label=metric_label("violations_washing")
        )
        ax.set_xlabel("step (quarter)", fontsize=8)
        ax.set_ylabel("audits per step", fontsize=8)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.tick_params(labelsize=7)
        self.figure.suptitle("Audits and fairness washing", fontsize=9, x=0.1, ha="left")
        twin = self.twin = ax.twinx()
        (self.error,) = twin.plot(
            [],
            [],
            "^--",
            ms=3,
            color="#2a2a2a",
            lw=1.1,
            label=metric_label("reported_gap_error_mean"),
        )
        (self.washing,) = twin.plot(
            [], [], "d--", ms=3, color="#e69f00", lw=1.1, label=metric_label("washing_gap_mean")
        )
        twin.set_ylabel("fairness gap", fontsize=8)
        twin.tick_params(labelsize=7)
        twin.set_ylim(-0.05, 0.5)
        handles = [self.audits, self.violations, self.washing_found, self.error, self.washing]
        self.figure.legend(
            handles=handles,
            fontsize=LEGEND_PT,
            loc="upper left",
            ncols=2,
            frameon=False,
            bbox_to_anchor=(0.08, 0.93),
        )
        self.update(pd.DataFrame({"step": []}))

    def dynamic(self) -> list[Artist]:
        """Artists that change from frame to frame."""
        return [self.audits, self.violations, self.washing_found, self.error, self.washing]

    def update(self, metrics: pd.DataFrame) -> Figure:
        """Show the metrics table's steps; return the figure."""
        steps = metrics["step"].to_numpy()
        for line, column in (
            (self.audits, "audits"),
            (self.violations, "violations_fairness"),
            (self.washing_found, "violations_washing"),
            (self.error, "reported_gap_error_mean"),
            (self.washing, "washing_gap_mean"),
        ):
            line.set_data(steps, metrics[column].to_numpy() if column in metrics else [])
        self.ax.set_xlim(0.5, _x_limit(self.planned, len(steps)))
        top = float(metrics["audits"].max()) if "audits" in metrics and len(metrics) else 0.0
        self.ax.set_ylim(0, max(top * 1.15, 4))  # zero audits: a readable 0..4 axis
        gaps = [metrics[c] for c in ("reported_gap_error_mean", "washing_gap_mean") if c in metrics]
        values = pd.concat(gaps).dropna() if gaps else pd.Series(dtype=float)
        low = min(float(values.min()), 0.0) if len(values) else 0.0
        high = max(float(values.max()), 0.1) if len(values) else 0.5
        self.twin.set_ylim(low - 0.05, high * 1.25)
        return self.figure


class LendingFigure:
    """The lending domain: loans and mean repayment probability per group over the steps."""

    def __init__(self, planned_steps: int, groups: int = 2) -> None:
        self.planned = int(planned_steps)
        self.figure = Figure(figsize=(6.4, 3.8))
        self.figure.subplots_adjust(left=0.1, right=0.76, top=0.92, bottom=0.13, hspace=0.45)
        self.ax_loans, self.ax_repay = self.figure.subplots(2, 1, sharex=True)
        self.loans = [
            self.ax_loans.plot([], [], "o-", ms=2.5, label=f"group {g}")[0] for g in range(groups)
        ]
        self.repay = [
            self.ax_repay.plot([], [], "o-", ms=2.5, label=f"group {g}")[0] for g in range(groups)
        ]
        self.ax_loans.set_title("Loans given per step", fontsize=9, loc="left")
        self.ax_loans.set_ylabel("loans", fontsize=8)
        self.ax_repay.set_title("Mean repayment probability of applicants", fontsize=9, loc="left")
        self.ax_repay.set_ylabel("probability", fontsize=8)
        self.ax_repay.set_ylim(0, 1)
        self.ax_repay.set_xlabel("step (quarter)", fontsize=8)
        self.ax_repay.xaxis.set_major_locator(MaxNLocator(integer=True))
        for ax in (self.ax_loans, self.ax_repay):
            ax.tick_params(labelsize=7)
            ax.grid(alpha=0.3)
            ax.legend(
                fontsize=LEGEND_PT, frameon=False, loc="center left", bbox_to_anchor=(1.0, 0.5)
            )

    def dynamic(self) -> list[Artist]:
        """Artists that change from frame to frame."""
        return [*self.loans, *self.repay]

    def update(self, lending: pd.DataFrame | None) -> Figure:
        """Show the lending table's steps (sum of loans, mean probability by group)."""
        if lending is None or lending.empty:
            return self.figure
        by = lending.groupby(["step", "group"])
        loans = by["loans"].sum().unstack("group")
        repay = by["mean_repayment_probability"].mean().unstack("group")
        for g, (loan_line, repay_line) in enumerate(zip(self.loans, self.repay, strict=True)):
            if g in loans:
                loan_line.set_data(loans.index, loans[g])
                repay_line.set_data(repay.index, repay[g])
        self.ax_loans.set_xlim(0.5, _x_limit(self.planned, int(loans.index.max())))
        self.ax_loans.set_ylim(0, max(float(np.nanmax(loans.to_numpy())) * 1.15, 1))
        return self.figure


def time_series_figure(metrics: pd.DataFrame, planned_steps: int = 0) -> Figure:
    """Concentration, dependency, sovereignty, trust and energy, as a new figure."""
    return TimeSeriesFigure(planned_steps).update(metrics)


def community_figure(model: EcosystemModel) -> Figure:
    """Per-community accuracy and own-notion fairness gap, as a new figure."""
    return CommunityFigure(len(model.community_arrays.strategy), model.strategy_names).update(model)


def audit_figure(metrics: pd.DataFrame, planned_steps: int = 0) -> Figure:
    """Audits, violations and the gaps, as a new figure."""
    return AuditFigure(planned_steps).update(metrics)

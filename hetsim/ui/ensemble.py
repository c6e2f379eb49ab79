"""The ensemble panel's experiment: exactly ``hetsim compare`` for the page's settings.

The page's scenario and moved sliders (``--set``) make the baseline; each chosen arm is an
``--intervention`` of ``hetsim compare``. The runs go through
:func:`hetsim.analysis.experiments.compare_experiment` itself, into a folder like the CLI's,
so its ``comparison.csv`` is the one the page shows and offers for download.
"""

from __future__ import annotations

import shlex
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from hetsim.analysis.ensemble import SequentialExecutor
from hetsim.ui.figures import ENSEMBLE_METRICS
from hetsim.ui.labels import metric_label

SIGNIFICANCE = 0.05
"""Holm-adjusted p below which an effect is drawn as significant (the table's p column)."""


class ReportingExecutor(SequentialExecutor):
    """The CLI's one-process executor, calling ``on_progress(done, total)`` after each run."""

    def __init__(self, total: int, on_progress: Callable[[int, int], None] | None) -> None:
        self.total = total
        self.on_progress = on_progress

    def imap(self, fn: Callable[[Any], Any], items: Iterable[Any]) -> Iterator[tuple[Any, Any]]:
        """Yield ``(item, fn(item))`` in order, reporting progress."""
        for done, pair in enumerate(super().imap(fn, items), start=1):
            if self.on_progress is not None:
                self.on_progress(done, self.total)
            yield pair


@dataclass
class EnsembleResult:
    """What the panel shows: the comparison table, its folder and the equivalent command."""

    comparison: pd.DataFrame
    out_dir: Path
    command: str


def compare_command(
    scenario: str, arms: Sequence[str], seeds: int, steps: int, overrides: Sequence[str]
) -> str:
    """The ``hetsim compare`` command line that runs the same experiment."""
    parts = ["hetsim", "compare", scenario, "--seeds", str(seeds), "--steps", str(steps)]
    for text in overrides:
        parts += ["--set", text]
    for arm in arms:
        parts += ["--intervention", arm]
    return shlex.join(parts)


def run_compare(
    scenario: str,
    arms: Sequence[str],
    seeds: int,
    steps: int,
    overrides: Sequence[str],
    on_progress: Callable[[int, int], None] | None = None,
    out_dir: Path | None = None,
) -> EnsembleResult:
    """Run ``hetsim compare`` for these settings in ``out_dir`` (a fresh temporary folder)."""
    from hetsim.analysis.experiments import compare_experiment

    folder = Path(out_dir or tempfile.mkdtemp(prefix="hetsim-ui-compare-"))
    executor = ReportingExecutor(seeds * (len(arms) + 1), on_progress)
    experiment = compare_experiment(
        scenario,
        list(arms),
        seeds=seeds,
        steps=steps,
        overrides=list(overrides),
        out_dir=folder,
        executor=executor,
        progress=False,
    )
    if not experiment.outcome.ok:
        failed = ", ".join(f["run"] for f in experiment.outcome.failures)
        raise RuntimeError(f"runs failed: {failed} (see {folder / 'failures.json'})")
    comparison = pd.read_csv(folder / "comparison.csv")
    return EnsembleResult(
        comparison, folder, compare_command(scenario, arms, seeds, steps, overrides)
    )


def main_rows(comparison: pd.DataFrame, window: str = "last10pct") -> pd.DataFrame:
    """The rows the panel shows: the main metrics over the last 10% of steps."""
    rows = comparison[
        (comparison["window"] == window) & comparison["metric"].isin(ENSEMBLE_METRICS)
    ]
    order = {m: i for i, m in enumerate(ENSEMBLE_METRICS)}
    return rows.sort_values(
        ["intervention", "metric"], key=lambda c: c.map(order) if c.name == "metric" else c
    )


def significant(row: pd.Series) -> bool:
    """Whether the row's Holm-adjusted p is below :data:`SIGNIFICANCE`."""
    p = row.get("p_adjusted", np.nan)
    return bool(np.isfinite(p) and p < SIGNIFICANCE)


def ensemble_figure(comparison: pd.DataFrame, window: str = "last10pct") -> Figure:
    """Forest plot per arm and metric: paired difference (arm − baseline) with its 95% CI.

    Red marks a Holm-adjusted p below 0.05, the p the table shows; each metric has its own
    x-scale (metrics differ in units) and the dashed line marks no effect.
    """
    rows = main_rows(comparison, window).reset_index(drop=True)
    fig = Figure(figsize=(6.0, 0.42 * max(len(rows), 1) + 1.1), layout="constrained")
    if rows.empty:
        ax = fig.add_subplot()
        ax.set_axis_off()
        ax.text(0.5, 0.5, "no results", ha="center", va="center")
        return fig
    axes = np.atleast_1d(fig.subplots(len(rows), 1))
    for ax, (_, row) in zip(axes, rows.iterrows(), strict=True):
        lo, hi, mid = row["diff_ci_low"], row["diff_ci_high"], row["diff_mean"]
        colour = "#d1495b" if significant(row) else "#555555"
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
        label = metric_label(row["metric"])
        if rows["intervention"].nunique() > 1:
            label = f"{row['intervention']}: {label}"
        ax.set_ylabel(label, rotation=0, ha="right", va="center", fontsize=7.5)
        ax.tick_params(axis="x", labelsize=7)
        for side in ("top", "right", "left"):
            ax.spines[side].set_visible(False)
    fig.suptitle(
        f"arm − baseline, paired over {int(rows['n_seeds'].max())} seeds; mean of the last 10% "
        "of steps, 95% CI\nred: Holm-adjusted p < 0.05",
        fontsize=9,
        x=0.02,
        ha="left",
    )
    return fig

"""``hetsim rank``: every shipped intervention's effect on the main outcomes, ranked (§3).

Policy researchers ask which lever moves an outcome most (what the compute-permit-simulator
calls ranking levers by outcome range). hetsim answers with its own paired comparison: the
baseline and every shipped intervention on the same seeds (common random numbers,
:func:`hetsim.analysis.compare.compare_experiment`), then, for each primary outcome, the
interventions ordered by their paired effect (intervention − baseline over the last 10% of
steps) with its 95% t-interval and the Holm-adjusted p-value of the comparison.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd

from hetsim.analysis.compare import compare_experiment
from hetsim.analysis.ensemble import SequentialExecutor
from hetsim.analysis.manifest import Experiment
from hetsim.analysis.store import write_text_atomic
from hetsim.scenarios.builder import load_scenario
from hetsim.simulation.schema import ScenarioError

WINDOW = "last10pct"
COLUMNS = ["metric", "rank", "intervention", "diff_mean", "diff_ci_low", "diff_ci_high",
           "effect_size", "p_adjusted", "baseline_mean"]  # fmt: skip


def applicable(scenario: str, overrides: Sequence[str]) -> tuple[list[str], list[str]]:
    """The shipped interventions that apply to the scenario, and notes on those that do not."""
    from hetsim.scenarios.library import list_interventions

    names, notes = [], []
    for name in list_interventions():
        try:
            load_scenario(scenario, list(overrides), [name])
        except ScenarioError as exc:
            notes.append(f"{name}: left out ({exc})")
        else:
            names.append(name)
    if not names:
        raise ScenarioError(f"{scenario}: no shipped intervention applies to it")
    return names, notes


def ranking_table(comparison: pd.DataFrame) -> pd.DataFrame:
    """Per primary outcome, the interventions by paired effect, largest increase first."""
    rows = comparison[(comparison["window"] == WINDOW) & (comparison["outcome"] == "primary")]
    ranked = rows.sort_values(["metric", "diff_mean"], ascending=[True, False], kind="mergesort")
    ranked = ranked.assign(rank=ranked.groupby("metric").cumcount() + 1)
    order = list(dict.fromkeys(rows["metric"]))  # the comparison's order of outcomes
    ranked["metric"] = pd.Categorical(ranked["metric"], categories=order, ordered=True)
    ranked = ranked.sort_values(["metric", "rank"], kind="mergesort")
    ranked["metric"] = ranked["metric"].astype(str)
    return ranked[COLUMNS].reset_index(drop=True)


def plot_ranking(table: pd.DataFrame, path: Path) -> Path:
    """One panel per outcome: each intervention's paired effect with its 95% CI."""
    metrics = list(dict.fromkeys(table["metric"]))
    columns = min(3, len(metrics))
    rows = -(-len(metrics) // columns)
    n = table["intervention"].nunique()
    fig, axes = plt.subplots(rows, columns, figsize=(4.2 * columns, (0.9 + 0.28 * n) * rows),
                             layout="constrained", squeeze=False)  # fmt: skip
    for ax in axes.flat[len(metrics) :]:
        ax.set_visible(False)
    for ax, metric in zip(axes.flat, metrics, strict=False):
        part = table[table["metric"] == metric].iloc[::-1]  # largest increase on top
        y = range(len(part))
        significant = part["p_adjusted"] < 0.05
        colours = ["crimson" if s else "#1f4e79" for s in significant]
        low = part["diff_mean"] - part["diff_ci_low"]
        high = part["diff_ci_high"] - part["diff_mean"]
        for yi, x, lo, hi, c in zip(y, part["diff_mean"], low, high, colours, strict=True):
            ax.errorbar(x, yi, xerr=[[lo], [hi]], fmt="o", ms=4, capsize=2, color=c)
        ax.axvline(0.0, color="#888888", lw=0.8)
        ax.set_yticks(list(y), part["intervention"], fontsize=7)
        ax.set_title(metric, fontsize=9)
        ax.tick_params(axis="x", labelsize=7)
    fig.suptitle("Paired effect of each intervention (95% CI; red: Holm p < 0.05)", fontsize=10)
    fig.savefig(path, dpi=130)
    plt.close(fig)
    return path


def rank_experiment(
    scenario: str,
    *,
    seeds: int,
    steps: int | None,
    overrides: Sequence[str],
    out_dir: Path,
    executor: SequentialExecutor,
    resume: bool = False,
    progress: bool = True,
    outcomes: str | Sequence[str] | None = None,
) -> Experiment:
    """Compare every applicable shipped intervention with the baseline; rank their effects.

    Writes what ``compare`` writes plus ``ranking.csv``, ``ranking.png`` and ``ranking.md``.
    """
    names, notes = applicable(scenario, overrides)
    experiment = compare_experiment(
        scenario,
        names,
        seeds=seeds,
        steps=steps,
        overrides=overrides,
        out_dir=out_dir,
        executor=executor,
        resume=resume,
        progress=progress,
        outcomes=outcomes,
    )
    experiment.notes += notes
    if experiment.comparison is None:
        return experiment
    table = ranking_table(experiment.comparison)
    out_dir = Path(out_dir)
    write_text_atomic(table.to_csv(index=False), out_dir / "ranking.csv")
    figure = plot_ranking(table, out_dir / "ranking.png")
    write_text_atomic(summary(table, seeds), out_dir / "ranking.md")
    experiment.files += [out_dir / "ranking.csv", figure, out_dir / "ranking.md"]
    return experiment


def summary(table: pd.DataFrame, seeds: int) -> str:
    """ranking.md: the table by outcome."""
    lines = [
        "# Interventions ranked by their effect on each main outcome",
        "",
        f"Paired effect (intervention − baseline, mean over the last 10% of steps) on {seeds} "
        "seeds with its 95% t-interval; p (Holm) adjusted across the primary outcomes within "
        "each intervention. Largest increase first.",
        "",
        "![ranking](ranking.png)",
        "",
        "| outcome | rank | intervention | effect | 95% CI | d_z | p (Holm) |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in table.itertuples(index=False):
        lines.append(
            f"| {r.metric} | {r.rank} | {r.intervention} | {r.diff_mean:.4g} | "
            f"{r.diff_ci_low:.4g} – {r.diff_ci_high:.4g} | {r.effect_size:.3g} | "
            f"{r.p_adjusted:.3g} |"
        )
    return "\n".join(lines) + "\n"

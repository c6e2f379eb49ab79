"""What ``hetsim optimise`` writes: the Pareto front, its convergence, and their figures."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd

from hetsim.analysis.exploration.lever_search import Objective, SearchResult
from hetsim.analysis.store import write_text_atomic


def write_optimisation(
    out_dir: Path,
    result: SearchResult,
    params: Sequence,
    names: Sequence[str],
    objectives: Sequence[Objective],
    *,
    seeds: int,
    steps: int,
) -> list[Path]:
    """``evaluations.csv``, ``front.csv``, ``convergence.csv``, the figures, ``optimisation.md``."""
    out_dir = Path(out_dir)
    keys = {n: p.key for n, p in zip(names, params, strict=True)}
    front = result.front.rename(columns=keys)
    evaluations = result.evaluations.rename(columns=keys)
    evaluations.insert(0, "evaluation", range(len(evaluations)))
    for p in params:
        if p.kind == "int":
            for table in (front, evaluations):
                table[p.key] = table[p.key].round().astype(int)
    tables = {
        "evaluations.csv": evaluations,
        "front.csv": front,
        "convergence.csv": result.convergence,
    }
    written = []
    for name, table in tables.items():
        written.append(out_dir / name)
        write_text_atomic(table.to_csv(index=False), written[-1])
    written += [
        plot_front(evaluations, front, objectives, out_dir / "pareto.png"),
        plot_convergence(result.convergence, out_dir / "convergence.png"),
    ]
    written.append(out_dir / "optimisation.md")
    write_text_atomic(summary(front, result, params, objectives, seeds, steps), written[-1])
    return written


def label(objective: Objective) -> str:
    """An axis label: the metric and which way is better."""
    return (
        f"{objective.name} ({'lower' if objective.direction == 'minimise' else 'higher'} is better)"
    )


def plot_front(
    evaluations: pd.DataFrame, front: pd.DataFrame, objectives: Sequence[Objective], path: Path
) -> Path:
    """Every evaluation (grey) and the front (dark), one panel per pair of objectives."""
    pairs = list(itertools.combinations(objectives, 2)) or [(objectives[0], objectives[0])]
    fig, axes = plt.subplots(
        1, len(pairs), figsize=(5.0 * len(pairs), 4.2), layout="constrained", squeeze=False
    )
    for ax, (a, b) in zip(axes[0], pairs, strict=True):
        ax.scatter(evaluations[a.name], evaluations[b.name], s=12, c="#bbbbbb", label="evaluated")
        ax.scatter(front[a.name], front[b.name], s=24, c="#1f4e79", label="Pareto front")
        ax.set(xlabel=label(a), ylabel=label(b))
        ax.legend(loc="best", fontsize=8)
    fig.suptitle("Objectives (mean over seeds) of every lever mix evaluated")
    fig.savefig(path, dpi=150)
    plt.close(fig)
    return path


def plot_convergence(convergence: pd.DataFrame, path: Path) -> Path:
    """ε-progress and hypervolume against evaluations."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(9.0, 3.6), layout="constrained")
    progress = convergence.dropna(subset=["epsilon_progress"])
    left.plot(progress["nfe"], progress["epsilon_progress"], marker=".")
    left.set(xlabel="evaluations", ylabel="ε-progress (archive improvements)")
    volume = convergence.dropna(subset=["hypervolume"])
    right.plot(volume["nfe"], volume["hypervolume"], marker=".", c="#dd8452")
    right.set(xlabel="evaluations", ylabel="hypervolume (normalised)")
    fig.suptitle("Convergence of the search")
    fig.savefig(path, dpi=150)
    plt.close(fig)
    return path


def summary(front, result, params, objectives, seeds: int, steps: int) -> str:
    """optimisation.md: what was searched, the front as a table, how it converged."""
    goals = ", ".join(f"{o.direction} `{o.name}` (ε {o.epsilon:g})" for o in objectives)
    levers = ", ".join(f"`{p.key}` in {p.bounds[0]:g}–{p.bounds[1]:g}" for p in params)
    volumes = result.convergence.dropna(subset=["hypervolume"])
    columns = [p.key for p in params] + [o.name for o in objectives]
    lines = [
        "# Lever search: the Pareto front",
        "",
        f"Levers {levers}; objectives: {goals}. Each lever mix ran on {seeds} seed(s) × "
        f"{steps} steps; its objective is the mean over the seeds. {len(result.evaluations)} "
        f"mixes evaluated (ε-NSGA-II, EMA Workbench); {len(front)} on the front.",
        "",
        "![Pareto front](pareto.png)",
        "",
        "| " + " | ".join(columns) + " |",
        "|" + "---|" * len(columns),
    ]
    for row in front[columns].itertuples(index=False):
        lines.append("| " + " | ".join(f"{v:.4g}" for v in row) + " |")
    lines += [
        "",
        f"Convergence: ε-progress {int(result.convergence['epsilon_progress'].max())} "
        "archive improvements; "
        + (
            f"hypervolume {volumes['hypervolume'].iloc[-1]:.4g} at "
            f"{int(volumes['nfe'].iloc[-1])} evaluations (objectives normalised to the range "
            "of every mix evaluated; a flat tail means more evaluations would change little)."
            if len(volumes)
            else "no hypervolume: an objective took the same value in every mix evaluated."
        ),
        "",
        *noise_lines(result.evaluations, objectives, seeds),
        "",
        "![Convergence](convergence.png)",
    ]
    return "\n".join(lines) + "\n"


def noise_lines(evaluations: pd.DataFrame, objectives: Sequence[Objective], seeds: int) -> list:
    """How large the seeds' noise is against the spread between mixes, per objective."""
    if seeds < 2:
        return ["Seed noise: one seed per mix, so the front cannot be told from seed noise."]
    lines = ["Seed noise (evaluations.csv): per objective, the median standard error of a mix's "
             "mean against the standard deviation between mixes; where they are alike, the "
             "front's order is mostly the seeds' draw.", ""]  # fmt: skip
    for o in objectives:
        error = float(evaluations[f"{o.name}_sd"].median()) / seeds**0.5
        spread = float(evaluations[o.name].std(ddof=1))
        lines.append(f"- `{o.name}`: standard error {error:.3g}, between mixes {spread:.3g}")
    return lines

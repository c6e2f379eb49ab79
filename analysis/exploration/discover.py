"""``hetsim discover``: the worlds in which an intervention fails (scenario discovery, §3).

Each point of a Latin hypercube over the uncertain keys (EMA Workbench's sampler) is a world;
it is run without and with the intervention on seeds ``0..seeds-1`` (common random numbers),
by hetsim's executors, stored and resumable like every experiment. A world's *effect* is the
paired difference with minus without on the outcome (its window value), averaged over the
seeds; the intervention *fails* there when the effect meets ``--fails-when``. PRIM then finds
the box of worlds where it fails, and extra trees score which uncertainties matter.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from hetsim.analysis.arguments import check_count, parse_params, portable
from hetsim.analysis.ensemble import SequentialExecutor
from hetsim.analysis.exploration.scenario_discovery import (
    ema,
    fails,
    feature_scores,
    find_box,
    parse_failure_rule,
)
from hetsim.analysis.manifest import Experiment
from hetsim.analysis.store import write_text_atomic
from hetsim.analysis.sweep import run_points
from hetsim.analysis.tasks import arm_label
from hetsim.simulation.schema import ScenarioError

DEFAULT_SAMPLES = 50
DEFAULT_SEEDS = 3


def latin_hypercube(params: Sequence, samples: int, sample_seed: int) -> np.ndarray:
    """``samples`` points over the parameters' ranges, from EMA Workbench's LHS sampler."""
    parameters = ema("em_framework.parameters")
    samplers = ema("em_framework.samplers")
    # EMA Workbench names must be Python identifiers: u0, u1, … in the parameters' order
    uncertainties = [parameters.RealParameter(f"u{i}", *p.bounds) for i, p in enumerate(params)]
    return samplers.LHSSampler().generate_samples(uncertainties, samples, rng=sample_seed).samples


def discover_experiment(
    scenario: str,
    interventions: Sequence[str],
    uncertain: Sequence[str],
    *,
    outcome: str,
    fails_when: str = "effect > 0",
    density: float = 0.8,
    samples: int = DEFAULT_SAMPLES,
    seeds: int = DEFAULT_SEEDS,
    window: str = "last10pct",
    sample_seed: int = 0,
    steps: int | None = None,
    overrides: Sequence[str] = (),
    out_dir: Path,
    executor: SequentialExecutor,
    resume: bool = False,
    progress: bool = True,
) -> Experiment:
    """Scenario discovery for one intervention over the uncertain keys' ranges.

    Writes ``runs.parquet`` (every run, both arms), ``worlds.csv`` (one row per world: its
    uncertain values, the outcome without and with the intervention, the effect and whether
    it fails), ``prim_trajectory.csv``, ``prim_box.csv`` (the chosen box's limits),
    ``feature_scores.csv``, ``discovery.md`` and its figures.
    """
    from hetsim.agents import STRATEGIES
    from hetsim.analysis.statistics import WINDOWS
    from hetsim.simulation.recorder import metric_columns

    scenario = portable(scenario)
    interventions = [portable(name) for name in interventions]
    if not interventions:
        raise ScenarioError("give the intervention to explore with --intervention NAME")
    rule = parse_failure_rule(fails_when)
    metrics = metric_columns(STRATEGIES)
    if outcome not in metrics or outcome == "step":
        raise ScenarioError(f"--outcome {outcome!r}: not a metric; see docs/metrics.md")
    if window not in WINDOWS:
        raise ScenarioError(f"--window {window!r}: must be one of {', '.join(WINDOWS)}")
    if not 0.0 < density <= 1.0:
        raise ScenarioError(f"--density = {density}: must be in (0, 1]")
    check_count("seeds", seeds)
    check_count("steps", steps)
    check_count("samples", samples, minimum=2)
    params = parse_params(uncertain, overrides)
    listed = [p.key for p in params if p.bounds is None]
    if listed:
        raise ScenarioError(f"--uncertain {listed[0]}: needs a range lo:hi")
    design = latin_hypercube(params, samples, sample_seed)
    points = [tuple(p.coerce(v) for p, v in zip(params, row, strict=True)) for row in design]
    plan = {
        "uncertain": list(uncertain),
        "samples": samples,
        "sample_seed": sample_seed,
        "outcome": outcome,
        "fails_when": fails_when,
        "window": window,
    }
    record = {
        "design": "latin_hypercube (EMA Workbench)",
        "params": [p.key for p in params],
        "points": [[float(v) for v in point] for point in points],
        "outcome": outcome,
        "fails_when": fails_when,
        "window": window,
        "density": density,
    }
    experiment = run_points(
        "discover",
        scenario,
        params,
        points,
        plan,
        record,
        seeds=seeds,
        steps=steps,
        overrides=overrides,
        interventions=(),
        treatment=interventions,
        out_dir=out_dir,
        executor=executor,
        resume=resume,
        progress=progress,
    )
    if experiment.runs is None or experiment.outcome.interrupted:
        return experiment  # worlds from a part of the design would mislead: --resume ends it
    out_dir = Path(out_dir)
    worlds = world_effects(experiment.runs, params, outcome, window, arm_label(interventions))
    worlds["fails"] = fails(worlds["effect"].to_numpy(), rule)
    written = [out_dir / "worlds.csv"]
    write_text_atomic(worlds.to_csv(index=False), written[0])
    x = worlds[[p.key for p in params]]
    if worlds["fails"].any() and not worlds["fails"].all():
        box = find_box(x, worlds["fails"].to_numpy(), density)
        scores = feature_scores(x, worlds["fails"].to_numpy(), seed=sample_seed)
        for name, table in (
            ("prim_trajectory.csv", box.trajectory),
            ("prim_box.csv", box.limits),
            ("feature_scores.csv", scores),
        ):
            write_text_atomic(table.to_csv(index=False), out_dir / name)
            written.append(out_dir / name)
        from hetsim.analysis.exploration.figures import plot_discovery

        written += plot_discovery(worlds, box, scores, out_dir)
        summary = box_summary(worlds, box, scores, interventions, outcome, fails_when)
    else:
        share = "every" if worlds["fails"].all() else "no"
        summary = f"The intervention fails in {share} world sampled: there is no box to find.\n"
        experiment.notes.append(summary.strip())
    write_text_atomic(summary, out_dir / "discovery.md")
    experiment.files += [*written, out_dir / "discovery.md"]
    return experiment


def world_effects(
    runs: pd.DataFrame, params: Sequence, outcome: str, window: str, treated: str
) -> pd.DataFrame:
    """One row per world: its values, the outcome without and with, and the mean effect."""
    from hetsim.analysis.statistics import summarise_runs

    keyed = runs.assign(intervention=runs["point"].astype(str) + "|" + runs["intervention"])
    values = summarise_runs(keyed, window, metrics=[outcome])
    split = values["intervention"].str.split("|", n=1, expand=True)
    values = values.assign(point=split[0].astype(int), arm=split[1])
    wide = values.pivot_table(index=["point", "seed"], columns="arm", values="value")
    if treated not in wide or "baseline" not in wide:
        raise ScenarioError("no paired runs finished: nothing to compare")
    paired = (wide[treated] - wide["baseline"]).rename("effect")
    per_world = pd.DataFrame(
        {
            "without": wide["baseline"].groupby("point").mean(),
            "with": wide[treated].groupby("point").mean(),
            "effect": paired.groupby("point").mean(),
            "effect_sd": paired.groupby("point").std(ddof=1),
            "seeds": paired.groupby("point").count(),
        }
    )
    first = runs.drop_duplicates("point").set_index("point")[[p.key for p in params]]
    return first.join(per_world, how="inner").reset_index()


def box_summary(worlds, box, scores, interventions, outcome, fails_when) -> str:
    """discovery.md: what was asked, how often it fails, and where."""
    row = box.trajectory.iloc[box.chosen]
    lines = [
        f"# Where {' + '.join(Path(i).stem for i in interventions)} fails",
        "",
        f"Outcome `{outcome}`; a world fails when `{fails_when}` (paired effect, mean over "
        f"seeds). It fails in {int(worlds['fails'].sum())} of {len(worlds)} worlds sampled.",
        "",
        f"PRIM box (trajectory row {box.chosen}): coverage {row['coverage']:.2f}, density "
        f"{row['density']:.2f}, mass {row['mass']:.2f}.",
        "",
        "| uncertainty | box | sampled range |",
        "|---|---|---|",
    ]
    for _, lim in box.limits.iterrows():
        lines.append(
            f"| `{lim['uncertainty']}` | {lim['lower']:.4g} – {lim['upper']:.4g} | "
            f"{lim['range_lower']:.4g} – {lim['range_upper']:.4g} |"
        )
    lines += ["", "Feature scores (extra trees):", ""]
    lines += [f"- `{r.uncertainty}`: {r.score:.3f}" for r in scores.itertuples()]
    return "\n".join(lines) + "\n"

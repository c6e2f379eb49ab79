"""``hetsim calibrate``: fit a scenario's assumed keys to field patterns, then check the fit.

Reads the targets file, runs ABC-SMC (:mod:`.smc`) over the world (:mod:`.simulator`), runs
the point estimate over more seeds and posterior draws, stores every table under the output
folder and writes the page (:mod:`.report`) and its pair plot.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from hetsim.analysis.calibration.adopt import adopt
from hetsim.analysis.calibration.report import Checks, pair_plot, render, write_tables
from hetsim.analysis.calibration.simulator import WorldSimulator, read_evaluations
from hetsim.analysis.calibration.smc import Posterior, run_smc, worker_pool
from hetsim.analysis.calibration.targets import Targets, load_targets
from hetsim.simulation.schema import ScenarioError


@dataclass
class Calibration:
    """What a calibration wrote and found."""

    out_dir: Path
    doc: Path
    targets: Targets
    posterior: Posterior
    checks: Checks
    files: list[Path] = field(default_factory=list)


def _check(name: str, value: int | None, minimum: int = 1) -> None:
    if value is not None and (isinstance(value, bool) or value < minimum):
        raise ScenarioError(f"--{name} = {value}: must be an integer >= {minimum}")


def map_over(simulator: WorldSimulator, jobs: list[tuple[dict, int]], workers: int) -> list[dict]:
    """``simulator.measure(params, seed)`` for every job, on the worker processes."""
    pool = worker_pool(workers)
    if pool is None:
        return [simulator.measure(params, seed) for params, seed in jobs]
    with pool:
        futures = [pool.submit(simulator.measure, params, seed) for params, seed in jobs]
        return [future.result() for future in futures]


def calibrate(
    scenario: str,
    targets_file: str | Path,
    *,
    budget: int,
    seeds: int = 2,
    steps: int | None = None,
    overrides: Sequence[str] = (),
    population: int | None = None,
    generations: int = 100,
    check_seeds: int = 10,
    draws: int = 20,
    workers: int = 1,
    out_dir: str | Path | None = None,
    doc: str | Path = "docs/calibration.md",
    resume: bool = False,
    sample_seed: int = 0,
    max_minutes: float | None = None,
    adopt_into: str | Path | None = None,
    command: str = "",
    quiet: bool = True,
) -> Calibration:
    """Calibrate ``scenario`` to the targets; write the tables, the page and its figure."""
    try:
        import pyabc
    except ImportError:
        raise ScenarioError(
            "hetsim calibrate needs pyabc: pip install 'hetsim[calibrate]'"
        ) from None

    from hetsim.scenarios.builder import load_scenario

    for name, value, minimum in (
        ("budget", budget, 2),
        ("seeds", seeds, 1),
        ("steps", steps, 2),
        ("population", population, 2),
        ("generations", generations, 1),
        ("check-seeds", check_seeds, 1),
        ("draws", draws, 1),
        ("workers", workers, 1),
    ):
        _check(name, value, minimum)
    if adopt_into is not None and not Path(adopt_into).is_file():
        raise ScenarioError(f"--adopt {adopt_into}: no such scenario file")
    if max_minutes is not None and not max_minutes > 0:
        raise ScenarioError(f"--max-minutes = {max_minutes}: must be a number > 0")
    targets = load_targets(targets_file)
    spec = load_scenario(scenario, list(overrides), [])  # a bad scenario or --set fails here
    fixed = {text.split("=", 1)[0].strip() for text in overrides}
    for prior in targets.priors:
        if prior.key in fixed:
            raise ScenarioError(f"--set {prior.key}: the targets file calibrates it; not both")
    population = population or max(10, min(100, budget // 8))
    out = Path(out_dir or Path("results") / "calibration" / spec.name)
    out.mkdir(parents=True, exist_ok=True)
    log_dir = out / "evaluations"
    log_dir.mkdir(exist_ok=True)
    simulator = WorldSimulator(
        scenario, targets.targets, targets.priors, seeds, steps, tuple(overrides), str(log_dir)
    )
    started = time.monotonic()
    posterior = run_smc(
        simulator,
        targets.fit,
        targets.priors,
        db=out / "history.db",
        budget=budget,
        population=population,
        generations=generations,
        workers=workers,
        resume=resume,
        sample_seed=sample_seed,
        max_minutes=max_minutes,
        quiet=quiet,
    )
    point = posterior.median()
    checker = WorldSimulator(scenario, targets.targets, targets.priors, 1, steps, tuple(overrides))
    jobs = [(point, seed) for seed in range(check_seeds)]
    picked = posterior.draws(draws, sample_seed)
    jobs += [(row, i) for i, row in enumerate(picked.to_dict("records"))]
    results = map_over(checker, jobs, workers)
    minutes = (time.monotonic() - started) / 60
    checks = Checks(
        point=point,
        at_point=pd.DataFrame(results[:check_seeds]).assign(seed=range(check_seeds)),
        draws=pd.concat([picked, pd.DataFrame(results[check_seeds:])], axis=1),
        evaluated=read_evaluations(log_dir),
    )
    doc = Path(doc)
    doc.parent.mkdir(parents=True, exist_ok=True)
    figure = pair_plot(posterior, targets, doc.with_name(doc.stem + "_pairs.png"))
    facts = {
        "scenario": spec.name,
        "targets": str(targets_file),
        "out": str(out),
        "command": command or f"hetsim calibrate {scenario} --targets {targets_file}",
        "pyabc": pyabc.__version__,
        "seeds": seeds,
        "steps": steps or spec.run.steps,
        "world": world_line(spec),
        "budget": budget,
        "max_minutes": max_minutes,
        "population": population,
        "workers": workers,
        "minutes": minutes,
    }
    doc.write_text(render(targets, posterior, checks, facts, figure.name), encoding="utf-8")
    files = write_tables(out, posterior, checks, [p.key for p in targets.priors])
    (out / "calibration.json").write_text(json.dumps(facts, indent=2), encoding="utf-8")
    files += [doc, figure]
    if adopt_into is not None:
        kinds = {p.key: p.kind for p in targets.priors}
        files.append(adopt(adopt_into, point, kinds, f"calibrated: {doc} (posterior median)"))
    return Calibration(out, doc, targets, posterior, checks, files)


def world_line(spec) -> str:
    """The world's size in words."""
    return (
        f"{spec.large_entities.count} large entities, {spec.communities.count} communities, "
        f"{spec.annotators.count} annotators, {spec.regulators.count} regulators"
    )

"""``hetsim.optimise``: which mix of levers best trades one outcome against another?

Part of the Python API (re-exported by :mod:`hetsim.api` and ``import hetsim``); the command
``hetsim optimise`` calls it with the same argument names. EMA Workbench is imported only
when it runs.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from hetsim import api_checks as checks
from hetsim.analysis.ensemble import SequentialExecutor
from hetsim.analysis.manifest import Experiment


@checks.checked
def optimise(
    scenario: str | Path,
    levers: Sequence[str],
    *,
    minimise: Sequence[str] = (),
    maximise: Sequence[str] = (),
    epsilons: Sequence[float] | None = None,
    seeds: int = 3,
    nfe: int = 200,
    population: int = 20,
    window: str = "last10pct",
    search_seed: int = 0,
    steps: int | None = None,
    set: Sequence[str] = (),
    interventions: Sequence[str] = (),
    out: str | Path | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    executor: SequentialExecutor | None = None,
    resume: bool = False,
    progress: bool = False,
) -> Experiment:
    """The Pareto front of ``minimise``/``maximise`` metrics over ``key=lo:hi`` levers.

    ε-NSGA-II (EMA Workbench on Platypus) spends about ``nfe`` evaluations; each lever mix it
    proposes runs on seeds ``0..seeds-1`` (each run the one ``hetsim run --set key=value
    --seed s`` makes) and scores the mean over them. Writes ``front.csv``,
    ``evaluations.csv``, ``convergence.csv`` (ε-progress, hypervolume), ``optimisation.md``,
    ``pareto.png`` and ``convergence.png``.
    """
    checks.validate(
        "optimise", scenario, set, seeds=seeds, steps=steps, interventions=interventions
    )
    checks.check_strings("lever", levers)
    checks.check_strings("minimise", minimise)
    checks.check_strings("maximise", maximise)
    checks.check_strings("intervention", interventions)
    checks.check_executor(workers, scheduler)
    out_dir = checks.out_folder("optimise", scenario, out)  # checked before any work starts
    from hetsim.analysis.exploration.optimise import optimise_experiment  # EMA loads here

    with checks.chosen_executor(workers, scheduler, executor) as chosen:
        return optimise_experiment(
            str(scenario),
            list(levers),
            minimise=list(minimise),
            maximise=list(maximise),
            epsilons=None if epsilons is None else list(epsilons),
            seeds=seeds,
            nfe=nfe,
            population=population,
            window=window,
            search_seed=search_seed,
            steps=steps,
            overrides=list(set),
            interventions=list(interventions),
            out_dir=out_dir,
            executor=chosen,
            resume=resume,
            progress=progress,
        )

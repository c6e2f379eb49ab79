"""``hetsim.discover``: in which worlds does an intervention fail? (scenario discovery).

Part of the Python API (re-exported by :mod:`hetsim.api` and ``import hetsim``); the command
``hetsim discover`` calls it with the same argument names. EMA Workbench is imported only
when it runs.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from hetsim import api_checks as checks
from hetsim.analysis.ensemble import SequentialExecutor
from hetsim.analysis.manifest import Experiment


@checks.checked
def discover(
    scenario: str | Path,
    interventions: Sequence[str],
    uncertain: Sequence[str],
    *,
    outcome: str,
    fails_when: str = "effect > 0",
    density: float = 0.8,
    samples: int = 50,
    seeds: int = 3,
    window: str = "last10pct",
    sample_seed: int = 0,
    steps: int | None = None,
    set: Sequence[str] = (),
    out: str | Path | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    executor: SequentialExecutor | None = None,
    resume: bool = False,
    progress: bool = False,
) -> Experiment:
    """Worlds where ``interventions`` fail: PRIM boxes over ``key=lo:hi`` uncertainties.

    Each of ``samples`` worlds (a Latin hypercube, EMA Workbench) runs without and with the
    interventions on seeds ``0..seeds-1``; a world fails when its paired effect on ``outcome``
    (mean over seeds) meets ``fails_when`` (``"effect > 0"``, ``"effect >= -0.01"``, …).
    Writes ``worlds.csv``, the PRIM trajectory and box, feature scores and ``discovery.md``.
    """
    checks.validate(
        "discover", scenario, set, seeds=seeds, steps=steps, interventions=interventions
    )
    checks.check_strings("intervention", interventions)
    checks.check_strings("uncertain", uncertain)
    checks.check_executor(workers, scheduler)
    out_dir = checks.out_folder("discover", scenario, out)  # checked before any work starts
    from hetsim.analysis.exploration import discover_experiment  # EMA Workbench loads here

    with checks.chosen_executor(workers, scheduler, executor) as chosen:
        return discover_experiment(
            str(scenario),
            list(interventions),
            list(uncertain),
            outcome=outcome,
            fails_when=fails_when,
            density=density,
            samples=samples,
            seeds=seeds,
            window=window,
            sample_seed=sample_seed,
            steps=steps,
            overrides=list(set),
            out_dir=out_dir,
            executor=chosen,
            resume=resume,
            progress=progress,
        )

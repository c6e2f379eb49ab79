"""``hetsim.rank``: which shipped intervention moves each main outcome most?

Part of the Python API (re-exported by :mod:`hetsim.api` and ``import hetsim``); the command
``hetsim rank`` calls it with the same argument names.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from hetsim import api_checks as checks
from hetsim.analysis.ensemble import SequentialExecutor
from hetsim.analysis.manifest import Experiment


@checks.checked
def rank(
    scenario: str | Path,
    *,
    seeds: int = 10,
    steps: int | None = None,
    set: Sequence[str] = (),
    outcomes: str | Sequence[str] | None = None,
    out: str | Path | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    executor: SequentialExecutor | None = None,
    resume: bool = False,
    progress: bool = False,
) -> Experiment:
    """Every shipped intervention against the baseline on seeds ``0..seeds-1``, ranked.

    Writes what :func:`compare` writes (every intervention that applies to the scenario is an
    arm) plus ``ranking.csv`` (per primary outcome, the interventions by paired effect with
    95% CI, d_z and Holm p), ``ranking.png`` and ``ranking.md``.
    """
    checks.validate("rank", scenario, set, seeds=seeds, steps=steps)
    checks.check_executor(workers, scheduler)
    out_dir = checks.out_folder("rank", scenario, out)  # checked before any work starts
    from hetsim.analysis.exploration.ranking import rank_experiment

    with checks.chosen_executor(workers, scheduler, executor) as chosen:
        return rank_experiment(
            str(scenario),
            seeds=seeds,
            steps=steps,
            overrides=list(set),
            out_dir=out_dir,
            executor=chosen,
            resume=resume,
            progress=progress,
            outcomes=outcomes,
        )

"""Run many (scenario, intervention, seed) tasks on a swappable executor, streaming to disk.

Design (after EMA Workbench's evaluators): a :class:`Task` is a small picklable value naming
what to run; :func:`execute` turns one task into its tables (both in
:mod:`hetsim.analysis.tasks`); an executor only decides *where* tasks run
(:class:`SequentialExecutor`, :class:`ProcessExecutor`, :class:`DaskExecutor`, in
:mod:`hetsim.analysis.executors`), so results for a seed are identical whichever executor
runs them. :func:`run_ensemble`, here, writes each finished run at once to
``DIR/runs/<arm>/seed=<seed>.parquet`` (temp file, then ``os.replace``, so a kill never leaves
half a file), skips finished runs on ``resume``, reports failed runs with their seed and error
without stopping the others, and keeps only one run's metrics in memory at a time. Workers
return tables to the caller, which writes them: a Dask cluster's workers need the hetsim
sources importable but no shared filesystem.
"""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hetsim.analysis.executors import (
    DaskExecutor,
    ProcessExecutor,
    SequentialExecutor,
    make_executor,
)
from hetsim.analysis.tasks import (
    BASELINE,
    RunResult,
    Task,
    arm_label,
    execute,
    label_table,
    last_step_flows,
    run_task,
    run_task_tables,
    store_task_result,
    task_done,
    task_files,
)
from hetsim.simulation.schema import ScenarioError

__all__ = [
    "BASELINE",
    "DaskExecutor",
    "EnsembleOutcome",
    "ProcessExecutor",
    "RunResult",
    "SequentialExecutor",
    "Task",
    "arm_label",
    "execute",
    "label_table",
    "last_step_flows",
    "make_executor",
    "run_ensemble",
    "run_task",
    "run_task_tables",
    "store_task_result",
    "task_done",
    "task_files",
]


@dataclass
class EnsembleOutcome:
    """How an ensemble went: runs done now, runs found done before, and the failures."""

    ran: int = 0
    skipped: int = 0
    failures: list[dict[str, Any]] = field(default_factory=list)
    total: int = 0
    damaged: list[str] = field(default_factory=list)
    interrupted: str | None = None  # "SIGINT" or "SIGTERM" when the runs were cut short

    @property
    def ok(self) -> bool:
        """True when no run failed."""
        return not self.failures


def run_ensemble(
    jobs: Sequence[Any],
    out_dir: Path,
    executor: SequentialExecutor,
    *,
    resume: bool = False,
    progress: bool = True,
    worker: Callable[[Any], Any] = execute,
    done: Callable[[Any, Path], bool] = task_done,
    store: Callable[[Any, Any, Path], None] = store_task_result,
    files: Callable[[Any, Path], list[Path]] = task_files,
    desc: str = "runs",
) -> EnsembleOutcome:
    """Run every job not yet done, writing each result as soon as it arrives.

    Args:
        jobs: Picklable jobs (:class:`Task` by default) with ``describe()`` and ``seed``.
        out_dir: The experiment folder.
        executor: Where jobs run.
        resume: Skip jobs already done; without it, finding one done is an error (a fresh
            experiment never mixes with an old one).
        progress: Show a progress bar (on a terminal) with runs done, failed and time left.
        worker: Function run on the executor; returns a result with ``error``/``detail``.
        done: Whether a job's results are stored whole (a damaged one is rerun).
        store: Writes a successful result.
        files: The files a job's result is stored in (removed when damaged).
        desc: Label of the progress bar.

    Returns:
        The outcome; failures are also printed to stderr and written to ``failures.json``.
        Ctrl-C or SIGTERM stops the executor at once and returns the outcome so far, with
        ``interrupted`` set: every run stored before it is kept whole.
    """
    from tqdm import tqdm

    from hetsim.analysis.store import clear_partial_files

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    clear_partial_files(out_dir)
    is_done = [done(job, out_dir) for job in jobs]
    finished = [job for job, ok in zip(jobs, is_done, strict=True) if ok]
    if finished and not resume:
        raise ScenarioError(
            f"--out {out_dir}: already holds {len(finished)} finished run(s) "
            f"(e.g. {finished[0].describe()}); pass --resume to continue that experiment, "
            "or choose another --out"
        )
    todo = [job for job, ok in zip(jobs, is_done, strict=True) if not ok]
    outcome = EnsembleOutcome(skipped=len(finished), total=len(jobs))
    for job in todo:
        stale = [path for path in files(job, out_dir) if path.exists()]
        if stale and resume:
            outcome.damaged.append(job.describe())
            print(
                f"hetsim: {job.describe()}: stored run is damaged or incomplete; running it again",
                file=sys.stderr,
            )
        for path in stale:
            path.unlink()
    bar = tqdm(
        total=len(jobs),
        initial=len(finished),
        desc=desc,
        unit="run",
        disable=None if progress else True,
        dynamic_ncols=True,
        file=sys.stderr,
    )
    from hetsim.analysis.interruption import signal_name

    try:
        for job, result in executor.imap(worker, todo):
            if result.error is None:
                store(job, result, out_dir)
                outcome.ran += 1
            else:
                failure = {
                    "run": job.describe(),
                    "seed": int(job.seed),
                    "error": result.error,
                    "traceback": result.detail,
                }
                outcome.failures.append(failure)
                tqdm.write(f"hetsim: run failed: {job.describe()}: {result.error}", file=sys.stderr)
            bar.set_postfix(done=outcome.ran + outcome.skipped, failed=len(outcome.failures))
            bar.update(1)
    except KeyboardInterrupt as exc:
        outcome.interrupted = signal_name(exc)
        executor.abort()
    finally:
        bar.close()
        _write_failures(out_dir, outcome.failures)
    return outcome


def _write_failures(out_dir: Path, failures: list[dict[str, Any]]) -> None:
    path = out_dir / "failures.json"
    if failures:
        ordered = sorted(failures, key=lambda f: (f["run"], f["seed"]))
        path.write_text(json.dumps(ordered, indent=2) + "\n")
    else:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()

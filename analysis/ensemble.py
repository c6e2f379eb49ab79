"""Run many (scenario, intervention, seed) tasks on a swappable executor, streaming to disk.

Design (after EMA Workbench's evaluators): a :class:`Task` is a small picklable value naming
what to run; :func:`execute` turns one task into its tables (both in
:mod:`hetsim.analysis.tasks`); an executor only decides *where* tasks run
(:class:`SequentialExecutor`, :class:`ProcessExecutor`, :class:`DaskExecutor`; reaching a
cluster is :mod:`hetsim.analysis.cluster`), so results for a seed are identical whichever
executor runs them. :func:`run_ensemble` writes each finished run at once to
``DIR/runs/<arm>/seed=<seed>.parquet`` (temp file, then ``os.replace``, so a kill never leaves
half a file), skips finished runs on ``resume``, reports failed runs with their seed and error
without stopping the others, and keeps only one run's metrics in memory at a time. Workers
return tables to the caller, which writes them: a Dask cluster's workers need the hetsim
sources importable but no shared filesystem.
"""

from __future__ import annotations

import contextlib
import json
import multiprocessing
import os
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hetsim.analysis import cluster
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
from hetsim.analysis.workers import THREAD_VARIABLES, limit_threads
from hetsim.simulation.schema import ScenarioError

WORKER_LOG_LEVEL = {"DASK_LOGGING__DISTRIBUTED": "error"}
# A LocalCluster started by hetsim serves no web pages (dashboard, info, JSON, metrics).
CONNECT_TIMEOUT = 20.0  # seconds to reach a remote scheduler before giving up
NO_HTTP_PAGES = {"distributed.scheduler.http.routes": [], "distributed.worker.http.routes": []}
#: A LocalCluster serves no dashboard, so nothing reads what distributed samples for one: the
#: workers' statistical profiler (a stack walk of the running task every 10 ms, under the GIL)
#: is off and the system monitor samples every 10 s instead of every 0.5 s. The memory monitor
#: still enforces the workers' memory limit, checked every second instead of every 0.1 s. On 2
#: cores these cut a 60-run batch from 1.38x to 1.11x the time of local processes
#: (benchmarks/results.md).
LOCAL_CLUSTER_CONFIG = {
    **NO_HTTP_PAGES,
    "distributed.worker.profile.enabled": False,
    "distributed.admin.system-monitor.interval": "10s",
    "distributed.worker.memory.monitor-interval": "1s",
}

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
    "limit_threads",
    "make_executor",
    "run_ensemble",
    "run_task",
    "run_task_tables",
    "store_task_result",
    "task_done",
    "task_files",
]


# ------------------------------------------------------------------------------ executors


class SequentialExecutor:
    """Run tasks one after the other in this process.

    Executors start lazily: :meth:`start` (called by the experiments once every input is
    validated, and by :meth:`imap`) starts worker processes or connects to a cluster, so bad
    input never starts anything.
    """

    name = "sequential"

    def start(self) -> None:
        """Nothing to start."""

    def imap(self, fn: Callable[[Any], Any], items: Iterable[Any]) -> Iterator[tuple[Any, Any]]:
        """Yield ``(item, fn(item))`` in order."""
        for item in items:
            yield item, fn(item)

    def close(self) -> None:
        """Nothing to release."""

    def abort(self) -> None:
        """Stop at once, abandoning runs in progress (after Ctrl-C or SIGTERM)."""
        self.close()

    def __enter__(self) -> SequentialExecutor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class ProcessExecutor(SequentialExecutor):
    """Run tasks on local worker processes (``forkserver`` context, one BLAS thread each)."""

    def __init__(self, workers: int | None = None, context: str = "forkserver") -> None:
        self.workers = workers or os.cpu_count() or 1
        self.context = context
        self.name = f"processes({self.workers})"
        self._pool = None

    def start(self) -> None:
        """Start the pool (the global start method is left alone)."""
        from concurrent.futures import ProcessPoolExecutor

        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                max_workers=self.workers,
                mp_context=multiprocessing.get_context(self.context),
                initializer=limit_threads,
                initargs=(os.getpid(),),
            )

    def imap(self, fn: Callable[[Any], Any], items: Iterable[Any]) -> Iterator[tuple[Any, Any]]:
        """Yield ``(item, result)`` as workers finish; a dead worker becomes an error result."""
        from concurrent.futures import as_completed

        self.start()
        futures = {self._pool.submit(fn, item): item for item in items}
        try:
            for future in as_completed(futures):
                item = futures.pop(future)
                try:
                    yield item, future.result()
                except Exception as exc:  # e.g. BrokenProcessPool: a worker died
                    yield item, RunResult(None, None, f"{type(exc).__name__}: {exc}", None)
        finally:
            for future in futures:
                future.cancel()

    def close(self) -> None:
        """Stop the worker processes."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def abort(self) -> None:
        """Stop the workers now; their unfinished runs are lost (``--resume`` reruns them)."""
        if self._pool is None:
            return
        processes = list((getattr(self._pool, "_processes", None) or {}).values())
        self._pool.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            process.terminate()
        for process in processes:
            process.join(timeout=10)
        self._pool = None


class DaskExecutor(SequentialExecutor):
    """Run tasks on a Dask cluster: ``tcp://host:port``, or ``local`` for a LocalCluster.

    Workers of a remote cluster must be able to import hetsim (same sources and packages).
    """

    def __init__(self, scheduler: str = "local", workers: int | None = None) -> None:
        self.scheduler = scheduler
        self.workers = workers or os.cpu_count() or 1
        self._cluster = None
        self._client = None
        if scheduler == "local":
            self.name = f"dask(LocalCluster, {self.workers} workers)"
        else:
            self.name = f"dask({scheduler})"

    def start(self) -> None:
        """Start the LocalCluster, or connect to the scheduler."""
        import dask
        from distributed import Client, LocalCluster

        if self._client is not None:
            return
        if self.scheduler == "local":
            from hetsim.analysis.interruption import interrupts_ignored

            # Workers inherit both: Ctrl-C is the parent's to handle, and runs that fail are
            # reported by hetsim, so the workers' log says only errors (not the cancellations).
            with (
                interrupts_ignored(),
                cluster.environment(WORKER_LOG_LEVEL),
                dask.config.set(LOCAL_CLUSTER_CONFIG),
            ):
                self._cluster = LocalCluster(
                    n_workers=self.workers,
                    threads_per_worker=1,
                    processes=True,
                    host="127.0.0.1",  # reachable from this machine only
                    dashboard_address=None,  # no dashboard served
                    # distributed still opens an HTTP port (serving nothing: LOCAL_CLUSTER_CONFIG):
                    # any free one on loopback, never a clash over 8787
                    scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
                    env=dict.fromkeys(THREAD_VARIABLES, "1"),  # set before the workers start
                )
            self._client = Client(self._cluster)
            return
        self._client = cluster.connect(Client, self.scheduler, CONNECT_TIMEOUT)

    def imap(self, fn: Callable[[Any], Any], items: Iterable[Any]) -> Iterator[tuple[Any, Any]]:
        """Yield ``(item, result)`` as the cluster finishes them; results are released at once."""
        from distributed import as_completed

        self.start()
        items = list(items)
        if not items:
            return
        futures = self._client.map(fn, items, pure=False)
        owner = {future.key: item for future, item in zip(futures, items, strict=True)}
        pending = as_completed(futures)
        del futures
        try:
            for future in pending:
                item = owner.pop(future.key)
                try:
                    result = future.result()
                except Exception as exc:  # a worker died or the task could not be sent
                    result = RunResult(None, None, f"{type(exc).__name__}: {exc}", None)
                future.release()  # the cluster may forget this run's tables now
                yield item, result
        finally:
            pending.clear()

    def close(self) -> None:
        """Disconnect, and stop the LocalCluster if this executor started it."""
        if self._client is not None:
            self._client.close()
            self._client = None
        if self._cluster is not None:
            self._cluster.close()
            self._cluster = None

    def abort(self) -> None:
        """Cancel the runs in progress and stop; the cancellations are expected, not logged."""
        import logging

        logging.getLogger("distributed").setLevel(logging.ERROR)
        self.close()


def make_executor(workers: int | None = None, scheduler: str | None = None) -> SequentialExecutor:
    """The executor for ``--workers K`` / ``--scheduler ADDR``: 1 worker runs in-process."""
    if workers is not None and workers < 1:
        raise ScenarioError(f"--workers = {workers}: must be an integer >= 1")
    if scheduler is not None:
        return DaskExecutor(scheduler, workers)
    if workers == 1:
        return SequentialExecutor()
    return ProcessExecutor(workers)


# ------------------------------------------------------------------------------ ensembles


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
        progress: Show runs done, failed and time left: a bar on a terminal, whole lines
            elsewhere (a notebook, a log; :mod:`hetsim.analysis.progress`).
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
    terminal = sys.stderr.isatty()
    bar = tqdm(
        total=len(jobs),
        initial=len(finished),
        desc=desc,
        unit="run",
        disable=not (progress and terminal),
        dynamic_ncols=True,
        file=sys.stderr,
    )
    from hetsim.analysis.progress import ProgressLines

    lines = ProgressLines(desc, len(jobs), len(finished)) if progress and not terminal else None
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
            if lines is not None:
                lines.update(len(outcome.failures))
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

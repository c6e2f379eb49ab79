"""Executors of an ensemble: where tasks run (this process, local processes or a Dask cluster).

An executor only decides *where* tasks run, never what they compute, so results for a seed are
identical whichever executor runs them. Each worker uses one BLAS/OpenMP thread (parallelism
is across runs). A remote Dask scheduler is asked who it is under a deadline before a client
connects, so a wrong address is a clear error, not a hang.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from hetsim.analysis.tasks import RunResult
from hetsim.simulation.schema import ScenarioError

THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
WORKER_LOG_LEVEL = {"DASK_LOGGING__DISTRIBUTED": "error"}
# A LocalCluster started by hetsim serves no web pages (dashboard, info, JSON, metrics).
CONNECT_TIMEOUT = 20.0  # seconds to reach a remote scheduler before giving up
NO_HTTP_PAGES = {"distributed.scheduler.http.routes": [], "distributed.worker.http.routes": []}


def limit_threads() -> None:
    """Worker initializer: one BLAS/OpenMP thread per process (parallelism is across runs).

    Workers also leave Ctrl-C to the parent, which stops them (no traceback per worker).
    """
    from hetsim.analysis.interruption import ignore_interrupts

    for name in THREAD_VARIABLES:
        os.environ[name] = "1"
    ignore_interrupts()


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
                _environment(WORKER_LOG_LEVEL),
                dask.config.set(NO_HTTP_PAGES),
            ):
                self._cluster = LocalCluster(
                    n_workers=self.workers,
                    threads_per_worker=1,
                    processes=True,
                    host="127.0.0.1",  # reachable from this machine only
                    dashboard_address=None,  # no dashboard served
                    # distributed still opens an HTTP port (serving nothing, see NO_HTTP_PAGES):
                    # any free one on loopback, never a clash over 8787
                    scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
                    env=dict.fromkeys(THREAD_VARIABLES, "1"),  # set before the workers start
                )
            self._client = Client(self._cluster)
            return
        self._client = _connect(Client, self.scheduler, CONNECT_TIMEOUT)

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


def _connect(client_class: Any, address: str, timeout: float) -> Any:
    """A client of the Dask scheduler at ``address``, or a ScenarioError within ``timeout``.

    The scheduler is asked who it is first, under a hard deadline, so an address where
    something accepts connections but never speaks Dask (or speaks something else) is a
    clear error, not a hang or a huge allocation.
    """
    why = _probe_scheduler(address, timeout)
    if why is None:
        try:
            return client_class(address, timeout=f"{timeout}s")
        except (OSError, TimeoutError, ValueError) as exc:
            why = f"{type(exc).__name__}: {exc}"
    raise ScenarioError(
        f"--scheduler {address!r}: cannot connect ({why}); give tcp://host:port of a running "
        "dask scheduler, or 'local'"
    )


def _probe_scheduler(address: str, timeout: float) -> str | None:
    """None when a Dask scheduler answers at ``address`` within ``timeout`` s, else why not."""
    import asyncio
    import threading

    async def identity() -> Any:
        from distributed.comm import connect

        comm = await asyncio.wait_for(connect(address, timeout=timeout), timeout)
        try:
            await asyncio.wait_for(comm.write({"op": "identity", "reply": True}), timeout)
            return await asyncio.wait_for(comm.read(), timeout)
        finally:
            comm.abort()

    answer: dict[str, Any] = {}

    def ask() -> None:  # in its own thread: the caller may be running an event loop
        try:
            answer["reply"] = asyncio.run(identity())
        except BaseException as exc:  # any failure is the answer, even MemoryError
            answer["error"] = exc

    thread = threading.Thread(target=ask, name="hetsim-dask-probe", daemon=True)
    thread.start()
    thread.join(4 * timeout + 5.0)  # each of the three waits above is bounded by timeout
    reply, error = answer.get("reply"), answer.get("error")
    if isinstance(reply, dict) and reply.get("type") == "Scheduler":
        return None
    if isinstance(error, asyncio.TimeoutError | TimeoutError) or not answer:
        return f"no Dask answer within {timeout:g} s"
    if isinstance(error, MemoryError) or (error is None and reply is not None):
        return "what answers does not speak the Dask protocol"
    return f"{type(error).__name__}: {error}"


@contextlib.contextmanager
def _environment(variables: dict[str, str]) -> Iterator[None]:
    """Set environment variables while processes are started, then restore them."""
    saved = {name: os.environ.get(name) for name in variables}
    os.environ.update(variables)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def make_executor(workers: int | None = None, scheduler: str | None = None) -> SequentialExecutor:
    """The executor for ``--workers K`` / ``--scheduler ADDR``: 1 worker runs in-process."""
    if workers is not None and workers < 1:
        raise ScenarioError(f"--workers = {workers}: must be an integer >= 1")
    if scheduler is not None:
        return DaskExecutor(scheduler, workers)
    if workers == 1:
        return SequentialExecutor()
    return ProcessExecutor(workers)

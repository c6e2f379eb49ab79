"""Worker processes of an ensemble: one BLAS thread each, and gone when their parent is.

Parallelism in hetsim is across runs, so each worker process runs its fits on one BLAS/OpenMP
thread (two processes with default threads each ran fits 4-20x slower on a 2-core machine,
``shared/notes/performance.md``). A worker leaves Ctrl-C to the parent, which stops it, and
exits by itself when the parent dies, even by kill -9, so no orphan keeps computing.
"""

from __future__ import annotations

import os
import threading
import time

THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
PARENT_CHECK_SECONDS = 1.0  # how often a worker checks that its parent still lives


def limit_threads(parent: int | None = None) -> None:
    """Worker initializer: one BLAS/OpenMP thread per process (parallelism is across runs).

    Workers also leave Ctrl-C to the parent, which stops them (no traceback per worker), and
    exit on their own when the parent process ``parent`` dies (even by kill -9).
    """
    from hetsim.analysis.interruption import ignore_interrupts

    for name in THREAD_VARIABLES:
        os.environ[name] = "1"
    ignore_interrupts()
    if parent is not None:
        threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()


def _watch_parent(parent: int) -> None:
    """Exit this worker once ``parent`` is gone or this process has been handed to another.

    A worker's own parent (the forkserver) exits when the experiment's process dies, so a
    changed ``getppid`` catches a parent killed but not yet reaped, which ``kill(pid, 0)``
    still finds.
    """
    first = os.getppid()
    while True:
        time.sleep(PARENT_CHECK_SECONDS)
        try:
            os.kill(parent, 0)
        except ProcessLookupError:
            os._exit(1)
        except PermissionError:  # the pid is alive but now someone else's
            os._exit(1)
        if os.getppid() != first:
            os._exit(1)

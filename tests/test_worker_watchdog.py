"""Worker processes exit on their own when the experiment's process dies, even by kill -9."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import psutil
import pytest

SMALL = ["communities.count=3", "annotators.count=3", "large_entities.count=1"]
WAIT_S = 60  # liveness bound for a loaded machine, not a speed claim


def _until(condition, seconds: float = WAIT_S) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.2)
    return condition()


@pytest.mark.skipif(sys.platform != "linux", reason="process tree inspection")
def test_workers_exit_after_their_parent_is_killed(tmp_path):
    argv = [sys.executable, "-m", "hetsim.cli", "compare", "status_quo", "--intervention",
            "audit_regime", "--seeds", "40", "--steps", "40", "--workers", "2", "--quiet",
            "--out", str(tmp_path / "exp"), *(s for t in SMALL for s in ("--set", t))]  # fmt: skip
    parent = subprocess.Popen(argv, stderr=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
    workers: list[psutil.Process] = []
    try:

        def started() -> bool:  # the workers are the forkserver's children
            workers[:] = psutil.Process(parent.pid).children(recursive=True)
            return sum(w.ppid() != parent.pid for w in workers) >= 2

        assert _until(started), "the workers never started"
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait()
        assert _until(lambda: not any(w.is_running() and w.status() != "zombie" for w in workers))
    finally:
        for process in workers:
            if process.is_running():
                process.kill()
        if parent.poll() is None:
            parent.kill()

"""The browser tests' server never outlives them: SIGTERM, SIGINT or SIGKILL of pytest."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

HOLD = "HETSIM_TEST_HOLD_SERVER"
GONE_WITHIN_S = 5.0


@pytest.mark.skipif(not os.environ.get(HOLD), reason="only run by the reaping test below")
def test_hold_the_server(app_url):
    print(f"serving {app_url}", flush=True)
    time.sleep(600)


def _group(pgid: int) -> list[psutil.Process]:
    """Live (not zombie) processes of process group ``pgid``."""
    members = []
    for process in psutil.process_iter(["status"]):
        try:
            if os.getpgid(process.pid) == pgid and process.info["status"] != "zombie":
                members.append(process)
        except (ProcessLookupError, psutil.Error):
            continue
    return members


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT, signal.SIGKILL])
def test_the_server_is_gone_5_s_after_the_test_process_is_signalled(signum, tmp_path: Path):
    pid_file = tmp_path / "server.pid"
    tests = subprocess.Popen(
        [sys.executable, "-m", "pytest", "-q", "-s", f"{__file__}::test_hold_the_server"],
        env={**os.environ, HOLD: "1", "HETSIM_TEST_SERVER_PID_FILE": str(pid_file)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # the signal goes to pytest alone, as from a CI runner
    )
    try:
        for line in tests.stdout:  # the fixture's server answers once this is printed
            if b"serving http" in line:
                break
        else:
            pytest.fail("the held test never served")
        pgid = int(pid_file.read_text())
        assert len(_group(pgid)) >= 2  # `hetsim ui` and its `solara run` child
        tests.send_signal(signum)
        deadline = time.monotonic() + GONE_WITHIN_S
        while _group(pgid) and time.monotonic() < deadline:
            time.sleep(0.2)
        left = [" ".join(p.cmdline()) for p in _group(pgid)]
        assert left == [], f"still running {GONE_WITHIN_S} s after {signum.name}: {left}"
    finally:
        if tests.poll() is None:
            tests.kill()
        tests.wait()

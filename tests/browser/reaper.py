"""Stop a process group once the test process is gone, however it went (even SIGKILL).

    python reaper.py PGID   # stdin: the read end of a pipe only the test process can write to

The test process keeps the pipe's write end open and never writes. When it exits — cleanly,
on SIGTERM/SIGINT, or killed with SIGKILL — the kernel closes that end, this read returns
end-of-file, and the group (``hetsim ui`` and its ``solara run`` child) gets SIGTERM, then
SIGKILL if it is still there 3 s later. A fixture that stopped the group itself writes
``done`` first, and then nothing is signalled. Runs in its own session, so a signal sent to the test
process's group does not reach it first.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import time

GRACE_S = 3.0
DONE = b"done"


def alive(pgid: int) -> bool:
    """Whether any process of the group still exists."""
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def main() -> None:
    pgid = int(sys.argv[1])
    said = sys.stdin.buffer.read()  # blocks until the test process is gone or done
    if said == DONE:  # the fixture stopped the group itself (its pgid may be reused later)
        return
    try:
        os.killpg(pgid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + GRACE_S
    while alive(pgid) and time.monotonic() < deadline:
        time.sleep(0.1)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, signal.SIGKILL)


if __name__ == "__main__":
    main()

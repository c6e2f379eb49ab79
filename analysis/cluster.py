"""Reaching a Dask cluster safely: ask a scheduler who it is under a deadline, then connect.

An address where something accepts connections but never speaks Dask (or speaks something
else) is a clear :class:`ScenarioError`, not a hang or a huge allocation. Also: environment
variables set only while a LocalCluster's worker processes start.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from typing import Any

from hetsim.simulation.schema import ScenarioError


def connect(client_class: Any, address: str, timeout: float) -> Any:
    """A client of the Dask scheduler at ``address``, or a ScenarioError within ``timeout``.

    The scheduler is asked who it is first, under a hard deadline, so an address where
    something accepts connections but never speaks Dask (or speaks something else) is a
    clear error, not a hang or a huge allocation.
    """
    why = probe_scheduler(address, timeout)
    if why is None:
        try:
            return client_class(address, timeout=f"{timeout}s")
        except (OSError, TimeoutError, ValueError) as exc:
            why = f"{type(exc).__name__}: {exc}"
    raise ScenarioError(
        f"--scheduler {address!r}: cannot connect ({why}); give tcp://host:port of a running "
        "dask scheduler, or 'local'"
    )


def probe_scheduler(address: str, timeout: float) -> str | None:
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
def environment(variables: dict[str, str]) -> Iterator[None]:
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

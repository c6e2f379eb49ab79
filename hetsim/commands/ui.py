"""The browser UI command: `hetsim ui` serves :mod:`hetsim.ui.app` with Solara on 127.0.0.1.

The page is a module of the installed package, so this works from a wheel as well as from a
checkout. SIGINT and SIGTERM are passed on to the ``solara run`` child, and the command exits
once the child has stopped (a child that outlives its parent would keep serving). Sessions
whose page has gone are closed after :data:`SESSION_TIMEOUT`; Solara's badge is off.
"""

from __future__ import annotations

import argparse
import ipaddress
import os
import signal
import socket
import subprocess
import sys
from types import FrameType

from hetsim.commands.extras import require_extra
from hetsim.simulation.schema import ScenarioError

APP_MODULE = "hetsim.ui.app"
MESA_MODULE = "hetsim.ui.mesa"
STOP_TIMEOUT_S = 10
SESSION_TIMEOUT = "10s"
"""How long Solara keeps a session whose page is gone (its default is 24 h): a tab closed
without unload, or a browser that quit, is freed after this; a page that reconnects sooner
keeps its run. Set SOLARA_KERNEL_CULL_TIMEOUT to change it."""


UI_MODULES = ("solara", "solara_assets", "ipyvuetify", "altair")
"""Modules of the ``ui`` extra the page needs (solara-assets serves its files offline, altair
draws Mesa's SolaraViz plots); a runtime-only install (`make run`) lacks them."""


def add_parsers(sub: argparse._SubParsersAction) -> None:
    """Add this module's subcommands."""
    ui = sub.add_parser("ui", help="open the browser UI on a local port")
    ui.add_argument("--port", type=int, default=8765, help="port to serve on (default 8765)")
    ui.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to bind (default 127.0.0.1: this machine only); an address other "
        "machines can reach needs --public",
    )
    ui.add_argument(
        "--public",
        action="store_true",
        help="allow a --host other machines can reach (the UI has no login: anyone who "
        "reaches the port can run simulations)",
    )
    ui.add_argument(
        "--mesa",
        action="store_true",
        help="serve Mesa's SolaraViz page with hetsim's components (hetsim.ui.mesa) instead",
    )


def check_bind(host: str, port: int, public: bool) -> None:
    """Refuse a host that is not an address of this machine's loopback (unless ``public``),
    and a host or port that cannot be bound, before anything is served."""
    if not 0 < port < 65536:
        raise ScenarioError(f"--port = {port}: must be an integer in 1..65535")
    if not host.strip():
        raise ScenarioError("--host = '': empty; give an address such as 127.0.0.1")
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise ScenarioError(
            f"--host = {host!r}: not an address or known host name ({exc})"
        ) from None
    addresses = {ipaddress.ip_address(info[4][0].split("%")[0]) for info in found}
    if not public and not all(a.is_loopback for a in addresses):
        raise ScenarioError(
            f"--host = {host!r}: reachable from other machines; the UI has no login, so "
            "serve on a loopback address (127.0.0.1, ::1, localhost) or add --public"
        )
    family, kind, proto, _, address = found[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            raise ScenarioError(
                f"--host = {host!r} --port = {port}: cannot serve there ({exc.strerror})"
            ) from None


def command(host: str, port: int, module: str = APP_MODULE) -> list[str]:
    """The ``solara run`` command line that serves the app offline, without telemetry."""
    return [
        sys.executable,
        "-m",
        "solara",
        "run",
        module,
        "--host",
        host,
        "--port",
        str(port),
        "--no-open",
        "--no-check-version",
        "--production",
    ]


def serve(cmd: list[str], env: dict[str, str]) -> int:
    """Run ``cmd``, forwarding SIGINT and SIGTERM to it; its exit code (0 when stopped)."""
    child = subprocess.Popen(cmd, env=env)
    stopping: list[int] = []

    def forward(signum: int, _frame: FrameType | None) -> None:
        stopping.append(signum)
        if child.poll() is None:
            child.send_signal(signum)

    previous = {s: signal.signal(s, forward) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        while True:
            try:
                code = child.wait(timeout=STOP_TIMEOUT_S if stopping else None)
                break
            except subprocess.TimeoutExpired:  # asked to stop and still serving
                child.kill()
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    return 0 if stopping else code


def handle(args: argparse.Namespace) -> int | None:
    """Run the command if it is one of this module's; else None."""
    if args.command != "ui":
        return None
    require_extra("hetsim ui", "ui", UI_MODULES, make="ui")
    check_bind(args.host, args.port, args.public)
    if args.public:
        print(
            f"hetsim ui: warning: serving on {args.host}, reachable from other machines; "
            "the UI has no login",
            file=sys.stderr,
        )
    env = {
        "SOLARA_KERNEL_CULL_TIMEOUT": SESSION_TIMEOUT,  # unless set: a closed tab is freed soon
        **os.environ,
        "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False",
        "SOLARA_THEME_SHOW_BANNER": "False",  # a fixed badge would cover the figures
        "OPENBLAS_NUM_THREADS": os.environ.get("OPENBLAS_NUM_THREADS", "1"),
    }
    print(f"hetsim ui: serving on http://{args.host}:{args.port}/ (Ctrl-C to stop)", flush=True)
    module = MESA_MODULE if args.mesa else APP_MODULE
    return serve(command(args.host, args.port, module), env)

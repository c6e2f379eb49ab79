"""The browser UI command: `hetsim ui` serves app.py with Solara, on 127.0.0.1 by default."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

from hetsim.simulation.schema import ScenarioError

APP = Path(__file__).resolve().parents[2] / "app.py"


def add_parsers(sub: argparse._SubParsersAction) -> None:
    """Add this module's subcommands."""
    ui = sub.add_parser("ui", help="open the browser UI (Mesa SolaraViz) on a local port")
    ui.add_argument("--port", type=int, default=8765, help="port to serve on (default 8765)")
    ui.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to bind (default 127.0.0.1: this machine only)",
    )


def command(host: str, port: int) -> list[str]:
    """The ``solara run`` command line that serves the app offline, without telemetry."""
    return [
        sys.executable,
        "-m",
        "solara",
        "run",
        str(APP),
        "--host",
        host,
        "--port",
        str(port),
        "--no-open",
        "--no-check-version",
        "--production",
    ]


def handle(args: argparse.Namespace) -> int | None:
    """Run the command if it is one of this module's; else None."""
    if args.command != "ui":
        return None
    if not 0 < args.port < 65536:
        raise ScenarioError(f"--port = {args.port}: must be an integer in 1..65535")
    if not APP.exists():
        raise ScenarioError(f"{APP}: the UI app file is missing (run from a source checkout)")
    env = {
        **os.environ,
        "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False",
        "OPENBLAS_NUM_THREADS": os.environ.get("OPENBLAS_NUM_THREADS", "1"),
    }
    # app.py imports the project's packages; serve from the checkout so they resolve.
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(APP.parent), env.get("PYTHONPATH")]))
    print(f"hetsim ui: serving on http://{args.host}:{args.port}/ (Ctrl-C to stop)", flush=True)
    try:
        return subprocess.call(command(args.host, args.port), cwd=APP.parent, env=env)
    except KeyboardInterrupt:
        return 0

"""Browser-test fixtures: Debian's Chromium, a `hetsim ui` server on a free port, a page.

Chromium comes from apt (``apt-get install -y chromium``) and is driven by Playwright from
PyPI with ``executable_path``; ``playwright install`` is never used (it downloads a browser).
When Chromium is missing and cannot be installed the tests fail with a clear message.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
START_TIMEOUT_S = 90


def _ensure_chromium() -> None:
    if CHROMIUM.exists():
        return
    apt = shutil.which("apt-get")
    if apt is None:
        pytest.fail(
            f"{CHROMIUM} is missing and apt-get is not available: install Debian's chromium"
        )
    prefix = ["sudo", "-n"] if os.geteuid() != 0 and shutil.which("sudo") else []
    cmd = [*prefix, apt, "install", "-y", "chromium"]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    done = subprocess.run(cmd, capture_output=True, text=True, check=False, env=env)
    if done.returncode != 0:  # a fresh machine may have no package lists yet
        subprocess.run([*prefix, apt, "update"], capture_output=True, check=False, env=env)
        done = subprocess.run(cmd, capture_output=True, text=True, check=False, env=env)
    if done.returncode != 0 or not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing and `{' '.join(cmd)}` failed (exit {done.returncode}):\n"
            f"{done.stderr[-2000:]}\nInstall it with: apt-get install -y chromium"
        )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_reaper(pgid: int) -> int:
    """Start :mod:`reaper` for process group ``pgid``; the pipe's write end (ours only)."""
    read_end, write_end = os.pipe()  # both non-inheritable: no other child holds the write end
    subprocess.Popen(
        [sys.executable, str(Path(__file__).with_name("reaper.py")), str(pgid)],
        stdin=read_end,
        start_new_session=True,
    )
    os.close(read_end)
    return write_end


def serve(
    *extra: str, log_name: str = "ui-server.log", env: dict[str, str] | None = None
) -> Iterator[str]:
    """`hetsim ui` on a free port in its own process group, reaped whatever ends the tests.

    Teardown stops the group; if the test process is killed before teardown (SIGTERM, SIGINT
    or SIGKILL), the reaper stops it. Yields the URL once the page answers with HTTP 200.
    """
    port = _free_port()
    ARTIFACTS.mkdir(exist_ok=True)
    log = ARTIFACTS / log_name
    out = open(log, "w")  # noqa: SIM115 - closed at teardown
    server = subprocess.Popen(
        [sys.executable, "-m", "hetsim.cli", "ui", "--port", str(port), *extra],
        cwd=ROOT,
        stdout=out,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        env={**os.environ, "OPENBLAS_NUM_THREADS": "1", **(env or {})},
    )
    reaper = start_reaper(server.pid)
    pid_file = os.environ.get("HETSIM_TEST_SERVER_PID_FILE")
    if pid_file:  # tests/test_ui_reaping.py: which group to look for after the signal
        Path(pid_file).write_text(str(server.pid))
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + START_TIMEOUT_S
    try:
        while True:
            if server.poll() is not None:
                pytest.fail(f"`hetsim ui` exited with {server.returncode}; see {log}")
            try:
                with urllib.request.urlopen(url, timeout=5) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"`hetsim ui` did not answer on {url} within {START_TIMEOUT_S} s")
            time.sleep(0.3)
        yield url
    finally:
        try:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=10)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        os.write(reaper, b"done")
        os.close(reaper)
        out.close()


@pytest.fixture(scope="session")
def app_url() -> Iterator[str]:
    """The hetsim page, served for the whole session."""
    yield from serve()


@pytest.fixture(scope="module")
def mesa_url() -> Iterator[str]:
    """`hetsim ui --mesa`: Mesa's SolaraViz page with hetsim's components."""
    yield from serve("--mesa", log_name="ui-mesa-server.log")


@pytest.fixture(scope="module")
def own_server() -> Iterator[str]:
    """A server of the test module's own: no other module's session runs on it."""
    yield from serve(log_name="ui-own-server.log")


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright (installed with apt when missing)."""
    _ensure_chromium()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        pytest.fail(f"playwright (from PyPI) is not installed: {exc}")
    from playwright.sync_api import expect

    # The server may be slow on a busy machine: wait on conditions for up to 20 s.
    expect.set_options(timeout=20_000)
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def open_page(browser, app_url):
    """Open the app in a new browser context (a new Solara session); returns a function."""
    contexts = []

    def opener(color_scheme: str = "light"):
        context = browser.new_context(
            viewport={"width": 1600, "height": 1150},
            accept_downloads=True,
            color_scheme=color_scheme,
        )
        contexts.append(context)
        page = context.new_page()
        page.requests = []  # every URL the page asks for: none may leave 127.0.0.1
        page.on("request", lambda request: page.requests.append(request.url))
        page.set_default_timeout(30_000)
        page.goto(app_url)
        page.locator(".hetsim-status").wait_for()
        return page

    yield opener
    for context in contexts:
        context.close()

"""The browser UI's play speed: model step time against the time to draw a frame.

    .venv/bin/python benchmarks/bench_ui.py                    # 40 communities, 30 steps
    .venv/bin/python benchmarks/bench_ui.py --communities 200  # a bigger world
    .venv/bin/python benchmarks/bench_ui.py --browser          # and play in Chromium

One model (status_quo, seed 0) is stepped; after every step the four panels of the Run tab
are drawn two ways, in the same process and on the same states:

- *rebuilt*: a new matplotlib figure per panel and step, saved as PNG (what the page did
  before figures were kept per run);
- *updated*: the run's figures get new data and are rendered and encoded at the fastest PNG
  level (what :class:`hetsim.ui.live.LiveRun` does now).

Play draws every step, so its rate is at most 1 / (step + frame). Medians are printed with
the ratio; compare ratios, not absolute times (the machine is shared). No assertions.

With ``--browser`` the same invocation then serves each page (``hetsim ui`` and
``hetsim ui --mesa``), plays it in Debian's Chromium for ``--seconds`` after the first steps,
and prints steps/s and the server's CPU seconds per step beside the sequential step + frame
bound. The hetsim page is played at the communities given (a moved slider, then Reset); Mesa's
SolaraViz page at its default inputs (40 communities) with its play interval at 1 ms.

``--baseline DIR`` (an earlier checkout with its own ``.venv`` that has the UI) plays the hetsim
page of that checkout and of this one in turns, ``--rounds`` times each, in the same browser,
and prints both rates and their ratio (the machine is shared: compare ratios).
"""

from __future__ import annotations

import argparse
import io
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from hetsim.ui import figures, network
from hetsim.ui.live import LiveRun
from hetsim.ui.settings import Settings

PANELS = ("network", "timeseries", "communities", "audits")


def rebuilt_frames(run: LiveRun) -> None:
    """Every panel as a new figure, saved as PNG (the page's former way)."""
    model = run.model
    metrics = model.recorder.metrics_table()
    for figure in (
        network.network_figure(model),
        figures.time_series_figure(metrics, run.planned_steps),
        figures.community_figure(model),
        figures.audit_figure(metrics, run.planned_steps),
    ):
        figure.savefig(io.BytesIO(), format="png", dpi=90)


ROOT = Path(__file__).resolve().parents[1]
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
STEP_JS = """sel => {
    const m = document.querySelector(sel)?.innerText.match(/Step (\\d+) of/);
    return m ? Number(m[1]) : -1;
}"""


def _serve(*extra: str, root: Path = ROOT):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    python = sys.executable if root == ROOT else str(root / ".venv" / "bin" / "python")
    server = subprocess.Popen(
        [python, "-m", "hetsim.cli", "ui", "--port", str(port), *extra],
        cwd=root,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}/"
    for _ in range(300):
        try:
            with urllib.request.urlopen(url, timeout=5):
                break
        except OSError:
            time.sleep(0.3)
    return server, url


def _cpu(pid: int) -> float:
    import psutil

    group = [psutil.Process(pid), *psutil.Process(pid).children(recursive=True)]
    return sum(sum(p.cpu_times()[:2]) for p in group)


def browser_play(
    browser, communities: int, seconds: float, mesa: bool, root: Path = ROOT
) -> tuple[float, float]:
    """Steps/s of Play in the page and the server's CPU seconds per step."""
    server, url = _serve(*(["--mesa"] if mesa else []), root=root)
    try:
        page = browser.new_page(viewport={"width": 1600, "height": 1150})
        page.set_default_timeout(60_000)
        page.goto(url)
        status = ".hetsim-mesa-settings" if mesa else ".hetsim-step"
        page.locator(status).wait_for()
        if mesa:
            interval = page.get_by_role("slider", name="Play Interval (ms)")
            interval.focus()
            interval.press("Home")
            page.wait_for_timeout(500)
            page.get_by_role("button", name="▶").click()
        else:
            slider = page.get_by_role("slider", name="Communities")
            slider.focus()
            for _ in range(abs(communities - 40)):
                slider.press("ArrowRight" if communities > 40 else "ArrowLeft")
            page.get_by_role("button", name="Reset", exact=True).click()
            page.locator(".hetsim-status").filter(has_text=f"{communities} communities").wait_for()
            page.wait_for_function(  # the rebuild has finished (Play is measured, not Reset)
                "!document.querySelector('.hetsim-status').innerText.includes('Rebuilding')"
            )
            page.get_by_role("button", name="Play", exact=True).click()
        page.wait_for_function(f"({STEP_JS})('{status}') >= 3", timeout=120_000)
        first, cpu0, start = page.evaluate(STEP_JS, status), _cpu(server.pid), time.monotonic()
        page.wait_for_timeout(seconds * 1000)
        last, cpu1, end = page.evaluate(STEP_JS, status), _cpu(server.pid), time.monotonic()
        page.close()
        steps = max(last - first, 1)
        return steps / (end - start), (cpu1 - cpu0) / steps
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait()


def main() -> None:
    """Step, draw both ways, print medians and the speed-up of play."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--communities", type=int, default=40)
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--browser", action="store_true", help="also play both pages in Chromium")
    parser.add_argument("--seconds", type=float, default=15.0, help="play time measured")
    parser.add_argument("--baseline", type=Path, help="an earlier checkout to play beside this")
    parser.add_argument("--rounds", type=int, default=2, help="plays of each page with --baseline")
    args = parser.parse_args()
    run = LiveRun(Settings().move("communities", args.communities))
    step_s, updated_s, rebuilt_s, step_cpu, updated_cpu = [], [], [], [], []
    for _ in range(args.steps):
        start, cpu = time.perf_counter(), time.process_time()
        run.step()
        step_s.append(time.perf_counter() - start)
        step_cpu.append(time.process_time() - cpu)
        start, cpu = time.perf_counter(), time.process_time()
        run.frames(PANELS)
        updated_s.append(time.perf_counter() - start)
        updated_cpu.append(time.process_time() - cpu)
        start = time.perf_counter()
        rebuilt_frames(run)
        rebuilt_s.append(time.perf_counter() - start)
    step, updated, rebuilt = (statistics.median(x) for x in (step_s, updated_s, rebuilt_s))
    print(f"{args.communities} communities, {args.steps} steps, medians:")
    print(f"  model step     {1000 * step:8.1f} ms")
    print(f"  frame, rebuilt {1000 * rebuilt:8.1f} ms  -> play {1 / (step + rebuilt):.2f} steps/s")
    print(f"  frame, updated {1000 * updated:8.1f} ms  -> play {1 / (step + updated):.2f} steps/s")
    step_c, updated_c = (statistics.median(x) for x in (step_cpu, updated_cpu))
    print(
        f"  CPU time (what other load disturbs least): step {1000 * step_c:.1f} ms, updated "
        f"frame {1000 * updated_c:.1f} ms -> play {1 / (step_c + updated_c):.2f} steps/s"
    )
    print(
        f"  frame time ratio rebuilt/updated: {rebuilt / updated:.2f}x; "
        f"play speed-up {(step + rebuilt) / (step + updated):.2f}x"
    )
    if not (args.browser or args.baseline):
        return
    from playwright.sync_api import sync_playwright

    bound = 1 / (step + updated)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        if args.baseline:
            compare_pages(browser, args, bound)
            browser.close()
            return
        for name, mesa in (("hetsim page", False), ("Mesa SolaraViz page", True)):
            rate, cpu = browser_play(browser, args.communities, args.seconds, mesa)
            print(
                f"  play in Chromium, {name:20s} {rate:5.2f} steps/s "
                f"(sequential step + frame bound {bound:.2f}); server CPU {cpu:.3f} s/step"
            )
        browser.close()


def compare_pages(browser, args: argparse.Namespace, bound: float) -> None:
    """Play the baseline's hetsim page and this one's in turns; medians and their ratio."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    rates: dict[str, list[float]] = {"baseline": [], "this checkout": []}
    cpus: dict[str, list[float]] = {"baseline": [], "this checkout": []}
    for _ in range(args.rounds):
        for name, root in (("baseline", args.baseline.resolve()), ("this checkout", ROOT)):
            try:
                rate, cpu = browser_play(browser, args.communities, args.seconds, False, root)
            except PlaywrightTimeout:  # seen on both versions: Play after Reset did not start
                print(f"  play in Chromium, {name:14s} did not reach step 3 within 120 s")
                continue
            rates[name].append(rate)
            cpus[name].append(cpu)
            print(f"  play in Chromium, {name:14s} {rate:5.2f} steps/s, CPU {cpu:.3f} s/step")
    before, after = (statistics.median(rates[n]) for n in rates)
    cpu_before, cpu_after = (statistics.median(cpus[n]) for n in cpus)
    print(
        f"  medians: baseline {before:.2f}, this checkout {after:.2f} steps/s "
        f"(x{after / before:.2f}); sequential step + frame bound here {bound:.2f}; "
        f"server CPU {cpu_before:.3f} -> {cpu_after:.3f} s/step"
    )


if __name__ == "__main__":
    main()

"""The browser UI's play speed: model step time against the time to draw a frame.

    .venv/bin/python benchmarks/bench_ui.py                    # 40 communities, 30 steps
    .venv/bin/python benchmarks/bench_ui.py --communities 200  # a bigger world

One model (status_quo, seed 0) is stepped; after every step the four panels of the Run tab
are drawn two ways, in the same process and on the same states:

- *rebuilt*: a new matplotlib figure per panel and step, saved as PNG (what the page did
  before figures were kept per run);
- *updated*: the run's figures get new data and are rendered and encoded at the fastest PNG
  level (what :class:`hetsim.ui.live.LiveRun` does now).

Play draws every step, so its rate is at most 1 / (step + frame). Medians are printed with
the ratio; compare ratios, not absolute times (the machine is shared). No assertions.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import time

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


def main() -> None:
    """Step, draw both ways, print medians and the speed-up of play."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--communities", type=int, default=40)
    parser.add_argument("--steps", type=int, default=30)
    args = parser.parse_args()
    run = LiveRun(Settings().move("communities", args.communities))
    step_s, updated_s, rebuilt_s = [], [], []
    for _ in range(args.steps):
        start = time.perf_counter()
        run.step()
        step_s.append(time.perf_counter() - start)
        start = time.perf_counter()
        run.frames(PANELS)
        updated_s.append(time.perf_counter() - start)
        start = time.perf_counter()
        rebuilt_frames(run)
        rebuilt_s.append(time.perf_counter() - start)
    step, updated, rebuilt = (statistics.median(x) for x in (step_s, updated_s, rebuilt_s))
    print(f"{args.communities} communities, {args.steps} steps, medians:")
    print(f"  model step     {1000 * step:8.1f} ms")
    print(f"  frame, rebuilt {1000 * rebuilt:8.1f} ms  -> play {1 / (step + rebuilt):.2f} steps/s")
    print(f"  frame, updated {1000 * updated:8.1f} ms  -> play {1 / (step + updated):.2f} steps/s")
    print(
        f"  frame time ratio rebuilt/updated: {rebuilt / updated:.2f}x; "
        f"play speed-up {(step + rebuilt) / (step + updated):.2f}x"
    )


if __name__ == "__main__":
    main()

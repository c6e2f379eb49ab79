"""Soak: does a long run's memory stay flat apart from the rows it must keep?

Steps the status-quo world for 10,000 steps (the tables of an ensemble run: no agent-level
rows) and samples the resident memory every ``--every`` steps. Prints the samples, the
least-squares slope of memory over the second half of the run in KiB per 1,000 steps, and
the share of it the metrics table itself accounts for (one row per step, kept by design).
No assertions: memory is measured, not asserted.

    .venv/bin/python benchmarks/bench_soak.py [--steps 10000] [--every 500] [--set KEY=VALUE]
"""

from __future__ import annotations

import argparse
import gc
import resource
import time
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

from hetsim.scenarios.builder import build_model, load_scenario


def resident_kib() -> float:
    """Resident memory of this process in KiB (Linux /proc, else the peak from getrusage)."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmRSS:"):
                return float(line.split()[1])
    return float(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=10_000)
    parser.add_argument("--every", type=int, default=500)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--set", dest="overrides", action="append", default=[])
    args = parser.parse_args()
    scenario = load_scenario("status_quo", [f"run.steps={args.steps}", *args.overrides])
    samples: list[tuple[int, float]] = []
    start = time.perf_counter()
    with threadpool_limits(1):
        model = build_model(scenario, seed=args.seed)
        model.recorder.keep_community_rows = False  # as every ensemble run does
        for step in range(1, args.steps + 1):
            model.step()
            if step % args.every == 0:
                gc.collect()
                samples.append((step, resident_kib()))
                print(f"step {step:>6}: {samples[-1][1] / 1024:8.1f} MiB", flush=True)
    seconds = time.perf_counter() - start
    steps, kib = np.array(samples).T
    half = steps >= steps[-1] / 2
    slope = np.polyfit(steps[half], kib[half], 1)[0] * 1000
    table = model.recorder.metrics_table()
    row_kib = table.memory_usage(deep=True).sum() / 1024 / len(table) * 1000
    print(
        f"\n{args.steps} steps in {seconds:.0f} s ({seconds / args.steps * 1000:.1f} ms/step); "
        f"resident memory {kib[0] / 1024:.1f} -> {kib[-1] / 1024:.1f} MiB\n"
        f"slope over the second half: {slope:.1f} KiB per 1,000 steps "
        f"(the metrics table's own rows: {row_kib:.1f} KiB per 1,000 steps)"
    )


if __name__ == "__main__":
    main()

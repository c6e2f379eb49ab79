"""Soak: does a long run's memory stay flat apart from the rows it must keep?

Steps the status-quo world for 10,000 steps (the tables of an ensemble run: no agent-level
rows) and samples the resident memory every ``--every`` steps. Prints the samples, the
least-squares slope of memory over the second half of the run in KiB per 1,000 steps, and
what the recorder keeps by design (one metrics row per step, and the entities' part).
No assertions: memory is measured, not asserted.

    .venv/bin/python benchmarks/bench_soak.py [--steps 10000] [--every 500] [--set KEY=VALUE]
"""

from __future__ import annotations

import argparse
import gc
import resource
import sys
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
    kept = kept_bytes_per_step(model.recorder) / 1024 * 1000
    print(
        f"\n{args.steps} steps in {seconds:.0f} s ({seconds / args.steps * 1000:.1f} ms/step); "
        f"resident memory {kib[0] / 1024:.1f} -> {kib[-1] / 1024:.1f} MiB\n"
        f"slope over the second half: {slope:.0f} KiB per 1,000 steps; what the recorder keeps "
        f"by design (one metrics row and one entity part per step): {kept:.0f} KiB per 1,000 "
        f"steps; unexplained: {slope - kept:.0f} KiB per 1,000 steps"
    )


def kept_bytes_per_step(recorder) -> float:
    """Bytes the recorder holds per step: its metrics rows (dicts, with any key strings built
    per row) and its per-step array parts."""
    rows = recorder.rows
    shared = {id(name) for name in recorder.columns}  # key strings every row shares
    total = 0
    for row in rows:
        total += sys.getsizeof(row) + sum(sys.getsizeof(v) for v in row.values())
        total += sum(sys.getsizeof(k) for k in row if id(k) not in shared)  # built per row
    for name in ("_entity_parts", "_community_parts", "_flow_parts", "_lending_parts"):
        for part in getattr(recorder, name, []):
            total += sys.getsizeof(part) + sum(sys.getsizeof(a) for a in part.values())
    return total / max(len(rows), 1)


if __name__ == "__main__":
    main()

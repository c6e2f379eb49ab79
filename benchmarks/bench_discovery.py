"""Runs per minute of one discovery batch on each executor, side by side in one invocation.

    PYTHONPATH=. nice -n 10 python benchmarks/bench_discovery.py            # 60 runs each
    PYTHONPATH=. nice -n 10 python benchmarks/bench_discovery.py --samples 20 --steps 20

The same ``hetsim.discover`` (``public_compute`` over two uncertain keys; ``--samples`` worlds
× 2 arms × ``--seeds`` seeds, a small world) runs sequentially, on 2 local processes and on a
Dask LocalCluster of 2 workers, each in a fresh folder; the wall-clock includes starting the
executor. The worlds tables must be byte-identical across executors. No assertions: this
prints a Markdown table for results.md.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import hetsim
from hetsim.analysis.ensemble import DaskExecutor, ProcessExecutor, SequentialExecutor


def one(executor, out: Path, args) -> tuple[float, int, bytes]:
    """Wall-clock seconds, runs done and the worlds table of one discovery."""
    start = time.perf_counter()
    result = hetsim.discover(
        "status_quo",
        ["public_compute"],
        ["communities.budget=1:20", "communities.expertise=0.2:0.9"],
        outcome="dependency_share",
        fails_when="effect >= 0",
        samples=args.samples,
        seeds=args.seeds,
        steps=args.steps,
        set=[f"communities.count={args.communities}"],
        out=out,
        executor=executor,
    )
    seconds = time.perf_counter() - start
    return seconds, result.outcome.ran, (out / "worlds.csv").read_bytes()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=10)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--communities", type=int, default=6)
    args = parser.parse_args()
    executors = {
        "sequential": SequentialExecutor(),
        "2 local processes": ProcessExecutor(2),
        "Dask LocalCluster(2×1)": DaskExecutor("local", 2),
    }
    rows, tables = [], {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, executor in executors.items():
            with executor:
                seconds, ran, tables[name] = one(executor, Path(tmp) / name, args)
            rows.append((name, ran, seconds, 60.0 * ran / seconds))
    same = len(set(tables.values())) == 1
    load = os.getloadavg()
    print(
        f"{args.samples} worlds × 2 arms × {args.seeds} seeds, {args.communities} communities × "
        f"{args.steps} steps; load average {load[0]:.1f}/{load[1]:.1f}/{load[2]:.1f}; "
        f"worlds.csv identical on every executor: {same}\n"
    )
    print("| executor | runs | wall s (incl. start) | runs/min | vs sequential |")
    print("|---|---:|---:|---:|---:|")
    base = rows[0][3]
    for name, ran, seconds, rate in rows:
        print(f"| {name} | {ran} | {seconds:.1f} | {rate:.1f} | {rate / base:.2f} |")


if __name__ == "__main__":
    main()

"""Wall-clock of one ensemble on each executor, and (optionally) a full-size comparison.

    PYTHONPATH=. python benchmarks/bench_ensemble.py                # 8 runs, three executors
    PYTHONPATH=. python benchmarks/bench_ensemble.py --steps 100    # longer runs
    PYTHONPATH=. python benchmarks/bench_ensemble.py --runs 200 --batches 3  # a pool serving
                                                                    #   several batches
    PYTHONPATH=. python benchmarks/bench_ensemble.py --full         # + 6 interventions x 30
                                                                    #   seeds x 200 steps

The same ``--runs`` runs (baseline and audit_regime alternately, seeds 0, 1, ..., the default
status_quo world) go through the sequential executor, local processes and a Dask LocalCluster,
each started once and serving ``--batches`` batches in turn (workers keep their imported
modules between runs and batches); the tables must be identical, and the wall-clock per batch,
runs per hour and speed-up over sequential are printed. ``--full`` runs the
issue's memory target through the CLI in a child process and reports its time and peak RSS
(of the command and of its worker processes). No assertions: this prints numbers.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from hetsim.analysis.ensemble import (
    DaskExecutor,
    ProcessExecutor,
    SequentialExecutor,
    Task,
    run_ensemble,
)
from hetsim.analysis.store import assemble_runs

ROOT = Path(__file__).resolve().parent.parent
FULL_ARMS = (
    "audit_regime",
    "public_compute",
    "no_data_sharing",
    "fair_annotation_pay",
    "audit_regime+public_compute",
    "public_compute+no_data_sharing",
)


def _ensemble(executor, batches: list[list[Task]], out: Path) -> tuple[list[float], pd.DataFrame]:
    """Run the batches one after the other on one executor started once; seconds per batch
    (the first includes starting the workers) and the runs' table."""
    spent = []
    with executor:
        for b, tasks in enumerate(batches):
            start = time.perf_counter()
            outcome = run_ensemble(tasks, out / f"batch{b}", executor, progress=False)
            spent.append(time.perf_counter() - start)
            if outcome.failures:
                raise SystemExit(f"failures: {outcome.failures}")
    files = [t.run_file(out / f"batch{b}") for b, tasks in enumerate(batches) for t in tasks]
    return spent, assemble_runs(files, out / "runs.parquet")


def executors(steps: int, workers: int, runs: int, batches: int) -> None:
    """Time the same batches of runs on every executor, each executor started once."""
    arms = ((), ("audit_regime",))
    tasks = [Task("status_quo", arms[i % 2], i // 2, steps) for i in range(runs)]
    print(
        f"{batches} batch(es) of {runs} runs of status_quo x {steps} steps "
        f"({os.cpu_count()} cores; each executor started once and kept for every batch)"
    )
    makers = {
        "sequential": SequentialExecutor,
        f"processes({workers})": lambda: ProcessExecutor(workers),
        f"dask LocalCluster({workers})": lambda: DaskExecutor("local", workers),
    }
    times, tables = {}, {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, make in makers.items():
            spent, tables[name] = _ensemble(
                make(), [tasks] * batches, Path(tmp) / name.split("(")[0]
            )
            times[name] = spent
            later = statistics.median(spent[1:]) if len(spent) > 1 else spent[0]
            print(
                f"  {name:<26} first batch {spent[0]:7.2f} s (starting the workers), later "
                f"batches {later:7.2f} s: {3600 * runs / later:,.0f} runs/hour "
                f"(100-step equivalent {3600 * runs / later * steps / 100:,.0f})"
            )
    base = times["sequential"]
    for name, spent in times.items():
        print(
            f"  speed-up {name:<17} {sum(base) / sum(spent):5.2f}x all batches, "
            f"{statistics.median(base[1:] or base) / statistics.median(spent[1:] or spent):5.2f}x "
            "later batches"
        )
    first = next(iter(tables.values()))
    same = all(first.equals(t) for t in tables.values())
    print(f"  identical tables on every executor: {same}")


def _peak_rss_mb(pid: int) -> float:
    """Peak RSS of a process (VmHWM), in MB, or nan."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def _children(pid: int) -> list[int]:
    try:
        out = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return []
    kids = [int(p) for p in out]
    return kids + [k for c in kids for k in _children(c)]


def full(seeds: int, steps: int, workers: int, out: Path) -> None:
    """The issue's target: 6 interventions x 30 seeds x 200 steps through the CLI."""
    argv = [sys.executable, "-m", "hetsim.cli", "compare", "status_quo"]
    for arm in FULL_ARMS:
        argv += ["--intervention", arm]
    argv += ["--seeds", str(seeds), "--steps", str(steps), "--out", str(out), "--quiet"]
    argv += ["--workers", str(workers)]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OPENBLAS_NUM_THREADS": "1"}
    print(
        f"full comparison: {len(FULL_ARMS)} interventions + baseline x {seeds} seeds "
        f"x {steps} steps"
    )
    start = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=ROOT, env=env)
    peaks: dict[int, float] = {}
    while proc.poll() is None:
        for pid in [proc.pid, *_children(proc.pid)]:
            rss = _peak_rss_mb(pid)
            if rss == rss:
                peaks[pid] = max(peaks.get(pid, 0.0), rss)
        time.sleep(1.0)
    elapsed = time.perf_counter() - start
    main_peak = peaks.get(proc.pid, float("nan"))
    workers_peak = max((v for k, v in peaks.items() if k != proc.pid), default=float("nan"))
    self_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"  exit code {proc.returncode}; wall-clock {elapsed / 60:.1f} min")
    print(f"  peak RSS: command {main_peak:.0f} MB, largest worker {workers_peak:.0f} MB")
    print(f"  peak RSS of any child process (getrusage): {self_peak:.0f} MB")
    sizes = sum(p.stat().st_size for p in out.rglob("*") if p.is_file()) / 1e6
    print(f"  results on disk: {sizes:.1f} MB in {out}")


def main() -> None:
    """Parse flags and run the benchmarks."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=50, help="steps per run (default 50)")
    parser.add_argument("--workers", type=int, default=2, help="processes / Dask workers")
    parser.add_argument("--runs", type=int, default=8, help="runs per batch (default 8)")
    parser.add_argument("--batches", type=int, default=1, help="batches per executor")
    parser.add_argument("--full", action="store_true", help="also the 6 x 30 x 200 comparison")
    parser.add_argument("--full-seeds", type=int, default=30)
    parser.add_argument("--full-steps", type=int, default=200)
    parser.add_argument("--full-out", type=Path, default=None)
    args = parser.parse_args()
    executors(args.steps, args.workers, args.runs, args.batches)
    if args.full:
        out = args.full_out or Path(tempfile.mkdtemp(prefix="hetsim-full-"))
        full(args.full_seeds, args.full_steps, args.workers, out)


if __name__ == "__main__":
    main()

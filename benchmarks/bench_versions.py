"""One world run by two versions of hetsim, side by side: the ratio of their run times.

Each round starts one fresh process per version (this checkout and ``--baseline DIR``, another
checkout with its own ``.venv``, e.g. a ``git worktree`` of an earlier commit), alternating
which goes first; each builds the world and runs it for ``--steps`` steps with one BLAS thread
and reports the wall-clock and the CPU time of the run (build included). The CPU time of a
single-threaded process is what the machine's other load disturbs least, so the ratio of CPU
times is the headline and the wall-clock ratio is printed beside it. Medians over rounds.

    git worktree add --detach ../hetsim-before <commit> && make -C ../hetsim-before .venv/.installed
    .venv/bin/python benchmarks/bench_versions.py --baseline ../hetsim-before \\
        [--communities 40] [--steps 100] [--rounds 5] [--set KEY=VALUE]

With ``--communities`` a comma-separated list, every size is measured in turn, and the time per
run is also printed per community (for the growth exponent, see ``bench_scaling.py``). Peak
resident memory of each run's process is printed (``ru_maxrss``).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

from threadpoolctl import threadpool_limits


def run_world(communities: int, steps: int, seed: int, extra: list[str]) -> dict[str, float]:
    """Build and run one world; its wall and CPU seconds and peak memory."""
    from hetsim.scenarios.builder import build_model, load_scenario

    scenario = load_scenario("status_quo", [f"communities.count={communities}", *extra])
    with threadpool_limits(1):
        wall, cpu = time.perf_counter(), time.process_time()
        model = build_model(scenario, seed=seed)
        for _ in range(steps):
            model.step()
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # MB (Linux: KB)
    return {"wall": wall, "cpu": cpu, "peak_mb": peak}


def alternate(baseline: Path, command: list[str], this_set: list[str], rounds: int):
    """Run ``command`` (a script and its arguments, printing JSON on its last line) under this
    checkout's and ``baseline``'s Python in turn, alternating which goes first; yield each
    round's ``{"this": ..., "baseline": ...}``. ``this_set`` overrides this checkout only."""
    pythons = {"this": Path(sys.executable), "baseline": baseline / ".venv" / "bin" / "python"}
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    for r in range(rounds):
        per = {}
        for version in ("baseline", "this") if r % 2 else ("this", "baseline"):
            extra = [f"--set={kv}" for kv in this_set] if version == "this" else []
            done = subprocess.run(
                [str(pythons[version]), *command, *extra], env=env, capture_output=True, text=True
            )
            if done.returncode:
                sys.exit(f"{version} failed:\n{done.stderr}")
            per[version] = json.loads(done.stdout.splitlines()[-1])
        yield per


def compare(baseline: Path, communities: int, steps: int, rounds: int, this_set: list[str]):
    command = [__file__, "--worker", "--communities", str(communities), "--steps", str(steps)]
    print(f"\n{communities} communities × {steps} steps (build included), seed 0")
    print("| round | this CPU s | baseline CPU s | ratio baseline/this (CPU) | (wall) |")
    print("|---:|---:|---:|---:|---:|")
    cpu_ratios, wall_ratios, this_runs, base_runs = [], [], [], []
    for r, per in enumerate(alternate(baseline, command, this_set, rounds)):
        this, base = per["this"], per["baseline"]
        this_runs.append(this)
        base_runs.append(base)
        cpu_ratios.append(base["cpu"] / this["cpu"])
        wall_ratios.append(base["wall"] / this["wall"])
        print(
            f"| {r + 1} | {this['cpu']:.2f} | {base['cpu']:.2f} | {cpu_ratios[-1]:.2f} | "
            f"{wall_ratios[-1]:.2f} |"
        )
    med = {
        key: (
            statistics.median(run[key] for run in this_runs),
            statistics.median(run[key] for run in base_runs),
        )
        for key in ("cpu", "wall", "peak_mb")
    }
    print(
        f"median: this {med['cpu'][0]:.2f} s CPU ({med['wall'][0]:.2f} s wall, "
        f"{med['peak_mb'][0]:.0f} MB peak), baseline {med['cpu'][1]:.2f} s CPU "
        f"({med['wall'][1]:.2f} s wall, {med['peak_mb'][1]:.0f} MB peak); "
        f"ratio baseline/this {statistics.median(cpu_ratios):.2f} (CPU), "
        f"{statistics.median(wall_ratios):.2f} (wall)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", type=Path, required=False)
    parser.add_argument("--communities", default="40")
    parser.add_argument("--steps", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    sizes = [int(s) for s in args.communities.split(",")]
    if args.worker:
        print(json.dumps(run_world(sizes[0], args.steps, args.seed, args.set)))
        return
    if args.baseline is None:
        parser.error("--baseline DIR is required")
    for size in sizes:
        compare(args.baseline, size, args.steps, args.rounds, args.set)


if __name__ == "__main__":
    main()

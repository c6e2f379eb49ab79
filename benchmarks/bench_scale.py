"""Time per step as the number of communities grows: is the engine linear in communities?

Runs the status-quo scenario with 1,000 / 3,000 / 10,000 communities for a few steps each, in
one process with one BLAS thread, and prints seconds per step, microseconds per
community-step, the ratio to the smallest world (1.0 = perfectly linear), and the projected
time of 100 steps. No assertions: speed is measured, not asserted.

    .venv/bin/python benchmarks/bench_scale.py [--steps 5] [--sizes 1000,3000,10000]
        [--against communities.exposure=1]

``--against KEY=VALUE`` also builds each world with that override and steps the two worlds
in turn, in the same process, then prints the ratio of their median step times: what a
measure or a mechanism the override switches off costs, with the machine's load shared.

``--baseline DIR`` compares this code with another checkout of hetsim (``DIR`` with its own
``.venv``, e.g. a ``git worktree`` of an earlier commit): the two versions step the same world
in alternating rounds, each round a fresh process per version, and the ratio of their
µs per community-step is printed per round, with the median over rounds. ``--set KEY=VALUE``
(repeatable) overrides this checkout's world only, to compare like with like when this
version has defaults the baseline does not know:

    git worktree add --detach ../hetsim-before <commit> && make -C ../hetsim-before .venv/.installed
    .venv/bin/python benchmarks/bench_scale.py --baseline ../hetsim-before --sizes 10000
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

from threadpoolctl import threadpool_limits

from hetsim.scenarios.builder import build_model, load_scenario


def time_world(communities: int, steps: int, extra: list[str] | None = None) -> tuple[float, float]:
    """Build time and median seconds per step of one world (``extra``: more overrides)."""
    scenario = load_scenario("status_quo", [f"communities.count={communities}", *(extra or [])])
    start = time.perf_counter()
    model = build_model(scenario, seed=0)
    build = time.perf_counter() - start
    model.step()  # warm-up
    per_step = []
    for _ in range(steps):
        start = time.perf_counter()
        model.step()
        per_step.append(time.perf_counter() - start)
    return build, statistics.median(per_step)


def time_pair(communities: int, steps: int, override: str) -> tuple[float, float]:
    """Median seconds per step of the default world and of one with ``override``, in turn."""
    worlds = [
        build_model(load_scenario("status_quo", [f"communities.count={communities}", *extra]), 0)
        for extra in ((), (override,))
    ]
    times: list[list[float]] = [[], []]
    for world in worlds:
        world.step()  # warm-up
    for _ in range(steps):
        for world, spent in zip(worlds, times, strict=True):
            start = time.perf_counter()
            world.step()
            spent.append(time.perf_counter() - start)
    return statistics.median(times[0]), statistics.median(times[1])


def compare_versions(
    baseline: Path, size: int, steps: int, rounds: int, this_set: list[str]
) -> None:
    """Alternate this checkout and ``baseline`` on one world size; print their ratios.
    ``this_set`` overrides apply to this checkout only (keys the baseline may not know)."""
    from bench_versions import alternate  # a script beside this one

    here = Path(__file__).resolve().parent.parent
    command = [__file__, "--worker", "--sizes", str(size), "--steps", str(steps)]
    print(f"| round | µs/community-step this ({here.name}) | baseline ({baseline.name}) | ratio |")
    print("|---:|---:|---:|---:|")
    ratios = []
    for r, run in enumerate(alternate(baseline, command, this_set, rounds)):
        per = {version: result["per_community_us"] for version, result in run.items()}
        ratios.append(per["this"] / per["baseline"])
        print(f"| {r + 1} | {per['this']:.1f} | {per['baseline']:.1f} | {ratios[-1]:.3f} |")
    print(f"\nmedian ratio this / baseline at {size} communities: {statistics.median(ratios):.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=5)
    parser.add_argument("--sizes", default="1000,3000,10000")
    parser.add_argument("--against", default=None, help="KEY=VALUE: also time with it, as a ratio")
    parser.add_argument("--baseline", type=Path, default=None, help="another checkout to compare")
    parser.add_argument("--rounds", type=int, default=4, help="alternating rounds (--baseline)")
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="with --baseline: an override for this checkout's world only",
    )
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    if args.worker:  # one world, timed, for --baseline: the result as JSON on the last line
        with threadpool_limits(1):
            _, step = time_world(sizes[0], args.steps, args.set)
        print(json.dumps({"per_community_us": step / sizes[0] * 1e6}))
        return
    if args.baseline:
        compare_versions(args.baseline, sizes[-1], args.steps, args.rounds, args.set)
        return
    rows = []
    with threadpool_limits(1):
        for size in sizes:
            build, step = time_world(size, args.steps)
            rows.append((size, build, step, step / size * 1e6))
    base = rows[0][3]
    print("| communities | build s | s/step | µs per community-step | vs smallest | 100 steps s |")
    print("|---:|---:|---:|---:|---:|---:|")
    for size, build, step, per in rows:
        print(
            f"| {size} | {build:.2f} | {step:.3f} | {per:.1f} | {per / base:.2f} | "
            f"{build + 100 * step:.0f} |"
        )
    if args.against:
        print(f"\n| communities | s/step | s/step with {args.against} | ratio |")
        print("|---:|---:|---:|---:|")
        with threadpool_limits(1):
            for size in sizes:
                default, other = time_pair(size, args.steps, args.against)
                print(f"| {size} | {default:.3f} | {other:.3f} | {default / other:.3f} |")


if __name__ == "__main__":
    main()

"""Where a step of the default world spends its time: a cProfile of one world's steps.

Builds the status-quo scenario (40 communities unless ``--set`` says otherwise), steps it once
to warm up, then profiles ``--steps`` steps with one BLAS thread and prints the functions with
the most cumulative time (``--top``), so the hot path is named by measurement:

    .venv/bin/python benchmarks/bench_profile.py [--steps 30] [--top 30] [--set KEY=VALUE]
"""

from __future__ import annotations

import argparse
import cProfile
import pstats

from threadpoolctl import threadpool_limits

from hetsim.scenarios.builder import build_model, load_scenario


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--scenario", default="status_quo")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--sort", default="cumulative", help="pstats sort key (or tottime)")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")
    args = parser.parse_args()
    with threadpool_limits(1):
        model = build_model(load_scenario(args.scenario, args.set), seed=args.seed)
        model.step()  # warm-up
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(args.steps):
            model.step()
        profiler.disable()
    pstats.Stats(profiler).sort_stats(args.sort).print_stats(args.top)


if __name__ == "__main__":
    main()

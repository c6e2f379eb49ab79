"""``hetsim calibrate``: fit a scenario's assumed keys to field patterns (pyabc's ABC-SMC)."""

from __future__ import annotations

import argparse
import shlex
import sys

from hetsim.commands.extras import require_extra
from hetsim.options import add_overrides

COMMANDS = ("calibrate",)


def add_parsers(sub: argparse._SubParsersAction) -> None:
    """Add this module's subcommands."""
    cal = sub.add_parser(
        "calibrate",
        help="fit a scenario's assumed keys to patterns of the field (ABC-SMC, pyabc); "
        "writes docs/calibration.md",
    )
    cal.add_argument("scenario", help="a shipped scenario name (see `hetsim list`) or a path")
    cal.add_argument(
        "--targets", required=True, metavar="FILE",
        help="the targets file: patterns, their sources and tolerances, and the keys' priors",
    )  # fmt: skip
    cal.add_argument(
        "--budget", type=int, required=True, metavar="N",
        help="parameter sets to simulate; checked between generations, so the last may go over",
    )  # fmt: skip
    cal.add_argument(
        "--seeds", type=int, default=2,
        help="seeds 0..k-1 run at every parameter set, measures averaged (default 2)",
    )  # fmt: skip
    cal.add_argument("--steps", type=int, help="steps per run (default: the scenario's)")
    add_overrides(cal, "fix a scenario key in every run, e.g. communities.count=20")
    cal.add_argument("--population", type=int, help="particles per generation (default N/8)")
    cal.add_argument("--generations", type=int, default=100, help="most generations (100)")
    cal.add_argument(
        "--check-seeds", type=int, default=10,
        help="seeds the point estimate is checked on (default 10)",
    )  # fmt: skip
    cal.add_argument(
        "--draws", type=int, default=20, help="posterior-predictive draws (default 20)"
    )
    cal.add_argument(
        "--workers", type=int, default=1, help="local worker processes (default 1: this one)"
    )
    cal.add_argument("--out", help="results folder (default results/calibration/SCENARIO)")
    cal.add_argument(
        "--doc", default="docs/calibration.md",
        help="the page to write; its pair plot goes beside it (default docs/calibration.md)",
    )  # fmt: skip
    cal.add_argument(
        "--resume", action="store_true",
        help="continue the calibration stored in --out up to --budget",
    )  # fmt: skip
    cal.add_argument(
        "--sample-seed", type=int, default=0, help="seed of pyabc's sampling (default 0)"
    )
    cal.add_argument(
        "--adopt", metavar="FILE",
        help="write the point estimate into this scenario file, each key citing the page",
    )  # fmt: skip
    cal.add_argument(
        "--max-minutes", type=float, metavar="M",
        help="stop starting generations after M minutes of fitting (checked between them)",
    )  # fmt: skip
    cal.add_argument("--quiet", action="store_true", help="no progress or summary")


def handle(args: argparse.Namespace) -> int | None:
    """Run the command if it is one of this module's; else None."""
    if args.command not in COMMANDS:
        return None
    require_extra("hetsim calibrate", "calibrate", ("pyabc",))
    from hetsim.analysis.calibration import calibrate

    result = calibrate(
        args.scenario,
        args.targets,
        budget=args.budget,
        seeds=args.seeds,
        steps=args.steps,
        overrides=args.overrides,
        population=args.population,
        generations=args.generations,
        check_seeds=args.check_seeds,
        draws=args.draws,
        workers=args.workers,
        out_dir=args.out,
        doc=args.doc,
        resume=args.resume,
        sample_seed=args.sample_seed,
        max_minutes=args.max_minutes,
        adopt_into=args.adopt,
        command="hetsim " + shlex.join(sys.argv[1:]),
        quiet=args.quiet,
    )
    if not args.quiet:
        point = ", ".join(f"{k}={v:.4g}" for k, v in result.checks.point.items())
        print(f"calibrate: {result.posterior.evaluations} parameter sets; point estimate {point}")
        for path in result.files:
            print(f"  {path}")
    return 0

"""Exploratory modelling commands: ``discover`` (scenario discovery on EMA Workbench)."""

from __future__ import annotations

import argparse
import sys

from hetsim.commands.experiments import _common
from hetsim.commands.extras import require_extra
from hetsim.options import add_interventions

COMMANDS = ("discover",)


def add_parsers(sub: argparse._SubParsersAction) -> None:
    """Add this module's subcommands."""
    discover = sub.add_parser(
        "discover", help="worlds where an intervention fails: PRIM boxes (EMA Workbench)"
    )
    _common(discover, seeds=3)
    add_interventions(discover, "the intervention to explore (repeatable: applied together)")
    discover.add_argument(
        "--uncertain", action="append", default=[], metavar="KEY=LO:HI", required=True,
        help="an uncertain scenario key and its range (repeatable)",
    )  # fmt: skip
    discover.add_argument("--outcome", required=True, metavar="METRIC", help="the outcome")
    discover.add_argument(
        "--fails-when", default="effect > 0", metavar="RULE",
        help="'effect <op> <number>': the paired effect (with minus without, mean over seeds) "
        "that counts as failing (default: 'effect > 0')",
    )  # fmt: skip
    discover.add_argument("--samples", type=int, default=50, help="worlds sampled (default 50)")
    discover.add_argument(
        "--density", type=float, default=0.8,
        help="least share of failing worlds in the reported box (default 0.8)",
    )  # fmt: skip
    discover.add_argument(
        "--window", choices=("final", "last10pct"), default="last10pct",
        help="the outcome at the final step, or its mean over the last 10%% of steps",
    )  # fmt: skip
    discover.add_argument(
        "--sample-seed", type=int, default=0, help="seed of the sampling design (default 0)"
    )


def handle(args: argparse.Namespace) -> int | None:
    """Run the command if it is one of this module's; else None."""
    if args.command not in COMMANDS:
        return None
    require_extra("hetsim discover", "explore", ("ema_workbench",))
    from hetsim import api

    result = api.discover(
        args.scenario,
        args.interventions,
        args.uncertain,
        outcome=args.outcome,
        fails_when=args.fails_when,
        density=args.density,
        samples=args.samples,
        window=args.window,
        sample_seed=args.sample_seed,
        seeds=args.seeds,
        steps=args.steps,
        set=args.overrides,
        out=args.out,
        workers=args.workers,
        scheduler=args.scheduler,
        resume=args.resume,
        progress=not args.quiet,
    )
    for note in result.notes:
        print(f"hetsim: note: {note}", file=sys.stderr)
    if result.outcome.interrupted:
        print(
            f"hetsim: interrupted; continue with --resume --out {result.out_dir}", file=sys.stderr
        )
        return result.exit_code
    if not args.quiet:
        print(
            f"discover: {result.outcome.ran + result.outcome.skipped} run(s) in {result.out_dir}/"
        )
        for path in result.files:
            print(f"  {path}")
    return result.exit_code

"""Exploratory modelling commands: ``discover`` (scenario discovery) and ``optimise`` (a
many-objective search over levers) on EMA Workbench, and ``rank`` (every shipped intervention
ranked by its paired effect)."""

from __future__ import annotations

import argparse
import sys

from hetsim.commands.experiments import _common, experiment_arguments
from hetsim.options import add_interventions

COMMANDS = ("discover", "optimise", "rank")


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

    add_optimise(sub)
    rank = sub.add_parser(
        "rank", help="every shipped intervention's paired effect on the main outcomes, ranked"
    )
    _common(rank, seeds=10)
    rank.add_argument(
        "--outcomes", metavar="A,B,...",
        help="primary outcomes (default: the scenario's run.primary_outcomes, else the main "
        "metrics)",
    )  # fmt: skip


def add_optimise(sub: argparse._SubParsersAction) -> None:
    """``hetsim optimise``: its flags."""
    optimise = sub.add_parser(
        "optimise", help="lever mixes on the Pareto front of several outcomes (EMA Workbench)"
    )
    _common(optimise, seeds=3)
    optimise.add_argument(
        "--lever", dest="levers", action="append", default=[], metavar="KEY=LO:HI",
        required=True, help="a scenario key searched over and its range (repeatable)",
    )  # fmt: skip
    for direction in ("minimise", "maximise"):
        optimise.add_argument(
            f"--{direction}", type=_names, default=[], metavar="METRIC[,METRIC...]",
            help=f"metrics to {direction} (their mean over seeds and the window)",
        )  # fmt: skip
    optimise.add_argument(
        "--epsilons", type=_numbers, metavar="E[,E...]",
        help="ε-box width per objective, minimised first (default 0.01 each)",
    )  # fmt: skip
    optimise.add_argument(
        "--nfe", type=int, default=200, help="lever mixes to evaluate (default 200)"
    )
    optimise.add_argument(
        "--population", type=int, default=20, help="ε-NSGA-II population (default 20)"
    )
    optimise.add_argument(
        "--window", choices=("final", "last10pct"), default="last10pct",
        help="an objective at the final step, or its mean over the last 10%% of steps",
    )  # fmt: skip
    optimise.add_argument(
        "--search-seed", type=int, default=0, help="seed of the search (default 0)"
    )
    add_interventions(optimise, "apply an intervention to every run (repeatable)")


def _names(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def _numbers(text: str) -> list[float]:
    try:
        return [float(part) for part in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: numbers separated by commas") from None


def handle(args: argparse.Namespace) -> int | None:
    """Run the command if it is one of this module's; else None."""
    if args.command not in COMMANDS:
        return None
    from hetsim import api

    common = experiment_arguments(args)
    if args.command == "rank":
        return _finish(args, api.rank(args.scenario, outcomes=args.outcomes, **common))
    if args.command == "optimise":
        result = api.optimise(
            args.scenario,
            args.levers,
            minimise=args.minimise,
            maximise=args.maximise,
            epsilons=args.epsilons,
            nfe=args.nfe,
            population=args.population,
            window=args.window,
            search_seed=args.search_seed,
            interventions=args.interventions,
            **common,
        )
    else:
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
            **common,
        )
    return _finish(args, result)


def _finish(args: argparse.Namespace, result) -> int:
    """Notes, the resume hint after an interruption, and the files written."""
    for note in result.notes:
        print(f"hetsim: note: {note}", file=sys.stderr)
    if result.outcome.interrupted:
        print(
            f"hetsim: interrupted; continue with --resume --out {result.out_dir}", file=sys.stderr
        )
        return result.exit_code
    if not args.quiet:
        done = result.outcome.ran + result.outcome.skipped
        print(f"{args.command}: {done} run(s) in {result.out_dir}/")
        for path in result.files:
            print(f"  {path}")
    return result.exit_code

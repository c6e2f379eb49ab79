"""Experiment commands: compare, sweep, sensitivity, branch, report, query.

Heavy imports (pandas, dask, SALib) happen inside the handlers, so ``hetsim --help`` and
worker processes that re-import the CLI stay light.
"""

from __future__ import annotations

import argparse
import sys

from hetsim.options import add_interventions, add_overrides

COMMANDS = ("compare", "sweep", "sensitivity", "branch", "report", "query")


def _common(parser: argparse.ArgumentParser, *, seeds: int) -> None:
    parser.add_argument("scenario", help="a shipped scenario name (see `hetsim list`) or a path")
    parser.add_argument(
        "--seeds",
        type=int,
        default=seeds,
        help=f"run seeds 0..N-1, the same for every arm or point (default {seeds})",
    )
    parser.add_argument("--steps", type=int, help="steps per run (default: the scenario's)")
    add_overrides(parser, "override a scenario key in every run, e.g. communities.count=80")
    parser.add_argument(
        "--workers",
        type=int,
        help="local worker processes (default: all cores; 1 runs in this process); with "
        "--scheduler local, the LocalCluster's workers",
    )
    parser.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="run on Dask: tcp://host:port of a running scheduler, or 'local' for a LocalCluster",
    )
    parser.add_argument("--out", help="experiment folder (default: results/...)")
    parser.add_argument(
        "--resume", action="store_true", help="continue in --out, skipping finished runs"
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bar or summary")


def _params(parser: argparse.ArgumentParser, help_text: str) -> None:
    parser.add_argument(
        "--param", dest="params", action="append", default=[], metavar="KEY=...", help=help_text
    )
    add_interventions(parser, "apply an intervention at every point (repeatable)")
    parser.add_argument(
        "--sample-seed", type=int, default=0, help="seed of the sampling design (default 0)"
    )


def add_parsers(sub: argparse._SubParsersAction) -> None:
    """Add this module's subcommands."""
    arms_help = "an intervention arm (repeatable); a+b is one arm applying both"

    compare = sub.add_parser(
        "compare", help="baseline vs interventions over seeds: runs, comparison, report"
    )
    _common(compare, seeds=10)
    add_interventions(compare, arms_help)
    compare.add_argument(
        "--outcomes",
        metavar="A,B,C",
        help="the primary outcomes tested and Holm-adjusted over (default: the scenario's "
        "run.primary_outcomes, else the main metrics); other metrics are exploratory",
    )
    compare.add_argument(
        "--keep",
        metavar="communities,groups",
        help="also store per-community and/or per-group rows of every run (query views)",
    )

    sweep = sub.add_parser("sweep", help="runs over a parameter grid or Latin hypercube")
    _common(sweep, seeds=3)
    _params(sweep, "dotted.key=v1,v2,... (full factorial) or dotted.key=lo:hi (with --samples)")
    sweep.add_argument("--samples", type=int, help="Latin hypercube of N points over the ranges")

    sens = sub.add_parser("sensitivity", help="Morris or Sobol sensitivity indices (SALib)")
    _common(sens, seeds=8)  # docs/sensitivity_seeds.md
    _params(sens, "dotted.key=lo:hi (repeatable)")
    sens.add_argument("--method", choices=("morris", "sobol"), default="morris")
    sens.add_argument(
        "--samples",
        type=int,
        help="Morris trajectories (default 10) or Sobol base samples, a power of 2 (default 64)",
    )
    sens.add_argument(
        "--metric", dest="metrics", action="append", default=[], metavar="NAME",
        help="metric to analyse (repeatable; default: the report's main metrics)",
    )  # fmt: skip
    sens.add_argument(
        "--window",
        choices=("final", "last10pct"),
        default="final",
        help="the metric at the final step, or its mean over the last 10%% of steps",
    )

    branch = sub.add_parser(
        "branch", help="warm up the baseline once per seed, then branch every intervention"
    )
    _common(branch, seeds=10)
    branch.add_argument(
        "--warmup", type=int, required=True, help="baseline steps before the branch"
    )
    add_interventions(branch, arms_help)

    report = sub.add_parser("report", help="rebuild comparison.csv and report.html from a folder")
    report.add_argument("dir", help="an experiment folder (compare or branch)")

    query = sub.add_parser(
        "query", help="DuckDB SQL over a folder: views runs, comparison, indices (and any kept)"
    )
    query.add_argument("dir", help="an experiment folder")
    query.add_argument("sql", help='e.g. "SELECT intervention, count(*) FROM runs GROUP BY 1"')
    query.add_argument("--csv", action="store_true", help="print CSV instead of a table")
    query.add_argument(
        "--allow-files",
        action="store_true",
        help="let the SQL read and write files and attach databases (off: only the folder's "
        "tables runs, comparison and indices are visible)",
    )


def handle(args: argparse.Namespace) -> int | None:
    """Run the command if it is one of this module's; else None."""
    if args.command not in COMMANDS:
        return None
    if args.command == "report":
        return _report(args)
    if args.command == "query":
        return _query(args)
    return _experiment(args)


def experiment_arguments(args: argparse.Namespace) -> dict:
    """The API arguments every experiment command takes from :func:`_common`'s flags."""
    return {
        "seeds": args.seeds,
        "steps": args.steps,
        "set": args.overrides,
        "out": args.out,
        "workers": args.workers,
        "scheduler": args.scheduler,
        "resume": args.resume,
        "progress": not args.quiet,
    }


def _experiment(args: argparse.Namespace) -> int:
    from hetsim import api

    common = experiment_arguments(args)
    if args.command == "compare":
        result = api.compare(
            args.scenario, args.interventions, outcomes=args.outcomes, keep=args.keep, **common
        )
    elif args.command == "branch":
        result = api.branch(args.scenario, args.interventions, warmup=args.warmup, **common)
    elif args.command == "sweep":
        result = api.sweep(
            args.scenario,
            args.params,
            samples=args.samples,
            sample_seed=args.sample_seed,
            interventions=args.interventions,
            **common,
        )
    else:
        result = api.sensitivity(
            args.scenario,
            args.params,
            method=args.method,
            samples=args.samples,
            metrics=args.metrics or None,
            window=args.window,
            sample_seed=args.sample_seed,
            interventions=args.interventions,
            **common,
        )
    out = result.out_dir
    outcome = result.outcome
    if outcome.interrupted:  # one line: what was kept and how to go on
        stored = outcome.ran + outcome.skipped
        print(
            f"hetsim: interrupted ({outcome.interrupted}): {stored} of {outcome.total} "
            f"run(s) stored in {out}/; continue with --resume --out {out}",
            file=sys.stderr,
        )
        return result.exit_code
    for note in result.notes:
        print(f"hetsim: note: {note}", file=sys.stderr)
    if result.outcome.failures:
        print(
            f"hetsim: {len(result.outcome.failures)} run(s) failed; see {out / 'failures.json'}",
            file=sys.stderr,
        )
    if not args.quiet:
        done = result.outcome.ran + result.outcome.skipped
        unit = "seed(s), every arm" if args.command == "branch" else "run(s)"
        executor = result.manifest.get("executor")
        print(f"{args.command}: {done} {unit} stored in {out}/ (executor: {executor})")
        for path in result.files:
            print(f"  {path}")
    return result.exit_code


def _report(args: argparse.Namespace) -> int:
    from hetsim import api

    for path in api.report(args.dir):
        print(path)
    return 0


def _query(args: argparse.Namespace) -> int:
    import pandas as pd

    from hetsim import api

    table = api.query(args.dir, args.sql, allow_files=args.allow_files)
    if args.csv:
        print(table.to_csv(index=False), end="")
    else:
        with pd.option_context("display.max_rows", 500, "display.width", 200):
            print(table.to_string(index=False))
    return 0

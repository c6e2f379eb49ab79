"""The ``hetsim`` command line: run scenarios, list them, and (more commands) compare them.

Bad input (an unknown scenario, key or value) prints one clear message and exits with code 2.
Ctrl-C or SIGTERM prints one line, keeps what finished and exits with 130 or 143.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from hetsim.commands import MODULES
from hetsim.options import add_interventions, add_overrides, run_out
from hetsim.simulation.recorder import MAIN_METRICS
from hetsim.simulation.schema import ScenarioError

SUMMARY_METRICS = (*MAIN_METRICS, "energy_kwh")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hetsim",
        description="Who gains power in the machine-learning ecosystem: run and compare "
        "agent-based scenarios.",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="run one scenario and write its tables")
    run.add_argument("scenario", help="a shipped scenario name (see `hetsim list`) or a path")
    run.add_argument("--steps", type=int, help="steps to run (default: the scenario's)")
    run.add_argument("--seed", type=int, help="seed (default: the scenario's)")
    add_overrides(run, "override a scenario key, e.g. communities.count=80")
    add_interventions(run, "apply a shipped or local intervention (repeatable)")
    run.add_argument(
        "--out",
        default=None,
        help="output folder (default: results/<scenario>[-<interventions>][-set<hash of the "
        "--set values>]-seed<seed>); a folder holding a different run is refused",
    )
    run.add_argument("--quiet", action="store_true", help="no progress bar or summary")

    sub.add_parser("list", help="list shipped scenarios and interventions")
    for module in MODULES:
        module.add_parsers(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``hetsim`` command."""
    from hetsim.analysis.interruption import exit_code, signal_name, sigterm_raises
    from hetsim.simulation.scenario_files import command_line

    args = _parser().parse_args(argv)
    try:
        with sigterm_raises(), command_line():
            return _dispatch(args)
    except ScenarioError as exc:
        print(f"hetsim: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt as exc:
        print(f"hetsim: interrupted ({signal_name(exc)}); finished work is kept", file=sys.stderr)
        return exit_code(exc)


def _dispatch(args: argparse.Namespace) -> int:
    """Run the chosen command; its exit code."""
    if args.command == "run":
        return _run(args)
    if args.command == "list":
        return _list()
    for module in MODULES:
        code = module.handle(args)
        if code is not None:
            return code
    return 0


def _run(args: argparse.Namespace) -> int:
    from hetsim import api

    scenario = api.load_scenario(
        args.scenario, set=args.overrides, interventions=args.interventions
    )
    seed = scenario.run.seed if args.seed is None else args.seed
    out = args.out
    if out is None:
        out = run_out(scenario.name, seed, args.interventions, args.overrides)
    try:
        result = api.run(
            scenario, seed=args.seed, steps=args.steps, out=out, progress=not args.quiet
        )
    except KeyboardInterrupt as exc:
        from hetsim.analysis.interruption import exit_code, signal_name

        print(
            f"hetsim: interrupted ({signal_name(exc)}); the steps that finished are in {out}/",
            file=sys.stderr,
        )
        return exit_code(exc)
    if not args.quiet:
        print(_summary(result.metrics, scenario.name, result.manifest["seed"], out))
    return 0


def _summary(metrics, name: str, seed: int, out: str | Path) -> str:
    """First, middle and last step of the headline metrics, each row formatted by the labels
    table (energy as ``9.07 nWh``, never ``9.07e-12``)."""
    import pandas as pd

    from hetsim.analysis.labels import display_unit, format_value, label

    steps = metrics["step"].to_numpy()
    picks = sorted({int(steps[0]), int(steps[len(steps) // 2]), int(steps[-1])})
    table = metrics.set_index("step").loc[picks, list(SUMMARY_METRICS)]
    rows = {}
    for column in SUMMARY_METRICS:
        stated = label(column).unit
        factor, unit = display_unit(stated, table[column])
        suffix = f" {unit}" if unit != stated else ""  # a rescaled unit is shown in each cell
        rows[column] = [format_value(v * factor) + suffix for v in table[column]]
    shown = pd.DataFrame.from_dict(rows, orient="index", columns=[f"step {s}" for s in picks])
    lines = [f"\n{name} (seed {seed}), {len(steps)} steps — tables in {out}/", shown.to_string()]
    return "\n".join(lines)


def _list() -> int:
    from hetsim.scenarios.library import (
        describe,
        intervention_path,
        list_interventions,
        list_scenarios,
        scenario_path,
    )

    print("Scenarios:")
    for name in list_scenarios():
        print(f"  {name:<28} {describe(scenario_path(name))}")
    interventions = list_interventions()
    if interventions:
        print("Interventions:")
        for name in interventions:
            print(f"  {name:<28} {describe(intervention_path(name))}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

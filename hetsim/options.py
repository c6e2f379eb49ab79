"""Command-line options shared by every command that builds a scenario."""

from __future__ import annotations

import argparse
from pathlib import Path


def add_overrides(parser: argparse.ArgumentParser, help_text: str) -> None:
    """``--set KEY=VALUE`` (repeatable): override a scenario key, validated like the file."""
    parser.add_argument(
        "--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
        help=help_text,
    )  # fmt: skip


def add_interventions(parser: argparse.ArgumentParser, help_text: str) -> None:
    """``--intervention NAME`` (repeatable): a shipped or local intervention file."""
    parser.add_argument(
        "--intervention", dest="interventions", action="append", default=[], metavar="NAME",
        help=help_text,
    )  # fmt: skip


def check_run_flag(name: str, value: int | None) -> None:
    """Validate ``--steps``/``--seed`` against the schema's ``run`` ranges (one clear error)."""
    from hetsim.simulation.scenario_files import validate
    from hetsim.simulation.schema import ScenarioError

    if value is None:
        return
    try:
        validate({"run": {name: value}}, source=f"--{name}")
    except ScenarioError as exc:
        rule = str(exc).split(": ", 2)[-1]
        raise ScenarioError(f"--{name} = {value}: {rule} (the range of run.{name})") from None


def check_out_flag(out: Path | None) -> None:
    """Refuse an ``--out`` that is a file, lies under a file or cannot be written, up front."""
    from hetsim.analysis.store import check_out_dir

    if out is not None:
        check_out_dir(out)


def default_out(*parts: str) -> Path:
    """``results/<parts joined by ->``, each part made a safe folder name (stays in results/)."""
    from hetsim.analysis.store import safe_name

    return Path("results") / safe_name("-".join(str(p) for p in parts))

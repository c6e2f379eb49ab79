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
    """Validate ``steps``/``seed`` against the schema's ``run`` ranges (one clear error)."""
    from hetsim.simulation.scenario_files import shown, validate
    from hetsim.simulation.schema import ScenarioError

    if value is None:
        return
    try:
        validate({"run": {name: value}}, source=name)
    except ScenarioError as exc:
        rule = str(exc).split(": ", 2)[-1]
        raise ScenarioError(f"{shown(name, value)}: {rule} (the range of run.{name})") from None


def check_out_flag(out: Path | None) -> None:
    """Refuse an ``--out`` that is a file, lies under a file or cannot be written, up front."""
    from hetsim.analysis.store import check_out_dir

    if out is not None:
        check_out_dir(out)


def default_out(*parts: str) -> Path:
    """``results/<parts joined by ->``, each part made a safe folder name (stays in results/)."""
    from hetsim.analysis.store import safe_name

    return Path("results") / safe_name("-".join(str(p) for p in parts))


def run_out(scenario: str, seed: int, interventions: list[str], overrides: list[str]) -> Path:
    """``hetsim run``'s default folder: one per scenario, interventions, ``--set`` and seed.

    ``results/<scenario>[-<interventions>][-set<hash>]-seed<seed>``: runs that differ in any of
    these never share a folder (the hash is of the sorted ``--set`` texts).
    """
    import hashlib

    parts = [scenario]
    if interventions:
        parts.append("+".join(Path(name).stem for name in interventions))
    if overrides:
        digest = hashlib.sha256("\n".join(sorted(overrides)).encode("utf-8")).hexdigest()
        parts.append(f"set{digest[:8]}")
    parts.append(f"seed{seed}")
    return default_out(*parts)

"""Command-line options shared by every command that builds a scenario."""

from __future__ import annotations

import argparse


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

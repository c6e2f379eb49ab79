"""Experiment commands: compare, sweep, sensitivity, branch, report, query."""

from __future__ import annotations

import argparse


def add_parsers(sub: argparse._SubParsersAction) -> None:
    """Add this module's subcommands."""


def handle(args: argparse.Namespace) -> int | None:
    """Run the command if it is one of this module's; else None."""
    return None

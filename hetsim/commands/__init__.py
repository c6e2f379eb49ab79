"""Subcommands beyond ``run`` and ``list``; each module adds its parsers and handlers.

A module here exposes ``add_parsers(subparsers)`` and ``handle(args) -> int | None`` (None when
the command is not its own).
"""

from hetsim.commands import calibrate, claims, experiments, explore, ui

MODULES = (experiments, explore, ui, claims, calibrate)

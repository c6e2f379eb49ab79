"""The layers of DESIGN §6: each package imports only the layers before it.

simulation (the engine) → agents → scenarios → analysis → the CLI (hetsim) and app.py. The
engine never imports a concrete agent or scenario; analysis works on tables and never imports
the CLI or the app.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
LAYERS = ["simulation", "agents", "scenarios", "analysis", "hetsim"]
PROJECT = {*LAYERS, "app"}


def imported_packages(path: Path) -> set[str]:
    """Project layers a module imports (at module level or inside functions).

    ``hetsim.simulation`` and its kin are the layers; any other ``hetsim`` module is the CLI's.
    """
    tree = ast.parse(path.read_text(encoding="utf-8"))
    modules: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules.add(node.module)
    found: set[str] = set()
    for module in modules:
        parts = module.split(".")
        if parts[0] == "hetsim":
            found.add(parts[1] if len(parts) > 1 and parts[1] in LAYERS[:-1] else "hetsim")
        else:
            found.add(parts[0])
    return found & PROJECT


SCRIPTS = ROOT / "scenarios" / "scripts"
"""User scripts (not library modules, not shipped): they call the API, the top layer."""


@pytest.mark.parametrize("layer", LAYERS)
def test_a_layer_imports_only_the_layers_before_it(layer):
    allowed = set(LAYERS[: LAYERS.index(layer) + 1])
    for path in sorted((ROOT / layer).rglob("*.py")):
        if path.is_relative_to(SCRIPTS):
            continue
        upward = imported_packages(path) - allowed
        assert not upward, f"{path.relative_to(ROOT)} imports {sorted(upward)}"


@pytest.mark.parametrize("layer", LAYERS[:-1])
def test_no_layer_is_imported_outside_the_hetsim_namespace(layer):
    for path in sorted(ROOT.rglob("*.py")):
        if ".venv" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = (
                [alias.name for alias in node.names]
                if isinstance(node, ast.Import)
                else [node.module]
                if isinstance(node, ast.ImportFrom) and node.module and node.level == 0
                else []
            )
            assert all(n.split(".")[0] != layer for n in names), (
                f"{path.relative_to(ROOT)} imports {layer!r}: use hetsim.{layer}"
            )

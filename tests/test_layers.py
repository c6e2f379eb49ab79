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
    """Top-level project packages a module imports (at module level or inside functions)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found & PROJECT


@pytest.mark.parametrize("layer", LAYERS)
def test_a_layer_imports_only_the_layers_before_it(layer):
    allowed = set(LAYERS[: LAYERS.index(layer) + 1])
    for path in sorted((ROOT / layer).rglob("*.py")):
        upward = imported_packages(path) - allowed
        assert not upward, f"{path.relative_to(ROOT)} imports {sorted(upward)}"

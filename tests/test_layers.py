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


ENGINE_PACKAGES = {"schema", "state"}
"""Packages of the engine itself (split by section for size), not domains."""

DOMAINS = sorted(
    p.parent.name
    for p in (ROOT / "simulation").glob("*/__init__.py")
    if p.parent.name not in ENGINE_PACKAGES
)


def public_names(domain: str) -> set[str]:
    """The names a domain's ``__init__`` lists in ``__all__``."""
    tree = ast.parse((ROOT / "simulation" / domain / "__init__.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets
        ):
            return {ast.literal_eval(e) for e in node.value.elts}  # type: ignore[attr-defined]
    return set()


def test_the_engine_is_a_few_modules_and_each_domain_a_subpackage():
    modules = [p for p in (ROOT / "simulation").glob("*.py") if p.name != "__init__.py"]
    assert len(modules) <= 12, sorted(p.name for p in modules)
    assert {"learning", "privacy", "fairness", "lending", "measures"} <= set(DOMAINS)


@pytest.mark.parametrize("domain", DOMAINS)
def test_a_domain_says_what_it_is_and_which_section_it_models(domain):
    doc = ast.get_docstring(
        ast.parse((ROOT / "simulation" / domain / "__init__.py").read_text(encoding="utf-8"))
    )
    assert doc and "§" in doc.splitlines()[0], f"simulation/{domain}/__init__.py: {doc!r}"


@pytest.mark.parametrize("domain", DOMAINS)
def test_a_domain_uses_another_only_through_its_public_names(domain):
    """A domain imports the engine's modules freely, another domain only through the public
    names its ``__init__`` exports (never ``hetsim.simulation.<other>.<module>``)."""
    for path in sorted((ROOT / "simulation" / domain).rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                targets = [(alias.name, None) for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                targets = [(node.module, [alias.name for alias in node.names])]
            else:
                continue
            for module, names in targets:
                parts = module.split(".")
                if parts[:2] != ["hetsim", "simulation"] or len(parts) < 3:
                    continue
                other = parts[2]
                if other == domain or other not in DOMAINS:
                    continue
                where = f"{path.relative_to(ROOT)} imports {module}"
                assert len(parts) == 3 and names is not None, (
                    f"{where}: import from hetsim.simulation.{other}, not its modules"
                )
                hidden = set(names) - public_names(other)
                assert not hidden, f"{where}: {sorted(hidden)} not in its __all__"

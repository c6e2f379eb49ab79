"""docs/architecture.md, the newcomer's map, names only modules and folders that exist."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "docs" / "architecture.md"
LAYERS = ("simulation", "agents", "scenarios", "analysis", "hetsim")


def named_paths() -> set[str]:
    """Every `layer/...` path the page names in code spans or its diagram."""
    text = PAGE.read_text(encoding="utf-8")
    pattern = rf"\b(?:{'|'.join(LAYERS)})/[\w/]*(?:\.py|\.toml|/)?"
    return {m.group(0) for m in re.finditer(pattern, text)}


def test_the_page_names_only_what_exists():
    paths = named_paths()
    assert len(paths) > 20
    missing = sorted(p for p in paths if "*" not in p and not (ROOT / p).exists())
    assert not missing, f"docs/architecture.md names what no longer exists: {missing}"


def test_every_domain_of_the_engine_is_on_the_page():
    text = PAGE.read_text(encoding="utf-8")
    domains = {p.parent.name for p in (ROOT / "simulation").glob("*/__init__.py")}
    absent = sorted(d for d in domains if f"simulation/{d}/" not in text)
    assert not absent, f"docs/architecture.md does not show simulation/{absent}"

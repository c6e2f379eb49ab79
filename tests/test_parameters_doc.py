"""docs/parameters.md is the scenario schema, rendered: every key documented, never stale."""

from __future__ import annotations

import runpy
from pathlib import Path

from pydantic import BaseModel

from hetsim.simulation.schema import Scenario

ROOT = Path(__file__).resolve().parent.parent


def keys(model: type[BaseModel], prefix: str = "") -> list[str]:
    """Every leaf key of the schema (a table of sections is walked, a table of values is one)."""
    found = []
    for name, field in model.model_fields.items():
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            found += keys(annotation, f"{prefix}{name}.")
        else:
            found.append(f"{prefix}{name}")
    return found


def test_the_parameter_reference_matches_the_schema():
    render = runpy.run_path(str(ROOT / "docs" / "make_parameters.py"), run_name="doc")["render"]
    written = (ROOT / "docs" / "parameters.md").read_text(encoding="utf-8")
    assert written == render(), "docs/parameters.md is stale: run docs/make_parameters.py"


def test_every_key_is_documented_with_a_meaning():
    written = (ROOT / "docs" / "parameters.md").read_text(encoding="utf-8")
    rows = {
        line.split("|")[1].strip(): line.split("|")[-2].strip()
        for line in written.splitlines()
        if line.startswith("| `")
    }
    for key in keys(Scenario):
        meaning = rows.get(f"`{key}`")
        assert meaning, f"{key} is missing from docs/parameters.md or says nothing of its meaning"

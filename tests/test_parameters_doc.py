"""docs/parameters.md is the scenario schema, rendered: every key documented, never stale."""

from __future__ import annotations

import re
import runpy
from pathlib import Path

from pydantic import BaseModel

from hetsim.agents import STRATEGIES
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
    every = keys(Scenario) + [
        key
        for name, strategy in STRATEGIES.items()
        for key in keys(strategy.Params, f"strategy.{name}.")
    ]
    for key in every:
        meaning = rows.get(f"`{key}`")
        assert meaning, f"{key} is missing from docs/parameters.md or says nothing of its meaning"


def test_every_key_names_the_sources_its_description_cites():
    written = (ROOT / "docs" / "parameters.md").read_text(encoding="utf-8")
    assert "| key | default | accepts | source | what it means |" in written
    rows = [line.split(" | ") for line in written.splitlines() if line.startswith("| `")]
    assert all(len(cells) == 5 for cells in rows)
    cited = 0
    for _, _, _, source, meaning in rows:
        for section in re.findall(r"§\d+(?:\.\d+)*", meaning):
            assert section in source.split(", "), (section, source)
            cited += 1
        assert source == "—" or any(part in meaning for part in source.split(", "))
    assert cited > 0

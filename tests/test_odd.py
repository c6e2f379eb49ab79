"""docs/odd.md describes this model: every scenario key, every phase, a current parameter table."""

from __future__ import annotations

import importlib.util
import re
import typing
from pathlib import Path

from pydantic import BaseModel

from hetsim.agents import STRATEGIES
from hetsim.simulation.roles import PHASES
from hetsim.simulation.schema import Scenario

DOCS = Path(__file__).resolve().parent.parent / "docs"
ODD = DOCS / "odd.md"


def make_odd():
    """docs/make_odd.py, loaded as a module (docs/ is not a package)."""
    spec = importlib.util.spec_from_file_location("make_odd", DOCS / "make_odd.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def schema_keys(model: type[BaseModel], prefix: str = "") -> list[str]:
    """Every dotted key of a section, walked here independently of the generator."""
    keys = []
    for name, field in model.model_fields.items():
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            keys += schema_keys(annotation, f"{prefix}{name}.")
        elif typing.get_origin(annotation) is not dict or name != "strategy":
            keys.append(f"{prefix}{name}")
    return keys


def every_key() -> list[str]:
    keys = schema_keys(Scenario)
    for name, strategy in STRATEGIES.items():
        keys += schema_keys(strategy.Params, f"strategy.{name}.")
    return keys


def test_the_odd_names_every_scenario_key():
    text = ODD.read_text(encoding="utf-8")
    missing = [key for key in every_key() if f"`{key}`" not in text]
    assert not missing, f"docs/odd.md misses {missing}: run python docs/make_odd.py"


def test_the_generated_parameter_table_is_current():
    text = ODD.read_text(encoding="utf-8")
    assert make_odd().render(text) == text, "docs/odd.md is stale: run python docs/make_odd.py"


def test_the_process_overview_lists_every_phase_in_order():
    text = ODD.read_text(encoding="utf-8")
    overview = text.split("### 1.3 Process overview and scheduling", 1)[1].split("\n## ", 1)[0]
    listed = re.findall(r"^\d\. \*\*`([a-z_]+)`\*\*", overview, flags=re.MULTILINE)
    assert tuple(listed) == PHASES


def test_every_module_the_odd_names_exists():
    root = DOCS.parent
    text = ODD.read_text(encoding="utf-8")
    named = set(re.findall(r"`((?:simulation|agents|scenarios|analysis)/[a-z_/]+\.py)", text))
    assert named and not [path for path in named if not (root / path).exists()]


def test_a_default_without_a_source_is_marked_as_assumed():
    odd = make_odd()
    assert odd.basis("records scraped per step") == odd.ASSUMPTION
    assert odd.basis("energy (Patterson et al. 2021)").startswith(
        "from the literature: Patterson et al. 2021"
    )

"""Write docs/parameters.md from the scenario schema: ``python docs/make_parameters.py``.

Every key a scenario file, an intervention or ``--set`` may hold, with its default, what it
accepts and what it means (its source or reason). tests/test_parameters_doc.py fails when the
page differs from what this renders.
"""

from __future__ import annotations

import math
import re
import typing
from pathlib import Path

import annotated_types
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from hetsim.agents import STRATEGIES
from hetsim.simulation.schema import Scenario

PAGE = Path(__file__).with_name("parameters.md")
HEADER = """# Scenario parameters

Every key of a scenario, generated from the schema (`simulation/schema/`, one module per
section: `regulators.*` is defined in `simulation/schema/regulators.py`) by
`python docs/make_parameters.py`; a test keeps this page in sync. A scenario file sets any of
them (TOML tables are the sections), an intervention patches them, and `--set key=value`
overrides them on the command line. Sweeps and sensitivity analysis reach every one.

The *source* column names what a key's description cites: a section of the paper (§2.3) or a
study (Liu et al. 2018); "—" where the description gives the modelling reason instead.
"""

COLUMNS = "| key | default | accepts | source | what it means |\n|---|---|---|---|---|"

# a section of the paper, or a study: "Liu et al. 2018", "Kleinberg & Raghavan 2021", "Abadi 2016"
CITATION = re.compile(
    r"§\d+(?:\.\d+)*"
    r"|[A-Z][A-Za-z'-]+(?: et al\.?| & [A-Z][A-Za-z'-]+)(?:,? \(?\d{4}[a-z]?\)?)?"
    r"|[A-Z][A-Za-z'-]+,? \(?(?:19|20)\d{2}[a-z]?\)?"
)


def _sources(description: str) -> str:
    """The citations in a description, in order, each once; "—" when it cites none."""
    found = [m.group(0).strip(" ,") for m in CITATION.finditer(description)]
    found = [f[:-1] if f.count(")") > f.count("(") else f for f in found]
    found = list(dict.fromkeys(found))
    return ", ".join(found) if found else "—"


def _bounds(field: FieldInfo) -> str:
    parts = []
    for item in field.metadata:
        for name, symbol in (("ge", "≥"), ("gt", ">"), ("le", "≤"), ("lt", "<")):
            value = getattr(item, name, None)
            if value is not None and not isinstance(item, annotated_types.MinLen):
                parts.append(
                    f"{symbol} {value:g}" if isinstance(value, float) else f"{symbol} {value}"
                )
        if isinstance(item, annotated_types.MinLen):
            parts.append(f"at least {item.min_length} item(s)")
    return ", ".join(parts)


def _allowed(annotation: object, field: FieldInfo) -> str:
    origin = typing.get_origin(annotation)
    if origin is typing.Literal:
        return "one of " + ", ".join(f"`{a}`" for a in typing.get_args(annotation))
    if origin is typing.Annotated:
        inner, *_ = typing.get_args(annotation)
        return _allowed(inner, FieldInfo.from_annotation(annotation))
    if origin is list:
        (item,) = typing.get_args(annotation)
        return "a list of " + (_allowed(item, FieldInfo()) or _type_name(item))
    if origin is dict:
        key, value = typing.get_args(annotation)
        return f"a table of {_allowed(key, FieldInfo()) or _type_name(key)} → {_type_name(value)}"
    return ", ".join(p for p in (_type_name(annotation), _bounds(field)) if p)


def _type_name(annotation: object) -> str:
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        inner, *_ = typing.get_args(annotation)
        text = _type_name(inner)
        bounds = _bounds(FieldInfo.from_annotation(annotation))
        return f"{text} {bounds}".strip()
    if origin is typing.Literal:
        return "one of " + ", ".join(f"`{a}`" for a in typing.get_args(annotation))
    return {int: "integer", float: "number", bool: "true/false", str: "text"}.get(
        annotation, getattr(annotation, "__name__", str(annotation))
    )


def _default(field: FieldInfo) -> str:
    value = field.get_default(call_default_factory=True)
    if isinstance(value, BaseModel):
        return ""
    if isinstance(value, float) and math.isinf(value):
        return "`inf`"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if value is None or value == [] or value == {}:
        return "`[]`" if value == [] else "`{}`" if value == {} else ""
    return f"`{value!r}`" if isinstance(value, str) else f"`{value}`"


def _rows(model: type[BaseModel], prefix: str = "") -> list[str]:
    rows = []
    for name, field in model.model_fields.items():
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            rows.append(f"\n## `[{prefix}{name}]`\n\n{(annotation.__doc__ or '').strip()}\n")
            rows.append(COLUMNS)
            rows += _rows(annotation, f"{prefix}{name}.")
            continue
        allowed = _allowed(annotation, field)
        if typing.get_origin(annotation) is list:
            (item,) = typing.get_args(annotation)
            if isinstance(item, type) and issubclass(item, BaseModel):
                keys = ", ".join(f"`{k}`" for k in item.model_fields)
                allowed = f"a list of tables with {keys} ({(item.__doc__ or '').strip()})"
        description = (field.description or "").replace("|", "\\|")
        source = _sources(description)
        rows.append(
            f"| `{prefix}{name}` | {_default(field)} | {allowed} | {source} | {description} |"
        )
    return rows


def render() -> str:
    """The page, as it should be."""
    lines = [HEADER, COLUMNS]
    lines += _rows(Scenario)
    names = ", ".join(f"`{n}`" for n in STRATEGIES)
    lines.append(
        f"\nStrategy names (`communities.strategy`, `communities.strategies`): {names} "
        "(`hetsim.agents.strategies.STRATEGIES`). Each strategy declares its own keys (its "
        "`Params` class), set in a table `[strategy.<name>]`:"
    )
    for name, strategy in STRATEGIES.items():
        lines.append(f"\n## `[strategy.{name}]`\n\n{(strategy.__doc__ or '').strip()}\n")
        lines.append(COLUMNS)
        lines += _rows(strategy.Params, f"strategy.{name}.")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    PAGE.write_text(render(), encoding="utf-8")
    print(f"wrote {PAGE}")

"""Scenario files to a validated Scenario: read, layer interventions and ``--set``, validate.

A scenario is a TOML file, read as UTF-8 bytes with one clear error for every way that fails.
Interventions and ``--set`` overrides are applied on top as named layers, so each error names
the layer that wrote the key (the scenario file, an intervention file or ``--set``), the dotted
key, the value and what is allowed.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, get_args, get_origin

from pydantic import ValidationError

from hetsim.simulation.schema import FREE_TABLE, Scenario, ScenarioError

SET = "--set"  # the source name of command-line overrides


def _submodel(annotation: Any, part: str) -> Any:
    """The schema type one step below ``annotation`` along ``part`` (a field or list index)."""
    if part.isdigit() and get_origin(annotation) is list:
        return get_args(annotation)[0]
    fields = getattr(annotation, "model_fields", None)
    if fields and part in fields:
        return fields[part].annotation
    return None


def _allowed_keys(loc: tuple[Any, ...]) -> list[str]:
    """Field names allowed at the parent of ``loc`` in the schema."""
    model: Any = Scenario
    for part in loc[:-1]:
        model = _submodel(model, str(part))
        if model is None:
            return []
    return sorted(getattr(model, "model_fields", {}))


def _describe(error: Mapping[str, Any]) -> tuple[str, str]:
    loc = tuple(error["loc"])
    key = ".".join(str(p) for p in loc)
    if error["type"] == "extra_forbidden":
        allowed = ", ".join(_allowed_keys(loc)) or "none"
        return key, f"unknown key (allowed here: {allowed})"
    ctx = error.get("ctx") or {}
    if error["type"] in {"literal_error", "enum"} and "expected" in ctx:
        return key, f"must be one of {ctx['expected']}"
    if error["type"] == "value_error" and "error" in ctx:
        return key, str(ctx["error"])
    if error["type"] == "finite_number":
        return key, "must be a finite number (inf and nan are allowed only for DP epsilons)"
    if error["type"] in {"int_type", "float_type", "bool_type", "string_type"}:
        wanted = {"int_type": "an integer", "float_type": "a number", "bool_type": "true or false"}
        return key, f"must be {wanted.get(error['type'], 'a string')} (no conversion is made)"
    return key, error["msg"][0].lower() + error["msg"][1:]


def _blame(key: str, sources: dict[str, str], default: str) -> str:
    """The layer that wrote ``key``: the longest written prefix, else what wrote inside it."""
    parts = key.split(".")
    for i in range(len(parts), 0, -1):
        prefix = ".".join(parts[:i])
        if prefix in sources:
            return sources[prefix]
    inside = sorted({src for k, src in sources.items() if k.startswith(key + ".")})
    return " + ".join(inside) if inside else default


def _line(source: str, key: str, shown: str, rule: str) -> str:
    if source == SET:
        return f"{SET} {key} = {shown}: {rule}"
    return f"{source}: {key} = {shown}: {rule}"


def validate(
    data: dict[str, Any], source: str = "<scenario>", sources: dict[str, str] | None = None
) -> Scenario:
    """Validate a scenario mapping; raise ScenarioError naming the source, key, value and rule.

    ``sources`` maps dotted keys to the layer that wrote them (an intervention file, ``--set``);
    keys it does not name are blamed on ``source``.
    """
    sources = sources or {}
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            key, rule = _describe(err)
            value = err.get("input")
            shown = repr(value)
            if isinstance(value, dict) and len(shown) > 80:
                shown = "{...}"
            if err["type"] == "missing":
                shown = "(missing)"
            lines.append(_line(_blame(key, sources, source), key, shown, rule))
        raise ScenarioError("\n".join(lines)) from None
    check_schedule(scenario, scenario.run.steps, "run.steps", sources, source)
    return scenario


def check_schedule(
    scenario: Scenario,
    steps: int,
    steps_from: str,
    sources: dict[str, str] | None = None,
    source: str = "<scenario>",
) -> None:
    """Refuse shocks scheduled after the last step of a run of ``steps`` steps."""
    for i, shock in enumerate(scenario.data.shocks):
        if shock.step > steps:
            key = f"data.shocks.{i}.step"
            raise ScenarioError(
                _line(
                    _blame(key, sources or {}, source),
                    key,
                    repr(shock.step),
                    f"after the last step ({steps_from} = {steps}); a shock must fall "
                    f"within 1..{steps}",
                )
            )


def read_toml(path: Path, kind: str = "scenario") -> dict[str, Any]:
    """Read a TOML file as UTF-8, turning every way it can fail into one ScenarioError."""
    if not path.exists():
        raise ScenarioError(f"{path}: {kind} file not found")
    if path.is_dir():
        raise ScenarioError(f"{path}: is a folder; give a {kind} .toml file")
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ScenarioError(f"{path}: {kind} file cannot be read ({exc.strerror})") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ScenarioError(
            f"{path}: {kind} file is not UTF-8 text (byte 0x{raw[exc.start]:02x} at offset "
            f"{exc.start}); save it as UTF-8"
        ) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"{path}: not valid TOML: {exc}") from None


def parse_override(text: str) -> tuple[str, Any]:
    """Parse ``dotted.key=value``; the value is read as TOML, else kept as a string."""
    if "=" not in text:
        raise ScenarioError(f"{SET} {text!r}: expected dotted.key=value")
    key, raw = (part.strip() for part in text.split("=", 1))
    if not key:
        raise ScenarioError(f"{SET} {text!r}: empty key")
    if not raw:
        raise ScenarioError(f'{SET} {text!r}: empty value (quote it for an empty string: "")')
    try:
        value = tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        value = raw
    return key, value


def apply_override(data: dict[str, Any], key: str, value: Any, source: str = SET) -> None:
    """Set ``data[a][b][c] = value`` for key ``a.b.c``, refusing keys the schema lacks."""
    parts = key.split(".")
    node = data
    model: Any = Scenario
    for i, part in enumerate(parts):
        fields = getattr(model, "model_fields", None)
        where = ".".join(parts[:i]) or "the top level"
        if fields is None and model == FREE_TABLE:
            # a strategy's own keys: checked against the strategy when the world is built
            _set_path(node, parts[i:], key, value, source)
            return
        if fields is None:
            raise ScenarioError(
                _line(source, key, repr(value), f"{where} is not a table; set it whole")
            )
        if part not in fields:
            allowed = ", ".join(sorted(fields))
            raise ScenarioError(
                _line(source, key, repr(value), f"unknown key (allowed in {where}: {allowed})")
            )
        model = fields[part].annotation
        if i == len(parts) - 1:
            node[part] = value
        else:
            child = node.setdefault(part, {})
            if not isinstance(child, dict):
                raise ScenarioError(
                    _line(source, key, repr(value), f"{'.'.join(parts[: i + 1])} is not a table")
                )
            node = child


def _set_path(node: dict[str, Any], parts: list[str], key: str, value: Any, source: str) -> None:
    for i, part in enumerate(parts[:-1]):
        child = node.setdefault(part, {})
        if not isinstance(child, dict):
            where = ".".join(parts[: i + 1])
            raise ScenarioError(_line(source, key, repr(value), f"{where} is not a table"))
        node = child
    node[parts[-1]] = value


def flatten(table: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Dotted keys of every leaf of a nested table (lists are leaves)."""
    out: dict[str, Any] = {}
    for key, value in table.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, dict) and value:
            out.update(flatten(value, f"{dotted}."))
        else:
            out[dotted] = value
    return out


def merge(base: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    """Deep-merge ``patch`` over ``base`` (tables merge, other values replace)."""
    out = dict(base)
    for key, value in patch.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = value
    return out


def load(
    path: Path | str,
    overrides: Sequence[str] | None = None,
    extra: dict[str, Any] | None = None,
    *,
    patches: Sequence[tuple[str, dict[str, Any]]] = (),
) -> Scenario:
    """Load and validate a scenario file, then named patches (interventions), then ``--set``.

    Each error is blamed on the layer that wrote the key; a key given twice with ``--set`` is
    an error, not a silent last-wins.
    """
    path = Path(path)
    data = read_toml(path)
    sources: dict[str, str] = {}
    layers = [*patches, *([("<extra>", extra)] if extra else [])]
    for name, patch in layers:
        sources.update(dict.fromkeys(flatten(patch), name))
        data = merge(data, patch)
    given: dict[str, str] = {}
    for text in overrides or []:
        key, value = parse_override(text)
        if key in given:
            raise ScenarioError(
                f"{SET} {key}: given twice ({given[key]!r}, then {text!r}); give each key once"
            )
        given[key] = text
        apply_override(data, key, value)
        sources[key] = SET
    return validate(data, source=path.name, sources=sources)

"""Scenario files to a validated Scenario: read, layer interventions and ``--set``, validate.

A scenario is a TOML file, read as UTF-8 bytes with one clear error for every way that fails.
Interventions and ``--set`` overrides are applied on top as named layers, so each error names
the layer that wrote the key (the scenario file, an intervention file or ``--set``), the dotted
key, the value and what is allowed.
"""

from __future__ import annotations

import contextlib
import contextvars
import errno
import os
import tomllib
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, get_args, get_origin

from pydantic import ValidationError

from hetsim.simulation.schema import FREE_TABLE, Scenario, ScenarioError

SET = "--set"  # the source name of overrides (``--set`` on the command line, ``set=`` in Python)

_COMMAND_LINE = contextvars.ContextVar("hetsim_command_line", default=False)
# Python argument names whose command-line flag is not simply ``--name-with-dashes``.
FLAGS = {
    "interventions": "--intervention",
    "params": "--param",
    "metrics": "--metric",
    "sql": "SQL",
    "scenario": "scenario",
    "name_or_path": "scenario",
}


@contextlib.contextmanager
def command_line() -> Iterator[None]:
    """Within this block, errors name command-line flags (``--seeds``), not Python arguments."""
    token = _COMMAND_LINE.set(True)
    try:
        yield
    finally:
        _COMMAND_LINE.reset(token)


def named(name: str) -> str:
    """An argument as its caller wrote it: ``--sample-seed`` from the CLI, ``sample_seed`` else."""
    if _COMMAND_LINE.get():
        return FLAGS.get(name, "--" + name.replace("_", "-"))
    return name


def shown(name: str, value: Any) -> str:
    """An argument and its value as the caller wrote them: ``--seeds 0`` or ``seeds=0``."""
    if _COMMAND_LINE.get():
        return f"{named(name)} = {value}"
    return f"{name}={value!r}"


def _set_layer() -> str:
    """How overrides are named in a message: ``--set`` on the command line, ``set:`` in Python."""
    return SET if _COMMAND_LINE.get() else "set:"


def check_path_text(text: str | Path, argument: str) -> None:
    """Refuse a path this system cannot hold: not UTF-8, a NUL byte, a name too long."""
    text = str(text)
    if not text.strip():
        raise ScenarioError(f"{named(argument)} {text!r}: empty name; give a name or a path")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise ScenarioError(
            f"{named(argument)} {text!a}: not valid UTF-8 text; give a path in UTF-8"
        ) from None
    if "\0" in text:
        raise ScenarioError(f"{shown(argument, text)}: contains a NUL character")
    try:
        os.stat(text or ".")
    except OSError as exc:
        if exc.errno == errno.ENAMETOOLONG:
            short = text if len(text) <= 60 else text[:40] + f"... ({len(text)} characters)"
            raise ScenarioError(
                f"{shown(argument, short)}: too long a path or name for this system "
                f"(a name holds at most {os.pathconf('/', 'PC_NAME_MAX')} bytes)"
            ) from None
    except ValueError:  # embedded NUL on some platforms
        raise ScenarioError(f"{shown(argument, text)}: not a valid path") from None


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


def _line(source: str, key: str, value: str, rule: str) -> str:
    if source == SET:
        return f"{_set_layer()} {key} = {value}: {rule}"
    return f"{source}: {key} = {value}: {rule}"


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
            text = repr(value)
            if isinstance(value, dict) and len(text) > 80:
                text = "{...}"
            if err["type"] == "missing":
                text = "(missing)"
            lines.append(_line(_blame(key, sources, source), key, text, rule))
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


# A scenario or intervention is a page of TOML; anything larger is not one (and /dev/zero or a
# named pipe would otherwise be read until memory runs out).
MAX_FILE_BYTES = 1_000_000


def read_toml(path: Path, kind: str = "scenario") -> dict[str, Any]:
    """Read a TOML file as UTF-8, turning every way it can fail into one ScenarioError."""
    check_path_text(path, kind)
    if not path.exists():
        raise ScenarioError(f"{path}: {kind} file not found")
    if path.is_dir():
        raise ScenarioError(f"{path}: is a folder; give a {kind} .toml file")
    if not path.is_file():
        raise ScenarioError(f"{path}: not a regular file (a device or pipe); give a .toml file")
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise ScenarioError(f"{path}: {kind} file cannot be read ({exc.strerror})") from None
    if len(raw) > MAX_FILE_BYTES:
        raise ScenarioError(
            f"{path}: {kind} file is larger than {MAX_FILE_BYTES:,} bytes; not a scenario"
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ScenarioError(
            f"{path}: {kind} file is not UTF-8 text (byte 0x{raw[exc.start]:02x} at offset "
            f"{exc.start}); save it as UTF-8"
        ) from None
    return _parse_toml(text, str(path))


def _parse_toml(text: str, source: str) -> dict[str, Any]:
    """TOML text as a table; one error for invalid TOML and for tables nested too deep."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"{source}: not valid TOML: {exc}") from None
    except RecursionError:
        raise ScenarioError(
            f"{source}: tables or arrays nested too deep to read (no scenario key is nested "
            "more than a few levels)"
        ) from None


def parse_override(text: str) -> tuple[str, Any]:
    """Parse ``dotted.key=value``; the value is read as TOML, else kept as a string."""
    if "=" not in text:
        raise ScenarioError(f"{_set_layer()} {text!r}: expected dotted.key=value")
    key, raw = (part.strip() for part in text.split("=", 1))
    if not key:
        raise ScenarioError(f"{_set_layer()} {text!r}: empty key")
    if not raw:
        raise ScenarioError(
            f'{_set_layer()} {text!r}: empty value (quote it for an empty string: "")'
        )
    try:
        value = tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        value = raw
    except RecursionError:
        raise ScenarioError(
            f"{_set_layer()} {key}: value nested too deep to read (no scenario key is nested "
            "more than a few levels)"
        ) from None
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
                f"{_set_layer()} {key}: given twice ({given[key]!r}, then {text!r}); "
                "give each key once"
            )
        given[key] = text
        apply_override(data, key, value)
        sources[key] = SET
    return validate(data, source=path.name, sources=sources)

"""Arguments of the experiments, parsed and checked before anything runs.

Counts (``--seeds``), arms (``a+b``), scenario paths made portable for workers, and swept
parameters (``key=v1,v2`` or ``key=lo:hi``) typed from the scenario schema. Every refusal is a
:class:`ScenarioError` naming the flag and the value.
"""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from hetsim.analysis.ensemble import BASELINE, arm_label
from hetsim.simulation.scenario_files import named, shown
from hetsim.simulation.schema import Scenario, ScenarioError

# Upper bounds of the experiments' counts: beyond them the run table alone would not fit in
# memory (a run is one row per step) or the design could not be seeded (numpy takes 32 bits).
MAXIMA = {"seeds": 100_000, "samples": 1_000_000, "workers": 1_024, "sample_seed": 2**32 - 1}


def check_count(name: str, value: int | None, minimum: int = 1) -> None:
    """Refuse a count below its minimum or above its maximum, naming the argument and value."""
    if value is None:
        return
    maximum = MAXIMA.get(name)
    if value < minimum or (maximum is not None and value > maximum):
        upper = f" and <= {maximum:,}" if maximum is not None else ""
        raise ScenarioError(f"{shown(name, value)}: must be an integer >= {minimum}{upper}")


def parse_arm(text: str) -> tuple[str, ...]:
    """``a+b`` is one arm applying interventions a and b; ``a`` applies a alone."""
    names = tuple(part.strip() for part in str(text).split("+"))
    if not all(names):
        raise ScenarioError(f"{named('interventions')} {text!r}: empty intervention name")
    return tuple(portable(name) for name in names)


def portable(name: str) -> str:
    """A shipped name as is; a file path made absolute, so workers elsewhere find it."""
    path = Path(name)
    return str(path.resolve()) if path.suffix == ".toml" or path.is_file() else name


def arm_list(interventions: Sequence[str]) -> list[tuple[str, tuple[str, ...]]]:
    """(label, intervention names) of each ``--intervention``; refuses 'baseline' and repeats."""
    arms: list[tuple[str, tuple[str, ...]]] = []
    for text in interventions:
        names = parse_arm(text)
        label = arm_label(names)
        if label == BASELINE:
            raise ScenarioError(
                f"{named('interventions')} {text!r}: 'baseline' is the name of no change"
            )
        if label in {a for a, _ in arms}:
            raise ScenarioError(f"{named('interventions')} {text!r}: given twice")
        arms.append((label, names))
    return arms


@dataclass(frozen=True)
class Param:
    """A swept scenario key: its values (a list) or its range ``(lo, hi)``, and its type."""

    key: str
    kind: str  # "int", "float", "bool" or "str"
    values: tuple[Any, ...] = ()
    bounds: tuple[float, float] | None = None

    def coerce(self, value: Any) -> Any:
        """A value of this parameter's type (integers are rounded)."""
        if self.kind == "int":
            return int(np.rint(value))
        if self.kind == "float":
            return float(value)
        return value


def field_kind(key: str) -> str:
    """Type of a dotted scenario key: int, float, bool or str; ScenarioError if unknown."""
    model: Any = Scenario
    parts = key.split(".")
    for i, part in enumerate(parts):
        fields = getattr(model, "model_fields", None)
        if not fields or part not in fields:
            where = ".".join(parts[:i]) or "the top level"
            allowed = ", ".join(sorted(fields or {})) or "none (not a table)"
            raise ScenarioError(
                f"{named('params')} {key}: unknown key (allowed in {where}: {allowed})"
            )
        model = fields[part].annotation
    if hasattr(model, "model_fields"):
        raise ScenarioError(f"{named('params')} {key}: is a table; give one of its keys")
    if model is bool:
        return "bool"
    if model is int:
        return "int"
    if model is float:
        return "float"
    return "str"


def _toml_value(raw: str) -> Any:
    try:
        return tomllib.loads(f"v = {raw.strip()}")["v"]
    except tomllib.TOMLDecodeError:
        return raw.strip()


def parse_param(text: str) -> Param:
    """``key=v1,v2,...`` (values) or ``key=lo:hi`` (a numeric range)."""
    if "=" not in text:
        raise ScenarioError(
            f"{named('params')} {text!r}: expected dotted.key=v1,v2,... or dotted.key=lo:hi"
        )
    key, raw = (part.strip() for part in text.split("=", 1))
    if not key or not raw:
        raise ScenarioError(
            f"{named('params')} {text!r}: expected dotted.key=v1,v2,... or dotted.key=lo:hi"
        )
    kind = field_kind(key)
    if key == "run.seed":
        raise ScenarioError(
            f"{named('params')} {text!r}: an experiment runs seeds 0..N-1 (N is "
            f"{named('seeds')}) at every point, so run.seed would change nothing"
        )
    if ":" in raw and "," not in raw:
        lo_text, hi_text = raw.split(":", 1)
        lo, hi = _toml_value(lo_text), _toml_value(hi_text)
        numeric = all(isinstance(v, int | float) and not isinstance(v, bool) for v in (lo, hi))
        if kind not in ("int", "float") or not numeric or not lo < hi:
            raise ScenarioError(
                f"{named('params')} {text!r}: a range lo:hi needs a numeric key and numbers "
                "lo < hi "
                f"({key} is {kind})"
            )
        return Param(key, kind, bounds=(float(lo), float(hi)))
    values = [_toml_value(v) for v in raw.split(",")]
    if kind == "int" and any(
        not isinstance(v, int | float) or isinstance(v, bool) or float(v) != int(v) for v in values
    ):
        raise ScenarioError(f"{named('params')} {text!r}: {key} takes integers")
    if kind == "float" and any(
        not isinstance(v, int | float) or isinstance(v, bool) for v in values
    ):
        raise ScenarioError(f"{named('params')} {text!r}: {key} takes numbers")
    if kind == "bool" and any(not isinstance(v, bool) for v in values):
        raise ScenarioError(f"{named('params')} {text!r}: {key} takes true or false")
    param = Param(key, kind)
    return Param(key, kind, values=tuple(param.coerce(v) for v in values))


def parse_params(texts: Sequence[str], overrides: Sequence[str] = ()) -> list[Param]:
    """Every ``--param``, each key at most once and not also fixed by ``--set``."""
    if not texts:
        raise ScenarioError(f"give at least one {named('params')} dotted.key=...")
    params = [parse_param(t) for t in texts]
    keys = [p.key for p in params]
    for key in keys:
        if keys.count(key) > 1:
            raise ScenarioError(f"{named('params')} {key}: given twice")
    fixed = {text.split("=", 1)[0].strip(): text for text in overrides}
    for key in keys:
        if key in fixed:
            raise ScenarioError(
                f"{named('params')} {key}: also fixed by {named('set')} {fixed[key]!r}; vary it or "
                "fix it, not both"
            )
    return params


def toml_literal(value: Any) -> str:
    """A value written as TOML, for a ``--set key=value`` override."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def point_overrides(params: Sequence[Param], point: Sequence[Any]) -> tuple[str, ...]:
    """The ``key=value`` overrides that set a design point."""
    return tuple(f"{p.key}={toml_literal(v)}" for p, v in zip(params, point, strict=True))


def rounding_note(params: Sequence[Param]) -> list[str]:
    """A note for the manifest when integer keys are sampled from a range and rounded."""
    ints = [p.key for p in params if p.kind == "int" and p.bounds is not None]
    if not ints:
        return []
    return [f"integer key(s) {', '.join(ints)}: sampled values are rounded to the nearest integer"]

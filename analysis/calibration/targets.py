"""Calibration targets as data: the patterns a world is fitted to or checked against.

A targets file (``scenarios/targets/*.toml``) lists ``[[target]]`` tables — a pattern measured
in the field, its source, the model measure it maps to and why, a tolerance ``[low, high]`` and
whether it is used to ``fit`` or kept to ``validate`` — and ``[[parameter]]`` tables — a
scenario key to calibrate and its uniform prior ``[low, high]`` (pattern-oriented modelling,
Grimm et al. 2005). Reading it checks every key and value: bad input is a ScenarioError naming
the file, the entry, the key and what is allowed.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hetsim.simulation.schema import ScenarioError

USES = ("fit", "validate")
TARGET_KEYS = {
    "name": str,
    "measure": str,
    "window": str,
    "value": float,
    "low": float,
    "high": float,
    "use": str,
    "source": str,
    "mapping": str,
    "verified": str,
    "missing_mechanism": str,
}
TARGET_REQUIRED = ("name", "measure", "value", "low", "high", "use", "source", "mapping")
PARAMETER_KEYS = {"key": str, "low": float, "high": float, "reason": str}
PARAMETER_REQUIRED = ("key", "low", "high", "reason")


@dataclass(frozen=True)
class Target:
    """A field pattern mapped to a model measure, with its tolerance and its use."""

    name: str
    measure: str
    value: float
    low: float
    high: float
    use: str
    source: str
    mapping: str
    window: str = "last10pct"
    verified: str = ""
    missing_mechanism: str = ""

    @property
    def scale(self) -> float:
        """Half the tolerance's width: the unit of this target's distance."""
        return (self.high - self.low) / 2

    def distance(self, simulated: float) -> float:
        """|simulated - value| in units of half the tolerance (NaN: not measured)."""
        return abs(simulated - self.value) / self.scale

    def met(self, simulated: float) -> bool:
        """The simulated value lies in the tolerance."""
        return bool(self.low <= simulated <= self.high)


@dataclass(frozen=True)
class Prior:
    """A calibrated scenario key and its uniform prior on ``[low, high]``."""

    key: str
    low: float
    high: float
    reason: str
    kind: str = "float"


@dataclass(frozen=True)
class Targets:
    """A targets file: its patterns and the parameters calibrated to them."""

    path: Path
    targets: tuple[Target, ...]
    priors: tuple[Prior, ...]

    @property
    def fit(self) -> tuple[Target, ...]:
        """The targets the calibration fits."""
        return tuple(t for t in self.targets if t.use == "fit")

    @property
    def validate(self) -> tuple[Target, ...]:
        """The targets kept out of the fit to check it."""
        return tuple(t for t in self.targets if t.use == "validate")


def known_measures() -> set[str]:
    """Every measure a target may name: the metrics columns and the run-level patterns."""
    from hetsim.agents import STRATEGIES
    from hetsim.simulation.measures import PATTERN_MEASURES
    from hetsim.simulation.recorder import metric_columns

    return (set(metric_columns(STRATEGIES)) - {"step"}) | set(PATTERN_MEASURES)


def _entries(data: dict[str, Any], table: str, where: str) -> list[dict[str, Any]]:
    entries = data.get(table, [])
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise ScenarioError(f"{where}: [[{table}]] must be an array of tables")
    return entries


def _checked(entry: dict[str, Any], keys: dict, required: tuple, where: str) -> dict[str, Any]:
    """The entry's values, typed; a ScenarioError for an unknown, missing or mistyped key."""
    for key in entry:
        if key not in keys:
            raise ScenarioError(f"{where}: unknown key {key!r} (allowed: {', '.join(keys)})")
    for key in required:
        if key not in entry:
            raise ScenarioError(f"{where}: missing key {key!r}")
    out: dict[str, Any] = {}
    for key, value in entry.items():
        kind = keys[key]
        if kind is float:
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ScenarioError(f"{where}: {key} = {value!r}: must be a number")
            if not math.isfinite(value):
                raise ScenarioError(f"{where}: {key} = {value!r}: must be finite")
            out[key] = float(value)
        else:
            if not isinstance(value, str) or not value.strip():
                raise ScenarioError(f"{where}: {key} = {value!r}: must be a non-empty string")
            out[key] = value
    return out


def _target(entry: dict[str, Any], where: str, measures: set[str]) -> Target:
    from hetsim.analysis.statistics import WINDOWS

    values = _checked(entry, TARGET_KEYS, TARGET_REQUIRED, where)
    if values["measure"] not in measures:
        raise ScenarioError(
            f"{where}: measure = {values['measure']!r}: not a measure hetsim produces "
            "(a metrics column or a pattern measure; see docs/metrics.md)"
        )
    if values.setdefault("window", "last10pct") not in WINDOWS:
        raise ScenarioError(
            f"{where}: window = {values['window']!r}: must be one of {', '.join(WINDOWS)}"
        )
    if values["use"] not in USES:
        raise ScenarioError(f"{where}: use = {values['use']!r}: must be one of {', '.join(USES)}")
    if not values["low"] < values["high"]:
        raise ScenarioError(
            f"{where}: low = {values['low']}, high = {values['high']}: need low < high"
        )
    if not values["low"] <= values["value"] <= values["high"]:
        raise ScenarioError(
            f"{where}: value = {values['value']}: must lie in [low, high] = "
            f"[{values['low']}, {values['high']}]"
        )
    return Target(**values)


def _prior(entry: dict[str, Any], where: str) -> Prior:
    from hetsim.analysis.arguments import field_kind

    values = _checked(entry, PARAMETER_KEYS, PARAMETER_REQUIRED, where)
    try:
        kind = field_kind(values["key"])
    except ScenarioError:
        raise ScenarioError(
            f"{where}: key = {values['key']!r}: not a scenario key (see docs/parameters.md)"
        ) from None
    if kind not in ("int", "float"):
        raise ScenarioError(f"{where}: key = {values['key']!r}: is {kind}; only numbers calibrate")
    if not values["low"] < values["high"]:
        raise ScenarioError(
            f"{where}: low = {values['low']}, high = {values['high']}: need low < high"
        )
    return Prior(kind=kind, **values)


def load_targets(path: str | Path) -> Targets:
    """Read and check a targets file; a ScenarioError naming the problem otherwise."""
    path = Path(path)
    if not path.is_file():
        raise ScenarioError(f"--targets {path}: no such file")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ScenarioError(f"{path}: not valid TOML: {exc}") from None
    unknown = sorted(set(data) - {"target", "parameter"})
    if unknown:
        raise ScenarioError(
            f"{path}: unknown table {unknown[0]!r} (allowed: [[target]], [[parameter]])"
        )
    measures = known_measures()
    targets = [
        _target(entry, f"{path}: target {entry.get('name', i + 1)!r}", measures)
        for i, entry in enumerate(_entries(data, "target", str(path)))
    ]
    priors = [
        _prior(entry, f"{path}: parameter {entry.get('key', i + 1)!r}")
        for i, entry in enumerate(_entries(data, "parameter", str(path)))
    ]
    for label, names in (
        ("target", [t.name for t in targets]),
        ("parameter", [p.key for p in priors]),
    ):
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise ScenarioError(f"{path}: {label} {twice[0]!r} given twice")
    if not any(t.use == "fit" for t in targets):
        raise ScenarioError(f'{path}: no target with use = "fit": nothing to calibrate to')
    if not priors:
        raise ScenarioError(f"{path}: no [[parameter]] to calibrate")
    return Targets(path, tuple(targets), tuple(priors))


def uncalibrated(priors: tuple[Prior, ...]) -> list[str]:
    """``key=value`` overrides that put the calibrated keys back to their schema defaults."""
    from hetsim.simulation.schema import Scenario

    out = []
    for prior in priors:
        section, name = prior.key.split(".", 1)
        default = Scenario.model_fields[section].annotation.model_fields[name].default
        out.append(f"{prior.key}={default!r}")
    return out

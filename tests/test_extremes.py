"""Every numeric scenario key at both ends of its documented range runs and stays finite.

The schema's ranges (docs/parameters.md) are the promise: any value inside them is a world the
model can carry. Each key is set to its lowest and highest allowed value in a small world for a
few steps (an integer key only to its lowest: its highest is a size, of agents, records or
iterations, that bounds memory and time rather than finiteness), and every table must hold
finite numbers, except the measures docs/metrics.md lists as possibly undefined (NaN, never
infinite) and a privacy budget's inf (no noise).
"""

from __future__ import annotations

import functools
import math
import re
from typing import Any, get_args, get_origin

import numpy as np
import pytest
from annotated_types import Ge, Gt, Le, Lt

from hetsim.analysis.runner import run_scenario
from hetsim.simulation.schema import Scenario
from tests.conftest import small_scenario
from tests.test_undefined_metrics import METRICS_DOC, documented_as_possibly_nan

STEPS = 3


def _bounds(field: Any) -> tuple[float | None, float | None, bool, bool]:
    """(low, high, low is strict, high is strict) of a field, from its constraints."""
    low = high = None
    low_strict = high_strict = False
    for rule in field.metadata:
        if isinstance(rule, Ge):
            low = rule.ge
        elif isinstance(rule, Gt):
            low, low_strict = rule.gt, True
        elif isinstance(rule, Le):
            high = rule.le
        elif isinstance(rule, Lt):
            high, high_strict = rule.lt, True
    return low, high, low_strict, high_strict


def numeric_keys(model: Any = Scenario, prefix: str = "") -> list[tuple[str, type, Any]]:
    """(dotted key, int or float, field) of every numeric key of the schema's tables."""
    found = []
    for name, field in model.model_fields.items():
        annotation = field.annotation
        if get_origin(annotation) is not None and type(None) in get_args(annotation):
            annotation = next(a for a in get_args(annotation) if a is not type(None))
        if hasattr(annotation, "model_fields"):
            found += numeric_keys(annotation, f"{prefix}{name}.")
        elif annotation in (int, float):
            found.append((f"{prefix}{name}", annotation, field))
    return found


def _is_epsilon(field: Any) -> bool:
    return any(getattr(rule, "allow_inf_nan", False) for rule in field.metadata)


def extremes(kind: type, field: Any) -> list[Any]:
    """The lowest and highest values the key's range allows (the next number for a strict end)."""
    low, high, low_strict, high_strict = _bounds(field)
    values = []
    if low is not None:
        values.append(
            (low + 1 if kind is int else float(np.nextafter(low, np.inf))) if low_strict else low
        )
    if high is not None and kind is float:
        values.append(
            (high - 1 if kind is int else float(np.nextafter(high, -np.inf)))
            if high_strict
            else high
        )
    if high is None and _is_epsilon(field):
        values.append(math.inf)
    return values


KEYS = numeric_keys()
# The world's size and length: the extremes test keeps the world small.
SIZE_KEYS = {"run.steps", "run.seed"}
CASES = [
    (key, value)
    for key, kind, field in KEYS
    if key not in SIZE_KEYS
    for value in extremes(kind, field)
]


def test_every_numeric_key_has_a_finite_range_on_both_sides():
    unbounded = []
    for key, _, field in KEYS:
        low, high, _, _ = _bounds(field)
        if _is_epsilon(field) and high is None:
            continue  # a privacy budget's upper end is inf: no noise, the documented meaning
        if low is None or high is None or not math.isfinite(low) or not math.isfinite(high):
            unbounded.append(key)
    assert not unbounded, f"keys without a finite documented range: {unbounded}"


def _literal(value: Any) -> str:
    if isinstance(value, float) and math.isinf(value):
        return "inf"
    return repr(value) if isinstance(value, int) else repr(float(value))


@functools.cache
def sometimes_undefined() -> dict[str, set[str]]:
    """Per table other than metrics, the columns docs/metrics.md describes as possibly NaN
    (``tpr``: NaN without positives) or already NaN in the small world as shipped (a row with
    nothing to report: an entity never audited); metrics.md lists the metrics' own."""
    text = METRICS_DOC.read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| `([a-z_0-9]+)` \|[^\n]*NaN", text, flags=re.MULTILINE))
    tables = run_scenario(small_scenario(f"run.steps={STEPS}"), seed=1)
    return {
        name: documented | {c for c in table.columns if table[c].isna().any()}
        for name, table in tables.items()
    }


@pytest.mark.parametrize(("key", "value"), CASES, ids=[f"{k}={v:g}" for k, v in CASES])
def test_a_key_at_an_end_of_its_range_keeps_every_table_finite(key, value):
    scenario = small_scenario(f"{key}={_literal(value)}", f"run.steps={STEPS}")
    tables = run_scenario(scenario, seed=1)
    for name, table in tables.items():
        numbers = table.select_dtypes(include="number")
        if name == "metrics":
            may_be_nan = documented_as_possibly_nan(numbers.columns)
        else:
            may_be_nan = sometimes_undefined().get(name, set(numbers.columns))
        infinite = [  # a privacy budget is inf where no noise is added: its documented meaning
            c
            for c in numbers.columns
            if "epsilon" not in c and np.isinf(numbers[c].to_numpy(float)).any()
        ]
        undefined = [c for c in numbers.columns if c not in may_be_nan and numbers[c].isna().any()]
        assert not infinite and not undefined, (name, infinite, undefined)

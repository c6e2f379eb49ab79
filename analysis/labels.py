"""One labels table for every analysis figure and the report: name, unit, range, direction.

Each metric column of a run (``hetsim.simulation.recorder.METRIC_COLUMNS``) gets a
:class:`Label`: a readable name for titles and axes, its unit, the range its values can take,
whether higher is better or worse (empty when neither: a count, a price), and the outcome
family it belongs to (grouping in the forest plot). The range is read from the column's own
description (``[0, 1]``, ``>= 0``, ``[-1, 1]``), so it has one source; names, units and
directions of the headline measures are stated here. Any other column (a strategy's, or one
this table does not know) still gets a label derived from its name and description.

:func:`display_unit` picks a unit prefix so a value reads as ``9.07 nWh``, never
``9.07e-12 kWh``; :func:`format_value` formats one number with it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from hetsim.simulation.recorder import METRIC_COLUMNS

__all__ = [
    "FAMILIES",
    "Label",
    "clip_to_range",
    "display_unit",
    "format_value",
    "label",
]

HIGHER_BETTER = "higher is better"
HIGHER_WORSE = "higher is worse"

FAMILIES: tuple[str, ...] = (
    "concentration",
    "dependency",
    "sovereignty",
    "accuracy",
    "fairness",
    "trust",
    "regulation",
    "privacy",
    "market",
    "energy",
    "other",
)
"""Outcome families, in the order the forest plot shows them."""


@dataclass(frozen=True)
class Label:
    """How a metric is shown: readable name, unit, range, direction and family."""

    column: str
    name: str
    unit: str = ""
    low: float = -math.inf
    high: float = math.inf
    direction: str = ""
    family: str = "other"

    @property
    def axis(self) -> str:
        """Axis text: the name with its unit, e.g. ``energy (kWh)``."""
        return f"{self.name} ({self.unit})" if self.unit else self.name


# column: (name, unit, direction, family) of the headline and common measures
_STATED: dict[str, tuple[str, str, str, str]] = {
    "hhi_compute": ("compute concentration (HHI)", "", HIGHER_WORSE, "concentration"),
    "hhi_data": ("data concentration (HHI)", "", HIGHER_WORSE, "concentration"),
    "hhi_decisions": ("decision concentration (HHI)", "", HIGHER_WORSE, "concentration"),
    "gini_compute": ("compute inequality (Gini)", "", HIGHER_WORSE, "concentration"),
    "gini_data": ("data inequality (Gini)", "", HIGHER_WORSE, "concentration"),
    "top1_share_decisions": ("largest provider's share", "share", HIGHER_WORSE, "concentration"),
    "entity_compute_share": ("entities' compute share", "share", HIGHER_WORSE, "concentration"),
    "network_top_centrality": ("top in-flow share", "share", HIGHER_WORSE, "concentration"),
    "dependency_share": ("dependent communities", "share", HIGHER_WORSE, "dependency"),
    "compute_dependency_mean": ("rented compute", "share", HIGHER_WORSE, "dependency"),
    "data_sovereignty_mean": ("data sovereignty", "share", HIGHER_BETTER, "sovereignty"),
    "accuracy_mean": ("mean accuracy", "share correct", HIGHER_BETTER, "accuracy"),
    "accuracy_min_community": (
        "worst community's accuracy",
        "share correct",
        HIGHER_BETTER,
        "accuracy",
    ),
    "fairness_gap_own_mean": ("fairness gap, own notion", "", HIGHER_WORSE, "fairness"),
    "fairness_gap_own_max": ("largest fairness gap", "", HIGHER_WORSE, "fairness"),
    "fairness_gap_mandated_mean": ("fairness gap, mandated", "", HIGHER_WORSE, "fairness"),
    "value_alignment_share": ("models meeting own values", "share", HIGHER_BETTER, "fairness"),
    "values_override_share": ("values overridden", "share", HIGHER_WORSE, "fairness"),
    "systemic_failure_rate": ("systemic failure", "share of people", HIGHER_WORSE, "fairness"),
    "trust_mean": ("trust in large entities", "", HIGHER_BETTER, "trust"),
    "energy_kwh": ("energy", "kWh", HIGHER_WORSE, "energy"),
    "privacy_gap_mean": ("privacy gap (ε)", "ε", HIGHER_WORSE, "privacy"),
    "washing_gap_mean": ("fairness washing gap", "", HIGHER_WORSE, "regulation"),
    "annotator_pay_mean": ("annotator pay", "money/record", "", "market"),
    "entity_revenue": ("entities' revenue", "money", "", "market"),
    "entity_capital_mean": ("entities' capital", "money", "", "market"),
    "fines": ("fines", "money", "", "regulation"),
}

_PREFIX_FAMILIES = (
    ("violations_", "regulation"),
    ("audit", "regulation"),
    ("inspections", "regulation"),
    ("washing", "regulation"),
    ("privacy", "privacy"),
    ("fairness", "fairness"),
    ("values_", "fairness"),
    ("accuracy", "accuracy"),
    ("label_", "accuracy"),
    ("hhi_", "concentration"),
    ("gini_", "concentration"),
    ("entity_", "market"),
    ("compute_", "market"),
    ("lending_", "fairness"),
    ("strategy_", "dependency"),
)

_RANGE = re.compile(r"\[(-?[\d.]+|1/n), (-?[\d.]+)[\])]\s*$")


def _range(description: str) -> tuple[float, float]:
    """The range a column's description states at its end: ``[a, b]``, ``>= 0``, ``> 0``."""
    text = description.strip()
    found = _RANGE.search(text)
    if found:
        low = 0.0 if found.group(1) == "1/n" else float(found.group(1))
        return low, float(found.group(2))
    if text.endswith(">= 0") or text.endswith("> 0"):
        return 0.0, math.inf
    return -math.inf, math.inf


def label(column: str, description: str | None = None) -> Label:
    """The label of a metric column (derived from its name when the table does not state it)."""
    description = description if description is not None else METRIC_COLUMNS.get(column, "")
    low, high = _range(description)
    if column in _STATED:
        name, unit, direction, family = _STATED[column]
        return Label(column, name, unit, low, high, direction, family)
    family = next((f for prefix, f in _PREFIX_FAMILIES if column.startswith(prefix)), "other")
    unit = "share" if column.endswith("_share") and (low, high) == (0.0, 1.0) else ""
    return Label(column, column.replace("_", " "), unit, low, high, "", family)


def clip_to_range(column: str, values: Iterable[float]) -> np.ndarray:
    """Values clipped to the metric's range (e.g. a CI band of a share stays in [0, 1])."""
    lab = label(column)
    return np.clip(np.asarray(list(values), dtype=float), lab.low, lab.high)


_PREFIXES = ((1e-12, "p"), (1e-9, "n"), (1e-6, "µ"), (1e-3, "m"), (1.0, ""), (1e3, "k"))
_SCALED_UNITS = {"kWh": ("Wh", 1e3)}  # unit: (base unit, how many base units per unit)


def display_unit(unit: str, values: Iterable[float]) -> tuple[float, str]:
    """A factor and unit so the largest |value| × factor lies in [1, 1000): kWh → nWh, µWh, …

    Units without an SI base (shares, money, ε) are left as they are (factor 1).
    """
    if unit not in _SCALED_UNITS:
        return 1.0, unit
    base, per = _SCALED_UNITS[unit]
    finite = np.abs(np.asarray(list(values), dtype=float))
    finite = finite[np.isfinite(finite) & (finite > 0)]
    if finite.size == 0:
        return 1.0, unit
    top = float(finite.max()) * per
    scale, prefix = _PREFIXES[0]
    for candidate, name in _PREFIXES:
        if top >= candidate:
            scale, prefix = candidate, name
    return per / scale, f"{prefix}{base}"


def format_value(value: float, unit: str = "", digits: int = 3) -> str:
    """A number for a table or caption with ``digits`` significant figures, unit chosen."""
    x = float(value)
    if math.isnan(x):
        return "–"
    factor, shown = display_unit(unit, [x])
    x *= factor
    if x == 0:
        text = "0"
    elif 1e-3 <= abs(x) < 1e6 or factor != 1.0:
        decimals = max(0, digits - 1 - math.floor(math.log10(abs(x))))
        text = f"{x:.{decimals}f}"
    else:
        text = f"{x:.{digits - 1}e}"
    return f"{text} {shown}".strip() if unit else text

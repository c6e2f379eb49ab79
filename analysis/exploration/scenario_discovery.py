"""Scenario discovery on a design's outcomes: PRIM boxes and feature scores (EMA Workbench).

PRIM (Friedman & Fisher 1999) peels the uncertainty space toward the points of interest (here
the worlds where an intervention fails) and returns a trajectory of nested boxes trading
*coverage* (the share of all failures inside the box) against *density* (the share of the
box's worlds that fail). Which box to report is the analyst's choice (Bryant & Lempert 2010);
hetsim reports the box of highest coverage among those at least as dense as ``density``
(default 0.8, EMA Workbench's own default threshold; of equal coverage, the densest), or the
densest box when none is, and
prints the whole trajectory so another choice can be read off it.
"""

from __future__ import annotations

import importlib
import re
import warnings
from dataclasses import dataclass
from types import ModuleType

import numpy as np
import pandas as pd

from hetsim.simulation.schema import ScenarioError

#: The failure rule ``effect <op> <number>``: the intervention fails in a world when its
#: paired effect on the outcome (with minus without, mean over seeds) satisfies it.
RULE = re.compile(r"^\s*effect\s*(<=|>=|<|>)\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*$")
OPERATORS = {"<": np.less, "<=": np.less_equal, ">": np.greater, ">=": np.greater_equal}


def ema(module: str) -> ModuleType:
    """An EMA Workbench module, imported without its note that ipyparallel is optional."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="ipyparallel not installed")
        return importlib.import_module(f"ema_workbench.{module}")


def parse_failure_rule(text: str) -> tuple[str, float]:
    """``"effect > 0"`` → ``(">", 0.0)``; ScenarioError naming the flag otherwise."""
    match = RULE.match(text) if isinstance(text, str) else None
    if match is None:
        raise ScenarioError(
            f"--fails-when {text!r}: must read 'effect <op> <number>' with <op> one of "
            "<, <=, >, >= (e.g. 'effect > 0')"
        )
    return match.group(1), float(match.group(2))


def fails(effect: np.ndarray, rule: tuple[str, float]) -> np.ndarray:
    """Whether each world's effect satisfies the failure rule (NaN never fails)."""
    op, bound = rule
    effect = np.asarray(effect, dtype=float)
    return np.where(np.isnan(effect), False, OPERATORS[op](effect, bound))


@dataclass
class BoxResult:
    """The chosen PRIM box and the trajectory it was chosen from."""

    trajectory: pd.DataFrame
    """One row per box peeled: coverage, density, mass, restricted dimensions."""
    chosen: int
    """Row of the trajectory reported."""
    limits: pd.DataFrame
    """One row per restricted uncertainty: its lower and upper limit in the chosen box."""


def find_box(x: pd.DataFrame, y: np.ndarray, density: float = 0.8) -> BoxResult:
    """The PRIM box of highest coverage with at least ``density``, from EMA Workbench's Prim.

    Args:
        x: One row per world, one column per uncertainty (numeric).
        y: Whether each world is of interest (the intervention fails there).
        density: The least density a reported box must have.
    """
    prim = ema("analysis.prim")
    y = np.asarray(y, dtype=bool)
    if not y.any():
        raise ScenarioError("no world meets --fails-when: PRIM has nothing to find")
    x = x.reset_index(drop=True).astype(float)
    box = prim.Prim(x, y.astype(int), mass_min=0.05).find_box()
    trajectory = box.peeling_trajectory.reset_index(drop=True)
    dense = trajectory.index[trajectory["density"] >= density]
    if len(dense):
        ranked = trajectory.loc[dense].sort_values(["coverage", "density"], kind="mergesort")
        chosen = int(ranked.index[-1])  # the most coverage; of equal coverage, the densest
    else:
        chosen = int(trajectory["density"].idxmax())
    full, lims = box.box_lims[0], box.box_lims[chosen]
    restricted = [c for c in x.columns if not np.allclose(lims[c], full[c])]
    limits = pd.DataFrame(
        {
            "uncertainty": restricted,
            "lower": [float(lims[c].iloc[0]) for c in restricted],
            "upper": [float(lims[c].iloc[1]) for c in restricted],
            "range_lower": [float(full[c].iloc[0]) for c in restricted],
            "range_upper": [float(full[c].iloc[1]) for c in restricted],
        }
    )
    keep = ["coverage", "density", "mass", "mean", "res_dim"]
    return BoxResult(trajectory[[c for c in keep if c in trajectory]], chosen, limits)


def feature_scores(x: pd.DataFrame, y: np.ndarray, seed: int = 0) -> pd.DataFrame:
    """How much each uncertainty tells failing worlds apart (extra trees, EMA Workbench)."""
    feature_scoring = ema("analysis.feature_scoring")
    induction = ema("analysis.scenario_discovery_util").RuleInductionType
    scores, _ = feature_scoring.get_ex_feature_scores(
        x.reset_index(drop=True).astype(float),
        np.asarray(y, dtype=int),
        mode=induction.CLASSIFICATION,
        max_features=max(1, round(x.shape[1] / 3)),  # EMA's default, at least one
        random_state=seed,
    )
    out = scores.reset_index()
    out.columns = ["uncertainty", "score"]
    return out

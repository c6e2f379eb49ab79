"""Strategies are plug-ins (§4): one module each, listed in one mapping, and the engine and the
community's choice never name one — a new strategy runs end to end without editing them."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import ClassVar

import numpy as np
import pytest

from hetsim.agents import ROLES, STRATEGIES
from hetsim.scenarios.library import scenario_path
from hetsim.simulation.model import EcosystemModel
from hetsim.simulation.schema import ScenarioError, load
from hetsim.simulation.strategy import Pilot, Strategy

ROOT = Path(__file__).resolve().parent.parent
SMALL = ["communities.count=30", "annotators.count=10", "large_entities.count=2"]


class MajorityRule(Strategy):
    """Test-only: deploy the majority-class rule of one's own window; train nothing."""

    name = "majority_rule"
    summary = "deciding by their window's majority class"
    metric_columns: ClassVar[dict[str, str]] = {
        "majority_rule_positive_share": "share of users deciding 1, [0, 1]"
    }

    def pilot(self, model, pilot: Pilot, partner):
        users = np.arange(model.community_arrays.n)
        return pilot.scored(self.name, self.scores(model, users, pilot.x)[:, None, :])

    def scores(self, model, users, x):
        com = model.community_arrays
        positive = com.label[users].sum(axis=1) > com.filled[users] / 2
        return np.repeat(np.where(positive, 1.0, -1.0)[:, None], x.shape[1], axis=1)

    def measures(self, model):
        users = np.flatnonzero(model.community_arrays.strategy == self.code)
        logit = self.scores(model, users, np.zeros((users.size, 1, 5)))
        return {"majority_rule_positive_share": float((logit > 0).mean()) if users.size else 0.0}


def scenario(*overrides: str):
    return load(scenario_path("status_quo"), [*SMALL, *overrides])


def test_a_strategy_added_through_the_mapping_runs_end_to_end():
    strategies = {**STRATEGIES, "majority_rule": MajorityRule}
    spec = scenario('communities.strategies=["local", "majority_rule"]')
    model = EcosystemModel(spec, ROLES, strategies, seed=3)
    for _ in range(6):
        model.step()
    metrics = model.recorder.metrics_table()
    assert metrics["strategy_majority_rule_share"].max() > 0  # some communities chose it
    assert "majority_rule_positive_share" in metrics
    users = model.community_arrays.strategy == model.strategy_names.index("majority_rule")
    selection = model.deployment.group_selection[users]
    # its users decide by the rule: everyone in a community gets the same decision
    assert users.any()
    assert np.all(np.isin(np.nanmax(selection, axis=1), (0.0, 1.0)))
    assert np.all(np.nanmax(selection, axis=1) == np.nanmin(selection, axis=1))


def test_a_scenario_naming_an_unknown_strategy_is_refused_by_the_model():
    with pytest.raises(ScenarioError, match="'majority_rule' is not a strategy"):
        EcosystemModel(scenario('communities.strategies=["majority_rule"]'), ROLES, STRATEGIES)


def names_in(path: Path) -> set[str]:
    """A module's string constants (docstrings excluded), its upper-case names (codes) and
    what it imports from the strategies."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef))
        and node.body
        and isinstance(node.body[0], ast.Expr)
    }
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            if id(node) not in docstrings:
                found.add(node.value)
        elif isinstance(node, ast.Name) and node.id.isupper():  # a code such as SHARE
            found.add(node.id.lower())
        elif isinstance(node, ast.ImportFrom) and "strategies" in (node.module or ""):
            found |= {alias.name.lower() for alias in node.names}
    return found


@pytest.mark.parametrize(
    "module",
    [
        "simulation/model.py",
        "simulation/recorder.py",
        "simulation/measures/columns.py",
        *sorted(f"simulation/state/{p.name}" for p in (ROOT / "simulation/state").glob("*.py")),
        "agents/community.py",
        "agents/large_entity.py",
        "agents/reporting.py",
        "agents/jurisdiction.py",
        "agents/regulator.py",
    ],
)
def test_the_engine_and_the_roles_name_no_strategy(module):
    named = names_in(ROOT / module) & set(STRATEGIES)
    assert not named, f"{module} names strategies {sorted(named)}"


def test_strategy_parameters_are_scenario_keys_checked_against_the_strategy():
    from hetsim.scenarios.builder import build_model, load_scenario

    spec = load_scenario("status_quo", [*SMALL, "strategy.finetune.strength=0.5"])
    model = build_model(spec, seed=0)
    finetune = model.strategies[model.strategy_names.index("finetune")]
    assert finetune.params(model).strength == 0.5
    with pytest.raises(ScenarioError, match=r"strategy\.finetune\.strenght: unknown key"):
        load_scenario("status_quo", ["strategy.finetune.strenght=0.5"])
    with pytest.raises(ScenarioError, match=r"strategy\.share\.privacy_cost = 2\.0"):
        load_scenario("status_quo", ["strategy.share.privacy_cost=2.0"])

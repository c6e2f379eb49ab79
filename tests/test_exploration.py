"""Scenario discovery: PRIM finds where an intervention fails, and `hetsim discover` runs it.

The first tests check the wiring on a known answer: a failure region planted in a synthetic
response must come back as the PRIM box. The last runs the whole command on a tiny world.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from hetsim.analysis.exploration import feature_scores, find_box, parse_failure_rule
from hetsim.analysis.exploration.scenario_discovery import fails
from hetsim.simulation.schema import ScenarioError


def planted_worlds(n: int = 600, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    """Worlds uniform on [0, 1]^3; the intervention fails where a > 0.6 and b < 0.4."""
    rng = np.random.default_rng(seed)
    x = pd.DataFrame(rng.uniform(size=(n, 3)), columns=["a", "b", "noise"])
    return x, ((x["a"] > 0.6) & (x["b"] < 0.4)).to_numpy()


def test_prim_recovers_a_planted_failure_box():
    x, y = planted_worlds()
    box = find_box(x, y, density=0.8)
    limits = box.limits.set_index("uncertainty")
    assert set(limits.index) == {"a", "b"}  # the noise dimension is left unrestricted
    assert limits.loc["a", "lower"] == pytest.approx(0.6, abs=0.05)
    assert limits.loc["b", "upper"] == pytest.approx(0.4, abs=0.05)
    chosen = box.trajectory.iloc[box.chosen]
    assert chosen["density"] >= 0.8 and chosen["coverage"] >= 0.8


def test_feature_scores_rank_the_planted_dimensions_above_noise():
    x, y = planted_worlds()
    scores = feature_scores(x, y).set_index("uncertainty")["score"]
    assert scores["noise"] < min(scores["a"], scores["b"])


def test_the_failure_rule_is_read_and_applied():
    assert parse_failure_rule("effect > 0") == (">", 0.0)
    assert parse_failure_rule(" effect<=-0.01 ") == ("<=", -0.01)
    rule = parse_failure_rule("effect >= 0.1")
    assert list(fails(np.array([0.2, 0.1, 0.0, np.nan]), rule)) == [True, True, False, False]
    for bad in ("effect", "gain > 0", "effect > x", "effect = 0"):
        with pytest.raises(ScenarioError, match="--fails-when"):
            parse_failure_rule(bad)


def test_discover_runs_both_arms_on_every_world_and_writes_its_tables(tmp_path):
    from hetsim import api

    result = api.discover(
        "status_quo",
        ["public_compute"],
        ["communities.budget=1:20"],
        outcome="dependency_share",
        fails_when="effect >= 0",
        samples=4,
        seeds=2,
        steps=3,
        set=["communities.count=6"],
        out=tmp_path / "d",
        workers=1,
    )
    assert result.exit_code == 0
    runs = result.runs
    assert set(runs["intervention"]) == {"baseline", "public_compute"}
    assert runs.groupby(["point", "intervention"])["seed"].nunique().eq(2).all()
    worlds = pd.read_csv(tmp_path / "d" / "worlds.csv")
    assert len(worlds) == 4
    assert np.allclose(worlds["effect"], worlds["with"] - worlds["without"])
    assert (tmp_path / "d" / "discovery.md").exists()

"""Lever search: ε-NSGA-II finds a known Pareto front, and `hetsim optimise` runs it.

The first tests check the wiring on a known answer: a synthetic two-objective response whose
front is known (ZDT1: f1 = x, f2 = 1 - sqrt(x) + y, front at y = 0), with seed noise that
cancels only in the mean over seeds. The last run the whole command on a tiny world.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from hetsim.analysis.exploration.lever_search import Lever, Objective, search
from hetsim.simulation.schema import ScenarioError

NOISE = 0.3  # seed 0 adds it to f2, seed 1 subtracts it: only their mean is noise-free


def zdt1(points: list[dict[str, float]], seeds: int) -> list[list[dict[str, float]]]:
    """Per point, one value per seed; f2's seed offsets sum to zero over seeds 0 and 1."""
    return [
        [
            {"f1": p["x"], "f2": 1 - math.sqrt(p["x"]) + p["y"] + NOISE * (1 - 2 * (s % 2))}
            for s in range(seeds)
        ]
        for p in points
    ]


def run_zdt1(**kwargs):
    levers = [Lever("x", 0.0, 1.0), Lever("y", 0.0, 1.0)]
    objectives = [Objective("f1", "minimise", 0.01), Objective("f2", "minimise", 0.01)]
    return search(
        levers, objectives, zdt1, seeds=2, nfe=1500, population=20, progress=False, **kwargs
    )


def test_the_search_finds_the_known_front_of_the_seed_mean():
    result = run_zdt1()
    front = result.front
    assert len(front) >= 10
    # on the front of the mean over seeds: y = 0 and f2 = 1 - sqrt(f1)
    assert front["y"].max() < 0.02
    assert np.abs(front["f2"] - (1 - np.sqrt(front["f1"]))).max() < 0.02
    assert front["f1"].min() < 0.1 and front["f1"].max() > 0.8  # it spans the front
    # every evaluation is scored by its mean over the seeds, with their spread
    assert np.allclose(result.evaluations["f2_sd"], NOISE * math.sqrt(2))


def test_convergence_is_recorded_and_the_hypervolume_grows():
    convergence = run_zdt1().convergence
    assert list(convergence.columns) == ["nfe", "epsilon_progress", "hypervolume"]
    assert convergence["nfe"].is_monotonic_increasing
    assert convergence["epsilon_progress"].is_monotonic_increasing
    volume = convergence["hypervolume"].dropna()
    assert volume.iloc[-1] > volume.iloc[0]


def test_the_same_search_seed_gives_the_same_front():
    pd.testing.assert_frame_equal(run_zdt1(search_seed=3).front, run_zdt1(search_seed=3).front)


def test_a_maximised_objective_is_searched_upward():
    levers = [Lever("x", 0.0, 1.0)]
    objectives = [Objective("f", "maximise", 0.001)]
    result = search(
        levers,
        objectives,
        lambda points, seeds: [[{"f": p["x"]}] * seeds for p in points],
        seeds=1,
        nfe=200,
        population=10,
        progress=False,
    )
    assert result.front["f"].max() > 0.98


def test_optimise_runs_every_mix_on_every_seed_as_hetsim_run_does(tmp_path):
    from hetsim import api

    world = ["communities.count=6"]
    arguments = {
        "minimise": ["hhi_decisions"],
        "maximise": ["accuracy_mean"],
        "seeds": 2,
        "steps": 3,
        "nfe": 8,
        "population": 4,
        "set": world,
        "out": tmp_path / "o",
        "workers": 1,
    }
    levers = ["communities.public_compute=0:1200", "regulators.audit_probability=0:1"]
    result = api.optimise("status_quo", levers, **arguments)
    assert result.exit_code == 0
    out = tmp_path / "o"
    front = (out / "front.csv").read_bytes()
    # resumed, the search replays on the stored runs: nothing is run again, the same front
    again = api.optimise("status_quo", levers, resume=True, **arguments)
    assert again.outcome.ran == 0 and again.outcome.skipped == result.outcome.ran
    assert (out / "front.csv").read_bytes() == front
    with pytest.raises(ScenarioError, match=r"optimisation\.md"):
        api.report(out)  # the search's report is its own summary
    for name in ("front.csv", "evaluations.csv", "convergence.csv", "optimisation.md"):
        assert (out / name).exists(), name
    assert (out / "pareto.png").exists() and (out / "convergence.png").exists()
    evaluations = pd.read_csv(out / "evaluations.csv")
    runs = result.runs
    assert runs.groupby("evaluation")["seed"].nunique().eq(2).all()
    # an evaluation's objective is the mean over its seeds of each run's window value
    first = evaluations.iloc[0]
    mine = runs[runs["evaluation"] == 0]
    per_seed = mine.groupby("seed")["accuracy_mean"].apply(lambda s: s.iloc[-1:].mean())
    assert first["accuracy_mean"] == pytest.approx(per_seed.mean())
    # and each run is the one `hetsim run --set key=value --seed s` makes
    keys = ["communities.public_compute", "regulators.audit_probability"]
    values = mine.iloc[0][keys]
    alone = api.run(
        "status_quo",
        seed=1,
        steps=3,
        set=[*world, *(f"{k}={float(values[k])!r}" for k in keys)],
    ).metrics
    stored = mine[mine["seed"] == 1].reset_index(drop=True)
    for column in alone.columns:
        if column in stored:
            pd.testing.assert_series_equal(
                stored[column], alone[column], check_names=False, check_dtype=False
            )


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--lever", "communities.public_compute=0:1200"], "objective"),
        (["--lever", "communities.public_compute=5", "--minimise", "hhi_decisions"], "--lever"),
        (["--lever", "communities.nope=0:1", "--minimise", "hhi_decisions"], "--lever"),
        (["--lever", "communities.public_compute=0:9", "--minimise", "nope"], "not a metric"),
        (
            [
                "--lever",
                "communities.public_compute=0:9",
                "--minimise",
                "hhi_decisions",
                "--epsilons",
                "0.1,0.1",
            ],
            "--epsilons",
        ),
    ],
)
def test_optimise_refuses_bad_input_with_exit_2(tmp_path, capsys, flags, message):
    from hetsim.cli import main

    code = main(["optimise", "status_quo", "--out", str(tmp_path / "o"), "--quiet", *flags])
    assert code == 2
    assert message in capsys.readouterr().err


def test_a_search_without_objectives_is_refused():
    with pytest.raises(ScenarioError, match="objective"):
        search([Lever("x", 0, 1)], [], zdt1, seeds=1, nfe=10, population=4)


def test_an_objective_without_range_has_no_hypervolume_but_a_front():
    result = search(
        [Lever("x", 0.0, 1.0)],
        [Objective("f", "minimise", 0.01), Objective("g", "minimise", 0.01)],
        lambda points, seeds: [[{"f": p["x"], "g": 1.0}] * seeds for p in points],
        seeds=1,
        nfe=40,
        population=8,
        progress=False,
    )
    assert result.convergence["hypervolume"].isna().all()
    assert result.front["f"].min() < 0.2


def test_an_undefined_objective_is_named_in_the_error():
    with pytest.raises(ScenarioError, match="objective g: undefined"):
        search(
            [Lever("x", 0.0, 1.0)],
            [Objective("f", "minimise", 0.01), Objective("g", "minimise", 0.01)],
            lambda points, seeds: [[{"f": p["x"], "g": float("nan")}] * seeds for p in points],
            seeds=2,
            nfe=8,
            population=4,
            progress=False,
        )

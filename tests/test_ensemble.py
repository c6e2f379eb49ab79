"""The ensemble runner: picklable tasks, identical results on every executor, failures isolated."""

from __future__ import annotations

import json
import pickle

import pandas as pd
import pytest

import hetsim.analysis.tasks as tasks_module
from hetsim.analysis.ensemble import (
    DaskExecutor,
    ProcessExecutor,
    SequentialExecutor,
    Task,
    run_ensemble,
    run_task,
)
from hetsim.analysis.experiments import compare_experiment
from hetsim.scenarios.builder import build_model, load_scenario
from hetsim.simulation.schema import ScenarioError

SMALL = ("communities.count=8", "annotators.count=10")


def _tasks(seeds=2, steps=3):
    arms = [(), ("audit_regime",), ("public_compute", "no_data_sharing")]
    return [Task("status_quo", arm, seed, steps, SMALL) for arm in arms for seed in range(seeds)]


def test_a_task_pickles_and_runs_to_a_labelled_table():
    task = pickle.loads(pickle.dumps(Task("status_quo", ("audit_regime",), 4, 3, SMALL)))
    table = run_task(task)
    assert list(table.columns[:3]) == ["scenario", "intervention", "seed"]
    assert set(table["intervention"]) == {"audit_regime"}
    assert set(table["seed"]) == {4}
    assert table["step"].tolist() == [1, 2, 3]
    pd.testing.assert_frame_equal(table, run_task(task))


def test_arm_names_join_interventions():
    assert Task("s").intervention == "baseline"
    assert Task("s", ("a", "dir/b.toml")).intervention == "a+b"


def test_a_stepped_model_pickles_and_continues_identically():
    model = build_model(load_scenario("status_quo", list(SMALL)), seed=3)
    for _ in range(2):
        model.step()
    copy = pickle.loads(pickle.dumps(model))
    model.step()
    copy.step()
    pd.testing.assert_frame_equal(model.recorder.metrics_table(), copy.recorder.metrics_table())


def test_sequential_processes_and_dask_give_identical_runs_tables(tmp_path):
    tables = {}
    executors = {
        "sequential": SequentialExecutor,
        "processes": lambda: ProcessExecutor(2),
        "dask": lambda: DaskExecutor("local", 2),
    }
    for name, make in executors.items():
        with make() as executor:
            experiment = compare_experiment(
                "status_quo",
                ["audit_regime", "public_compute+no_data_sharing"],
                seeds=2,
                steps=3,
                overrides=SMALL,
                out_dir=tmp_path / name,
                executor=executor,
                progress=False,
            )
        assert experiment.exit_code == 0
        tables[name] = pd.read_parquet(tmp_path / name / "runs.parquet")
    assert len(tables["sequential"]) == 3 * 2 * 3
    pd.testing.assert_frame_equal(tables["sequential"], tables["processes"])
    pd.testing.assert_frame_equal(tables["sequential"], tables["dask"])
    comparisons = [(tmp_path / n / "comparison.csv").read_text() for n in executors]
    assert comparisons[0] == comparisons[1] == comparisons[2]


def test_a_failed_run_is_reported_with_its_seed_and_the_rest_complete(
    tmp_path, monkeypatch, capsys
):
    real = tasks_module.build_model

    def broken_for_seed_1(scenario, seed=None):
        if seed == 1:
            raise RuntimeError("boom at build")
        return real(scenario, seed=seed)

    monkeypatch.setattr(tasks_module, "build_model", broken_for_seed_1)
    tasks = _tasks(seeds=3)
    outcome = run_ensemble(tasks, tmp_path, SequentialExecutor(), progress=False)
    assert not outcome.ok
    assert sorted(f["seed"] for f in outcome.failures) == [1, 1, 1]
    assert outcome.ran == 6
    for task in tasks:
        assert task.run_file(tmp_path).exists() == (task.seed != 1)
    failures = json.loads((tmp_path / "failures.json").read_text())
    assert {f["seed"] for f in failures} == {1}
    assert all("boom at build" in f["error"] for f in failures)
    assert "seed=1" in capsys.readouterr().err


def test_a_failed_compare_still_assembles_the_rest_and_exits_1(tmp_path, monkeypatch):
    real = tasks_module.build_model

    def broken_for_seed_0(scenario, seed=None):
        if seed == 0 and scenario.regulators.audit_probability == 0.6:
            raise RuntimeError("boom")
        return real(scenario, seed=seed)

    monkeypatch.setattr(tasks_module, "build_model", broken_for_seed_0)
    experiment = compare_experiment(
        "status_quo",
        ["audit_regime"],
        seeds=3,
        steps=3,
        overrides=SMALL,
        out_dir=tmp_path,
        executor=SequentialExecutor(),
        progress=False,
    )
    assert experiment.exit_code == 1
    runs = pd.read_parquet(tmp_path / "runs.parquet")
    assert len(runs) == (3 + 2) * 3
    comparison = pd.read_csv(tmp_path / "comparison.csv")
    assert comparison["n_seeds"].max() == 2  # seed 0 has no pair; NaN metrics have none
    assert json.loads((tmp_path / "manifest.json").read_text())["status"] == "failed"


def test_finished_runs_are_not_silently_mixed_into_a_fresh_experiment(tmp_path):
    tasks = _tasks(seeds=1)
    run_ensemble(tasks[:1], tmp_path, SequentialExecutor(), progress=False)
    with pytest.raises(ScenarioError, match="--resume"):
        run_ensemble(tasks, tmp_path, SequentialExecutor(), progress=False)
    outcome = run_ensemble(tasks, tmp_path, SequentialExecutor(), resume=True, progress=False)
    assert (outcome.skipped, outcome.ran) == (1, len(tasks) - 1)

"""The Python API's contract: the CLI's tables for the CLI's arguments, and typed errors."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import hetsim
from hetsim import api
from hetsim.cli import main

SMALL = ["communities.count=6", "annotators.count=8"]
SMALL_FLAGS = ["--set", SMALL[0], "--set", SMALL[1]]


def test_import_hetsim_is_light_and_loads_the_api_on_first_use():
    code = (
        "import sys, hetsim, hetsim.simulation.schema\n"
        "heavy = [m for m in ('pandas', 'hetsim.api', 'hetsim.analysis') if m in sys.modules]\n"
        "assert not heavy, heavy\n"
        "assert callable(hetsim.run) and 'hetsim.api' in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).parent)


def test_the_package_exposes_exactly_the_api():
    assert set(hetsim.__all__) - {"__version__"} == set(api.__all__)
    for name in api.__all__:
        assert getattr(hetsim, name) is getattr(api, name)
    with pytest.raises(AttributeError, match="no attribute 'nonsense'"):
        _ = hetsim.nonsense


def test_run_writes_the_same_tables_as_hetsim_run(tmp_path):
    argv = ["run", "status_quo", "--seed", "3", "--steps", "3", *SMALL_FLAGS]
    assert (
        main([*argv, "--intervention", "audit_regime", "--out", str(tmp_path / "cli"), "--quiet"])
        == 0
    )
    result = hetsim.run(
        "status_quo",
        seed=3,
        steps=3,
        set=SMALL,
        interventions=["audit_regime"],
        out=tmp_path / "api",
    )
    for name in ("metrics", "communities", "flows"):
        cli_bytes = (tmp_path / "cli" / f"{name}.parquet").read_bytes()
        assert (tmp_path / "api" / f"{name}.parquet").read_bytes() == cli_bytes
        pd.testing.assert_frame_equal(
            getattr(result, name), pd.read_parquet(tmp_path / "cli" / f"{name}.parquet")
        )
    assert result.manifest["status"] == "completed" and result.manifest["seed"] == 3


def test_a_built_model_steps_to_the_tables_run_returns():
    model = hetsim.build("status_quo", seed=5, set=SMALL)
    model.run_for(2)
    assert len(hetsim.tables(model).metrics) == 2
    model.step()
    stepped = hetsim.tables(model)
    ran = hetsim.run("status_quo", seed=5, steps=3, set=SMALL)
    pd.testing.assert_frame_equal(stepped.metrics, ran.metrics)
    pd.testing.assert_frame_equal(stepped.communities, ran.communities)


def test_compare_writes_the_same_tables_as_hetsim_compare(tmp_path):
    flags = ["--seeds", "2", "--steps", "3", *SMALL_FLAGS, "--workers", "1", "--quiet"]
    cli_out, api_out = tmp_path / "cli", tmp_path / "api"
    argv = ["compare", "status_quo", "--intervention", "public_compute", *flags]
    assert main([*argv, "--out", str(cli_out)]) == 0
    experiment = hetsim.compare(
        "status_quo", ["public_compute"], seeds=2, steps=3, set=SMALL, workers=1, out=api_out
    )
    for name in ("runs.parquet", "comparison.csv"):
        assert (api_out / name).read_bytes() == (cli_out / name).read_bytes()
    pd.testing.assert_frame_equal(experiment.comparison, pd.read_csv(cli_out / "comparison.csv"))
    pd.testing.assert_frame_equal(experiment.runs, pd.read_parquet(cli_out / "runs.parquet"))


def test_sweep_writes_the_same_tables_as_hetsim_sweep(tmp_path):
    cli_out, api_out = tmp_path / "cli", tmp_path / "api"
    param = "exchange.trust_learning_rate=0.1,0.4"
    flags = ["--seeds", "1", "--steps", "2", *SMALL_FLAGS, "--workers", "1", "--quiet"]
    assert main(["sweep", "status_quo", "--param", param, *flags, "--out", str(cli_out)]) == 0
    with hetsim.SequentialExecutor() as executor:  # an executor the caller manages
        experiment = hetsim.sweep(
            "status_quo", [param], seeds=1, steps=2, set=SMALL, executor=executor, out=api_out
        )
    assert (api_out / "runs.parquet").read_bytes() == (cli_out / "runs.parquet").read_bytes()
    assert sorted(experiment.runs["point"].unique()) == [0, 1]


def test_an_output_folder_named_like_the_scenario_does_not_hide_the_shipped_scenario(
    tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)  # ./status_quo/ is the output folder, not a scenario file
    experiment = hetsim.compare(
        "status_quo", ["audit_regime"], seeds=1, steps=1, set=SMALL, workers=1, out="status_quo"
    )
    assert experiment.outcome.ok and len(experiment.runs) == 2


# Each case: the CLI's arguments, the API call that means the same, and how each names the
# argument at fault (a flag on the command line, the keyword in Python; None: no argument).
BAD = {
    "unknown scenario": (
        ["run", "no_such_world"],
        lambda out: hetsim.run("no_such_world"),
        None, None,
    ),
    "unknown key": (
        ["run", "status_quo", "--set", "communities.nonsense=1"],
        lambda out: hetsim.run("status_quo", set=["communities.nonsense=1"]),
        "--set communities.nonsense", "set: communities.nonsense",
    ),
    "steps below 1": (
        ["run", "status_quo", "--steps", "0"],
        lambda out: hetsim.run("status_quo", steps=0),
        "--steps = 0", "steps=0",
    ),
    "seed below 0": (
        ["run", "status_quo", "--seed", "-1"],
        lambda out: hetsim.run("status_quo", seed=-1),
        "--seed = -1", "seed=-1",
    ),
    "unknown intervention": (
        ["compare", "status_quo", "--intervention", "no_such_policy", "--out", "{out}"],
        lambda out: hetsim.compare("status_quo", ["no_such_policy"], out=out),
        None, None,
    ),
    "seeds below 1": (
        ["compare", "status_quo", "--intervention", "audit_regime", "--seeds", "0"],
        lambda out: hetsim.compare("status_quo", ["audit_regime"], seeds=0, out=out),
        "--seeds = 0", "seeds=0",
    ),
    "sweep over an unknown key": (
        ["sweep", "status_quo", "--param", "communities.nonsense=1,2", "--out", "{out}"],
        lambda out: hetsim.sweep("status_quo", ["communities.nonsense=1,2"], out=out),
        "--param communities.nonsense", "params communities.nonsense",
    ),
    "workers with a remote scheduler": (
        ["compare", "status_quo", "--intervention", "audit_regime", "--workers", "2",
         "--scheduler", "tcp://127.0.0.1:1"],
        lambda out: hetsim.compare(
            "status_quo", ["audit_regime"], workers=2, scheduler="tcp://127.0.0.1:1", out=out
        ),
        "--workers = 2 with --scheduler", "workers=2 with scheduler=",
    ),
    "an empty out": (
        ["compare", "status_quo", "--intervention", "audit_regime", "--out", ""],
        lambda out: hetsim.compare("status_quo", ["audit_regime"], out=""),
        "--out = ", "out=''",
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_arguments_name_the_flag_from_the_cli_and_the_keyword_from_python(
    case, tmp_path, capsys
):
    argv, call, flag, keyword = BAD[case]
    out = tmp_path / "out"
    assert main([a.replace("{out}", str(out)) for a in argv]) == 2
    printed = capsys.readouterr().err.strip()
    with pytest.raises(hetsim.ScenarioError) as raised:
        call(out)
    said = str(raised.value)
    assert printed.startswith("hetsim: error: ") and "\n" not in printed
    rule = printed.rsplit(": ", 1)[-1]  # the same rule, in each caller's words
    assert (
        re.sub(r"--([a-z-]+)", lambda m: m[1].replace("-", "_"), rule) == said.rsplit(": ", 1)[-1]
    )
    if flag is not None:
        assert flag in printed
        assert keyword in said and "--" not in said
    assert not (out / "runs").exists()  # nothing ran


def test_a_lone_string_where_a_list_belongs_is_refused_not_read_letter_by_letter():
    with pytest.raises(hetsim.ScenarioError, match=r"must be a list of strings, e\.g\. \['audit"):
        hetsim.load_scenario("status_quo", interventions="audit_regime")
    with pytest.raises(hetsim.ScenarioError, match="set="):
        hetsim.run("status_quo", set="communities.count=4")


def test_a_loaded_scenario_takes_no_further_changes():
    scenario = hetsim.load_scenario("status_quo", set=SMALL)
    with pytest.raises(hetsim.ScenarioError, match="already loaded"):
        hetsim.build(scenario, set=["communities.count=5"])
    with pytest.raises(hetsim.ScenarioError, match="not a loaded Scenario"):
        hetsim.compare(scenario, ["audit_regime"])


def test_errors_are_value_errors_a_caller_can_catch():
    assert issubclass(hetsim.ScenarioError, ValueError)


def test_run_default_folders_differ_by_intervention_and_set(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    base = ["run", "status_quo", "--steps", "1", "--quiet", *SMALL_FLAGS]
    assert main(base) == 0
    assert main([*base, "--intervention", "audit_regime"]) == 0
    assert main([*base, "--set", "regulators.count=1"]) == 0
    folders = sorted(p.name for p in (tmp_path / "results").iterdir())
    assert len(folders) == 3 and all(f.endswith("-seed0") for f in folders), folders


def test_run_refuses_to_write_over_a_different_run_and_rewrites_the_same_one(tmp_path, capsys):
    out = str(tmp_path / "out")
    base = ["run", "status_quo", "--steps", "1", "--quiet", *SMALL_FLAGS, "--out", out]
    assert main(base) == 0
    first = (tmp_path / "out" / "metrics.parquet").read_bytes()
    assert main(base) == 0  # the same run again: the same bytes
    assert main([*base, "--intervention", "audit_regime"]) == 2
    assert "holds a different run" in capsys.readouterr().err
    assert (tmp_path / "out" / "metrics.parquet").read_bytes() == first
    with pytest.raises(hetsim.ScenarioError, match=r"^out='.*holds a different run"):
        hetsim.run("status_quo", steps=1, seed=5, set=SMALL, out=out)


def test_errors_from_python_never_speak_in_flags(tmp_path):
    calls = [
        lambda: hetsim.run("status_quo", seed=-1),
        lambda: hetsim.run("status_quo", set=["communities.count=-3"]),
        lambda: hetsim.compare("status_quo", [], out=tmp_path / "o"),
        lambda: hetsim.compare("status_quo", ["audit_regime"], set=["run.seed=7"]),
        lambda: hetsim.sweep("status_quo", ["run.seed=1,2"], out=tmp_path / "o"),
        lambda: hetsim.sweep("status_quo", ["learning.l2=0.5:1"], samples=2, sample_seed=-1),
    ]
    for call in calls:
        with pytest.raises(hetsim.ScenarioError) as raised:
            call()
        assert "--" not in str(raised.value), str(raised.value)

"""Experiments: resumable compare, its report, sweeps, sensitivity, branch, and bad input."""

from __future__ import annotations

import base64
import json
import os
import signal
import subprocess
import sys
import time
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest

from hetsim.analysis.ensemble import SequentialExecutor
from hetsim.analysis.experiments import (
    branch_experiment,
    compare_experiment,
    sensitivity_experiment,
    sweep_experiment,
)
from hetsim.cli import main
from hetsim.simulation.schema import ScenarioError

ROOT = Path(__file__).resolve().parent.parent
SMALL = ("communities.count=8", "annotators.count=10")
SMALL_FLAGS = ["--set", SMALL[0], "--set", SMALL[1]]


def _compare(out, seeds=2, steps=3, arms=("audit_regime",), **kw):
    return compare_experiment(
        "status_quo",
        list(arms),
        seeds=seeds,
        steps=steps,
        overrides=SMALL,
        out_dir=out,
        executor=SequentialExecutor(),
        progress=False,
        **kw,
    )


class Images(HTMLParser):
    """Collects <img src> and checks tags close."""

    def __init__(self) -> None:
        super().__init__()
        self.src: list[str] = []
        self.open: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "img":
            self.src.append(dict(attrs)["src"])
        elif tag not in ("meta", "br", "link"):
            self.open.append(tag)

    def handle_endtag(self, tag):
        assert self.open and self.open.pop() == tag


def _check_report(folder: Path) -> list[str]:
    parser = Images()
    parser.feed((folder / "report.html").read_text(encoding="utf-8"))
    parser.close()
    assert parser.open == []
    assert parser.src
    names = []
    for src in parser.src:  # each image is embedded, and is the PNG written beside the page
        data = base64.b64decode(src.removeprefix("data:image/png;base64,"))
        names += [p.name for p in sorted(folder.glob("*.png")) if p.read_bytes() == data]
    assert len(names) == len(parser.src)
    return names


def test_compare_writes_runs_comparison_report_and_manifest(tmp_path):
    experiment = _compare(tmp_path)
    assert experiment.exit_code == 0
    runs = pd.read_parquet(tmp_path / "runs.parquet")
    assert runs[["intervention", "seed", "step"]].drop_duplicates().shape[0] == len(runs) == 12
    assert list(runs.sort_values(["intervention", "seed", "step"]).index) == list(runs.index)
    comparison = pd.read_csv(tmp_path / "comparison.csv")
    audits = comparison.query("metric == 'audits' and window == 'last10pct'")
    assert audits["diff_mean"].item() > 0
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["seeds"] == [0, 1] and manifest["steps"] == 3
    assert manifest["interventions"] == ["audit_regime"]
    assert manifest["scenario_resolved"]["communities"]["count"] == 8
    assert manifest["status"] == "completed" and manifest["finished"] >= manifest["started"]
    assert {"git_revision", "versions", "executor"} <= set(manifest)
    assert "network.png" in _check_report(tmp_path)


def test_report_command_rebuilds_the_report(tmp_path):
    _compare(tmp_path)
    before = (tmp_path / "comparison.csv").read_text()
    for name in ("report.html", "comparison.csv", "timeseries.png"):
        (tmp_path / name).unlink()
    assert main(["report", str(tmp_path)]) == 0
    assert (tmp_path / "comparison.csv").read_text() == before
    _check_report(tmp_path)


def test_resume_after_a_kill_loses_and_duplicates_nothing(tmp_path):
    seeds, steps = 4, 6
    flags = [
        "compare", "status_quo", "--intervention", "audit_regime", "--seeds", str(seeds),
        "--steps", str(steps), "--workers", "1", "--quiet", "--out", str(tmp_path / "killed"),
        *SMALL_FLAGS,
    ]  # fmt: skip
    args = [sys.executable, "-m", "hetsim.cli", *flags]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OPENBLAS_NUM_THREADS": "1"}
    proc = subprocess.Popen(args, cwd=ROOT, env=env, stderr=subprocess.PIPE)
    runs_dir = tmp_path / "killed" / "runs"
    deadline = time.monotonic() + 120
    while not list(runs_dir.glob("*/*.parquet")) and proc.poll() is None:
        assert time.monotonic() < deadline, "no run finished"
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    proc.stderr.close()
    finished = len(list(runs_dir.glob("*/*.parquet")))
    assert 1 <= finished < 2 * seeds, "the kill should land midway"
    assert main([*flags, "--resume"]) == 0
    manifest = json.loads((tmp_path / "killed" / "manifest.json").read_text())
    assert manifest["runs_resumed"] == finished
    assert manifest["runs_done_now"] == 2 * seeds - finished
    resumed = pd.read_parquet(tmp_path / "killed" / "runs.parquet")
    _compare(tmp_path / "whole", seeds=seeds, steps=steps)
    whole = pd.read_parquet(tmp_path / "whole" / "runs.parquet")
    assert not resumed.duplicated(["intervention", "seed", "step"]).any()
    pd.testing.assert_frame_equal(resumed, whole)
    assert not list((tmp_path / "killed").rglob("*.partial"))


def test_resume_refuses_a_different_plan(tmp_path):
    _compare(tmp_path)
    with pytest.raises(ScenarioError, match="steps"):
        _compare(tmp_path, steps=4, resume=True)


def test_full_factorial_sweep_has_a_column_per_parameter_and_a_point_index(tmp_path):
    sweep_experiment(
        "status_quo",
        ["communities.count=6,9", "regulators.audit_probability=0.0,1.0"],
        seeds=2,
        steps=2,
        overrides=SMALL[1:],  # communities.count is the --param
        out_dir=tmp_path,
        executor=SequentialExecutor(),
        progress=False,
    )
    runs = pd.read_parquet(tmp_path / "runs.parquet")
    assert len(runs) == 4 * 2 * 2
    points = runs[["point", "communities.count", "regulators.audit_probability"]]
    assert points.drop_duplicates().values.tolist() == [
        [0, 6, 0.0],
        [1, 6, 1.0],
        [2, 9, 0.0],
        [3, 9, 1.0],
    ]
    by_point = runs.groupby("point")["audits"].sum()
    assert by_point[1] > 0 == by_point[0]


def test_latin_hypercube_rounds_integer_keys_and_says_so(tmp_path):
    experiment = sweep_experiment(
        "status_quo",
        ["communities.count=5:12", "communities.public_compute=0:100"],
        samples=5,
        seeds=1,
        steps=1,
        overrides=SMALL[1:],  # communities.count is the --param
        out_dir=tmp_path,
        executor=SequentialExecutor(),
        progress=False,
    )
    runs = pd.read_parquet(tmp_path / "runs.parquet")
    counts = runs["communities.count"]
    assert counts.dtype.kind == "i" and counts.between(5, 12).all()
    assert runs["communities.public_compute"].nunique() == 5
    assert any("rounded" in note for note in experiment.notes)


def test_morris_sensitivity_gives_indices_with_confidence_intervals(tmp_path):
    sensitivity_experiment(
        "status_quo",
        ["regulators.audit_probability=0:1", "communities.public_compute=0:1000"],
        method="morris",
        samples=4,
        metrics=["audits", "entity_compute_share"],
        steps=3,
        overrides=SMALL,
        out_dir=tmp_path,
        executor=SequentialExecutor(),
        progress=False,
    )
    indices = pd.read_csv(tmp_path / "indices.csv").set_index(["metric", "parameter"])
    assert {"mu_star", "mu_star_conf", "mu_star_ci_low", "mu_star_ci_high", "sigma"} <= set(
        indices.columns
    )
    assert len(indices) == 4
    audits = indices.loc["audits"]
    assert (
        audits.loc["regulators.audit_probability", "mu_star"]
        > audits.loc["communities.public_compute", "mu_star"]
    )
    compute = indices.loc["entity_compute_share"]
    assert compute.loc["communities.public_compute", "mu_star_ci_low"] > 0


def test_branch_continues_every_arm_from_the_same_warm_state(tmp_path):
    experiment = branch_experiment(
        "status_quo",
        ["audit_regime"],
        warmup=3,
        seeds=2,
        steps=2,
        overrides=SMALL,
        out_dir=tmp_path / "branch",
        executor=SequentialExecutor(),
        progress=False,
    )
    assert experiment.exit_code == 0
    assert sorted(p.name for p in (tmp_path / "branch" / "checkpoints").iterdir()) == [
        "seed=0.pkl",
        "seed=1.pkl",
    ]
    runs = pd.read_parquet(tmp_path / "branch" / "runs.parquet")
    assert runs["step"].max() == 5
    assert (runs["branched"] == (runs["step"] > 3)).all()
    warm = runs[~runs["branched"]].drop(columns="intervention").reset_index(drop=True)
    arms = {
        k: g.drop(columns="intervention")
        for k, g in runs[~runs["branched"]].groupby("intervention")
    }
    pd.testing.assert_frame_equal(
        arms["baseline"].reset_index(drop=True), arms["audit_regime"].reset_index(drop=True)
    )
    assert len(warm) == 2 * 2 * 3
    # the baseline arm is exactly an uninterrupted baseline run: the checkpoint is faithful
    _compare(tmp_path / "straight", seeds=2, steps=5)
    straight = pd.read_parquet(tmp_path / "straight" / "runs.parquet")
    base = runs[runs["intervention"] == "baseline"].drop(columns="branched")
    pd.testing.assert_frame_equal(
        base.reset_index(drop=True),
        straight[straight["intervention"] == "baseline"].reset_index(drop=True),
    )
    after = runs[runs["branched"]].groupby("intervention")["audits"].sum()
    assert after["audit_regime"] > after["baseline"]
    comparison = pd.read_csv(tmp_path / "branch" / "comparison.csv")
    assert comparison["n_seeds"].max() == 2
    _check_report(tmp_path / "branch")


def test_branch_refuses_an_intervention_that_resizes_the_model(tmp_path):
    bigger = tmp_path / "fewer_entities.toml"
    bigger.write_text('description = "x"\n[large_entities]\ncount = 1\n')
    with pytest.raises(ScenarioError, match=r"large_entities\.count"):
        branch_experiment(
            "status_quo",
            [str(bigger)],
            warmup=2,
            seeds=1,
            steps=1,
            overrides=SMALL,
            out_dir=tmp_path / "out",
            executor=SequentialExecutor(),
            progress=False,
        )


def test_branch_refuses_an_intervention_that_only_acts_when_the_world_is_built(tmp_path):
    richer = tmp_path / "richer.toml"
    richer.write_text('description = "x"\n[communities]\nbudget = 40.0\n')
    with pytest.raises(ScenarioError, match=r"communities\.budget.*read only when"):
        branch_experiment(
            "status_quo",
            [str(richer)],
            warmup=2,
            seeds=1,
            steps=1,
            overrides=SMALL,
            out_dir=tmp_path / "out",
            executor=SequentialExecutor(),
            progress=False,
        )


@pytest.mark.parametrize(
    ("argv", "named"),
    [
        (["compare", "status_quo", "--intervention", "no_such_policy"], "no_such_policy"),
        (
            ["compare", "status_quo", "--intervention", "audit_regime", "--seeds", "0"],
            "--seeds = 0",
        ),
        (["sweep", "status_quo", "--param", "communities.count"], "communities.count"),
        (["sweep", "status_quo", "--param", "communities.nope=1,2"], "communities.nope"),
        (["sweep", "status_quo", "--param", "communities.count=1.5,2"], "communities.count=1.5,2"),
        (["sweep", "status_quo", "--param", "regulators.audit_probability=0.5,1.5"], "= 1.5"),
        (["sensitivity", "status_quo", "--param", "exchange.data_sharing=0:1"], "data_sharing"),
        (["branch", "status_quo", "--warmup", "0", "--intervention", "audit_regime"], "--warmup"),
        (["compare", "status_quo", "--intervention", "audit_regime", "--steps", "-1"], "--steps"),
    ],
)
def test_bad_input_exits_2_naming_the_value(argv, named, tmp_path, capsys):
    assert main([*argv, "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert named in err
    assert not (tmp_path / "out").exists()

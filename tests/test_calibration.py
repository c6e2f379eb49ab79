"""`hetsim calibrate`: targets files are checked, ABC-SMC recovers a known parameter, the command
runs end to end and resumes, and the shipped status quo carries the calibration's estimate."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from hetsim.analysis.calibration import Prior, Target, load_targets
from hetsim.analysis.calibration.adopt import adopt
from hetsim.analysis.calibration.smc import run_smc
from hetsim.cli import main
from hetsim.simulation.measures import PATTERN_MEASURES
from hetsim.simulation.schema import ScenarioError

ROOT = Path(__file__).parent.parent
SHIPPED = ROOT / "scenarios" / "targets" / "status_quo.toml"
TINY = [
    "--set", "communities.count=4", "--set", "annotators.count=5",
    "--set", "large_entities.count=2", "--set", "regulators.count=1",
]  # fmt: skip

GOOD_TARGET = """
[[target]]
name = "share"
measure = "entity_compute_share"
value = 0.7
low = 0.6
high = 0.8
use = "fit"
source = "a source"
mapping = "an argument"
"""
GOOD_PARAMETER = """
[[parameter]]
key = "communities.compute"
low = 10.0
high = 100.0
reason = "a reason"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "targets.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_shipped_targets_have_sources_and_keep_some_to_validate():
    targets = load_targets(SHIPPED)
    assert len(targets.targets) >= 6
    assert len(targets.validate) >= 2 and targets.fit
    for target in targets.targets:
        assert target.source and target.mapping and target.verified
    assert 4 <= len(targets.priors) <= 8


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (GOOD_TARGET.replace('use = "fit"', 'use = "fit"\ncolour = 1') + GOOD_PARAMETER,
         "unknown key 'colour'"),
        (GOOD_TARGET.replace("low = 0.6", "low = 0.9") + GOOD_PARAMETER, "need low < high"),
        (GOOD_TARGET.replace("value = 0.7", "value = 0.95") + GOOD_PARAMETER,
         "must lie in [low, high]"),
        (GOOD_TARGET.replace("entity_compute_share", "market_mood") + GOOD_PARAMETER,
         "not a measure hetsim produces"),
        (GOOD_TARGET.replace('"fit"', '"tune"') + GOOD_PARAMETER, "must be one of fit, validate"),
        (GOOD_TARGET + GOOD_PARAMETER.replace("communities.compute", "communities.colour"),
         "not a scenario key"),
        (GOOD_TARGET + GOOD_PARAMETER.replace("high = 100.0", "high = 5.0"), "need low < high"),
        (GOOD_TARGET.replace('"fit"', '"validate"') + GOOD_PARAMETER, "nothing to calibrate to"),
        (GOOD_TARGET, "no [[parameter]]"),
        (GOOD_TARGET.replace("value = 0.7", 'value = "high"') + GOOD_PARAMETER,
         "must be a number"),
    ],
)  # fmt: skip
def test_a_bad_targets_file_is_one_clear_error(tmp_path, text, message):
    path = write(tmp_path, text)
    with pytest.raises(ScenarioError) as caught:
        load_targets(path)
    assert message in str(caught.value) and str(path) in str(caught.value)


def test_the_command_refuses_bad_input_with_exit_2(tmp_path, capsys):
    missing = tmp_path / "nowhere.toml"
    assert main(["calibrate", "status_quo", "--targets", str(missing), "--budget", "10"]) == 2
    assert "no such file" in capsys.readouterr().err
    bad = write(tmp_path, GOOD_TARGET.replace("low = 0.6", "low = 0.9") + GOOD_PARAMETER)
    assert main(["calibrate", "status_quo", "--targets", str(bad), "--budget", "10"]) == 2
    assert "need low < high" in capsys.readouterr().err
    good = write(tmp_path, GOOD_TARGET + GOOD_PARAMETER)
    assert main(["calibrate", "status_quo", "--targets", str(good), "--budget", "1"]) == 2
    assert "--budget = 1" in capsys.readouterr().err


class Linear:
    """A toy simulator with a known answer: y = 2a + b and z = a - b, plus noise."""

    def __call__(self, params):
        # numpy's global generator, which run_smc seeds for pyabc's particles: one seed, one run
        noise = np.random.normal(0.0, 0.01, 2)
        a, b = params["x.a"], params["x.b"]
        return {"y": 2 * a + b + noise[0], "z": a - b + noise[1]}


def test_abc_smc_recovers_the_parameters_that_made_the_data(tmp_path):
    truth = {"x.a": 0.3, "x.b": 0.6}
    np.random.seed(1)  # the observation's noise
    observed = Linear()(truth)
    targets = [
        Target("y", "y", observed["y"], observed["y"] - 0.05, observed["y"] + 0.05, "fit", "", ""),
        Target("z", "z", observed["z"], observed["z"] - 0.05, observed["z"] + 0.05, "fit", "", ""),
    ]
    priors = [Prior("x.a", 0.0, 1.0, ""), Prior("x.b", 0.0, 1.0, "")]
    posterior = run_smc(Linear(), targets, priors, db=tmp_path / "h.db", budget=1500, population=60)
    for key, value in truth.items():
        # a 90% interval misses the truth one time in ten per key: the 99% interval is checked
        low, high = posterior.quantile(key, 0.005), posterior.quantile(key, 0.995)
        assert low <= value <= high
        assert high - low < 0.25  # the prior's 99% interval is 0.99 wide
        assert abs(posterior.median()[key] - value) < 0.05


def test_calibrate_runs_end_to_end_writes_the_page_and_resumes(tmp_path):
    out, doc = tmp_path / "out", tmp_path / "docs" / "calibration.md"
    world = tmp_path / "world.toml"
    world.write_text(
        (ROOT / "scenarios" / "status_quo.toml").read_text(encoding="utf-8"),
        encoding="utf-8",
    )
    args = [
        "calibrate", "status_quo", "--targets", str(SHIPPED), "--budget", "12",
        "--population", "4", "--generations", "2", "--seeds", "1", "--steps", "4", *TINY,
        "--check-seeds", "2", "--draws", "2", "--out", str(out), "--doc", str(doc), "--quiet",
        "--adopt", str(world),
    ]  # fmt: skip
    assert main(args) == 0
    point = pd.read_csv(out / "point_estimate.csv").iloc[0]
    adopted = tomllib.loads(world.read_text(encoding="utf-8"))
    for key, value in point.items():
        section, name = str(key).split(".")
        assert adopted[section][name] == pytest.approx(value, rel=1e-3)
    page = doc.read_text(encoding="utf-8")
    for target in load_targets(SHIPPED).targets:
        assert f"`{target.name}`" in page
    assert "## What no parameter set reaches" in page
    assert (doc.parent / "calibration_pairs.png").stat().st_size > 0
    evaluated = (out / "evaluated.csv").read_text().count("\n")
    assert main([*args, "--resume"]) == 0  # the budget is spent: nothing more is simulated
    assert (out / "evaluated.csv").read_text().count("\n") == evaluated
    assert main(args) == 2  # a stored calibration is never overwritten without --resume


def test_adopting_sets_only_the_calibrated_keys(tmp_path):
    source = ROOT / "scenarios" / "status_quo.toml"
    path = tmp_path / "world.toml"
    path.write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    before = tomllib.loads(path.read_text(encoding="utf-8"))
    adopt(path, {"communities.compute": 77.777, "large_entities.data_value": 0.031}, {}, "cal")
    after = tomllib.loads(path.read_text(encoding="utf-8"))
    assert after["communities"].pop("compute") == 77.78
    assert after["large_entities"].pop("data_value") == 0.031
    before["communities"].pop("compute", None)
    before["large_entities"].pop("data_value", None)
    assert after == before


def test_uncalibrated_restores_the_schema_defaults():
    from hetsim.analysis.calibration import uncalibrated
    from hetsim.scenarios.builder import load_scenario

    priors = load_targets(SHIPPED).priors
    world = load_scenario("status_quo", uncalibrated(priors))
    for prior in priors:
        section, name = prior.key.split(".")
        field = type(getattr(world, section)).model_fields[name]
        assert getattr(getattr(world, section), name) == field.default


def test_the_shipped_status_quo_carries_the_documented_point_estimate():
    page = (ROOT / "docs" / "calibration.md").read_text(encoding="utf-8")
    world = tomllib.loads((ROOT / "scenarios" / "status_quo.toml").read_text(encoding="utf-8"))
    text = (ROOT / "scenarios" / "status_quo.toml").read_text(encoding="utf-8")
    for prior in load_targets(SHIPPED).priors:
        section, name = prior.key.split(".")
        row = re.search(rf"\| `{re.escape(prior.key)}` \| [^|]+\| ([^ |]+) \|", page)
        assert row, prior.key
        assert world[section][name] == pytest.approx(float(row.group(1)), rel=1e-3)
        assert re.search(rf"^{name} = .*docs/calibration\.md", text, re.MULTILINE)


def test_every_pattern_measure_is_documented():
    text = (ROOT / "docs" / "metrics.md").read_text(encoding="utf-8")
    for name in PATTERN_MEASURES:
        assert f"`{name}`" in text, name

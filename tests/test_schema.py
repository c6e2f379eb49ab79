"""Invalid scenarios stop with one clear message naming file, key, value and what is allowed."""

from __future__ import annotations

import pytest

from hetsim.cli import main
from hetsim.scenarios.builder import load_scenario
from hetsim.simulation.schema import ScenarioError, load, parse_override


def write(tmp_path, text: str):
    path = tmp_path / "bad.toml"
    path.write_text(text)
    return path


def error_of(path) -> str:
    with pytest.raises(ScenarioError) as info:
        load(path)
    return str(info.value)


def test_unknown_key_names_the_file_key_and_allowed_keys(tmp_path):
    message = error_of(write(tmp_path, "[communities]\ncont = 3\n"))
    assert "bad.toml" in message
    assert "communities.cont" in message
    assert "unknown key" in message and "count" in message


def test_out_of_range_value_names_key_value_and_rule(tmp_path):
    message = error_of(write(tmp_path, "[communities]\ncount = -4\n"))
    assert "communities.count = -4" in message
    assert "greater than or equal to 0" in message


def test_wrong_type_names_key_value_and_type(tmp_path):
    message = error_of(write(tmp_path, '[large_entities]\ncompute = "lots"\n'))
    assert "large_entities.compute = 'lots'" in message
    assert "number" in message


def test_wrong_choice_lists_the_allowed_values(tmp_path):
    # strategy names are checked against the strategies the model is built with
    with pytest.raises(ScenarioError) as info:
        load_scenario(write(tmp_path, '[communities]\nstrategy = "hoard"\n'))
    message = str(info.value)
    assert "bad.toml" in message and "communities.strategy = 'hoard'" in message
    for allowed in ("choose", "local", "adopt", "share", "cooperative"):
        assert allowed in message
    with pytest.raises(ScenarioError, match=r"communities.strategies: 'hoard' is not a strategy"):
        load_scenario(write(tmp_path, '[communities]\nstrategies = ["local", "hoard"]\n'))


def test_nested_values_and_lists_are_validated(tmp_path):
    message = error_of(write(tmp_path, '[regulators]\nmandated_notions = ["vibes"]\n'))
    assert "regulators.mandated_notions.0 = 'vibes'" in message
    message = error_of(write(tmp_path, "[[data.shocks]]\nstep = 0\n"))
    assert "data.shocks.0.step = 0" in message


def test_broken_toml_is_reported_not_raised_as_a_traceback(tmp_path):
    message = error_of(write(tmp_path, "[communities\ncount = 3\n"))
    assert "bad.toml" in message and "TOML" in message


def test_overrides_are_validated_like_the_file():
    with pytest.raises(ScenarioError, match=r"communities\.count = -1"):
        load_scenario("status_quo", ["communities.count=-1"])
    with pytest.raises(ScenarioError, match=r"nope\.key = 1: unknown key"):
        load_scenario("status_quo", ["nope.key=1"])
    assert load_scenario("status_quo", ["communities.count=7"]).communities.count == 7


def test_override_values_are_read_as_toml():
    assert parse_override("exchange.data_sharing=false") == ("exchange.data_sharing", False)
    assert parse_override("data.drift=0.5") == ("data.drift", 0.5)
    assert parse_override('communities.strategy="local"') == ("communities.strategy", "local")
    assert parse_override("communities.strategy=local") == ("communities.strategy", "local")


def test_a_value_is_never_silently_changed():
    """A float where an integer is required is refused, not truncated."""
    with pytest.raises(ScenarioError, match=r"communities\.count = 2\.5"):
        load_scenario("status_quo", ["communities.count=2.5"])


def test_cli_bad_input_exits_2_with_the_message(capsys, tmp_path):
    assert main(["run", "status_quo", "--set", "communities.count=-1", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "communities.count = -1" in err
    assert "Traceback" not in err
    assert main(["run", "no_such_scenario"]) == 2
    assert "status_quo" in capsys.readouterr().err
    assert main(["run", "status_quo", "--steps", "0"]) == 2
    assert "--steps = 0" in capsys.readouterr().err


def test_cli_run_writes_tables_and_manifest(tmp_path, capsys):
    import json

    import pandas as pd

    out = tmp_path / "run"
    code = main(
        [
            "run",
            "status_quo",
            "--steps",
            "3",
            "--seed",
            "5",
            "--set",
            "communities.count=6",
            "--set",
            "annotators.count=5",
            "--out",
            str(out),
        ]
    )
    assert code == 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "completed"
    assert manifest["seed"] == 5 and manifest["steps_completed"] == 3
    assert manifest["scenario"]["communities"]["count"] == 6
    assert "mesa" in manifest["versions"]
    assert len(pd.read_parquet(out / "metrics.parquet")) == 3
    assert "hhi_compute" in capsys.readouterr().out


def test_cli_list_shows_the_default_scenario(capsys):
    assert main(["list"]) == 0
    assert "status_quo" in capsys.readouterr().out


def test_build_time_keys_are_told_apart_from_keys_read_every_step():
    from hetsim.simulation.schema import is_build_time_key

    assert is_build_time_key("communities.compute")
    assert is_build_time_key("data.concept_shift")
    assert is_build_time_key("practices.documentation")
    assert not is_build_time_key("data.shocks")
    assert not is_build_time_key("regulators.audit_probability")
    assert not is_build_time_key("communities.public_compute")
    assert not is_build_time_key("communities.compute_x")

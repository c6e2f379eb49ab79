"""Bad input is one clear error blamed on the layer that wrote it; no value is ever converted."""

from __future__ import annotations

import numpy as np
import pytest

from hetsim.scenarios.builder import load_scenario
from hetsim.simulation.schema import ScenarioError, load


def scenario_file(tmp_path, text: str, name: str = "world.toml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def error_of(call, *args, **kwargs) -> str:
    with pytest.raises(ScenarioError) as info:
        call(*args, **kwargs)
    return str(info.value)


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ('[communities]\ncount = "40"\n', "communities.count = '40'"),
        ("[communities]\ncount = 40.0\n", "communities.count = 40.0"),
        ("[run]\nsteps = true\n", "run.steps = True"),
        ("[exchange]\ndata_sharing = 1\n", "exchange.data_sharing = 1"),
        ('[exchange]\ndata_sharing = "yes"\n', "exchange.data_sharing = 'yes'"),
        ('[data]\ndrift = "0.1"\n', "data.drift = '0.1'"),
        ("[data]\ndrift = true\n", "data.drift = True"),
        ("name = 3\n", "name = 3"),
        ('[communities]\nstrategies = "local"\n', "communities.strategies = 'local'"),
    ],
)
def test_no_value_in_a_file_is_converted_to_another_type(tmp_path, text, shown):
    message = error_of(load, scenario_file(tmp_path, text))
    assert message.startswith("world.toml: ") and shown in message
    assert "no conversion" in message or "valid" in message


def test_an_integer_where_a_number_is_expected_is_the_one_conversion(tmp_path):
    assert load(scenario_file(tmp_path, "[data]\ndrift = 1\n")).data.drift == 1.0


@pytest.mark.parametrize(
    "override",
    ["exchange.data_sharing=yes", "exchange.data_sharing=1", "communities.count=2.0",
     'communities.count="40"', "run.steps=true", "data.drift=on"],
)  # fmt: skip
def test_no_set_value_is_converted(override):
    key = override.split("=")[0]
    message = error_of(load_scenario, "status_quo", [override])
    assert message.startswith(f"set: {key} = ")


@pytest.mark.parametrize(
    "key", ["large_entities.compute", "large_entities.capital", "learning.l2", "data.drift",
            "data.covariate_shift", "communities.budget", "lending.loan_size"],
)  # fmt: skip
def test_inf_and_nan_are_refused_where_a_mechanism_cannot_take_them(key):
    for value in ("inf", "nan", "-inf"):
        message = error_of(load_scenario, "status_quo", [f"{key}={value}"])
        assert f"{key} = {value}" in message


def test_inf_stays_a_valid_privacy_budget_and_nan_does_not():
    spec = load_scenario("status_quo", ["regulators.epsilon_cap=inf"])
    assert spec.regulators.epsilon_cap == float("inf")
    assert "epsilon_cap = nan" in error_of(
        load_scenario, "status_quo", ["regulators.epsilon_cap=nan"]
    )


@pytest.mark.parametrize("share", ["0.0", "1.0", "0.95"])
def test_a_minority_share_the_population_cannot_hold_is_refused_not_clipped(share):
    message = error_of(load_scenario, "status_quo", [f"data.minority_share={share}"])
    assert f"data.minority_share = {float(share)!r}" in message


def test_the_population_holds_the_accepted_minority_share_extremes():
    from hetsim.simulation.population import Population

    for share in (0.02, 0.9):
        spec = load_scenario("status_quo", [f"data.minority_share={share}"])
        data = spec.data.model_copy(update={"demographic_shift": 0.0})
        pop = Population.generate(data, 5, 3, np.random.default_rng(0))
        assert np.allclose(pop.group_share[:, 1], share)


@pytest.mark.parametrize("table", ["{}", "{none = 0.0, penalty = 0.0}"])
def test_mitigation_weights_summing_to_zero_are_refused_not_made_uniform(table):
    message = error_of(load_scenario, "status_quo", [f"practices.mitigations={table}"])
    assert "set: practices.mitigations" in message and "positive" in message


def test_an_emerged_group_shock_needs_a_share_it_can_take():
    for size in ("-0.3", "0.95"):
        shock = f'data.shocks=[{{step = 2, kind = "emerged_group", size = {size}}}]'
        message = error_of(load_scenario, "status_quo", [shock])
        assert "data.shocks.0" in message and "emerged_group" in message


def test_a_shock_after_the_last_step_is_refused(tmp_path):
    path = scenario_file(tmp_path, "[run]\nsteps = 10\n[[data.shocks]]\nstep = 11\n")
    message = error_of(load, path)
    assert "world.toml: data.shocks.0.step = 11" in message and "run.steps = 10" in message
    path = scenario_file(tmp_path, "[run]\nsteps = 10\n[[data.shocks]]\nstep = 10\n")
    assert load(path).data.shocks[0].step == 10
    message = error_of(load, path, ["run.steps=5"])
    assert "data.shocks.0.step = 10" in message and "run.steps = 5" in message


def test_a_key_set_twice_on_the_command_line_is_an_error_not_last_wins():
    message = error_of(load_scenario, "status_quo", ["communities.count=3", "communities.count=4"])
    assert "set: communities.count" in message and "twice" in message


def test_errors_are_blamed_on_the_layer_that_wrote_the_key(tmp_path):
    bad_intervention = scenario_file(tmp_path, "[communities]\ncont = 3\n", "nudge.toml")
    message = error_of(load_scenario, "status_quo", [], [str(bad_intervention)])
    assert message.startswith("nudge.toml (intervention): communities.cont = 3: unknown key")
    out_of_range = scenario_file(tmp_path, "[communities]\ncount = -3\n", "shrink.toml")
    message = error_of(load_scenario, "status_quo", [], [str(out_of_range)])
    assert message.startswith("shrink.toml (intervention): communities.count = -3")
    message = error_of(load_scenario, "status_quo", ["communities.count=-1"])
    assert message.startswith("set: communities.count = -1")
    assert "status_quo.toml" not in message


def test_an_unknown_key_in_a_shock_lists_the_keys_a_shock_takes(tmp_path):
    message = error_of(load, scenario_file(tmp_path, "[[data.shocks]]\nstep = 2\nsise = 1\n"))
    assert "data.shocks.0.sise = 1: unknown key (allowed here: fraction, kind, size, step)" in (
        message
    )


def test_an_intervention_cannot_change_the_run(tmp_path):
    longer = scenario_file(tmp_path, "[run]\nsteps = 3\n", "longer.toml")
    message = error_of(load_scenario, "status_quo", [], [str(longer)])
    assert message.startswith("longer.toml (intervention): run = ") and "--steps" in message


def test_a_file_that_is_not_utf8_is_named_with_the_offending_byte(tmp_path):
    path = tmp_path / "latin1.toml"
    path.write_bytes('name = "café"\n'.encode("latin-1"))
    message = error_of(load_scenario, str(path))
    assert str(path) in message and "UTF-8" in message and "0xe9" in message
    message = error_of(load_scenario, "status_quo", [], [str(path)])
    assert "intervention file is not UTF-8" in message


@pytest.mark.parametrize("name", ["", " ", ".", "..", "/"])
def test_folders_and_empty_names_are_refused_as_scenarios_and_interventions(name):
    assert "scenario" in error_of(load_scenario, name)
    assert "intervention" in error_of(load_scenario, "status_quo", [], [name])


def test_a_folder_with_toml_suffix_is_refused(tmp_path):
    (tmp_path / "world.toml").mkdir()
    assert "is a folder" in error_of(load_scenario, str(tmp_path / "world.toml"))

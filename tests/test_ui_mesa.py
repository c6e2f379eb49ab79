"""hetsim in Mesa's SolaraViz: model_params build the CLI's model; components; the notebook."""

from __future__ import annotations

import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import pandas as pd
import pytest

from hetsim.scenarios.builder import build_model, load_scenario
from hetsim.ui import mesa as viz
from hetsim.ui.settings import SLIDERS

ROOT = Path(__file__).resolve().parents[1]
STEPS = 3
# (SolaraViz inputs changed from model_params' defaults, the `hetsim run` arguments)
CASES = [
    ({}, ("status_quo", 0, [], [])),
    (
        {"seed": "3", "audit_regime": True, "communities": 12},
        ("status_quo", 3, ["audit_regime"], ["communities.count=12"]),
    ),
    (
        {
            "scenario_name": "regulatory_patchwork",
            "seed": "1",
            "dp_mandate": True,
            "public_compute": True,
            "audit_probability": 0.3,
            "communities": 10,
        },
        (
            "regulatory_patchwork",
            1,
            ["dp_mandate", "public_compute"],
            ["regulators.audit_probability=0.3", "communities.count=10"],
        ),
    ),
]


def _run(model, steps: int = STEPS) -> pd.DataFrame:
    for _ in range(steps):
        model.step()
    return model.recorder.metrics_table()


@pytest.mark.parametrize(("inputs", "cli"), CASES)
def test_model_params_build_the_model_hetsim_run_builds(inputs, cli):
    name, seed, interventions, overrides = cli
    params = viz.model_params()
    built = viz.VizModel(**{**viz.input_values(params), **inputs})
    expected = build_model(load_scenario(name, overrides, interventions), seed=seed)
    assert built.spec.model_dump(mode="json") == expected.spec.model_dump(mode="json")
    assert built.seed == expected.seed
    pd.testing.assert_frame_equal(_run(built), _run(expected))
    command = built.settings.command()
    for text in overrides:
        assert f"--set {text}" in command
    for intervention in interventions:
        assert f"--intervention {intervention}" in command


def test_an_untouched_slider_does_not_override_an_intervention():
    params = viz.model_params()
    assert params["audit_probability"]["value"] == pytest.approx(0.1)  # status_quo's
    model = viz.VizModel(**{**viz.input_values(params), "audit_regime": True})
    assert model.spec.regulators.audit_probability == pytest.approx(0.6)  # audit_regime's
    assert model.settings.overrides() == []
    shown = viz.settings_panel(model)
    assert (
        "Audit probability: slider untouched at 0.1; 0.6 runs" in shown.kwargs["unsafe_innerHTML"]
    )


def test_solaraviz_reset_rebuilds_from_its_inputs_and_mesa_scenario():
    # SolaraViz's Reset: type(model)(**inputs, scenario=<Mesa's experimental Scenario>)
    from mesa.experimental.scenarios import Scenario

    params = viz.model_params()
    inputs = {**viz.input_values(params), "communities": 7}
    rebuilt = type(viz.VizModel())(**inputs, scenario=Scenario())
    assert rebuilt.spec.communities.count == 7


def test_model_params_cover_every_slider_and_intervention_and_pass_mesa_checks():
    from mesa.visualization.solara_viz import _check_model_params, split_model_params

    params = viz.model_params()
    user, fixed = split_model_params(params)
    assert set(SLIDERS) <= set(user) and "scenario_name" in user and "seed" in user
    assert fixed == {viz.SLIDER_DEFAULTS: params[viz.SLIDER_DEFAULTS]}
    _check_model_params(viz.VizModel(), params)  # raises on a parameter the model refuses


def test_each_component_draws_its_panel_for_any_ecosystem_model():
    import solara

    model = build_model(load_scenario("status_quo", ["communities.count=6"]), seed=0)
    model.step()
    for component in viz.COMPONENTS:
        box, _rc = solara.render(solara.Column(children=[component(model)]), handle_error=False)
        text = repr(box)  # the rendered widget tree
        assert "data:image/png;base64" in text or "Step 1 of" in text, component.__name__


def test_the_mesa_notebook_executes():
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    notebook = nbformat.read(ROOT / "docs" / "mesa_notebook.ipynb", as_version=4)
    client = nbclient.NotebookClient(
        notebook, timeout=300, kernel_name="python3", store_widget_state=True
    )
    client.execute(cwd=str(ROOT))
    outputs = [o for cell in notebook.cells for o in cell.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    widgets = [
        o for o in outputs if "application/vnd.jupyter.widget-view+json" in o.get("data", {})
    ]
    assert widgets, "the SolaraViz page was not displayed as a widget"
    state = json.dumps(notebook.metadata.get("widgets", {}))  # every widget the page made
    for name in ("settings", "network", "timeseries", "communities", "audits"):
        assert f"hetsim-mesa-{name}" in state, f"no {name} component in the notebook's page"
    assert "Step 3 of 100" in state and "data:image/png;base64" in state

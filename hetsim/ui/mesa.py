"""hetsim in Mesa's own browser UI: SolaraViz components, model parameters and a model class.

    from mesa.visualization import SolaraViz
    from hetsim.ui.mesa import COMPONENTS, VizModel, model_params

    SolaraViz(VizModel(), components=COMPONENTS, model_params=model_params(), name="hetsim")

- **Components** (Mesa 3.5's API: an entry of ``components`` is a function of the model, or a
  ``(function, page)`` pair; SolaraViz re-renders it after every Step or Play frame). Each of
  :data:`COMPONENTS` draws one of hetsim's panels for *any* :class:`EcosystemModel`, with the
  hetsim page's figures, updated in place; mix them with your own.
- **Model parameters**: :func:`model_params` gives SolaraViz inputs for the scenario, the seed,
  each intervention (a checkbox) and the hetsim page's sliders, all resolved by
  :class:`hetsim.ui.settings.Settings`, the hetsim page's own settings logic.
- **Model class**: SolaraViz's Reset calls ``type(model)(**inputs)``; :class:`VizModel` is an
  :class:`EcosystemModel` built from those inputs as ``hetsim run`` builds it.

The truth rule of the hetsim page holds: a slider left where it started overrides nothing, so
the scenario's and the interventions' values run (audit_regime's audit probability 0.6, not the
slider's untouched 0.1); a moved slider is ``--set KEY=VALUE`` after the interventions. The
:func:`settings_panel` component shows the equivalent ``hetsim run`` command and every untouched
slider whose value in force differs from where it stands.
"""

# Solara components are CamelCase by convention.
# ruff: noqa: N802

from __future__ import annotations

import base64
import html
import weakref
from typing import Any

import solara

from hetsim.scenarios.builder import ROLES, STRATEGIES
from hetsim.scenarios.library import list_interventions, list_scenarios
from hetsim.simulation.model import EcosystemModel
from hetsim.ui.live import PANELS, LiveRun
from hetsim.ui.settings import DEFAULT_SCENARIO, SLIDERS, Settings, slider_value

SLIDER_DEFAULTS = "slider_defaults"
"""The fixed model parameter holding where each slider starts (its "untouched" position)."""

_RUNS: weakref.WeakKeyDictionary[EcosystemModel, LiveRun] = weakref.WeakKeyDictionary()


def model_params(scenario: str = DEFAULT_SCENARIO, seed: int = 0) -> dict[str, Any]:
    """SolaraViz ``model_params``: scenario, seed, one checkbox per intervention, the sliders.

    Sliders start at ``scenario``'s values; :data:`SLIDER_DEFAULTS` (a fixed parameter) tells
    :class:`VizModel` where they started, so an untouched slider overrides nothing.
    """
    base = Settings(scenario=scenario).base()
    starts = {name: slider_value(name, base) for name in SLIDERS}
    params: dict[str, Any] = {
        "scenario_name": {
            "type": "Select",
            "value": scenario,
            "values": list_scenarios(),
            "label": "Scenario",
        },
        "seed": {"type": "InputText", "value": str(seed), "label": "Seed (integer ≥ 0)"},
    }
    for name in list_interventions():
        params[name] = {"type": "Checkbox", "value": False, "label": f"intervention: {name}"}
    for name, slider in SLIDERS.items():
        params[name] = {
            "type": "SliderInt" if slider.integer else "SliderFloat",
            "value": int(starts[name]) if slider.integer else starts[name],
            "min": int(slider.low) if slider.integer else slider.low,
            "max": int(slider.high) if slider.integer else slider.high,
            "step": int(slider.step) if slider.integer else slider.step,
            "label": slider.label,
        }
    params[SLIDER_DEFAULTS] = starts  # a dict without "type": SolaraViz passes it as it is
    return params


def input_values(params: dict[str, Any]) -> dict[str, Any]:
    """The values SolaraViz passes to the model for ``params`` before any input is touched."""
    return {
        key: spec["value"] if isinstance(spec, dict) and "type" in spec else spec
        for key, spec in params.items()
    }


def settings_from_inputs(
    scenario_name: str = DEFAULT_SCENARIO,
    seed: str | int = "0",
    slider_defaults: dict[str, float] | None = None,
    **inputs: Any,
) -> Settings:
    """The hetsim page's :class:`Settings` for SolaraViz's inputs (the truth rule included)."""
    unknown = set(inputs) - set(SLIDERS) - set(list_interventions())
    if unknown:
        raise TypeError(f"unknown input(s): {', '.join(sorted(unknown))}")
    starts = slider_defaults or {}
    interventions = tuple(n for n in list_interventions() if inputs.get(n))
    settings = Settings(scenario=scenario_name, seed=str(seed), interventions=interventions)
    for name in SLIDERS:
        if name in inputs and float(inputs[name]) != float(starts.get(name, float("nan"))):
            settings = settings.move(name, inputs[name])  # moved by the user
    return settings


class VizModel(EcosystemModel):
    """An :class:`EcosystemModel` built from SolaraViz's inputs, as ``hetsim run`` builds it.

    ``scenario`` is taken and ignored: SolaraViz's Reset passes Mesa's own (experimental)
    scenario object to models that take keyword arguments; the hetsim scenario is
    ``scenario_name``. ``self.settings`` is the resolved :class:`Settings`.
    """

    def __init__(
        self,
        scenario_name: str = DEFAULT_SCENARIO,
        seed: str | int = "0",
        slider_defaults: dict[str, float] | None = None,
        scenario: object = None,
        **inputs: Any,
    ) -> None:
        self.settings = settings_from_inputs(scenario_name, seed, slider_defaults, **inputs)
        self.slider_defaults = dict(slider_defaults or {})
        super().__init__(
            self.settings.resolved(), ROLES, STRATEGIES, seed=self.settings.seed_value()
        )


def live(model: EcosystemModel) -> LiveRun:
    """The figures kept for ``model`` (built on first use, dropped with the model)."""
    run = _RUNS.get(model)
    if run is None:
        settings = getattr(model, "settings", None)
        run = _RUNS[model] = LiveRun.of(model, settings)
    return run


@solara.component
def Panel(model: EcosystemModel, panel: str, step: int):
    """One of hetsim's panels for ``model`` at ``step``, as a PNG with alt text."""
    run = live(model)
    image = solara.use_memo(lambda: run.frame(panel), [id(model), step, panel])
    source = "data:image/png;base64," + base64.b64encode(image).decode("ascii")
    alt = html.escape(f"{PANELS[panel]}, step {step}")
    solara.HTML(
        tag="div",
        unsafe_innerHTML=f'<img src="{source}" alt="{alt}" title="{alt}" style="width:100%">',
        classes=[f"hetsim-mesa-{panel}"],
    )


def network(model: EcosystemModel):
    """The exchange network: organisations by role, this step's flows by kind."""
    return Panel(model, "network", model.steps)


def timeseries(model: EcosystemModel):
    """Concentration (HHI), dependency, sovereignty, trust and energy over the steps."""
    return Panel(model, "timeseries", model.steps)


def communities(model: EcosystemModel):
    """Accuracy and own-notion fairness gap per community, coloured by strategy."""
    return Panel(model, "communities", model.steps)


def audits(model: EcosystemModel):
    """Audits, violations found and fairness-washing gaps per step."""
    return Panel(model, "audits", model.steps)


def settings_panel(model: EcosystemModel):
    """Status, the equivalent ``hetsim run`` command and untouched sliders that do not run."""
    run = live(model)
    lines = [run.status()]
    settings = getattr(model, "settings", None)
    if settings is not None:
        lines.append(f"Equivalent command: {settings.command()}")
        base = settings.base()
        starts = getattr(model, "slider_defaults", {})
        for name, slider in SLIDERS.items():
            value = slider_value(name, base)
            if name not in settings.moved and name in starts and value != starts[name]:
                lines.append(
                    f"{slider.label}: slider untouched at {starts[name]:g}; "
                    f"{value:g} runs (scenario and interventions)"
                )
    body = "".join(f"<div>{html.escape(line)}</div>" for line in lines)
    return solara.HTML(tag="div", unsafe_innerHTML=body, classes=["hetsim-mesa-settings"])


COMPONENTS = [settings_panel, network, timeseries, communities, audits]
"""hetsim's panels as SolaraViz components, in the hetsim page's order."""


@solara.component
def Page():
    """The SolaraViz page (``hetsim ui --mesa``): one model per browser tab."""
    from mesa.visualization import SolaraViz

    model = solara.use_memo(VizModel, [])
    return SolaraViz(model, components=COMPONENTS, model_params=model_params(), name="hetsim")

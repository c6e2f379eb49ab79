"""The hetsim browser UI: watch power concentrate, change the scenario and interventions live.

Run with ``hetsim ui`` (or ``solara run app.py``). Mesa's SolaraViz gives Reset / Step / Play
and the parameter inputs; the figures come from :mod:`hetsim.ui_components`. Each browser tab
(Solara session) builds its own model inside :func:`Page`; nothing model-related lives at
module level. Page 1 holds the ensemble panel: N seeds of the baseline against one
intervention, run in the background, with the paired effect and its confidence interval.
"""

# Solara components are CamelCase by convention (Page, Status, ...).
# ruff: noqa: N802

from __future__ import annotations

import io
import traceback
from collections.abc import Callable
from typing import Any

import solara
from mesa.visualization import SolaraViz
from mesa.visualization.utils import update_counter

from hetsim import ui_components as ui
from hetsim.agents import ROLES, STRATEGIES
from hetsim.scenarios.builder import load_scenario
from hetsim.scenarios.library import list_interventions, list_scenarios
from hetsim.simulation.model import EcosystemModel
from hetsim.simulation.roles import PHASES
from hetsim.simulation.schema import ScenarioError

DEFAULT_SCENARIO = "status_quo"

# Slider name → (dotted scenario key, label, min, max, step); every value is applied as an
# override of the chosen scenario when the model is (re)built.
SLIDERS: dict[str, tuple[str, str, float, float, float]] = {
    "large_entities": ("large_entities.count", "Large entities", 1, 10, 1),
    "communities": ("communities.count", "Communities", 2, 200, 1),
    "annotators": ("annotators.count", "Annotators", 0, 300, 10),
    "regulators": ("regulators.count", "Regulators", 0, 10, 1),
    "share_propensity": ("communities.share_propensity", "Data-sharing propensity", 0, 1, 0.05),
    "audit_probability": ("regulators.audit_probability", "Audit probability", 0, 1, 0.05),
    "covariate_shift": ("data.covariate_shift", "Covariate shift severity", 0, 2, 0.1),
    "dp_epsilon": (
        "large_entities.effective_epsilon",
        "DP ε of entities' training (20 = off)",
        0.5,
        20,
        0.5,
    ),
}
NO_DP = 20.0  # the DP ε slider's top stands for training without differential privacy


def scenario_defaults(name: str = DEFAULT_SCENARIO) -> dict[str, Any]:
    """The slider values a scenario file sets (or its schema defaults)."""
    spec = load_scenario(name).model_dump()
    out: dict[str, Any] = {}
    for param, (key, *_rest) in SLIDERS.items():
        value: Any = spec
        for part in key.split("."):
            value = value[part]
        out[param] = min(value, NO_DP) if param == "dp_epsilon" else value
    return out


def parse_seed(text: str | int) -> int:
    """The seed typed in the page as an integer >= 0; a clear ScenarioError otherwise."""
    try:
        seed = int(str(text).strip())
    except ValueError:
        raise ScenarioError(f"seed = {text!r}: must be an integer >= 0") from None
    if seed < 0:
        raise ScenarioError(f"seed = {seed}: must be an integer >= 0")
    return seed


class ExplorerModel(EcosystemModel):
    """An :class:`EcosystemModel` built from the page's inputs, as SolaraViz's Reset expects.

    SolaraViz rebuilds a model as ``type(model)(**inputs)``, so this constructor takes the
    page's inputs as keyword arguments. Invalid inputs do not raise: the model keeps the
    message in ``error``, does not step, and the page shows the message.
    """

    def __init__(
        self,
        scenario_name: str = DEFAULT_SCENARIO,
        seed: str | int = "0",
        large_entities: int = 3,
        communities: int = 40,
        annotators: int = 100,
        regulators: int = 3,
        share_propensity: float = 0.5,
        audit_probability: float = 0.1,
        covariate_shift: float = 0.5,
        dp_epsilon: float = NO_DP,
        interventions: Any = (),
        progress: Any = None,
    ) -> None:
        values = {
            "large_entities": large_entities,
            "communities": communities,
            "annotators": annotators,
            "regulators": regulators,
            "share_propensity": share_propensity,
            "audit_probability": audit_probability,
            "covariate_shift": covariate_shift,
            "dp_epsilon": dp_epsilon,
        }
        chosen = (
            interventions.value if isinstance(interventions, solara.Reactive) else interventions
        )
        self.scenario_name = scenario_name
        self.interventions = list(chosen or [])
        self.overrides = [f"{SLIDERS[k][0]}={_number(v)}" for k, v in values.items()]
        if float(dp_epsilon) >= NO_DP:  # the top of the slider: no differential privacy
            self.overrides[-1] = f"{SLIDERS['dp_epsilon'][0]}=inf"
        self.progress = progress
        self.error: str | None = None
        self._stepping = False
        try:
            seed_value = parse_seed(seed)
            spec = load_scenario(scenario_name, self.overrides, self.interventions)
            super().__init__(spec, ROLES, STRATEGIES, seed=seed_value)
        except (ScenarioError, ValueError) as exc:
            import mesa

            mesa.Model.__init__(self, rng=0)
            self.error = f"Invalid input: {exc}"
            self.running = False

    def step(self) -> None:
        """One step, unless the inputs were invalid; a failing step stops the run with a message."""
        if self.error:
            return
        self._stepping = True
        try:
            super().step()
        except Exception as exc:
            traceback.print_exc()
            self.error = f"step {self.steps} failed: {type(exc).__name__}: {exc}"
            self.running = False
        finally:
            self._stepping = False
            self._report("")

    def _run_phase(self, phase: str) -> None:
        if self._stepping:
            where = PHASES.index(phase) + 1 if phase in PHASES else "?"
            self._report(f"running step {self.steps}: {phase} ({where}/{len(PHASES)})")
        super()._run_phase(phase)

    def _report(self, text: str) -> None:
        if isinstance(self.progress, solara.Reactive):
            self.progress.value = text


def _number(value: float) -> str:
    value = float(value)
    return str(int(value)) if value.is_integer() else f"{value:.6g}"


def model_params(interventions: solara.Reactive, progress: solara.Reactive) -> dict[str, Any]:
    """SolaraViz's inputs: scenario, seed, sliders; interventions and progress are per session."""
    defaults = scenario_defaults()
    params: dict[str, Any] = {
        "scenario_name": {
            "type": "Select",
            "value": DEFAULT_SCENARIO,
            "values": list_scenarios(),
            "label": "Scenario",
        },
        "seed": {"type": "InputText", "value": "0", "label": "Seed (integer ≥ 0)"},
    }
    for name, (_key, label, low, high, step) in SLIDERS.items():
        is_int = float(step).is_integer()
        params[name] = {
            "type": "SliderInt" if is_int else "SliderFloat",
            "value": int(defaults[name]) if is_int else float(defaults[name]),
            "label": label,
            "min": low,
            "max": high,
            "step": step,
        }
    params["interventions"] = interventions
    params["progress"] = progress
    return params


# ------------------------------------------------------------------ components
def _png(figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=90)
    return buffer.getvalue()


def _figure(css_class: str, model: ExplorerModel, draw: Callable[[], Any]) -> None:
    """A figure drawn once per model and step, or the model's error message."""
    image = solara.use_memo(lambda: None if model.error else _png(draw()), [id(model), model.steps])
    if image is None:
        solara.Error(model.error)
        return
    with solara.Div(classes=[css_class], style={"width": "100%"}):
        solara.Image(image, format="png", width="100%")


def NetworkView(model: ExplorerModel):
    """The exchange network at this step."""
    _figure("hetsim-network", model, lambda: ui.network_figure(model))


def TimeSeriesView(model: ExplorerModel):
    """Concentration, dependency, sovereignty, trust and energy over time."""
    _figure(
        "hetsim-timeseries", model, lambda: ui.time_series_figure(model.recorder.metrics_table())
    )


def CommunityView(model: ExplorerModel):
    """Per-community accuracy and own-notion fairness gap, worst-served first."""
    _figure("hetsim-communities", model, lambda: ui.community_figure(model))


def AuditView(model: ExplorerModel):
    """Audits, violations and the reported-gap error."""
    _figure("hetsim-audits", model, lambda: ui.audit_figure(model.recorder.metrics_table()))


@solara.component
def Status(model: ExplorerModel, progress: solara.Reactive):
    """The one-line status: step and key figures, progress while a step runs, or the error."""
    update_counter.get()
    text = model.error or ui.status_line(model)
    with solara.Div(
        classes=["hetsim-status"],
        style={
            "padding": "8px 14px",
            "font-size": "15px",
            "background": "#eef3f8",
            "border-radius": "6px",
        },
    ):
        solara.Text(text)
    with solara.Div(classes=["hetsim-progress"], style={"min-height": "22px", "padding": "0 12px"}):
        if progress.value:
            solara.ProgressLinear(True)
            solara.Text(progress.value)


@solara.component
def EnsemblePanel(model: ExplorerModel):
    """N seeds of the current settings against one more intervention, paired, in the background."""
    options = [name for name in list_interventions() if name not in model.interventions]
    choice = solara.use_reactive(options[0] if options else None)
    n_seeds = solara.use_reactive(5)
    steps = solara.use_reactive(20)
    done = solara.use_reactive((0, 0))
    result = solara.use_reactive(None)
    error = solara.use_reactive(None)

    def run() -> None:
        error.set(None)
        result.set(None)
        done.set((0, 2 * n_seeds.value))
        try:
            effects = ui.paired_ensemble(
                model.scenario_name,
                model.overrides,
                model.interventions,
                choice.value,
                list(range(n_seeds.value)),
                steps.value,
                on_progress=lambda d, t: done.set((d, t)),
            )
        except (ScenarioError, ValueError) as exc:
            error.set(str(exc))
            return
        except Exception as exc:  # shown in the page; the traceback goes to the server log
            traceback.print_exc()
            error.set(f"ensemble failed: {type(exc).__name__}: {exc}")
            return
        result.set(effects)

    task = solara.lab.use_task(run, dependencies=None, prefer_threaded=True)

    with solara.Card("Ensemble: baseline vs one intervention, paired by seed"):
        solara.Markdown(
            "Baseline: the scenario as set in the sidebar (sliders and interventions). "
            "The other arm adds the intervention chosen here; both run on the same seeds."
        )
        if not options:
            solara.Warning("No interventions available (scenarios/interventions/ is empty).")
            return
        solara.Select("Intervention", values=options, value=choice)
        solara.SliderInt("Seeds", value=n_seeds, min=2, max=20)
        solara.SliderInt("Steps per run", value=steps, min=5, max=100, step=5)
        solara.Button(
            "Run ensemble",
            color="primary",
            on_click=task,
            disabled=task.pending or not choice.value,
        )
        d, t = done.value
        with solara.Div(classes=["hetsim-ensemble-progress"]):
            if task.pending:
                solara.ProgressLinear(100 * d / t if t else True)
                solara.Text(f"{d} of {t} runs done")
        if error.value:
            solara.Error(error.value)
        if result.value is not None:
            effects = result.value
            solara.Image(_png(ui.ensemble_figure(effects)), format="png", width="100%")
            rows = effects[effects["window"] == "last10pct"]
            lines = [
                "| metric | baseline | intervention | difference (95% CI) | p (Holm) |",
                "|---|---|---|---|---|",
            ]
            for _, r in rows.iterrows():
                lines.append(
                    f"| {r['metric']} | {r['baseline_mean']:.3f} | {r['mean']:.3f} | "
                    f"{r['diff_mean']:+.3f} [{r['diff_ci_low']:+.3f}, {r['diff_ci_high']:+.3f}]"
                    f" | {r['p_adjusted']:.3f} |"
                )
            with solara.Div(classes=["hetsim-ensemble-result"]):
                solara.Markdown("\n".join(lines))


@solara.component
def Page():
    """One session's page: its own model, inputs, status line and components."""
    interventions = solara.use_reactive([])
    progress = solara.use_reactive("")
    first = solara.use_memo(
        lambda: ExplorerModel(
            **scenario_defaults(), interventions=interventions, progress=progress
        ),
        [],
    )
    model = solara.use_reactive(first)
    params = solara.use_memo(lambda: model_params(interventions, progress), [])

    with solara.Sidebar(), solara.Card("Interventions (applied on Reset)"):
        names = list_interventions()
        if names:
            solara.SelectMultiple(
                "Interventions",
                values=interventions.value,
                all_values=names,
                on_value=interventions.set,
            )
        else:
            solara.Text("No interventions shipped yet.")
    Status(model.value, progress)
    SolaraViz(
        model,
        components=[
            (NetworkView, 0),
            (TimeSeriesView, 0),
            (CommunityView, 0),
            (AuditView, 0),
            (EnsemblePanel, 1),
        ],
        model_params=params,
        name="hetsim — power in the ML ecosystem",
    )


page = Page()

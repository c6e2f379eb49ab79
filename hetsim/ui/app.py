"""The hetsim browser page: choose a scenario and interventions, watch power concentrate.

Served by ``hetsim ui`` (``solara run hetsim.ui.app``). Each browser tab (Solara session) builds
its own run inside :func:`Page`; nothing model-related lives at module level. Tabs: *Run* (the
figures, downloads), *Lending* (when the lending domain is on), *Settings in force*, and
*Ensemble* (``hetsim compare`` for the page's settings, in the background).
"""

# Solara components are CamelCase by convention.
# ruff: noqa: N802

from __future__ import annotations

import base64
import dataclasses
import html
import threading
import traceback

import solara
import solara.lab

from hetsim.scenarios.library import list_interventions, list_scenarios
from hetsim.simulation.schema import ScenarioError
from hetsim.ui import export
from hetsim.ui.ensemble_panel import EnsemblePanel
from hetsim.ui.live import PANELS, LiveRun
from hetsim.ui.render import download_png_bytes, svg_bytes
from hetsim.ui.settings import (
    SLIDERS,
    Settings,
    describe,
    scenario_description,
    settings_in_force,
    slider_value,
)
from hetsim.ui.widgets import CommittedMultiSelect, CommittedSelect, CommittedSlider, CommittedText

CSS = """
.hetsim-status { padding: 8px 14px; font-size: 15px; border-radius: 6px;
                 background: #eef3f8; color: #14202b; }
.hetsim-status .hetsim-loaded { font-size: 13px; color: #33485c; }
.hetsim-figure img { width: 100%; height: auto; background: white; }
.hetsim-page { padding-bottom: 64px; }
.hetsim-table td, .hetsim-table th { padding: 2px 8px; text-align: left; }
.hetsim-significant { color: #b0223a; font-weight: bold; }
.hetsim-pending { color: #8a5a00; font-size: 13px; }
"""
RUN_PANELS = ("network", "timeseries", "communities", "audits")


def _settings_changed(run: LiveRun, settings: Settings) -> bool:
    return dataclasses.asdict(run.settings) != dataclasses.asdict(settings)


@solara.component
def Figure(run: LiveRun, panel: str, step: int, lock: threading.Lock):
    """One panel's frame at this step, with its alt text and PNG/SVG downloads."""

    def draw() -> bytes | None:
        with lock:
            return run.frames([panel]).get(panel)

    image = solara.use_memo(draw, [id(run), step, panel])
    if image is None:
        return
    source = "data:image/png;base64," + base64.b64encode(image).decode("ascii")
    alt = html.escape(f"{PANELS[panel]}, step {step}")
    with solara.Div(classes=[f"hetsim-{panel}", "hetsim-figure"]):
        solara.HTML(tag="div", unsafe_innerHTML=f'<img src="{source}" alt="{alt}" title="{alt}">')
        with solara.Row():

            def figure_file(kind: str):
                def data() -> bytes:
                    with lock:
                        figure = run.figure(panel)
                        return svg_bytes(figure) if kind == "svg" else download_png_bytes(figure)

                return data

            for kind in ("png", "svg"):
                solara.FileDownload(
                    figure_file(kind),
                    filename=f"hetsim-{panel}-step{step}.{kind}",
                    label=f"{kind.upper()}",
                    mime_type="image/svg+xml" if kind == "svg" else "image/png",
                )


@solara.component
def Status(run: LiveRun, settings: Settings, step: int, busy: bool):
    """What is loaded (scenario, seed, interventions), the step and key figures, or the error."""
    with solara.Div(classes=["hetsim-status"]):
        if busy:
            solara.ProgressLinear(True)
            solara.Text("Rebuilding the model…")
        solara.Text(run.error or run.status(), classes=["hetsim-step"])
        solara.Div(children=[f"Loaded: {describe(run.settings)}"], classes=["hetsim-loaded"])
        if _settings_changed(run, settings):
            solara.Div(
                children=["Inputs changed: press Reset to build the model from them."],
                classes=["hetsim-pending"],
            )


@solara.component
def SettingsPanel(run: LiveRun):
    """The loaded scenario's description and every value in force that differs from its file."""
    settings = run.settings
    try:
        rows = settings_in_force(settings)
    except (ScenarioError, ValueError) as exc:
        solara.Error(f"Invalid input: {exc}")
        return
    solara.Text(f"Equivalent command: {settings.command()}", classes=["hetsim-command"])
    body = "".join(
        f"<tr><td><code>{html.escape(r['key'])}</code></td><td>{html.escape(str(r['file']))}</td>"
        f"<td><b>{html.escape(str(r['in force']))}</b></td><td>{html.escape(r['set by'])}</td></tr>"
        for r in rows
    )
    table = (
        "<table class='hetsim-table hetsim-settings'><tr><th>key</th><th>in the scenario file"
        "</th><th>in force</th><th>set by</th></tr>" + body + "</table>"
        if rows
        else "<p class='hetsim-settings'>Every value is the scenario file's.</p>"
    )
    solara.HTML(tag="div", unsafe_innerHTML=table)
    solara.HTML(
        tag="pre",
        unsafe_innerHTML=html.escape(scenario_description(settings.scenario)),
        style={"white-space": "pre-wrap", "font-size": "13px"},
    )


@solara.component
def Sidebar(
    settings: solara.Reactive, on_reset, on_step, on_play, playing: bool, busy: bool, running: bool
):
    """Scenario, seed, interventions, sliders and the run controls."""
    current: Settings = settings.value

    def commit(**changes) -> None:
        settings.set(dataclasses.replace(settings.value, **changes))

    def choose(**changes) -> None:  # a new scenario or interventions: sliders follow them
        settings.set(settings.value.choose(**changes))

    with solara.Row():
        solara.Button(
            "Reset",
            icon_name="mdi-restore",
            color="primary",
            on_click=on_reset,
            disabled=busy,
            attributes={"aria-label": "Reset"},
        )
        solara.Button(
            "Step",
            icon_name="mdi-skip-next",
            color="primary",
            on_click=on_step,
            disabled=busy or playing or not running,
        )
        solara.Button(
            "Pause" if playing else "Play",
            icon_name="mdi-pause" if playing else "mdi-play",
            color="primary",
            on_click=on_play,
            disabled=busy or not running,
        )
    if busy:
        solara.v.ProgressCircular(indeterminate=True, size=20, color="primary")
    CommittedSelect(
        "Scenario", list_scenarios(), current.scenario, lambda name: choose(scenario=name)
    )
    try:
        description = scenario_description(current.scenario).split("\n\n")[0]
    except (ScenarioError, OSError):
        description = ""
    solara.Text(description, style={"font-size": "12px"}, classes=["hetsim-description"])
    CommittedText("Seed (integer ≥ 0)", current.seed, lambda text: commit(seed=text))
    CommittedMultiSelect(
        "Interventions",
        list_interventions(),
        current.interventions,
        lambda names: choose(interventions=tuple(names)),
    )
    try:
        base = current.base()
    except (ScenarioError, ValueError) as exc:
        solara.Error(f"Invalid input: {exc}")
        return
    for name, slider in SLIDERS.items():

        def on_commit(value, name=name):
            settings.set(settings.value.move(name, value))

        scenario_value = slider_value(name, base)
        CommittedSlider(slider, current.moved.get(name, scenario_value), scenario_value, on_commit)


@solara.component
def Page():
    """One session's page: its own settings, run, controls and tabs."""
    settings = solara.use_reactive(Settings())
    run = solara.use_reactive(solara.use_memo(lambda: LiveRun(Settings()), []))
    revision = solara.use_reactive(0)  # bumped after every step: renders the visible figures
    playing = solara.use_reactive(False)
    tab = solara.use_reactive(0)
    lock = solara.use_memo(threading.Lock, [])

    def rebuild() -> None:
        built = LiveRun(settings.value)
        run.set(built)

    rebuilding = solara.lab.use_task(rebuild, dependencies=None, prefer_threaded=True)

    def on_reset() -> None:
        playing.set(False)
        rebuilding()

    def on_step() -> None:
        run.value.step()
        revision.set(revision.value + 1)  # also shows the message of a failed step

    def play_loop() -> None:
        current = run.value
        try:
            while playing.value and current is run.value and current.step():
                revision.set(revision.value + 1)  # renders the visible figures, then steps on
        except Exception:
            traceback.print_exc()
        if playing.value and current is run.value:  # the run ended or failed
            playing.set(False)
            revision.set(revision.value + 1)

    solara.use_thread(play_loop, dependencies=[playing.value, id(run.value)])
    busy = rebuilding.pending
    _ = revision.value  # read in render, so every bump redraws the page
    live = run.value
    solara.Style(CSS)
    solara.Title("hetsim — power in the ML ecosystem")
    with solara.Sidebar():
        Sidebar(
            settings,
            on_reset,
            on_step,
            lambda: playing.set(not playing.value),
            playing.value,
            busy,
            live.running,
        )
    with solara.Column(classes=["hetsim-page"]):
        Status(live, settings.value, live.steps, busy)
        names = [
            "Run",
            *(["Lending"] if "lending" in live.panels() else []),
            "Settings in force",
            "Ensemble",
            "Downloads",
        ]
        with solara.lab.Tabs(value=tab, align="left"):
            for name in names:
                with solara.lab.Tab(name):
                    if name == "Run":
                        if live.error and live.model is None:
                            solara.Error(live.error)
                        else:
                            with solara.GridFixed(columns=2):
                                for panel in RUN_PANELS:
                                    Figure(live, panel, live.steps, lock)
                    elif name == "Lending":
                        Figure(live, "lending", live.steps, lock)
                    elif name == "Settings in force":
                        SettingsPanel(live)
                    elif name == "Ensemble":
                        EnsemblePanel(live.settings)
                    else:
                        Downloads(live, live.steps, lock)


@solara.component
def Downloads(run: LiveRun, step: int, lock: threading.Lock):
    """The run's tables with their manifest, as Parquet or CSV in a zip."""
    if run.model is None:
        solara.Error(run.error or "no model")
        return
    solara.Text(
        f"Tables of the {step} step(s) run so far, with manifest.json "
        "(scenario resolved, seed, interventions, moved sliders, versions)."
    )
    for fmt in export.FORMATS:

        def data(fmt=fmt) -> bytes:
            with lock:
                return export.run_zip(run.model, run.settings, fmt)

        solara.FileDownload(
            data,
            filename=f"hetsim-run-step{step}-{fmt}.zip",
            label=f"Tables as {fmt.upper()} (zip)",
            mime_type="application/zip",
        )

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
import contextlib
import ctypes
import dataclasses
import gc
import html
import itertools
import threading
from collections.abc import Callable
from typing import Any

import solara
import solara.lab

from hetsim.scenarios.library import list_interventions, list_scenarios
from hetsim.simulation.schema import ScenarioError
from hetsim.ui import export
from hetsim.ui.ensemble_panel import EnsemblePanel
from hetsim.ui.live import PANELS, LiveRun
from hetsim.ui.player import Player
from hetsim.ui.render import download_png_bytes, legend_px, svg_bytes
from hetsim.ui.settings import (
    SLIDERS,
    Settings,
    choice_notice,
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
.hetsim-figure img { width: auto; max-width: 100%; height: auto; background: white; }
.hetsim-figures { display: grid; gap: 12px; width: 100%;
                  grid-template-columns: repeat(auto-fill, minmax(576px, 1fr)); }
.hetsim-page { padding-bottom: 64px; }
.hetsim-table td, .hetsim-table th { padding: 2px 8px; text-align: left; }
.hetsim-significant { color: #b0223a; font-weight: bold; }
.hetsim-pending { color: #8a5a00; font-size: 13px; }
.hetsim-notice { color: #7a4d00; background: #fff4e0; font-size: 13px; padding: 4px 8px;
                 border-radius: 4px; margin-top: 4px; }
"""
RUN_PANELS = ("network", "timeseries", "communities", "audits")


def _settings_changed(run: LiveRun, settings: Settings) -> bool:
    return dataclasses.asdict(run.settings) != dataclasses.asdict(settings)


def _legend_px(run: LiveRun, panel: str) -> float:
    with run.lock:  # the play thread may be updating the figure
        return legend_px(run.figure(panel))


def _figure_files(run: LiveRun, panel: str) -> dict[str, Callable[[], bytes]]:
    """The panel's PNG and SVG downloads, drawn when clicked."""

    def figure_file(kind: str) -> Callable[[], bytes]:
        def data() -> bytes:
            with run.lock:
                figure = run.figure(panel)
                return svg_bytes(figure) if kind == "svg" else download_png_bytes(figure)

        return data

    return {kind: figure_file(kind) for kind in ("png", "svg")}


@solara.component
def Figure(run: LiveRun, panel: str, step: int):
    """One panel's frame at this step, with its alt text and PNG/SVG downloads."""
    image = solara.use_memo(lambda: run.frames([panel]).get(panel), [id(run), step, panel])
    legend = solara.use_memo(lambda: _legend_px(run, panel), [id(run), panel])  # hooks first
    # the same callables on every step: FileDownload starts a thread whenever its data changes
    files = solara.use_memo(lambda: _figure_files(run, panel), [id(run), panel])
    if image is None:
        return
    source = "data:image/png;base64," + base64.b64encode(image).decode("ascii")
    alt = html.escape(f"{PANELS[panel]}, step {step}")
    with solara.Div(classes=[f"hetsim-{panel}", "hetsim-figure"]):
        solara.HTML(
            tag="div",
            unsafe_innerHTML=f'<img src="{source}" alt="{alt}" title="{alt}" '
            f'data-legend-px="{legend:.2f}">',
        )
        with solara.Row():
            for kind in ("png", "svg"):
                solara.FileDownload(
                    files[kind],
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
    solara.Text(f"Equivalent command: {settings.command()}", classes=["hetsim-run-command"])
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


def _headline(scenario: str) -> str:
    try:
        return scenario_description(scenario).split("\n\n")[0]
    except (ScenarioError, OSError):
        return ""


def _base(settings: Settings):
    """The scenario with its interventions, or the message saying why it is invalid."""
    try:
        return settings.base()
    except (ScenarioError, ValueError) as exc:
        return f"Invalid input: {exc}"


@solara.component
def Controls(
    run: LiveRun,
    revision: solara.Reactive,
    player: Player,
    busy: bool,
    on_reset: Callable[[], None],
    on_change: Callable[[], None],
):
    """Reset, Step and Play/Pause, with a spinner while the model is rebuilt.

    The Play/Pause label is the player's state when rendered, and every change of that state
    (a click, a step, the end of the run) renders again, so the label says Pause iff play is on.
    """
    _ = revision.value  # re-rendered after every step: Step and Play follow the run's state
    playing = player.playing

    def on_step() -> None:
        run.step()
        on_change()  # also shows the message of a failed step

    def on_play() -> None:
        player.toggle()
        on_change()

    with solara.Row():
        solara.Button(
            "Reset", icon_name="mdi-restore", color="primary", on_click=on_reset, disabled=busy
        )
        solara.Button(
            "Step",
            icon_name="mdi-skip-next",
            color="primary",
            on_click=on_step,
            disabled=busy or playing or not run.running,
        )
        solara.Button(  # a Play pressed during a rebuild plays the new model
            "Pause" if playing else "Play",
            icon_name="mdi-pause" if playing else "mdi-play",
            color="primary",
            on_click=on_play,
            disabled=not (busy or playing or run.running),
            classes=["hetsim-play"],
        )
    if busy:
        solara.v.ProgressCircular(indeterminate=True, size=20, color="primary")


@solara.component
def Inputs(settings: solara.Reactive):
    """Scenario, seed, interventions and sliders; each commits when the user changes it."""
    current: Settings = settings.value
    notice = solara.use_reactive("")

    def choose(**changes) -> None:  # a new scenario or interventions: sliders follow them
        before = settings.value
        after = before.choose(**changes)
        notice.set(choice_notice(before, after))
        settings.set(after)

    CommittedSelect(
        "Scenario", list_scenarios(), current.scenario, lambda name: choose(scenario=name)
    )
    description = solara.use_memo(lambda: _headline(current.scenario), [current.scenario])
    solara.Text(description, style={"font-size": "12px"}, classes=["hetsim-description"])
    CommittedText(
        "Seed (integer ≥ 0)",
        current.seed,
        lambda text: settings.set(dataclasses.replace(settings.value, seed=text)),
    )
    CommittedMultiSelect(
        "Interventions",
        list_interventions(),
        current.interventions,
        lambda names: choose(interventions=tuple(names)),
    )
    if notice.value:
        solara.Div(children=[notice.value], classes=["hetsim-notice"])
    base = solara.use_memo(lambda: _base(current), [current.scenario, current.interventions])
    if isinstance(base, str):
        solara.Error(base)
        return
    choice = "+".join([current.scenario, *current.interventions])  # a new one remounts sliders
    for name, slider in SLIDERS.items():

        def on_commit(value, name=name):
            notice.set("")
            settings.set(settings.value.move(name, value))

        scenario_value = slider_value(name, base)
        value = current.moved.get(name, scenario_value)
        CommittedSlider(slider, value, scenario_value, on_commit).key(f"{name}-{choice}")


@solara.component
def Main(
    run: LiveRun,
    settings: Settings,
    revision: solara.Reactive,
    tab: solara.Reactive,
    visible: Any,
    busy: bool,
):
    """The status line and the tabs; re-rendered after every step."""
    _ = revision.value
    Status(run, settings, run.steps, busy)
    names = [
        "Run",
        *(["Lending"] if "lending" in run.panels() else []),
        "Settings in force",
        "Ensemble",
        "Downloads",
    ]
    open_tab = names[min(tab.value, len(names) - 1)]
    visible.current = {"Run": RUN_PANELS, "Lending": ("lending",)}.get(open_tab, ())
    with solara.lab.Tabs(value=tab, align="left"):
        for name in names:
            solara.lab.Tab(name)
    with solara.Column(style={"width": "100%"}, classes=["hetsim-tab"]):
        if open_tab == "Run":
            if run.model is None:
                solara.Error(run.error)
            else:
                with solara.Div(classes=["hetsim-figures"]):  # 2 columns when they fit
                    for panel in RUN_PANELS:
                        Figure(run, panel, run.steps)
        elif open_tab == "Lending":
            Figure(run, "lending", run.steps)
        elif open_tab == "Settings in force":
            SettingsPanel(run)
        elif open_tab == "Downloads":
            Downloads(run, run.steps)
        # always mounted, so a result survives a visit to another tab
        with solara.Div(style={} if open_tab == "Ensemble" else {"display": "none"}):
            EnsemblePanel(run.settings)


def release_memory() -> None:
    """Give freed heap back to the operating system (glibc keeps it for reuse otherwise)."""
    with contextlib.suppress(OSError, AttributeError):  # not glibc: nothing to do
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def _connection_check() -> Callable[[], bool]:
    """Whether a browser page of this session is still connected (always True outside a server)."""
    try:
        from solara.server import kernel_context

        context = kernel_context.get_current_context()
    except Exception:  # a notebook or a test: no server session to watch
        return lambda: True
    connected = kernel_context.PageStatus.CONNECTED
    return lambda: not context.page_status or connected in context.page_status.values()


@solara.component
def Page():
    """One session's page: its own settings, run, player, controls and tabs."""
    settings = solara.use_reactive(Settings())
    run = solara.use_reactive(solara.use_memo(lambda: LiveRun(Settings()), []))
    revision = solara.use_reactive(0)  # a new value after every change: renders the page again
    counter = solara.use_memo(lambda: itertools.count(1), [])
    tab = solara.use_reactive(0)
    visible = solara.use_ref(RUN_PANELS)  # panels of the open tab: play draws them each step

    def changed() -> None:  # from any thread; next() is atomic, so no change is lost
        revision.set(next(counter))

    def make_player() -> Player:
        player = Player(changed, lambda: visible.current, _connection_check())
        player.load(run.value)
        return player

    player = solara.use_memo(make_player, [])

    def release() -> None:  # the session closes: play stops, the model and figures go
        player.close()
        run.value.close()
        gc.collect()  # figures and models hold reference cycles: free them now, not later
        release_memory()

    solara.use_effect(lambda: release, [])

    building = solara.use_reactive(0)  # Resets under way (a spinner while > 0)
    latest = solara.use_ref(0)  # the last Reset: an earlier one finishing later is dropped

    def on_reset() -> None:
        player.pause()
        player.load(None)
        latest.current += 1
        ticket, chosen = latest.current, settings.value
        building.set(ticket)

        def build() -> None:  # a plain thread: nothing keeps it after the session closes
            built = LiveRun(chosen)
            if ticket == latest.current:
                run.set(built)
                player.load(built)
                building.set(0)

        threading.Thread(target=build, name="hetsim-reset", daemon=True).start()

    busy = building.value > 0
    solara.Style(CSS)
    solara.Title("hetsim — power in the ML ecosystem")
    with solara.Sidebar():
        Controls(run.value, revision, player, busy, on_reset, changed)
        Inputs(settings)
    with solara.Column(classes=["hetsim-page"]):
        Main(run.value, settings.value, revision, tab, visible, busy)


@solara.component
def Downloads(run: LiveRun, step: int):
    """The run's tables with their manifest, as Parquet or CSV in a zip."""
    files = solara.use_memo(lambda: _table_files(run), [id(run)])  # stable: see Figure
    if run.model is None:
        solara.Error(run.error or "no model")
        return
    solara.Text(
        f"Tables of the {step} step(s) run so far, with manifest.json "
        "(scenario resolved, seed, interventions, moved sliders, versions)."
    )
    for fmt in export.FORMATS:
        solara.FileDownload(
            files[fmt],
            filename=f"hetsim-run-step{step}-{fmt}.zip",
            label=f"Tables as {fmt.upper()} (zip)",
            mime_type="application/zip",
        )


def _table_files(run: LiveRun) -> dict[str, Callable[[], bytes]]:
    """The run's tables as a zip per format, written when clicked."""

    def table_file(fmt: str) -> Callable[[], bytes]:
        def data() -> bytes:
            with run.lock:
                return export.run_zip(run.model, run.settings, fmt)

        return data

    return {fmt: table_file(fmt) for fmt in export.FORMATS}

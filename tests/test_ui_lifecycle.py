"""The UI's mechanisms without a browser: play ends and never runs twice, inputs say what they
do, figures do not hide what they show."""

from __future__ import annotations

import threading

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest

from hetsim.scenarios.builder import build_model, load_scenario
from hetsim.simulation.schema import ScenarioError
from hetsim.ui.figures import HHI_STYLE, TimeSeriesFigure
from hetsim.ui.live import LiveRun
from hetsim.ui.network import NetworkFigure
from hetsim.ui.player import Player
from hetsim.ui.settings import Settings, choice_notice, parse_seed

TINY = Settings().move("communities", 2).move("annotators", 0)


def test_the_model_stops_running_at_its_planned_step_but_can_still_step():
    model = build_model(load_scenario("status_quo", ["run.steps=3", "communities.count=2"]))
    for _ in range(2):
        model.step()
    assert model.running
    model.step()
    assert not model.running  # Mesa's convention: SolaraViz's and hetsim's Play stop here
    model.step()  # a runner asked for more steps may go on
    assert model.steps == 4


def test_play_runs_one_worker_and_stops_at_the_end():
    run = LiveRun(TINY)
    done = threading.Event()
    workers = []

    def changed():
        workers.append(sum(t.name == "hetsim-play" for t in threading.enumerate()))
        if not player.playing or run.steps > 100:  # stopped, or played past the end
            done.set()

    player = Player(changed)
    player.load(run)
    for _ in range(5):  # fast clicks: play, pause, play, pause, play
        player.toggle()
    assert player.playing
    assert done.wait(300)
    stopped_by_itself = not player.playing
    player.pause()
    assert stopped_by_itself and run.steps == 100 and not run.running
    assert max(workers) == 1  # never two loops on one run
    player.play()  # a finished run does not play again
    assert not player.playing


def test_a_disconnected_page_pauses_play():
    run = LiveRun(TINY)
    stopped = threading.Event()
    player = Player(lambda: None if player.playing else stopped.set(), connected=lambda: False)
    player.load(run)
    player.play()
    assert stopped.wait(60)
    assert run.steps <= 1 and not player.playing


def test_a_seed_beyond_the_cli_range_is_refused_with_the_cli_message():
    with pytest.raises(ScenarioError, match=r"--seed = 9{23}: .*range of run\.seed"):
        parse_seed("9" * 23)
    assert parse_seed(str(2**63 - 1)) == 2**63 - 1


def test_an_intervention_resets_only_the_moved_sliders_it_sets_and_says_so():
    before = Settings().move("audit_probability", 0.3).move("communities", 50)
    after = before.choose(interventions=("audit_regime",))
    assert after.moved == {"communities": 50.0}
    assert choice_notice(before, after) == (
        "Moved slider(s) reset by the interventions audit_regime: Audit probability 0.3 → 0.6. "
        "Move again to override."
    )
    assert choice_notice(after, after.choose(interventions=("audit_regime",))) == ""


def test_the_network_title_does_not_overlap_its_legend_and_entrants_are_hollow():
    model = build_model(load_scenario("status_quo", ["communities.count=6"]))
    model.step()
    net = NetworkFigure(model)
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    renderer = FigureCanvasAgg(net.figure).get_renderer()
    title = net.title.get_window_extent(renderer)
    (legend,) = net.figure.legends
    assert not title.overlaps(legend.get_window_extent(renderer))
    _names, dots = net.nodes["large_entity"]
    filled = [tuple(f) != (1.0, 1.0, 1.0, 1.0) for f in dots.get_facecolors()]
    assert sum(filled) == int(model.entity_arrays.active.sum()) < len(filled)


def test_the_hhi_lines_differ_in_dash_and_marker_so_none_hides_another():
    series = TimeSeriesFigure(10)
    styles = {(series.lines[c].get_linestyle(), series.lines[c].get_marker()) for c in HHI_STYLE}
    assert len(styles) == len(HHI_STYLE)
    thin_on_top = sorted(HHI_STYLE, key=lambda c: series.lines[c].get_zorder())
    widths = [series.lines[c].get_linewidth() for c in thin_on_top]
    assert widths[0] == max(widths) and np.all(np.diff(widths[1:]) >= 0)


def test_play_pressed_while_reset_builds_plays_the_new_model():
    stepped = threading.Event()
    player = Player(lambda: stepped.set() if new.steps else None)
    player.load(LiveRun(TINY))
    player.load(None)  # Reset: the old run is let go while the new one is built
    player.play()  # pressed at once
    assert player.playing
    new = LiveRun(TINY)
    player.load(new)
    assert stepped.wait(60)
    player.pause()
    assert new.steps >= 1


@pytest.mark.parametrize(
    ("argv", "module", "install"),
    [
        (["ui", "--port", "8799"], "solara", "make ui"),
        (
            [
                *("discover", "status_quo", "--intervention", "public_compute"),
                *("--outcome", "dependency_share", "--uncertain", "communities.budget=1:10"),
            ],
            "ema_workbench",
            ".[explore]",
        ),
    ],
)
def test_a_command_without_its_extra_says_how_to_install_it_and_runs_nothing(
    argv, module, install, monkeypatch, capsys
):
    """A runtime-only install (`make run`) lacks the ui and explore extras: the command exits 2
    with one line naming the missing package and the install command, before any work."""
    import importlib.util

    from hetsim import api
    from hetsim.cli import main
    from hetsim.commands import ui

    found = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == module else found(name)
    )
    started: list[object] = []
    monkeypatch.setattr(ui, "serve", lambda cmd, env: started.append(cmd) or 0)
    monkeypatch.setattr(api, "discover", lambda *a, **k: started.append(a) or 0)
    assert main(argv) == 2
    message = capsys.readouterr().err.strip().splitlines()
    assert len(message) == 1 and module in message[0] and install in message[0]
    assert started == []

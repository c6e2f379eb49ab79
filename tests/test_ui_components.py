"""The UI without a browser: settings resolve as the CLI does, figures draw what the model holds."""

from __future__ import annotations

import importlib.util
import io
import json
import os
import shlex
import signal
import subprocess
import sys
import textwrap
import time
import zipfile
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PathCollection

from hetsim.cli import main as hetsim_main
from hetsim.scenarios.builder import build_model, load_scenario
from hetsim.ui import ensemble, export, figures, network
from hetsim.ui.ensemble_panel import comparison_html
from hetsim.ui.live import LiveRun
from hetsim.ui.settings import NO_DP, SLIDERS, Settings, settings_in_force, slider_value

SMALL = [
    "communities.count=8",
    "annotators.count=10",
    "large_entities.count=2",
    "regulators.count=2",
]


@pytest.fixture(scope="module")
def stepped_model():
    model = build_model(load_scenario("status_quo", SMALL), seed=1)
    for _ in range(4):
        model.step()
    return model


# ------------------------------------------------------------------ settings: what you set runs
def test_sliders_start_at_the_scenario_value_after_its_interventions():
    audited = Settings(interventions=("audit_regime",))
    assert audited.slider_values()["audit_probability"] == pytest.approx(0.6)
    assert audited.overrides() == []  # an untouched slider overrides nothing
    assert audited.resolved().regulators.audit_probability == pytest.approx(0.6)
    private = Settings(interventions=("dp_mandate",)).resolved()
    assert private.large_entities.effective_epsilon == pytest.approx(1.0)
    patchwork = Settings(scenario="regulatory_patchwork")
    assert patchwork.slider_values()["regulators"] == 4
    assert patchwork.resolved().regulators.count == 4


def test_a_moved_slider_becomes_an_override_applied_after_the_interventions():
    moved = Settings(interventions=("audit_regime",)).move("audit_probability", 0.3)
    assert moved.overrides() == ["regulators.audit_probability=0.3"]
    assert moved.resolved().regulators.audit_probability == pytest.approx(0.3)
    back = moved.move("audit_probability", 0.6)  # moved back to the scenario's value
    assert back.overrides() == []
    top = Settings().move("dp_epsilon", NO_DP)
    assert np.isinf(top.resolved().large_entities.effective_epsilon)


def test_choosing_a_scenario_or_interventions_returns_the_sliders_to_their_values():
    moved = Settings().move("regulators", 1)
    chosen = moved.choose(scenario="regulatory_patchwork")
    assert chosen.moved == {}
    assert chosen.slider_values()["regulators"] == 4


def test_settings_in_force_name_each_changed_key_and_what_set_it():
    settings = Settings(interventions=("audit_regime",)).move("communities", 12)
    rows = {r["key"]: r for r in settings_in_force(settings)}
    audit = rows["regulators.audit_probability"]
    assert (audit["file"], audit["in force"], audit["set by"]) == (0.1, 0.6, "audit_regime")
    assert rows["communities.count"]["set by"] == "slider"
    assert rows["communities.count"]["in force"] == 12
    assert "regulators.count" not in rows


def test_every_slider_key_exists_in_the_schema():
    spec = load_scenario("status_quo")
    for name in SLIDERS:
        assert np.isfinite(slider_value(name, spec)) or name == "dp_epsilon"


def test_the_live_run_keeps_bad_input_as_a_message_and_does_not_step():
    for settings, words in (
        (Settings(seed="abc"), "seed = 'abc': must be an integer >= 0"),
        (Settings().move("share_propensity", 3.0), "share_propensity"),
    ):
        run = LiveRun(settings)
        assert run.error.startswith("Invalid input:") and words in run.error
        assert not run.step() and run.steps == 0


def test_the_live_run_builds_the_settings_and_names_them_in_its_status():
    run = LiveRun(Settings(seed="7", interventions=("no_data_sharing",)).move("communities", 6))
    assert run.error is None and run.model.seed == 7
    assert run.model.counts["communities"] == 6
    assert run.step() and run.steps == 1
    assert run.status().startswith("Step 1 of 100 · 3 entities · 6 communities")
    frames = run.frames(run.panels())
    assert set(frames) == {"network", "timeseries", "communities", "audits"}
    assert all(f.startswith(b"\x89PNG") for f in frames.values())


def test_a_lending_panel_appears_when_the_lending_domain_is_on():
    run = LiveRun(Settings(scenario="lending_delayed_impact").move("communities", 4))
    assert "lending" in run.panels()
    run.step()
    loans = run.figure("lending").axes[0].get_lines()[0]
    assert len(loans.get_xdata()) == 1
    assert "lending" not in LiveRun(Settings().move("communities", 4)).panels()


# ------------------------------------------------------------------ figures
def test_network_figure_draws_every_organisation_and_a_legend(stepped_model):
    fig = network.network_figure(stepped_model)
    ax = fig.axes[0]
    drawn = sum(len(c.get_offsets()) for c in ax.collections if isinstance(c, PathCollection))
    assert drawn == stepped_model.ledger.flow_graph().number_of_nodes()
    labels = {t.get_text() for t in fig.legends[0].get_texts()}  # beside the network
    assert {"large entity", "community", "regulator", "data flow", "model flow"} <= labels
    assert "largest flow of its kind" in labels


def test_flows_of_different_kinds_between_one_pair_run_on_separate_lanes():
    pos = {"a": (0.0, 0.0), "b": (1.0, 0.0)}
    data = network.edge_segments([("a", "b")], pos, network.FLOW_STYLE["data"][1])
    model = network.edge_segments([("a", "b")], pos, network.FLOW_STYLE["model"][1])
    assert not np.allclose(data, model)
    np.testing.assert_allclose(data[0, 1] - data[0, 0], (1.0, 0.0))  # still a to b


def test_network_node_size_grows_with_share_of_decisions_and_the_top_are_named(stepped_model):
    shares = network.decision_shares(stepped_model)
    assert sum(shares.values()) == pytest.approx(1.0)
    live = network.NetworkFigure(stepped_model)
    names, dots = live.nodes["community"]
    sizes = dots.get_sizes()
    order = np.argsort([shares[n] for n in names])
    assert sizes[order[-1]] > sizes[order[0]]
    top = max(names, key=lambda n: shares[n])
    assert any(t.get_text().startswith(f"{top} ") for t in live.community_labels)


def test_time_series_plots_each_metric_over_the_planned_run(stepped_model):
    metrics = stepped_model.recorder.metrics_table()
    fig = figures.time_series_figure(metrics, planned_steps=100)
    lines = [line for ax in fig.axes for line in ax.get_lines()]
    assert len(lines) == sum(len(series) for *_, series in figures.TIME_SERIES_PANELS)
    np.testing.assert_allclose(fig.axes[0].get_lines()[0].get_ydata(), metrics["hhi_compute"])
    assert fig.axes[-1].get_xlim()[1] >= 100  # the axis spans the run: frames only add data
    assert all(ax.get_ylabel() for ax in fig.axes)


def test_strategy_colours_cycle_over_any_names_and_every_strategy_is_in_the_legend(
    stepped_model,
):
    names = [*stepped_model.strategy_names, "a_new_plug_in", "z1", "z2"]
    colours = figures.strategy_colours(names)
    assert set(colours) == set(names)
    assert colours["a_new_plug_in"] in figures.PALETTE
    shipped = figures.strategy_colours(stepped_model.strategy_names)
    assert len(set(shipped.values())) == len(shipped)  # no two shipped strategies share one
    fig = figures.community_figure(stepped_model)
    legend = {t.get_text() for t in fig.legends[0].get_texts()}
    assert set(stepped_model.strategy_names) <= legend


def test_community_figure_outlines_and_names_the_worst_served(stepped_model):
    fig = figures.community_figure(stepped_model)
    (bars,) = fig.axes[0].collections  # one rectangle per community
    assert len(bars.get_paths()) == 8
    outlined = [edge for edge in bars.get_edgecolors() if edge[3] > 0]
    assert len(outlined) == figures.WORST
    heights = [path.vertices[:, 1].max() for path in bars.get_paths()]
    assert heights == sorted(heights)
    worst = figures.community_outcomes(stepped_model)["community"].head(figures.WORST)
    named = {t.get_text() for t in fig.axes[0].texts}
    assert set(worst) <= named


def test_audit_figure_has_a_readable_axis_with_zero_audits():
    metrics = pd.DataFrame({"step": [1, 2], "audits": [0, 0], "violations_fairness": [0, 0]})
    fig = figures.audit_figure(metrics, planned_steps=10)
    low, high = fig.axes[0].get_ylim()
    assert low == 0 and high >= 1


# ------------------------------------------------------------------ ensemble = hetsim compare
def test_the_ensemble_panel_runs_exactly_what_hetsim_compare_runs(tmp_path):
    settings = Settings().move("communities", 6).move("annotators", 10)
    overrides = settings.overrides()
    calls = []
    ui = ensemble.run_compare(
        "status_quo",
        ["audit_regime"],
        2,
        3,
        overrides,
        lambda d, t: calls.append((d, t)),
        out_dir=tmp_path / "ui",
    )
    assert calls == [(1, 4), (2, 4), (3, 4), (4, 4)]
    argv = [
        *shlex.split(ui.command)[1:],
        "--workers",
        "1",
        "--quiet",
        "--out",
        str(tmp_path / "cli"),
    ]
    assert hetsim_main(argv) == 0
    cli = pd.read_csv(tmp_path / "cli" / "comparison.csv")
    pd.testing.assert_frame_equal(ui.comparison, cli)
    assert set(ui.comparison["intervention"]) == {"audit_regime"}


def test_significance_is_coloured_by_the_holm_adjusted_p_the_table_shows():
    row = {
        "intervention": "x",
        "window": "last10pct",
        "baseline_mean": 0.5,
        "mean": 0.6,
        "diff_mean": 0.1,
        "diff_ci_low": 0.01,
        "diff_ci_high": 0.2,
        "n_seeds": 3,
    }
    table = pd.DataFrame(
        [
            {**row, "metric": "hhi_compute", "p_adjusted": 0.2},  # CI excludes 0, p does not
            {**row, "metric": "trust_mean", "p_adjusted": 0.01},
        ]
    )
    page = comparison_html(table)
    assert page.count("hetsim-significant") == 1
    assert "Trust in large entities" in page and "title='trust_mean:" in page
    red = "#d1495b"
    fig = ensemble.ensemble_figure(table)
    colours = [ax.get_lines()[0].get_color() for ax in fig.axes]
    assert colours.count(red) == 1


# ------------------------------------------------------------------ downloads
def test_the_tables_download_is_a_zip_pandas_reads_with_the_manifest():
    settings = Settings(seed="3", interventions=("audit_regime",)).move("communities", 6)
    run = LiveRun(settings)
    run.step()
    run.step()
    archive = zipfile.ZipFile(io.BytesIO(export.run_zip(run.model, settings, "parquet")))
    metrics = pd.read_parquet(io.BytesIO(archive.read("metrics.parquet")))
    pd.testing.assert_frame_equal(metrics, run.model.recorder.metrics_table())
    expected = {"communities.parquet", "flows.parquet", "entities.parquet", "manifest.json"}
    assert expected <= set(archive.namelist())
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["seed"] == 3 and manifest["interventions"] == ["audit_regime"]
    assert manifest["overrides"] == ["communities.count=6"]
    assert manifest["scenario"]["regulators"]["audit_probability"] == 0.6
    csv = zipfile.ZipFile(io.BytesIO(export.run_zip(run.model, settings, "csv")))
    assert len(pd.read_csv(io.BytesIO(csv.read("metrics.csv")))) == 2


def test_figures_download_as_png_and_svg(stepped_model):
    from hetsim.ui.render import download_png_bytes, svg_bytes

    fig = network.network_figure(stepped_model)
    assert download_png_bytes(fig).startswith(b"\x89PNG")
    assert b"<svg" in svg_bytes(fig)[:500]


# ------------------------------------------------------------------ serving
def test_the_page_is_in_the_package_and_app_py_re_exports_it():
    from hetsim.commands.ui import APP_MODULE, command
    from hetsim.ui.app import Page

    assert APP_MODULE in command("127.0.0.1", 8765)
    path = Path(__file__).resolve().parents[1] / "app.py"
    spec = importlib.util.spec_from_file_location("hetsim_checkout_app", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.Page is Page


def test_hetsim_ui_passes_sigterm_to_its_server_and_exits(tmp_path):
    pid_file = tmp_path / "child.pid"
    child = f"import os, time; open({str(pid_file)!r}, 'w').write(str(os.getpid())); time.sleep(60)"
    script = textwrap.dedent(
        f"""
        import sys
        from hetsim.commands.ui import serve
        sys.exit(serve([sys.executable, "-c", {child!r}], {{}}))
        """
    )
    parent = subprocess.Popen([sys.executable, "-c", script])
    deadline = time.monotonic() + 30
    while not pid_file.exists() or not pid_file.read_text():
        assert time.monotonic() < deadline, "the child never started"
        time.sleep(0.05)
    child_pid = int(pid_file.read_text())
    parent.send_signal(signal.SIGTERM)
    assert parent.wait(timeout=30) == 0
    with pytest.raises(ProcessLookupError):
        os.kill(child_pid, 0)


def test_a_blitted_frame_matches_a_full_redraw_of_the_same_state():
    from PIL import Image

    from hetsim.ui.render import png_bytes

    run = LiveRun(Settings().move("communities", 8).move("annotators", 10))
    previous = None
    for _ in range(3):
        run.step()
        frames = run.frames(run.panels())  # static part kept, data artists redrawn
        for panel, frame in frames.items():
            fast = np.asarray(Image.open(io.BytesIO(frame)).convert("RGB"), dtype=int)
            full = np.asarray(Image.open(io.BytesIO(png_bytes(run.figure(panel)))).convert("RGB"))
            differing = np.any(np.abs(fast - full) > 8, axis=2).mean()
            assert differing < 0.01, f"{panel}: {differing:.1%} of pixels differ"
        if previous is not None:
            assert frames["timeseries"] != previous  # each frame shows the new step
        previous = frames["timeseries"]


@pytest.mark.parametrize(
    "module", ["hetsim.ui.app", "hetsim.ui.widgets", "hetsim.ui.ensemble_panel", "hetsim.ui.mesa"]
)
def test_every_component_calls_its_hooks_in_the_same_order_on_every_render(module):
    """Solara's rules of hooks (no use_* after an early return, in a branch or a loop), checked
    by Solara's own validator as an error rather than the warning it prints on import."""
    import importlib

    import reacton.core
    import solara.settings
    from solara.validate_hooks import HookValidator

    components = [
        obj.f
        for obj in vars(importlib.import_module(module)).values()
        if isinstance(obj, reacton.core.ComponentFunction) and obj.f.__module__ == module
    ]
    assert components
    previous = solara.settings.main.check_hooks
    solara.settings.main.check_hooks = "error"
    try:
        for function in components:
            HookValidator(function).run()
    finally:
        solara.settings.main.check_hooks = previous

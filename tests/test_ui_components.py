"""The UI's figures and helpers, without a browser: they draw what the model holds."""

from __future__ import annotations

import functools
import importlib.util
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PathCollection
from matplotlib.figure import Figure

from hetsim import ui_components as ui
from hetsim.scenarios.builder import build_model, load_scenario

SMALL = [
    "communities.count=8",
    "annotators.count=10",
    "large_entities.count=2",
    "regulators.count=2",
]


@functools.cache
def _app():
    """The top-level app.py, loaded by path (it is not part of an installed package)."""
    path = Path(__file__).resolve().parents[1] / "app.py"
    spec = importlib.util.spec_from_file_location("hetsim_app", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def stepped_model():
    model = build_model(load_scenario("status_quo", SMALL), seed=1)
    for _ in range(4):
        model.step()
    return model


def test_network_figure_draws_every_organisation_and_a_legend(stepped_model):
    fig = ui.network_figure(stepped_model)
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    drawn = sum(len(c.get_offsets()) for c in ax.collections if isinstance(c, PathCollection))
    graph = stepped_model.ledger.flow_graph()
    assert drawn == graph.number_of_nodes()
    labels = {t.get_text() for t in ax.get_legend().get_texts()}
    assert {"large entity", "community", "regulator", "data flow", "model flow"} <= labels


def test_network_node_size_grows_with_share_of_decisions(stepped_model):
    shares = ui.decision_shares(stepped_model)
    assert sum(shares.values()) == pytest.approx(1.0)
    fig = ui.network_figure(stepped_model)
    graph = stepped_model.ledger.flow_graph()
    communities = [n for n, d in graph.nodes(data=True) if d.get("role") == "community"]
    sizes = next(
        c.get_sizes() for c in fig.axes[0].collections if len(c.get_offsets()) == len(communities)
    )
    order = np.argsort([shares[n] for n in sorted(communities, key=lambda n: (len(n), n))])
    assert sizes[order[-1]] >= sizes[order[0]]


def test_network_layout_is_the_same_at_every_step(stepped_model):
    graph = stepped_model.ledger.flow_graph()
    assert ui.network_layout(graph) == ui.network_layout(graph.copy())


def test_time_series_plots_each_metric_over_the_steps_run(stepped_model):
    metrics = stepped_model.recorder.metrics_table()
    fig = ui.time_series_figure(metrics)
    lines = [line for ax in fig.axes for line in ax.get_lines()]
    assert len(lines) == sum(len(series) for _, series in ui.TIME_SERIES_PANELS)
    hhi = fig.axes[0].get_lines()[0]
    np.testing.assert_allclose(hhi.get_ydata(), metrics["hhi_compute"])


def test_time_series_of_an_unstarted_model_is_empty_not_an_error():
    fig = ui.time_series_figure(pd.DataFrame(columns=["step", "hhi_compute"]))
    assert all(not ax.get_lines() for ax in fig.axes)


def test_community_outcomes_put_the_worst_served_first(stepped_model):
    table = ui.community_outcomes(stepped_model)
    assert len(table) == 8
    assert table["accuracy"].is_monotonic_increasing
    assert table["accuracy"].iloc[0] == pytest.approx(np.min(stepped_model.deployment.accuracy))


def test_community_figure_outlines_the_worst_served(stepped_model):
    fig = ui.community_figure(stepped_model, worst=3)
    bars = fig.axes[0].patches
    assert len(bars) == 8
    outlined = [b for b in bars if b.get_edgecolor()[3] > 0]
    assert len(outlined) == 3
    heights = [b.get_height() for b in bars]
    assert heights == sorted(heights)


def test_audit_figure_and_status_line(stepped_model):
    metrics = stepped_model.recorder.metrics_table()
    assert isinstance(ui.audit_figure(metrics), Figure)
    line = ui.status_line(stepped_model)
    assert line.startswith("Step 4 · 2 entities · 8 communities")
    assert "HHI compute" in line


def test_paired_ensemble_reports_progress_and_a_paired_effect():
    calls = []
    effects = ui.paired_ensemble(
        "status_quo", SMALL, [], "no_data_sharing", [0, 1], 3, lambda d, t: calls.append((d, t))
    )
    assert calls == [(1, 4), (2, 4), (3, 4), (4, 4)]
    assert set(effects["metric"]) <= set(ui.ENSEMBLE_METRICS)
    assert (effects["n_seeds"] == 2).all()
    np.testing.assert_allclose(effects["mean"] - effects["baseline_mean"], effects["diff_mean"])
    assert isinstance(ui.ensemble_figure(effects), Figure)


def test_the_app_model_takes_the_page_inputs_as_scenario_overrides():
    app = _app()
    model = app.ExplorerModel(
        seed="7",
        large_entities=2,
        communities=12,
        annotators=10,
        regulators=1,
        share_propensity=0.2,
        audit_probability=0.9,
        covariate_shift=1.5,
        interventions=["no_data_sharing"],
    )
    assert model.error is None
    assert model.seed == 7
    assert model.counts == {
        "large_entities": 2,
        "communities": 12,
        "annotators": 10,
        "regulators": 1,
    }
    assert model.spec.regulators.audit_probability == pytest.approx(0.9)
    assert model.spec.data.covariate_shift == pytest.approx(1.5)
    model.step()
    assert model.steps == 1


def test_the_dp_slider_sets_the_entities_privacy_and_its_top_means_none():
    app = _app()
    private = app.ExplorerModel(communities=6, annotators=5, dp_epsilon=2.0)
    assert private.error is None
    assert (private.entity_arrays.effective_epsilon == 2.0).all()
    off = app.ExplorerModel(communities=6, annotators=5, dp_epsilon=app.NO_DP)
    assert np.isinf(off.entity_arrays.effective_epsilon).all()


@pytest.mark.parametrize("seed", ["abc", "1.5", "-3", ""])
def test_the_app_model_keeps_a_bad_seed_as_a_message_and_does_not_step(seed):
    app = _app()
    model = app.ExplorerModel(seed=seed)
    assert "seed" in model.error and "integer >= 0" in model.error
    model.step()
    assert not model.running


def test_the_app_model_reports_an_invalid_scenario_value_in_words():
    app = _app()
    model = app.ExplorerModel(share_propensity=3.0)
    assert model.error.startswith("Invalid input:")
    assert "share_propensity" in model.error

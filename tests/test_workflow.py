"""From a question to a paper figure: what a comparison keeps, tests, shows and says while it runs.

One small compare (status quo, 8 communities, 2 seeds × 3 steps) is shared by the tests that
read its folder.
"""

from __future__ import annotations

import io
import sys

import numpy as np
import pandas as pd
import pytest

from hetsim.analysis.compare import compare_experiment
from hetsim.analysis.ensemble import SequentialExecutor, Task, run_ensemble
from hetsim.analysis.figures import PAGE_HEIGHT, forest_figure, timeseries_figure
from hetsim.analysis.labels import label
from hetsim.analysis.report import write_report
from hetsim.analysis.statistics import compare, holm_adjust
from hetsim.analysis.store import query
from hetsim.simulation.recorder import METRIC_COLUMNS
from hetsim.simulation.schema import ScenarioError

SMALL = ("communities.count=8", "annotators.count=10")
OUTCOMES = ("dependency_share", "hhi_compute", "trust_mean")


@pytest.fixture(scope="module")
def kept(tmp_path_factory):
    """A compare that names three outcomes and keeps the community and group rows."""
    out = tmp_path_factory.mktemp("kept")
    experiment = compare_experiment(
        "status_quo",
        ["audit_regime"],
        seeds=2,
        steps=3,
        overrides=SMALL,
        out_dir=out,
        executor=SequentialExecutor(),
        progress=False,
        outcomes=",".join(OUTCOMES),
        keep="communities,groups",
    )
    return out, experiment


def test_every_run_stores_the_flows_of_its_last_step_for_the_network_figure(tmp_path):
    tasks = [Task("status_quo", names, 0, 3, SMALL) for names in ((), ("audit_regime",))]
    run_ensemble(tasks, tmp_path, SequentialExecutor(), progress=False)  # keeps nothing else
    for task in tasks:
        flows = pd.read_parquet(task.flows_file(tmp_path))
        assert len(flows) > 0  # exchanges happened: the network figure has edges
        assert set(flows["step"]) == {3}
        assert (flows["source"] != flows["target"]).any()
    assert not (tmp_path / "communities").exists()  # memory stays bounded: nothing kept


def test_a_comparison_adjusts_over_the_outcomes_it_names_alone(kept):
    _, experiment = kept
    c = experiment.comparison
    primary = c[c["outcome"] == "primary"]
    assert sorted(primary["metric"].unique()) == sorted(OUTCOMES)
    for _, family in primary.groupby("window"):
        expected = holm_adjust(family["p_value"].to_numpy())
        np.testing.assert_allclose(family["p_adjusted"], expected)
    exploratory = c[c["outcome"] == "exploratory"]
    assert len(exploratory) > len(primary) and exploratory["p_adjusted"].isna().all()
    assert experiment.manifest["outcomes"] == list(OUTCOMES)


def test_narrowing_the_outcomes_changes_the_adjustment_not_the_test():
    rng = np.random.default_rng(3)
    rows = []
    for seed in range(8):
        noise = rng.normal(size=12)
        for arm, shift in (("baseline", 0.0), ("x", 1.0)):
            row = {"scenario": "s", "intervention": arm, "seed": seed, "step": 1}
            row.update({f"m{i}": noise[i] + shift * (i == 0) + rng.normal() for i in range(12)})
            rows.append(row)
    runs = pd.DataFrame(rows)
    every = compare(runs)
    three = compare(runs, outcomes=["m0", "m1", "m2"])
    m0 = lambda t: t[(t["metric"] == "m0") & (t["window"] == "final")].iloc[0]  # noqa: E731
    assert m0(every)["p_value"] == m0(three)["p_value"]
    assert m0(three)["p_adjusted"] <= 3 * m0(three)["p_value"] + 1e-12
    assert m0(every)["p_adjusted"] > m0(three)["p_adjusted"]  # twelve tests cost more


def test_unknown_outcome_is_refused_before_any_run(tmp_path):
    with pytest.raises(ScenarioError, match="outcomes = 'nope'"):
        compare_experiment(
            "status_quo",
            ["audit_regime"],
            seeds=1,
            steps=1,
            overrides=SMALL,
            out_dir=tmp_path,
            executor=SequentialExecutor(),
            outcomes=["nope"],
        )
    assert not (tmp_path / "runs").exists()


def test_kept_group_rows_are_stored_and_queryable(kept):
    out, _ = kept
    groups = query(out, 'SELECT * FROM groups ORDER BY intervention, seed, step, "group"')
    communities = query(out, "SELECT * FROM communities")
    assert set(groups["intervention"]) == {"baseline", "audit_regime"}
    assert set(groups["seed"]) == {0, 1} and set(groups["step"]) == {1, 2, 3}
    assert communities["community"].nunique() == 8
    # a group's people and accuracy are its communities' summed and weighted by people
    keys = ["intervention", "seed", "step", "group"]
    people = communities.groupby(keys)["n"].sum().rename("people")
    correct = (communities["accuracy"] * communities["n"]).groupby(
        [communities[k] for k in keys]
    ).sum() / people
    joined = groups.set_index(keys).join(people).join(correct.rename("weighted"))
    assert (joined["n"] == joined["people"]).all()
    np.testing.assert_allclose(joined["accuracy"], joined["weighted"])


def test_keep_names_are_checked():
    from hetsim.analysis.tasks import keep_tables

    with pytest.raises(ScenarioError, match="allowed: communities, groups"):
        keep_tables("communities,agents")


def test_progress_appears_where_no_terminal_draws_a_bar(tmp_path, monkeypatch):
    err = io.StringIO()  # a notebook's or a log's stderr: not a terminal
    monkeypatch.setattr(sys, "stderr", err)
    tasks = [Task("status_quo", (), seed, 1, SMALL) for seed in range(2)]
    run_ensemble(tasks, tmp_path, SequentialExecutor(), progress=True, desc="compare")
    lines = err.getvalue().splitlines()
    assert any(line.startswith("compare: 2/2 runs (100%), 0 failed") for line in lines), lines


def _runs(values: dict[str, list[list[float]]]) -> pd.DataFrame:
    """A runs table: per metric, per seed, one value per step (baseline and one arm)."""
    rows = []
    for arm in ("baseline", "arm"):
        for seed in range(len(next(iter(values.values())))):
            for step in range(len(next(iter(values.values()))[0])):
                row = {"scenario": "s", "intervention": arm, "seed": seed, "step": step + 1}
                scale = 1.0 if arm == "baseline" else 0.99
                row.update({m: v[seed][step] * scale for m, v in values.items()})
                rows.append(row)
    return pd.DataFrame(rows)


def test_time_series_panels_are_labelled_with_units_and_bands_stay_in_range():
    # two seeds far apart: the t-band of a share would reach far outside [0, 1]
    runs = _runs({"dependency_share": [[0.0, 0.1, 0.0], [1.0, 0.9, 1.0]],
                  "energy_kwh": [[9e-12, 8e-12, 9e-12], [7e-12, 9e-12, 8e-12]]})  # fmt: skip
    fig = timeseries_figure(runs, ["dependency_share", "energy_kwh"])
    share, energy = fig.axes[:2]
    assert share.get_title() == label("dependency_share").name != "dependency_share"
    assert energy.get_ylabel() == "nWh"  # 9e-12 kWh = 9 nWh
    for collection in share.collections:  # the bands
        for path in collection.get_paths():
            assert path.vertices[:, 1].min() >= 0.0 and path.vertices[:, 1].max() <= 1.0


def test_report_numbers_read_without_exponents(tmp_path):
    runs = _runs({"energy_kwh": [[9.07e-12, 9.1e-12], [8.9e-12, 9.2e-12], [9e-12, 9e-12]]})
    page = write_report(tmp_path, runs, compare(runs)).read_text(encoding="utf-8")
    table = page[page.index("<table") :]
    assert "nWh" in table and "e-1" not in table


def _comparison_of_many(n_metrics: int) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    names = [m for m in METRIC_COLUMNS if m != "step"][:n_metrics]
    rows = []
    for seed in range(6):
        for arm in ("baseline", "a", "b"):
            row = {"scenario": "s", "intervention": arm, "seed": seed, "step": 1}
            row.update({m: rng.normal() + (0.8 if arm != "baseline" else 0) for m in names})
            rows.append(row)
    return compare(pd.DataFrame(rows))


def test_the_forest_plot_fits_a_page_and_groups_outcomes_by_family():
    comparison = _comparison_of_many(len(METRIC_COLUMNS) - 1)
    fig = forest_figure(comparison)
    assert fig.get_figheight() <= PAGE_HEIGHT
    ticks = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    families = [label(c).family for c in comparison["metric"].unique()]
    texts = {t.get_text() for t in fig.axes[0].texts}
    assert set(families) <= texts  # a header per family
    assert "compute concentration (HHI)" in ticks


def test_forest_markers_are_coloured_on_the_adjusted_p_value():
    from matplotlib.colors import to_hex

    from hetsim.analysis.figures import NON_SIGNIFICANT_COLOUR, SIGNIFICANT_COLOUR

    comparison = _comparison_of_many(30)
    last = comparison[comparison["window"] == "last10pct"]
    # unadjusted CI excludes 0, yet Holm over 30 outcomes does not reject
    excludes_zero = (last["diff_ci_low"] > 0) | (last["diff_ci_high"] < 0)
    assert (excludes_zero & (last["p_adjusted"] >= 0.05)).any()
    fig = forest_figure(comparison)
    markers = [line for line in fig.axes[0].lines if line.get_marker() in ("o", "s")]
    red = sum(to_hex(line.get_color()) == SIGNIFICANT_COLOUR for line in markers)
    grey = sum(to_hex(line.get_color()) == NON_SIGNIFICANT_COLOUR for line in markers)
    assert red == int((last["p_adjusted"] < 0.05).sum())
    assert grey == int((last["p_adjusted"] >= 0.05).sum())


def test_the_help_lists_every_view_query_reads(capsys):
    from hetsim.cli import main

    with pytest.raises(SystemExit):
        main(["--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "views runs, comparison, indices" in text


def test_the_run_summary_prints_every_number_without_exponents(tmp_path, capsys):
    """`hetsim run`'s summary reads like the report: energy in nWh, each cell equal to the
    stored table's value in that unit."""
    from hetsim.cli import main

    out = tmp_path / "run"
    assert main(["run", "status_quo", "--steps", "3", "--out", str(out), *_sets(SMALL)]) == 0
    printed = capsys.readouterr().out
    assert "e-" not in printed and "e+" not in printed
    energy = next(line for line in printed.splitlines() if line.startswith("energy_kwh"))
    cells = energy.split()[1:]
    assert cells[1::2] == ["nWh"] * 3  # one readable unit per cell
    stored = pd.read_parquet(out / "metrics.parquet")["energy_kwh"].to_numpy()
    np.testing.assert_allclose([float(v) * 1e-12 for v in cells[::2]], stored, rtol=5e-3)


def _sets(overrides: tuple[str, ...]) -> list[str]:
    return [arg for item in overrides for arg in ("--set", item)]

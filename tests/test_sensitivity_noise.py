"""Sensitivity that accounts for the model's noise, and the reports of sweeps and sensitivity.

The seed interval is checked on a known answer: a response y = 2·a + 0·b observed with
seed noise. Its interval must contain the index of the noise-free response, and must widen
with the noise (it collapses when the seeds agree).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from hetsim.analysis.sensitivity import _salib_sample, indices_table

PROBLEM = {"num_vars": 2, "names": ["a", "b"], "bounds": [[0.0, 1.0], [0.0, 1.0]]}


def noisy_outputs(noise: float, seeds: int = 8, method: str = "morris"):
    design = _salib_sample(method, PROBLEM, 16 if method == "sobol" else 20, 0)
    clean = 2.0 * design[:, 0] + 0.0 * design[:, 1]
    rng = np.random.default_rng(1)
    y = clean[:, None] + noise * rng.standard_normal((len(design), seeds))
    return design, clean, y


@pytest.mark.parametrize("method,key", [("morris", "mu_star"), ("sobol", "S1")])
def test_the_seed_interval_contains_the_noise_free_index_and_grows_with_noise(method, key):
    design, clean, y = noisy_outputs(0.05, method=method)
    truth = indices_table(method, PROBLEM, design, {"y": clean[:, None]}, ["y"], 0)
    noisy = indices_table(method, PROBLEM, design, {"y": y}, ["y"], 0).set_index("parameter")
    expected = truth.set_index("parameter").loc["a", key]
    low, high = noisy.loc["a", f"{key}_seed_ci_low"], noisy.loc["a", f"{key}_seed_ci_high"]
    assert low <= expected <= high
    _, _, louder = noisy_outputs(0.5, method=method)
    wide = indices_table(method, PROBLEM, design, {"y": louder}, ["y"], 0).set_index("parameter")
    width = high - low
    assert wide.loc["a", f"{key}_seed_ci_high"] - wide.loc["a", f"{key}_seed_ci_low"] > 3 * width
    same = indices_table(method, PROBLEM, design, {"y": np.repeat(y[:, :1], 8, 1)}, ["y"], 0)
    same = same.set_index("parameter")
    assert same.loc["a", f"{key}_seed_ci_low"] == pytest.approx(
        same.loc["a", f"{key}_seed_ci_high"]
    )


def test_one_seed_has_no_seed_interval():
    design, clean, _ = noisy_outputs(0.0)
    table = indices_table("morris", PROBLEM, design, {"y": clean[:, None]}, ["y"], 0)
    assert table["mu_star_seed_ci_low"].isna().all()


SMALL = ["communities.count=6"]


def test_report_renders_a_sensitivity_folder_with_indices_and_responses(tmp_path):
    from hetsim import api

    api.sensitivity(
        "status_quo",
        ["communities.public_compute=0:1200", "regulators.audit_probability=0:1"],
        samples=2,
        seeds=2,
        steps=3,
        metrics=["hhi_compute", "audits"],
        set=SMALL,
        out=tmp_path / "s",
        workers=1,
    )
    written = api.report(tmp_path / "s")
    names = {p.name for p in written}
    assert {"report.html", "responses.png", "indices.png"} <= names
    page = (tmp_path / "s" / "report.html").read_text()
    assert "Sensitivity indices" in page and "resampled seeds" in page
    assert "mu_star_seed_ci_low" in page  # the table of indices.csv


def test_report_renders_a_sweep_folder_with_response_curves(tmp_path):
    from hetsim import api

    api.sweep(
        "status_quo",
        ["communities.public_compute=0,1200"],
        seeds=2,
        steps=3,
        set=SMALL,
        out=tmp_path / "w",
        workers=1,
    )
    written = api.report(tmp_path / "w")
    assert {p.name for p in written} == {"report.html", "responses.png"}
    page = (tmp_path / "w" / "report.html").read_text()
    assert "Responses" in page and "Sensitivity indices" not in page
    summary = pd.read_parquet(tmp_path / "w" / "runs.parquet")
    assert summary["point"].nunique() == 2


def test_the_default_seed_count_is_the_one_the_stability_check_found():
    import inspect
    import re
    from pathlib import Path

    from hetsim import api
    from hetsim.analysis import sensitivity
    from hetsim.cli import _parser

    page = (Path(__file__).parents[1] / "docs" / "sensitivity_seeds.md").read_text()
    found = int(re.search(r"from \*\*(\d+) seeds\*\*", page).group(1))
    assert found == sensitivity.DEFAULT_SEEDS
    assert inspect.signature(api.sensitivity).parameters["seeds"].default == found
    args = _parser().parse_args(["sensitivity", "status_quo", "--param", "a.b=0:1"])
    assert args.seeds == found

"""Tests for analysis.statistics: paired comparisons checked against scipy by hand."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy import stats

from hetsim.analysis.statistics import (
    COMPARE_COLUMNS,
    compare,
    holm_adjust,
    mean_ci,
    metric_columns,
    summarise_runs,
    timeseries_bands,
)

METRICS = ("hhi_compute", "trust_mean", "energy_kwh")


def make_runs(
    seeds=range(10), T: int = 20, effects: dict[str, float] | None = None, rng_seed: int = 0
) -> pd.DataFrame:
    """Synthetic runs: per seed a shared random walk (common random numbers), plus a
    per-arm drift ``effect * step / T`` and arm-specific noise."""
    effects = {"baseline": 0.0, "tax": 0.3, "subsidy": -0.1} if effects is None else effects
    rng = np.random.default_rng(rng_seed)
    rows = []
    for seed in seeds:
        shared = np.cumsum(rng.normal(scale=0.1, size=(T, len(METRICS))), axis=0)
        for arm, effect in effects.items():
            own = rng.normal(scale=0.05, size=(T, len(METRICS)))
            for t in range(T):
                row = {"scenario": "base", "intervention": arm, "seed": seed, "step": t + 1}
                for j, m in enumerate(METRICS):
                    row[m] = 1.0 + shared[t, j] + effect * (t + 1) / T + own[t, j]
                rows.append(row)
    return pd.DataFrame(rows)


def per_seed(runs: pd.DataFrame, arm: str, metric: str, window: str) -> pd.Series:
    """Independent, deliberately naive per-seed summary used as the test oracle."""
    sub = runs[runs["intervention"] == arm]
    out = {}
    for seed, g in sub.groupby("seed"):
        T = int(g["step"].max())
        k = max(1, math.ceil(T / 10)) if window == "last10pct" else 1
        out[seed] = g.loc[g["step"] > T - k, metric].mean()
    return pd.Series(out).sort_index()


def row_of(table: pd.DataFrame, arm: str, metric: str, window: str) -> pd.Series:
    sel = table[
        (table["intervention"] == arm) & (table["metric"] == metric) & (table["window"] == window)
    ]
    assert len(sel) == 1
    return sel.iloc[0]


# --------------------------------------------------------------------------------------
# compare against scipy
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("window", ["final", "last10pct"])
@pytest.mark.parametrize("metric", METRICS)
@pytest.mark.parametrize("arm", ["tax", "subsidy"])
def test_compare_matches_scipy(window, metric, arm):
    runs = make_runs()
    table = compare(runs, confidence=0.95)
    r = row_of(table, arm, metric, window)

    x = per_seed(runs, arm, metric, window)
    b = per_seed(runs, "baseline", metric, window)
    d = (x - b).to_numpy()
    n = d.size

    assert r["n_seeds"] == n == 10
    assert r["n_unpaired"] == 0
    assert r["diff_mean"] == pytest.approx(d.mean(), rel=1e-12, abs=1e-14)
    lo, hi = stats.t.interval(0.95, n - 1, loc=d.mean(), scale=stats.sem(d))
    assert r["diff_ci_low"] == pytest.approx(lo, rel=1e-10)
    assert r["diff_ci_high"] == pytest.approx(hi, rel=1e-10)
    assert r["p_value"] == pytest.approx(stats.ttest_rel(x, b).pvalue, rel=1e-10)
    assert r["p_value_wilcoxon"] == pytest.approx(stats.wilcoxon(x, b).pvalue, rel=1e-10)
    assert r["effect_size"] == pytest.approx(d.mean() / d.std(ddof=1), rel=1e-10)
    assert r["diff_sd"] == pytest.approx(d.std(ddof=1), rel=1e-10)

    xl, xh = stats.t.interval(0.95, n - 1, loc=x.mean(), scale=stats.sem(x))
    assert r["mean"] == pytest.approx(x.mean(), rel=1e-12)
    assert r["ci_low"] == pytest.approx(xl, rel=1e-10)
    assert r["ci_high"] == pytest.approx(xh, rel=1e-10)
    assert r["baseline_mean"] == pytest.approx(b.mean(), rel=1e-12)
    assert r["mean"] - r["baseline_mean"] == pytest.approx(r["diff_mean"], abs=1e-12)


def test_compare_shape_and_columns():
    runs = make_runs()
    table = compare(runs)
    assert list(table.columns) == list(COMPARE_COLUMNS)
    # 2 interventions x 3 metrics x 2 windows, no baseline rows
    assert len(table) == 2 * 3 * 2
    assert "baseline" not in set(table["intervention"])
    assert set(table["window"]) == {"final", "last10pct"}
    assert not table.duplicated(["scenario", "intervention", "metric", "window"]).any()
    # metrics in the runs table's column order within each intervention x window
    first = table[(table["intervention"] == "subsidy") & (table["window"] == "final")]
    assert list(first["metric"]) == list(METRICS)


def test_other_confidence_level():
    runs = make_runs()
    r = row_of(compare(runs, confidence=0.9), "tax", "trust_mean", "last10pct")
    d = (
        per_seed(runs, "tax", "trust_mean", "last10pct")
        - per_seed(runs, "baseline", "trust_mean", "last10pct")
    ).to_numpy()
    lo, hi = stats.t.interval(0.9, d.size - 1, loc=d.mean(), scale=stats.sem(d))
    assert (r["diff_ci_low"], r["diff_ci_high"]) == pytest.approx((lo, hi), rel=1e-10)
    with pytest.raises(ValueError):
        compare(runs, confidence=1.5)


def test_custom_baseline_name():
    runs = make_runs(effects={"status_quo": 0.0, "tax": 0.3})
    table = compare(runs, baseline="status_quo")
    assert set(table["intervention"]) == {"tax"}
    with pytest.raises(ValueError, match="baseline"):
        compare(runs)


# --------------------------------------------------------------------------------------
# pairing by seed
# --------------------------------------------------------------------------------------


def test_pairing_by_seed_is_respected():
    runs = make_runs(seeds=range(12))
    rng = np.random.default_rng(123)

    # seed 4 missing from the 'tax' arm; seed 99 present only in the 'tax' arm
    extra = runs[(runs["intervention"] == "tax") & (runs["seed"] == 0)].assign(seed=99)
    messy = pd.concat([runs, extra], ignore_index=True)
    messy = messy[~((messy["intervention"] == "tax") & (messy["seed"] == 4))]
    messy = messy.sample(frac=1.0, random_state=rng.integers(1 << 31)).reset_index(drop=True)

    common = runs[runs["seed"] != 4]
    got = compare(messy)
    want = compare(common)

    tax_got = got[got["intervention"] == "tax"].reset_index(drop=True)
    tax_want = want[want["intervention"] == "tax"].reset_index(drop=True)
    assert (tax_got["n_seeds"] == 11).all()
    assert (tax_got["n_unpaired"] == 2).all()
    stat_cols = [c for c in COMPARE_COLUMNS if c not in ("n_unpaired", "p_adjusted")]
    pd.testing.assert_frame_equal(tax_got[stat_cols], tax_want[stat_cols])

    # the untouched arm keeps all 12 pairs and is unaffected by the shuffle
    sub_got = got[got["intervention"] == "subsidy"].reset_index(drop=True)
    sub_want = compare(runs)
    sub_want = sub_want[sub_want["intervention"] == "subsidy"].reset_index(drop=True)
    assert (sub_got["n_seeds"] == 12).all()
    pd.testing.assert_frame_equal(sub_got, sub_want)


def test_duplicate_index_labels_do_not_matter():
    runs = make_runs(seeds=range(6))
    arms = [g.reset_index(drop=True) for _, g in runs.groupby("intervention")]
    stacked = pd.concat(arms)  # index labels repeat across arms
    assert stacked.index.has_duplicates
    pd.testing.assert_frame_equal(compare(stacked), compare(runs))


def test_pairing_uses_seed_not_position():
    """Reversing the seed labels of one arm changes the pairs and hence the result."""
    runs = make_runs(seeds=range(8))
    swapped = runs.copy()
    tax = swapped["intervention"] == "tax"
    swapped.loc[tax, "seed"] = 7 - swapped.loc[tax, "seed"]
    a = row_of(compare(runs), "tax", "trust_mean", "final")
    b = row_of(compare(swapped), "tax", "trust_mean", "final")
    assert a["diff_mean"] == pytest.approx(b["diff_mean"])  # same sample means
    assert a["diff_sd"] != pytest.approx(b["diff_sd"])  # different pairs


def test_nan_metric_value_drops_only_that_pair():
    runs = make_runs(seeds=range(8))
    mask = (runs["intervention"] == "baseline") & (runs["seed"] == 2)
    runs.loc[mask, "energy_kwh"] = np.nan
    table = compare(runs)
    r = row_of(table, "tax", "energy_kwh", "final")
    assert r["n_seeds"] == 7
    assert r["n_unpaired"] == 1
    assert row_of(table, "tax", "trust_mean", "final")["n_seeds"] == 8


# --------------------------------------------------------------------------------------
# windows
# --------------------------------------------------------------------------------------


def _ramp(T: int) -> pd.DataFrame:
    steps = np.arange(1, T + 1)
    return pd.DataFrame(
        {
            "scenario": "s",
            "intervention": "baseline",
            "seed": 0,
            "step": steps,
            "value": steps.astype(float),
            "square": steps.astype(float) ** 2,
        }
    )


def test_last10pct_hand_example_t20():
    runs = _ramp(20).sample(frac=1.0, random_state=1)  # row order must not matter
    s = summarise_runs(runs, "last10pct").set_index("metric")["value"]
    assert s["value"] == 19.5  # mean of steps 19 and 20 only
    assert s["square"] == (19**2 + 20**2) / 2
    f = summarise_runs(runs, "final").set_index("metric")["value"]
    assert f["value"] == 20.0
    assert f["square"] == 400.0


@pytest.mark.parametrize(
    ("T", "expected"),
    [
        (1, 1.0),  # at least one step
        (5, 5.0),  # ceil(0.5) = 1
        (10, 10.0),  # exactly 1
        (11, 10.5),  # ceil(1.1) = 2
        (25, 24.0),  # ceil(2.5) = 3 -> steps 23..25
        (30, 29.0),  # exactly 3 (0.1 * 30 would round up to 4 in floating point)
    ],
)
def test_last10pct_rounds_up(T, expected):
    s = summarise_runs(_ramp(T), "last10pct").set_index("metric")["value"]
    assert s["value"] == expected


def test_summarise_runs_layout():
    runs = make_runs(seeds=range(3), T=20)
    s = summarise_runs(runs, "final")
    assert list(s.columns) == ["scenario", "intervention", "seed", "window", "metric", "value"]
    assert len(s) == 3 * 3 * len(METRICS)
    assert not s.duplicated(["scenario", "intervention", "seed", "metric"]).any()
    assert (s["window"] == "final").all()
    with pytest.raises(ValueError, match="window"):
        summarise_runs(runs, "last5")


def test_runs_validation():
    runs = make_runs(seeds=range(3))
    with pytest.raises(ValueError, match="duplicate"):
        compare(pd.concat([runs, runs.iloc[:1]]))
    with pytest.raises(ValueError, match="missing"):
        compare(runs.drop(columns="step"))


def test_metric_columns_excludes_ids_and_strings():
    runs = make_runs(seeds=range(2)).assign(label="x", count=3)
    assert metric_columns(runs) == [*METRICS, "count"]


# --------------------------------------------------------------------------------------
# degenerate cases
# --------------------------------------------------------------------------------------


def test_identical_intervention_gives_zero_diff_and_nan_effect():
    runs = make_runs(seeds=range(8), effects={"baseline": 0.0})
    clone = runs.assign(intervention="clone")
    both = pd.concat([runs, clone], ignore_index=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        table = compare(both)
    assert len(table) == len(METRICS) * 2
    assert (table["diff_mean"] == 0).all()
    assert (table["diff_ci_low"] == 0).all()
    assert (table["diff_ci_high"] == 0).all()
    assert (table["diff_sd"] == 0).all()
    assert table["effect_size"].isna().all()
    assert table["p_value"].isna().all()
    assert table["p_value_wilcoxon"].isna().all()
    assert table["p_adjusted"].isna().all()
    assert (table["mean"] == table["baseline_mean"]).all()


def test_constant_shift_has_nan_effect_size():
    runs = make_runs(seeds=range(8), effects={"baseline": 0.0})
    shifted = runs.assign(intervention="shift", trust_mean=runs["trust_mean"] + 0.25)
    table = compare(pd.concat([runs, shifted], ignore_index=True))
    r = row_of(table, "shift", "trust_mean", "final")
    assert r["diff_mean"] == pytest.approx(0.25)
    assert math.isnan(r["effect_size"])


def test_wilcoxon_needs_six_nonzero_pairs():
    runs = make_runs(seeds=range(5))
    table = compare(runs)
    assert table["p_value_wilcoxon"].isna().all()
    assert table["p_value"].notna().all()
    runs6 = make_runs(seeds=range(6))
    assert compare(runs6)["p_value_wilcoxon"].notna().all()


def test_single_seed_gives_nan_intervals():
    runs = make_runs(seeds=[3])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        table = compare(runs)
    assert (table["n_seeds"] == 1).all()
    for col in ("ci_low", "ci_high", "diff_ci_low", "diff_ci_high", "effect_size", "p_value"):
        assert table[col].isna().all(), col
    assert table["diff_mean"].notna().all()


# --------------------------------------------------------------------------------------
# Holm
# --------------------------------------------------------------------------------------


def test_holm_hand_computed():
    # sorted: 0.005*4 = 0.02, 0.01*3 = 0.03, 0.03*2 = 0.06, 0.04*1 = 0.04 -> max(0.06, 0.04)
    p = [0.01, 0.04, 0.03, 0.005]
    np.testing.assert_allclose(holm_adjust(p), [0.03, 0.06, 0.06, 0.02])


def test_holm_caps_at_one_and_ignores_nan():
    np.testing.assert_allclose(holm_adjust([0.5, 0.6]), [1.0, 1.0])
    # NaN not counted: m = 2 -> 0.01*2 = 0.02, 0.04*1 -> 0.04
    out = holm_adjust([0.04, np.nan, 0.01])
    np.testing.assert_allclose(out, [0.04, np.nan, 0.02])
    assert holm_adjust([]).size == 0
    assert np.isnan(holm_adjust([np.nan, np.nan])).all()


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(min_value=0.0, max_value=1.0), min_size=1, max_size=30))
def test_holm_properties(p):
    p = np.asarray(p)
    adj = holm_adjust(p)
    m = p.size
    assert np.all(adj >= p - 1e-15)
    assert np.all(adj <= np.minimum(1.0, m * p) + 1e-15)
    order = np.argsort(p, kind="stable")
    assert np.all(np.diff(adj[order]) >= -1e-15)  # monotone in the raw p-values
    # reject sets agree with the textbook step-down procedure at alpha = 0.05
    assume(not np.any(np.isclose(p[order] * (m - np.arange(m)), 0.05)))
    reject = np.zeros(m, dtype=bool)
    for i, idx in enumerate(order):
        if p[idx] * (m - i) > 0.05:
            break
        reject[idx] = True
    assert np.array_equal(adj <= 0.05, reject)


def test_compare_applies_holm_within_intervention_and_window():
    table = compare(make_runs())
    for _, g in table.groupby(["intervention", "window"]):
        np.testing.assert_allclose(g["p_adjusted"], holm_adjust(g["p_value"].to_numpy()))


# --------------------------------------------------------------------------------------
# mean_ci and timeseries_bands
# --------------------------------------------------------------------------------------


def test_mean_ci():
    x = np.array([1.0, 2.0, 4.0, 7.0])
    m, lo, hi = mean_ci(x, 0.95)
    elo, ehi = stats.t.interval(0.95, 3, loc=x.mean(), scale=stats.sem(x))
    assert (m, lo, hi) == pytest.approx((3.5, elo, ehi))
    assert mean_ci([1.0, 2.0, 4.0, 7.0, np.nan]) == pytest.approx((m, lo, hi))
    one = mean_ci([2.5])
    assert one[0] == 2.5 and math.isnan(one[1]) and math.isnan(one[2])
    assert all(math.isnan(v) for v in mean_ci([]))
    assert mean_ci([3.0, 3.0, 3.0]) == (3.0, 3.0, 3.0)


def test_timeseries_bands():
    runs = make_runs(seeds=range(6), T=15)
    bands = timeseries_bands(runs, "trust_mean", confidence=0.9)
    assert list(bands.columns) == [
        "scenario",
        "intervention",
        "step",
        "n_seeds",
        "mean",
        "ci_low",
        "ci_high",
    ]
    assert len(bands) == 3 * 15
    r = bands[(bands["intervention"] == "tax") & (bands["step"] == 7)].iloc[0]
    v = runs.loc[(runs["intervention"] == "tax") & (runs["step"] == 7), "trust_mean"]
    lo, hi = stats.t.interval(0.9, v.size - 1, loc=v.mean(), scale=stats.sem(v))
    assert r["n_seeds"] == 6
    assert (r["mean"], r["ci_low"], r["ci_high"]) == pytest.approx((v.mean(), lo, hi))
    with pytest.raises(ValueError):
        timeseries_bands(runs, "nope")

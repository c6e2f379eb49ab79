"""Tests for simulation.fairness.mitigation: pre-, in- and post-processing mitigations (§2.3,
§2.4.1, §4.2).

Every claim is a direction of effect measured on generated biased data (minority labels shifted
down, a minority feature deficit and a proxy), averaged over communities and seeds; no number
produced by the code under test is hard-coded.
"""

from __future__ import annotations

import numpy as np
import pytest

from hetsim.simulation.fairness.mitigation import (
    apply_thresholds,
    group_thresholds,
    independence_penalty,
    reweighing_weights,
)
from hetsim.simulation.learning.capacity import feature_map
from hetsim.simulation.learning.logistic import fit_logistic
from hetsim.simulation.measures import accuracy, fairness_gap, group_rates
from hetsim.simulation.population import Population
from hetsim.simulation.schema import DataSection

SEEDS = range(4)
#: Biased data: historical label bias against the minority; only attribute a is protected.
BIASED = DataSection(
    minority_share=0.3, group_label_bias=-1.0, relational_identity=0.0, emerged_group_share=0.0
)


def world(seed: int, n_train: int = 300, n_test: int = 2000, k: int = 20):
    rng = np.random.default_rng(seed)
    pop = Population.generate(BIASED, k, 5, rng)
    return pop, pop.draw(n_train, rng), pop.draw(n_test, rng), rng


def scores(X: np.ndarray, coef: np.ndarray, intercept: np.ndarray) -> np.ndarray:
    return np.einsum("knd,kd->kn", X, coef) + intercept[:, None]


def evaluate(res, sample) -> tuple[float, float]:
    """Mean demographic-parity gap and mean accuracy of decisions ``score > 0``."""
    X = feature_map(sample.x, False)
    dec = (scores(X, res.coef, res.intercept) > 0).astype(np.int8)
    rates = group_rates(sample.y, dec, sample.group, 3)
    return float(fairness_gap(rates, "demographic_parity").mean()), float(accuracy(rates).mean())


# ------------------------------------------------------------------------------ reweighing


def test_reweighing_makes_label_independent_of_group() -> None:
    """In the weighted data P_w(y=1 | g) is the same for every group (and equals P(y=1)),
    while the raw data are biased; padded rows get weight 0 and weights average 1."""
    _, train, _, _ = world(0)
    mask = np.ones(train.y.shape, dtype=bool)
    mask[:, -40:] = False  # padding
    w = reweighing_weights(train.y, train.group, mask)
    assert np.all(w[~mask] == 0.0)
    np.testing.assert_allclose(w.sum(axis=1) / mask.sum(axis=1), 1.0)
    raw_gap, weighted_gap = [], []
    for g_rates, weights in ((raw_gap, mask.astype(float)), (weighted_gap, w)):
        per_group = []
        for g in (0, 1):
            in_g = weights * (train.group == g)
            per_group.append((in_g * train.y).sum(axis=1) / in_g.sum(axis=1))
        g_rates.append(np.abs(per_group[0] - per_group[1]))
    assert np.mean(raw_gap) > 0.1  # the data are biased
    np.testing.assert_allclose(weighted_gap[0], 0.0, atol=1e-12)


def test_reweighing_reduces_demographic_parity_gap() -> None:
    """A model fitted with reweighing weights has a smaller held-out DP gap (mean over seeds)."""
    base, mitigated = [], []
    for seed in SEEDS:
        _, train, test, _ = world(seed)
        X = feature_map(train.x, False)
        y = train.y.astype(float)
        base.append(evaluate(fit_logistic(X, y), test)[0])
        w = reweighing_weights(train.y, train.group)
        mitigated.append(evaluate(fit_logistic(X, y, sample_weight=w), test)[0])
    assert np.mean(mitigated) < 0.8 * np.mean(base)


# ------------------------------------------------------------------------------ in-processing


def test_independence_penalty_shrinks_gap_at_an_accuracy_cost() -> None:
    """Covariance penalty: larger strength -> smaller DP gap and (slightly) lower accuracy."""
    gaps = {0.0: [], 1.0: [], 100.0: []}
    accs = {0.0: [], 1.0: [], 100.0: []}
    for seed in SEEDS:
        _, train, test, _ = world(seed)
        X = feature_map(train.x, False)
        for strength in gaps:
            Q = independence_penalty(X, train.group, strength)
            res = fit_logistic(X, train.y.astype(float), quadratic=Q, max_iter=50)
            gap, acc = evaluate(res, test)
            gaps[strength].append(gap)
            accs[strength].append(acc)
    g = {s: np.mean(v) for s, v in gaps.items()}
    a = {s: np.mean(v) for s, v in accs.items()}
    assert g[100.0] < g[1.0] < g[0.0]
    assert g[100.0] < 0.5 * g[0.0]
    assert a[100.0] < a[0.0]


# ------------------------------------------------------------------------------ post-processing


@pytest.mark.parametrize(
    ("notion", "tol"), [("demographic_parity", 0.05), ("equal_opportunity", 0.08)]
)
def test_thresholds_equalise_on_held_out_data(notion: str, tol: float) -> None:
    """Thresholds fitted on calibration data equalise the notion's rate on fresh data,
    up to sampling error, from a clearly unequal start."""
    before, after = [], []
    for seed in SEEDS:
        pop, train, test, rng = world(seed)
        cal = pop.draw(2000, rng)
        res = fit_logistic(feature_map(train.x, False), train.y.astype(float))
        s_cal = scores(feature_map(cal.x, False), res.coef, res.intercept)
        s_test = scores(feature_map(test.x, False), res.coef, res.intercept)
        thr = group_thresholds(s_cal, cal.y, cal.group, notion)
        dec0 = (s_test > 0).astype(np.int8)
        dec = apply_thresholds(s_test, test.group, thr)
        before.append(fairness_gap(group_rates(test.y, dec0, test.group, 3), notion).mean())
        after.append(fairness_gap(group_rates(test.y, dec, test.group, 3), notion).mean())
    assert np.mean(before) > 0.1
    assert np.mean(after) < tol
    assert np.mean(after) < 0.5 * np.mean(before)


def test_thresholds_exact_on_fitting_data_and_none_is_zero() -> None:
    """On the data they are fitted on, DP thresholds give every group the overall rate at 0
    (to within one row per group); notion 'none' leaves the decisions unchanged."""
    _, train, _, _ = world(2, n_train=1000, k=6)
    X = feature_map(train.x, False)
    res = fit_logistic(X, train.y.astype(float))
    s = scores(X, res.coef, res.intercept)
    thr = group_thresholds(s, train.y, train.group, "demographic_parity")
    dec = apply_thresholds(s, train.group, thr)
    rates = group_rates(train.y, dec, train.group, 3)
    overall = (s > 0).mean(axis=1)
    for g in (0, 1):
        assert np.all(np.abs(rates.selection_rate[:, g] - overall) <= 1.0 / rates.n[:, g] + 1e-12)
    none = group_thresholds(s, train.y, train.group, "none")
    assert np.all(none == 0.0)
    np.testing.assert_array_equal(apply_thresholds(s, train.group, none), (s > 0))


def test_quota_reaches_target_for_protected_groups() -> None:
    """Quota thresholds lift each protected group's held-out selection rate to the target,
    leave the majority's threshold at 0, and never raise a protected group's bar."""
    target = 0.5
    minority_rate, before = [], []
    for seed in SEEDS:
        pop, train, test, rng = world(seed)
        cal = pop.draw(2000, rng)
        res = fit_logistic(feature_map(train.x, False), train.y.astype(float))
        s_cal = scores(feature_map(cal.x, False), res.coef, res.intercept)
        s_test = scores(feature_map(test.x, False), res.coef, res.intercept)
        thr = group_thresholds(s_cal, cal.y, cal.group, "quota", quota_target=target)
        assert np.all(thr[:, 0] == 0.0)
        assert np.all(thr <= 0.0)
        dec = apply_thresholds(s_test, test.group, thr)
        minority_rate.append(group_rates(test.y, dec, test.group, 3).selection_rate[:, 1].mean())
        before.append(((s_test > 0) & (test.group == 1)).sum() / (test.group == 1).sum())
    assert np.mean(before) < target - 0.1
    assert np.mean(minority_rate) >= target - 0.02

"""Tests of the lender's policies on a deployed model's scores (the ecosystem's lenders)."""

from __future__ import annotations

import numpy as np
import pytest

from hetsim.simulation.lending.params import LendingParams
from hetsim.simulation.lending.policy import score_thresholds


def _records(seed: int, n: int = 2000):
    """Two groups; group 1's scores (and repayment) sit lower, as after historical bias."""
    rng = np.random.default_rng(seed)
    group = (rng.random(n) < 0.4).astype(np.int64)
    merit = rng.standard_normal(n) - 1.0 * group
    repaid = rng.random(n) < 1.0 / (1.0 + np.exp(-(merit + 0.3)))
    score = merit + 0.3 * rng.standard_normal(n)
    return score[None], repaid[None], group[None], np.ones((1, n), dtype=bool)


def _rates(score, repaid, group, t):
    approved = score > t[0, group]
    sel = [approved[group == g].mean() for g in (0, 1)]
    tpr = [approved[(group == g) & repaid].mean() for g in (0, 1)]
    return np.array(sel), np.array(tpr)


def _profit(score, repaid, group, t, params):
    approved = score > t[0, group]
    return float((np.where(repaid, params.interest_rate, -1.0) * approved).sum())


@pytest.mark.parametrize(
    ("policy", "equalised"), [("demographic_parity", 0), ("equal_opportunity", 1)]
)
def test_constrained_lenders_equalise_their_rate_on_their_records(policy, equalised):
    score, repaid, group, valid = _records(0)
    params = LendingParams(fairness_grid_size=401)
    t = score_thresholds(score, repaid, group, valid, np.array([policy]), params, 2)
    blind = score_thresholds(score, repaid, group, valid, np.array(["max_utility"]), params, 2)
    rates = _rates(score[0], repaid[0], group[0], t)[equalised]
    blind_rates = _rates(score[0], repaid[0], group[0], blind)[equalised]
    assert abs(rates[0] - rates[1]) < 0.01  # equal to the grid's resolution and the counts
    assert abs(blind_rates[0] - blind_rates[1]) > 0.1  # the profit maximiser does not
    assert t[0, 1] < t[0, 0]  # the lower-scored group gets the lower bar


def test_max_utility_threshold_is_the_best_group_blind_cut():
    score, repaid, group, valid = _records(1)
    params = LendingParams()
    t = score_thresholds(score, repaid, group, valid, np.array(["max_utility"]), params, 2)
    assert t[0, 0] == t[0, 1]
    best = _profit(score[0], repaid[0], group[0], t, params)
    for cut in np.linspace(-3, 3, 121):  # no other single cut earns more on these records
        assert _profit(score[0], repaid[0], group[0], np.full((1, 2), cut), params) <= best + 1e-9


def test_constrained_profit_is_the_best_on_its_grid():
    """Brute force: no pair of group counts with equal selection rate earns more."""
    score, repaid, group, valid = _records(2, n=300)
    params = LendingParams(fairness_grid_size=301)
    t = score_thresholds(score, repaid, group, valid, np.array(["demographic_parity"]), params, 2)
    best = _profit(score[0], repaid[0], group[0], t, params)
    n = np.bincount(group[0])
    gain = np.where(repaid[0], 1.0, -1.0)
    for tau in np.linspace(0, 1, 301):
        total = 0.0
        for g in (0, 1):
            order = np.argsort(-np.where(group[0] == g, score[0], -np.inf), kind="stable")
            m = int(np.rint(tau * n[g]))
            total += gain[order[:m]].sum()
        assert total <= best + 1e-9


def test_small_groups_are_left_out_of_the_constraint():
    score, repaid, group, valid = _records(3)
    group = group.copy()
    group[0, :3] = 2  # three records of a third group: too few to estimate a rate on
    params = LendingParams()
    t = score_thresholds(score, repaid, group, valid, np.array(["demographic_parity"]), params, 3)
    blind = score_thresholds(score, repaid, group, valid, np.array(["max_utility"]), params, 3)
    assert t[0, 2] == blind[0, 2]

"""Tests for hetsim.simulation.measures: concentration, group rates, fairness gaps, flow
centrality."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from sklearn.metrics import confusion_matrix

from hetsim.simulation.measures import (
    FAIRNESS_NOTIONS,
    accuracy,
    fairness_gap,
    flow_graph,
    gini,
    group_rates,
    hhi,
    network_centrality,
    shares,
    top_k_share,
)

holdings_st = arrays(
    dtype=float,
    shape=st.integers(1, 30),
    elements=st.floats(0, 1e6, allow_nan=False, allow_infinity=False, allow_subnormal=False),
)


# ----------------------------------------------------------------------------- concentration


@pytest.mark.parametrize("n", [1, 2, 5, 17])
def test_hhi_equal_shares_is_one_over_n(n: int) -> None:
    assert hhi(np.full(n, 3.0)) == pytest.approx(1 / n)


def test_hhi_monopoly_is_one() -> None:
    assert hhi(np.array([0.0, 0.0, 7.0, 0.0])) == pytest.approx(1.0)


@given(holdings_st)
def test_hhi_matches_independent_sum_of_squared_shares(x: np.ndarray) -> None:
    vals = [float(v) for v in x]
    total = sum(vals)
    expected = 0.0 if total == 0 else sum((v / total) ** 2 for v in vals)
    assert hhi(x) == pytest.approx(expected, rel=1e-9, abs=1e-12)
    if total > 0:
        assert 1 / len(vals) - 1e-12 <= hhi(x) <= 1 + 1e-12


@given(holdings_st, st.floats(1e-3, 1e3))
def test_hhi_and_gini_invariant_to_scaling(x: np.ndarray, scale: float) -> None:
    assert hhi(x * scale) == pytest.approx(hhi(x), rel=1e-9, abs=1e-12)
    assert gini(x * scale) == pytest.approx(gini(x), rel=1e-9, abs=1e-9)


def test_all_zero_holdings_give_zero_not_nan() -> None:
    z = np.zeros(4)
    assert hhi(z) == 0.0
    assert gini(z) == 0.0
    assert top_k_share(z, k=2) == 0.0
    np.testing.assert_array_equal(shares(z), np.zeros(4))
    assert gini(np.array([])) == 0.0
    assert hhi(np.array([])) == 0.0


def test_shares_sum_to_one() -> None:
    s = shares(np.array([1.0, 3.0, 6.0]))
    np.testing.assert_allclose(s, [0.1, 0.3, 0.6])


def test_negative_holdings_rejected() -> None:
    with pytest.raises(ValueError, match="non-negative"):
        hhi(np.array([1.0, -1.0]))


@pytest.mark.parametrize("n", [1, 2, 4, 10])
def test_gini_equal_is_zero_and_single_holder_is_n_minus_1_over_n(n: int) -> None:
    assert gini(np.full(n, 2.5)) == pytest.approx(0.0, abs=1e-12)
    one = np.zeros(n)
    one[n // 2] = 9.0
    assert gini(one) == pytest.approx((n - 1) / n)


@given(holdings_st)
def test_gini_matches_mean_absolute_difference(x: np.ndarray) -> None:
    vals = [float(v) for v in x]
    n = len(vals)
    mean = sum(vals) / n
    if mean == 0:
        expected = 0.0
    else:
        expected = sum(abs(a - b) for a in vals for b in vals) / (2 * n * n * mean)
    g = gini(x)
    assert g == pytest.approx(expected, rel=1e-9, abs=1e-9)
    assert 0.0 <= g < 1.0


def test_top_k_share_hand_case() -> None:
    x = np.array([5.0, 1.0, 3.0, 1.0])  # total 10; largest 5, then 3
    assert top_k_share(x) == pytest.approx(0.5)
    assert top_k_share(x, k=2) == pytest.approx(0.8)
    assert top_k_share(x, k=10) == pytest.approx(1.0)
    with pytest.raises(ValueError):
        top_k_share(x, k=0)


# ----------------------------------------------------------------------------- group rates


def _hand_case() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    # One community, 8 people, two groups of 4.
    # group 0: y_true 1 1 0 0, y_pred 1 1 1 0 -> selected 3/4, TPR 2/2 = 1, FPR 1/2
    # group 1: y_true 1 1 0 0, y_pred 1 0 0 0 -> selected 1/4, TPR 1/2,     FPR 0/2 = 0
    y_true = np.array([[1, 1, 0, 0, 1, 1, 0, 0]])
    y_pred = np.array([[1, 1, 1, 0, 1, 0, 0, 0]])
    group = np.array([[0, 0, 0, 0, 1, 1, 1, 1]])
    return y_true, y_pred, group


def test_group_rates_hand_case() -> None:
    r = group_rates(*_hand_case(), n_groups=2)
    np.testing.assert_array_equal(r.n, [[4, 4]])
    np.testing.assert_allclose(r.selection_rate, [[0.75, 0.25]])
    np.testing.assert_allclose(r.tpr, [[1.0, 0.5]])
    np.testing.assert_allclose(r.fpr, [[0.5, 0.0]])
    # group 0 correct: 1,1,0(wrong),1 -> 3/4; group 1 correct: 1,0(wrong),1,1 -> 3/4
    np.testing.assert_allclose(r.accuracy, [[0.75, 0.75]])
    np.testing.assert_allclose(accuracy(r), [0.75])


def test_fairness_gaps_hand_case() -> None:
    r = group_rates(*_hand_case(), n_groups=2)
    # DP: 0.75 - 0.25 = 0.5
    assert fairness_gap(r, "demographic_parity")[0] == pytest.approx(0.5)
    # Equal opportunity: TPR 1.0 - 0.5 = 0.5
    assert fairness_gap(r, "equal_opportunity")[0] == pytest.approx(0.5)
    # Equalized odds: max(TPR gap 0.5, FPR gap 0.5 - 0) = 0.5
    assert fairness_gap(r, "equalized_odds")[0] == pytest.approx(0.5)
    # Quota target 0.5: protected group 1 selected at 0.25 -> shortfall 0.25
    assert fairness_gap(r, "quota", quota_target=0.5)[0] == pytest.approx(0.25)
    # Quota target 0.2: group 1 at 0.25 already exceeds it -> no shortfall
    assert fairness_gap(r, "quota", quota_target=0.2)[0] == pytest.approx(0.0)
    assert fairness_gap(r, "none")[0] == 0.0


def test_equalized_odds_driven_by_fpr() -> None:
    # group 0: y_true 1 0 0, y_pred 1 1 1 -> TPR 1, FPR 2/2 = 1
    # group 1: y_true 1 0 0, y_pred 1 0 0 -> TPR 1, FPR 0
    # EOpp = 0 (TPRs equal); EOdds = max(0, 1 - 0) = 1
    y_true = np.array([[1, 0, 0, 1, 0, 0]])
    y_pred = np.array([[1, 1, 1, 1, 0, 0]])
    group = np.array([[0, 0, 0, 1, 1, 1]])
    r = group_rates(y_true, y_pred, group, n_groups=2)
    assert fairness_gap(r, "equal_opportunity")[0] == pytest.approx(0.0)
    assert fairness_gap(r, "equalized_odds")[0] == pytest.approx(1.0)


def test_three_groups_max_minus_min() -> None:
    # selection rates: g0 2/2 = 1, g1 1/2 = 0.5, g2 0/2 = 0 -> DP gap 1 - 0 = 1
    # quota target 0.6: shortfalls g1 0.1, g2 0.6 -> 0.6
    y_true = np.zeros((1, 6), dtype=int)
    y_pred = np.array([[1, 1, 1, 0, 0, 0]])
    group = np.array([[0, 0, 1, 1, 2, 2]])
    r = group_rates(y_true, y_pred, group, n_groups=3)
    assert fairness_gap(r, "demographic_parity")[0] == pytest.approx(1.0)
    assert fairness_gap(r, "quota", quota_target=0.6)[0] == pytest.approx(0.6)
    # No positives anywhere: TPR undefined for all groups -> EOpp gap 0, not NaN.
    assert np.isnan(r.tpr).all()
    assert fairness_gap(r, "equal_opportunity")[0] == 0.0
    # EOdds then rests on FPR = selection rate here: 1 - 0 = 1.
    assert fairness_gap(r, "equalized_odds")[0] == pytest.approx(1.0)


def test_undefined_rates_are_nan() -> None:
    # group 1 has only negatives -> TPR undefined; group 2 is empty -> everything undefined
    y_true = np.array([[1, 0, 0, 0]])
    y_pred = np.array([[1, 0, 1, 0]])
    group = np.array([[0, 0, 1, 1]])
    r = group_rates(y_true, y_pred, group, n_groups=3)
    assert np.isnan(r.tpr[0, 1])
    assert r.fpr[0, 1] == pytest.approx(0.5)
    assert r.n[0, 2] == 0
    for arr in (r.accuracy, r.tpr, r.fpr, r.selection_rate):
        assert np.isnan(arr[0, 2])


@pytest.mark.parametrize("notion", FAIRNESS_NOTIONS)
def test_one_group_only_gives_zero(notion: str) -> None:
    y_true = np.array([[1, 0, 1, 0]])
    y_pred = np.array([[1, 1, 0, 0]])
    group = np.array([[1, 1, 1, 1]])  # only the protected group present
    r = group_rates(y_true, y_pred, group, n_groups=3)
    gap = fairness_gap(r, notion, quota_target=0.9)
    assert gap[0] == 0.0


def test_min_group_size_excludes_small_groups() -> None:
    # g0: 4 people, selected 4/4; g1: 1 person, selected 0/1; g2: 4 people, selected 2/4
    y_true = np.zeros((1, 9), dtype=int)
    y_pred = np.array([[1, 1, 1, 1, 0, 1, 1, 0, 0]])
    group = np.array([[0, 0, 0, 0, 1, 2, 2, 2, 2]])
    r = group_rates(y_true, y_pred, group, n_groups=3)
    # all present: 1 - 0 = 1; with min size 2, g1 is dropped: 1 - 0.5 = 0.5
    assert fairness_gap(r, "demographic_parity")[0] == pytest.approx(1.0)
    assert fairness_gap(r, "demographic_parity", min_group_size=2)[0] == pytest.approx(0.5)
    # min size 5 leaves no group present -> 0
    assert fairness_gap(r, "demographic_parity", min_group_size=5)[0] == 0.0


def test_mask_respected() -> None:
    y_true, y_pred, group = _hand_case()
    # Pad with garbage columns (invalid labels and group ids) that the mask hides.
    pad = np.full((1, 3), 7)
    yt = np.concatenate([y_true, pad], axis=1)
    yp = np.concatenate([y_pred, pad], axis=1)
    gr = np.concatenate([group, np.full((1, 3), -1)], axis=1)
    mask = np.concatenate([np.ones((1, 8), bool), np.zeros((1, 3), bool)], axis=1)
    masked = group_rates(yt, yp, gr, n_groups=2, mask=mask)
    plain = group_rates(y_true, y_pred, group, n_groups=2)
    for field in ("n", "tp", "fp", "tn", "fn"):
        np.testing.assert_array_equal(getattr(masked, field), getattr(plain, field))
    # Masking out the whole of group 1 leaves one group -> DP gap 0
    mask2 = mask.copy()
    mask2[0, 4:8] = False
    r2 = group_rates(yt, yp, gr, n_groups=2, mask=mask2)
    np.testing.assert_array_equal(r2.n, [[4, 0]])
    assert fairness_gap(r2, "demographic_parity")[0] == 0.0
    # Unmasked garbage is rejected.
    with pytest.raises(ValueError):
        group_rates(yt, yp, gr, n_groups=2)


def test_gap_zero_when_predictions_identical_across_groups() -> None:
    # Both groups have identical (y_true, y_pred) multisets -> every rate equal -> all gaps 0
    base_t = [1, 1, 0, 0, 1]
    base_p = [1, 0, 1, 0, 1]
    y_true = np.array([base_t + base_t])
    y_pred = np.array([base_p + base_p])
    group = np.array([[0] * 5 + [1] * 5])
    r = group_rates(y_true, y_pred, group, n_groups=2)
    for notion in ("demographic_parity", "equal_opportunity", "equalized_odds", "none"):
        assert fairness_gap(r, notion)[0] == pytest.approx(0.0, abs=1e-15)


def test_unknown_notion_raises_with_value() -> None:
    r = group_rates(*_hand_case(), n_groups=2)
    with pytest.raises(ValueError, match="meritocracy") as exc:
        fairness_gap(r, "meritocracy")
    assert "demographic_parity" in str(exc.value)
    with pytest.raises(ValueError, match="bogus"):
        fairness_gap(r, np.array(["bogus"]))


# ----------------------------------------------------------------------------- batched


@st.composite
def batches(draw: st.DrawFn) -> tuple[np.ndarray, ...]:
    C = draw(st.integers(1, 6))
    m = draw(st.integers(1, 25))
    G = draw(st.integers(1, 4))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    y_true = rng.integers(0, 2, size=(C, m))
    y_pred = rng.integers(0, 2, size=(C, m))
    group = rng.integers(0, G, size=(C, m))
    mask = rng.random((C, m)) < 0.8
    return y_true, y_pred, group, mask, G


@given(batches())
@settings(max_examples=60, deadline=None)
def test_equalized_odds_at_least_equal_opportunity(batch: tuple) -> None:
    y_true, y_pred, group, mask, G = batch
    r = group_rates(y_true, y_pred, group, G, mask=mask)
    eo = fairness_gap(r, "equalized_odds")
    eopp = fairness_gap(r, "equal_opportunity")
    assert np.all(eo >= eopp)
    for notion in FAIRNESS_NOTIONS:
        gap = fairness_gap(r, notion)
        assert not np.isnan(gap).any()
        assert np.all((gap >= 0) & (gap <= 1))


def _reference_gap(rows: list[tuple[int, int, int]], G: int, notion: str, target: float) -> float:
    """Pure-Python single-community gap, computed from sklearn confusion matrices."""
    sel, tpr, fpr = {}, {}, {}
    for g in range(G):
        t = [a for a, _, gg in rows if gg == g]
        p = [b for _, b, gg in rows if gg == g]
        if not t:
            continue
        tn, fp, fn, tp = confusion_matrix(t, p, labels=[0, 1]).ravel()
        sel[g] = (tp + fp) / len(t)
        if tp + fn:
            tpr[g] = tp / (tp + fn)
        if fp + tn:
            fpr[g] = fp / (fp + tn)

    def rng(d: dict) -> float:
        return max(d.values()) - min(d.values()) if len(d) >= 2 else 0.0

    if len(sel) < 2 or notion == "none":
        return 0.0
    if notion == "demographic_parity":
        return rng(sel)
    if notion == "equal_opportunity":
        return rng(tpr)
    if notion == "equalized_odds":
        return max(rng(tpr), rng(fpr))
    if notion == "quota":
        return max([max(0.0, target - s) for g, s in sel.items() if g >= 1], default=0.0)
    raise AssertionError(notion)


@given(batches(), st.floats(0, 1))
@settings(max_examples=60, deadline=None)
def test_vectorised_equals_per_community_loop(batch: tuple, target: float) -> None:
    y_true, y_pred, group, mask, G = batch
    C = y_true.shape[0]
    notions = np.array([FAIRNESS_NOTIONS[c % len(FAIRNESS_NOTIONS)] for c in range(C)])
    r = group_rates(y_true, y_pred, group, G, mask=mask)
    gaps = fairness_gap(r, notions, quota_target=target)
    for c in range(C):
        valid = mask[c]
        for g in range(G):
            sel = valid & (group[c] == g)
            if sel.any():
                tn, fp, fn, tp = confusion_matrix(
                    y_true[c][sel], y_pred[c][sel], labels=[0, 1]
                ).ravel()
            else:
                tn = fp = fn = tp = 0
            assert (r.tp[c, g], r.fp[c, g], r.tn[c, g], r.fn[c, g]) == (tp, fp, tn, fn)
            assert r.n[c, g] == sel.sum()
        rows = [
            (int(y_true[c, i]), int(y_pred[c, i]), int(group[c, i]))
            for i in range(y_true.shape[1])
            if valid[i]
        ]
        expected = _reference_gap(rows, G, str(notions[c]), target)
        assert gaps[c] == pytest.approx(expected, abs=1e-12)
        # Single-community call on this community alone agrees with the batched result.
        single = group_rates(y_true[c], y_pred[c], group[c], G, mask=valid)
        assert fairness_gap(single, str(notions[c]), quota_target=target)[0] == pytest.approx(
            gaps[c], abs=1e-12
        )
        n_valid = valid.sum()
        acc = accuracy(r)[c]
        if n_valid:
            expected_acc = float((y_true[c][valid] == y_pred[c][valid]).mean())
            assert acc == pytest.approx(expected_acc)
        else:
            assert math.isnan(acc)


def test_per_community_quota_target_and_notion_array() -> None:
    # Two copies of the hand case; protected group selected at 0.25.
    y_true, y_pred, group = (np.repeat(a, 2, axis=0) for a in _hand_case())
    r = group_rates(y_true, y_pred, group, n_groups=2)
    gaps = fairness_gap(r, np.array(["quota", "quota"]), quota_target=np.array([0.5, 1.0]))
    np.testing.assert_allclose(gaps, [0.25, 0.75])
    mixed = fairness_gap(r, np.array(["demographic_parity", "none"]))
    np.testing.assert_allclose(mixed, [0.5, 0.0])


# ----------------------------------------------------------------------------- networks


def test_flow_graph_sums_parallel_edges() -> None:
    g = flow_graph([("a", "b", 1.0), ("a", "b", 2.5), ("c", "b", 1.0)])
    assert g["a"]["b"]["weight"] == pytest.approx(3.5)
    assert g.number_of_edges() == 2


def test_network_centrality_in_flow_share() -> None:
    # in-flows: hub 3 + 1 = 4, lab 2, user 0; total 6
    edges = [("lab", "hub", 3.0), ("user", "hub", 1.0), ("hub", "lab", 2.0)]
    c = network_centrality(edges)
    assert c == pytest.approx({"hub": 4 / 6, "lab": 2 / 6, "user": 0.0})
    assert network_centrality([]) == {}
    assert network_centrality([("a", "b", 0.0)]) == {"a": 0.0, "b": 0.0}
    with pytest.raises(ValueError):
        flow_graph([("a", "b", -1.0)])

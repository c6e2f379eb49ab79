"""Tests of the stand-alone lending environment: decisions with delayed impact on applicants."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hetsim.simulation.lending.environment import CreditShift, NoShift, init_state, step
from hetsim.simulation.lending.params import (
    POLICIES,
    LendingParams,
    expected_repayment_probability_change,
    expected_utility,
    mean_repayment_probability,
)
from hetsim.simulation.lending.policy import policy_thresholds

# Liu et al.'s setting: equally spaced repayment probabilities, so a loan in
# cluster k moves the group's mean repayment probability up on average iff
# p_k > 0.5 -- the same point as the lender's break-even at interest rate 1.
# Group 0 is advantaged; group 1 has most of its mass below that point.
LIU_PARAMS = dict(
    success_probability=(0.05, 0.2, 0.35, 0.5, 0.65, 0.8, 0.95),
    initial_distribution=(
        (0.0, 0.0, 0.1, 0.2, 0.3, 0.3, 0.1),
        (0.2, 0.3, 0.3, 0.1, 0.1, 0.0, 0.0),
    ),
    interest_rate=1.0,
    loan_size=1.0,
    shift_increment=0.002,
    applicants_per_step=10,
)


def _approval(threshold: np.ndarray, boundary: np.ndarray, K: int) -> np.ndarray:
    """Approval probability per cluster from (threshold, boundary) -- written out here."""
    a = np.zeros((*threshold.shape, K))
    for idx in np.ndindex(threshold.shape):
        t = int(threshold[idx])
        a[(*idx, slice(t + 1, K))] = 1.0
        a[(*idx, t)] = boundary[idx]
    return a


def _run(params, n_communities, seed, n_steps, updater=None):
    state = init_state(params, n_communities)
    rng = np.random.default_rng(seed)
    records = [step(state, params, rng, updater) for _ in range(n_steps)]
    return state, records


def _records_equal(r1, r2) -> bool:
    for f in dataclasses.fields(r1):
        a, b = getattr(r1, f.name), getattr(r2, f.name)
        if not np.array_equal(a, b, equal_nan=True):
            return False
    return True


# --------------------------------------------------------------------------- parameters


def test_defaults_are_ml_fairness_gym_delayed_impact_values():
    p = LendingParams()
    assert p.success_probability == (0.1, 0.2, 0.45, 0.6, 0.65, 0.7, 0.7)
    assert p.initial_distribution == (
        (0.0, 0.1, 0.1, 0.2, 0.3, 0.3, 0.0),
        (0.1, 0.1, 0.2, 0.3, 0.3, 0.0, 0.0),
    )
    assert p.group_shares == (0.5, 0.5)
    assert (p.loan_size, p.interest_rate, p.shift_increment) == (1.0, 1.0, 0.01)
    assert (p.n_groups, p.n_clusters) == (2, 7)


def test_sequences_are_normalised_to_hashable_tuples():
    p = LendingParams(
        success_probability=[0.2, 0.8],
        initial_distribution=np.array([[0.5, 0.5]]),
        group_shares=[1],
    )
    assert p.success_probability == (0.2, 0.8)
    assert p.initial_distribution == ((0.5, 0.5),)
    assert p.group_shares == (1.0,)
    hash(p)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("success_probability", (0.5,)),
        ("success_probability", (0.2, 1.2, 0.9, 0.9, 0.9, 0.9, 0.9)),
        ("success_probability", (0.1, 0.2, 0.45, 0.6, 0.65, 0.7, 0.5)),
        ("success_probability", "0.1"),
        ("initial_distribution", ((0.1,) * 7,) * 2),
        ("initial_distribution", ((0.5, 0.5), (0.5, 0.5))),
        ("initial_distribution", ((1.1, -0.1, 0, 0, 0, 0, 0), (1, 0, 0, 0, 0, 0, 0))),
        ("initial_distribution", ()),
        ("group_shares", (0.5, 0.6)),
        ("group_shares", (1.0,)),
        ("loan_size", 0.0),
        ("loan_size", float("nan")),
        ("interest_rate", -0.1),
        ("shift_increment", 1.5),
        ("shift_increment", -0.01),
        ("applicants_per_step", 0),
        ("applicants_per_step", 2.5),
        ("applicants_per_step", True),
        ("policy", "equalized_odds"),
        ("fairness_grid_size", 1),
        ("burn_in", -1),
        ("burn_in", 1.5),
    ],
)
def test_invalid_params_raise_value_error_naming_the_field(field, value):
    with pytest.raises(ValueError, match=field):
        LendingParams(**{field: value})


def test_init_state_rejects_non_positive_community_count():
    with pytest.raises(ValueError, match="n_communities"):
        init_state(LendingParams(), 0)


# --------------------------------------------------------------------------- dynamics


def test_zero_shift_increment_freezes_distributions_even_with_loans():
    params = LendingParams(shift_increment=0.0, applicants_per_step=5)
    state, records = _run(params, 8, seed=3, n_steps=100)
    assert sum(int(r.loans.sum()) for r in records) > 500
    initial = np.broadcast_to(np.asarray(params.initial_distribution), (8, 2, 7))
    for r in records:
        np.testing.assert_array_equal(r.score_distribution, initial)
    np.testing.assert_array_equal(state.distribution, initial)


def test_distributions_shift_only_for_groups_that_received_loans():
    # Group 1 lies entirely below the max-utility threshold: it never gets a loan.
    params = LendingParams(
        initial_distribution=(
            (0.0, 0.1, 0.1, 0.2, 0.3, 0.3, 0.0),
            (0.4, 0.4, 0.2, 0.0, 0.0, 0.0, 0.0),
        ),
        applicants_per_step=3,
        shift_increment=0.05,
    )
    C = 6
    state = init_state(params, C)
    rng = np.random.default_rng(11)
    previous = state.distribution.copy()
    any_changed = False
    for _ in range(200):
        r = step(state, params, rng)
        changed = np.any(r.score_distribution != previous, axis=-1)  # (C, G)
        assert not np.any(changed & (r.loans == 0)), "a group without loans changed"
        any_changed |= bool(changed.any())
        previous = r.score_distribution.copy()
    assert any_changed
    assert np.all(state.cumulative_loans[:, 1] == 0)
    assert np.all(state.cumulative_loans[:, 0] > 0)
    np.testing.assert_array_equal(
        state.distribution[:, 1], np.broadcast_to(params.initial_distribution[1], (C, 7))
    )
    assert np.all(np.any(state.distribution[:, 0] != params.initial_distribution[0], axis=-1))


def test_no_shift_updater_is_a_static_population():
    params = LendingParams(shift_increment=0.05, applicants_per_step=5)
    state, records = _run(params, 4, seed=5, n_steps=50, updater=NoShift())
    assert sum(int(r.loans.sum()) for r in records) > 0
    np.testing.assert_array_equal(
        state.distribution, np.broadcast_to(params.initial_distribution, (4, 2, 7))
    )


@pytest.mark.parametrize("policy", POLICIES)
def test_step_accounting_and_distributions_stay_valid(policy):
    params = LendingParams(policy=policy, applicants_per_step=7, shift_increment=0.2)
    C = 5
    state = init_state(params, C)
    rng = np.random.default_rng(2)
    profit = np.zeros(C)
    for _ in range(60):
        r = step(state, params, rng)
        np.testing.assert_array_equal(r.applicants.sum(axis=1), 7)
        np.testing.assert_array_equal(r.loans, r.repaid + r.defaulted)
        assert np.all(r.loans <= r.applicants)
        assert np.all(r.score_distribution >= 0)
        np.testing.assert_allclose(r.score_distribution.sum(axis=-1), 1.0, atol=1e-12)
        np.testing.assert_allclose(
            r.mean_repayment_probability,
            r.score_distribution @ np.asarray(params.success_probability),
        )
        np.testing.assert_allclose(r.bank_profit, (r.repaid - r.defaulted).sum(axis=1))
        profit += r.bank_profit
        ok = ~np.isnan(r.cumulative_tpr)
        assert np.all((r.cumulative_tpr[ok] >= 0) & (r.cumulative_tpr[ok] <= 1))
    np.testing.assert_allclose(state.cumulative_profit, profit)
    assert state.steps == 60


def test_credit_shift_moves_one_increment_like_ml_fairness_gym():
    params = LendingParams(shift_increment=0.05)
    dist = np.asarray(params.initial_distribution, dtype=float)[None].copy()  # (1, 2, 7)
    zeros = np.zeros((1, 2, 7), dtype=np.int64)

    repaid = zeros.copy()
    repaid[0, 1, 3] = 1  # group 1 repays in cluster 3: 0.05 moves 3 -> 4
    d = dist.copy()
    CreditShift().update(d, repaid, zeros, params)
    expected = dist.copy()
    expected[0, 1, 3] -= 0.05
    expected[0, 1, 4] += 0.05
    np.testing.assert_allclose(d, expected, atol=1e-15)

    defaulted = zeros.copy()
    defaulted[0, 0, 2] = 1  # group 0 defaults in cluster 2 (mass 0.1): 0.05 moves 2 -> 1
    d = dist.copy()
    CreditShift().update(d, zeros, defaulted, params)
    expected = dist.copy()
    expected[0, 0, 2] -= 0.05
    expected[0, 0, 1] += 0.05
    np.testing.assert_allclose(d, expected, atol=1e-15)

    # Clamped ends: repaying in the top cluster or defaulting in the bottom one moves nothing.
    top, bottom = zeros.copy(), zeros.copy()
    top[0, 0, 6], bottom[0, 1, 0] = 1, 1
    d = np.zeros((1, 2, 7))
    d[0, 0, 5:] = d[0, 1, :2] = 0.5
    before = d.copy()
    CreditShift().update(d, top, bottom, params)
    np.testing.assert_array_equal(d, before)


def test_credit_shift_caps_outflow_at_the_clusters_mass():
    params = LendingParams(shift_increment=0.05)
    d = np.zeros((1, 1, 7))
    d[0, 0, 2], d[0, 0, 5] = 0.02, 0.98
    repaid = np.zeros((1, 1, 7), dtype=np.int64)
    defaulted = np.zeros((1, 1, 7), dtype=np.int64)
    repaid[0, 0, 2], defaulted[0, 0, 2] = 3, 1  # requests 0.2 from a cluster holding 0.02
    CreditShift().update(d, repaid, defaulted, params)
    assert d[0, 0, 2] == pytest.approx(0.0, abs=1e-15)
    assert d[0, 0, 3] == pytest.approx(0.015)  # 3/4 of the capped 0.02 moves up
    assert d[0, 0, 1] == pytest.approx(0.005)  # 1/4 moves down
    assert d.sum() == pytest.approx(1.0)


# --------------------------------------------------------------------------- delayed impact


def test_max_utility_does_not_harm_disadvantaged_group_but_equal_opportunity_does():
    """Liu et al. 2018, "Delayed Impact of Fair ML", main claim (Sec. 3-4, Fig. 1).

    When the lender's break-even is no lower than the point above which a loan
    improves the borrower on average, unconstrained utility maximisation does
    not cause *active harm* (a fall of the disadvantaged group's mean
    outcome), whereas equal opportunity can: to equalise true-positive rates
    it lends to the disadvantaged group in clusters where repayment is
    unlikely, and the defaults move its score distribution down.  The outcome
    measured is the group's mean repayment probability, over a short horizon
    (the one-step regime of the paper: ~0.2 of the group's mass is moved).
    """
    delta = expected_repayment_probability_change(LendingParams(**LIU_PARAMS))
    changes = {}
    for policy in ("max_utility", "equal_opportunity"):
        params = LendingParams(policy=policy, **LIU_PARAMS)
        state = init_state(params, 100)
        start = mean_repayment_probability(state.distribution, params)[:, 1]

        # The regime the claim is about, checked on the starting policy.
        threshold, boundary = policy_thresholds(state.distribution, params)
        a = _approval(threshold, boundary, params.n_clusters)[0, 1]
        lent = (a > 0) & (np.asarray(params.initial_distribution[1]) > 0)
        if policy == "max_utility":
            assert np.all(delta[lent] >= 0)
        else:
            assert np.any(delta[lent] < 0)

        rng = np.random.default_rng(0)
        for _ in range(50):
            record = step(state, params, rng)
        change = record.mean_repayment_probability[:, 1] - start
        changes[policy] = (change.mean(), change.std() / np.sqrt(change.size))

    mu_mean, mu_se = changes["max_utility"]
    eo_mean, eo_se = changes["equal_opportunity"]
    assert mu_mean > 3 * mu_se  # MaxUtil: the disadvantaged group improves
    assert eo_mean < -3 * eo_se  # EqOpt: active harm
    assert eo_mean < mu_mean


def test_under_the_gym_defaults_even_the_profit_maximiser_harms_the_groups_it_lends_to():
    """ml-fairness-gym's default repayment probabilities break Liu et al.'s assumption: cluster
    3 (p = 0.6) is profitable to lend to, yet a default there costs 0.15 of repayment
    probability and a repayment gains 0.05, and in cluster 5 (p = 0.7) a repayment gains
    nothing. So under the defaults max_utility lowers both groups' mean repayment probability,
    where under Liu's geometry (the test above) it raises the disadvantaged group's."""
    params = LendingParams(applicants_per_step=10)
    state = init_state(params, 100)
    start = mean_repayment_probability(state.distribution, params)
    rng = np.random.default_rng(0)
    for _ in range(50):
        record = step(state, params, rng)
    assert record.loans.sum() > 0
    change = record.mean_repayment_probability - start  # (C, G)
    mean, se = change.mean(axis=0), change.std(axis=0) / np.sqrt(len(change))
    assert np.all(mean < -3 * se)


def test_equal_opportunity_equalises_realised_recall_where_max_utility_does_not():
    """Cumulative TPR (recall) counts rejected applicants who would have repaid:
    on a static population equal opportunity equalises it, max_utility does not."""
    tpr = {}
    for policy in ("max_utility", "equal_opportunity"):
        params = LendingParams(policy=policy, applicants_per_step=50)
        state, _records = _run(params, 20, seed=4, n_steps=100, updater=NoShift())
        tpr[policy] = state.cumulative_true_positives.sum(0) / state.cumulative_positives.sum(0)
    assert abs(tpr["equal_opportunity"][0] - tpr["equal_opportunity"][1]) < 0.02
    assert abs(tpr["max_utility"][0] - tpr["max_utility"][1]) > 0.1


# --------------------------------------------------------------------------- policies


def _brute_force_utility_on_grid(dist, shares, params, weights_fn):
    """Best share-weighted utility over the rate grid, by filling each group from the top."""
    p = np.asarray(params.success_probability)
    u = expected_utility(params)
    best = -np.inf
    for tau in np.linspace(0.0, 1.0, params.fairness_grid_size):
        total = 0.0
        for g in range(dist.shape[0]):
            w = weights_fn(dist[g], p)
            remaining = tau * w.sum()
            for k in range(len(p) - 1, -1, -1):
                if w[k] <= 0 or remaining <= 0:
                    continue
                take = min(w[k], remaining)
                remaining -= take
                total += shares[g] * dist[g, k] * (take / w[k]) * u[k]
        best = max(best, total)
    return best


_dist_rows = st.lists(
    st.lists(st.floats(0.0, 1.0), min_size=7, max_size=7).filter(lambda r: sum(r) > 0.05),
    min_size=3,
    max_size=3,
)


@settings(max_examples=40, deadline=None)
@given(rows=_dist_rows, raw_shares=st.lists(st.floats(0.05, 1.0), min_size=3, max_size=3))
def test_equal_opportunity_gives_equal_tpr_and_optimal_utility(rows, raw_shares):
    dist = np.asarray(rows)
    dist /= dist.sum(axis=1, keepdims=True)
    shares = np.asarray(raw_shares) / sum(raw_shares)
    params = LendingParams(
        initial_distribution=tuple(map(tuple, dist)),
        group_shares=tuple(shares),
        policy="equal_opportunity",
    )
    threshold, boundary = policy_thresholds(dist[None], params, shares[None])
    a = _approval(threshold, boundary, 7)[0]
    p = np.asarray(params.success_probability)
    tpr = (dist * a * p).sum(1) / (dist * p).sum(1)
    np.testing.assert_allclose(tpr, tpr[0], atol=1e-9)
    assert abs(tpr[0] * 200 - round(tpr[0] * 200)) < 1e-7  # on the 201-point grid
    utility = float((shares[:, None] * dist * a * expected_utility(params)).sum())
    best = _brute_force_utility_on_grid(dist, shares, params, lambda d, p: d * p)
    assert utility == pytest.approx(best, abs=1e-9)


@settings(max_examples=40, deadline=None)
@given(rows=_dist_rows, raw_shares=st.lists(st.floats(0.05, 1.0), min_size=3, max_size=3))
def test_demographic_parity_gives_equal_selection_rates_and_optimal_utility(rows, raw_shares):
    dist = np.asarray(rows)
    dist /= dist.sum(axis=1, keepdims=True)
    shares = np.asarray(raw_shares) / sum(raw_shares)
    params = LendingParams(
        initial_distribution=tuple(map(tuple, dist)),
        group_shares=tuple(shares),
        policy="demographic_parity",
    )
    threshold, boundary = policy_thresholds(dist[None], params, shares[None])
    a = _approval(threshold, boundary, 7)[0]
    selection = (dist * a).sum(1)
    np.testing.assert_allclose(selection, selection[0], atol=1e-9)
    utility = float((shares[:, None] * dist * a * expected_utility(params)).sum())
    best = _brute_force_utility_on_grid(dist, shares, params, lambda d, p: d)
    assert utility == pytest.approx(best, abs=1e-9)


def test_default_equal_opportunity_lends_deeper_into_the_disadvantaged_group():
    params = LendingParams(policy="equal_opportunity")
    state = init_state(params, 1)
    threshold, boundary = policy_thresholds(state.distribution, params)
    p = np.asarray(params.success_probability)
    dist = state.distribution[0]
    a = _approval(threshold, boundary, 7)[0]
    tpr = (dist * a * p).sum(1) / (dist * p).sum(1)
    assert tpr[0] == pytest.approx(tpr[1], abs=1e-9)
    # Group 1 is approved below the max-utility threshold (cluster 3, p = 0.6).
    assert threshold[0, 1] < 3 or (threshold[0, 1] == 3 and boundary[0, 1] < 1)
    assert (a[1, :3] > 0).any()


def test_max_utility_is_one_group_blind_threshold_at_break_even():
    params = LendingParams(interest_rate=1.0)
    state = init_state(params, 3)
    threshold, boundary = policy_thresholds(state.distribution, params)
    np.testing.assert_array_equal(threshold, 3)  # p = 0.6 is the first p > 1 / (1 + 1)
    np.testing.assert_array_equal(boundary, 1.0)
    none = LendingParams(interest_rate=0.3)  # break-even 1/1.3 > 0.7: nobody is profitable
    threshold, boundary = policy_thresholds(init_state(none, 2).distribution, none)
    np.testing.assert_array_equal(boundary, 0.0)
    state = init_state(none, 2)
    r = step(state, none, np.random.default_rng(0))
    assert r.loans.sum() == 0


def test_group_with_no_repayers_gets_no_loans_under_equal_opportunity():
    params = LendingParams(
        success_probability=(0.0, 0.6, 0.9),
        initial_distribution=((0.2, 0.3, 0.5), (1.0, 0.0, 0.0)),
        policy="equal_opportunity",
    )
    threshold, boundary = policy_thresholds(np.asarray(params.initial_distribution)[None], params)
    assert threshold[0, 1] == 2 and boundary[0, 1] == 0.0


# --------------------------------------------------------------------------- randomness


@pytest.mark.parametrize("policy", POLICIES)
def test_same_seed_identical_records_different_seed_different(policy):
    params = LendingParams(policy=policy, applicants_per_step=4, shift_increment=0.05)
    _, a = _run(params, 5, seed=123, n_steps=40)
    _, b = _run(params, 5, seed=123, n_steps=40)
    _, c = _run(params, 5, seed=124, n_steps=40)
    assert all(_records_equal(x, y) for x, y in zip(a, b, strict=True))
    assert not all(_records_equal(x, y) for x, y in zip(a, c, strict=True))


def test_step_does_not_touch_numpy_global_random_state():
    np.random.seed(0)
    before = np.random.get_state()[1].copy()
    _run(LendingParams(policy="equal_opportunity"), 3, seed=1, n_steps=10)
    np.testing.assert_array_equal(np.random.get_state()[1], before)


def test_vectorised_communities_equal_running_each_alone():
    """With one generator per community, C communities stepped together (thresholds,
    draws and score shifts all vectorised) equal each community stepped alone."""
    params = LendingParams(policy="equal_opportunity", applicants_per_step=6, shift_increment=0.05)
    C = 4
    gen = np.random.default_rng(99)
    dist = gen.dirichlet(np.ones(7), size=(C, 2))
    shares = gen.dirichlet(np.ones(2), size=C)
    seeds = [1000 + c for c in range(C)]

    together = init_state(params, C)
    together.distribution[...] = dist
    together.group_shares[...] = shares
    rngs = [np.random.default_rng(s) for s in seeds]
    joint = [step(together, params, rngs) for _ in range(30)]

    for c in range(C):
        alone = init_state(params, 1)
        alone.distribution[...] = dist[c : c + 1]
        alone.group_shares[...] = shares[c : c + 1]
        rng = np.random.default_rng(seeds[c])
        for t in range(30):
            r = step(alone, params, rng)
            for f in dataclasses.fields(r):
                np.testing.assert_array_equal(
                    getattr(r, f.name), getattr(joint[t], f.name)[c : c + 1], err_msg=f.name
                )
    # Communities differ, so the comparison is not vacuous.
    assert not np.array_equal(joint[-1].score_distribution[0], joint[-1].score_distribution[1])


def test_rng_sequence_of_wrong_length_raises():
    params = LendingParams()
    state = init_state(params, 3)
    with pytest.raises(ValueError, match="rng"):
        step(state, params, [np.random.default_rng(0)])


def test_burn_in_approves_every_applicant_then_the_policy_takes_over():
    """ml-fairness-gym's burn-in: the lender approves everyone for its first steps."""
    params = LendingParams(burn_in=3, applicants_per_step=40, shift_increment=0.0)
    _, records = _run(params, 2, seed=7, n_steps=5)
    for r in records[:3]:
        assert np.array_equal(r.loans, r.applicants)
    # after it, max utility rejects the clusters below break-even (p <= 0.5): fewer loans
    after = sum(r.loans.sum() for r in records[3:])
    applied = sum(r.applicants.sum() for r in records[3:])
    assert after < applied

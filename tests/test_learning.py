"""Tests for simulation.learning.logistic: the batched L2 logistic-regression trainer.

The reference implementations are scikit-learn's ``LogisticRegression`` (same
objective up to the factor ``C``) and ``scipy.optimize.minimize`` for problems
scikit-learn cannot express (a penalty centred on a prior).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import minimize
from scipy.special import expit
from sklearn.linear_model import LogisticRegression

from hetsim.simulation.learning.capacity import feature_map
from hetsim.simulation.learning.logistic import (
    FitResult,
    fit_logistic,
    log_loss_objective,
    predict_proba,
    training_flops,
)


def make_problems(
    seed: int, K: int, n: int, d: int, shift: float = 0.0
) -> tuple[np.ndarray, np.ndarray]:
    """K different logistic problems (own weights, intercept, feature scale)."""
    rng = np.random.default_rng(seed)
    scale = rng.uniform(0.5, 2.0, size=(K, 1, d))
    X = rng.normal(size=(K, n, d)) * scale + shift
    w = rng.normal(scale=1.5, size=(K, d))
    b = rng.normal(size=K)
    eta = np.einsum("knd,kd->kn", X, w) + b[:, None]
    y = (rng.random((K, n)) < expit(eta)).astype(float)
    return X, y


def sklearn_fit(
    X: np.ndarray, y: np.ndarray, l2: float, sample_weight: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    K, _, d = X.shape
    coef, icpt = np.empty((K, d)), np.empty(K)
    for k in range(K):
        m = LogisticRegression(C=1.0 / l2, tol=1e-12, max_iter=10000)
        m.fit(X[k], y[k], sample_weight=None if sample_weight is None else sample_weight[k])
        coef[k], icpt[k] = m.coef_[0], m.intercept_[0]
    return coef, icpt


def gradient(
    X: np.ndarray,
    y: np.ndarray,
    coef: np.ndarray,
    intercept: np.ndarray,
    sw: np.ndarray,
    l2: np.ndarray,
    prior: np.ndarray,
) -> np.ndarray:
    """(K, d+1) gradient of the penalised objective, computed independently."""
    p = expit(np.einsum("knd,kd->kn", X, coef) + intercept[:, None])
    r = sw * (p - y)
    g_w = np.einsum("knd,kn->kd", X, r) + l2[:, None] * (coef - prior)
    g_b = r.sum(axis=1)
    return np.concatenate([g_w, g_b[:, None]], axis=1)


# ----------------------------------------------------------------------------- vs scikit-learn


@pytest.mark.parametrize(
    ("l2", "K", "n", "d", "seed"),
    [(1.0, 6, 200, 4, 0), (0.1, 4, 300, 8, 1), (10.0, 5, 120, 3, 2), (0.01, 3, 500, 10, 3)],
)
def test_matches_sklearn_coefficients_and_predictions(
    l2: float, K: int, n: int, d: int, seed: int
) -> None:
    """Same objective as sklearn's LogisticRegression(C=1/l2) => same solution."""
    X, y = make_problems(seed, K, n, d)
    res = fit_logistic(X, y, l2=l2)
    ref_coef, ref_icpt = sklearn_fit(X, y, l2)

    assert isinstance(res, FitResult)
    assert res.coef.shape == (K, d) and res.intercept.shape == (K,)
    np.testing.assert_allclose(res.coef, ref_coef, atol=1e-4, rtol=0)
    np.testing.assert_allclose(res.intercept, ref_icpt, atol=1e-4, rtol=0)

    rng = np.random.default_rng(seed + 100)
    X_test = rng.normal(size=(K, 400, d)) * X.std(axis=1, keepdims=True)
    ours = predict_proba(X_test, res.coef, res.intercept)
    for k in range(K):
        m = LogisticRegression(C=1.0 / l2, tol=1e-12, max_iter=10000).fit(X[k], y[k])
        np.testing.assert_array_equal(ours[k] > 0.5, m.predict(X_test[k]) == 1)
        np.testing.assert_allclose(ours[k], m.predict_proba(X_test[k])[:, 1], atol=1e-5)


@pytest.mark.parametrize(("l2", "seed"), [(1.0, 10), (0.05, 11)])
def test_matches_sklearn_with_sample_weight(l2: float, seed: int) -> None:
    """sample_weight scales each row's loss exactly like sklearn's fit(sample_weight=...)."""
    K, n, d = 5, 250, 5
    X, y = make_problems(seed, K, n, d)
    sw = np.random.default_rng(seed).uniform(0.0, 3.0, size=(K, n))
    res = fit_logistic(X, y, sample_weight=sw, l2=l2)
    ref_coef, ref_icpt = sklearn_fit(X, y, l2, sample_weight=sw)
    np.testing.assert_allclose(res.coef, ref_coef, atol=1e-4, rtol=0)
    np.testing.assert_allclose(res.intercept, ref_icpt, atol=1e-4, rtol=0)
    # ... and differs from the unweighted fit, so the weights were really used.
    unweighted = fit_logistic(X, y, l2=l2)
    assert np.abs(unweighted.coef - res.coef).max() > 1e-3


def test_per_model_l2_vector_matches_separate_scalar_fits() -> None:
    """l2 given as (K,) applies each model's own penalty (same data, stronger -> smaller)."""
    X1, y1 = make_problems(4, 1, 150, 4)
    X, y = np.repeat(X1, 3, axis=0), np.repeat(y1, 3, axis=0)
    lams = np.array([0.01, 1.0, 100.0])
    res = fit_logistic(X, y, l2=lams)
    for k, lam in enumerate(lams):
        single = fit_logistic(X[k : k + 1], y[k : k + 1], l2=float(lam))
        np.testing.assert_allclose(res.coef[k], single.coef[0], atol=1e-10)
    norms = np.linalg.norm(res.coef, axis=1)
    assert norms[0] > norms[1] > norms[2]


# ----------------------------------------------------------------------------- masking / batching


def test_zero_weight_rows_equal_removing_them() -> None:
    """A padded stack (models with different n, weight 0 on padding) equals separate fits."""
    d, n_max = 4, 300
    sizes = [300, 40, 170, 7, 260]
    rng = np.random.default_rng(5)
    X = rng.normal(scale=50.0, size=(len(sizes), n_max, d))  # garbage in padded rows
    y = rng.integers(0, 2, size=(len(sizes), n_max)).astype(float)
    sw = np.zeros((len(sizes), n_max))
    separate = []
    for k, nk in enumerate(sizes):
        Xk, yk = make_problems(20 + k, 1, nk, d)
        X[k, :nk], y[k, :nk], sw[k, :nk] = Xk[0], yk[0], 1.0
        separate.append(fit_logistic(Xk, yk, l2=0.5))
    res = fit_logistic(X, y, sample_weight=sw, l2=0.5)
    for k, single in enumerate(separate):
        np.testing.assert_allclose(res.coef[k], single.coef[0], atol=1e-9)
        np.testing.assert_allclose(res.intercept[k], single.intercept[0], atol=1e-9)
        assert res.n_iter[k] == single.n_iter[0]


@pytest.mark.parametrize("chunk_size", [1, 3, 128])
def test_chunking_does_not_change_results(chunk_size: int) -> None:
    """Chunks are independent: any chunk size gives the same fits."""
    X, y = make_problems(6, 10, 80, 3)
    ref = fit_logistic(X, y, l2=0.3, chunk_size=1000)
    res = fit_logistic(X, y, l2=0.3, chunk_size=chunk_size)
    np.testing.assert_allclose(res.coef, ref.coef, atol=1e-12)
    np.testing.assert_array_equal(res.n_iter, ref.n_iter)


def test_converged_models_stop_updating() -> None:
    """A model warm-started at its optimum stops after one step even if others need more."""
    X, y = make_problems(7, 2, 200, 5)
    sol = fit_logistic(X[:1], y[:1], l2=1.0)
    coef_init = np.vstack([sol.coef, np.zeros((1, 5))])
    icpt_init = np.array([sol.intercept[0], 0.0])
    res = fit_logistic(X, y, l2=1.0, coef_init=coef_init, intercept_init=icpt_init)
    assert res.n_iter[0] == 1
    assert res.n_iter[1] >= 4
    np.testing.assert_allclose(res.coef[0], sol.coef[0], atol=1e-12)


# ----------------------------------------------------------------------------- prior


def test_huge_l2_pins_coef_to_prior() -> None:
    """With l2 -> infinity the proximal penalty forces coef = prior."""
    X, y = make_problems(8, 4, 200, 5)
    prior = np.random.default_rng(8).normal(size=(4, 5))
    res = fit_logistic(X, y, l2=1e10, prior=prior)
    np.testing.assert_allclose(res.coef, prior, atol=1e-6)
    assert np.all(np.isfinite(res.intercept))


def test_prior_solution_is_optimal_against_scipy() -> None:
    """With a prior and moderate l2 our objective is <= scipy's BFGS optimum (+1e-6)."""
    K, n, d = 4, 150, 4
    X, y = make_problems(9, K, n, d)
    rng = np.random.default_rng(9)
    prior = rng.normal(size=(K, d))
    sw = rng.uniform(0.2, 2.0, size=(K, n))
    l2 = 2.0
    res = fit_logistic(X, y, sample_weight=sw, l2=l2, prior=prior)
    ours = log_loss_objective(X, y, res.coef, res.intercept, sample_weight=sw, l2=l2, prior=prior)
    for k in range(K):

        def fun(theta: np.ndarray, k: int = k) -> tuple[float, np.ndarray]:
            w, b = theta[:d], theta[d]
            eta = X[k] @ w + b
            f = np.sum(sw[k] * (np.logaddexp(0.0, eta) - y[k] * eta))
            f += 0.5 * l2 * np.sum((w - prior[k]) ** 2)
            r = sw[k] * (expit(eta) - y[k])
            g = np.concatenate([X[k].T @ r + l2 * (w - prior[k]), [r.sum()]])
            return f, g

        opt = minimize(fun, np.zeros(d + 1), jac=True, method="BFGS", options={"gtol": 1e-10})
        assert ours[k] <= opt.fun + 1e-6
        np.testing.assert_allclose(res.coef[k], opt.x[:d], atol=1e-4)
        np.testing.assert_allclose(res.intercept[k], opt.x[d], atol=1e-4)
    # The prior matters: without it the solution is different.
    plain = fit_logistic(X, y, sample_weight=sw, l2=l2)
    assert np.abs(plain.coef - res.coef).max() > 1e-2


# ----------------------------------------------------------------------------- warm start


def test_warm_start_from_solution_converges_immediately() -> None:
    """Starting at the optimum takes <= 2 Newton steps and returns the same optimum."""
    X, y = make_problems(12, 8, 300, 6)
    prior = np.random.default_rng(12).normal(scale=0.3, size=(8, 6))
    cold = fit_logistic(X, y, l2=0.7, prior=prior)
    warm = fit_logistic(
        X, y, l2=0.7, prior=prior, coef_init=cold.coef, intercept_init=cold.intercept
    )
    assert warm.converged.all()
    assert np.all(warm.n_iter <= 2)
    assert np.all(warm.n_iter < cold.n_iter)
    np.testing.assert_allclose(warm.coef, cold.coef, atol=1e-10)
    np.testing.assert_allclose(warm.intercept, cold.intercept, atol=1e-10)


# ----------------------------------------------------------------------------- degenerate inputs


def test_degenerate_models_are_finite_and_do_not_disturb_others() -> None:
    """One-class labels, all-zero weights and a constant feature all give finite fits."""
    K, n, d = 5, 100, 3
    X, y = make_problems(13, K, n, d)
    sw = np.ones((K, n))
    prior = np.zeros((K, d))
    prior[2] = [0.5, -1.0, 2.0]
    y[0] = 1.0  # only positives
    y[1] = 0.0  # only negatives
    sw[2] = 0.0  # no data at all
    X[3, :, 1] = 4.2  # constant feature (collinear with the intercept)
    res = fit_logistic(X, y, sample_weight=sw, l2=1.0, prior=prior)

    for arr in (res.coef, res.intercept):
        assert np.all(np.isfinite(arr))
    proba = predict_proba(X, res.coef, res.intercept)
    assert np.all(np.isfinite(proba))
    assert proba[0].min() > 0.99 and proba[1].max() < 0.01
    # No data: the answer is the prior, zero intercept, nothing to do.
    np.testing.assert_array_equal(res.coef[2], prior[2])
    assert res.intercept[2] == 0.0 and res.n_iter[2] == 0 and res.converged[2]
    # Constant feature: converges; with L2 its weight and the intercept share the offset.
    assert res.converged[3]
    # The well-posed model is unaffected by its degenerate neighbours.
    alone = fit_logistic(X[4:], y[4:], l2=1.0)
    np.testing.assert_allclose(res.coef[4], alone.coef[0], atol=1e-12)


def test_single_class_intercept_ridge_gives_finite_optimum() -> None:
    """One-class labels: the 1e-10 intercept ridge makes the optimum finite and reachable.

    Without it the intercept's optimum is at infinity and Newton creeps on past
    |b| ~ 45; with it the optimum is |b| ~ log(n / 1e-10) - log|b| ~ 24 for n = 100.
    """
    X, y = make_problems(18, 2, 100, 3)
    y[0], y[1] = 1.0, 0.0
    res = fit_logistic(X, y, l2=1.0, max_iter=200)
    assert 15.0 < res.intercept[0] < 35.0
    assert -35.0 < res.intercept[1] < -15.0
    np.testing.assert_allclose(res.coef, 0.0, atol=1e-6)


def _singular_design(kind: str) -> tuple[np.ndarray, np.ndarray]:
    """Two problems whose unpenalised Hessian is singular, by the named kind of design."""
    X, y = make_problems(14, 2, 120, 5)
    if kind == "zero_capacity":  # a fit with capacity share 0: the extras are 0 in every record
        return feature_map(X, 0.0), y
    if kind == "duplicated":  # the same measurement twice
        return np.concatenate([X, X[:, :, :1]], axis=2), y
    X[:, :, 0] = 1.0  # a constant feature, collinear with the intercept
    return X, y


@pytest.mark.parametrize("kind", ["zero_capacity", "duplicated", "constant"])
def test_an_unpenalised_fit_with_a_singular_hessian_is_finite_and_predicts_like_sklearn(
    kind: str,
) -> None:
    """l2 = 0 on a design with a feature that carries no information of its own (all zero, a
    copy of another, or constant): the Newton system is singular, yet the whole stack fits,
    stays finite and gives the probabilities of scikit-learn's (gradient-based) fit with a
    negligible penalty, the identifiable quantity when the weights are not."""
    X, y = _singular_design(kind)
    res = fit_logistic(X, y, l2=0.0)
    assert np.all(np.isfinite(res.coef)) and np.all(np.isfinite(res.intercept))
    proba = predict_proba(X, res.coef, res.intercept)
    for k in range(2):
        m = LogisticRegression(C=1e10, tol=1e-12, max_iter=10000).fit(X[k], y[k])
        np.testing.assert_allclose(proba[k], m.predict_proba(X[k])[:, 1], atol=1e-6)


def test_invalid_inputs_raise() -> None:
    X, y = make_problems(15, 2, 10, 2)
    with pytest.raises(ValueError):
        fit_logistic(X[0], y)
    with pytest.raises(ValueError):
        fit_logistic(X, y[:, :5])
    with pytest.raises(ValueError):
        fit_logistic(X, y, sample_weight=-np.ones_like(y))
    with pytest.raises(ValueError):
        fit_logistic(X, y, l2=-1.0)
    with pytest.raises(ValueError):
        fit_logistic(X, y + 1.0)
    bad = X.copy()
    bad[0, 0, 0] = np.nan
    with pytest.raises(ValueError):
        fit_logistic(bad, y)


# ----------------------------------------------------------------------------- helpers


def test_log_loss_objective_matches_definition() -> None:
    """Objective = sum of weighted log losses + 0.5*l2*||coef - prior||^2."""
    X, y = make_problems(16, 3, 50, 4)
    rng = np.random.default_rng(16)
    coef, icpt = rng.normal(size=(3, 4)), rng.normal(size=3)
    prior, sw = rng.normal(size=(3, 4)), rng.uniform(0, 2, size=(3, 50))
    p = expit(np.einsum("knd,kd->kn", X, coef) + icpt[:, None])
    expected = -np.sum(sw * (y * np.log(p) + (1 - y) * np.log1p(-p)), axis=1)
    expected += 0.5 * 0.8 * np.sum((coef - prior) ** 2, axis=1)
    got = log_loss_objective(X, y, coef, icpt, sample_weight=sw, l2=0.8, prior=prior)
    np.testing.assert_allclose(got, expected, rtol=1e-12)


def test_predict_proba_is_stable_for_extreme_logits() -> None:
    X = np.array([[[1000.0], [-1000.0], [0.0]]])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        p = predict_proba(X, np.ones((1, 1)), np.zeros(1))
    np.testing.assert_array_equal(p, [[1.0, 0.0, 0.5]])


def test_training_flops_formula() -> None:
    """FLOPs = n_iter * (2 n (d+1)^2 + (d+1)^3 / 3), vectorised, zero for no iterations."""
    assert float(training_flops(500, 10, 7)) == pytest.approx(7 * (2 * 500 * 121 + 1331 / 3))
    f = training_flops(np.array([100, 200, 300]), 4, np.array([5, 5, 0]))
    assert f.shape == (3,)
    assert f[1] > f[0] > 0 and f[2] == 0


def test_no_global_rng_use() -> None:
    """The trainer is deterministic and leaves numpy's global RNG untouched."""
    X, y = make_problems(17, 3, 60, 3)
    state = np.random.get_state()
    a = fit_logistic(X, y)
    b = fit_logistic(X, y)
    after = np.random.get_state()
    assert state[0] == after[0] and np.array_equal(state[1], after[1]) and state[2:] == after[2:]
    np.testing.assert_array_equal(a.coef, b.coef)


# ----------------------------------------------------------------------------- property


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 2**32 - 1),
    K=st.integers(1, 4),
    n=st.integers(2, 40),
    d=st.integers(1, 5),
    l2=st.floats(1e-2, 10.0),
    weighted=st.booleans(),
    with_prior=st.booleans(),
)
def test_gradient_vanishes_at_solution(
    seed: int, K: int, n: int, d: int, l2: float, weighted: bool, with_prior: bool
) -> None:
    """For any small problem the penalised gradient at the returned solution is ~0."""
    rng = np.random.default_rng(seed)
    X = rng.normal(scale=rng.uniform(0.1, 3.0), size=(K, n, d))
    y = rng.integers(0, 2, size=(K, n)).astype(float)
    sw = rng.uniform(0.0, 2.0, size=(K, n)) if weighted else np.ones((K, n))
    prior = rng.normal(size=(K, d)) if with_prior else np.zeros((K, d))
    res = fit_logistic(
        X, y, sample_weight=sw if weighted else None, l2=l2, prior=prior if with_prior else None
    )
    g = gradient(X, y, res.coef, res.intercept, sw, np.full(K, l2), prior)
    assert np.all(np.isfinite(g))
    assert np.all(np.linalg.norm(g, axis=1) < 1e-5)
    # Every model that sees both classes (with positive weight) converges.
    two_class = ((sw * y).sum(axis=1) > 0) & ((sw * (1 - y)).sum(axis=1) > 0)
    assert np.all(res.converged[two_class])


# ----------------------------------------------------------------------------- quadratic penalty


def test_quadratic_penalty_matches_scipy() -> None:
    """With a (K, d, d) PSD ``quadratic`` the fit minimises the objective + 0.5 w^T Q w.

    Checked against scipy's BFGS on the same objective (written independently here), with
    a prior and sample weights in play too; the penalty must change the solution.
    """
    K, n, d, l2 = 4, 150, 5, 0.3
    X, y = make_problems(31, K, n, d)
    rng = np.random.default_rng(31)
    sw = rng.uniform(0.2, 2.0, size=(K, n))
    prior = rng.normal(scale=0.3, size=(K, d))
    A = rng.normal(size=(K, d, 2))
    Q = 5.0 * A @ A.transpose(0, 2, 1)  # rank-2 PSD, like a covariance penalty
    res = fit_logistic(X, y, sample_weight=sw, l2=l2, prior=prior, quadratic=Q, max_iter=50)
    ours = log_loss_objective(X, y, res.coef, res.intercept, sw, l2, prior, quadratic=Q)
    for k in range(K):

        def fun(beta: np.ndarray, k: int = k) -> tuple[float, np.ndarray]:
            w, b = beta[:d], beta[d]
            eta = X[k] @ w + b
            f = np.sum(sw[k] * (np.logaddexp(0.0, eta) - y[k] * eta))
            f += 0.5 * l2 * np.sum((w - prior[k]) ** 2) + 0.5 * w @ Q[k] @ w
            r = sw[k] * (expit(eta) - y[k])
            g = np.concatenate([X[k].T @ r + l2 * (w - prior[k]) + Q[k] @ w, [r.sum()]])
            return f, g

        opt = minimize(fun, np.zeros(d + 1), jac=True, method="BFGS", options={"gtol": 1e-10})
        assert abs(ours[k] - opt.fun) <= 1e-5 * max(1.0, abs(opt.fun))
        np.testing.assert_allclose(res.coef[k], opt.x[:d], atol=1e-5)
        np.testing.assert_allclose(res.intercept[k], opt.x[d], atol=1e-5)
    plain = fit_logistic(X, y, sample_weight=sw, l2=l2, prior=prior)
    assert np.abs(plain.coef - res.coef).max() > 1e-2


def test_quadratic_none_and_zero_agree() -> None:
    """A zero ``quadratic`` gives exactly the plain fit; an asymmetric one is rejected."""
    X, y = make_problems(32, 3, 100, 4)
    plain = fit_logistic(X, y, l2=0.5)
    zero = fit_logistic(X, y, l2=0.5, quadratic=np.zeros((3, 4, 4)))
    np.testing.assert_allclose(zero.coef, plain.coef, atol=1e-12)
    bad = np.zeros((3, 4, 4))
    bad[:, 0, 1] = 1.0
    with pytest.raises(ValueError, match="symmetric"):
        fit_logistic(X, y, quadratic=bad)

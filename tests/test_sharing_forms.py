"""Sharing without handing over (§4.1): synthetic data, aggregated data and secure training are
strategies that plug in; each keeps the records home, and what each costs is measured."""

from __future__ import annotations

import numpy as np
import pytest

from hetsim.agents.strategies import moments
from hetsim.analysis.runner import run_scenario
from hetsim.scenarios.builder import build_model, load_scenario
from hetsim.simulation.learning.capacity import decision_scores, sample_budget
from hetsim.simulation.privacy.accounting import DpTraining, epsilon_of, noise_multiplier_for

BASE = [
    "communities.count=16",
    "annotators.count=10",
    "large_entities.count=2",
    "regulators.count=2",
]


def built(form: str, *overrides: str, seed: int = 0, base=BASE):
    spec = load_scenario(
        "privacy_preserving_sharing", [*base, f'communities.strategy="{form}"', *overrides]
    )
    model = build_model(spec, seed=seed)
    return model, model.strategies[model.strategy_names.index(form)]


def users_of(model, strategy) -> np.ndarray:
    return np.flatnonzero(model.community_arrays.strategy == strategy.code)


def records_in_pools(model, users: np.ndarray) -> int:
    """Rows of the entities' pools equal to a record in a user's window."""
    com, ent = model.community_arrays, model.entity_arrays
    own = com.x[users].reshape(-1, com.x.shape[-1])
    found = 0
    for e in range(ent.n):
        pool = ent.x[e, : ent.filled[e]]
        found += int((pool[:, None, :] == own[None, :, :]).all(axis=-1).any(axis=1).sum())
    return found


# ---------------------------------------------------------------- synthetic data
def test_synthetic_sharing_gives_the_entity_samples_and_keeps_the_records_home():
    """The entity's pool grows by the users' samples, none of which is one of their records;
    no record is given, so the users' data sovereignty stays whole."""
    model, synthetic = built("synthetic")
    for _ in range(3):
        model.step()
    users = users_of(model, synthetic)
    assert users.size > 0
    assert records_in_pools(model, users) == 0
    assert np.all(model.ledger.data_sovereignty()[users] == 1.0)
    assert model.entity_arrays.seen.sum() > 0


def cell_mean_error(x, group, label, truth) -> np.ndarray:
    """(4,) mean over communities of each majority and minority cell's distance from the
    population's cell mean (the emerged group is absent here)."""
    stats = moments.cell_moments(x, group, label, np.ones(label.shape))
    mean = stats.total / np.maximum(stats.count, 1.0)[..., None]
    error = np.linalg.norm(mean - truth, axis=-1)
    return np.nanmean(np.where(stats.count > 0, error, np.nan)[:, :4], axis=0)


@pytest.mark.parametrize("epsilon", ["inf", "1.0"])
def test_synthetic_data_lose_fidelity_and_the_minority_loses_more(epsilon):
    """Measured against the population's true (group, label) means: the samples the entity
    gets are further from the truth than the records they were fitted to, and the excess is
    larger for the minority's cells, estimated from fewer records (Ganev et al. 2022)."""
    more = ["communities.count=40", *BASE[1:]]
    model, synthetic = built("synthetic", f"strategy.synthetic.epsilon={epsilon}", base=more)
    model.step()
    com, window = model.community_arrays, model.community_arrays.window
    users = np.arange(com.n)
    xs, gs, ys = synthetic.shared(model, users, window)
    pos, _ = com.recent(users, window)
    index = users[:, None]
    big = model.population.draw(20_000, np.random.default_rng(1))
    truth = moments.cell_moments(big.x, big.group, big.y, np.ones(big.y.shape))
    truth_mean = truth.total / np.maximum(truth.count, 1.0)[..., None]
    real = cell_mean_error(
        com.x[index, pos], com.group[index, pos], com.label[index, pos], truth_mean
    )
    samples = cell_mean_error(xs, gs, ys, truth_mean)
    excess = samples - real  # cells: 2 * group + label
    majority, minority = excess[0:2].mean(), excess[2:4].mean()
    assert majority > 0.02
    assert minority > majority


def test_dp_synthetic_releases_compose_in_the_communities_ledgers():
    """Each step's DP fit is one release of three Gaussian mechanisms (counts, sums, outer
    products) at the calibrated noise; the community's ledger and the form's compose them, so
    after k steps a user has spent the accountant's ε of k releases; without DP, infinity."""
    model, synthetic = built("synthetic", "strategy.synthetic.epsilon=1.0")
    steps = 3
    for _ in range(steps):
        model.step()
    users = users_of(model, synthetic)
    delta = model.spec.learning.dp_delta
    release = DpTraining(noise_multiplier_for(1.0, delta, 3), 3)
    assert release in model.community_arrays.privacy.trainings
    column = model.community_arrays.privacy.trainings.index(release)
    assert np.all(model.community_arrays.privacy.counts[users, column] == steps)
    spent = synthetic.releases.epsilon_spent(delta)[users]
    np.testing.assert_allclose(spent, epsilon_of(((release, steps),), delta))
    assert 1.0 < spent[0] < steps * 1.0
    plain, plain_form = built("synthetic")
    plain.step()
    assert np.all(np.isinf(plain_form.releases.epsilon_spent(delta)[users_of(plain, plain_form)]))


# ---------------------------------------------------------------- aggregated data
def fitted_once(seed: int, *overrides: str):
    model, aggregate = built("aggregate", *overrides, seed=seed)
    model.step()
    users = users_of(model, aggregate)
    fresh = model.population.draw(3000, np.random.default_rng(99))
    coef, intercept = aggregate.deployed(model, users)
    decided = decision_scores(fresh.x[users], coef, intercept) > 0
    accuracy = float((decided == fresh.y[users].astype(bool)).mean())
    return model, aggregate, users, accuracy


@pytest.mark.parametrize("seed", [0, 1])
def test_the_entity_fits_from_statistics_alone_and_the_loss_of_fit_is_measured(seed):
    """The users give statistics, never records (sovereignty whole); the entity's discriminant
    from them is linear in the raw features (moments cannot carry the interaction its logistic
    model learns) and, on fresh people, less accurate than the logistic fit on the very records
    the statistics summarise — by at least two points."""
    model, aggregate, users, from_statistics = fitted_once(seed)  # the form as it is
    assert np.all(model.ledger.data_sovereignty()[users] == 1.0)
    assert records_in_pools(model, users) == 0
    assert np.all(aggregate.coef[:, 5:] == 0.0)
    *_, from_records = fitted_once(seed, 'strategy.aggregate.fit_from="records"')
    assert from_statistics < from_records - 0.02


def test_the_discriminant_of_moments_is_fishers():
    """On two Gaussian classes with a shared covariance the discriminant recovers the Bayes
    rule's direction and threshold (checked against the closed form)."""
    rng = np.random.default_rng(0)
    cov = np.array([[1.0, 0.3], [0.3, 0.5]])
    mu0, mu1 = np.array([0.0, 0.0]), np.array([1.0, -0.5])
    n = 200_000
    label = (rng.random(n) < 0.3).astype(np.int8)
    x = np.where(label[:, None] == 1, mu1, mu0) + rng.multivariate_normal([0, 0], cov, n)
    stats = moments.cell_moments(x[None], np.zeros((1, n)), label[None], np.ones((1, n)))
    coef, intercept = moments.discriminant(stats, ridge=0.0)
    want = np.linalg.solve(cov, mu1 - mu0)
    np.testing.assert_allclose(coef[0], want, rtol=0.02)
    want_b = -0.5 * (mu1 + mu0) @ want + np.log(0.3 / 0.7)
    np.testing.assert_allclose(intercept[0], want_b, atol=0.02)


# ---------------------------------------------------------------- secure training
def test_secure_training_learns_from_records_that_never_leave_home():
    """The users' records enter their partner's fit (the secure model differs from the entity's
    own), yet none is in any pool and none is given: sovereignty stays whole."""
    model, secure = built("secure")
    for _ in range(2):
        model.step()
    users = users_of(model, secure)
    assert users.size > 0 and secure.records > 0
    assert records_in_pools(model, users) == 0
    assert np.all(model.ledger.data_sovereignty()[users] == 1.0)
    partner = model.community_arrays.partner[users]
    assert not np.allclose(secure.coef[partner], model.entity_arrays.coef[partner])


def test_the_protocols_overhead_is_paid_in_compute_and_money():
    """Secure aggregation costs more than handing the records over: the fee adds the entity's
    unmasking work at the going compute price, each user's masking leaves it fewer records in
    the fit than its compute would train in plaintext, and the entity's compute is taken."""
    model, secure = built("secure")
    model.step()
    overhead = secure.params(model).overhead
    partner = np.arange(model.entity_arrays.n)
    share = model.strategies[model.strategy_names.index("share")]
    extra = secure.fee(model, partner) - share.fee(model, partner)
    price = model.compute_market.price
    np.testing.assert_allclose(extra, overhead * model.spec.communities.window * price)
    assert np.all(extra > 0)
    users = users_of(model, secure)
    com, led = model.community_arrays, model.ledger
    plain = np.minimum(
        sample_budget(led.compute[led.community_org(users)], com.expertise[users]),
        com.filled[users],
    )
    assert secure.records < plain.sum()
    assert secure.overhead_compute > 0


def test_at_homomorphic_encryption_overheads_no_community_can_pay():
    """At an overhead of 1e5 (HE training, Kim et al. 2018; Chen et al. 2018) the fee is beyond
    every community's means: all fall back on their own models; at secure aggregation's it is
    taken."""
    cheap = run_scenario(
        load_scenario("privacy_preserving_sharing", [*BASE, 'communities.strategy="secure"']),
        seed=0,
        steps=3,
    )
    dear = run_scenario(
        load_scenario(
            "privacy_preserving_sharing",
            [*BASE, 'communities.strategy="secure"', "strategy.secure.overhead=1e5"],
        ),
        seed=0,
        steps=3,
    )
    assert cheap["metrics"]["strategy_secure_share"].min() > 0.5
    assert dear["metrics"]["strategy_secure_share"].max() == 0.0


# ---------------------------------------------------------------- plugged in
def test_the_forms_are_chosen_beside_raw_sharing_without_engine_changes():
    """On the scenario's menu, communities choose among local training, adoption, raw sharing
    and the three forms by their own values; some take a privacy-preserving form."""
    spec = load_scenario("privacy_preserving_sharing", BASE)
    metrics = run_scenario(spec, seed=0, steps=6)["metrics"]
    forms = [f"strategy_{name}_share" for name in ("synthetic", "aggregate", "secure")]
    assert metrics[forms].to_numpy().sum() > 0


# ---------------------------------------------------------------- sharing in a crisis
def test_crisis_terms_open_with_a_shock_and_the_records_come_back_when_they_close():
    """A shock opens sharing for ``duration`` quarters from its step, always on the community's
    terms (no sovereignty lost even though the exchange's default terms are the entity's);
    when the terms close, every community chooses again and the entity holds none of the
    records it was given."""
    shock = 'data.shocks=[{step = 3, kind = "group_share", fraction = 0.5, size = 0.5}]'
    model, crisis = built("crisis", shock, "strategy.crisis.duration=2")
    assert not model.spec.exchange.sovereignty_terms
    taken, held = [], []
    for _ in range(6):
        model.step()
        taken.append(bool(users_of(model, crisis).size))
        held.append(float(model.ledger.records_sovereign_by_origin.sum()))
        assert np.all(model.ledger.data_sovereignty() == 1.0)
    assert taken == [False, False, True, True, False, False]
    assert held[2] > 0 and held[3] > held[2]
    assert held[4] == held[5] == 0.0

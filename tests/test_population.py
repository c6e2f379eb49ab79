"""Every §2.1 shift moves the generated data the way its name says."""

from __future__ import annotations

import numpy as np
import pytest

from hetsim.simulation.learning.logistic import fit_logistic
from hetsim.simulation.population import Population
from hetsim.simulation.schema import DataSection, ShockSpec

N = 4000


def population(seed: int = 0, communities: int = 30, **data) -> Population:
    return Population.generate(DataSection(**data), communities, 5, np.random.default_rng(seed))


def draw(pop: Population, n: int = N, seed: int = 1, **kw):
    return pop.draw(n, np.random.default_rng(seed), **kw)


def test_demographic_shift_sets_and_spreads_group_shares():
    few = draw(population(minority_share=0.1, demographic_shift=0.0))
    many = draw(population(minority_share=0.5, demographic_shift=0.0))
    assert (few.a == 1).mean() == pytest.approx(0.1, abs=0.02)
    assert (many.a == 1).mean() == pytest.approx(0.5, abs=0.02)
    same = draw(population(demographic_shift=0.0))
    spread = draw(population(demographic_shift=0.2))
    assert (spread.a == 1).mean(axis=1).std() > 3 * (same.a == 1).mean(axis=1).std()


def test_covariate_shift_spreads_feature_means_and_gap_lowers_the_minority():
    calm = draw(population(covariate_shift=0.0))
    shifted = draw(population(covariate_shift=1.0))
    assert shifted.x[:, :, 0].mean(axis=1).std() > 3 * calm.x[:, :, 0].mean(axis=1).std()
    gapped = draw(population(covariate_gap=1.0, covariate_shift=0.0, measurement_shift=0.0))
    x0 = gapped.x[:, :, 0]
    assert x0[gapped.a == 0].mean() - x0[gapped.a == 1].mean() == pytest.approx(1.0, abs=0.1)


def test_concept_shift_makes_the_fitted_p_y_given_x_differ_across_communities():
    def coefficient_spread(shift: float) -> float:
        pop = population(
            concept_shift=shift,
            communities=10,
            covariate_shift=0.0,
            interaction=0.0,
            measurement_noise=0.0,
            measurement_shift=0.0,
        )
        sample = draw(pop, n=3000)
        fit = fit_logistic(sample.x[:, :, :4], sample.y, l2=1.0)
        return float(fit.coef.std(axis=0).mean())

    assert coefficient_spread(1.0) > 3 * coefficient_spread(0.0)


def test_label_shift_and_group_label_bias_move_base_rates():
    calm = draw(population(label_shift=0.0))
    shifted = draw(population(label_shift=1.5))
    assert shifted.y.mean(axis=1).std() > 2 * calm.y.mean(axis=1).std()
    biased = draw(population(group_label_bias=-1.5, covariate_gap=0.0))
    assert biased.y[biased.a == 0].mean() - biased.y[biased.a == 1].mean() > 0.15


def test_measurement_shift_changes_feature_scale_and_noise():
    clean = draw(population(measurement_shift=0.0, measurement_noise=0.0, covariate_shift=0.0))
    noisy = draw(population(measurement_shift=0.0, measurement_noise=1.0, covariate_shift=0.0))
    assert noisy.x[:, :, 1].std() > 1.2 * clean.x[:, :, 1].std()
    scaled = draw(population(measurement_shift=0.8, measurement_noise=0.0, covariate_shift=0.0))
    assert scaled.x[:, :, 1].std(axis=1).std() > 3 * clean.x[:, :, 1].std(axis=1).std()


def test_proxy_encodes_the_group_only_where_it_is_strong():
    strong = draw(population(proxy_strength=2.0, proxy_spread=0.0))
    none = draw(population(proxy_strength=0.0, proxy_spread=0.0))
    corr = lambda s: np.corrcoef(s.x[:, :, 4].ravel(), (s.a >= 1).ravel())[0, 1]  # noqa: E731
    assert corr(strong) > 0.5
    assert abs(corr(none)) < 0.03


def test_relational_identity_changes_which_attribute_is_the_group():
    a_protected = draw(population(relational_identity=0.0))
    b_protected = draw(population(relational_identity=1.0))
    assert (a_protected.group == a_protected.a).all()
    assert (b_protected.group == b_protected.b).all()


def test_an_emerged_group_appears_with_its_share_and_by_shock():
    assert (draw(population(emerged_group_share=0.0)).a == 2).sum() == 0
    assert (draw(population(emerged_group_share=0.2)).a == 2).mean() == pytest.approx(0.2, abs=0.03)
    pop = population()
    pop.apply_shock(ShockSpec(step=1, kind="emerged_group", size=0.3), np.random.default_rng(0))
    assert (draw(pop).a == 2).mean() == pytest.approx(0.3, abs=0.03)


def test_a_refugee_influx_shock_jumps_the_minority_share():
    pop = population(minority_share=0.2, demographic_shift=0.0)
    before = (draw(pop).a == 1).mean()
    hit = pop.apply_shock(ShockSpec(step=1, kind="group_share", size=0.5), np.random.default_rng(0))
    assert hit.size == 30
    after = (draw(pop).a == 1).mean()
    assert after - before == pytest.approx(0.5 * (1 - 0.2), abs=0.03)
    assert np.allclose(pop.group_share.sum(axis=1), 1.0)


def test_temporal_drift_moves_means_and_shares_and_zero_turns_it_off():
    pop = population()
    means, shares = pop.feature_mean.copy(), pop.group_share.copy()
    pop.drift(0.0, np.random.default_rng(0))
    assert np.array_equal(pop.feature_mean, means)
    for _ in range(50):
        pop.drift(0.05, np.random.default_rng(_))
    moved = np.abs(pop.feature_mean - means).mean()
    assert 0.05 < moved < 1.0
    assert not np.allclose(pop.group_share, shares)
    assert np.allclose(pop.group_share.sum(axis=1), 1.0)


def test_mean_reverting_drift_stays_near_home_where_the_random_walk_wanders_off():
    """Over 2,000 quarters the walk's spread grows as sqrt(t) (0.02 x 45 = 0.89); reverting
    drift stays near its stationary spread, drift / sqrt(2θ - θ²) (0.064 at θ = 0.05)."""
    spread = {}
    for reversion in (0.05, 0.0):
        pop = population(drift_reversion=reversion)
        home, rng = pop.feature_mean.copy(), np.random.default_rng(3)
        for _ in range(2000):
            pop.drift(0.02, rng)
        spread[reversion] = float(np.std(pop.feature_mean - home))
        assert np.allclose(pop.group_share.sum(axis=1), 1.0)
    assert spread[0.05] == pytest.approx(0.02 / np.sqrt(2 * 0.05 - 0.05**2), rel=0.3)
    assert spread[0.0] > 5 * spread[0.05]


def test_a_shock_moves_the_home_drift_reverts_to():
    pop = population(minority_share=0.2, demographic_shift=0.0, drift_reversion=0.2)
    pop.apply_shock(ShockSpec(step=1, kind="group_share", size=0.5), np.random.default_rng(0))
    shocked = pop.group_share[:, 1].copy()
    rng = np.random.default_rng(1)
    for _ in range(200):
        pop.drift(0.01, rng)
    assert np.abs(pop.group_share[:, 1] - shocked).mean() < 0.05  # the influx stays


def test_scraping_under_samples_minorities():
    pop = population(minority_share=0.4, demographic_shift=0.0)
    fair = draw(pop)
    scraped = draw(pop, minority_weight=0.25)
    assert (scraped.a == 1).mean() < 0.5 * (fair.a == 1).mean()

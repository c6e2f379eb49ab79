"""Tests for simulation.learning.transfer: fine-tuning, divergence and distillation (§4.2).

Claims: transfer from a similar source beats training from scratch on a small target sample;
from a very different source (sign-flipped concept) with a strong proximal pull it is worse
than training from scratch (negative transfer, Wang et al. 2019), and the divergence measures
flag the second case; a low-capacity student distilled from a teacher mimics a low-capacity
teacher almost perfectly and a teacher using the nonlinear features less well (capacity gap).
"""

from __future__ import annotations

import numpy as np

from hetsim.simulation.learning.capacity import feature_map
from hetsim.simulation.learning.logistic import fit_logistic
from hetsim.simulation.learning.transfer import (
    decision_divergence,
    distill,
    domain_divergence,
    finetune,
)
from hetsim.simulation.population import Population
from hetsim.simulation.schema import DataSection

SEEDS = range(5)
SPEC = DataSection(relational_identity=0.0)


def accuracy(X: np.ndarray, y: np.ndarray, coef: np.ndarray, intercept: np.ndarray) -> float:
    return float(((np.einsum("knd,kd->kn", X, coef) + intercept[:, None] > 0) == y).mean())


def transfer_run(seed: int) -> dict[str, float]:
    """Per community: a source model fitted on 2000 records of the same community (similar
    concept) or its sign flip (opposite concept); a 30-record target sample; held-out test."""
    rng = np.random.default_rng(seed)
    pop = Population.generate(SPEC, 40, 5, rng)
    src, tgt, test = pop.draw(2000, rng), pop.draw(30, rng), pop.draw(2000, rng)
    Xs, Xt, Xe = (feature_map(s.x, False) for s in (src, tgt, test))
    yt = tgt.y.astype(float)
    source = fit_logistic(Xs, src.y.astype(float))
    local = fit_logistic(Xt, yt, l2=1.0)
    out = {"local": accuracy(Xe, test.y, local.coef, local.intercept)}
    for name, sign in (("similar", 1.0), ("flipped", -1.0)):
        coef, icpt = sign * source.coef, sign * source.intercept
        fit = finetune(Xt, yt, None, coef, icpt, strength=10.0)
        out[name] = accuracy(Xe, test.y, fit.coef, fit.intercept)
        out[f"{name}_div"] = float(domain_divergence(coef, local.coef).mean())
        out[f"{name}_dis"] = float(
            decision_divergence(Xt, coef, icpt, local.coef, local.intercept).mean()
        )
    return out


def test_negative_transfer_when_domains_diverge() -> None:
    """Mean over seeds: fine-tuning a similar source beats local training; fine-tuning a
    sign-flipped source at strong proximal strength is worse than local training; both
    divergences are larger for the flipped source."""
    runs = [transfer_run(seed) for seed in SEEDS]
    m = {key: np.mean([r[key] for r in runs]) for key in runs[0]}
    assert m["similar"] > m["local"]
    assert m["flipped"] < m["local"]
    assert m["flipped_div"] > m["similar_div"]
    assert m["flipped_dis"] > m["similar_dis"]


def test_finetune_strength_interpolates_between_local_and_pretrained() -> None:
    """Weak strength lands near a from-scratch fit; strong strength keeps the source weights."""
    rng = np.random.default_rng(7)
    pop = Population.generate(SPEC, 5, 5, rng)
    s = pop.draw(200, rng)
    X, y = feature_map(s.x, False), s.y.astype(float)
    source = rng.normal(size=(5, 8))
    source[:, 5:] = 0.0
    scratch = fit_logistic(X, y, l2=1e-6)
    weak = finetune(X, y, None, source, np.zeros(5), 1e-6)
    strong = finetune(X, y, None, source, np.zeros(5), 1e6)
    assert np.abs(weak.coef - scratch.coef).max() < 1e-3
    assert np.abs(strong.coef - source).max() < 1e-2


def test_divergence_is_zero_for_identical_and_nonnegative() -> None:
    """Both divergences vanish when source and target coincide and are >= 0 otherwise."""
    rng = np.random.default_rng(1)
    w = rng.normal(size=(6, 8))
    X = rng.normal(size=(6, 50, 8))
    np.testing.assert_array_equal(domain_divergence(w, w), 0.0)
    np.testing.assert_array_equal(decision_divergence(X, w, np.zeros(6), w, np.zeros(6)), 0.0)
    other = rng.normal(size=(6, 8))
    assert np.all(domain_divergence(other, w) >= 0)
    np.testing.assert_allclose(domain_divergence(-w, w), 2.0)


def test_distillation_capacity_gap() -> None:
    """A low-capacity student trained on the teacher's soft labels over 500 unlabelled local
    records agrees with a low-capacity teacher on >= 90 % of fresh decisions, and agrees less
    with a high-capacity teacher that uses the nonlinear features; its nonlinear weights stay 0."""
    agree = {False: [], True: []}
    for seed in range(3):
        rng = np.random.default_rng(seed)
        pop = Population.generate(SPEC, 20, 5, rng)
        pool, local, test = pop.draw(2000, rng), pop.draw(500, rng), pop.draw(2000, rng)
        Xe = feature_map(test.x, True)
        for high in (False, True):
            teacher = fit_logistic(feature_map(pool.x, high), pool.y.astype(float))
            student = distill(
                feature_map(local.x, True), teacher.coef, teacher.intercept, False, 1.0
            )
            assert np.all(student.coef[:, 5:] == 0.0)
            t_dec = np.einsum("knd,kd->kn", Xe, teacher.coef) + teacher.intercept[:, None] > 0
            s_dec = np.einsum("knd,kd->kn", Xe, student.coef) + student.intercept[:, None] > 0
            agree[high].append((t_dec == s_dec).mean())
    assert np.mean(agree[False]) >= 0.9
    assert np.mean(agree[True]) < np.mean(agree[False]) - 0.03


def test_distillation_temperature_softens_labels() -> None:
    """Higher temperature -> softer targets -> a student with smaller weights."""
    rng = np.random.default_rng(2)
    X = feature_map(rng.normal(size=(4, 300, 5)), True)
    teacher = np.tile(np.array([2.0, -1.5, 1.0, 0.5, 0.0, 0.0, 0.0, 0.0]), (4, 1))
    cold = distill(X, teacher, np.zeros(4), True, 1e-3, temperature=1.0)
    hot = distill(X, teacher, np.zeros(4), True, 1e-3, temperature=4.0)
    assert np.all(np.linalg.norm(hot.coef, axis=1) < np.linalg.norm(cold.coef, axis=1))

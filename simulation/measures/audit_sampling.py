"""Evaluating a model's mandated fairness gap on fresh people, with its sampling error (§3).

A regulator's evaluation protocol fixes who a model is judged on: ``n`` fresh people from the
jurisdiction, drawn in equal numbers from up to ``regulators.audit_communities`` of its
communities chosen at random. An entity's report and a regulator's audit follow the same
protocol, so for an honest entity the reported and the audited gap are two independent draws of
one estimator. The auditor's tolerance comes from that: the difference of two such draws has
standard error ``√2·s``, where ``s`` is the bootstrap standard error of the audit's own estimate
(resampling people when every community of the jurisdiction was drawn, the communities
otherwise). A one-sided test at level α flags a report lower than the audit by more than
``z(1-α)·√2·s``; an honest entity is then flagged in at most about α of its audits (and the
records behind a flagged report decide whether it was washed: ``agents/regulator.py``). Likewise
a measured gap is evidence of a violation only when it exceeds the threshold by more than
``z(1-α')·s``: a model whose gap is within the threshold is found in violation in at most about
α' of its evaluations, however small the groups it is measured on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
from scipy.special import ndtr, ndtri

from hetsim.simulation.learning import decision_scores
from hetsim.simulation.measures.group_rates import (
    confusion_counts,
    fairness_gap,
    rates_from_counts,
)
from hetsim.simulation.population import N_GROUPS

if TYPE_CHECKING:
    from hetsim.simulation.model import EcosystemModel

BOOTSTRAP_RESAMPLES = 200  # resamples behind one standard error (error of s itself ~5%)


@dataclass
class Evaluation:
    """One model's decisions on fresh people from some communities, each array (k, n)."""

    y: np.ndarray  # (k, n) true outcomes
    decision: np.ndarray  # (k, n) the model's decisions, 0/1
    group: np.ndarray  # (k, n) attribute a, the group the mandate protects
    all_communities: bool  # every community of the jurisdiction was drawn
    counts: np.ndarray = field(init=False)  # (k, G, 4) tn, fp, fn, tp per community and group

    def __post_init__(self) -> None:
        self.counts = confusion_counts(self.y, self.decision, self.group, N_GROUPS)

    def figures(self, notion: str, rng: np.random.Generator) -> Figures:
        """The gap over everyone drawn, the lowest gap of a favourable subset, and the
        bootstrap standard error of the first (:func:`figures_of` for this one evaluation)."""
        return figures_of([self], [notion], rng)[0]

    def subsets(self, resampled: np.ndarray) -> np.ndarray:
        """(S, G, 4) counts whose gaps give the figures: everyone drawn, the majority-heavy
        favourable subset, the ``B`` bootstrap resamples, and, with several communities, each
        community alone and the sample with each community left out in turn."""
        total = self.counts.sum(axis=0)
        # Favourable subsets, real selections of records (§3 fairness washing): the
        # majority-heavy one (everyone of group 0, of the other groups the first tenth of
        # each row) and the sample with each community left out in turn; in
        # :func:`figures_from`, the half of the communities where the model looks fairest.
        tenth = max(1, self.y.shape[1] // 10)
        heavy = confusion_counts(
            self.y[:, :tenth], self.decision[:, :tenth], self.group[:, :tenth], N_GROUPS
        ).sum(axis=0)
        heavy[0] = total[0]
        rows = [total[None], heavy[None], resampled]
        if self.counts.shape[0] > 1:
            rows += [self.counts, total[None] - self.counts]
        return np.concatenate(rows)


def resample(evaluations: list[Evaluation], rng: np.random.Generator) -> list[np.ndarray]:
    """Each evaluation's ``B`` bootstrap confusion counts (B, G, 4), resampling as its protocol
    sampled, drawn for all evaluations in at most two calls of ``rng``.

    When every community was drawn, the people are the sample: a Poisson bootstrap (each
    person's weight a Poisson(1) draw, so each confusion cell a Poisson of its count; Hanley &
    MacGibbon 2006). When the communities were sampled, they are resampled whole: with a small
    first-stage sampling fraction the variation between cluster totals already carries the
    within-cluster variation, and resampling people too would count it twice (Davison &
    Hinkley 1997, §3.8, two-stage sampling).
    """
    b = BOOTSTRAP_RESAMPLES
    out: list[np.ndarray] = [np.empty(0)] * len(evaluations)
    people = [r for r, e in enumerate(evaluations) if e.all_communities]
    if people:  # a sum of Poisson draws is a Poisson draw of the sum
        totals = np.stack([evaluations[r].counts.sum(axis=0) for r in people])
        drawn = rng.poisson(totals, size=(b, *totals.shape))
        for t, r in enumerate(people):
            out[r] = drawn[:, t]
    clusters = [r for r, e in enumerate(evaluations) if not e.all_communities]
    if clusters:  # k communities drawn with replacement from each evaluation's k
        ks = np.array([evaluations[r].counts.shape[0] for r in clusters])
        picks = rng.integers(0, ks[:, None, None], size=(len(clusters), b, int(ks.max())))
        for t, r in enumerate(clusters):
            out[r] = evaluations[r].counts[picks[t, :, : ks[t]]].sum(axis=1)
    return out


def figures_of(
    evaluations: list[Evaluation], notions: list[str], rng: np.random.Generator
) -> list[Figures]:
    """The :class:`Figures` of several evaluations, each under its notion: the bootstrap drawn
    for all at once (:func:`resample`), every subset's gap in one pass per notion."""
    return figures_from(evaluations, notions, resample(evaluations, rng))


def figures_from(
    evaluations: list[Evaluation], notions: list[str], resampled: list[np.ndarray]
) -> list[Figures]:
    """The :class:`Figures` of evaluations given their bootstrap resamples: the gaps of every
    evaluation's subsets (:meth:`Evaluation.subsets`) in one pass per notion, then those of
    the halves of the communities where each model looks fairest in one more."""
    subsets = [e.subsets(r) for e, r in zip(evaluations, resampled, strict=True)]
    every = _gaps_by_notion(subsets, notions)
    b = BOOTSTRAP_RESAMPLES
    halves: list[np.ndarray] = []
    for evaluation, gap in zip(evaluations, every, strict=True):
        k = evaluation.counts.shape[0]
        if k > 1:
            fairest = np.argsort(gap[2 + b : 2 + b + k], kind="stable")[: k - k // 2]
            halves.append(evaluation.counts[fairest].sum(axis=0, keepdims=True))
        else:
            halves.append(np.empty((0, *evaluation.counts.shape[1:]), evaluation.counts.dtype))
    half_gaps = _gaps_by_notion(halves, notions)
    out = []
    for evaluation, gap, half in zip(evaluations, every, half_gaps, strict=True):
        k = evaluation.counts.shape[0]
        favourable = gap[1]
        error = float(np.std(gap[2 : 2 + b], ddof=1))
        if not evaluation.all_communities and k > 1:  # k resampled clusters understate it
            error *= np.sqrt(k / (k - 1))  # by (k-1)/k: the usual factor (Cameron & Miller 2015)
        if k > 1:
            favourable = min(favourable, half[0], gap[2 + b + k :].min())
        out.append(Figures(float(gap[0]), float(min(favourable, gap[0])), error))
    return out


def _gaps_by_notion(counts: list[np.ndarray], notions: list[str]) -> list[np.ndarray]:
    """Gaps of each (S_r, G, 4) block of counts under its notion, one pass per notion."""
    out: list[np.ndarray] = [np.empty(0)] * len(counts)
    for notion in dict.fromkeys(notions):
        members = [r for r, name in enumerate(notions) if name == notion]
        stacked = gaps(np.concatenate([counts[r] for r in members]), notion)
        ends = np.cumsum([counts[r].shape[0] for r in members])
        for r, part in zip(members, np.split(stacked, ends[:-1]), strict=True):
            out[r] = part
    return out


@dataclass(frozen=True)
class Figures:
    """What one evaluation shows under one notion."""

    gap: float  # the gap over everyone drawn
    favourable_gap: float  # the lowest gap of a favourable subset (<= gap)
    standard_error: float  # bootstrap standard error of ``gap``


def gaps(counts: np.ndarray, notion: str) -> np.ndarray:
    """(S,) fairness gaps under ``notion`` of (S, G, 4) confusion counts."""
    return fairness_gap(rates_from_counts(counts), notion)


def evaluate(
    model: EcosystemModel, entity: int, communities: np.ndarray, n: int
) -> Evaluation | None:
    """Draw the protocol's sample of ``n`` fresh people and apply the entity's model to it."""
    return evaluate_many(model, [(entity, communities)], n)[0]


def evaluate_many(
    model: EcosystemModel, requests: list[tuple[int, np.ndarray]], n: int
) -> list[Evaluation | None]:
    """The protocol's evaluation for each (entity, jurisdiction's communities) request: each
    draws its communities, then the fresh people of all evaluations that draw as many
    communities come in one population draw and are scored in one pass."""
    k_max = model.spec.regulators.audit_communities
    chosen = [
        np.sort(model.rng.choice(c, size=min(c.size, k_max), replace=False)) if c.size else None
        for _, c in requests
    ]
    out: list[Evaluation | None] = [None] * len(requests)
    ent = model.entity_arrays
    for k in sorted({c.size for c in chosen if c is not None}):
        members = [r for r, c in enumerate(chosen) if c is not None and c.size == k]
        m = max(1, n // k)
        sample = model.population.draw(m, model.rng, np.concatenate([chosen[r] for r in members]))
        entities = np.array([requests[r][0] for r in members])
        x = sample.x.reshape(len(members), k * m, sample.x.shape[-1])
        decision = (decision_scores(x, ent.coef[entities], ent.intercept[entities]) > 0).astype(
            np.int8
        )
        for t, r in enumerate(members):
            rows = slice(t * k, (t + 1) * k)
            out[r] = Evaluation(
                y=sample.y[rows],
                decision=decision[t].reshape(k, m),
                group=sample.a[rows],
                all_communities=k == requests[r][1].size,
            )
    return out


def washing_tolerance(standard_error: float, level: float) -> float:
    """How far a report may lie below an audit before it is washing, at test level ``level``."""
    return float(ndtri(1.0 - level) * np.sqrt(2.0) * standard_error)


def violation_limit(threshold: float, standard_error: float, level: float) -> float:
    """A measured gap above this is evidence, at level ``level``, of a gap above ``threshold``."""
    return float(threshold + ndtri(1.0 - level) * standard_error)


def detection_probability(shortfall: float, standard_error: float, level: float) -> float:
    """Chance an audit finds washing when the report is ``shortfall`` below the expected gap."""
    spread = np.sqrt(2.0) * standard_error
    if spread <= 0:
        return float(shortfall > 0)
    return float(ndtr(shortfall / spread - ndtri(1.0 - level)))

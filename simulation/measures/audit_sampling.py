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
        bootstrap standard error of the first — computed together, in two batched passes."""
        b, (k, n_groups, cells) = BOOTSTRAP_RESAMPLES, self.counts.shape
        total = self.counts.sum(axis=0)
        # Bootstrap, resampling as the protocol sampled. When every community was drawn, the
        # people are the sample: a Poisson bootstrap (each person's weight a Poisson(1) draw, so
        # each confusion cell a Poisson of its count; Hanley & MacGibbon 2006). When the
        # communities were sampled, they are resampled whole: with a small first-stage
        # sampling fraction the variation between cluster totals already carries the
        # within-cluster variation, and resampling people too would count it twice (Davison &
        # Hinkley 1997, §3.8, two-stage sampling).
        if self.all_communities:  # a sum of Poisson draws is a Poisson draw of the sum
            resampled = rng.poisson(total, size=(b, n_groups, cells))
        else:
            pick = rng.integers(0, k, size=(b, k))
            resampled = self.counts[pick].sum(axis=1)
        # Favourable subsets, real selections of records (§3 fairness washing): the
        # majority-heavy one (everyone of group 0, a tenth of the others) and the sample with
        # each community left out in turn; below, the half of the communities where the model
        # looks fairest.
        # Everyone of group 0 is in it, and of the other groups the first tenth of each row.
        tenth = max(1, self.y.shape[1] // 10)
        heavy = confusion_counts(
            self.y[:, :tenth], self.decision[:, :tenth], self.group[:, :tenth], N_GROUPS
        ).sum(axis=0)
        heavy[0] = total[0]
        rows = [total[None], heavy[None], resampled]
        if k > 1:
            rows += [self.counts, total[None] - self.counts]
        every = gaps(np.concatenate(rows), notion)
        gap, favourable = every[0], every[1]
        error = float(np.std(every[2 : 2 + b], ddof=1))
        if not self.all_communities and k > 1:  # k resampled clusters understate it by (k-1)/k
            error *= np.sqrt(k / (k - 1))  # the usual small-sample factor (Cameron & Miller 2015)
        if k > 1:
            by_community, left_out = every[2 + b : 2 + b + k], every[2 + b + k :]
            fairest = np.argsort(by_community, kind="stable")[: k - k // 2]
            half = gaps(self.counts[fairest].sum(axis=0, keepdims=True), notion)[0]
            favourable = min(favourable, half, left_out.min())
        return Figures(float(gap), float(min(favourable, gap)), error)


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
    if communities.size == 0:
        return None
    k = min(communities.size, model.spec.regulators.audit_communities)
    chosen = np.sort(model.rng.choice(communities, size=k, replace=False))
    sample = model.population.draw(max(1, n // k), model.rng, chosen)
    ent = model.entity_arrays
    x = sample.x.reshape(1, -1, sample.x.shape[-1])
    score = decision_scores(x, ent.coef[entity : entity + 1], ent.intercept[entity : entity + 1])
    return Evaluation(
        y=sample.y,
        decision=(score > 0).astype(np.int8).reshape(sample.y.shape),
        group=sample.a,
        all_communities=k == communities.size,
    )


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

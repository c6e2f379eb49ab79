"""Evaluating a model's mandated fairness gap on fresh people, with its sampling error (§3).

A regulator's evaluation protocol fixes who a model is judged on: ``n`` fresh people from the
jurisdiction, drawn in equal numbers from up to :data:`MAX_COMMUNITIES` of its communities
chosen at random. An entity's report and a regulator's audit follow the same protocol, so for
an honest entity the reported and the audited gap are two independent draws of one estimator.
The auditor's tolerance comes from that: the difference of two such draws has standard error
``√2·s``, where ``s`` is the bootstrap standard error of the audit's own estimate (resampling
people within communities and, when not every community was drawn, the communities too). A
one-sided test at level α finds washing only when the report is lower than the audit by more
than ``z(1-α)·√2·s``; an honest entity is then found washing in at most about α of its audits.
Likewise a measured gap is evidence of a violation only when it exceeds the threshold by more
than ``z(1-α')·s``: a model whose gap is within the threshold is found in violation in at most
about α' of its evaluations, however small the groups it is measured on.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from scipy.stats import norm

from hetsim.simulation import metrics
from hetsim.simulation.capacity import decision_scores
from hetsim.simulation.population import N_GROUPS

if TYPE_CHECKING:
    from hetsim.simulation.model import EcosystemModel

MAX_COMMUNITIES = 20  # communities one evaluation draws from (a cluster sample)
BOOTSTRAP_RESAMPLES = 200  # resamples behind one standard error (error of s itself ~5%)


@dataclass
class Evaluation:
    """One model's decisions on fresh people from some communities, each array (k, n)."""

    y: np.ndarray  # (k, n) true outcomes
    decision: np.ndarray  # (k, n) the model's decisions, 0/1
    group: np.ndarray  # (k, n) attribute a, the group the mandate protects
    all_communities: bool  # every community of the jurisdiction was drawn

    def gap(self, notion: str, keep: np.ndarray | None = None) -> float:
        """The gap under ``notion`` over everyone, or over the people ``keep`` marks."""
        rates = metrics.group_rates(
            self.y.reshape(1, -1),
            self.decision.reshape(1, -1),
            self.group.reshape(1, -1),
            N_GROUPS,
            mask=None if keep is None else keep.reshape(1, -1),
        )
        return float(metrics.fairness_gap(rates, notion)[0])

    def standard_error(self, notion: str, rng: np.random.Generator) -> float:
        """Bootstrap standard error of :meth:`gap`, resampling as the protocol sampled."""
        k, n = self.y.shape
        b = BOOTSTRAP_RESAMPLES
        clusters = np.broadcast_to(np.arange(k), (b, k))
        if not self.all_communities:  # the communities were a random draw too
            clusters = rng.integers(0, k, size=(b, k))
        people = clusters[:, :, None] * n + rng.integers(0, n, size=(b, k, n))
        flat = people.reshape(b, k * n)
        rates = metrics.group_rates(
            self.y.ravel()[flat], self.decision.ravel()[flat], self.group.ravel()[flat], N_GROUPS
        )
        return float(np.std(metrics.fairness_gap(rates, notion), ddof=1))

    def favourable_subsets(self, notion: str) -> list[np.ndarray]:
        """Subsets of these people a selective report could be made on (§3 fairness washing).

        The majority-heavy subset (everyone of group 0, a tenth of the others), the half of
        the communities where the model looks fairest, and each community left out in turn —
        real selections of records, not adjustments.
        """
        majority_heavy = self.group == 0
        majority_heavy[:, : max(1, self.y.shape[1] // 10)] = True
        subsets = [majority_heavy]
        k = self.y.shape[0]
        if k > 1:
            rates = metrics.group_rates(self.y, self.decision, self.group, N_GROUPS)
            fairest = np.argsort(metrics.fairness_gap(rates, notion), kind="stable")[: -(k // 2)]
            best_half = np.zeros(self.y.shape, dtype=bool)
            best_half[fairest] = True
            subsets.append(best_half)
            for c in range(k):
                without = np.ones(self.y.shape, dtype=bool)
                without[c] = False
                subsets.append(without)
        return subsets


def evaluate(
    model: EcosystemModel, entity: int, communities: np.ndarray, n: int
) -> Evaluation | None:
    """Draw the protocol's sample of ``n`` fresh people and apply the entity's model to it."""
    if communities.size == 0:
        return None
    k = min(communities.size, MAX_COMMUNITIES)
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
    return float(norm.ppf(1.0 - level) * np.sqrt(2.0) * standard_error)


def violation_limit(threshold: float, standard_error: float, level: float) -> float:
    """A measured gap above this is evidence, at level ``level``, of a gap above ``threshold``."""
    return float(threshold + norm.ppf(1.0 - level) * standard_error)


def detection_probability(shortfall: float, standard_error: float, level: float) -> float:
    """Chance an audit finds washing when the report is ``shortfall`` below the expected gap."""
    spread = np.sqrt(2.0) * standard_error
    if spread <= 0:
        return float(shortfall > 0)
    return float(norm.cdf(shortfall / spread - norm.ppf(1.0 - level)))

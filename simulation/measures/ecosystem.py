"""Ecosystem-level outcomes (§3 dependency): do the deployed models fail the same people?

A person's outcome depends on every decision-maker they face, not on one model (Toups,
Bommasani et al. 2023, "Ecosystem-level analysis of deployed machine learning reveals
homogeneous outcomes"). In hetsim a community's people face the deployed models of their own
market: their community's and those of the next ``communities.exposure - 1`` communities of
their jurisdiction (in index order, cyclically; the whole world is one market without
regulators), each with the post-processing rule it deploys. This is the paper's setting,
where several providers serve the same instances (HAPI: three commercial APIs per task). The
measures are taken on the first ``communities.exposure_sample`` people each community decided
on this step.
Nothing here draws from the model's random stream: the people are the sample the deploy phase
already drew (a randomised post-processing rule draws from a generator seeded by the run's seed
and the step).

* **systemic failure rate**: share of people misclassified by every model they face.
* **independent baseline**: the rate expected if the models failed independently, the product
  of their failure rates on the same people (the paper's Poisson-binomial baseline).
* **outcome homogenisation**: their ratio (Bommasani et al. 2022, "Picking on the same
  person"); above 1, failures fall on the same people more often than chance.
* **model monoculture**: mean pairwise agreement of the decisions the models make on the same
  people (the concept of Kleinberg & Raghavan 2021, "Algorithmic monoculture").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from hetsim.simulation.fairness import ThresholdPolicy, decide

if TYPE_CHECKING:
    from hetsim.simulation.model import EcosystemModel
    from hetsim.simulation.population import Sample


@dataclass(frozen=True)
class EcosystemOutcomes:
    """This step's ecosystem-level measures; NaN when no one faces two models or more."""

    systemic_failure_rate: float
    systemic_failure_independent: float
    outcome_homogenisation: float
    model_monoculture: float

    @classmethod
    def undefined(cls) -> EcosystemOutcomes:
        """No market with two models or more: nothing to measure."""
        nan = float("nan")
        return cls(nan, nan, nan, nan)


def exposure_peers(jurisdiction: np.ndarray, exposure: int) -> np.ndarray:
    """(C, exposure) communities whose models decide on each community's people; -1 pads.

    Column 0 is the community itself; column t the t-th next community of its jurisdiction
    in index order, wrapping round; a jurisdiction with fewer than ``exposure`` communities
    gives each of its people every model it has.
    """
    c = jurisdiction.size
    peers = np.full((c, exposure), -1, dtype=np.int64)
    if c == 0:
        return peers
    order = np.lexsort((np.arange(c), jurisdiction))  # by jurisdiction, then index
    sorted_jur = jurisdiction[order]
    starts = np.flatnonzero(np.r_[True, sorted_jur[1:] != sorted_jur[:-1]])
    sizes = np.diff(np.r_[starts, c])
    member_start = np.repeat(starts, sizes)
    member_size = np.repeat(sizes, sizes)
    position = np.arange(c) - member_start
    for t in range(exposure):
        ok = t < member_size
        peer = order[member_start + (position + t) % member_size]
        peers[order[ok], t] = peer[ok]
    return peers


def measure(decisions: np.ndarray, y: np.ndarray, valid: np.ndarray) -> EcosystemOutcomes:
    """Ecosystem measures from each model's decisions on the people of each market.

    Args:
        decisions: ``(C, k, m)`` decisions in {0, 1} of the k models community c's m
            people face (column 0: their own community's model).
        y: ``(C, m)`` true outcomes of those people.
        valid: ``(C, k)`` which of the k models exist (a small jurisdiction has fewer).

    Returns:
        The measures over the markets where people face at least two models.
    """
    markets = valid.sum(axis=1) >= 2
    if not markets.any():
        return EcosystemOutcomes.undefined()
    d, v, truth = decisions[markets], valid[markets], y[markets]
    fail = (d != truth[:, None, :]) | ~v[:, :, None]  # a missing model "fails" everyone
    systemic = fail.all(axis=1).mean(axis=1)  # (M,) share failed by every model
    rate = np.where(v, (d != truth[:, None, :]).mean(axis=2), 1.0)  # (M, k)
    independent = rate.prod(axis=1)  # (M,) expected if failures were independent
    observed, expected = float(systemic.mean()), float(independent.mean())
    pairs = [(s, t) for s in range(d.shape[1]) for t in range(s + 1, d.shape[1])]
    agree = np.stack([(d[:, s] == d[:, t]).mean(axis=1) for s, t in pairs], axis=1)
    both = np.stack([v[:, s] & v[:, t] for s, t in pairs], axis=1)
    return EcosystemOutcomes(
        systemic_failure_rate=observed,
        systemic_failure_independent=expected,
        outcome_homogenisation=observed / expected if expected > 0 else float("nan"),
        model_monoculture=float(agree[both].mean()),
    )


def measure_markets(
    model: EcosystemModel, sample: Sample, decision: np.ndarray
) -> EcosystemOutcomes:
    """The measures on this step's people (the first ``exposure_sample`` of each community),
    each decided on by every model of their market.

    ``decision`` is each community's own model's ``(C, m)`` decisions on its ``sample``;
    the peers' deployed models score the same people and decide by the post-processing rule
    they deploy, for the attribute each peer protects.
    """
    com, spec = model.community_arrays, model.spec.communities
    exposure = spec.exposure
    if exposure < 2 or com.n < 2:
        return EcosystemOutcomes.undefined()
    people = min(spec.exposure_sample, decision.shape[1])  # the first of those decided on
    x, y, a, b = (v[:, :people] for v in (sample.x, sample.y, sample.a, sample.b))
    peers = exposure_peers(com.jurisdiction, exposure)
    valid = peers >= 0
    decisions = np.zeros((com.n, exposure, people), dtype=np.int8)
    decisions[:, 0] = decision[:, :people]
    protects_b = model.population.protected == 1
    # a randomised rule (equalized odds) draws from a generator of its own, seeded by the run's
    # seed and step, so measuring leaves the model's random stream as it was
    rng = np.random.default_rng([model.seed, model.steps])
    for t in range(1, exposure):
        rows = np.flatnonzero(valid[:, t])
        if rows.size == 0:
            continue
        peer = peers[rows, t]
        score = model.deployed_scores(peer, x[rows])
        group = np.where(protects_b[peer, None], b[rows], a[rows])
        rule = ThresholdPolicy(com.threshold_cuts[peer], com.threshold_weights[peer])
        decisions[rows, t] = decide(score, group, rule, rng)
    return measure(decisions, y, valid)

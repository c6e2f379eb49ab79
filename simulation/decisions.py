"""Deployment (§3, §4): the models communities deploy decide on fresh people.

Each community's deployed model (its strategy's, or the majority-class rule) scores this step's
people; post-processing thresholds, set on the community's own window for the notion its
practice or its strategy enforces, turn scores into decisions; outcomes are measured per group,
under the community's own notion and its jurisdiction's. Who controls the model, whether it can
be explained and the ε of the data it learnt from are recorded with them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from hetsim.simulation import measures
from hetsim.simulation.fairness import post_processing
from hetsim.simulation.measures import ecosystem as ecosystem_metrics
from hetsim.simulation.population import N_GROUPS
from hetsim.simulation.state import MITIGATIONS, N_FEATURES

if TYPE_CHECKING:
    from hetsim.simulation.model import EcosystemModel


def decide(model: EcosystemModel) -> None:
    """Deployed models decide on fresh individuals; outcomes are measured per group."""
    com, dep, ledger, ent = (
        model.community_arrays,
        model.deployment,
        model.ledger,
        model.entity_arrays,
    )
    dep.decisions = np.zeros(ledger.n_orgs)
    if com.n == 0:
        return
    m = model.spec.communities.deploy_per_step
    everyone = np.arange(com.n)
    provider = model.providers()
    ledger.provider = provider
    # §4.2 post-processing: communities that mitigate by thresholds set them per group on
    # their own (annotated) window, for their own notion, or for the notion their strategy
    # enforces (a cooperative's settled notion)
    post = com.mitigating & (com.mitigation == MITIGATIONS.index("thresholds"))
    notion = com.notion.copy()
    for strategy, users in model.users_of():
        enforced = strategy.enforced_notion(model, users) if users.size else None
        if enforced is not None:
            post[users], notion[users] = True, enforced
    com.enforced_notion = np.where(post | com.mitigating, notion, "none")
    com.threshold_cuts[:] = 0.0
    com.threshold_weights[:] = 0.0
    com.threshold_weights[:, :, 0] = 1.0
    if post.any():
        who = np.flatnonzero(post)
        window_scores = model.deployed_scores(who, com.x[who])
        rule = post_processing.threshold_policy(
            window_scores,
            com.label[who],
            com.group[who],
            notion[who],
            N_GROUPS,
            com.quota_target[who],
            mask=np.arange(com.window)[None, :] < com.filled[who, None],
        )
        com.threshold_cuts[who], com.threshold_weights[who] = rule.cuts, rule.weights
    sample = model.population.draw(m, model.rng)
    score = model.deployed_scores(everyone, sample.x)
    model.training.charge_inference(2.0 * N_FEATURES * score.size)  # a dot product each
    rule = post_processing.ThresholdPolicy(com.threshold_cuts, com.threshold_weights)
    decision = post_processing.decide(score, sample.group, rule, model.rng)
    own = measures.group_rates(sample.y, decision, sample.group, N_GROUPS)
    dep.group_n, dep.group_accuracy = own.n, own.accuracy
    dep.group_tpr, dep.group_fpr, dep.group_selection = own.tpr, own.fpr, own.selection_rate
    positives = own.tp + own.fn
    with np.errstate(invalid="ignore", divide="ignore"):
        dep.group_base_rate = positives / own.n
    dep.base_rate = positives.sum(axis=1) / np.maximum(own.n.sum(axis=1), 1)
    dep.accuracy = measures.accuracy(own)
    dep.gap_own = measures.fairness_gap(own, com.notion, com.quota_target)
    dep.gap_mandated = np.full(com.n, np.nan)
    if model.jurisdictions.n:
        by_a = measures.group_rates(sample.y, decision, sample.a, N_GROUPS)
        notion = model.jurisdictions.notion[com.jurisdiction]
        if model.spec.regulators.locally_defined:  # §2.3: each community's notion is law
            notion = com.notion
        dep.gap_mandated = measures.fairness_gap(by_a, notion, com.quota_target)
    dep.aligned = (dep.accuracy >= com.min_accuracy) & (dep.gap_own <= com.fairness_tolerance)
    dep.ecosystem = ecosystem_metrics.measure_markets(model, sample, decision)
    dep.provider = provider.copy()
    np.add.at(dep.decisions, provider, m)
    # what the deployed model is: explainable if it is open to the community; the DP ε
    # that protected the data it was trained on
    for strategy, users in model.users_of():
        if users.size:
            partner = com.partner[users]
            com.explainable[users] = strategy.explainable(model, partner)
            com.epsilon[users] = strategy.epsilon(model, users)
    if ent.n:
        measure_entity_gaps(model, sample, score)


def measure_entity_gaps(model: EcosystemModel, sample, score: np.ndarray) -> None:
    """Each entity's true mandated gap on this step's people it decides on (for washing)."""
    com, ent = model.community_arrays, model.entity_arrays
    ent.true_gap[:] = np.nan
    if model.jurisdictions.n == 0:
        return
    served = model.strategy_flag("serves_partner_model")
    users = [np.flatnonzero(served & (com.partner == e)) for e in range(ent.n)]
    deciding = [e for e in range(ent.n) if users[e].size]
    if not deciding:
        return
    # the confusion counts of every community once, summed over each entity's users
    counts = measures.confusion_counts(sample.y, (score > 0).astype(np.int8), sample.a, N_GROUPS)
    by_entity = np.stack([counts[users[e]].sum(axis=0) for e in deciding])
    notion = model.jurisdictions.notion[np.maximum(ent.jurisdiction[deciding], 0)]
    gaps = measures.fairness_gap(measures.rates_from_counts(by_entity), notion)
    ent.true_gap[deciding] = gaps

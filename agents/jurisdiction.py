"""Privacy claims and jurisdiction shopping (§2.3 privacy washing, §3 loopholes) of an entity.

An entity claims an ε within the cap of the jurisdiction where it trains and decides, each
step, whether to train with less noise than it claims (privacy washing): like fairness washing
(:mod:`hetsim.agents.washing`), it weighs what less noise gains — the share of its revenue its
disposition (``washing_propensity``) credits to a model trained without the claimed noise —
against the sanction it expects: the audit rate it believes where it trains, times whether
that jurisdiction's canary audit could show the claim false at all (a claimed ε at or above the
largest ε the published audit protocol can certify never can), times the fine and the trust
its customers would withdraw. Under the ``fixed`` washing rule a coin drawn at set-up decides
instead (the ablation). Where the scenario allows it, the entity moves its training to the
laxest jurisdiction: a loophole first, then the loosest cap (both published law), then the
lowest audit rate it believes from its own audits.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from hetsim.agents import washing

if TYPE_CHECKING:
    from hetsim.agents.large_entity import LargeEntity


def comply_with_privacy_rules(entity: LargeEntity) -> None:
    """Claim an ε within the cap where it trains; a washing entity adds less noise."""
    model, ent, i = entity.model, entity.model.entity_arrays, entity.index
    spec, jur = model.spec.large_entities, model.jurisdictions
    cap = jur.epsilon_cap[ent.jurisdiction[i]] if jur.n and ent.jurisdiction[i] >= 0 else np.inf
    ent.claimed_epsilon[i] = min(spec.claimed_epsilon, cap)
    washes = decide_privacy_washing(entity)
    ent.effective_epsilon[i] = (
        spec.effective_epsilon if washes else min(spec.effective_epsilon, cap)
    )


def decide_privacy_washing(entity: LargeEntity) -> bool:
    """Whether to train with less noise than claimed: the gain its disposition credits to less
    noise against the sanction it expects (module doc); ``fixed``: the coin drawn at set-up."""
    model, ent, i = entity.model, entity.model.entity_arrays, entity.index
    spec, rules, jur = model.spec.large_entities, model.spec.regulators, model.jurisdictions
    if spec.washing_rule == "fixed":
        return bool(ent.washes_privacy[i])
    home = int(ent.jurisdiction[i])
    if home < 0 or not np.isfinite(ent.claimed_epsilon[i]):
        return False  # no claim to keep, nothing to gain by breaking it
    believed = washing.audit_belief(
        ent.audits_seen[i, home],
        ent.reports_made[i, home],
        spec.audit_prior_audits,
        spec.audit_prior_quiet,
    )
    catchable = ent.claimed_epsilon[i] < jur.certifiable_epsilon[home]
    learning = model.spec.exchange.trust_learning_rate
    horizon = min(1.0 / learning if learning > 0 else np.inf, model.spec.run.steps)
    revenue = max(float(ent.revenue[i]), 0.0)
    reputation = rules.trust_penalty_customers * revenue * horizon if rules.publish else 0.0
    sanction = rules.penalty_fraction * max(entity.capital, 0.0) + reputation
    expected = believed * catchable * sanction
    return bool(float(ent.washing_propensity[i]) * revenue > expected)


def shop_for_jurisdiction(entity: LargeEntity) -> None:
    """Move training to the laxest jurisdiction: a loophole first, then the loosest cap
    (both published law), then the lowest audit rate it believes from its own audits; then
    decide the claim and the noise where it trains."""
    model, ent, jur = entity.model, entity.model.entity_arrays, entity.model.jurisdictions
    spec = model.spec.large_entities
    if not spec.jurisdiction_shopping or jur.n == 0:
        comply_with_privacy_rules(entity)  # the claim and the noise are decided every step
        return
    i = entity.index
    believed_audits = washing.audit_belief(
        ent.audits_seen[i], ent.reports_made[i], spec.audit_prior_audits, spec.audit_prior_quiet
    )
    laxity = np.where(jur.loophole, np.inf, np.minimum(jur.epsilon_cap, 1e6)) - np.where(
        jur.loophole, 0.0, believed_audits
    )
    ent.jurisdiction[i] = int(np.argmax(laxity))
    comply_with_privacy_rules(entity)  # the claim and the noise are decided every step

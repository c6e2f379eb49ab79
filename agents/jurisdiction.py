"""Privacy claims and jurisdiction shopping (§2.3 privacy washing, §3 loopholes) of an entity.

An entity claims an ε within the cap of the jurisdiction where it trains (a washing entity
trains with less noise than it claims) and, where the scenario allows it, moves its training
to the laxest jurisdiction: a loophole first, then the loosest cap (both published law), then
the lowest audit rate it believes from its own audits.
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
    ent.effective_epsilon[i] = (
        spec.effective_epsilon if ent.washes_privacy[i] else min(spec.effective_epsilon, cap)
    )


def shop_for_jurisdiction(entity: LargeEntity) -> None:
    """Move training to the laxest jurisdiction: a loophole first, then the loosest cap
    (both published law), then the lowest audit rate it believes from its own audits."""
    model, ent, jur = entity.model, entity.model.entity_arrays, entity.model.jurisdictions
    spec = model.spec.large_entities
    if not spec.jurisdiction_shopping or jur.n == 0:
        return
    i = entity.index
    believed_audits = washing.audit_belief(
        ent.audits_seen[i], ent.reports_made[i], spec.audit_prior_audits, spec.audit_prior_quiet
    )
    laxity = np.where(jur.loophole, np.inf, np.minimum(jur.epsilon_cap, 1e6)) - np.where(
        jur.loophole, 0.0, believed_audits
    )
    best = int(np.argmax(laxity))
    if best != ent.jurisdiction[entity.index]:
        ent.jurisdiction[entity.index] = best
        comply_with_privacy_rules(entity)

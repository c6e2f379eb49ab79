"""Regulators (§2.3, §3): mandate a fairness notion, audit entities, fine and publish.

A regulator governs one jurisdiction: a mandated fairness notion with a threshold, an audit
probability and a penalty. An audit recomputes the mandated gap of an entity's model on fresh
data from the jurisdiction's communities and compares it with what the entity reported; a gap
above the threshold is a violation, fined and, when published, a loss of trust.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from simulation.roles import Role

if TYPE_CHECKING:
    from simulation.model import EcosystemModel


class Regulator(Role):
    """The authority of one jurisdiction."""

    role_name = "regulator"

    @property
    def mandated_notion(self) -> str:
        """The fairness notion this jurisdiction mandates."""
        return str(self.model.jurisdictions.notion[self.index])

    @classmethod
    def setup(cls, model: EcosystemModel, members: list[Role]) -> None:
        """Jurisdictions differ: mandated notions are cycled over regulators."""
        spec, jur = model.spec.regulators, model.jurisdictions
        for i in range(jur.n):
            jur.notion[i] = spec.mandated_notions[i % len(spec.mandated_notions)]
        jur.threshold[:] = spec.threshold

    def audit(self) -> None:
        """Audit entities at random; fine and publish violations (§3)."""
        model, spec = self.model, self.model.spec.regulators
        ent, led, jur = model.entity_arrays, model.ledger, model.jurisdictions
        for e in range(ent.n):
            if model.rng.random() >= spec.audit_probability:
                continue
            true_gap = model.audit_gap(e, self.index, spec.audit_sample)
            if np.isnan(true_gap):
                continue
            jur.audits += 1
            if ent.reported_notion[e] == jur.notion[self.index]:
                model.recorder.audit_errors.append(abs(ent.reported_gap[e] - true_gap))
            if true_gap <= jur.threshold[self.index]:
                continue
            jur.violations += 1
            fine = spec.penalty_fraction * max(led.money[led.entity_org(e)], 0.0)
            led.pay(led.entity_org(e), led.regulator_org(self.index), fine)
            jur.fines += fine
            if spec.publish:
                local = model.community_arrays.jurisdiction == self.index
                led.trust[local, e] *= 1.0 - spec.trust_penalty

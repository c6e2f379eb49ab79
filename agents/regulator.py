"""Regulators (§2.3, §3): mandate, audit, fine, publish, and tighten rules after harm.

A regulator governs one jurisdiction: a mandated fairness notion with a threshold (or, with
"locally defined fairness", each community's own notion), an audit probability, a penalty,
possibly an explainability mandate and a cap on the DP ε of training done there. An audit
recomputes an entity's mandated gap on fresh data from the jurisdiction and compares it with
what the entity reported (fairness washing), recovers the ε its training really had (privacy
washing), and checks that models deployed where explanations are required are open. Published
violations cost the entity trust; after publicised harm the rules tighten with a lag. Some
jurisdictions leave loopholes: no audits and no caps (§3).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from hetsim.simulation.privacy_audit import estimate_epsilon_lower_bound
from hetsim.simulation.roles import Role

if TYPE_CHECKING:
    from hetsim.simulation.model import EcosystemModel


class Regulator(Role):
    """The authority of one jurisdiction."""

    role_name = "regulator"

    @property
    def mandated_notion(self) -> str:
        """The fairness notion this jurisdiction mandates."""
        return str(self.model.jurisdictions.notion[self.index])

    @classmethod
    def setup(cls, model: EcosystemModel, members: list[Role]) -> None:
        """Jurisdictions differ: notions are cycled; mandates and loopholes are drawn."""
        spec, jur, rng = model.spec.regulators, model.jurisdictions, model.rng
        for i in range(jur.n):
            jur.notion[i] = spec.mandated_notions[i % len(spec.mandated_notions)]
        jur.threshold[:] = spec.threshold
        jur.audit_probability[:] = spec.audit_probability
        jur.explainability[:] = rng.random(jur.n) < spec.explainability_mandate
        jur.epsilon_cap[:] = spec.epsilon_cap
        n_loopholes = round(spec.loophole_share * jur.n)
        jur.loophole[:] = np.arange(jur.n) >= jur.n - n_loopholes
        jur.epsilon_cap[jur.loophole] = np.inf
        jur.audit_probability[jur.loophole] = 0.0

    @classmethod
    def adopt_scenario(cls, model: EcosystemModel, members: list[Role]) -> None:
        """A policy change (an intervention) resets the rules of every jurisdiction."""
        jur, spec = model.jurisdictions, model.spec.regulators
        jur.threshold[:] = spec.threshold
        jur.audit_probability[:] = np.where(jur.loophole, 0.0, spec.audit_probability)
        jur.epsilon_cap[:] = np.where(jur.loophole, np.inf, spec.epsilon_cap)
        jur.explainability[:] = jur.explainability | (spec.explainability_mandate >= 1.0)
        for i in range(jur.n):
            jur.notion[i] = spec.mandated_notions[i % len(spec.mandated_notions)]

    def on_audit(self) -> None:
        """Audit entities at random; fine and publish what is found (§3)."""
        model, jur, i = self.model, self.model.jurisdictions, self.index
        self.tighten_rules_after_harm()
        for e in np.flatnonzero(model.entity_arrays.active):
            if model.rng.random() >= jur.audit_probability[i]:
                continue
            if self.audit_entity(e):
                jur.harm_step[i] = model.steps

    def audit_entity(self, e: int) -> bool:
        """One audit of entity ``e``; True when a violation was found."""
        model, spec = self.model, self.model.spec.regulators
        ent, jur, i = model.entity_arrays, model.jurisdictions, self.index
        true_gap = model.audit_gap(e, i, spec.audit_sample)
        if np.isnan(true_gap):
            return False
        jur.audits += 1
        found = False
        reported_same = ent.reported_notion[e] == jur.notion[i]
        model.recorder.audit_errors.append(abs(ent.reported_gap[e] - true_gap))
        if true_gap > jur.threshold[i]:
            jur.violations += 1
            found = True
        if not reported_same or ent.reported_gap[e] < true_gap - spec.reporting_tolerance:
            # fairness washing exposed: the team reports honestly for a while (§3)
            ent.washing_propensity[e] *= spec.washing_kept
            found = True
        if ent.jurisdiction[e] == i and self.audit_privacy(e):
            jur.privacy_violations += 1  # privacy washing shown by an ε audit
            ent.washing_propensity[e] *= spec.washing_kept
            found = True
        if jur.explainability[i] and not ent.open_weights[e] and self._serves_here(e):
            jur.explainability_violations += 1
            found = True
        if found:
            self.sanction(e)
        return found

    def audit_privacy(self, e: int) -> bool:
        """Privacy washing in evidence: a canary audit's ε lower bound exceeds the ε claimed.

        The auditor has the entity train with its own procedure on fresh records of this
        jurisdiction and queries the models (simulation.privacy_audit); it never reads ε.
        """
        model, spec, ent = self.model, self.model.spec.regulators, self.model.entity_arrays
        claimed = float(ent.claimed_epsilon[e])
        members = np.flatnonzero(model.community_arrays.jurisdiction == self.index)
        if not np.isfinite(claimed) or members.size == 0:
            return False  # no DP claim to check, or nobody here to draw records from
        chosen = model.rng.choice(members, size=min(members.size, 20), replace=False)
        sample = model.population.draw(
            max(1, spec.privacy_audit_records // chosen.size), model.rng, np.sort(chosen)
        )
        lower, _ = estimate_epsilon_lower_bound(
            model.members["large_entities"][e].training_pipeline(),
            sample.x.reshape(-1, sample.x.shape[2]),
            sample.y.ravel(),
            model.spec.learning.dp_delta,
            model.rng,
            trials=spec.privacy_audit_trials,
            confidence=spec.privacy_audit_confidence,
        )
        return lower > claimed

    def _serves_here(self, e: int) -> bool:
        com = self.model.community_arrays
        return bool(
            (
                self.model.strategy_flag("entity_controls")
                & (com.partner == e)
                & (com.jurisdiction == self.index)
            ).any()
        )

    def sanction(self, e: int) -> None:
        """Fine the entity and, if findings are published, cost it local trust."""
        model, spec = self.model, self.model.spec.regulators
        led, jur = model.ledger, model.jurisdictions
        fine = spec.penalty_fraction * max(led.money[led.entity_org(e)], 0.0)
        led.pay(led.entity_org(e), led.regulator_org(self.index), fine)
        model.entity_arrays.costs[e] += fine
        jur.fines += fine
        if spec.publish:
            local = model.community_arrays.jurisdiction == self.index
            led.trust[local, e] *= 1.0 - spec.trust_penalty

    def tighten_rules_after_harm(self) -> None:
        """Publicised harm tightens the rules, ``tighten_lag`` steps later (§3)."""
        model, spec, jur, i = (
            self.model,
            self.model.spec.regulators,
            self.model.jurisdictions,
            self.index,
        )
        if jur.loophole[i] or not spec.publish or jur.harm_step[i] < 0:
            return
        if model.steps - jur.harm_step[i] >= spec.tighten_lag:
            jur.threshold[i] *= 1.0 - spec.tighten_factor
            jur.audit_probability[i] = 1.0 - (1.0 - jur.audit_probability[i]) * (
                1.0 - spec.tighten_factor
            )
            jur.harm_step[i] = -1

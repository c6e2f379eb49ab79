"""Regulators (§2.3, §3): mandate, audit, fine, publish; tighten rules after harm, loosen them
after a quiet spell.

A regulator governs one jurisdiction: a mandated fairness notion with a threshold (or, with
"locally defined fairness", each community's own notion), an audit probability, penalties,
possibly an explainability mandate and a cap on the DP ε of training done there. Every entity
operating there reports the mandated gap each step; a report above the threshold is a
violation on the record. An audit re-measures the gap on fresh people of the jurisdiction,
under the protocol the report followed; a report below it by more than the sampling
tolerance at ``washing_test_level`` gives grounds to inspect the records behind the report,
and only the records can show washing — so an entity that never washes is never found
washing, whatever notions are mandated, and the level sets how often honest entities are
inspected. It also checks the ε of training done there (privacy washing) and that models
deployed where explanations are required are open. Published findings cost the entity trust,
most among its own customers; after publicised harm the rules tighten with a lag, and after
a spell without harm they loosen by the same step, never beyond the scenario's (a sunset
review). Some jurisdictions leave loopholes: no audits and no caps (§3).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from hetsim.simulation.measures.audit_sampling import (
    evaluate,
    gaps,
    violation_limit,
    washing_tolerance,
)
from hetsim.simulation.privacy.audit import (
    estimate_epsilon_lower_bound,
    largest_certifiable_epsilon,
)
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
        cls.publish_audit_power(model)

    @staticmethod
    def publish_audit_power(model: EcosystemModel) -> None:
        """The largest ε each jurisdiction's canary audit can certify (its published protocol's
        power; 0 where a loophole means no audits)."""
        jur, spec = model.jurisdictions, model.spec.regulators
        power = largest_certifiable_epsilon(
            spec.privacy_audit_trials, spec.privacy_audit_confidence, model.spec.learning.dp_delta
        )
        jur.certifiable_epsilon[:] = np.where(jur.loophole, 0.0, power)

    @classmethod
    def adopt_scenario(cls, model: EcosystemModel, members: list[Role]) -> None:
        """A policy change (an intervention) resets the rules of every jurisdiction."""
        jur, spec = model.jurisdictions, model.spec.regulators
        jur.threshold[:] = spec.threshold
        jur.audit_probability[:] = np.where(jur.loophole, 0.0, spec.audit_probability)
        jur.epsilon_cap[:] = np.where(jur.loophole, np.inf, spec.epsilon_cap)
        jur.explainability[:] = jur.explainability | (spec.explainability_mandate >= 1.0)
        jur.quiet_since[:] = model.steps  # new rules start a new spell
        cls.publish_audit_power(model)
        for i in range(jur.n):
            jur.notion[i] = spec.mandated_notions[i % len(spec.mandated_notions)]

    def on_audit(self) -> None:
        """Read the reports, audit entities at random; fine and publish what is found (§3)."""
        model, jur, i = self.model, self.model.jurisdictions, self.index
        ent, level = model.entity_arrays, model.spec.regulators.violation_test_level
        self.adjust_rules()
        for e in np.flatnonzero(ent.active & ent.operates_in[:, i]):
            limit = violation_limit(jur.threshold[i], ent.report_error[e, i], level)
            reported_violation = bool(ent.report_gap[e, i] > limit)
            if reported_violation:  # a violation on the record: the report itself says so
                jur.violations += 1
            violation, washed = reported_violation, False
            if model.rng.random() < jur.audit_probability[i]:
                found, washed = self.audit_entity(e, already_found=reported_violation)
                violation = violation or found
            if violation or washed:
                self.sanction(e, violation, washed)
                jur.harm_step[i] = jur.quiet_since[i] = model.steps

    def audit_entity(self, e: int, already_found: bool = False) -> tuple[bool, bool]:
        """One audit of entity ``e``: whether it found a violation, and a misleading report.

        The mandated gap is re-measured on fresh people of the jurisdiction under the protocol
        the report followed; a report below the re-measured gap by more than the sampling
        tolerance (:mod:`hetsim.simulation.measures.audit_sampling`) leads to an inspection of its
        records, which finds it misleading only if it was computed on a selected subset. Privacy and
        explainability are checked too; each finding is counted once.
        """
        model, rules = self.model, self.model.spec.regulators
        ent, jur, i = model.entity_arrays, model.jurisdictions, self.index
        jur.audits += 1
        violation = washed = False
        reported = ent.report_gap[e, i]
        if not np.isnan(reported):
            ent.audits_seen[e, i] += 1  # the entity learns how often it is audited here
        members = np.flatnonzero(model.community_arrays.jurisdiction == i)
        evaluation = evaluate(model, e, members, rules.audit_sample)
        if evaluation is not None:
            figures = evaluation.figures(str(jur.notion[i]), model.rng)
            audited, error = figures.gap, figures.standard_error
            if ent.jurisdiction[e] == i:
                ent.audited_gap[e] = audited
            limit = violation_limit(jur.threshold[i], error, rules.violation_test_level)
            if audited > limit and not already_found:
                jur.violations += 1
                violation = True
            if not np.isnan(reported):
                model.recorder.audit_errors.append(abs(reported - audited))
                tolerance = washing_tolerance(error, rules.washing_test_level)
                flagged = reported < audited - tolerance
                if flagged or ent.documents[e]:  # a reasoned request, or datasheets to hand
                    jur.inspections += 1
                    washed = self.records_show_selection(e)
                    jur.inspections_cleared += flagged and not washed
                    jur.washing_violations += washed
        if self.audit_privacy(e):
            jur.privacy_violations += 1
            violation = True
        if jur.explainability[i] and not ent.open_weights[e] and self._serves_here(e):
            jur.explainability_violations += 1
            violation = True
        return violation, washed

    def records_show_selection(self, e: int) -> bool:
        """Inspect the evaluation records behind the entity's report: the gap recomputed from
        every record of the protocol's sample is above the reported one exactly when the report
        was computed on a selected subset (§3 fairness washing).

        The statistical screen only gives grounds for the request (EU AI Act Art. 74(13): access
        beyond testing on a reasoned request); the records decide, so an entity that reports the
        gap of everyone it evaluated is never found washing, whatever the screen's level.
        Documented teams (datasheets, Balayn & Gadiraju 2025) hand the records over at every
        audit; others only on request. No records, no finding.
        """
        ent, jur, i = self.model.entity_arrays, self.model.jurisdictions, self.index
        records = ent.report_records.get((e, i))
        if records is None:
            return False
        recomputed = gaps(records.counts.sum(axis=0, keepdims=True), str(jur.notion[i]))[0]
        return bool(ent.report_gap[e, i] < recomputed)

    def audit_privacy(self, e: int) -> bool:
        """Privacy washing in evidence: a canary audit's ε lower bound exceeds the ε claimed.

        The auditor has the entity train with its own procedure on fresh records of this
        jurisdiction and queries the models (simulation.privacy.audit); it never reads ε.
        """
        model, spec, ent = self.model, self.model.spec.regulators, self.model.entity_arrays
        if ent.jurisdiction[e] != self.index:
            return False  # an entity's training is audited where it trains
        claimed = float(ent.claimed_epsilon[e])
        members = np.flatnonzero(model.community_arrays.jurisdiction == self.index)
        if not np.isfinite(claimed) or members.size == 0:
            return False  # no DP claim to check, or nobody here to draw records from
        k = min(members.size, spec.audit_communities)
        chosen = model.rng.choice(members, size=k, replace=False)
        sample = model.population.draw(
            max(1, spec.privacy_audit_records // chosen.size), model.rng, np.sort(chosen)
        )
        lower, evidence = estimate_epsilon_lower_bound(
            model.members["large_entities"][e].training_pipeline(),
            sample.x.reshape(-1, sample.x.shape[2]),
            sample.y.ravel(),
            model.spec.learning.dp_delta,
            model.rng,
            trials=spec.privacy_audit_trials,
            confidence=spec.privacy_audit_confidence,
        )
        # what this audit could have certified at most, reported with its finding
        model.jurisdictions.certifiable_epsilon[self.index] = evidence.largest_certifiable
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

    def sanction(self, e: int, violation: bool, washed: bool) -> None:
        """Fine the entity for what was found; publishing costs it trust, most among its own
        customers, less among everyone else (word of mouth, §3)."""
        model, rules = self.model, self.model.spec.regulators
        led, jur, com = model.ledger, model.jurisdictions, model.community_arrays
        share = rules.penalty_fraction * violation + rules.washing_penalty_fraction * washed
        # a share of its money, of its annual turnover (GDPR Art. 83(5)) or of the value of
        # its compute, whichever is highest; what its cash does not cover it owes, as debt
        ent, org = model.entity_arrays, led.entity_org(e)
        assets = led.compute[org] * model.spec.large_entities.compute_price
        fine = share * max(led.money[org], ent.quarterly_revenue[e].sum(), assets)
        ent.fines_into_debt[e] += max(fine - max(led.money[org], 0.0), 0.0)
        led.pay(org, led.regulator_org(self.index), fine)
        ent.costs[e] += fine
        jur.fines += fine
        if rules.publish:
            customers = model.strategy_flag("with_entity") & (com.partner == e)
            led.trust[:, e] *= np.where(
                customers,
                1.0 - rules.trust_penalty_customers,
                1.0 - rules.trust_penalty_word_of_mouth,
            )

    def adjust_rules(self) -> None:
        """Publicised harm tightens the rules ``tighten_lag`` steps later; ``relax_after`` steps
        without harm or a change loosen them by ``relax_factor``, never beyond the scenario's
        threshold and audit probability (§3: rules respond to harm both ways)."""
        model, spec, jur, i = (
            self.model,
            self.model.spec.regulators,
            self.model.jurisdictions,
            self.index,
        )
        if jur.loophole[i]:
            return
        if spec.publish and jur.harm_step[i] >= 0:
            if model.steps - jur.harm_step[i] >= spec.tighten_lag:
                self._scale_rules(1.0 - spec.tighten_factor)
                jur.harm_step[i] = -1
            return
        quiet = model.steps - jur.quiet_since[i]
        if spec.relax_after and spec.relax_factor and quiet >= spec.relax_after:
            self._scale_rules(1.0 / (1.0 - spec.relax_factor))

    def _scale_rules(self, factor: float) -> None:
        """Scale the threshold and the audit gap (1 − audit probability) by ``factor``, within
        the scenario's rules when loosening."""
        model, spec, jur, i = (
            self.model,
            self.model.spec.regulators,
            self.model.jurisdictions,
            self.index,
        )
        threshold = jur.threshold[i] * factor
        gap = (1.0 - jur.audit_probability[i]) * factor
        if factor > 1.0:  # never looser than the statute
            threshold = min(threshold, max(spec.threshold, jur.threshold[i]))
            gap = min(gap, max(1.0 - spec.audit_probability, 1.0 - jur.audit_probability[i]))
        jur.threshold[i], jur.audit_probability[i] = threshold, 1.0 - gap
        jur.quiet_since[i] = model.steps

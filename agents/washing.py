"""Fairness washing as a decision (§3): what a selective report saves against what it risks.

Each step, for each regulator it reports to, an entity knows two figures: the gap it measured
under the regulator's protocol (the honest report) and the lowest gap a favourable subset of
the same people shows (the washed report). An honest report above the mandated threshold is a
violation on the record, sanctioned for certain. A washed report is sanctioned only if the
regulator audits (the entity's belief, learnt from the audits it has experienced there) and
the audit finds something: the violation itself, or the shortfall of the report beyond the
auditor's published tolerance. Documentation (datasheets, Balayn & Gadiraju 2025) leaves a
record of which people a figure was computed on, so a documented team expects an audit to
uncover any selective report. The entity washes when the share of the expected sanction it
would avoid that its disposition lets it count (``washing_propensity``) exceeds the expected
sanction of washing. Deterrence is a consequence: raise the audit rate or the fines and fewer
reports are washed. The ``fixed`` rule instead washes with probability ``washing_propensity``
whatever the risk, the ablation of the decision.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import ndtr

from hetsim.simulation.measures.audit_sampling import detection_probability


@dataclass(frozen=True)
class Sanctions:
    """What a sanction costs the entity, in money."""

    violation_fine: float  # fine for a mandated gap above the threshold
    washing_fine: float  # fine for a report found misleading
    reputation: float  # revenue expected to be lost while its customers' trust recovers


@dataclass(frozen=True)
class ReportOptions:
    """The two figures an entity could report to one regulator, and their sampling error."""

    honest_gap: float  # gap measured under the regulator's protocol
    washed_gap: float  # lowest gap of a favourable subset of the same people
    standard_error: float  # sampling error of the protocol's estimate


def audit_belief(audits_seen: float, reports: float, prior_audits: float, prior_quiet: float):
    """Posterior mean chance of an audit per step: Beta(prior) updated by what it experienced."""
    return (prior_audits + audits_seen) / (prior_audits + prior_quiet + reports)


def expected_sanction(
    report: float,
    options: ReportOptions,
    limit: float,
    test_level: float,
    belief: float,
    documented: bool,
    sanctions: Sanctions,
) -> float:
    """Expected sanction cost of reporting ``report`` to a regulator whose evidence of a
    violation is a gap above ``limit`` (the threshold plus its sampling tolerance)."""
    se = max(options.standard_error, 1e-9)
    # chance an audit's re-measured gap is above the limit (the audit ~ N(honest, se))
    violation_found = float(ndtr((options.honest_gap - limit) / se))
    washing_found = 0.0
    if report < options.honest_gap:
        shortfall = options.honest_gap - report
        washing_found = 1.0 if documented else detection_probability(shortfall, se, test_level)
    if report > limit:  # the report itself is the evidence of a violation
        return (
            sanctions.violation_fine
            + sanctions.reputation
            + belief * washing_found * sanctions.washing_fine
        )
    anything_found = 1.0 - (1.0 - violation_found) * (1.0 - washing_found)
    return belief * (
        violation_found * sanctions.violation_fine
        + washing_found * sanctions.washing_fine
        + anything_found * sanctions.reputation
    )


def decide_to_wash(
    rule: str,
    propensity: float,
    honest_cost: float,
    washing_cost: float,
    rng: np.random.Generator,
) -> bool:
    """Whether to report the washed figure: weigh the costs, or (``fixed``) flip a coin."""
    if rule == "fixed":
        return bool(rng.random() < propensity)
    return propensity * honest_cost > washing_cost

"""Fairness reports to regulators (§3 fairness washing): whom an entity answers, and what.

Each step an operating entity reports, to every regulator it answers to (where it trains and
where its customers live), the gap under that regulator's notion, measured under its protocol;
or, if it decides to wash (:mod:`hetsim.agents.washing`), the gap of the subset of the same
people where its model looks best. The evaluation records behind each report are kept, so an
inspection can recompute the gap from them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from hetsim.agents import washing
from hetsim.simulation.measures.audit_sampling import (
    evaluate_many,
    figures_of,
    violation_limit,
)

if TYPE_CHECKING:
    from hetsim.agents.large_entity import LargeEntity


def reporting_to(entity: LargeEntity) -> np.ndarray:
    """Regulators it answers to: where it trains and where its customers live."""
    model, i = entity.model, entity.index
    com, home = model.community_arrays, int(model.entity_arrays.jurisdiction[entity.index])
    customers = model.strategy_flag("with_entity") & (com.partner == i)
    where = np.unique(com.jurisdiction[customers])
    if home >= 0:
        where = np.union1d(where, [home])
    return where[where >= 0].astype(np.int64)


def report_fairness(entities: list[LargeEntity]) -> None:
    """Each entity reports to each regulator it answers to the gap under that regulator's
    notion, measured under its protocol with its standard error, or, if it decides to wash,
    the gap of the subset of the same people where the model looks best (§3 fairness washing).

    All reports of a step are measured together, at the start of the outcome phase: the
    fresh people of every evaluation in one population draw per protocol size, the bootstrap
    of every report in one draw, every gap in one pass per notion
    (:func:`~hetsim.simulation.measures.audit_sampling.figures_of`).
    """
    if not entities:
        return
    model, ent = entities[0].model, entities[0].model.entity_arrays
    requests: list[tuple[LargeEntity, int]] = []
    for entity in entities:
        i = entity.index
        ent.report_gap[i] = ent.report_honest_gap[i] = ent.report_error[i] = np.nan
        ent.report_favourable_gap[i] = np.nan
        ent.report_washed[i] = ent.operates_in[i] = False
        for key in [key for key in ent.report_records if key[0] == i]:
            del ent.report_records[key]
        for j in reporting_to(entity):
            ent.operates_in[i, j] = True
            requests.append((entity, int(j)))
    jurisdiction = model.community_arrays.jurisdiction
    evaluations = evaluate_many(
        model,
        [(entity.index, np.flatnonzero(jurisdiction == j)) for entity, j in requests],
        model.spec.regulators.audit_sample,
    )
    made = [(req, e) for req, e in zip(requests, evaluations, strict=True) if e is not None]
    notions = [str(model.jurisdictions.notion[j]) for (_, j), _ in made]
    figures = figures_of([e for _, e in made], notions, model.rng)
    for ((entity, j), evaluation), figure in zip(made, figures, strict=True):
        i = entity.index
        honest, washed, error = figure.gap, figure.favourable_gap, figure.standard_error
        wash = washed < honest and decide_to_wash(
            entity, j, washing.ReportOptions(honest, washed, error)
        )
        ent.report_honest_gap[i, j], ent.report_error[i, j] = honest, error
        ent.report_records[(i, j)] = evaluation  # kept for an inspection (§3)
        ent.report_favourable_gap[i, j] = washed
        ent.report_gap[i, j] = washed if wash else honest
        ent.report_washed[i, j] = wash
        ent.reports_made[i, j] += 1
    for entity in entities:
        i = entity.index
        ent.washes[i] = bool(ent.report_washed[i].any())
        home = ent.jurisdiction[i]
        if home >= 0:
            ent.reported_notion[i] = model.jurisdictions.notion[home]
            if not np.isnan(ent.report_gap[i, home]):
                ent.reported_gap[i] = ent.report_gap[i, home]


def decide_to_wash(entity: LargeEntity, j: int, options: washing.ReportOptions) -> bool:
    """Weigh the expected sanctions of an honest and a washed report to regulator ``j``."""
    model, ent, i = entity.model, entity.model.entity_arrays, entity.index
    spec, rules = model.spec.large_entities, model.spec.regulators
    propensity = float(ent.washing_propensity[i])
    if spec.washing_rule == "fixed" or propensity <= 0.0:
        return washing.decide_to_wash(spec.washing_rule, propensity, 0.0, 0.0, model.rng)
    belief = washing.audit_belief(
        ent.audits_seen[i, j],
        ent.reports_made[i, j],
        spec.audit_prior_audits,
        spec.audit_prior_quiet,
    )
    capital = max(entity.capital, 0.0)
    # a published sanction costs customers' trust, which recovers at the learning rate
    learning = model.spec.exchange.trust_learning_rate
    horizon = min(1.0 / learning if learning > 0 else np.inf, model.spec.run.steps)
    reputation = rules.trust_penalty_customers * float(ent.revenue[i]) * horizon
    sanctions = washing.Sanctions(
        violation_fine=rules.penalty_fraction * capital,
        washing_fine=rules.washing_penalty_fraction * capital,
        reputation=reputation if rules.publish else 0.0,
    )
    limit = violation_limit(
        float(model.jurisdictions.threshold[j]),
        options.standard_error,
        rules.violation_test_level,
    )
    honest_cost, washing_cost = (
        washing.expected_sanction(
            report,
            options,
            limit,
            rules.washing_test_level,
            belief,
            bool(ent.documents[i]),
            sanctions,
        )
        for report in (options.honest_gap, options.washed_gap)
    )
    return washing.decide_to_wash(
        spec.washing_rule, propensity, honest_cost, washing_cost, model.rng
    )

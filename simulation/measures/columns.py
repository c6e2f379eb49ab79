"""The columns of a run's tables (§3): what each one measures and its range.

One description per column of ``metrics.parquet``, ``entities.parquet`` and the community table,
as docs/metrics.md documents them; :func:`metric_columns` adds the columns of the strategies a
model is built with. The recorder (:mod:`hetsim.simulation.recorder`) fills these columns, the
CLI, the UI and the analyses label them from here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hetsim.simulation.strategy import Strategy

# One line per column of metrics.parquet the engine computes: what it is, and its range
# (docs/metrics.md). Each strategy adds ``strategy_<name>_share`` and its own columns.
METRIC_COLUMNS: dict[str, str] = {
    "step": "step number, 1..steps",
    "hhi_compute": "Herfindahl index of compute held by the entities operating and the "
    "communities, [1/n, 1]",
    "hhi_data": "Herfindahl index of the records the entities operating and the communities "
    "hold and can use now (a stock: an entity's training pool, a community's data window and, "
    "while it pools, its pool partners' windows), [1/n, 1]",
    "hhi_decisions": "Herfindahl index of decisions made by each organisation's models, [0, 1]",
    "gini_compute": "Gini coefficient of compute held by the entities operating and the "
    "communities, [0, 1)",
    "gini_data": "Gini coefficient of the records the entities operating and the communities "
    "hold and can use now (as hhi_data), [0, 1)",
    "entity_data_share": "share of the records held now (as hhi_data) that the large entities "
    "operating hold, [0, 1]",
    "hhi_data_accumulated": "Herfindahl index of the records each organisation has gathered "
    "since the start (a flow, summed: collected, scraped, received, bought or pooled, less "
    "withdrawn; counts records since overwritten or evicted), [1/n, 1]",
    "data_given_records": "records communities handed to large entities this step (a flow), >= 0",
    "top1_share_decisions": "share of decisions made by the largest provider's models, [0, 1]",
    "entity_compute_share": "share of all compute held by the large entities operating, [0, 1]",
    "dependency_share": "share of communities whose deployed model another org controls, [0, 1]",
    "data_sovereignty_mean": "mean share of a community's records under its own control, [0, 1]",
    "accuracy_mean": "mean accuracy of deployed models over communities, [0, 1]",
    "accuracy_min_community": "accuracy of the worst-served community, [0, 1]",
    "fairness_gap_own_mean": "mean fairness gap under each community's own notion, [0, 1]",
    "fairness_gap_own_max": "largest fairness gap under a community's own notion, [0, 1]",
    "fairness_gap_mandated_mean": "mean gap under the jurisdiction's mandated notion, [0, 1]",
    "value_alignment_share": "share of communities whose model meets their own values, [0, 1]",
    "majority_rule_share": "share of communities deciding by the majority-class rule because "
    "their own model lost to it on their newest records, [0, 1]",
    "trust_mean": "mean trust of communities in large entities, [0, 1]",
    "energy_kwh": "energy of this step's training and inference (deciding, piloting): "
    "floating-point work × learning.kwh_per_gflop, kWh, >= 0",
    "fits": "models trained this step, >= 0",
    "label_accuracy_mean": "share of this step's labels written correctly, [0.5, 1]",
    "annotator_pay_mean": "mean pay per record labelled this step, money/record, >= 0",
    "washing_gap_mean": "mean over this step's fairness reports of the gap measured under the "
    "regulator's protocol minus the gap reported (0: honest; > 0: washed), [0, 1]",
    "washing_share": "share of this step's fairness reports made on a favourable subset, among "
    "those where a subset looked fairer than the whole protocol sample, [0, 1]",
    "privacy_gap_mean": "mean excess of effective over claimed DP ε (ε capped at 50), >= 0",
    "certifiable_epsilon_max": "largest DP ε a jurisdiction's canary audit can certify this "
    "step, at regulators.privacy_audit_trials and privacy_audit_confidence (the published power, "
    "replaced by the power each ε audit reports; an ε claimed above it cannot be caught), over "
    "jurisdictions that audit (NaN: none do), >= 0",
    "explainability_unmet_share": "share of communities needing explanations (need > 0.5) "
    "whose model is closed, [0, 1]",
    "mandate_conflict_share": "share of communities whose own verdict and the mandate's differ, "
    "[0, 1]",
    "values_diversity_held": "normalised entropy of the fairness notions communities hold, [0, 1]",
    "values_diversity_enforced": "normalised entropy of the notions deployed models are checked "
    "and mitigated for by the organisation governing them (an entity's reported notion for its "
    "customers, a cooperative's settled notion for its members, the community's own "
    "otherwise), [0, 1]",
    "values_override_share": "share of communities whose deployed model is governed by another "
    "organisation for a fairness notion other than the one the community holds, [0, 1]",
    "systemic_failure_rate": "share of people misclassified by every deployed model of their "
    "market (communities.exposure models; Toups et al. 2023), [0, 1]",
    "systemic_failure_independent": "systemic failure rate expected if those models failed "
    "independently: the product of their failure rates on the same people, [0, 1]",
    "outcome_homogenisation": "systemic failure rate over its independent expectation "
    "(Bommasani et al. 2022; > 1: failures fall on the same people), >= 0",
    "model_monoculture": "mean pairwise agreement of the decisions of a market's deployed models "
    "on the same people (Kleinberg & Raghavan 2021), [0, 1]",
    "mitigating_share": "share of organisations whose fairness check triggered a mitigation, "
    "[0, 1]",
    "misuse_events": "entities found misusing shared data this step, >= 0",
    "entity_revenue": "money large entities earned this step: access fees and the value of "
    "records received, >= 0",
    "entity_capital_mean": "mean money held by the large entities operating, any real",
    "entities_active": "large entities operating (entered and not exited), >= 0",
    "entries": "firms that entered the market this step, scheduled or because entry paid back "
    "its cost, >= 0",
    "entry_cost": "what the firms entering this step paid to enter: compute at its price plus "
    "the capital they brought, money, >= 0",
    "compute_rent": "price of renting one unit of compute for this step, money, > 0",
    "compute_rented": "units of compute communities rented from entities this step, >= 0",
    "capacity_median_entities": "median over the large entities operating of the share of "
    "model capacity κ = c / (c + learning.capacity_compute) their compute c buys (NaN: none "
    "operating), [0, 1]",
    "capacity_median_communities": "median over communities of the share of model capacity κ "
    "their compute, owned, granted and rented, buys (NaN: no communities), [0, 1]",
    "compute_dependency_mean": "mean share of a community's compute this step rented from a "
    "large entity, whose machines then process its records, [0, 1]",
    "audits": "audits done this step, >= 0",
    "violations_fairness": "mandated gaps above the threshold found this step, in a report or "
    "by an audit, >= 0",
    "violations_washing": "audits whose inspection of the records behind a report found it "
    "computed on a selected subset of the people evaluated, >= 0",
    "inspections": "audits that inspected the records behind a report: the report lay below the "
    "re-measured gap beyond the sampling tolerance, or the entity documents its data, >= 0",
    "inspections_cleared": "inspections the statistical screen asked for whose records showed an "
    "honest report (the screen's false alarms), >= 0",
    "violations_privacy_washing": "audits that found training with an ε above the cap, >= 0",
    "violations_explainability": "audits that found closed models where banned, >= 0",
    "fines": "money fined this step, >= 0",
    "fines_into_debt": "part of this step's fines the fined entities' cash did not cover, "
    "added to their debt, money, >= 0",
    "reported_gap_error_mean": "mean |reported - audited| gap over this step's audits, [0, 1]",
    "network_top_centrality": "largest share of model and data in-flows to one org, [0, 1]",
    "lending_repayment_gap": "mean over communities of the repayment probability of group 0 "
    "minus group 1 (lending domain, estimated from the applicants with deployed models; NaN "
    "when off), [-1, 1]",
    "lending_loans": "loans given this step (lending domain; 0 when off), >= 0",
}

# The headline measures a summary, a report or the ensemble panel shows first.
MAIN_METRICS: tuple[str, ...] = (
    "hhi_compute",
    "hhi_decisions",
    "dependency_share",
    "data_sovereignty_mean",
    "accuracy_mean",
    "accuracy_min_community",
    "fairness_gap_own_mean",
    "trust_mean",
)

# One line per column of entities.parquet (docs/metrics.md).
ENTITY_COLUMNS: dict[str, str] = {
    "step": "step number",
    "entity": "entity name (E0, E1, …, as in flows.parquet)",
    "active": "operating this step (entered and not exited)",
    "serving": "offered to customers at this step's choice: operating, its compute can "
    "retrain its model and its capital was at or above its credit line",
    "capital": "money held (negative: in debt), any real",
    "compute": "compute held, records trainable per step, >= 0",
    "revenue": "money earned this step: access fees and the value of records received, >= 0",
    "costs": "money spent this step: compute, operations, annotation, benefit shares, licences, "
    "fines, bought data, >= 0",
    "customers": "communities using its model or its weights this step, >= 0",
    "data_records": "records it holds now: rows of its training pool (scraped, shared, "
    "licensed, bought; at most large_entities.pool_size), >= 0",
    "data_received": "records it has gathered since it started (a flow, summed: scraped, "
    "received, licensed, bought, less withdrawn), >= 0",
    "jurisdiction": "regulator where it trains (-1: none)",
    "open_weights": "publishes open weights (else a closed API)",
    "reported_gap": "fairness gap it last reported to its home regulator (where it trains; "
    "NaN: none yet), [0, 1]",
    "audited_gap": "gap its home regulator last re-measured in an audit (NaN: never audited "
    "there), [0, 1]",
    "claimed_epsilon": "DP ε it claims (inf: no claim)",
    "certifiable_epsilon": "largest DP ε the canary audit of its home regulator (where it "
    "trains) can certify this step, as certifiable_epsilon_max (0: a loophole, no audits; NaN: no "
    "home regulator), >= 0",
    "epsilon_spent": "DP ε its releases have spent in all, composed over every retraining "
    "(RDP accountant, at learning.dp_delta; 0: none yet, inf: one trained without noise), "
    "non-decreasing",
}

COMMUNITY_COLUMNS = (
    "step",
    "community",
    "group",
    "n",
    "accuracy",
    "tpr",
    "fpr",
    "selection_rate",
    "base_rate",
    "strategy",
    "provider",
    "epsilon_effective",
    "epsilon_spent",
    "explainable",
)


def metric_columns(strategies: Mapping[str, type[Strategy]]) -> dict[str, str]:
    """Every column of metrics.parquet for a model built with these strategies, described."""
    columns = dict(METRIC_COLUMNS)
    for name, strategy in strategies.items():
        columns[f"strategy_{name}_share"] = f"share of communities {strategy.summary}, [0, 1]"
    for strategy in strategies.values():
        columns.update(strategy.metric_columns)
    return columns

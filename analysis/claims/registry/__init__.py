"""Every claim hetsim stages: the README's verdict table, each scenario header, each intervention.

The claims are data, one module per paper section (:mod:`.power` for §3, :mod:`.sharing` for
§4.1, …, by the first section a claim cites); :data:`ORDER` assembles them in the order the
claims table (``docs/claims.md``) and ``hetsim claims`` list them: the README's verdict table,
then the scenario headers, then the interventions.

Each entry names the mechanism it credits and the schema switch that turns that mechanism off
(the ablation, applied to both arms): the pathway the claim credits, never the metric itself.
Where hetsim has no switch for a mechanism, the ablation is empty, or removes only what the
treatment acts on (``knockout="precondition"``), and the claim can at best be ``partly``
reproduced: its effect cannot be attributed.
"""

from __future__ import annotations

from hetsim.analysis.claims.model import Claim
from hetsim.analysis.claims.registry import (
    adaptation,
    collaboration,
    compute,
    contexts,
    documentation,
    lending,
    power,
    sharing,
    sharing_forms,
    values,
)

SECTIONS = (
    values,
    documentation,
    compute,
    contexts,
    power,
    sharing,
    sharing_forms,
    adaptation,
    collaboration,
    lending,
)

ORDER: tuple[str, ...] = (
    # ---------------------------------------------------------------- README verdict table
    "status_quo_compute_concentrates",
    "status_quo_decisions_concentrate",
    "status_quo_sovereignty_erodes",
    "status_quo_dependency_rises",
    "compute_barrier_raises_dependency",
    "sharing_speeds_decision_concentration",
    "sharing_speeds_compute_concentration",
    "sharing_concentrates_data",
    "pooling_lowers_dependency",
    "pooling_keeps_sovereignty",
    "negative_transfer_divergence",
    "federated_outliers_gain_less",
    "dp_costs_accuracy",
    "dp_costs_minority_more",
    "audits_shrink_washing",
    "datasheets_keep_reports_honest",
    "mismatched_annotation_lowers_labels",
    "fair_pay_restores_labels",
    "refugee_influx_hurts_minority",
    "quota_checks_meet_quotas",
    "values_homogenise",
    "equal_opportunity_lowers_repayment",
    # ---------------------------------------------------------------- scenario headers
    "cooperative_lowers_dependency",
    "proxies_raise_mandate_conflict",
    "shopping_evades_privacy_audits",
    "washing_shrinks_over_time",
    "mandate_finds_closed_models",
    # ---------------------------------------------------------------- regulation keys
    "audit_power_catches_privacy_washing",
    # ---------------------------------------------------------------- interventions
    "audit_regime_lowers_dependency",
    "consortium_facilitator_lowers_dependency",
    "sovereignty_protocol_keeps_sovereignty",
    "documentation_ends_washing",
    "dp_mandate_costs_little_accuracy",
    "locally_defined_fairness_ends_conflict",
    "no_data_sharing_keeps_sovereignty",
    "open_weights_meet_explainability",
    "open_weights_lower_dependency",
    "public_compute_lowers_dependency",
    "fair_pay_raises_pay",
    # ---------------------------------------------------------------- §4.1 sharing forms
    "synthetic_keeps_sovereignty",
    "aggregate_keeps_sovereignty",
    "aggregate_costs_accuracy",
    "private_sharing_draws_dependency",
    "secure_unaffordable_at_he_overheads",
)

_DEFINED = [claim for section in SECTIONS for claim in section.CLAIMS]
if sorted(claim.id for claim in _DEFINED) != sorted(ORDER):
    raise RuntimeError("claims registry: ORDER must list every section's claim id exactly once")
CLAIMS: tuple[Claim, ...] = tuple({claim.id: claim for claim in _DEFINED}[key] for key in ORDER)
BY_ID: dict[str, Claim] = {claim.id: claim for claim in CLAIMS}

# Stylised facts the defaults should show at once (pattern-oriented validation, Grimm et al.
# 2005): the fact, the claim that measures it, and where the fact comes from.
PATTERNS: dict[str, tuple[str, str]] = {
    "decisions concentrate on few providers": (
        "status_quo_decisions_concentrate",
        "Molamohammadi et al. §3",
    ),
    "compute concentrates": ("status_quo_compute_concentrates", "Molamohammadi et al. §2.2, §3"),
    "dependency on large entities rises": (
        "status_quo_dependency_rises",
        "Molamohammadi et al. §3",
    ),
    "data sovereignty erodes where data are shared": (
        "status_quo_sovereignty_erodes",
        "Molamohammadi et al. §4.1",
    ),
    "washing shrinks under audits": (
        "audits_shrink_washing",
        "Molamohammadi et al. §3; Aïvodji et al. 2019 (fairwashing)",
    ),
    "DP costs the minority more": (
        "dp_costs_minority_more",
        "Bagdasaryan et al. 2019 (disparate impact of DP); Molamohammadi et al. §2.3",
    ),
    "mismatched annotation lowers label quality": (
        "mismatched_annotation_lowers_labels",
        "Molamohammadi et al. §2.4.3",
    ),
    "enforced fairness notions are less diverse than those held": (
        "values_homogenise",
        "Molamohammadi et al. §3; Bommasani et al. 2022 (homogenisation)",
    ),
}

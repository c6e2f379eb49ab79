"""Claims of §2.3, values: what differential privacy costs, whose fairness notion is enforced."""

from __future__ import annotations

from hetsim.analysis.claims.model import Arm, Claim
from hetsim.analysis.claims.registry.arms import NO_DP, PRIVACY, SQ

CLAIMS: tuple[Claim, ...] = (
    Claim(
        id="dp_costs_accuracy",
        text="differential privacy on local training costs accuracy",
        section="§2.3",
        source="README; privacy_fairness header",
        metric="accuracy_mean",
        direction=-1,
        treatment=PRIVACY,
        control=NO_DP,
        ablation=('communities.strategies=["adopt"]',),
        ablation_text="no community trains its own model (the DP fits)",
    ),
    Claim(
        id="dp_costs_minority_more",
        text="differential privacy costs the minority group more accuracy than the majority",
        section="§2.3",
        source="README; privacy_fairness header",
        metric="accuracy_group_gap",
        direction=1,
        treatment=PRIVACY,
        control=NO_DP,
        ablation=("data.covariate_gap=0.0", "data.group_label_bias=0.0"),
        ablation_text="the minority's data are not distinct (no covariate gap or label shift)",
    ),
    Claim(
        id="dp_mandate_costs_little_accuracy",
        text="a DP mandate on entities makes their models a little less accurate",
        section="§2.3",
        source="dp_mandate intervention",
        metric="accuracy_mean",
        direction=-1,
        treatment=Arm("status_quo", ("dp_mandate",)),
        control=SQ,
        ablation=('communities.strategies=["local"]',),
        ablation_text="no community uses an entity's model",
    ),
    Claim(
        id="locally_defined_fairness_ends_conflict",
        text="locally defined fairness lowers mandate conflict",
        section="§2.3",
        source="locally_defined_fairness intervention",
        metric="mandate_conflict_share",
        direction=-1,
        treatment=Arm("status_quo", ("locally_defined_fairness",)),
        control=SQ,
        ablation=(
            "communities.values.notions={demographic_parity = 1.0}",
            'regulators.mandated_notions=["demographic_parity"]',
        ),
        ablation_text="every community holds the one mandated notion",
        knockout="precondition",
        note="no switch separates deferring to a community's notion from the notions differing",
    ),
)

"""Claims of §4.3, collaboration: federated consortia and their facilitators."""

from __future__ import annotations

from hetsim.analysis.claims.model import Arm, Claim
from hetsim.analysis.claims.registry.arms import SQ

CLAIMS: tuple[Claim, ...] = (
    Claim(
        id="federated_outliers_gain_less",
        text="with a federated consortium, the worst-served community fares worse as data diverge",
        section="§4.3",
        source="README; federated_consortium header",
        metric="accuracy_min_community",
        direction=-1,
        treatment=Arm("federated_consortium", overrides=("data.concept_shift=0.6",)),
        control=Arm("federated_consortium"),
        ablation=('communities.strategies=["local","adopt","split"]',),
        ablation_text="no federated consortium",
        note="worst-served community, not members' gain over local training",
    ),
    Claim(
        id="consortium_facilitator_lowers_dependency",
        text="a consortium facilitator lowers dependency",
        section="§4.3",
        source="consortium_facilitator intervention",
        metric="dependency_share",
        direction=-1,
        treatment=Arm("status_quo", ("consortium_facilitator",)),
        control=SQ,
        ablation=("exchange.consortium_facilitator=false",),
        ablation_text="federation allowed but no facilitator (full expertise needed)",
    ),
)

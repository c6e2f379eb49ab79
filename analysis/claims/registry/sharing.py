"""Claims of §4.1, data sharing: sharing with entities, pooling with peers, sovereignty."""

from __future__ import annotations

from hetsim.analysis.claims.model import Arm, Claim
from hetsim.analysis.claims.registry.arms import NO_SCALING, NO_SCALING_TEXT, NO_SHARING, SQ

# Pooling's costs in a community's weighing set to sharing's (share's defaults): what draws a
# community to pool rather than share is gone, pooling itself is not.
POOL_AS_SHARE = ("strategy.pool.sovereignty_loss=1.0", "strategy.pool.privacy_cost=0.5")
POOL_AS_SHARE_TEXT = "pooling costs communities as much control and exposure as sharing"

CLAIMS: tuple[Claim, ...] = (
    Claim(
        id="sharing_speeds_decision_concentration",
        text="sharing data with entities speeds up the concentration of decisions",
        section="§4.1",
        source="README; no_data_sharing header",
        metric="hhi_decisions",
        direction=1,
        treatment=SQ,
        control=NO_SHARING,
        summary="rise",
        ablation=NO_SCALING,
        ablation_text=NO_SCALING_TEXT + " (shared data cannot buy compute)",
    ),
    Claim(
        id="sharing_speeds_compute_concentration",
        text="sharing data with entities speeds up the concentration of compute",
        section="§4.1",
        source="README",
        metric="hhi_compute",
        direction=1,
        treatment=SQ,
        control=NO_SHARING,
        summary="rise",
        ablation=("large_entities.data_value=0.0",),
        ablation_text="records received earn an entity nothing (data is not capital)",
    ),
    Claim(
        id="sharing_concentrates_data",
        text="sharing data with entities concentrates data",
        section="§4.1",
        source="README; no_data_sharing header",
        metric="hhi_data",
        direction=1,
        treatment=SQ,
        control=NO_SHARING,
        summary="rise",
        ablation=("exchange.sovereignty_terms=true",),
        ablation_text="data shared under the community's terms (withdrawn with the community)",
    ),
    Claim(
        id="pooling_lowers_dependency",
        text="pooling among peers lowers dependency on entities",
        section="§4.1",
        source="README; sharing_vs_pooling header",
        metric="dependency_share",
        direction=-1,
        treatment=Arm("sharing_vs_pooling"),
        control=Arm(
            "sharing_vs_pooling", overrides=('communities.strategies=["local","adopt","share"]',)
        ),
        ablation=POOL_AS_SHARE,
        ablation_text=POOL_AS_SHARE_TEXT,
    ),
    Claim(
        id="pooling_keeps_sovereignty",
        text="pooling among peers keeps data sovereignty",
        section="§4.1",
        source="README; sharing_vs_pooling header",
        metric="data_sovereignty_mean",
        direction=1,
        treatment=Arm("sharing_vs_pooling"),
        control=Arm(
            "sharing_vs_pooling", overrides=('communities.strategies=["local","adopt","share"]',)
        ),
        ablation=POOL_AS_SHARE,
        ablation_text=POOL_AS_SHARE_TEXT + " (communities no longer pool to keep control)",
    ),
    Claim(
        id="cooperative_lowers_dependency",
        text="a data cooperative lowers dependency on entities",
        section="§4.1, §5",
        source="data_cooperative header",
        metric="dependency_share",
        direction=-1,
        treatment=Arm("data_cooperative"),
        control=Arm(
            "data_cooperative", overrides=('communities.strategies=["local","adopt","share"]',)
        ),
        ablation=(
            "strategy.cooperative.sovereignty_loss=1.0",
            "strategy.cooperative.privacy_cost=0.5",
        ),
        ablation_text="joining costs a community as much control and exposure as sharing on "
        "an entity's terms (collective ownership counts for nothing)",
    ),
    Claim(
        id="sovereignty_protocol_keeps_sovereignty",
        text="a data sovereignty protocol keeps data sovereignty",
        section="§4.1",
        source="data_sovereignty_protocol intervention",
        metric="data_sovereignty_mean",
        direction=1,
        treatment=Arm("status_quo", ("data_sovereignty_protocol",)),
        control=SQ,
        ablation=("strategy.share.sovereign_loss=1.0",),
        ablation_text="sharing under the protocol costs a community as much control, in its "
        "own weighing, as sharing on the entity's terms (the protocol no longer draws sharing "
        "its way)",
        note="the protocol's records are not counted as given: the metric's own accounting, "
        "which no switch separates from the policy",
    ),
    Claim(
        id="no_data_sharing_keeps_sovereignty",
        text="forbidding data sharing raises data sovereignty",
        section="§4.1",
        source="no_data_sharing intervention",
        metric="data_sovereignty_mean",
        direction=1,
        treatment=Arm("status_quo", ("no_data_sharing",)),
        control=SQ,
        ablation=("exchange.sovereignty_terms=true",),
        ablation_text="shared data stays under the community's terms",
    ),
)

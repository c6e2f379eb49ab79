"""Claims of §4.2, adaptation: fine-tuning pretrained models, open weights."""

from __future__ import annotations

from hetsim.analysis.claims.model import Arm, Claim
from hetsim.analysis.claims.registry.arms import PRETRAINED, SQ

CLAIMS: tuple[Claim, ...] = (
    Claim(
        id="negative_transfer_divergence",
        text="fine-tuning diverges more from local data as source and target differ",
        section="§4.2",
        source="README; pretrained_adaptation header",
        metric="finetune_divergence_mean",
        direction=1,
        treatment=Arm("pretrained_adaptation", overrides=("data.concept_shift=0.6",)),
        control=PRETRAINED,
        ablation=("data.covariate_shift=0.0", "data.label_shift=0.0", "data.interaction=0.0"),
        ablation_text="communities' data otherwise alike (no covariate or label shift, "
        "linear concept)",
        note="the ablation keeps the concept shift itself, the treatment",
    ),
    Claim(
        id="open_weights_meet_explainability",
        text="an open-weights mandate meets communities' need for explanations",
        section="§4.2, §3",
        source="open_weights_mandate intervention",
        metric="explainability_unmet_share",
        direction=-1,
        summary="whole",
        treatment=Arm("status_quo", ("open_weights_mandate",)),
        control=SQ,
        ablation=("communities.values.weight_explainability=0.0",),
        ablation_text="communities give an unmet need for explanations no weight (they no "
        "longer seek models they can explain)",
        note="an open model in use counts as explainable: the metric's own accounting, which "
        "no switch separates from the policy",
    ),
    Claim(
        id="open_weights_lower_dependency",
        text="an open-weights mandate lowers dependency (fine-tuned models are the community's)",
        section="§4.2",
        source="open_weights_mandate intervention",
        metric="dependency_share",
        direction=-1,
        treatment=Arm("status_quo", ("open_weights_mandate",)),
        control=SQ,
        ablation=('communities.strategies=["local","adopt","share","pool","federate","split"]',),
        ablation_text="no fine-tuning or distilling",
    ),
)

"""Claims of §2.4, local contexts: populations that shift (§2.4.1), proxies (§2.4.2), annotation.

Annotation is §2.4.3: who labels the data, with which culture, skill and pay.
"""

from __future__ import annotations

from hetsim.analysis.claims.model import Arm, Claim
from hetsim.analysis.claims.registry.arms import ANNOTATION, EARLY_INFLUX, SQ

CLAIMS: tuple[Claim, ...] = (
    Claim(
        id="mismatched_annotation_lowers_labels",
        text="culturally mismatched, underpaid annotation lowers label quality",
        section="§2.4.3",
        source="README; annotation_mismatch header",
        metric="label_accuracy_mean",
        direction=-1,
        treatment=ANNOTATION,
        control=SQ,
        ablation=("annotators.mismatch_noise=0.0", "annotators.low_pay_noise=0.0"),
        ablation_text="neither mismatch nor low pay adds label noise",
    ),
    Claim(
        id="fair_pay_restores_labels",
        text="a pay floor for annotators restores label quality",
        section="§2.4.3",
        source="README; fair_annotation_pay header",
        metric="label_accuracy_mean",
        direction=1,
        treatment=Arm("annotation_mismatch", ("fair_annotation_pay",)),
        control=ANNOTATION,
        ablation=("annotators.low_pay_noise=0.0",),
        ablation_text="low pay adds no label noise",
    ),
    Claim(
        id="refugee_influx_hurts_minority",
        text="a refugee influx hurts the accuracy of the group that grew",
        section="§2.4.1",
        source="README; refugee_influx header",
        metric="accuracy_minority",
        direction=-1,
        treatment=Arm("refugee_influx", overrides=EARLY_INFLUX),
        control=SQ,
        ablation=("communities.window=10",),
        ablation_text="communities train on their 10 newest records only (no stale data)",
        note="influx at step 10 (the file: 40) so reduced runs see it",
    ),
    Claim(
        id="quota_checks_meet_quotas",
        text="communities that check fairness and post-process meet their quota better",
        section="§2.4.1",
        source="README; affirmative_action header",
        metric="fairness_gap_own_mean",
        direction=-1,
        treatment=Arm("affirmative_action"),
        control=Arm("affirmative_action", overrides=("practices.fairness_check=0.0",)),
        ablation=("practices.mitigations={none = 1.0}",),
        ablation_text="a check finds gaps but no one mitigates",
    ),
    Claim(
        id="proxies_raise_mandate_conflict",
        text="proxies and relational identity that differ between places raise mandate conflict",
        section="§2.4.2",
        source="proxy_mismatch header",
        metric="mandate_conflict_share",
        direction=1,
        treatment=Arm("proxy_mismatch"),
        control=SQ,
        ablation=("data.relational_identity=0.0", "data.proxy_spread=0.0"),
        ablation_text="every community protects the same attribute, with the same proxy",
    ),
    Claim(
        id="fair_pay_raises_pay",
        text="fair annotation pay raises annotators' pay",
        section="§2.4.3",
        source="fair_annotation_pay intervention",
        metric="annotator_pay_mean",
        direction=1,
        treatment=Arm("status_quo", ("fair_annotation_pay",)),
        control=SQ,
        ablation=("annotators.pay_mean=0.05",),
        ablation_text="annotators already ask more than the floor",
    ),
)

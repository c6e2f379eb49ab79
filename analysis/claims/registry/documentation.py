"""Claims of §2.1, documentation: datasheets and the honesty of fairness reports."""

from __future__ import annotations

from hetsim.analysis.claims.model import Arm, Claim
from hetsim.analysis.claims.registry.arms import FIXED_WASHING, FIXED_WASHING_TEXT, PATCHWORK, SQ

CLAIMS: tuple[Claim, ...] = (
    Claim(
        id="datasheets_keep_reports_honest",
        text="datasheets keep fairness reports honest",
        section="§2.1, §3",
        source="README; documentation header",
        metric="washing_share",
        direction=-1,
        treatment=Arm("regulatory_patchwork", ("documentation",)),
        control=PATCHWORK,
        ablation=FIXED_WASHING,
        ablation_text=FIXED_WASHING_TEXT,
    ),
    Claim(
        id="documentation_ends_washing",
        text="datasheets for every organisation lower washing",
        section="§2.1",
        source="documentation intervention",
        metric="washing_share",
        direction=-1,
        treatment=Arm("status_quo", ("documentation",)),
        control=SQ,
        ablation=FIXED_WASHING,
        ablation_text=FIXED_WASHING_TEXT,
    ),
)

"""Claims of §2.2, compute: who can buy the compute to train a model of their own."""

from __future__ import annotations

from hetsim.analysis.claims.model import Arm, Claim
from hetsim.analysis.claims.registry.arms import SQ

CLAIMS: tuple[Claim, ...] = (
    Claim(
        id="compute_barrier_raises_dependency",
        text="communities shut out of the compute market depend more on entities",
        section="§2.2, §3",
        source="README; docs/compute_access.md",
        metric="dependency_share",
        direction=1,
        treatment=Arm("status_quo", overrides=("communities.compute_share=0.0",)),
        control=SQ,
        ablation=("communities.compute=5000.0",),
        ablation_text="communities own the compute to process every record they hold",
    ),
    Claim(
        id="public_compute_lowers_dependency",
        text="public compute lowers dependency on entities",
        section="§2.2",
        source="public_compute intervention",
        metric="dependency_share",
        direction=-1,
        treatment=Arm("status_quo", ("public_compute",)),
        control=SQ,
        ablation=("communities.compute=5000.0",),
        ablation_text="communities own the compute to process every record they hold (the "
        "scarcity public compute relieves is gone)",
    ),
)

"""§4.2 pretrained models: negative transfer, and an open-weights mandate.

Reduced world (tests/claims/conftest.py): the paired effect has the claimed sign and the
ablation leaves less than half of it. Full numbers: docs/claims.md.
"""

from __future__ import annotations

import pytest


@pytest.mark.xfail(
    strict=True,
    reason=(
        "reduced world (3 seeds × 20 steps, 8 communities): negative_transfer_divergence: "
        "ablation (communities' data otherwise alike (no covariate or label shift, linear "
        "concept)) leaves +0.060 [-0.018, +0.137] of +0.067 [+0.009, +0.125]"
    ),
)
def test_negative_transfer_divergence(holds):
    """§4.2: fine-tuning diverges more from local data as source and target differ.

    Ablation: communities' data otherwise alike (no covariate or label shift, linear concept).
    """
    holds("negative_transfer_divergence")


@pytest.mark.xfail(
    strict=True,
    reason=(
        "reduced world (3 seeds × 20 steps, 8 communities): open_weights_meet_explainability: "
        "explainability_unmet_share effect +0.000 [+0.000, +0.000]"
    ),
)
def test_open_weights_meet_explainability(holds):
    """§4.2, §3: an open-weights mandate meets communities' need for explanations.

    Ablation: no community needs explanations.
    """
    holds("open_weights_meet_explainability")


@pytest.mark.xfail(
    strict=True,
    reason=(
        "reduced world (3 seeds × 20 steps, 8 communities): open_weights_lower_dependency: "
        "dependency_share effect +0.062 [-0.714, +0.839]"
    ),
)
def test_open_weights_lower_dependency(holds):
    """§4.2: an open-weights mandate lowers dependency (fine-tuned models are the community's).

    Ablation: no fine-tuning or distilling.
    """
    holds("open_weights_lower_dependency")

"""§4.1, §5 pooling among peers and data cooperatives instead of sharing with entities.

Reduced world (tests/claims/conftest.py): the paired effect has the claimed sign and the
ablation leaves less than half of it. Full numbers: docs/claims.md.
"""

from __future__ import annotations

import pytest


def test_pooling_lowers_dependency(holds):
    """§4.1: pooling among peers lowers dependency on entities.

    Ablation: pooling costs communities as much control and exposure as sharing.
    """
    holds("pooling_lowers_dependency")


def test_pooling_keeps_sovereignty(holds):
    """§4.1: pooling among peers keeps data sovereignty.

    Ablation: no data sharing with entities (nothing for pooling to replace).
    """
    holds("pooling_keeps_sovereignty")


@pytest.mark.xfail(
    strict=True,
    reason=(
        "reduced world (3 seeds × 20 steps, 8 communities): cooperative_lowers_dependency: "
        "ablation (joining costs a community as much control and exposure as sharing on an "
        "entity's terms (collective ownership counts for nothing)) leaves -0.062 [-0.869, "
        "+0.744] of -0.104 [-0.552, +0.344]"
    ),
)
def test_cooperative_lowers_dependency(holds):
    """§4.1, §5: a data cooperative lowers dependency on entities.

    Ablation: joining costs a community as much control and exposure as sharing on an
    entity's terms (collective ownership counts for nothing).
    """
    holds("cooperative_lowers_dependency")

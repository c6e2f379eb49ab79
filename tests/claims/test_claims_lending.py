"""Liu et al. 2018 delayed impact of lending policies.

Reduced world (tests/claims/conftest.py): the paired effect has the claimed sign and the
ablation leaves less than half of it. Full numbers: docs/claims.md.
"""

from __future__ import annotations

import pytest


@pytest.mark.xfail(
    strict=True,
    reason=(
        "reduced world (3 seeds × 20 steps, 8 communities): "
        "equal_opportunity_lowers_repayment: lending_repayment_gap effect -0.023 [-0.336, "
        "+0.291]"
    ),
)
def test_equal_opportunity_lowers_repayment(holds):
    """Liu et al. 2018: equal opportunity lowers the disadvantaged group's repayment over time.

    Ablation: no delayed impact: repaying or defaulting does not move scores.
    """
    holds("equal_opportunity_lowers_repayment")

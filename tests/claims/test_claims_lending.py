"""Liu et al. 2018 delayed impact of lending policies.

tests/claims/conftest.py: in a reduced world the paired effect has the claimed sign and the
ablation leaves less than half of it; a claim docs/claims.md does not call
reproduced may fail here as an expected failure. Full numbers: docs/claims.md.
"""

from __future__ import annotations


def test_equal_opportunity_lowers_repayment(holds):
    """Liu et al. 2018: equal opportunity lowers the disadvantaged group's repayment over time.

    Ablation: no delayed impact: repaying or defaulting does not move scores.
    """
    holds("equal_opportunity_lowers_repayment")

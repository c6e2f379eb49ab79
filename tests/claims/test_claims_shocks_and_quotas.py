"""§2.4.1 high-stakes events and affirmative action.

Reduced world (tests/claims/conftest.py): the paired effect has the claimed sign and the
ablation leaves less than half of it. Full numbers: docs/claims.md.
"""

from __future__ import annotations

import pytest


@pytest.mark.xfail(
    strict=True,
    reason=(
        "the minority's accuracy barely moves after the influx (−0.019), and as much with "
        "10-record windows (−0.014): the README's 'not reproduced'"
    ),
)
def test_refugee_influx_hurts_minority(holds):
    """§2.4.1: a refugee influx hurts the accuracy of the group that grew.

    Ablation: communities train on their 10 newest records only (no stale data).
    """
    holds("refugee_influx_hurts_minority")


@pytest.mark.xfail(
    strict=True,
    reason=(
        "the ablation (checks without mitigation) lowers the quota shortfall more than checks"
        " with mitigation (−0.016 vs −0.011)"
    ),
)
def test_quota_checks_meet_quotas(holds):
    """§2.4.1: communities that check fairness and post-process meet their quota better.

    Ablation: a check finds gaps but no one mitigates.
    """
    holds("quota_checks_meet_quotas")

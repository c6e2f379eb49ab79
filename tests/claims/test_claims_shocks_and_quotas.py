"""§2.4.1 high-stakes events and affirmative action.

Reduced world (tests/claims/conftest.py): the paired effect has the claimed sign and the
ablation leaves less than half of it. Full numbers: docs/claims.md.
"""

from __future__ import annotations

import pytest


@pytest.mark.xfail(
    strict=True,
    reason=(
        "reduced world (3 seeds × 20 steps, 8 communities): refugee_influx_hurts_minority: "
        "accuracy_minority effect +0.029 [-0.065, +0.123]"
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
        "reduced world (3 seeds × 20 steps, 8 communities): quota_checks_meet_quotas: "
        "ablation (a check finds gaps but no one mitigates) leaves -0.022 [-0.080, +0.036] of "
        "-0.017 [-0.071, +0.038]"
    ),
)
def test_quota_checks_meet_quotas(holds):
    """§2.4.1: communities that check fairness and post-process meet their quota better.

    Ablation: a check finds gaps but no one mitigates.
    """
    holds("quota_checks_meet_quotas")

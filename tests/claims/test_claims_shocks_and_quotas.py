"""§2.4.1 high-stakes events and affirmative action.

tests/claims/conftest.py: in a reduced world the paired effect has the claimed sign and the
ablation leaves less than half of it; a claim docs/claims.md does not call
reproduced may fail here as an expected failure. Full numbers: docs/claims.md.
"""

from __future__ import annotations


def test_refugee_influx_hurts_minority(holds):
    """§2.4.1: a refugee influx hurts the accuracy of the group that grew.

    Ablation: communities train on their 10 newest records only (no stale data).
    """
    holds("refugee_influx_hurts_minority")


def test_quota_checks_meet_quotas(holds):
    """§2.4.1: communities that check fairness and post-process meet their quota better.

    Ablation: a check finds gaps but no one mitigates.
    """
    holds("quota_checks_meet_quotas")

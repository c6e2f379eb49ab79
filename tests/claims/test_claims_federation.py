"""§4.3 collaborative training: outlying members, and a consortium facilitator.

tests/claims/conftest.py: in a reduced world the paired effect has the claimed sign and the
ablation leaves less than half of it; a claim docs/claims.md does not call
reproduced may fail here as an expected failure. Full numbers: docs/claims.md.
"""

from __future__ import annotations


def test_federated_outliers_gain_less(holds):
    """§4.3:
    with a federated consortium, the worst-served community fares worse as data diverge.

    Ablation: no federated consortium.
    """
    holds("federated_outliers_gain_less")


def test_consortium_facilitator_lowers_dependency(holds):
    """§4.3: a consortium facilitator lowers dependency.

    Ablation: federation allowed but no facilitator (full expertise needed).
    """
    holds("consortium_facilitator_lowers_dependency")

"""§2.3 differential privacy: its accuracy cost, who pays it, and a DP mandate on entities.

tests/claims/conftest.py: in a reduced world the paired effect has the claimed sign and the
ablation leaves less than half of it; a claim docs/claims.md does not call
reproduced may fail here as an expected failure. Full numbers: docs/claims.md.
"""

from __future__ import annotations


def test_dp_costs_accuracy(holds):
    """§2.3: differential privacy on local training costs accuracy.

    Ablation: no community trains its own model (the DP fits).
    """
    holds("dp_costs_accuracy")


def test_dp_costs_minority_more(holds):
    """§2.3: differential privacy costs the minority group more accuracy than the majority.

    Ablation: the minority's data are not distinct (no covariate gap or label shift).
    """
    holds("dp_costs_minority_more")


def test_dp_mandate_costs_little_accuracy(holds):
    """§2.3: a DP mandate on entities makes their models a little less accurate.

    Ablation: no community uses an entity's model.
    """
    holds("dp_mandate_costs_little_accuracy")

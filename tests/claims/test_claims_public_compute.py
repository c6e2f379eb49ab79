"""§2.2 public compute for communities.

tests/claims/conftest.py: in a reduced world the paired effect has the claimed sign and the
ablation leaves less than half of it; a claim docs/claims.md does not call
reproduced may fail here as an expected failure. Full numbers: docs/claims.md.
"""

from __future__ import annotations


def test_public_compute_lowers_dependency(holds):
    """§2.2: public compute lowers dependency on entities.

    Ablation: communities own the compute to process every record they hold.
    """
    holds("public_compute_lowers_dependency")

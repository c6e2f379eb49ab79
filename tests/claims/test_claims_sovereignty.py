"""§4.1 interventions on data sharing: a sovereignty protocol, or no sharing at all.

tests/claims/conftest.py: in a reduced world the paired effect has the claimed sign and the
ablation leaves less than half of it. Full numbers: docs/claims.md.
"""

from __future__ import annotations


def test_sovereignty_protocol_keeps_sovereignty(holds):
    """§4.1: a data sovereignty protocol keeps data sovereignty.

    Ablation: sharing under the protocol costs as much control as on the entity's terms.
    """
    holds("sovereignty_protocol_keeps_sovereignty")


def test_no_data_sharing_keeps_sovereignty(holds):
    """§4.1: forbidding data sharing raises data sovereignty.

    Ablation: shared data stays under the community's terms.
    """
    holds("no_data_sharing_keeps_sovereignty")

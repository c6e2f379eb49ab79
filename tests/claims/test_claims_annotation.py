"""§2.4.3 annotation: cultural mismatch, low pay, and a pay floor.

tests/claims/conftest.py: in a reduced world the paired effect has the claimed sign and the
ablation leaves less than half of it. Full numbers: docs/claims.md.
"""

from __future__ import annotations


def test_mismatched_annotation_lowers_labels(holds):
    """§2.4.3: culturally mismatched, underpaid annotation lowers label quality.

    Ablation: neither mismatch nor low pay adds label noise.
    """
    holds("mismatched_annotation_lowers_labels")


def test_fair_pay_restores_labels(holds):
    """§2.4.3: a pay floor for annotators restores label quality.

    Ablation: low pay adds no label noise.
    """
    holds("fair_pay_restores_labels")


def test_fair_pay_raises_pay(holds):
    """§2.4.3: fair annotation pay raises annotators' pay.

    Ablation: annotators already ask more than the floor.
    """
    holds("fair_pay_raises_pay")

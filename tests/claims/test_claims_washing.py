"""§3 fairness washing: audits, datasheets, and its course over a run.

Reduced world (tests/claims/conftest.py): the paired effect has the claimed sign and the
ablation leaves less than half of it. Full numbers: docs/claims.md.
"""

from __future__ import annotations

import pytest


@pytest.mark.xfail(
    strict=True,
    reason=(
        "in the reduced world an entity's model serves people under a mandate at the end of "
        "both arms in only 1 of 3 seeds (washing_gap_mean is undefined otherwise): too few "
        "pairs"
    ),
)
def test_audits_shrink_washing(holds):
    """§3: audits shrink the fairness-washing gap.

    Ablation: an exposed entity keeps washing (no deterrent).
    """
    holds("audits_shrink_washing")


@pytest.mark.xfail(
    strict=True,
    reason=(
        "in the reduced world the washing gap is defined at the end of both arms in only 1 of"
        " 3 seeds: too few pairs"
    ),
)
def test_datasheets_keep_reports_honest(holds):
    """§2.1, §3: datasheets keep fairness reports honest.

    Ablation: no entity washes.
    """
    holds("datasheets_keep_reports_honest")


@pytest.mark.xfail(
    strict=True,
    reason=(
        "in 20 steps of the reduced world no entity's model serves people early and late in "
        "enough seeds (no value)"
    ),
)
def test_washing_shrinks_over_time(holds):
    """§3: the washing gap shrinks over a run as audits catch washing entities.

    Ablation: an exposed entity keeps washing (no deterrent).
    """
    holds("washing_shrinks_over_time")


def test_documentation_ends_washing(holds):
    """§2.1: datasheets for every organisation bring the washing gap toward 0.

    Ablation: no entity washes.
    """
    holds("documentation_ends_washing")

"""The claims suite in a reduced world: every claim's contrast and ablation, few seeds.

One session-wide runner keeps each run in memory, so an arm shared by several claims (the status
quo control, say) runs once. What a reduced world can support is asserted: the paired mean
effect has the claimed sign, and the ablation leaves less than half of it. A claim that does
not hold here is marked ``xfail(strict=True)`` with the numbers, never tuned into passing; the
full table (20 seeds) is docs/claims.md (``make claims``).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from hetsim.analysis.claims.model import REDUCED
from hetsim.analysis.claims.registry import BY_ID
from hetsim.analysis.claims.runner import ClaimRunner
from hetsim.analysis.claims.verdict import Verdict

# An ablation must leave less than this share of the effect (in the claimed direction).
LEFT_AT_MOST = 0.5


@pytest.fixture(scope="session")
def claims_runner() -> ClaimRunner:
    """One runner for the session: the reduced world, runs cached in memory."""
    return ClaimRunner(seeds=REDUCED["seeds"], steps=REDUCED["steps"], size=REDUCED["size"])


@pytest.fixture(scope="session")
def judged(claims_runner: ClaimRunner) -> Callable[[str], Verdict]:
    """Judge one claim by its id (runs only the arms not yet run)."""

    def judge(claim_id: str) -> Verdict:
        return claims_runner.evaluate([BY_ID[claim_id]])[0]

    return judge


@pytest.fixture(scope="session")
def holds(judged: Callable[[str], Verdict]) -> Callable[[str], None]:
    """Assert a claim in the reduced world: its effect, and its ablation's loss of it."""

    def check(claim_id: str) -> None:
        assert_effect_and_ablation(judged(claim_id))

    return check


def assert_effect_and_ablation(verdict: Verdict) -> None:
    """The effect has the claimed sign; the ablation leaves less than half of it."""
    claim, effect = verdict.claim, verdict.effect
    d = claim.direction
    assert effect.seeds >= 2, f"{claim.id}: only {effect.seeds} seed(s) had a value"
    assert d * effect.mean > 0, f"{claim.id}: {claim.metric} effect {effect.text()}"
    if claim.ablation:
        left = verdict.ablation.mean
        assert d * left < LEFT_AT_MOST * d * effect.mean, (
            f"{claim.id}: ablation ({claim.ablation_text}) leaves {verdict.ablation.text()} "
            f"of {effect.text()}"
        )

"""The claims suite in a reduced world: every claim's contrast and knockout, few seeds.

Session-wide runners keep each run in memory, so an arm shared by several claims (the status
quo control, say) runs once. Every claim the full table (docs/claims.md, ``make claims``) calls
*reproduced* must show, in a world large enough for it (``CHECKED``: 8 seeds), what such a world
can support: the paired mean effect has the claimed sign, the ablation leaves less than half of
it and does not fix the metric. A claim the table does not call reproduced runs in the tiny
``REDUCED`` world; where it fails there it is an expected failure whose reason is the table's
verdict, never a hand-written exception (tests/claims/test_claims_table.py checks that
no test marks a reproduced claim as an expected failure).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from hetsim.analysis.claims.model import CHECKED, REDUCED
from hetsim.analysis.claims.registry import BY_ID
from hetsim.analysis.claims.runner import ClaimRunner
from hetsim.analysis.claims.table import recorded_rows
from hetsim.analysis.claims.verdict import Verdict

CLAIMS_TABLE = Path(__file__).resolve().parents[2] / "docs" / "claims.md"
# In a reduced world an ablation must leave less than this share of the effect (the full
# table's rule, hetsim.analysis.claims.verdict.LEFT_AT_MOST, needs its 20 seeds).
LEFT_AT_MOST = 0.5


@pytest.fixture(scope="session")
def claims_runner() -> ClaimRunner:
    """One runner for the session: the reduced world, runs cached in memory."""
    return ClaimRunner(seeds=REDUCED["seeds"], steps=REDUCED["steps"], size=REDUCED["size"])


@pytest.fixture(scope="session")
def checked_runner() -> ClaimRunner:
    """The runner for claims the table calls reproduced: the CHECKED world."""
    return ClaimRunner(seeds=CHECKED["seeds"], steps=CHECKED["steps"], size=CHECKED["size"])


@pytest.fixture(scope="session")
def table_rows() -> dict[str, dict[str, str]]:
    """The full table's rows, by claim id."""
    return recorded_rows(CLAIMS_TABLE.read_text())


@pytest.fixture(scope="session")
def judged(claims_runner: ClaimRunner) -> Callable[[str], Verdict]:
    """Judge one claim by its id (runs only the arms not yet run)."""

    def judge(claim_id: str) -> Verdict:
        return claims_runner.evaluate([BY_ID[claim_id]])[0]

    return judge


@pytest.fixture(scope="session")
def holds(
    judged: Callable[[str], Verdict],
    checked_runner: ClaimRunner,
    table_rows: dict[str, dict[str, str]],
) -> Callable[[str], None]:
    """Assert a claim: its effect, and its ablation's loss of it."""

    def check(claim_id: str) -> None:
        verdict = table_rows.get(claim_id, {}).get("verdict", "not in docs/claims.md")
        try:
            if verdict == "reproduced":
                assert_effect_and_ablation(checked_runner.evaluate([BY_ID[claim_id]])[0])
            else:
                assert_effect_and_ablation(judged(claim_id))
        except AssertionError as exc:
            if verdict == "reproduced":
                raise
            pytest.xfail(f"docs/claims.md: {verdict}; reduced world: {exc}")

    return check


def assert_effect_and_ablation(verdict: Verdict) -> None:
    """The effect has the claimed sign; the ablation leaves less than half of it."""
    claim, effect = verdict.claim, verdict.effect
    d = claim.direction
    assert effect.seeds >= 2, f"{claim.id}: only {effect.seeds} seed(s) had a value"
    assert d * effect.mean > 0, f"{claim.id}: {claim.metric} effect {effect.text()}"
    if verdict.knockout is not None:
        left = verdict.knockout.effect.mean
        assert d * left < LEFT_AT_MOST * d * effect.mean, (
            f"{claim.id}: ablation ({claim.ablation_text}) leaves "
            f"{verdict.knockout.effect.text()} of {effect.text()}"
        )
        assert not verdict.knockout.fixes_metric(verdict.effect.mean), (
            f"{claim.id}: ablation ({claim.ablation_text}) fixes {claim.metric} on every seed"
        )

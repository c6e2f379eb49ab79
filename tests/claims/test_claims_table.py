"""docs/claims.md guards itself: it names the sources it came from, and no test excuses a claim
it calls reproduced."""

from __future__ import annotations

import ast
from pathlib import Path

from hetsim.analysis.claims.registry import CLAIMS
from hetsim.analysis.claims.table import recorded_fingerprint, recorded_rows, table_fingerprint

HERE = Path(__file__).parent
TABLE = HERE.parents[1] / "docs" / "claims.md"


def test_the_claims_table_was_generated_from_the_current_sources():
    """Changing the model, a scenario file or the claims package makes the table stale."""
    recorded, now = recorded_fingerprint(TABLE.read_text()), table_fingerprint()
    assert recorded == now, (
        f"docs/claims.md was generated from sources {recorded or '(none recorded)'}, but the "
        f"model, scenario files and claims package are now {now}: regenerate the table with "
        "`make claims` (20 seeds; about 30 CPU-minutes) and commit it"
    )


def test_the_table_lists_every_claim_once():
    assert sorted(recorded_rows(TABLE.read_text())) == sorted(c.id for c in CLAIMS)


def _excused_tests() -> dict[str, str]:
    """Claim tests carrying an xfail or skip mark in their source, by the claim they test."""
    out = {}
    for path in HERE.glob("test_claims_*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef) and node.name.startswith("test_"):
                marks = [ast.unparse(d) for d in node.decorator_list]
                if any("xfail" in m or "skip" in m for m in marks):
                    out[node.name.removeprefix("test_")] = path.name
    return out


def test_no_claim_the_table_calls_reproduced_is_an_expected_failure():
    rows = recorded_rows(TABLE.read_text())
    reproduced = {i for i, row in rows.items() if row["verdict"] == "reproduced"}
    excused = {i: f for i, f in _excused_tests().items() if i in reproduced}
    assert not excused, f"reproduced in docs/claims.md, excused in tests/claims: {excused}"


def test_a_reproduced_claim_whose_ablation_is_exactly_zero_argues_why_in_its_note():
    """An ablation effect of exactly [0, 0] is as often a blanked metric as a knockout."""
    rows = recorded_rows(TABLE.read_text())
    unargued = [
        claim.id
        for claim in CLAIMS
        if rows.get(claim.id, {}).get("verdict") == "reproduced"
        and rows[claim.id].get("ablation effect [95% CI]") == "+0.000 [+0.000, +0.000]"
        and not claim.note
    ]
    assert not unargued, f"reproduced with an ablation of exactly [0, 0] and no note: {unargued}"

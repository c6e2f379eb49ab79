"""Every result stated in prose agrees with the claims table (docs/claims.md).

Each statement below is quoted from the file that makes it, with the claim that measures it and
what it says of that claim: that the effect *holds* (its interval excludes 0 in the claimed
direction), *reverses* (the interval excludes 0 the other way), is there in *direction only*
(the mean has the claimed sign, the interval holds 0), or a verdict. When a regenerated table
disagrees, the test names the file and the statement to rewrite. The README's verdict table is
generated from the claims table and checked whole.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import NamedTuple

import pytest

from hetsim.analysis.claims.registry import BY_ID
from hetsim.analysis.claims.table import README_BEGIN, README_END, readme_block, recorded_rows

ROOT = Path(__file__).resolve().parents[2]


class Statement(NamedTuple):
    """A result stated in prose, and what it says of each claim it speaks of."""

    path: str
    text: str
    says: tuple[tuple[str, str], ...]  # (claim id, holds / reverses / direction only / verdict)


TABLE = ROOT / "docs" / "claims.md"

# Each statement: the file, the words as written there (comment markers and line breaks
# folded), and per claim it speaks of, what it says of that claim.
STATEMENTS: tuple[Statement, ...] = (
    Statement(
        "scenarios/status_quo.toml",
        (
            "over the run data_sovereignty_mean falls with an interval that excludes 0, while "
            "hhi_compute, hhi_decisions and dependency_share rise in direction only"
        ),
        (
            ("status_quo_compute_concentrates", "direction only"),
            ("status_quo_decisions_concentrate", "direction only"),
            ("status_quo_dependency_rises", "direction only"),
            ("status_quo_sovereignty_erodes", "holds"),
        ),
    ),
    Statement(
        "scenarios/scripts/scaling_race.py",
        (
            "in the baseline `data_sovereignty_mean` falls over the run; `hhi_compute`, "
            "`hhi_decisions` and `dependency_share` rise in direction only."
        ),
        (
            ("status_quo_compute_concentrates", "direction only"),
            ("status_quo_decisions_concentrate", "direction only"),
            ("status_quo_dependency_rises", "direction only"),
            ("status_quo_sovereignty_erodes", "holds"),
        ),
    ),
    Statement(
        "scenarios/scripts/scaling_race.py",
        ("Public compute lowers the dependency share"),
        (("public_compute_lowers_dependency", "holds"),),
    ),
    Statement(
        "scenarios/scripts/scaling_race.py",
        ("an open-weights mandate does not lower it"),
        (("open_weights_lower_dependency", "verdict: not reproduced"),),
    ),
    Statement(
        "scenarios/scripts/scaling_race.py",
        ("an audit regime lowers it in direction only"),
        (("audit_regime_lowers_dependency", "direction only"),),
    ),
    Statement(
        "docs/tutorial.md",
        (
            "over a run data sovereignty erodes, while compute and decisions concentrate in "
            "direction only"
        ),
        (
            ("status_quo_compute_concentrates", "direction only"),
            ("status_quo_decisions_concentrate", "direction only"),
            ("status_quo_sovereignty_erodes", "holds"),
        ),
    ),
    Statement(
        "docs/tutorial.md",
        ("public compute lowers the dependency share"),
        (("public_compute_lowers_dependency", "holds"),),
    ),
    Statement(
        "docs/tutorial.md",
        ("an open-weights mandate does not lower it"),
        (("open_weights_lower_dependency", "verdict: not reproduced"),),
    ),
    Statement(
        "docs/tutorial.md",
        ("the mandate's claimed fall in dependency is not reproduced"),
        (("open_weights_lower_dependency", "verdict: not reproduced"),),
    ),
    Statement(
        "scenarios/refugee_influx.toml",
        (
            "minority accuracy falls, with an interval that excludes 0, but training on the "
            "newest records only does not remove the fall (partly"
        ),
        (("refugee_influx_hurts_minority", "verdict: partly"),),
    ),
    Statement(
        "scenarios/proxy_mismatch.toml",
        ("`mandate_conflict_share` is higher than in status_quo, with an interval that excludes 0"),
        (
            ("proxies_raise_mandate_conflict", "holds"),
            ("proxies_raise_mandate_conflict", "verdict: reproduced"),
        ),
    ),
    Statement(
        "scenarios/federated_consortium.toml",
        ("the worst-served community (`accuracy_min_community`) fares worse in direction only"),
        (("federated_outliers_gain_less", "direction only"),),
    ),
    Statement(
        "scenarios/affirmative_action.toml",
        (
            "`fairness_gap_own_mean` (the quota shortfall) is lower than with `--set "
            "practices.fairness_check=0.0`"
        ),
        (("quota_checks_meet_quotas", "holds"),),
    ),
    Statement(
        "scenarios/sharing_vs_pooling.toml",
        ("`data_sovereignty_mean` stays higher"),
        (("pooling_keeps_sovereignty", "holds"),),
    ),
    Statement(
        "scenarios/sharing_vs_pooling.toml",
        ("`dependency_share` is lower in direction only"),
        (("pooling_lowers_dependency", "direction only"),),
    ),
    Statement(
        "scenarios/pretrained_adaptation.toml",
        ("`finetune_divergence_mean` rises"),
        (("negative_transfer_divergence", "holds"),),
    ),
    Statement(
        "scenarios/privacy_fairness.toml",
        ("`accuracy_mean` falls"),
        (("dp_costs_accuracy", "holds"),),
    ),
    Statement(
        "scenarios/annotation_mismatch.toml",
        ("`label_accuracy_mean` falls"),
        (("mismatched_annotation_lowers_labels", "holds"),),
    ),
    Statement(
        "scenarios/annotation_mismatch.toml",
        ("under which `label_accuracy_mean` rises again"),
        (("fair_pay_restores_labels", "holds"),),
    ),
    Statement(
        "scenarios/scripts/annotation_mismatch.py",
        ("Under the pay floor `label_accuracy_mean` rises"),
        (("fair_pay_restores_labels", "holds"),),
    ),
    Statement(
        "scenarios/privacy_fairness.toml",
        (
            "per-group accuracy in communities.parquet falls more for small minority groups "
            "where their data are distinct in direction only"
        ),
        (("dp_costs_minority_more", "direction only"),),
    ),
    Statement(
        "scenarios/scripts/dp_minority.py",
        ("local differential privacy costs accuracy (dp_costs_accuracy)"),
        (("dp_costs_accuracy", "holds"),),
    ),
    Statement(
        "scenarios/scripts/dp_minority.py",
        (
            "costs the minority more accuracy than the majority in direction only "
            "(dp_costs_minority_more: its interval holds 0)"
        ),
        (("dp_costs_minority_more", "direction only"),),
    ),
    Statement(
        "scenarios/data_cooperative.toml",
        (
            "`dependency_share` is lower, with an interval that excludes 0, and counting "
            "collective ownership for nothing removes the fall (reproduced"
        ),
        (
            ("cooperative_lowers_dependency", "holds"),
            ("cooperative_lowers_dependency", "verdict: reproduced"),
        ),
    ),
    Statement(
        "scenarios/regulatory_patchwork.toml",
        (
            "so fewer `violations_privacy_washing` are found than with `--set "
            "large_entities.jurisdiction_shopping=false`"
        ),
        (("shopping_evades_privacy_audits", "holds"),),
    ),
    Statement(
        "scenarios/regulatory_patchwork.toml",
        (
            "`washing_share` rises over a run rather than shrinking as they learn how often "
            "they are audited"
        ),
        (
            ("washing_shrinks_over_time", "reverses"),
            ("washing_shrinks_over_time", "verdict: not reproduced"),
        ),
    ),
    Statement(
        "scenarios/regulatory_patchwork.toml",
        ("closed models draw `violations_explainability` where explanations are mandated"),
        (("mandate_finds_closed_models", "holds"),),
    ),
    Statement(
        "scenarios/interventions/open_weights_mandate.toml",
        ("`explainability_unmet_share` falls in direction only"),
        (("open_weights_meet_explainability", "direction only"),),
    ),
    Statement(
        "scenarios/interventions/open_weights_mandate.toml",
        (
            "The claim that `dependency_share` falls because fine-tuned and distilled models "
            "belong to the community is not reproduced"
        ),
        (("open_weights_lower_dependency", "verdict: not reproduced"),),
    ),
    Statement(
        "scenarios/interventions/documentation.toml",
        ("the claims table `washing_share` falls in the regulatory patchwork in direction only"),
        (("datasheets_keep_reports_honest", "direction only"),),
    ),
    Statement(
        "scenarios/interventions/documentation.toml",
        ("and does not fall in the status quo"),
        (("documentation_ends_washing", "verdict: not reproduced"),),
    ),
    Statement(
        "scenarios/interventions/audit_regime.toml",
        ("`washing_share` falls in direction only"),
        (("audits_shrink_washing", "direction only"),),
    ),
    Statement(
        "scenarios/interventions/audit_regime.toml",
        ("`dependency_share` falls in direction only"),
        (("audit_regime_lowers_dependency", "direction only"),),
    ),
    Statement(
        "scenarios/interventions/dp_mandate.toml",
        ("the claim that `accuracy_mean` falls a little is not reproduced: it rises slightly"),
        (("dp_mandate_costs_little_accuracy", "verdict: not reproduced"),),
    ),
    Statement(
        "scenarios/interventions/consortium_facilitator.toml",
        ("`dependency_share` falls"),
        (("consortium_facilitator_lowers_dependency", "holds"),),
    ),
    Statement(
        "scenarios/interventions/data_sovereignty_protocol.toml",
        ("`data_sovereignty_mean` stays at 1 even when communities share"),
        (("sovereignty_protocol_keeps_sovereignty", "holds"),),
    ),
    Statement(
        "scenarios/interventions/no_data_sharing.toml",
        ("`data_sovereignty_mean` rises"),
        (("no_data_sharing_keeps_sovereignty", "holds"),),
    ),
    Statement(
        "scenarios/interventions/no_data_sharing.toml",
        ("in the claims table sharing does not concentrate data"),
        (("sharing_concentrates_data", "verdict: not reproduced"),),
    ),
    Statement(
        "scenarios/interventions/locally_defined_fairness.toml",
        ("`mandate_conflict_share` falls"),
        (("locally_defined_fairness_ends_conflict", "holds"),),
    ),
    Statement(
        "scenarios/interventions/public_compute.toml",
        ("`dependency_share` down"),
        (("public_compute_lowers_dependency", "holds"),),
    ),
    Statement(
        "scenarios/interventions/fair_annotation_pay.toml",
        ("`annotator_pay_mean` rises"),
        (("fair_pay_raises_pay", "holds"),),
    ),
    Statement(
        "scenarios/interventions/fair_annotation_pay.toml",
        ("`label_accuracy_mean` rises"),
        (("fair_pay_restores_labels", "holds"),),
    ),
)

_INTERVAL = re.compile(r"^([+-]\d+\.\d+) \[([+-]\d+\.\d+), ([+-]\d+\.\d+)\]$")


def _prose(path: Path) -> str:
    """The file's text as read: comment markers and line breaks folded into single spaces."""
    text = re.sub(r"^\s*# ?", "", path.read_text(), flags=re.M)
    return " ".join(text.split())


def _what_the_table_says(claim_id: str, row: dict[str, str]) -> set[str]:
    found = _INTERVAL.match(row["effect [95% CI]"])
    assert found, f"{claim_id}: no effect in docs/claims.md"
    mean, low, high = (float(x) for x in found.groups())
    d = BY_ID[claim_id].direction
    says = {f"verdict: {row['verdict']}"}
    if (d > 0 and low > 0) or (d < 0 and high < 0):
        says.add("holds")
    elif (d > 0 and high < 0) or (d < 0 and low > 0):
        says.add("reverses")
    elif d * mean > 0:
        says.add("direction only")
    return says


CASES = [(st.path, st.text, c, said) for st in STATEMENTS for c, said in st.says]


@pytest.mark.parametrize(
    ("path", "statement", "claim_id", "stated"),
    CASES,
    ids=[f"{p}:{c}:{s}" for p, _, c, s in CASES],
)
def test_a_stated_result_agrees_with_the_claims_table(path, statement, claim_id, stated):
    assert " ".join(statement.split()) in _prose(ROOT / path), f"{path} no longer says it"
    row = recorded_rows(TABLE.read_text()).get(claim_id)
    assert row is not None, f"{claim_id} is not in docs/claims.md"
    says = _what_the_table_says(claim_id, row)
    assert stated in says, (
        f"{path} says {statement!r} ({claim_id}: {stated}); docs/claims.md says "
        f"{row['effect [95% CI]']}, {row['verdict']}: rewrite the statement"
    )


def test_the_readmes_verdict_table_is_the_claims_tables():
    readme = (ROOT / "README.md").read_text()
    block = readme[readme.index(README_BEGIN) : readme.index(README_END) + len(README_END)]
    assert block == readme_block(TABLE.read_text()), "README verdict table: run `make claims`"

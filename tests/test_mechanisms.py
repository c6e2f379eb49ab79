"""Each mechanism of the paper, switched from a scenario key, moves what it should.

Every test runs small worlds over several seeds and compares a mechanism switched on with it
switched off; each would fail if the mechanism were removed.
"""

from __future__ import annotations

import numpy as np
import pytest

from hetsim.analysis.runner import run_scenario
from hetsim.scenarios.builder import build_model, load_scenario

BASE = [
    "communities.count=24",
    "annotators.count=20",
    "large_entities.count=3",
    "regulators.count=3",
]
SEEDS = (0, 1, 2)


def scenario(*overrides: str):
    """The status quo shrunk, with every strategy allowed; ``overrides`` replace BASE keys."""
    chosen = dict(text.split("=", 1) for text in [*BASE, *overrides])
    return load_scenario("status_quo", [f"{key}={value}" for key, value in chosen.items()])


def late_mean(column: str, *overrides: str, steps: int = 16, seeds=SEEDS) -> float:
    """Mean of a metric over the second half of runs, averaged over seeds."""
    values = []
    for seed in seeds:
        metrics = run_scenario(scenario(*overrides), seed=seed, steps=steps, community_rows=False)[
            "metrics"
        ]
        values.append(metrics[metrics["step"] > steps // 2][column].mean())
    return float(np.nanmean(values))


def late_means(columns: tuple[str, ...], *overrides: str, steps: int = 16, seeds=SEEDS):
    """Like :func:`late_mean` for several metrics of the same runs, as a dict."""
    values = {column: [] for column in columns}
    for seed in seeds:
        metrics = run_scenario(scenario(*overrides), seed=seed, steps=steps, community_rows=False)[
            "metrics"
        ]
        late = metrics[metrics["step"] > steps // 2]
        for column in columns:
            values[column].append(late[column].mean())
    return {column: float(np.nanmean(v)) for column, v in values.items()}


ENTITY_CONTROLLED = {"adopt", "share", "split"}


@pytest.mark.parametrize(
    "strategy",
    ["local", "adopt", "share", "pool", "finetune", "distill", "federate", "split", "cooperative"],
)
def test_each_fixed_strategy_is_followed_and_sets_who_controls_the_model(strategy):
    overrides = [
        f'communities.strategy="{strategy}"',
        "communities.expertise=1.0",
        "communities.budget=50.0",
        "large_entities.open_weights_share=1.0",
        'communities.strategies=["local", "adopt", "share", "pool", "finetune", '
        '"distill", "federate", "split", "cooperative"]',
    ]
    metrics = run_scenario(scenario(*overrides), seed=0, steps=4)["metrics"]
    assert (metrics[f"strategy_{strategy}_share"] == 1.0).all()
    expected = 1.0 if strategy in ENTITY_CONTROLLED else 0.0
    assert (metrics["dependency_share"] == expected).all()
    assert metrics["accuracy_mean"].iloc[-1] > 0.55  # every path yields a working model


def test_the_sovereignty_protocol_draws_more_communities_into_sharing():
    """§4.1: data shared on a community's terms costs it less control, so more choose to share."""
    plain = late_mean("strategy_share_share", steps=10)
    sovereign = late_mean("strategy_share_share", "exchange.sovereignty_terms=true", steps=10)
    assert sovereign > plain + 0.05


def test_under_the_sovereignty_protocol_misuse_cannot_destroy_the_sharers_trust():
    """§4.1: records held under use limits cannot be misused, so sharers keep their trust."""
    # no renting: records processed on an entity's machines could be misused whatever the terms
    misused = [
        'communities.strategy="share"',
        "exchange.misuse_probability=1.0",
        "communities.compute_share=0.0",
    ]
    plain = late_mean("trust_mean", *misused, steps=10)
    sovereign = late_mean("trust_mean", *misused, "exchange.sovereignty_terms=true", steps=10)
    assert sovereign > plain + 0.1


def test_misuse_of_shared_data_destroys_the_sharers_trust():
    shared = 'communities.strategy="share"'
    kept = late_mean("trust_mean", shared, "exchange.misuse_probability=0.0")
    misused = late_mean("trust_mean", shared, "exchange.misuse_probability=1.0")
    assert misused < kept - 0.1


def test_privacy_washing_is_found_by_audits_only_where_entities_wash():
    """Claims of ε = 1 audited from evidence (a canary audit, never the true ε): entities that
    train without noise are found; the same claims honoured are never found."""
    claims = [
        "large_entities.claimed_epsilon=1.0",
        "large_entities.effective_epsilon=inf",
        "regulators.epsilon_cap=1.0",
        "regulators.audit_probability=0.5",
    ]
    honest = late_mean(
        "violations_privacy_washing",
        *claims,
        "large_entities.washing_propensity=0.0",
        steps=6,
        seeds=(0,),
    )
    found = late_mean(
        "violations_privacy_washing",
        *claims,
        "large_entities.washing_propensity=1.0",
        steps=6,
        seeds=(0,),
    )
    assert honest == 0.0
    assert found > 0


@pytest.mark.parametrize(
    "claim",
    [
        # the loophole lifts the ε cap: the entity claims no ε there, so nothing is checked
        "large_entities.claimed_epsilon=inf",
        # the same claim everywhere: only the loophole's lack of audits lets washing go unfound
        "large_entities.claimed_epsilon=1.0",
    ],
)
def test_entities_shop_for_the_jurisdiction_with_a_loophole(claim):
    """§3: an entity that washes moves its training to the loophole, where it is not found."""
    rules = [
        claim,
        "regulators.loophole_share=0.34",
        "regulators.epsilon_cap=1.0",
        "large_entities.effective_epsilon=inf",
        "large_entities.washing_propensity=1.0",
        "regulators.audit_probability=0.5",
    ]
    model = build_model(scenario(*rules, "large_entities.jurisdiction_shopping=true"), seed=0)
    for _ in range(3):
        model.step()
    loophole = np.flatnonzero(model.jurisdictions.loophole)
    assert loophole.size == 1
    operating = model.entity_arrays.active
    assert (model.entity_arrays.jurisdiction[operating] == loophole[0]).all()
    stay = late_mean("violations_privacy_washing", *rules, steps=8, seeds=(0, 1))
    shop = late_mean(
        "violations_privacy_washing",
        *rules,
        "large_entities.jurisdiction_shopping=true",
        steps=8,
        seeds=(0, 1),
    )
    assert shop < stay


def test_explainability_mandate_finds_closed_models_where_explanations_are_required():
    adopt = ['communities.strategy="adopt"', "regulators.audit_probability=1.0"]
    closed = late_mean(
        "violations_explainability",
        *adopt,
        "regulators.explainability_mandate=1.0",
        "large_entities.open_weights_share=0.0",
        steps=4,
        seeds=(0,),
    )
    open_ = late_mean(
        "violations_explainability",
        *adopt,
        "regulators.explainability_mandate=1.0",
        "large_entities.open_weights_share=1.0",
        steps=4,
        seeds=(0,),
    )
    assert closed > 0
    assert open_ == 0


def test_an_unmet_explainability_need_steers_communities_away_from_closed_apis():
    choose = ["large_entities.open_weights_share=0.0"]
    indifferent = late_mean(
        "strategy_adopt_share", *choose, "communities.values.explainability_need=0.0"
    )
    needy = late_mean(
        "strategy_adopt_share",
        *choose,
        "communities.values.explainability_need=1.0",
        "communities.values.weight_explainability=2.0",
    )
    assert needy < indifferent


def test_rules_tighten_after_publicised_harm():
    """§3: a published violation tightens the threshold and raises audits, after the lag."""

    def rules_after(steps: int, publish: bool, lag: int = 2):
        model = build_model(
            scenario(
                "regulators.audit_probability=0.5",
                "regulators.threshold=0.02",
                f"regulators.tighten_lag={lag}",
                f"regulators.publish={str(publish).lower()}",
                'communities.strategy="adopt"',
            ),
            seed=0,
        )
        for _ in range(steps):
            model.step()
        found = model.recorder.metrics_table()["violations_fairness"].sum()
        return model.jurisdictions.threshold.copy(), model.jurisdictions.audit_probability, found

    threshold, audits, found = rules_after(10, publish=True)
    assert found > 0
    assert (threshold < 0.02).any()
    assert (audits > 0.5).any()
    quiet_threshold, quiet_audits, quiet_found = rules_after(10, publish=False)
    assert quiet_found > 0  # violations happen, but unpublished harm changes no rule
    assert (quiet_threshold == 0.02).all()
    assert (quiet_audits == 0.5).all()
    # published harm with a lag longer than the run: found and published, not yet acted on
    slow_threshold, slow_audits, slow_found = rules_after(10, publish=True, lag=20)
    assert slow_found > 0
    assert (slow_threshold == 0.02).all()
    assert (slow_audits == 0.5).all()


@pytest.mark.parametrize(
    ("mitigation", "notions"),
    [
        ("thresholds", "{}"),
        # Kamiran–Calders weights: only demographic parity (and quota) reweigh; a community
        # holding another notion that chose reweighing gets its notion's penalty instead
        ("reweighing", "{demographic_parity=1.0}"),
        ("penalty", "{}"),
    ],
)
def test_fairness_mitigation_practice_lowers_the_own_gap(mitigation, notions):
    """§4.2 practice: a community whose fairness check finds a gap mitigates it, post-processing
    (thresholds), pre-processing (reweighing) or in-processing (penalty), for its own notion."""
    chosen = [f"communities.values.notions={notions}"] if notions != "{}" else []
    practice = [
        *chosen,
        # no entities: both arms then share every random draw, so only the mitigation differs
        "large_entities.count=0",
        "practices.fairness_check=1.0",
        'communities.strategy="local"',
        "communities.compute=400.0",
        "communities.expertise=0.9",
    ]
    none = late_mean("fairness_gap_own_mean", *practice, "practices.mitigations={none=1.0}")
    mitigated = late_mean(
        "fairness_gap_own_mean", *practice, f"practices.mitigations={{{mitigation}=1.0}}"
    )
    assert mitigated < none - 0.005


def test_local_differential_privacy_costs_accuracy():
    local = [
        'communities.strategy="local"',
        "communities.compute=240.0",
        "communities.expertise=1.0",
    ]
    plain = late_mean("accuracy_mean", *local, steps=6)
    private = late_mean("accuracy_mean", *local, "communities.values.local_epsilon=0.5", steps=6)
    assert private < plain - 0.02


def test_energy_aware_teams_use_less_energy():
    adopt = ['communities.strategy="adopt"']
    careless = late_mean("energy_kwh", *adopt, "practices.energy_awareness=0.0", steps=8)
    aware = late_mean("energy_kwh", *adopt, "practices.energy_awareness=1.0", steps=8)
    assert aware < careless


def test_locally_defined_fairness_leaves_only_the_conflict_of_differing_protected_attributes():
    """§2.3 and §2.4.2: a mandate in each community's own notion still judges attribute a, so
    verdicts keep differing where communities protect another attribute."""
    common = ["regulators.threshold=0.15", "communities.values.fairness_tolerance=0.15"]

    def conflict(relational_identity: float, *switch: str) -> float:
        identity = f"data.relational_identity={relational_identity}"
        return late_mean("mandate_conflict_share", *common, identity, *switch, steps=6)

    local = "regulators.locally_defined=true"
    assert conflict(0.0, local) < conflict(0.0) - 0.1  # one notion per jurisdiction conflicts
    assert conflict(0.5, local) > conflict(0.0, local) + 0.1  # attribute b judged by a


def test_lending_domain_writes_per_group_tables_and_policies_differ(tmp_path):
    lending = [
        "lending.enabled=true",
        "lending.applicants_per_step=20",
        'lending.decided_by="oracle"',
        'lending.policy_source="fixed"',
    ]
    tables = run_scenario(scenario(*lending), tmp_path / "mu", seed=0, steps=10)
    table = tables["lending"]
    assert {"mean_repayment_probability", "loans", "cumulative_tpr", "score_0"} <= set(
        table.columns
    )
    assert len(table) == 10 * 24 * 2
    assert (tmp_path / "mu" / "lending.parquet").exists()
    eo = run_scenario(scenario(*lending, 'lending.policy="equal_opportunity"'), seed=0, steps=10)[
        "lending"
    ]
    loans_mu = table[table["group"] == 1]["loans"].sum()
    loans_eo = eo[eo["group"] == 1]["loans"].sum()
    assert loans_eo > loans_mu  # equal opportunity lends to the disadvantaged group


def test_equal_opportunity_lending_equalises_true_positive_rates():
    """Liu et al. 2018: the equal-opportunity lender equalises the groups' true-positive rates
    (repayers approved) more closely than profit maximisation or demographic parity does."""
    lending = [
        "lending.enabled=true",
        "lending.applicants_per_step=20",
        'lending.decided_by="oracle"',
        'lending.policy_source="fixed"',
    ]

    def tpr_gap(policy: str) -> float:
        gaps = []
        for seed in (0, 1):
            table = run_scenario(
                scenario(*lending, f'lending.policy="{policy}"'), seed=seed, steps=10
            )["lending"]
            last = table[table["step"] == table["step"].max()]
            tpr = last.groupby("group")["cumulative_tpr"].mean()
            gaps.append(abs(tpr.loc[0] - tpr.loc[1]))
        return float(np.mean(gaps))

    equal_opportunity = tpr_gap("equal_opportunity")
    assert equal_opportunity < tpr_gap("max_utility") - 0.05
    assert equal_opportunity < tpr_gap("demographic_parity") - 0.02


def test_transfer_from_the_source_helps_near_its_domain_and_hurts_far_from_it():
    """§4.2: the pull toward an entity's pretrained weights helps a community whose concept is
    the source's and hurts one whose concept is far from it (negative transfer).

    Both arms fine-tune the same open weights in the same architecture on the same records;
    only the proximal pull toward the source differs (strength 0: the source is a starting
    point only), so the difference is transfer alone. A strong pull makes it visible: at the
    default strength of 5 it moves accuracy by less than 0.005 either way.
    """
    tuned = [
        'communities.strategy="finetune"',
        "large_entities.open_weights_share=1.0",
        "communities.expertise=1.0",
    ]
    columns = ("accuracy_mean", "finetune_divergence_mean")
    transfer, divergence = {}, {}
    for shift in (0.0, 1.5):
        concept = f"data.concept_shift={shift}"
        pulled = late_means(columns, *tuned, concept, "strategy.finetune.strength=50.0", steps=6)
        free = late_means(columns, *tuned, concept, "strategy.finetune.strength=0.0", steps=6)
        transfer[shift] = pulled["accuracy_mean"] - free["accuracy_mean"]
        divergence[shift] = pulled["finetune_divergence_mean"]
    assert divergence[1.5] > divergence[0.0]
    assert transfer[0.0] > 0.0  # the source helps where its concept is the community's
    assert transfer[1.5] < 0.0  # and hurts where it is not: negative transfer
    assert transfer[1.5] < transfer[0.0] - 0.01


def test_under_sovereignty_terms_a_community_that_stops_sharing_takes_its_data_back():
    model = build_model(
        scenario(
            'communities.strategy="share"',
            "exchange.sovereignty_terms=true",
            "large_entities.count=1",
            "large_entities.entry_when_profitable.slots=0",
        ),
        seed=0,
    )
    for _ in range(3):
        model.step()
    ent = model.entity_arrays
    assert ent.records_of(0, [5], on_terms=True).size
    com = model.community_arrays
    share = model.strategies[model.strategy_names.index("share")]
    com.previous_strategy[:] = share.code
    com.strategy[5] = model.fallback  # community 5 leaves (as if it trained locally again)
    share.settle(model, np.array([], dtype=np.int64))
    assert ent.records_of(0, [5], on_terms=True).size == 0
    assert model.ledger.records_by_origin[0, 5] == 0
    assert ent.records_of(0, [6], on_terms=True).size  # the others' data stay


def test_under_sovereignty_terms_the_benefit_share_draws_communities_to_share():
    """The protocol's benefit share is known in advance, so communities count it when they
    choose: more of them share when more of their records' value comes back (§4.1)."""
    terms = "exchange.sovereignty_terms=true"
    none = late_mean("strategy_share_share", terms, "exchange.benefit_share=0.0", steps=12)
    full = late_mean("strategy_share_share", terms, "exchange.benefit_share=1.0", steps=12)
    assert full > none + 0.05

"""The claims suite itself: every claim is tested, every scenario staged, verdicts follow rules."""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import pandas as pd
import pytest

from hetsim.analysis.claims.model import Arm, Claim
from hetsim.analysis.claims.registry import CLAIMS, PATTERNS
from hetsim.analysis.claims.runner import ClaimRunner, source_fingerprint, summarise
from hetsim.analysis.claims.verdict import Effect, Knockout, judge
from hetsim.analysis.ensemble import SequentialExecutor
from hetsim.cli import main
from hetsim.scenarios.library import list_scenarios

HERE = Path(__file__).parent
TINY = ("communities.count=3", "annotators.count=4", "large_entities.count=1")


def _claim(direction: int = 1, ablation: tuple[str, ...] = ("x.y=1",)) -> Claim:
    return Claim(
        id="c",
        text="t",
        section="§0",
        source="test",
        metric="accuracy_mean",
        direction=direction,
        treatment=Arm("status_quo"),
        control=Arm("status_quo"),
        ablation=ablation,
        ablation_text="off",
    )


def test_every_claim_has_a_test_named_after_it():
    tests = "\n".join(p.read_text() for p in HERE.glob("test_*.py"))
    untested = [c.id for c in CLAIMS if f"def test_{c.id}(" not in tests]
    assert not untested


def test_every_shipped_scenario_is_staged_by_a_claim():
    staged = {c.treatment.scenario for c in CLAIMS}
    assert set(list_scenarios()) <= staged


def test_claim_ids_are_unique_and_patterns_name_claims():
    ids = [c.id for c in CLAIMS]
    assert len(ids) == len(set(ids))
    assert {claim_id for claim_id, _ in PATTERNS.values()} <= set(ids)


def _knockout(left: Effect, difference: Effect, spread=(0.01, 0.01)) -> Knockout:
    return Knockout(left, difference, spread)


EFFECT = Effect(0.1, 0.05, 0.15, 20)
GONE = _knockout(Effect(0.01, -0.02, 0.04, 20), Effect(0.09, 0.05, 0.13, 20))


def test_an_effect_whose_ablation_removes_it_is_reproduced():
    assert judge(_claim(), EFFECT, GONE) == ("reproduced", "")


def test_an_ablation_that_leaves_more_than_a_fifth_is_partly_reproduced():
    left = _knockout(Effect(0.03, 0.01, 0.05, 20), Effect(0.07, 0.03, 0.11, 20))
    verdict, reason = judge(_claim(), EFFECT, left)
    assert verdict == "partly" and "30%" in reason


def test_an_uncertain_difference_is_only_partly_reproduced():
    """Little left on average, but the paired difference's interval holds 0."""
    unsure = _knockout(Effect(0.01, -0.2, 0.22, 20), Effect(0.09, -0.01, 0.19, 20))
    verdict, reason = judge(_claim(), EFFECT, unsure)
    assert verdict == "partly" and "difference's CI" in reason


def test_an_ablation_that_fixes_the_metric_is_only_partly_reproduced():
    fixed = _knockout(Effect(0.0, 0.0, 0.0, 20), Effect(0.1, 0.05, 0.15, 20), (0.0, 0.0))
    verdict, reason = judge(_claim(), EFFECT, fixed)
    assert verdict == "partly" and "fixes the metric" in reason


def test_a_precondition_knockout_is_only_partly_reproduced():
    claim = dataclasses.replace(_claim(), knockout="precondition")
    verdict, reason = judge(claim, EFFECT, GONE)
    assert verdict == "partly" and "acts on" in reason


def test_an_uncertain_effect_has_the_direction_only():
    unsure = Effect(0.1, -0.05, 0.25, 20)
    verdict, reason = judge(_claim(), unsure, GONE)
    assert verdict == "direction only" and "includes 0" in reason
    verdict, reason = judge(_claim(ablation=()), unsure, None)
    assert verdict == "direction only" and "no schema switch" in reason


def test_an_effect_without_a_switch_is_only_partly_reproduced():
    verdict, reason = judge(_claim(ablation=()), EFFECT, None)
    assert verdict == "partly" and "no schema switch" in reason


def test_an_effect_of_the_wrong_sign_is_not_reproduced():
    verdict, _ = judge(_claim(direction=-1), Effect(0.1, 0.05, 0.15, 20), None)
    assert verdict == "not reproduced"
    verdict, _ = judge(_claim(), Effect(math.nan, math.nan, math.nan, 0), None)
    assert verdict == "not reproduced"


def test_summaries_take_the_last_tenth_and_its_rise_over_the_first():
    run = pd.DataFrame({"step": range(1, 21), "m": [0.0] * 2 + [1.0] * 16 + [3.0, 5.0]})
    assert summarise(run, "m", "late") == 4.0
    assert summarise(run, "m", "rise") == 4.0


class CountingExecutor(SequentialExecutor):
    """Runs in this process and counts the runs it was given."""

    def __init__(self) -> None:
        self.runs = 0

    def imap(self, fn, items):
        items = list(items)
        self.runs += len(items)
        return super().imap(fn, items)


def test_identical_arms_on_the_same_seeds_give_exactly_zero_and_run_once():
    """Common random numbers: a seed is the same run in both arms, and shared arms run once."""
    executor = CountingExecutor()
    runner = ClaimRunner(seeds=2, steps=3, size=TINY, executor=executor)
    claim = _claim(ablation=("exchange.data_sharing=false",))
    verdict = runner.evaluate([claim, claim])[0]
    assert verdict.effect == Effect(0.0, 0.0, 0.0, 2)
    assert executor.runs == 2 * 2  # two arms (plain, ablated) × two seeds, once each


def test_an_unknown_claim_or_too_few_seeds_is_one_clear_error(capsys):
    assert main(["claims", "--claim", "no_such_claim"]) == 2
    assert "no_such_claim" in capsys.readouterr().err
    assert main(["claims", "--seeds", "1", "--claim", CLAIMS[0].id]) == 2
    assert "--seeds 1" in capsys.readouterr().err


def test_a_bad_world_key_names_the_arm_and_the_key(capsys, tmp_path):
    code = main(["claims", "--set", "communities.count=-1", "--cache", str(tmp_path)])
    assert code == 2
    err = capsys.readouterr().err
    assert "communities.count" in err and "status_quo" in err


@pytest.mark.parametrize("claim", CLAIMS, ids=lambda c: c.id)
def test_every_claim_names_its_ablation(claim):
    assert claim.ablation_text
    if claim.ablation:
        assert all("=" in override for override in claim.ablation)


def test_a_second_runner_reuses_the_runs_stored_for_the_same_sources(tmp_path):
    first, second = CountingExecutor(), CountingExecutor()
    claim = _claim(ablation=("exchange.data_sharing=false",))
    kept = ClaimRunner(seeds=2, steps=3, size=TINY, executor=first, cache_dir=tmp_path)
    again = ClaimRunner(seeds=2, steps=3, size=TINY, executor=second, cache_dir=tmp_path)
    assert kept.evaluate([claim])[0].effect == again.evaluate([claim])[0].effect
    assert (first.runs, second.runs) == (4, 0)
    assert [p.name for p in tmp_path.iterdir()] == [source_fingerprint()]

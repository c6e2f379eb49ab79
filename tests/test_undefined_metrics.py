"""Degenerate but valid worlds run, and a measure is NaN only where docs/metrics.md says so."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from hetsim.analysis.runner import run_scenario
from tests.conftest import small_scenario

METRICS_DOC = Path(__file__).resolve().parent.parent / "docs" / "metrics.md"


def documented_as_possibly_nan(columns) -> set[str]:
    """Columns the 'When a measure is undefined (NaN)' table of docs/metrics.md names."""
    text = METRICS_DOC.read_text(encoding="utf-8")
    section = text.split("### When a measure is undefined (NaN)", 1)[1].split("\n## ", 1)[0]
    named = set()
    for row in re.findall(r"^\| (`.+?) \|", section, flags=re.MULTILINE):
        for pattern in re.findall(r"`([^`]+)`", row):
            rx = re.compile("^" + re.escape(pattern).replace(r"\*", ".+") + "$")
            named |= {c for c in columns if rx.match(c)}
    return named


@pytest.mark.parametrize(
    "world",
    [
        ("communities.count=1",),
        ("communities.count=0",),
        ("annotators.count=0",),
        ("regulators.count=0",),
        ("large_entities.count=0",),
        ("data.group_label_bias=-5.0", "data.label_shift=0.0"),
    ],
)
def test_only_documented_measures_are_ever_undefined(world):
    metrics = run_scenario(small_scenario(*world, "run.steps=4"), seed=2)["metrics"]
    undefined = {c for c in metrics.columns if metrics[c].isna().any()}
    assert undefined <= documented_as_possibly_nan(metrics.columns), world


def test_the_audit_error_is_undefined_exactly_at_steps_without_audits():
    metrics = run_scenario(small_scenario("run.steps=12"), seed=4)["metrics"]
    no_audit = metrics["audits"].to_numpy() == 0
    assert no_audit.any() and not no_audit.all()  # the claim is tested on both kinds of step
    assert np.array_equal(metrics["reported_gap_error_mean"].isna().to_numpy(), no_audit)

"""Shared fixtures: small worlds that run in well under a second."""

from __future__ import annotations

import pytest

from hetsim.scenarios.builder import build_model, load_scenario

SMALL = [
    "communities.count=12",
    "annotators.count=15",
    "large_entities.count=2",
    "regulators.count=2",
    "run.steps=6",
]


def small_scenario(*overrides: str):
    """The status-quo scenario shrunk to a small world; ``overrides`` replace its keys."""
    chosen = dict(text.split("=", 1) for text in [*SMALL, *overrides])
    return load_scenario("status_quo", [f"{key}={value}" for key, value in chosen.items()])


@pytest.fixture
def small_model():
    """A small status-quo model, built with seed 1."""
    return build_model(small_scenario(), seed=1)

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


def shared_work(nodeid: str) -> str:
    """What a test shares work with: the claims suite (one session runner caches the arms
    several claims use), the browser tests (one UI server), else its module (module fixtures)."""
    parts = nodeid.split("::")[0].split("/")
    return parts[1] if len(parts) > 2 and parts[1] in ("claims", "browser") else "/".join(parts)


@pytest.hookimpl(optionalhook=True)  # a plain `pytest` (or -p no:xdist) runs without it
def pytest_xdist_make_scheduler(config, log):
    """Under pytest-xdist (`make test TEST_WORKERS=2`), each :func:`shared_work` unit runs
    whole on one process."""
    from xdist.scheduler import LoadScopeScheduling

    class SharedWorkScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return shared_work(nodeid)

    return SharedWorkScheduling(config, log)

"""The §3 scaling race emerges from the mechanisms, over several seeds.

Claims (Molamohammadi et al. §3, §4.1): behind a barrier — communities that cannot rent the
compute to process their own records (`communities.compute_share = 0`) and no provider that
enters when the incumbents' profits would pay entry back — compute and decisions concentrate
over time and communities' data sovereignty erodes; data sharing with resourceful entities
speeds up the concentration of decisions. Free entry (the default) stops compute from
concentrating: the barrier, not the scaling race alone, produces it (docs/compute_access.md).
"""

from __future__ import annotations

import numpy as np
import pytest

from hetsim.analysis.runner import run_scenario
from hetsim.scenarios.builder import load_scenario

SEEDS = range(8)
COLUMNS = ["hhi_compute", "hhi_decisions", "dependency_share", "data_sovereignty_mean"]


def _rise(overrides: list[str]) -> np.ndarray:
    """Per seed: mean of the last 10 steps minus mean of the first 10, for COLUMNS."""
    rises = []
    for seed in SEEDS:
        metrics = run_scenario(
            load_scenario("status_quo", overrides), seed=seed, community_rows=False
        )["metrics"]
        early = metrics[metrics["step"] <= 10][COLUMNS].mean()
        late = metrics[metrics["step"] > metrics["step"].max() - 10][COLUMNS].mean()
        rises.append((late - early).to_numpy())
    return np.array(rises)


SHUT_OUT = ["communities.compute_share=0"]  # communities cannot rent compute
BARRIER = [*SHUT_OUT, "large_entities.entry_when_profitable.slots=0"]  # and no one enters


@pytest.fixture(scope="module")
def status_quo() -> np.ndarray:
    return _rise(BARRIER)


@pytest.fixture(scope="module")
def no_sharing() -> np.ndarray:
    return _rise([*BARRIER, "exchange.data_sharing=false"])


@pytest.fixture(scope="module")
def free_entry() -> np.ndarray:
    return _rise(SHUT_OUT)


def test_status_quo_concentrates_compute_and_decisions_over_time(status_quo):
    hhi_compute, hhi_decisions = status_quo[:, 0], status_quo[:, 1]
    assert hhi_compute.mean() > 0.1
    assert (hhi_compute > 0).sum() >= 6
    assert hhi_decisions.mean() > 0.02
    assert (hhi_decisions > 0).sum() >= 6


def test_free_entry_stops_compute_from_concentrating(status_quo, free_entry):
    paired = status_quo[:, 0] - free_entry[:, 0]
    assert paired.mean() > 0.1 and (paired > 0).sum() >= 6
    assert free_entry[:, 0].mean() < status_quo[:, 0].mean() / 2


def test_status_quo_erodes_data_sovereignty(status_quo):
    assert (status_quo[:, 3] < 0).all()


def test_decisions_concentrate_faster_with_data_sharing_than_without(status_quo, no_sharing):
    paired = status_quo[:, 1] - no_sharing[:, 1]
    assert paired.mean() > 0
    assert (no_sharing[:, 3] == 0).all()  # without sharing no data leaves a community

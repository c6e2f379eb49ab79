"""A step's fairness reports are measured together; each must equal its own measurement.

The batched figures (one bootstrap draw for all reports, one gap pass per notion) are checked
against each report's figures computed alone from the same resamples, and the gap and the
standard error against a report-by-report computation from the raw records.
"""

from __future__ import annotations

import numpy as np
import pytest

from hetsim.simulation.measures import fairness_gap, group_rates, rates_from_counts
from hetsim.simulation.measures.audit_sampling import (
    BOOTSTRAP_RESAMPLES,
    Evaluation,
    figures_from,
    resample,
)
from hetsim.simulation.population import N_GROUPS

NOTIONS = ["demographic_parity", "equal_opportunity", "equalized_odds"]


def evaluations(rng: np.random.Generator) -> tuple[list[Evaluation], list[str]]:
    """Reports of mixed protocols: every community drawn or a sample, 1 to 5 communities."""
    out, notions = [], []
    for r in range(12):
        k, m = 1 + r % 5, 30 + 7 * r
        group = rng.integers(0, N_GROUPS, size=(k, m)).astype(np.int8)
        y = (rng.random((k, m)) < 0.5).astype(np.int8)
        decision = (rng.random((k, m)) < np.where(group == 0, 0.6, 0.4)).astype(np.int8)
        out.append(Evaluation(y, decision, group, all_communities=r % 3 != 0))
        notions.append(NOTIONS[r % 3])
    return out, notions


def test_batched_figures_equal_each_report_measured_alone():
    batch, notions = evaluations(np.random.default_rng(3))
    resampled = resample(batch, np.random.default_rng(4))
    together = figures_from(batch, notions, resampled)
    for evaluation, notion, draws, figures in zip(batch, notions, resampled, together, strict=True):
        assert figures == figures_from([evaluation], [notion], [draws])[0]


def test_batched_gap_and_error_equal_a_report_by_report_computation():
    """The gap from the raw records and the error as the spread of the gaps of the resamples,
    each resample's rates computed one at a time."""
    batch, notions = evaluations(np.random.default_rng(5))
    resampled = resample(batch, np.random.default_rng(6))
    for evaluation, notion, draws, figures in zip(
        batch, notions, resampled, figures_from(batch, notions, resampled), strict=True
    ):
        people = group_rates(
            evaluation.y.reshape(1, -1),
            evaluation.decision.reshape(1, -1),
            evaluation.group.reshape(1, -1),
            N_GROUPS,
        )
        assert figures.gap == pytest.approx(float(fairness_gap(people, notion)[0]), abs=1e-12)
        one_by_one = [
            float(fairness_gap(rates_from_counts(draws[s : s + 1]), notion)[0])
            for s in range(BOOTSTRAP_RESAMPLES)
        ]
        k = evaluation.counts.shape[0]
        factor = np.sqrt(k / (k - 1)) if not evaluation.all_communities and k > 1 else 1.0
        assert figures.standard_error == pytest.approx(
            factor * np.std(one_by_one, ddof=1), rel=1e-9, abs=1e-12
        )
        assert figures.favourable_gap <= figures.gap


def test_each_report_resamples_as_its_protocol_sampled():
    """Every-community reports resample people (their totals vary beyond any sum of whole
    communities); sampled-community reports resample whole communities (each resample a sum
    of k of its communities' counts)."""
    batch, _ = evaluations(np.random.default_rng(8))
    for evaluation, draws in zip(batch, resample(batch, np.random.default_rng(9)), strict=True):
        assert draws.shape == (BOOTSTRAP_RESAMPLES, *evaluation.counts.shape[1:])
        k = evaluation.counts.shape[0]
        if evaluation.all_communities:
            assert len({int(d.sum()) for d in draws}) > 1
        else:
            sizes = evaluation.counts.sum(axis=(1, 2))
            possible = {int(sizes[list(c)].sum()) for c in np.ndindex(*(k,) * k)}
            assert {int(d.sum()) for d in draws} <= possible

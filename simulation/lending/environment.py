"""The stand-alone lending environment: delayed impact of lending decisions, for replications.

This module stages the *temporal shift caused by deployment* of the paper
"Unraveling the Interconnected Axes of Heterogeneity" (§2.1 temporal shift,
§2.4.1 high-stakes decisions).  It reproduces the credit model of Liu et al.
2018, "Delayed Impact of Fair Machine Learning", in the discrete form of
Google's ml-fairness-gym ``DelayedImpactEnv`` (``environments/lending.py``,
``environments/lending_params.py``), written the way that environment is
written -- parameters as a validated frozen dataclass, the score dynamics as a
swappable *updater* -- but vectorised with numpy over ``C`` independent
communities at once and with no global random state (every draw comes from a
:class:`numpy.random.Generator` passed in).

Model
-----
* Applicants belong to a group ``g in {0..G-1}`` and a discrete credit-score
  cluster ``k in {0..K-1}``.  ``success_probability[k]`` (non-decreasing in
  ``k``) is the probability that an applicant of cluster ``k`` repays.
* Community ``c`` has its own score distribution ``distribution[c, g, :]``
  per group (rows sum to 1) and group shares ``group_shares[c, g]``.
* Each :func:`step`, every community draws ``applicants_per_step`` applicants
  (group by share, cluster by the group's distribution).  The lender approves
  or rejects each by its policy, computed from the community's distribution at
  the start of the step.  An approved applicant repays with its cluster's
  probability; one who repays moves up one cluster, one who defaults moves
  down one (clamped at the ends).  Rejected applicants change nothing.  In the
  first ``burn_in`` steps every applicant is approved (ml-fairness-gym's burn-in).
* A move is expressed as in ml-fairness-gym's ``_CreditShift``: probability
  mass ``shift_increment`` moves from cluster ``k`` to ``k +- 1`` of the
  applicant's group distribution (see :class:`CreditShift` for how several
  moves in one step are combined).

Lender policies (oracle setting of ml-fairness-gym: the lender knows
``success_probability`` and the current distributions).  Approving an
applicant of cluster ``k`` has expected utility
``u_k = p_k * interest_rate * loan_size - (1 - p_k) * loan_size``.

* ``"max_utility"``: one group-blind threshold, approve iff ``u_k > 0``.
* ``"equal_opportunity"``: per-group thresholds maximising the expected
  utility per applicant ``sum_g share_g sum_k dist_gk a_gk u_k`` subject to
  equal true-positive rates ``TPR_g = sum_k dist_gk a_gk p_k / sum_k dist_gk p_k``
  across groups, where ``a_gk`` is the probability of approving cluster ``k``.
* ``"demographic_parity"``: the same with equal selection rates
  ``sum_k dist_gk a_gk`` across groups.

The constrained policies are found by a search over a shared target rate
``tau`` on a grid of ``fairness_grid_size`` values in ``[0, 1]`` (201 by
default, resolution 0.005).  For a given ``tau`` each group's policy is the
unique *fill-from-the-top* policy reaching exactly rate ``tau``: clusters are
approved from the highest down, and the boundary cluster is approved with the
probability that makes the rate exactly ``tau``.  (A cluster that contributes
nothing to the rate -- no mass, or ``p_k = 0`` for the TPR -- is never
approved at the boundary; approval is minimal.  A group whose TPR denominator
is 0 gets no approvals.)  Filling from the top is optimal for each group at a
fixed rate because ``u_k`` and ``p_k`` are non-decreasing in ``k``.  The
``tau`` with the highest expected utility is kept (the lowest such ``tau`` on
ties).  Every group therefore achieves *exactly* the same rate; only the
utility optimum is approximate, to the grid resolution.

A policy is reported as ``(threshold_cluster, boundary_probability)`` per
community and group: clusters above the threshold are approved, the
threshold cluster with ``boundary_probability``, clusters below are rejected.
"Approve nobody" is ``(K - 1, 0.0)``.

Random draws and communities
----------------------------
:func:`step` takes either one generator, which draws for all communities at
once (vectorised), or a sequence of ``C`` generators, one per community.  In
the second form community ``c`` only ever draws from its own generator, in
the same order as a one-community run would, so running ``C`` communities
together equals running each alone with its generator (the dynamics
themselves are vectorised either way).

Modules
-------
This module is the step; the state, :func:`init_state` and the step record live in
:mod:`.records`, the score dynamics (:class:`CreditShift`, :class:`NoShift`) in
:mod:`.updaters`. Every name is importable from here.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from hetsim.simulation.lending.params import ROW_SUM_TOL, LendingParams, mean_repayment_probability
from hetsim.simulation.lending.policy import policy_thresholds
from hetsim.simulation.lending.records import LendingState, LendingStepRecord, init_state
from hetsim.simulation.lending.updaters import CreditShift, DistributionUpdater, NoShift

__all__ = [
    "CreditShift",
    "DistributionUpdater",
    "LendingState",
    "LendingStepRecord",
    "NoShift",
    "init_state",
    "step",
]


def _draw(
    rng: np.random.Generator,
    n: int,
    shares: np.ndarray,
    dist: np.ndarray,
    threshold: np.ndarray,
    boundary: np.ndarray,
    p: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """All random draws of one step for a block of communities (leading axis C).

    Returns per ``(C, G, K)``: applicants, approved, approved who repaid, and
    rejected who would have repaid.
    """
    K = dist.shape[-1]
    group_counts = rng.multinomial(n, shares)  # (C, G)
    counts = rng.multinomial(group_counts, dist)  # (C, G, K)
    at_boundary = np.take_along_axis(counts, threshold[..., None], axis=-1)[..., 0]
    boundary_approved = rng.binomial(at_boundary, boundary)  # (C, G)
    k = np.arange(K)
    t = threshold[..., None]
    approved = np.where(k > t, counts, 0)
    approved = np.where(k == t, boundary_approved[..., None], approved)
    repaid = rng.binomial(approved, p)
    rejected_would_repay = rng.binomial(counts - approved, p)
    return counts, approved, repaid, rejected_would_repay


def _clean_rows(a: np.ndarray) -> np.ndarray:
    """Copy of ``a`` with rows renormalised, leaving rows that already sum to 1 untouched."""
    a = np.clip(a, 0.0, None)
    total = a.sum(axis=-1, keepdims=True)
    return np.where(np.abs(total - 1.0) > ROW_SUM_TOL * 1e-3, a / total, a)


def step(
    state: LendingState,
    params: LendingParams,
    rng: np.random.Generator | Sequence[np.random.Generator],
    updater: DistributionUpdater | None = None,
) -> LendingStepRecord:
    """Advance every community by one step; mutates ``state`` and returns the record.

    Args:
        state: communities to advance (mutated in place).
        params: model parameters.
        rng: one generator drawing for all communities at once, or a sequence of
            ``C`` generators, one per community (see the module docstring).
        updater: score dynamics; :class:`CreditShift` if ``None``.

    Returns:
        The :class:`LendingStepRecord` of this step.
    """
    G, K = params.n_groups, params.n_clusters
    C = state.n_communities
    if state.distribution.shape != (C, G, K):
        raise ValueError(
            f"state.distribution must have shape (C, {G}, {K}) for these params, "
            f"got {state.distribution.shape}"
        )
    if state.group_shares.shape != (C, G):
        raise ValueError(
            f"state.group_shares must have shape ({C}, {G}), got {state.group_shares.shape}"
        )
    for name, arr in (("distribution", state.distribution), ("group_shares", state.group_shares)):
        if not np.all(np.isfinite(arr)) or np.any(arr < 0) or np.any(arr.sum(axis=-1) <= 0):
            raise ValueError(f"state.{name} rows must be finite, >= 0 and not all zero")
    if updater is None:
        updater = CreditShift()
    p = np.asarray(params.success_probability)
    n = params.applicants_per_step

    dist = _clean_rows(state.distribution)
    shares = _clean_rows(state.group_shares)
    if state.steps < params.burn_in:  # ml-fairness-gym's burn-in: approve every applicant
        threshold, boundary = np.zeros((C, G), dtype=np.int64), np.ones((C, G))
    else:
        threshold, boundary = policy_thresholds(dist, params, shares)

    if isinstance(rng, np.random.Generator):
        counts, approved, repaid, rejected_would_repay = _draw(
            rng, n, shares, dist, threshold, boundary, p
        )
    else:
        rngs = list(rng)
        if len(rngs) != C or not all(isinstance(r, np.random.Generator) for r in rngs):
            raise ValueError(
                f"rng must be a numpy Generator or a sequence of {C} Generators "
                f"(one per community), got {rng!r}"
            )
        parts = [
            _draw(
                rngs[c],
                n,
                shares[c : c + 1],
                dist[c : c + 1],
                threshold[c : c + 1],
                boundary[c : c + 1],
                p,
            )
            for c in range(C)
        ]
        counts, approved, repaid, rejected_would_repay = (
            np.concatenate(arrays, axis=0) for arrays in zip(*parts, strict=True)
        )
    defaulted = approved - repaid

    updater.update(dist, repaid, defaulted, params)
    state.distribution = dist
    state.group_shares = shares

    loans_g = approved.sum(axis=-1)
    repaid_g = repaid.sum(axis=-1)
    defaulted_g = defaulted.sum(axis=-1)
    positives_g = repaid_g + rejected_would_repay.sum(axis=-1)
    profit = params.loan_size * (params.interest_rate * repaid_g - defaulted_g).sum(axis=-1)

    state.cumulative_loans += loans_g
    state.cumulative_true_positives += repaid_g
    state.cumulative_positives += positives_g
    state.cumulative_profit += profit
    state.steps += 1

    with np.errstate(invalid="ignore", divide="ignore"):
        cum_tpr = np.where(
            state.cumulative_positives > 0,
            state.cumulative_true_positives / state.cumulative_positives,
            np.nan,
        )
    return LendingStepRecord(
        applicants=counts.sum(axis=-1),
        loans=loans_g,
        repaid=repaid_g,
        defaulted=defaulted_g,
        mean_repayment_probability=mean_repayment_probability(dist, params),
        mean_score=dist @ np.arange(K, dtype=np.float64),
        cumulative_tpr=cum_tpr,
        threshold_cluster=threshold,
        boundary_probability=boundary,
        bank_profit=profit,
        score_distribution=dist.copy(),
    )

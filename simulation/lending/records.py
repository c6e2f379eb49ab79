"""The stand-alone lending environment's state and step record (§2.1 temporal shift, §2.4.1).

:class:`LendingState` holds ``C`` communities' credit-score distributions and running totals,
:func:`init_state` sets it up from the parameters, and :class:`LendingStepRecord` is what one
:func:`~.environment.step` did; its :meth:`~LendingStepRecord.columns` are ``lending.parquet``'s.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from hetsim.simulation.lending.params import LendingParams


@dataclass
class LendingState:
    """Mutable state of ``C`` lending communities.

    Attributes:
        distribution: ``(C, G, K)`` score distribution per community and group.
        group_shares: ``(C, G)`` group shares per community.
        cumulative_loans: ``(C, G)`` loans made so far.
        cumulative_true_positives: ``(C, G)`` approved applicants who repaid.
        cumulative_positives: ``(C, G)`` applicants (approved or not) who would
            repay; every applicant's would-repay outcome is drawn.
        cumulative_profit: ``(C,)`` lender profit so far.
        steps: number of steps taken.
    """

    distribution: np.ndarray
    group_shares: np.ndarray
    cumulative_loans: np.ndarray
    cumulative_true_positives: np.ndarray
    cumulative_positives: np.ndarray
    cumulative_profit: np.ndarray
    steps: int = 0

    @property
    def n_communities(self) -> int:
        return int(self.distribution.shape[0])


@dataclass(frozen=True)
class LendingStepRecord:
    """What happened in one :func:`step`, per community (and group).

    Attributes:
        applicants: ``(C, G)`` applicants drawn.
        loans: ``(C, G)`` applicants approved.
        repaid: ``(C, G)`` approved applicants who repaid.
        defaulted: ``(C, G)`` approved applicants who defaulted.
        mean_repayment_probability: ``(C, G)`` ``sum_k dist * p`` of the
            distribution after this step's update.
        mean_score: ``(C, G)`` mean cluster index after this step's update
            (Liu et al.'s mean score, in cluster units).
        cumulative_tpr: ``(C, G)`` cumulative true positives / cumulative
            positives (NaN while there have been no positives).
        threshold_cluster: ``(C, G)`` threshold cluster used this step.
        boundary_probability: ``(C, G)`` approval probability of the threshold
            cluster used this step.
        bank_profit: ``(C,)`` lender profit this step.
        score_distribution: ``(C, G, K)`` copy of the distribution after the update.
    """

    applicants: np.ndarray
    loans: np.ndarray
    repaid: np.ndarray
    defaulted: np.ndarray
    mean_repayment_probability: np.ndarray
    mean_score: np.ndarray
    cumulative_tpr: np.ndarray
    threshold_cluster: np.ndarray
    boundary_probability: np.ndarray
    bank_profit: np.ndarray
    score_distribution: np.ndarray = field(repr=False)

    def columns(self) -> dict[str, np.ndarray]:
        """``(C, G)`` arrays by column name for ``lending.parquet`` (scores ``score_0`` ...)."""
        out = {
            "applicants": self.applicants,
            "loans": self.loans,
            "repaid": self.repaid,
            "defaulted": self.defaulted,
            "mean_repayment_probability": self.mean_repayment_probability,
            "mean_score": self.mean_score,
            "cumulative_tpr": self.cumulative_tpr,
        }
        for k in range(self.score_distribution.shape[-1]):
            out[f"score_{k}"] = self.score_distribution[..., k]
        return out


def init_state(params: LendingParams, n_communities: int) -> LendingState:
    """``n_communities`` identical communities at ``params``' initial distributions.

    The arrays are owned by the state; callers may overwrite
    ``state.distribution`` / ``state.group_shares`` rows to make communities
    differ (rows must stay non-negative and sum to 1).
    """
    if isinstance(n_communities, bool) or not isinstance(n_communities, int | np.integer):
        raise ValueError(f"n_communities must be an integer >= 1, got {n_communities!r}")
    if n_communities < 1:
        raise ValueError(f"n_communities must be an integer >= 1, got {n_communities!r}")
    C, G = int(n_communities), params.n_groups
    dist = np.broadcast_to(np.asarray(params.initial_distribution), (C, G, params.n_clusters))
    shares = np.broadcast_to(np.asarray(params.group_shares), (C, G))
    return LendingState(
        distribution=dist.copy(),
        group_shares=shares.copy(),
        cumulative_loans=np.zeros((C, G), dtype=np.int64),
        cumulative_true_positives=np.zeros((C, G), dtype=np.int64),
        cumulative_positives=np.zeros((C, G), dtype=np.int64),
        cumulative_profit=np.zeros(C),
    )

"""How loan outcomes move credit scores (§2.1 temporal shift): the lending environment's updaters.

As ml-fairness-gym's ``StateUpdater``: :class:`CreditShift` moves probability mass one cluster
up on a repayment and one down on a default (Liu et al. 2018's delayed impact), :class:`NoShift`
keeps the population static. :func:`~.environment.step` takes either, or any
:class:`DistributionUpdater`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np

from hetsim.simulation.lending.params import LendingParams


class DistributionUpdater(Protocol):
    """How loan outcomes change the score distributions (ml-fairness-gym's StateUpdater).

    ``update`` mutates ``distribution`` ``(C, G, K)`` in place given the counts
    ``repaid`` and ``defaulted`` ``(C, G, K)`` of this step's approved
    applicants by the cluster they were in.
    """

    def update(
        self,
        distribution: np.ndarray,
        repaid: np.ndarray,
        defaulted: np.ndarray,
        params: LendingParams,
    ) -> None: ...


@dataclass(frozen=True)
class CreditShift:
    """ml-fairness-gym's ``_CreditShift``, applied to all of a step's loans at once.

    Each repayment in cluster ``k`` moves ``shift_increment`` of the group's
    mass from ``k`` to ``k + 1``, each default from ``k`` to ``k - 1``, clamped
    at the ends (a repayment in the top cluster or a default in the bottom one
    moves nothing).  The moves of one step are applied together against the
    start-of-step distribution: if a cluster's requested outflow exceeds its
    mass, the outflow is capped at the mass and split between up and down
    moves in proportion to the requests (with one applicant per step this is
    ml-fairness-gym's ``min(shift, mass)``).  Rows are then clipped at 0 and
    renormalised to sum to 1.
    """

    def update(
        self,
        distribution: np.ndarray,
        repaid: np.ndarray,
        defaulted: np.ndarray,
        params: LendingParams,
    ) -> None:
        shift = params.shift_increment
        if shift == 0.0:
            return
        up = repaid.astype(np.float64)
        down = defaulted.astype(np.float64)
        up[..., -1] = 0.0  # clamped: no move from the top cluster
        down[..., 0] = 0.0  # clamped: no move from the bottom cluster
        requested = shift * (up + down)
        mass = distribution
        scale = np.where(requested > mass, mass / np.where(requested > 0, requested, 1.0), 1.0)
        up_flow = shift * up * scale
        down_flow = shift * down * scale
        new = mass - up_flow - down_flow
        new[..., 1:] += up_flow[..., :-1]
        new[..., :-1] += down_flow[..., 1:]
        np.clip(new, 0.0, None, out=new)
        moved = np.any(requested > 0, axis=-1)  # rows without moves stay bit-identical
        distribution[moved] = new[moved] / new[moved].sum(axis=-1, keepdims=True)


@dataclass(frozen=True)
class NoShift:
    """Loans change nothing (ml-fairness-gym's ``NoUpdate``): a static population."""

    def update(
        self,
        distribution: np.ndarray,
        repaid: np.ndarray,
        defaulted: np.ndarray,
        params: LendingParams,
    ) -> None:
        return None

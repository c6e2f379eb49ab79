"""Parameters of the delayed-impact lending model (Liu et al. 2018, as in ml-fairness-gym).

Validated, frozen and hashable: one :class:`LendingParams` describes a stand-alone environment
(:mod:`hetsim.simulation.lending.environment`) or the lending domain inside the ecosystem
(:mod:`hetsim.simulation.lending.ecosystem`). The expected-utility and outcome curves of Liu et al.
are
functions of the parameters alone.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

__all__ = [
    "POLICIES",
    "LendingParams",
    "expected_repayment_probability_change",
    "expected_utility",
    "mean_repayment_probability",
]

#: Lender policies: the group-blind profit maximiser and the two constraints of Liu et al.
POLICIES: tuple[str, ...] = ("max_utility", "equal_opportunity", "demographic_parity")

#: Tolerance on the sums of probability rows given as parameters.
ROW_SUM_TOL: float = 1e-9

# After ml-fairness-gym: environments/lending_params.py (DELAYED_IMPACT_*).
_GYM_SUCCESS_PROBABILITY = (0.1, 0.2, 0.45, 0.6, 0.65, 0.7, 0.7)
_GYM_CLUSTER_PROBABILITIES = (
    (0.0, 0.1, 0.1, 0.2, 0.3, 0.3, 0.0),  # group 0: advantaged
    (0.1, 0.1, 0.2, 0.3, 0.3, 0.0, 0.0),  # group 1: disadvantaged (shifted down)
)


# --------------------------------------------------------------------------- parameters


def _float_tuple(value: object, name: str) -> tuple[float, ...]:
    if isinstance(value, str | bytes) or not isinstance(value, Sequence | np.ndarray):
        raise ValueError(f"{name} must be a sequence of numbers, got {value!r}")
    out = []
    for x in value:
        if isinstance(x, bool) or not isinstance(x, int | float | np.integer | np.floating):
            raise ValueError(f"{name} must contain only numbers, got {value!r}")
        out.append(float(x))
    return tuple(out)


def _check_probability_row(row: tuple[float, ...], name: str) -> None:
    if any(not math.isfinite(x) or x < 0.0 for x in row):
        raise ValueError(f"{name} must contain finite values >= 0, got {row!r}")
    total = math.fsum(row)
    if abs(total - 1.0) > ROW_SUM_TOL:
        raise ValueError(f"{name} must sum to 1 (within {ROW_SUM_TOL:g}), got sum {total!r}")


def _positive_float(value: object, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise ValueError(f"{name} must be a number > 0, got {value!r}")
    x = float(value)
    if not math.isfinite(x) or x <= 0.0:
        raise ValueError(f"{name} must be finite and > 0, got {value!r}")
    return x


@dataclass(frozen=True)
class LendingParams:
    """Parameters of the delayed-impact lending model (validated on construction).

    Defaults are after ml-fairness-gym defaults: ``DELAYED_IMPACT_SUCCESS_PROBS``
    and ``DELAYED_IMPACT_CLUSTER_PROBS`` of ``environments/lending_params.py``
    (7 clusters; group 0 advantaged, group 1 shifted down), group shares
    0.5/0.5, loan size 1, interest rate 1.0 and shift increment 0.01 (the values
    of ``experiments/lending.py``; the bare environment uses interest 0.30, at
    which no cluster is profitable).  ml-fairness-gym draws one applicant per
    step; ``applicants_per_step = 1`` keeps that.

    Attributes:
        success_probability: ``(K,)`` repayment probability per cluster, each in
            ``[0, 1]``, non-decreasing in the cluster index (ml-fairness-gym's
            own defaults repeat 0.7 in the two top clusters), ``K >= 2``.
        initial_distribution: ``(G,)`` rows of ``K`` non-negative values, each
            summing to 1 within 1e-9: score distribution per group.
        group_shares: ``(G,)`` non-negative shares summing to 1 within 1e-9.
        loan_size: amount lent, ``> 0``.
        interest_rate: interest earned on a repaid loan (as a fraction of
            ``loan_size``), ``> 0``.
        shift_increment: probability mass moved per repayment/default, in
            ``[0, 1]``.
        applicants_per_step: applicants drawn per community per step, ``>= 1``.
        policy: one of :data:`POLICIES`.
        fairness_grid_size: number of target rates in ``[0, 1]`` searched by the
            constrained policies, ``>= 2``.
        burn_in: first steps in which every applicant is approved (ml-fairness-gym's
            ``burnin``: its agents approve everyone while they gather data), ``>= 0``.
    """

    success_probability: tuple[float, ...] = _GYM_SUCCESS_PROBABILITY
    initial_distribution: tuple[tuple[float, ...], ...] = _GYM_CLUSTER_PROBABILITIES
    group_shares: tuple[float, ...] = (0.5, 0.5)
    loan_size: float = 1.0
    interest_rate: float = 1.0
    shift_increment: float = 0.01
    applicants_per_step: int = 1
    policy: str = "max_utility"
    fairness_grid_size: int = 201
    burn_in: int = 0

    def __post_init__(self) -> None:
        sp = _float_tuple(self.success_probability, "success_probability")
        if len(sp) < 2:
            raise ValueError(
                "success_probability must have at least 2 clusters, "
                f"got {self.success_probability!r}"
            )
        if any(not math.isfinite(x) or x < 0.0 or x > 1.0 for x in sp):
            raise ValueError(
                "success_probability must have every value in [0, 1], "
                f"got {self.success_probability!r}"
            )
        if any(b < a for a, b in itertools.pairwise(sp)):
            raise ValueError(
                "success_probability must be non-decreasing in the cluster index, "
                f"got {self.success_probability!r}"
            )
        K = len(sp)

        dist_in = self.initial_distribution
        if isinstance(dist_in, str | bytes) or not isinstance(dist_in, Sequence | np.ndarray):
            raise ValueError(
                f"initial_distribution must be a sequence of rows (one per group), got {dist_in!r}"
            )
        rows = tuple(_float_tuple(r, "initial_distribution") for r in dist_in)
        if len(rows) < 1:
            raise ValueError("initial_distribution must have at least 1 group row, got 0 rows")
        for g, row in enumerate(rows):
            if len(row) != K:
                raise ValueError(
                    f"initial_distribution row {g} must have {K} entries (one per cluster of "
                    f"success_probability), got {len(row)}: {row!r}"
                )
            _check_probability_row(row, f"initial_distribution row {g}")
        G = len(rows)

        shares = _float_tuple(self.group_shares, "group_shares")
        if len(shares) != G:
            raise ValueError(
                f"group_shares must have {G} entries (one per initial_distribution row), "
                f"got {self.group_shares!r}"
            )
        _check_probability_row(shares, "group_shares")

        loan = _positive_float(self.loan_size, "loan_size")
        rate = _positive_float(self.interest_rate, "interest_rate")

        shift = self.shift_increment
        if isinstance(shift, bool) or not isinstance(shift, int | float | np.integer | np.floating):
            raise ValueError(f"shift_increment must be a number in [0, 1], got {shift!r}")
        shift = float(shift)
        if not (0.0 <= shift <= 1.0):
            raise ValueError(f"shift_increment must be in [0, 1], got {self.shift_increment!r}")

        n = self.applicants_per_step
        if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 1:
            raise ValueError(f"applicants_per_step must be an integer >= 1, got {n!r}")

        if self.policy not in POLICIES:
            raise ValueError(f"policy must be one of {POLICIES}, got {self.policy!r}")

        m = self.fairness_grid_size
        if isinstance(m, bool) or not isinstance(m, int | np.integer) or m < 2:
            raise ValueError(f"fairness_grid_size must be an integer >= 2, got {m!r}")

        b = self.burn_in
        if isinstance(b, bool) or not isinstance(b, int | np.integer) or b < 0:
            raise ValueError(f"burn_in must be an integer >= 0, got {b!r}")

        object.__setattr__(self, "success_probability", sp)
        object.__setattr__(self, "initial_distribution", rows)
        object.__setattr__(self, "group_shares", shares)
        object.__setattr__(self, "loan_size", loan)
        object.__setattr__(self, "interest_rate", rate)
        object.__setattr__(self, "shift_increment", shift)
        object.__setattr__(self, "applicants_per_step", int(n))
        object.__setattr__(self, "fairness_grid_size", int(m))
        object.__setattr__(self, "burn_in", int(b))

    @property
    def n_groups(self) -> int:
        return len(self.initial_distribution)

    @property
    def n_clusters(self) -> int:
        return len(self.success_probability)


def expected_utility(params: LendingParams) -> np.ndarray:
    """``(K,)`` expected utility to the lender of approving one applicant per cluster."""
    p = np.asarray(params.success_probability)
    return p * params.interest_rate * params.loan_size - (1.0 - p) * params.loan_size


def mean_repayment_probability(distribution: np.ndarray, params: LendingParams) -> np.ndarray:
    """``sum_k dist[..., k] * p_k``: the repayment probability of a random group member."""
    return np.asarray(distribution, dtype=np.float64) @ np.asarray(params.success_probability)


def expected_repayment_probability_change(params: LendingParams) -> np.ndarray:
    """``(K,)`` expected change of a group's mean repayment probability per loan in cluster k.

    One approved applicant of cluster ``k`` moves ``shift_increment`` of mass to
    ``k + 1`` with probability ``p_k`` and to ``k - 1`` otherwise (clamped), so
    the group's ``sum dist * p`` changes in expectation by
    ``shift * (p_k (p_{k+1} - p_k) - (1 - p_k) (p_k - p_{k-1}))`` (ignoring the
    cap at the cluster's mass).  This is Liu et al.'s outcome curve in
    repayment-probability units: lending where it is negative harms the group
    on average.
    """
    p = np.asarray(params.success_probability)
    up = np.append(p[1:], p[-1]) - p
    down = p - np.insert(p[:-1], 0, p[0])
    return params.shift_increment * (p * up - (1.0 - p) * down)

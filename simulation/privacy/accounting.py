"""Privacy accounting with ``dp-accounting``: calibration and composition of DP training.

One DP training (a *release*) is ``steps`` applications of the Gaussian mechanism to the clipped
gradient sum, each on a Poisson sample of the records at rate ``sampling_rate`` (1: full batch).
Its privacy loss is an accountant event of Google's ``dp-accounting`` library; this module never
states a privacy bound by a formula of its own:

* :func:`noise_multiplier_for` calibrates the noise multiplier ``z`` (noise std on the clipped
  gradient sum in units of the clipping norm) to a target ``(epsilon, delta)`` by bisection on
  the library's Rényi-DP accountant (``dp_accounting.calibrate_dp_mechanism``).
* :class:`PrivacyLedger` keeps, per holder (an entity, a community), how often each distinct
  event was applied to its records. Every retraining on overlapping records composes, so the
  holder's cumulative ε at the scenario's δ is the accountant's ε of all its events composed
  (Mironov 2017: RDP composes by adding the curves; the library does the conversion to
  ``(epsilon, delta)``). A release without noise makes the holder's ε infinite for good.

Adjacency is add/remove-one record (the library's default), as in Abadi et al. (2016).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

import dp_accounting
import numpy as np
from dp_accounting import rdp

__all__ = [
    "DpTraining",
    "PrivacyLedger",
    "epsilon_of",
    "noise_multiplier_for",
]


@dataclass(frozen=True, order=True)
class DpTraining:
    """One DP training run: ``steps`` noisy gradient steps at ``noise_multiplier``, sampled at
    ``sampling_rate`` (1 = full batch)."""

    noise_multiplier: float
    steps: int
    sampling_rate: float = 1.0

    def event(self) -> dp_accounting.DpEvent:
        """The run as a ``dp-accounting`` event."""
        step: dp_accounting.DpEvent = dp_accounting.GaussianDpEvent(self.noise_multiplier)
        if self.sampling_rate < 1.0:
            step = dp_accounting.PoissonSampledDpEvent(self.sampling_rate, step)
        return dp_accounting.SelfComposedDpEvent(step, self.steps)


#: RDP orders for subsampled events: integers only, where the library's series for the
#: subsampled Gaussian converges (its fractional orders below 2 fail at small noise).
INTEGER_ORDERS: tuple[float, ...] = (*map(float, range(2, 65)), 80.0, 96.0, 128.0, 256.0, 512.0)


def _accountant(subsampled: bool = False) -> rdp.RdpAccountant:
    return rdp.RdpAccountant(list(INTEGER_ORDERS)) if subsampled else rdp.RdpAccountant()


@functools.lru_cache(maxsize=4096)
def epsilon_of(releases: tuple[tuple[DpTraining, int], ...], delta: float) -> float:
    """ε at ``delta`` of the composition of ``(training, times)`` pairs (RDP accountant)."""
    accountant = _accountant(any(t.sampling_rate < 1.0 for t, _ in releases))
    for training, times in releases:
        if times:
            accountant.compose(training.event(), int(times))
    return float(accountant.get_epsilon(delta))


@functools.lru_cache(maxsize=1024)
def noise_multiplier_for(
    epsilon: float, delta: float, steps: int, sampling_rate: float = 1.0
) -> float:
    """Smallest noise multiplier whose ``steps``-step training spends at most ``epsilon``.

    Args:
        epsilon: Target ε (``> 0``; ``inf`` gives 0: no noise).
        delta: Target δ in ``(0, 1)``.
        steps: Noisy gradient steps of one training.
        sampling_rate: Poisson sampling rate ``q`` in ``(0, 1]``.

    Returns:
        The noise multiplier ``z``: Gaussian noise of std ``z * clip`` on the clipped gradient sum.
    """
    if not 0.0 < delta < 1.0:
        raise ValueError(f"delta must lie in (0, 1), got {delta}")
    if not epsilon > 0:
        raise ValueError(f"epsilon must be > 0, got {epsilon}")
    if not 0.0 < sampling_rate <= 1.0:
        raise ValueError(f"sampling_rate must lie in (0, 1], got {sampling_rate}")
    if np.isinf(epsilon):
        return 0.0
    return float(
        dp_accounting.calibrate_dp_mechanism(
            functools.partial(_accountant, sampling_rate < 1.0),
            lambda z: DpTraining(z, steps, sampling_rate).event(),
            epsilon,
            delta,
            dp_accounting.LowerEndpointAndGuess(1e-3, 1.0),
            tol=1e-6,
        )
    )


@dataclass
class PrivacyLedger:
    """Each holder's DP releases as counts of distinct trainings; cumulative ε on demand.

    Attributes:
        holders: Number of holders (entities or communities).
    """

    holders: int
    trainings: list[DpTraining] = field(default_factory=list)  # the distinct events seen
    counts: np.ndarray = field(init=False)  # (holders, len(trainings)) times each was applied
    nonprivate: np.ndarray = field(init=False)  # (holders,) some release had no noise
    _spent: np.ndarray = field(init=False)  # (holders,) ε of the counts, when not stale
    _stale: np.ndarray = field(init=False)  # (holders,) counts changed since last computed
    _delta: float = field(init=False, default=float("nan"))  # δ of ``_spent``

    def __post_init__(self) -> None:
        self.counts = np.zeros((self.holders, 0), dtype=np.int64)
        self.nonprivate = np.zeros(self.holders, dtype=bool)
        self._spent = np.zeros(self.holders)
        self._stale = np.zeros(self.holders, dtype=bool)

    def record(self, holders: np.ndarray, training: DpTraining | None) -> None:
        """Compose one release on the records of ``holders`` (``None``: trained without noise)."""
        touched = np.zeros(self.holders, dtype=bool)
        touched[np.asarray(holders, dtype=np.int64)] = True  # a holder counts once per release
        if training is None or training.noise_multiplier == 0.0:
            self.nonprivate |= touched
            return
        if not touched.any():
            return
        if training not in self.trainings:
            self.trainings.append(training)
            self.counts = np.concatenate(
                [self.counts, np.zeros((self.holders, 1), dtype=np.int64)], axis=1
            )
        self.counts[touched, self.trainings.index(training)] += 1
        self._stale |= touched

    def open_account(self, holder: int) -> None:
        """Start ``holder``'s ledger afresh: a new holder in its place has released nothing."""
        self.counts[holder] = 0
        self.nonprivate[holder] = False
        self._spent[holder], self._stale[holder] = 0.0, False

    def epsilon_spent(self, delta: float) -> np.ndarray:
        """(holders,) cumulative ε at ``delta``: 0 before any release, inf after a noiseless one.

        Holders with the same history share one accountant call (memoised across steps).
        """
        if delta != self._delta:
            self._stale[:], self._delta = True, delta
        stale = np.flatnonzero(self._stale & ~self.nonprivate)
        if stale.size:
            histories, inverse = np.unique(self.counts[stale], axis=0, return_inverse=True)
            eps = [
                epsilon_of(tuple(zip(self.trainings, map(int, row), strict=True)), delta)
                for row in histories
            ]
            self._spent[stale] = np.asarray(eps)[inverse.ravel()]
            self._stale[stale] = False
        return np.where(self.nonprivate, np.inf, self._spent)

"""Post-processing for the notion a community holds: group thresholds on a model's scores.

Stages paper §4.2: the cheapest adaptation of a model one cannot retrain is to move its
decision threshold per group. Every function is batched over ``K`` models (one row of each
``(K, n)`` array per model; padded rows are excluded with ``mask``).

* ``demographic_parity``: one deterministic threshold per group equalising selection rates.
* ``equal_opportunity``: one deterministic threshold per group equalising true-positive rates.
* ``equalized_odds``: Hardt, Price & Srebro (2016, §4): equal TPR *and* FPR. A common
  operating point generally lies below some groups' ROC curves, so it is reached only by a
  randomised rule: per group, a mix of two thresholds on its ROC convex hull, mixed further
  with a score-blind coin to come down to the common point. The point maximises accuracy on
  the common (lowest) hull, as in fairlearn's ``ThresholdOptimizer(constraints=
  "equalized_odds")``.
* ``quota``: protected groups' thresholds are lowered until they reach the target rate.

A rule is a :class:`ThresholdPolicy`: per model and group, up to :data:`N_CUTS` thresholds
and the probability of using each; a deterministic rule puts probability 1 on the first.
:func:`decide` draws from the model's generator only for randomised rows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hetsim.simulation.fairness.equalized_odds import N_CUTS, hardt_mixture

__all__ = [
    "MIN_GROUP_ROWS",
    "NOTIONS",
    "N_CUTS",
    "ThresholdPolicy",
    "apply_thresholds",
    "decide",
    "equalized_odds_policy",
    "group_thresholds",
    "threshold_policy",
]

#: Notions understood here (the names of :data:`simulation.measures.group_rates.FAIRNESS_NOTIONS`).
NOTIONS: tuple[str, ...] = (
    "demographic_parity",
    "equal_opportunity",
    "equalized_odds",
    "quota",
    "none",
)

#: Groups with fewer valid rows (for the TPR notions: fewer positives; for equalized odds:
#: fewer positives or negatives) keep threshold 0: a threshold estimated from a handful of
#: people is noise.
MIN_GROUP_ROWS: int = 5


@dataclass(frozen=True)
class ThresholdPolicy:
    """Per model and group, thresholds on the logit score and the probability of each.

    Attributes:
        cuts: ``(K, G, N_CUTS)`` thresholds; decide ``score > cut``.
        weights: ``(K, G, N_CUTS)`` probabilities summing to 1 over the last axis.
    """

    cuts: np.ndarray
    weights: np.ndarray

    @classmethod
    def deterministic(cls, thresholds: np.ndarray) -> ThresholdPolicy:
        """A rule that always uses ``thresholds`` (``(K, G)``)."""
        thr = np.asarray(thresholds, dtype=np.float64)
        cuts = np.repeat(thr[:, :, None], N_CUTS, axis=2)
        weights = np.zeros(cuts.shape)
        weights[:, :, 0] = 1.0
        return cls(cuts, weights)

    @property
    def randomised(self) -> np.ndarray:
        """``(K,)`` whether a model's rule mixes thresholds for some group."""
        return np.any(self.weights[:, :, 0] < 1.0, axis=1)


def valid_mask(mask: np.ndarray | None, shape: tuple[int, ...]) -> np.ndarray:
    """Which rows count: every one without a mask, else the mask (of exactly ``shape``)."""
    if mask is None:
        return np.ones(shape, dtype=bool)
    valid = np.asarray(mask, dtype=bool)
    if valid.shape != shape:
        raise ValueError(f"mask must have shape {shape}, got {valid.shape}")
    return valid


def _notion_array(notion: str | np.ndarray, K: int) -> np.ndarray:
    arr = np.broadcast_to(np.asarray(notion, dtype=str), (K,))
    bad = sorted(set(arr.tolist()) - set(NOTIONS))
    if bad:
        raise ValueError(f"unknown fairness notion(s) {bad}; allowed: {', '.join(NOTIONS)}")
    return arr


def _inputs(scores, y, group, mask):
    s = np.asarray(scores, dtype=np.float64)
    if s.ndim != 2:
        raise ValueError(f"scores must have shape (K, n), got {s.shape}")
    yy, gg = np.asarray(y), np.asarray(group)
    if yy.shape != s.shape or gg.shape != s.shape:
        raise ValueError("scores, y and group must share a shape")
    return s, yy, gg, valid_mask(mask, s.shape)


# ------------------------------------------------------------------ deterministic thresholds


def _topk_threshold(scores: np.ndarray, valid: np.ndarray, rate: np.ndarray) -> np.ndarray:
    """Per row, a threshold ``t`` such that ``scores > t`` selects ``round(rate * m)`` valid rows.

    ``m`` is the row's number of valid entries; ``t`` is the midpoint between the two order
    statistics around the cut (ties can make the count off by the tie size).  Rows with
    ``m == 0`` get NaN.
    """
    K = scores.shape[0]
    s = np.sort(np.where(valid, scores, np.inf), axis=1)  # valid first, ascending
    m = valid.sum(axis=1)
    k_sel = np.clip(np.rint(rate * m), 0, m).astype(np.int64)  # rows to select
    rows = np.arange(K)
    lo_idx = np.clip(m - k_sel - 1, 0, None)  # highest rejected
    hi_idx = np.clip(m - k_sel, 0, np.maximum(m - 1, 0))  # lowest selected
    lo = s[rows, lo_idx] if s.shape[1] else np.zeros(K)
    hi = s[rows, hi_idx] if s.shape[1] else np.zeros(K)
    t = 0.5 * (lo + hi)
    t = np.where(k_sel == 0, hi + 1.0, t)  # select none: above the maximum
    t = np.where(k_sel == m, lo - 1.0, t)  # select all: below the minimum
    return np.where(m > 0, t, np.nan)


def group_thresholds(
    scores: np.ndarray,
    y: np.ndarray,
    group: np.ndarray,
    notion: str | np.ndarray,
    n_groups: int = 3,
    quota_target: float | np.ndarray = 0.5,
    mask: np.ndarray | None = None,
) -> np.ndarray:
    """Deterministic group thresholds on logit scores that satisfy a notion on the given data.

    The reference decision is ``score > 0``.  Per notion (one per model, or one for all):

    * ``demographic_parity``: every group's selection rate is set to the overall selection
      rate at threshold 0 (each group's threshold is the matching upper quantile of its
      scores).
    * ``equal_opportunity``: every group's true-positive rate is set to the overall TPR at
      threshold 0 (the quantile is taken among the group's positives).
    * ``quota``: each protected group (``g >= 1``) selects at least ``quota_target``; its
      threshold is lowered from 0 only if needed; the majority keeps 0.
    * ``none``: all thresholds 0.

    ``equalized_odds`` has no deterministic solution in general and is refused here: use
    :func:`threshold_policy` or :func:`equalized_odds_policy`.  Groups with fewer than
    :data:`MIN_GROUP_ROWS` valid rows (for equal opportunity: positives) keep threshold 0.

    Args:
        scores: ``(K, n)`` logit scores of each model on its rows.
        y: ``(K, n)`` true labels in ``{0, 1}`` (only used by equal opportunity).
        group: ``(K, n)`` integer group ids in ``0 .. n_groups - 1``.
        notion: A notion name from :data:`NOTIONS`, or a ``(K,)`` array of names.
        n_groups: Number of groups ``G``.
        quota_target: Scalar or ``(K,)`` target selection rate in ``[0, 1]`` for ``quota``.
        mask: Optional ``(K, n)`` boolean array of valid rows.

    Returns:
        ``(K, G)`` thresholds; decide ``score > threshold[group]``.

    Raises:
        ValueError: On mismatched shapes, unknown notions, ``equalized_odds``, or a target
            outside ``[0, 1]``.
    """
    s, yy, gg, valid = _inputs(scores, y, group, mask)
    K = s.shape[0]
    notions = _notion_array(notion, K)
    if np.any(notions == "equalized_odds"):
        raise ValueError(
            "equalized_odds needs randomised thresholds (Hardt et al. 2016): "
            "use threshold_policy or equalized_odds_policy"
        )
    target = np.broadcast_to(np.asarray(quota_target, dtype=float), (K,))
    if np.any(~np.isfinite(target)) or np.any((target < 0) | (target > 1)):
        raise ValueError("quota_target must lie in [0, 1]")

    out = np.zeros((K, n_groups))
    sel0 = (s > 0.0) & valid
    pos = valid & (yy == 1)
    n_valid = valid.sum(axis=1)
    n_pos = pos.sum(axis=1)
    overall_rate = np.divide(sel0.sum(axis=1), n_valid, out=np.zeros(K), where=n_valid > 0)
    overall_tpr = np.divide((sel0 & pos).sum(axis=1), n_pos, out=np.zeros(K), where=n_pos > 0)

    dp = notions == "demographic_parity"
    eo = notions == "equal_opportunity"
    quota = notions == "quota"
    for g in range(n_groups):
        in_g = valid & (gg == g)
        m_g = in_g.sum(axis=1)
        if np.any(dp):
            t = _topk_threshold(s, in_g, overall_rate)
            ok = dp & (m_g >= MIN_GROUP_ROWS)
            out[ok, g] = t[ok]
        if np.any(eo):
            pos_g = in_g & pos
            t = _topk_threshold(s, pos_g, overall_tpr)
            ok = eo & (pos_g.sum(axis=1) >= MIN_GROUP_ROWS)
            out[ok, g] = t[ok]
        if g >= 1 and np.any(quota):
            t = _topk_threshold(s, in_g, target)
            ok = quota & (m_g >= MIN_GROUP_ROWS)
            out[ok, g] = np.minimum(0.0, t[ok])  # only ever lower the bar
    return out


def apply_thresholds(scores: np.ndarray, group: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
    """Decisions ``score > thresholds[k, group]`` as ``(K, n)`` int8 in ``{0, 1}``.

    Args:
        scores: ``(K, n)`` logit scores.
        group: ``(K, n)`` integer group ids (clipped into ``0 .. G - 1``, so padding is safe).
        thresholds: ``(K, G)`` from :func:`group_thresholds`.

    Returns:
        ``(K, n)`` int8 decisions.
    """
    s = np.asarray(scores, dtype=np.float64)
    thr = np.asarray(thresholds, dtype=np.float64)
    gg = np.clip(np.asarray(group).astype(np.int64), 0, thr.shape[1] - 1)
    return (s > np.take_along_axis(thr, gg, axis=1)).astype(np.int8)


# ------------------------------------------------------------------ equalized odds


def equalized_odds_policy(
    scores: np.ndarray,
    y: np.ndarray,
    group: np.ndarray,
    n_groups: int = 3,
    mask: np.ndarray | None = None,
) -> ThresholdPolicy:
    """Randomised thresholds with equal TPR and FPR across groups (Hardt et al. 2016).

    Per model: each group's ROC convex hull is evaluated on a grid of false-positive rates;
    the common curve is the lowest hull at each rate; the operating point ``(x*, y*)`` on it
    maximises accuracy ``P(y=1) y* + P(y=0) (1 - x*)``.  Each group reaches ``(x*, y*)`` by
    mixing the two hull vertices around ``x*`` and then, with probability ``1 - q``, ignoring
    the score and selecting with probability ``x*`` (the diagonal point), where ``q`` brings
    the hull's TPR down to ``y*``.  On the fitting data every participating group then has
    expected TPR ``y*`` and FPR ``x*``.  Groups with fewer than :data:`MIN_GROUP_ROWS`
    positives or negatives do not take part and keep threshold 0.

    Args:
        scores: ``(K, n)`` logit scores.
        y: ``(K, n)`` labels in ``{0, 1}``.
        group: ``(K, n)`` group ids in ``0 .. n_groups - 1``.
        n_groups: Number of groups ``G``.
        mask: Optional ``(K, n)`` boolean array of valid rows.

    Returns:
        A :class:`ThresholdPolicy` of shape ``(K, n_groups, N_CUTS)``.
    """
    s, yy, gg, valid = _inputs(scores, y, group, mask)
    cuts, weights = hardt_mixture(s, yy, gg, valid, n_groups, MIN_GROUP_ROWS)
    return ThresholdPolicy(cuts, weights)


# ------------------------------------------------------------------ every notion, and deciding


def threshold_policy(
    scores: np.ndarray,
    y: np.ndarray,
    group: np.ndarray,
    notion: str | np.ndarray,
    n_groups: int = 3,
    quota_target: float | np.ndarray = 0.5,
    mask: np.ndarray | None = None,
) -> ThresholdPolicy:
    """The post-processing rule for each model's own notion (see the module docstring).

    Equalized-odds models get :func:`equalized_odds_policy`; the others the deterministic
    :func:`group_thresholds`.  Arguments as for :func:`group_thresholds`.
    """
    s, yy, gg, valid = _inputs(scores, y, group, mask)
    K = s.shape[0]
    notions = _notion_array(notion, K)
    odds = notions == "equalized_odds"
    thr = np.zeros((K, n_groups))
    rest = np.flatnonzero(~odds)
    if rest.size:
        target = np.broadcast_to(np.asarray(quota_target, dtype=float), (K,))[rest]
        thr[rest] = group_thresholds(
            s[rest], yy[rest], gg[rest], notions[rest], n_groups, target, valid[rest]
        )
    policy = ThresholdPolicy.deterministic(thr)
    rows = np.flatnonzero(odds)
    if rows.size:
        mixed = equalized_odds_policy(s[rows], yy[rows], gg[rows], n_groups, valid[rows])
        policy.cuts[rows], policy.weights[rows] = mixed.cuts, mixed.weights
    return policy


def decide(
    scores: np.ndarray,
    group: np.ndarray,
    policy: ThresholdPolicy,
    rng: np.random.Generator,
) -> np.ndarray:
    """Decisions of each model's rule on its people, ``(K, n)`` int8 in ``{0, 1}``.

    Deterministic rows compare with their one threshold and draw nothing; randomised rows draw
    one uniform per person from ``rng`` to pick the threshold used for that person.

    Args:
        scores: ``(K, n)`` logit scores.
        group: ``(K, n)`` integer group ids (clipped into ``0 .. G - 1``).
        policy: The models' :class:`ThresholdPolicy`.
        rng: The model's generator.

    Returns:
        ``(K, n)`` int8 decisions.
    """
    s = np.asarray(scores, dtype=np.float64)
    G = policy.cuts.shape[1]
    gg = np.clip(np.asarray(group).astype(np.int64), 0, G - 1)
    decision = apply_thresholds(s, gg, policy.cuts[:, :, 0])
    rows = np.flatnonzero(policy.randomised)
    if rows.size:
        g = gg[rows]
        cum = np.cumsum(policy.weights[rows], axis=2)  # (r, G, N_CUTS)
        cum_i = np.take_along_axis(cum, np.repeat(g[:, :, None], N_CUTS, 2), axis=1)
        u = rng.random(g.shape)
        which = np.minimum((u[:, :, None] >= cum_i).sum(axis=2), N_CUTS - 1)
        cut_i = np.take_along_axis(policy.cuts[rows], np.repeat(g[:, :, None], N_CUTS, 2), 1)
        cut = np.take_along_axis(cut_i, which[:, :, None], axis=2)[:, :, 0]
        decision[rows] = (s[rows] > cut).astype(np.int8)
    return decision

"""The lender's policies: a threshold per group, maximising profit under a fairness constraint.

Liu et al. (2018) compare three lenders: the group-blind profit maximiser (``max_utility``) and
the profit maximisers constrained to equal selection rates (``demographic_parity``) or equal
true-positive rates (``equal_opportunity``) across groups. :func:`policy_thresholds` solves
them for an oracle that knows every group's credit-score distribution (the stand-alone
environment, as ml-fairness-gym's ``OracleThresholdAgent``).
"""

from __future__ import annotations

import numpy as np

from hetsim.simulation.lending.params import LendingParams, expected_utility

__all__ = ["policy_thresholds", "score_thresholds"]

#: Approval fractions at or below this are treated as "not approved" when a
#: fill-from-the-top policy is turned into ``(threshold, boundary_probability)``.
_APPROVAL_EPS: float = 1e-12


def _fill_from_top(weights: np.ndarray, rates: np.ndarray) -> np.ndarray:
    """Approval fractions reaching ``rate * sum(weights)`` by approving from the top cluster.

    Args:
        weights: ``(..., K)`` non-negative contribution of each cluster to the rate.
        rates: ``(T,)`` target rates in ``[0, 1]``.

    Returns:
        ``(T, ..., K)`` approval probability per cluster; 0 for clusters with
        zero weight.
    """
    inclusive = np.cumsum(weights[..., ::-1], axis=-1)[..., ::-1]  # sum_{j >= k} w_j
    above = np.concatenate([inclusive[..., 1:], np.zeros_like(inclusive[..., :1])], axis=-1)
    target = rates.reshape((-1,) + (1,) * weights.ndim) * inclusive[..., :1]
    positive = weights > 0.0
    frac = target - above  # (T, ..., K)
    with np.errstate(over="ignore"):  # a denormal weight may give +-inf; clipped below
        frac /= np.where(positive, weights, 1.0)
    np.clip(frac, 0.0, 1.0, out=frac)
    frac *= positive
    return frac


def _to_threshold(approval: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Upper-set approval fractions ``(..., K)`` -> ``(threshold, boundary_probability)``."""
    K = approval.shape[-1]
    approved = approval > _APPROVAL_EPS
    any_approved = approved.any(axis=-1)
    first = np.argmax(approved, axis=-1)
    threshold = np.where(any_approved, first, K - 1).astype(np.int64)
    boundary = np.take_along_axis(approval, threshold[..., None], axis=-1)[..., 0]
    boundary = np.where(any_approved, boundary, 0.0)
    return threshold, boundary


def policy_thresholds(
    distribution: np.ndarray,
    params: LendingParams,
    group_shares: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """The lender's policy for ``params.policy`` given the current distributions.

    Args:
        distribution: ``(C, G, K)`` score distributions.
        params: model parameters (policy, success probabilities, utility terms).
        group_shares: ``(C, G)`` shares weighting the groups' utilities in the
            constrained policies; ``params.group_shares`` if ``None``.

    Returns:
        ``(threshold_cluster, boundary_probability)``, each ``(C, G)``: clusters
        ``k > threshold`` are approved, ``k == threshold`` with
        ``boundary_probability``, ``k < threshold`` rejected.
    """
    dist = np.asarray(distribution, dtype=np.float64)
    G, K = params.n_groups, params.n_clusters
    if dist.ndim != 3 or dist.shape[1:] != (G, K):
        raise ValueError(f"distribution must have shape (C, {G}, {K}), got {dist.shape}")
    C = dist.shape[0]
    if group_shares is None:
        shares = np.broadcast_to(np.asarray(params.group_shares), (C, G))
    else:
        shares = np.asarray(group_shares, dtype=np.float64)
        if shares.shape != (C, G):
            raise ValueError(f"group_shares must have shape ({C}, {G}), got {shares.shape}")

    u = expected_utility(params)
    if params.policy == "max_utility":
        approval = np.broadcast_to((u > 0.0).astype(np.float64), (C, G, K))
        return _to_threshold(approval)

    p = np.asarray(params.success_probability)
    weights = dist * p if params.policy == "equal_opportunity" else dist
    rates = np.linspace(0.0, 1.0, params.fairness_grid_size)
    approval = _fill_from_top(weights, rates)  # (T, C, G, K)
    value = (dist * u * shares[..., None]).reshape(C, G * K)  # share-weighted utility mass
    utility = np.matmul(approval.reshape(-1, C, 1, G * K), value[:, :, None])[..., 0, 0]  # (T, C)
    best = np.argmax(utility, axis=0)  # (C,), first maximum = lowest rate on ties
    chosen = approval[best, np.arange(C)]  # (C, G, K)
    return _to_threshold(chosen)


# --------------------------------------------------------------------------- from scores


def _midpoint_thresholds(ordered: np.ndarray, count: np.ndarray, n: np.ndarray) -> np.ndarray:
    """Thresholds ``t`` with ``score > t`` approving the ``count`` top rows of each sorted row."""
    W = ordered.shape[-1]
    last_in = np.take_along_axis(ordered, np.clip(count - 1, 0, W - 1)[..., None], -1)[..., 0]
    first_out = np.take_along_axis(ordered, np.clip(count, 0, W - 1)[..., None], -1)[..., 0]
    t = 0.5 * (last_in + first_out)
    t = np.where(count >= n, last_in - 1.0, t)  # everyone: below the lowest score
    return np.where(count <= 0, np.where(n > 0, ordered[..., 0], 0.0) + 1.0, t)  # nobody


def score_thresholds(
    scores: np.ndarray,
    repaid: np.ndarray,
    group: np.ndarray,
    valid: np.ndarray,
    policy: np.ndarray,
    params: LendingParams,
    n_groups: int,
    min_group_rows: int = 5,
) -> np.ndarray:
    """Per-group thresholds on a deployed model's scores that maximise the lender's profit.

    A lender that knows no repayment probabilities learns from its labelled records: approving
    a record earns ``interest_rate * loan_size`` if it repaid and loses ``loan_size`` if not.
    ``max_utility`` approves, group-blind, the top-scored records that maximise the profit on
    the records; ``demographic_parity`` and ``equal_opportunity`` search a target selection
    rate (or true-positive rate) ``tau`` on ``params.fairness_grid_size`` values in ``[0, 1]``,
    approve each group's top-scored records until it reaches ``tau`` and keep the ``tau`` of
    the highest profit (the lowest on ties), as the oracle does with clusters. A group with
    fewer than ``min_group_rows`` records (positives, for equal opportunity) is left out of the
    constraint and gets the group-blind threshold. Records tied with the last one approved are all
    rejected (``score > threshold``): ties arise only for a lender deciding by a constant rule.

    Args:
        scores: ``(C, W)`` the deployed model's scores of each lender's records.
        repaid: ``(C, W)`` whether each record repaid (its label).
        group: ``(C, W)`` integer group of each record, ``0 .. n_groups - 1``.
        valid: ``(C, W)`` records in use.
        policy: ``(C,)`` a :data:`POLICIES` name per lender.
        params: utility terms and the grid size.
        n_groups: number of groups ``G``.
        min_group_rows: smallest group (or positives) the constraint is estimated on.

    Returns:
        ``(C, G)`` thresholds; approve ``score > threshold[group]``.
    """
    s = np.where(valid, np.asarray(scores, dtype=np.float64), -np.inf)
    y = np.asarray(repaid, dtype=bool) & valid
    W = s.shape[1]
    gain = np.where(y, params.interest_rate, -1.0) * params.loan_size * valid
    # group-blind profit maximiser: the best prefix of all records by score
    order = np.argsort(-s, axis=1)
    ordered = np.take_along_axis(s, order, 1)
    profit = np.cumsum(np.take_along_axis(gain, order, 1), axis=1)
    n_all = valid.sum(axis=1)
    best = np.where(profit.max(axis=1) > 0.0, np.argmax(profit, axis=1) + 1, 0)
    blind = _midpoint_thresholds(ordered, np.minimum(best, n_all), n_all)
    out = np.repeat(blind[:, None], n_groups, axis=1)
    constrained = np.flatnonzero(policy != "max_utility")
    if constrained.size == 0:
        return out
    c = constrained
    # one sort per lender: by group (records not in use last), then by score, descending;
    # each group is then a contiguous segment [start, start + n) of the row
    segment = np.where(valid[c], group[c], n_groups)
    finite = np.where(valid[c], s[c], 0.0)
    span = 2.0 * np.abs(finite).max(initial=0.0) + 1.0
    order = np.argsort(segment * span - finite, axis=1)  # one key: group, then -score
    ordered = np.take_along_axis(s[c], order, 1)
    pos = np.take_along_axis(y[c], order, 1)
    zero = np.zeros((c.size, 1))
    cum_gain = np.concatenate([zero, np.cumsum(np.take_along_axis(gain[c], order, 1), 1)], 1)
    cum_pos = np.concatenate([zero, np.cumsum(pos, 1)], 1).astype(np.int64)
    n = (segment[:, None, :] == np.arange(n_groups)[None, :, None]).sum(axis=2)  # (c, G)
    start = np.concatenate([np.zeros((c.size, 1), np.int64), np.cumsum(n, 1)[:, :-1]], 1)
    n_pos = np.take_along_axis(cum_pos, start + n, 1) - np.take_along_axis(cum_pos, start, 1)
    rates = np.linspace(0.0, 1.0, params.fairness_grid_size)
    # records approved in each group to reach each rate: a share of the group, or of its
    # positives (up to the k-th positive of its segment)
    by_share = np.rint(rates[None, None, :] * n[..., None]).astype(np.int64)  # (c, G, T)
    k = np.ceil(rates[None, None, :] * n_pos[..., None] - 1e-9).astype(np.int64)
    positive_at = np.argsort(~pos, axis=1, kind="stable")  # row index of each positive, in order
    rank = np.take_along_axis(cum_pos, start, 1)[..., None] + k - 1  # (c, G, T) overall rank
    at = np.take_along_axis(positive_at, np.clip(rank, 0, W - 1).reshape(c.size, -1), 1)
    by_positives = np.where(k > 0, at.reshape(rank.shape) + 1 - start[..., None], 0)
    eo = (policy[c] == "equal_opportunity")[:, None, None]
    count = np.where(eo, by_positives, by_share)  # (c, G, T)
    ruled = np.where(eo[..., 0], n_pos, n) >= min_group_rows  # (c, G)
    end = (start[..., None] + count).reshape(c.size, -1)
    value = np.take_along_axis(cum_gain, end, 1).reshape(count.shape)
    value = (value - np.take_along_axis(cum_gain, start, 1)[..., None]) * ruled[..., None]
    tau = np.argmax(value.sum(axis=1), axis=1)  # (c,), first maximum: the lowest rate
    chosen = np.take_along_axis(count, tau[:, None, None], 2)[..., 0]  # (c, G)
    # thresholds between the last approved and the first rejected record of each segment
    last_in = np.take_along_axis(ordered, np.clip(start + chosen - 1, 0, W - 1), 1)
    first_out = np.take_along_axis(ordered, np.clip(start + chosen, 0, W - 1), 1)
    top = np.take_along_axis(ordered, np.clip(start, 0, W - 1), 1)
    t = np.where(chosen >= n, last_in - 1.0, 0.5 * (last_in + first_out))
    t = np.where(chosen <= 0, np.where(n > 0, top, 0.0) + 1.0, t)
    out[c] = np.where(ruled, t, out[c])
    return out

"""Measures of power concentration and of fairness under differing notions.

Concentration measures (paper §3: power asymmetry, control, dependency) summarise how
holdings -- compute, data, users, revenue -- are spread across organisations. Fairness
measures (§2.3, §2.4.1) score a community's decisions under the notion of fairness that
community holds, so that heterogeneous communities can be compared on their own terms.

Everything here is pure numpy (plus a tiny networkx helper for flow graphs) and the
fairness functions are vectorised over many communities at once: inputs have shape
``(C, m)`` for ``C`` communities of up to ``m`` individuals, with an optional boolean
``mask`` marking the valid rows when communities differ in size.

Conventions:
    * Concentration of an all-zero (or empty) holdings vector is ``0.0``, never NaN.
    * Group rates are NaN where undefined (empty group, no positives for TPR, ...).
    * Fairness gaps are never NaN: with fewer than two groups present the gap is ``0.0``.
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx
import numpy as np

__all__ = [
    "FAIRNESS_NOTIONS",
    "GroupRates",
    "accuracy",
    "fairness_gap",
    "flow_graph",
    "gini",
    "group_rates",
    "hhi",
    "network_centrality",
    "shares",
    "top_k_share",
]

FAIRNESS_NOTIONS: tuple[str, ...] = (
    "demographic_parity",
    "equal_opportunity",
    "equalized_odds",
    "quota",
    "none",
)
"""Names of the fairness notions understood by :func:`fairness_gap`."""


# --------------------------------------------------------------------------------------
# Concentration
# --------------------------------------------------------------------------------------


def _holdings(holdings: np.ndarray) -> np.ndarray:
    """Validate holdings and return them as a 1-D float array."""
    x = np.asarray(holdings, dtype=float)
    if x.ndim != 1:
        raise ValueError(f"holdings must be 1-D, got shape {x.shape}")
    if not np.all(np.isfinite(x)):
        raise ValueError("holdings must be finite")
    if np.any(x < 0):
        raise ValueError("holdings must be non-negative")
    return x


def shares(holdings: np.ndarray) -> np.ndarray:
    """Each organisation's share of total holdings; sums to 1, or all zeros if total is 0.

    Args:
        holdings: 1-D array of non-negative holdings, one per organisation.

    Returns:
        Float array of the same length with values in [0, 1].

    Raises:
        ValueError: If holdings are not 1-D, not finite, or negative.
    """
    x = _holdings(holdings)
    total = x.sum()
    if total <= 0:
        return np.zeros_like(x)
    return x / total


def hhi(holdings: np.ndarray) -> float:
    """Herfindahl–Hirschman index (sum of squared shares); in [1/n, 1], 0.0 if all zero.

    Args:
        holdings: 1-D array of non-negative holdings, one per organisation.

    Returns:
        ``sum(s_i**2)`` over shares ``s_i``; 1 for a monopoly, 1/n for equal shares.
    """
    s = shares(holdings)
    return float(np.dot(s, s))


def gini(holdings: np.ndarray) -> float:
    """Gini coefficient of holdings; in [0, 1 - 1/n], 0.0 if all zero or empty.

    Uses the sorted-cumulative formula: with ``x`` sorted ascending and ``L = cumsum(x)``,
    ``G = (n + 1 - 2 * sum(L) / L[-1]) / n``. This is the population Gini, identical to
    ``sum_ij |x_i - x_j| / (2 n^2 mean(x))``.

    Args:
        holdings: 1-D array of non-negative holdings, one per organisation.

    Returns:
        0 for perfect equality, ``(n - 1) / n`` when one organisation holds everything.
    """
    x = np.sort(_holdings(holdings))
    n = x.size
    if n == 0:
        return 0.0
    cum = np.cumsum(x)
    total = cum[-1]
    if total <= 0:
        return 0.0
    g = (n + 1 - 2.0 * cum.sum() / total) / n
    # Guard against tiny negative values from rounding when holdings are equal.
    return float(max(g, 0.0))


def top_k_share(holdings: np.ndarray, k: int = 1) -> float:
    """Combined share of the ``k`` largest holders; in [0, 1], 0.0 if all zero.

    Args:
        holdings: 1-D array of non-negative holdings, one per organisation.
        k: Number of top holders to include (>= 1); ``k >= n`` gives 1.0 (if any holdings).

    Returns:
        Sum of the ``k`` largest shares.

    Raises:
        ValueError: If ``k < 1``.
    """
    if k < 1:
        raise ValueError(f"k must be >= 1, got {k}")
    s = shares(holdings)
    if s.size == 0:
        return 0.0
    if k >= s.size:
        return float(s.sum())
    top = np.partition(s, s.size - k)[s.size - k :]
    return float(top.sum())


# --------------------------------------------------------------------------------------
# Group rates and fairness
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GroupRates:
    """Per-community, per-group confusion counts and rates, each of shape ``(C, G)``.

    Rates are NaN where undefined: ``accuracy`` and ``selection_rate`` when ``n == 0``,
    ``tpr`` when the group has no true positives+false negatives, ``fpr`` when it has
    no false positives+true negatives.

    Attributes:
        n: Number of valid individuals in the group (int).
        tp: True positives (int).
        fp: False positives (int).
        tn: True negatives (int).
        fn: False negatives (int).
        accuracy: ``(tp + tn) / n``, in [0, 1].
        tpr: ``tp / (tp + fn)``, in [0, 1].
        fpr: ``fp / (fp + tn)``, in [0, 1].
        selection_rate: ``(tp + fp) / n``, in [0, 1].
    """

    n: np.ndarray
    tp: np.ndarray
    fp: np.ndarray
    tn: np.ndarray
    fn: np.ndarray
    accuracy: np.ndarray
    tpr: np.ndarray
    fpr: np.ndarray
    selection_rate: np.ndarray

    @property
    def n_communities(self) -> int:
        """Number of communities ``C``."""
        return int(self.n.shape[0])

    @property
    def n_groups(self) -> int:
        """Number of groups ``G``."""
        return int(self.n.shape[1])


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """Elementwise ``num / den`` as float, NaN where ``den == 0``, without warnings."""
    out = np.full(np.shape(num), np.nan)
    np.divide(num, den, out=out, where=den > 0)
    return out


def _as_2d(a: np.ndarray, name: str) -> np.ndarray:
    arr = np.asarray(a)
    if arr.ndim == 1:
        arr = arr[np.newaxis, :]
    if arr.ndim != 2:
        raise ValueError(f"{name} must have shape (C, m) or (m,), got {arr.shape}")
    return arr


def _check_binary(values: np.ndarray, name: str) -> None:
    """Raise unless ``values`` holds only 0 and 1 (integers or bools by their range)."""
    if values.size == 0:
        return
    if values.dtype.kind in "biu":
        ok = values.min() >= 0 and values.max() <= 1
    else:
        ok = bool(np.all((values == 0) | (values == 1)))
    if not ok:
        raise ValueError(f"{name} must contain only 0/1 on valid rows")


def group_rates(
    y_true: np.ndarray,
    y_pred: np.ndarray,
    group: np.ndarray,
    n_groups: int,
    mask: np.ndarray | None = None,
) -> GroupRates:
    """Confusion counts and rates per community × group; rates in [0, 1] or NaN.

    Vectorised with a single ``np.bincount`` over the flat index
    ``community * n_groups + group``; no Python loop over communities.

    Args:
        y_true: ``(C, m)`` true outcomes in {0, 1} (a 1-D ``(m,)`` array means ``C = 1``).
        y_pred: ``(C, m)`` decisions in {0, 1} (1 = selected / positive decision).
        group: ``(C, m)`` integer group labels in ``0 .. n_groups - 1``.
        n_groups: Number of groups ``G`` (>= 1).
        mask: Optional ``(C, m)`` boolean array of valid rows; invalid rows are ignored
            entirely (their values may be arbitrary padding).

    Returns:
        A :class:`GroupRates` whose arrays all have shape ``(C, n_groups)``.

    Raises:
        ValueError: On mismatched shapes, labels outside {0, 1}, or group ids out of range.
    """
    if n_groups < 1:
        raise ValueError(f"n_groups must be >= 1, got {n_groups}")
    yt = _as_2d(y_true, "y_true")
    yp = _as_2d(y_pred, "y_pred")
    gr = _as_2d(group, "group")
    if not (yt.shape == yp.shape == gr.shape):
        raise ValueError(
            f"y_true, y_pred and group must share a shape, got {yt.shape}, {yp.shape}, {gr.shape}"
        )
    C = yt.shape[0]
    size = C * n_groups
    if mask is None:  # every row counts: no gather, the community index broadcasts
        t, p, g = yt, yp, gr
        community = np.arange(C, dtype=np.intp)[:, None]
    else:
        valid = _as_2d(mask, "mask").astype(bool)
        if valid.shape != yt.shape:
            raise ValueError(f"mask must have shape {yt.shape}, got {valid.shape}")
        rows = np.nonzero(valid)
        t, p, g = yt[rows], yp[rows], gr[rows]
        community = rows[0]
    _check_binary(t, "y_true")
    _check_binary(p, "y_pred")
    if g.size and (
        (g.dtype.kind == "f" and not np.all(np.equal(np.mod(g, 1), 0)))
        or g.min() < 0
        or g.max() >= n_groups
    ):
        raise ValueError(f"group must hold integers in [0, {n_groups - 1}] on valid rows")
    # Cell code 0..3 = (y_true, y_pred) in (0,0), (0,1), (1,0), (1,1); one bincount for all.
    code = (community * n_groups + g.astype(np.intp)) * 4
    code += 2 * t.astype(np.intp)
    code += p.astype(np.intp)
    counts = np.bincount(code.ravel(), minlength=size * 4).reshape(C, n_groups, 4)
    tn, fp, fn, tp = (counts[..., i] for i in range(4))
    n = counts.sum(axis=-1)

    return GroupRates(
        n=n,
        tp=tp,
        fp=fp,
        tn=tn,
        fn=fn,
        accuracy=_ratio(tp + tn, n),
        tpr=_ratio(tp, tp + fn),
        fpr=_ratio(fp, fp + tn),
        selection_rate=_ratio(tp + fp, n),
    )


def accuracy(rates: GroupRates) -> np.ndarray:
    """Overall accuracy per community from the pooled group counts; in [0, 1], NaN if empty.

    Args:
        rates: Output of :func:`group_rates`.

    Returns:
        ``(C,)`` array of ``sum_g (tp + tn) / sum_g n``.
    """
    correct = (rates.tp + rates.tn).sum(axis=1)
    total = rates.n.sum(axis=1)
    return _ratio(correct, total)


def _range_gap(values: np.ndarray, ok: np.ndarray) -> np.ndarray:
    """Per-row ``max - min`` of ``values`` over ``ok`` cells; 0 where fewer than two."""
    hi = np.where(ok, values, -np.inf).max(axis=1)
    lo = np.where(ok, values, np.inf).min(axis=1)
    enough = ok.sum(axis=1) >= 2
    return np.where(enough, hi - lo, 0.0)


def _notion_codes(notion: np.ndarray | str, C: int) -> np.ndarray:
    """Map notion name(s) to indices into FAIRNESS_NOTIONS, shape ``(C,)``."""
    if isinstance(notion, str):
        if notion not in FAIRNESS_NOTIONS:
            raise ValueError(
                f"unknown fairness notion {notion!r}; allowed: {', '.join(FAIRNESS_NOTIONS)}"
            )
        return np.full(C, FAIRNESS_NOTIONS.index(notion), dtype=np.int64)
    arr = np.asarray(notion)
    if arr.shape != (C,):
        raise ValueError(f"notion array must have shape ({C},), got {arr.shape}")
    uniq, inverse = np.unique(arr.astype(str), return_inverse=True)
    bad = [str(u) for u in uniq if u not in FAIRNESS_NOTIONS]
    if bad:
        raise ValueError(
            f"unknown fairness notion(s) {bad!r}; allowed: {', '.join(FAIRNESS_NOTIONS)}"
        )
    lookup = np.array([FAIRNESS_NOTIONS.index(str(u)) for u in uniq], dtype=np.int64)
    return lookup[inverse.reshape(-1)]


def fairness_gap(
    rates: GroupRates,
    notion: np.ndarray | str,
    quota_target: np.ndarray | float = 0.5,
    min_group_size: int = 1,
) -> np.ndarray:
    """Unfairness of each community's decisions under its own notion; (C,) in [0, 1].

    A group is *present* in a community when ``n >= min_group_size``. With fewer than two
    groups present the gap is 0.0 for every notion (no measurable gap). Definitions:

    * ``demographic_parity``: max - min selection rate over present groups.
    * ``equal_opportunity``: max - min TPR over present groups whose TPR is defined
      (0.0 if fewer than two such groups).
    * ``equalized_odds``: ``max(TPR gap, FPR gap)``, each computed as above over the present
      groups where that rate is defined; hence always >= the equal-opportunity gap.
    * ``quota``: a quota requires each protected group (``g >= 1``) to be selected at a
      rate of at least ``quota_target``. The gap is the largest shortfall,
      ``max over present g >= 1 of max(0, quota_target - selection_rate(g))``; over-
      selection is not penalised, and group 0 (the majority) is unconstrained.
    * ``none``: 0.0.

    Args:
        rates: Output of :func:`group_rates`.
        notion: One notion name for all communities, or a ``(C,)`` array of names.
        quota_target: Target selection rate for protected groups, scalar or ``(C,)``,
            in [0, 1]. Used only by ``quota``.
        min_group_size: Minimum group size (>= 1) for a group to count as present.

    Returns:
        ``(C,)`` float array of gaps, never NaN.

    Raises:
        ValueError: If a notion is not in :data:`FAIRNESS_NOTIONS`, or arguments are
            out of range / mis-shaped.
    """
    if min_group_size < 1:
        raise ValueError(f"min_group_size must be >= 1, got {min_group_size}")
    C = rates.n_communities
    codes = _notion_codes(notion, C)
    target = np.broadcast_to(np.asarray(quota_target, dtype=float), (C,))
    if np.any(~np.isfinite(target)) or np.any((target < 0) | (target > 1)):
        raise ValueError("quota_target must lie in [0, 1]")

    present = rates.n >= min_group_size
    two_present = present.sum(axis=1) >= 2

    dp = _range_gap(np.nan_to_num(rates.selection_rate), present)
    tpr_ok = present & ~np.isnan(rates.tpr)
    fpr_ok = present & ~np.isnan(rates.fpr)
    eopp = _range_gap(np.nan_to_num(rates.tpr), tpr_ok)
    eodds = np.maximum(eopp, _range_gap(np.nan_to_num(rates.fpr), fpr_ok))

    protected = present.copy()
    protected[:, 0] = False
    shortfall = np.clip(target[:, None] - np.nan_to_num(rates.selection_rate), 0.0, None)
    quota = np.where(protected, shortfall, 0.0).max(axis=1, initial=0.0)

    by_notion = np.stack([dp, eopp, eodds, quota, np.zeros(C)])  # order of FAIRNESS_NOTIONS
    gap = by_notion[codes, np.arange(C)]
    return np.where(two_present, gap, 0.0)


# --------------------------------------------------------------------------------------
# Flow networks
# --------------------------------------------------------------------------------------


def flow_graph(edges: list[tuple[str, str, float]]) -> nx.DiGraph:
    """Directed flow graph from ``(source, target, weight)`` edges, summing parallel edges.

    Args:
        edges: Flows such as data, compute or money from ``source`` to ``target``;
            weights must be non-negative.

    Returns:
        A ``networkx.DiGraph`` with a ``weight`` attribute on every edge.

    Raises:
        ValueError: If a weight is negative or not finite.
    """
    graph = nx.DiGraph()
    for src, dst, w in edges:
        w = float(w)
        if not np.isfinite(w) or w < 0:
            raise ValueError(f"edge weight must be finite and non-negative, got {w}")
        if graph.has_edge(src, dst):
            graph[src][dst]["weight"] += w
        else:
            graph.add_edge(src, dst, weight=w)
    return graph


def network_centrality(edges: list[tuple[str, str, float]]) -> dict[str, float]:
    """Each node's share of total flow received (weighted in-degree / total); in [0, 1].

    Args:
        edges: ``(source, target, weight)`` flows, as for :func:`flow_graph`.

    Returns:
        Mapping from every node to its in-flow share; shares sum to 1, or are all 0.0
        when total flow is 0. Empty input gives an empty dict.
    """
    graph = flow_graph(edges)
    in_flow = dict(graph.in_degree(weight="weight"))
    total = float(sum(in_flow.values()))
    if total <= 0:
        return {node: 0.0 for node in graph.nodes}
    return {node: float(v) / total for node, v in in_flow.items()}

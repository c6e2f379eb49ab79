"""Concentration of power (§3): how holdings are spread across organisations, and flow networks.

Power asymmetry, control and dependency (paper §3) are summarised from holdings -- compute,
data, users, revenue -- by shares, the Herfindahl–Hirschman index, the Gini coefficient and the
top-k share, and from the exchanges of a step by the centrality of each organisation in the flow
network (networkx).

Convention: concentration of an all-zero (or empty) holdings vector is ``0.0``, never NaN.
"""

from __future__ import annotations

import networkx as nx
import numpy as np

__all__ = ["flow_graph", "gini", "hhi", "network_centrality", "shares", "top_k_share"]

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

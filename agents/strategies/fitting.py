"""What the strategies share when they fit a community's records (§4).

Sample budgets (compute × expertise, :mod:`hetsim.simulation.learning.capacity`), stacking fits by
budget, the community's own pre- and in-processing fairness mitigation, and the records each
member brings to a collective fit. Strategy modules call these; none repeats them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from hetsim.simulation import fairness
from hetsim.simulation.learning.capacity import capacity_share, feature_map, sample_budget
from hetsim.simulation.state import MITIGATIONS, N_FEATURES

if TYPE_CHECKING:
    from hetsim.simulation.model import EcosystemModel


def budget(model: EcosystemModel, who: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Records each community can train on, and the share of model capacity its compute buys."""
    com, led = model.community_arrays, model.ledger
    compute = led.compute[led.community_org(who)]
    rows = np.minimum(sample_budget(compute, com.expertise[who]), com.filled[who])
    return rows, capacity_share(compute, model.spec.learning.capacity_compute)


def pooled_capacity(model: EcosystemModel, parts: list[np.ndarray]) -> np.ndarray:
    """(G,) share of model capacity each group's pooled compute buys."""
    led = model.ledger
    compute = np.array([led.compute[led.community_org(p)].sum() for p in parts])
    return capacity_share(compute, model.spec.learning.capacity_compute)


def buckets(rows: np.ndarray, window: int):
    """Group communities by a power-of-two sample budget so fits are stacked without waste."""
    level = np.ceil(np.log2(np.maximum(rows, 1))).astype(np.int64)
    for value in np.unique(level):
        members = np.flatnonzero(level == value)
        yield members, int(min(2**value, window))


def mitigated_fit_inputs(model: EcosystemModel, who: np.ndarray, x, label, group, weight):
    """Each community's pre- or in-processing mitigation, for its own notion (§2.3)."""
    com = model.community_arrays
    code = np.where(com.mitigating[who], com.mitigation[who], 0)
    if not np.any(code):
        return weight, None
    return fairness.fit_mitigation(
        x,
        label,
        group,
        weight,
        com.notion[who].astype(str),
        np.asarray(MITIGATIONS)[code],
        model.spec.practices.penalty_strength,
    )


def adaptation_batches(model: EcosystemModel, who: np.ndarray):
    """Stacks of communities adapting an entity's model: ids, partners, records, weights."""
    com = model.community_arrays
    rows, _ = budget(model, who)
    for members, width in buckets(rows, com.window):
        ids = who[members]
        pos, age = com.recent(ids, width)
        x = feature_map(com.x[ids[:, None], pos], True)  # the pretrained architecture
        label = com.label[ids[:, None], pos].astype(float)
        weight = (age[None, :] < rows[members, None]).astype(float)
        yield ids, com.partner[ids], x, label, weight


def member_records(model: EcosystemModel, members: np.ndarray, rows: np.ndarray | int):
    """Each member's newest ``rows`` records for a collective fit: x, label, weight."""
    com = model.community_arrays
    rows = np.minimum(com.filled[members], rows)
    width = int(np.max(rows)) if np.size(rows) else 0
    pos, age = com.recent(members, max(width, 1))
    index = members[:, None]
    weight = (age[None, :] < np.broadcast_to(rows, members.shape)[:, None]).astype(float)
    return com.x[index, pos], com.label[index, pos], weight


def consortia(model: EcosystemModel, who: np.ndarray) -> tuple[np.ndarray, list[np.ndarray]]:
    """The consortia of ``who`` and, for each, the positions in ``who`` of its members."""
    groups = np.unique(model.community_arrays.consortium[who])
    return groups, [np.flatnonzero(model.community_arrays.consortium[who] == g) for g in groups]


def pooled_records(
    model: EcosystemModel, parts: list[np.ndarray], rows: list[np.ndarray], capacity: np.ndarray
):
    """One stack per consortium of its members' newest records (members[i] gives rows[i]),
    on the feature map of the consortium's capacity: x (G, n, 8), label (G, n), weight (G, n)."""
    window = model.community_arrays.window
    n = max(len(r) * int(np.max(np.minimum(r, window), initial=0)) for r in rows)
    g = len(parts)
    x = np.zeros((g, max(n, 1), N_FEATURES))
    y = np.zeros((g, max(n, 1)))
    w = np.zeros((g, max(n, 1)))
    for i, (members, take) in enumerate(zip(parts, rows, strict=True)):
        xs, ys, ws = member_records(model, members, take)
        m = xs.shape[0] * xs.shape[1]
        x[i, :m] = feature_map(xs.reshape(1, m, -1), capacity[i])[0]
        y[i, :m], w[i, :m] = ys.reshape(m), ws.reshape(m)
    return x, y, w

"""Exchange ledgers: who holds data, compute, money, model access and trust (§3, §4.1).

Every organisation (large entity, community, annotator, regulator) has one row, indexed in
that order. Agents never touch each other: they move things through these ledgers, which also
record each step's flows so the exchange network can be rebuilt from what happened.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import networkx as nx
import numpy as np

FLOW_KINDS = ("data", "compute", "model", "money")


@dataclass
class Ledger:
    """Holdings and flows of every organisation; arrays indexed by organisation."""

    n_entities: int
    n_communities: int
    n_annotators: int
    n_regulators: int
    compute: np.ndarray = field(init=False)  # (O,) compute held, records trainable per step
    money: np.ndarray = field(init=False)  # (O,) balance
    records_collected: np.ndarray = field(init=False)  # (C,) records a community gathered
    records_pooled: np.ndarray = field(init=False)  # (C,) peers' records pooled with it, ever
    records_given: np.ndarray = field(init=False)  # (C,) given away on the receiver's terms
    records_given_sovereign: np.ndarray = field(init=False)  # (C,) given under own terms §4.1
    records_scraped: np.ndarray = field(init=False)  # (E,) records an entity gathered itself
    records_by_origin: np.ndarray = field(init=False)  # (E, C) shared records by origin
    records_sovereign_by_origin: np.ndarray = field(init=False)  # (E, C) of them under the
    # community's terms (§4.1)
    trust: np.ndarray = field(init=False)  # (C, E) trust of community in entity, [0, 1]
    provider: np.ndarray = field(init=False)  # (C,) organisation controlling the deployed model
    pools: list[np.ndarray] = field(init=False, default_factory=list)  # this step's pools
    _flows: list[tuple[int, np.ndarray, np.ndarray, np.ndarray]] = field(
        init=False, default_factory=list
    )
    _summed: tuple[np.ndarray, ...] | None = field(init=False, default=None)  # flows() memo

    def __post_init__(self) -> None:
        o, c, e = self.n_orgs, self.n_communities, self.n_entities
        self.compute = np.zeros(o)
        self.money = np.zeros(o)
        self.records_collected = np.zeros(c)
        self.records_pooled = np.zeros(c)
        self.records_given = np.zeros(c)
        self.records_given_sovereign = np.zeros(c)
        self.records_scraped = np.zeros(e)
        self.records_by_origin = np.zeros((e, c))
        self.records_sovereign_by_origin = np.zeros((e, c))
        self.trust = np.zeros((c, e))
        self.provider = self.community_org(np.arange(c))

    # ------------------------------------------------------------------ indexing
    @property
    def n_orgs(self) -> int:
        """Number of organisations of every role."""
        return self.n_entities + self.n_communities + self.n_annotators + self.n_regulators

    def entity_org(self, i: np.ndarray | int) -> np.ndarray:
        """Organisation index of large entity ``i``."""
        return np.asarray(i)

    def community_org(self, i: np.ndarray | int) -> np.ndarray:
        """Organisation index of community ``i``."""
        return self.n_entities + np.asarray(i)

    def annotator_org(self, i: np.ndarray | int) -> np.ndarray:
        """Organisation index of annotator ``i``."""
        return self.n_entities + self.n_communities + np.asarray(i)

    def regulator_org(self, i: np.ndarray | int) -> np.ndarray:
        """Organisation index of regulator ``i``."""
        return self.n_entities + self.n_communities + self.n_annotators + np.asarray(i)

    def org_names(self) -> list[str]:
        """Readable names: E0.., C0.., A0.., R0.. in organisation order."""
        return (
            [f"E{i}" for i in range(self.n_entities)]
            + [f"C{i}" for i in range(self.n_communities)]
            + [f"A{i}" for i in range(self.n_annotators)]
            + [f"R{i}" for i in range(self.n_regulators)]
        )

    def org_roles(self) -> np.ndarray:
        """Role name of every organisation."""
        return np.repeat(
            np.array(["large_entity", "community", "annotator", "regulator"]),
            [self.n_entities, self.n_communities, self.n_annotators, self.n_regulators],
        )

    # ------------------------------------------------------------------ holdings
    def data_held(self, entity_rows: np.ndarray, community_rows: np.ndarray) -> np.ndarray:
        """Records each organisation holds and can use now (a stock, §3).

        An entity holds the rows of its training pool (scraped, shared, licensed, bought, less
        withdrawn; at most its pool size), ``entity_rows``; a community the rows of its data
        window, ``community_rows``, and, while it pools this step, the windows of the other
        members of its pool. Exited entities hold nothing.
        """
        held = np.zeros(self.n_orgs)
        held[: self.n_entities] = entity_rows
        communities = self.community_org(np.arange(self.n_communities))
        held[communities] = community_rows
        for members in self.pools:
            held[self.community_org(members)] += (
                community_rows[members].sum() - community_rows[members]
            )
        return held

    def data_accumulated(self) -> np.ndarray:
        """Records each organisation has gathered since the start (a flow, summed): collected,
        scraped, received from communities or bought, or pooled with peers; less withdrawn.
        Unlike :meth:`data_held`, it counts records long overwritten or evicted."""
        held = np.zeros(self.n_orgs)
        held[: self.n_entities] = self.records_scraped + self.records_by_origin.sum(axis=1)
        held[self.community_org(np.arange(self.n_communities))] = (
            self.records_collected + self.records_pooled
        )
        return held

    def data_sovereignty(self) -> np.ndarray:
        """Per community, the share of its data still under its own control (§4.1), [0, 1]."""
        given = self.records_given
        return 1.0 - given / np.maximum(self.records_collected, 1.0)

    # ------------------------------------------------------------------ flows
    def start_step(self) -> None:
        """Forget last step's flows."""
        self._flows.clear()
        self._summed = None
        self.pools = []

    def record_flow(self, kind: str, source, target, amount) -> None:
        """Record flows of ``kind`` from source to target organisations (arrays broadcast)."""
        source, target, amount = np.broadcast_arrays(
            np.asarray(source, dtype=np.int64),
            np.asarray(target, dtype=np.int64),
            np.asarray(amount, dtype=float),
        )
        keep = amount > 0
        if keep.any():
            self._summed = None
            self._flows.append(
                (
                    FLOW_KINDS.index(kind),
                    source[keep].ravel(),
                    target[keep].ravel(),
                    amount[keep].ravel(),
                )
            )

    def pay(self, source, target, amount) -> None:
        """Move money between organisations and record the flow."""
        source, target, amount = np.broadcast_arrays(
            np.asarray(source, dtype=np.int64),
            np.asarray(target, dtype=np.int64),
            np.asarray(amount, dtype=float),
        )
        np.subtract.at(self.money, source, amount)
        np.add.at(self.money, target, amount)
        self.record_flow("money", source, target, amount)

    def pool_data(self, members: np.ndarray, records: float) -> None:
        """Members of one pool each contribute ``records``; each can use all the others'."""
        self.records_pooled[members] += records * (members.size - 1)
        self.pools.append(np.asarray(members, dtype=np.int64))

    def give_data(
        self,
        communities: np.ndarray,
        entities: np.ndarray,
        records: np.ndarray,
        sovereign: np.ndarray | bool = False,
    ) -> None:
        """Communities give records to entities; on the entity's terms unless ``sovereign``."""
        communities = np.asarray(communities, dtype=np.int64)
        entities = np.asarray(entities, dtype=np.int64)
        records = np.broadcast_to(np.asarray(records, dtype=float), communities.shape)
        sovereign = np.broadcast_to(np.asarray(sovereign, dtype=bool), communities.shape)
        np.add.at(self.records_by_origin, (entities, communities), records)
        np.add.at(
            self.records_sovereign_by_origin,
            (entities[sovereign], communities[sovereign]),
            records[sovereign],
        )
        np.add.at(self.records_given, communities[~sovereign], records[~sovereign])
        np.add.at(self.records_given_sovereign, communities[sovereign], records[sovereign])
        self.record_flow(
            "data", self.community_org(communities), self.entity_org(entities), records
        )

    def flows(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """This step's flows as arrays (kind index, source org, target org, amount), summed."""
        if self._summed is None:
            self._summed = self._sum_flows()
        kind, source, target, amount = self._summed
        return kind, source, target, amount

    def _sum_flows(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        if not self._flows:
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty, empty, np.zeros(0)
        kind = np.concatenate([np.full(len(s), k) for k, s, _, _ in self._flows])
        src = np.concatenate([s for _, s, _, _ in self._flows])
        dst = np.concatenate([t for _, _, t, _ in self._flows])
        amt = np.concatenate([a for _, _, _, a in self._flows])
        # one int64 key per (kind, source, target), in the same lexicographic order as the rows
        n = int(max(src.max(), dst.max())) + 1
        uniq, inverse = np.unique((kind * n + src) * n + dst, return_inverse=True)
        total = np.bincount(inverse.ravel(), weights=amt, minlength=len(uniq))
        return uniq // (n * n), uniq // n % n, uniq % n, total

    def flow_graph(self) -> nx.DiGraph:
        """The directed exchange network of this step; edge weight per kind and in total."""
        names = self.org_names()
        roles = self.org_roles()
        graph = nx.DiGraph()
        for i, (name, role) in enumerate(zip(names, roles, strict=True)):
            if role != "annotator":
                graph.add_node(name, role=str(role), org=i)
        graph.add_node("annotators", role="annotator", org=-1)
        kinds, src, dst, amt = self.flows()
        for k, s, t, a in zip(kinds, src, dst, amt, strict=True):
            u = "annotators" if roles[s] == "annotator" else names[s]
            v = "annotators" if roles[t] == "annotator" else names[t]
            data = graph.get_edge_data(u, v) or {"weight": 0.0}
            data[FLOW_KINDS[k]] = data.get(FLOW_KINDS[k], 0.0) + float(a)
            data["weight"] += float(a)
            graph.add_edge(u, v, **data)
        return graph

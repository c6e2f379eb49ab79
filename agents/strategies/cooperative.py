"""``cooperative``: a data cooperative — members govern pooled data, bargain together (§4.1, §5).

The members of one consortium who join pool their records under collective ownership and
train one model with the cooperative's own compute: the members' compute budgets, summed and
spent evenly over their records. The cooperative settles its members' differing fairness
notions by its ``notion_rule``: ``majority`` post-processes the model for the notion most
members hold (ties: the first in alphabetical order); ``member`` lets each member
post-process for its own notion. It bargains with entities collectively: each step the
members vote whether to license the pool's new records; a majority licenses them to the entity
its members trust most among those promising the privacy the strictest member demands, on
terms every member keeps — use limits (no misuse), a ``license_share`` of the records' value
paid back, withdrawal of a member's records when it leaves. Data thus earns revenue without
losing sovereignty (the "data cooperatives" of §5; Posner & Weyl's data unions). Running the
cooperative costs each member ``governance_cost`` a step. Its keys: ``[strategy.cooperative]``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, ClassVar, Literal

import numpy as np
from pydantic import Field

from hetsim.agents.strategies.collective import CollectiveStrategy
from hetsim.agents.strategies.fitting import (
    budget,
    consortia,
    pooled_capacity,
    pooled_records,
)
from hetsim.simulation.learning.capacity import to_fit_space
from hetsim.simulation.schema import NonNegative, Probability
from hetsim.simulation.strategy import StrategyParams

if TYPE_CHECKING:
    from hetsim.simulation.model import EcosystemModel


class CooperativeParams(StrategyParams):
    """Keys of ``[strategy.cooperative]``: what taking it costs, and its settings."""

    privacy_cost: Probability = Field(
        0.2,
        description=(
            "exposure: members see each other's records, as in pooling; an ordinal "
            "judgement, local 0 < adopt, federate 0.1 < pool, cooperative, split 0.2 < "
            "share 0.5: sweep it"
        ),
    )
    sovereignty_loss: Probability = Field(
        0.1,
        description="control given up to the members' collective governance",
    )
    expertise: Probability = Field(
        0.2,
        description="least expertise to take part",
    )
    notion_rule: Literal["majority", "member"] = Field(
        "majority",
        description="how members' fairness notions are settled: the majority's, or each its own",
    )
    licensing: bool = Field(
        True,
        description="a cooperative may license its pool to an entity, by members' vote",
    )
    license_share: Probability = Field(
        0.8,
        description=(
            "share of licensed records' value paid to members (collective bargaining; no "
            "empirical estimate: sweep it)"
        ),
    )
    governance_cost: NonNegative = Field(
        0.05,
        description="money per member per step to run the cooperative",
    )
    license_privacy_cost: Probability = Field(
        0.1,
        description="exposure of licensing under use limits, weighed in a member's vote",
    )


class Cooperative(CollectiveStrategy):
    """A democratic, community-governed data pool that licenses on its members' terms."""

    name = "cooperative"
    Params = CooperativeParams
    section = "§4.1, §5"
    summary = "in a data cooperative"
    builds_expertise = True  # members train and govern the model themselves
    metric_columns: ClassVar[Mapping[str, str]] = {
        "cooperative_license_revenue": "money entities paid data cooperatives' members for "
        "licensed records this step (§4.1, §5), >= 0",
    }

    def setup(self, model: EcosystemModel) -> None:
        super().setup(model)
        groups = model.community_arrays.n_consortia
        self.licensee = np.full(groups, -1, dtype=np.int64)  # (G,) entity licensing the pool
        self.income = np.zeros(model.community_arrays.n)  # (C,) license income last step
        self.revenue = 0.0  # license money paid to members this step

    # ---------------------------------------------------------------- choice
    def fee(self, model: EcosystemModel, partner: np.ndarray) -> np.ndarray:
        return np.full(np.shape(partner), self.params(model).governance_cost)

    def expected_income(self, model: EcosystemModel, partner: np.ndarray) -> np.ndarray:
        """(C, 1) income a member can expect: what its consortium's members earned last step."""
        com = model.community_arrays
        members = com.strategy == self.code
        earned = np.bincount(
            com.consortium[members], weights=self.income[members], minlength=com.n_consortia
        ).astype(float)
        count = np.bincount(com.consortium[members], minlength=com.n_consortia)
        per_member = np.divide(earned, count, out=np.zeros_like(earned), where=count > 0)
        return per_member[com.consortium][:, None]

    # ---------------------------------------------------------------- exchange
    def settle(self, model: EcosystemModel, users: np.ndarray) -> None:
        """Pool the members' new records, withdraw leavers' records from licensees, then vote
        and license the new records."""
        self.pool_records(model, users)
        com, ledger = model.community_arrays, model.ledger
        self.revenue = 0.0
        self.income[:] = 0.0
        left = np.flatnonzero((com.previous_strategy == self.code) & (com.strategy != self.code))
        for c in left:
            licensee = self.licensee[com.consortium[c]]
            if licensee >= 0:
                model.withdraw_records(int(licensee), int(c))
        params = self.params(model)
        if users.size:
            ledger.money[ledger.community_org(users)] -= params.governance_cost
        if not params.licensing or model.entity_arrays.n == 0 or users.size == 0:
            self.licensee[:] = -1
            return
        groups, parts = consortia(model, users)
        for group, part in zip(groups, parts, strict=True):
            self._license(model, int(group), users[part])

    def _license(self, model: EcosystemModel, group: int, members: np.ndarray) -> None:
        com, ent, ledger, spec = (
            model.community_arrays,
            model.entity_arrays,
            model.ledger,
            model.spec,
        )
        n = spec.communities.records_per_step
        value = spec.large_entities.data_value * n
        params = self.params(model)
        income = params.license_share * value
        # each member votes by its own values: income against the exposure of its people
        weight_money = spec.communities.values.weight_money
        gain = weight_money * income / np.maximum(com.budget[members], 1e-9)
        yes = gain > com.weight_privacy[members] * params.license_privacy_cost
        strictest = com.max_epsilon[members].min()
        eligible = np.flatnonzero(ent.active & (ent.claimed_epsilon <= strictest))
        previous = int(self.licensee[group])
        if 2 * yes.sum() <= members.size or eligible.size == 0:
            if previous >= 0:  # the licence ends: every member takes its records back
                for c in members:
                    model.withdraw_records(previous, int(c))
            self.licensee[group] = -1
            return
        trust = ledger.trust[np.ix_(members, eligible)].mean(axis=0)
        licensee = int(eligible[np.argmax(trust)])
        if previous >= 0 and previous != licensee:
            for c in members:
                model.withdraw_records(previous, int(c))
        self.licensee[group] = licensee
        partner = np.full(members.size, licensee)
        ledger.give_data(members, partner, n, sovereign=True)  # under the members' terms
        ledger.money[ledger.entity_org(licensee)] += value * members.size  # data is capital (§3)
        ledger.pay(ledger.entity_org(licensee), ledger.community_org(members), income)
        ent.revenue[licensee] += value * members.size
        ent.costs[licensee] += income * members.size
        self.income[members] = income
        self.revenue += income * members.size
        model.hand_over_batch(members, partner, on_terms=True)

    # ---------------------------------------------------------------- training
    def train(self, model: EcosystemModel, users: np.ndarray) -> None:
        groups, parts = consortia(model, users)
        if groups.size == 0:
            return
        rows, _ = budget(model, users)
        # the cooperative's compute: its members' budgets pooled and spent evenly
        shares = [np.full(len(p), rows[p].sum() // len(p)) for p in parts]
        members = [users[p] for p in parts]
        capacity = pooled_capacity(model, members)
        x, y, w = pooled_records(model, members, shares, capacity)
        ticket = model.training.submit(
            x,
            y,
            w,
            coef_init=to_fit_space(self.coef[groups], capacity),
            intercept_init=self.intercept[groups],
        )
        model.training.on_done(ticket, self.install, groups, capacity)

    # ---------------------------------------------------------------- deployment
    def enforced_notion(self, model: EcosystemModel, users: np.ndarray) -> np.ndarray:
        com = model.community_arrays
        if self.params(model).notion_rule == "member":
            return com.notion[users]
        settled = np.empty(users.size, dtype=object)
        for group in np.unique(com.consortium[users]):
            mine = com.consortium[users] == group
            notions, votes = np.unique(com.notion[users[mine]].astype(str), return_counts=True)
            settled[mine] = notions[np.argmax(votes)]
        return settled

    def measures(self, model: EcosystemModel) -> dict[str, float]:
        return {"cooperative_license_revenue": float(self.revenue)}

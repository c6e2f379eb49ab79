"""Large AI entities (§2.2, §3): scale compute with capital, gather data, sell model access.

An entity turns capital into compute, scrapes and buys annotated data, takes the data that
communities share, trains one large model on its pooled data (good on average, worse for those
under-represented in the pool), prices access by demand and reports a fairness figure. Its
revenue buys more compute next step: the scaling race of §3.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from simulation import metrics
from simulation.annotation import choose_annotators
from simulation.capacity import feature_map, has_capacity, sample_budget
from simulation.learning import predict_proba
from simulation.population import N_GROUPS
from simulation.roles import Role
from simulation.training import TrainedModels

if TYPE_CHECKING:
    from simulation.model import EcosystemModel

MIN_PRICE = 0.1
REPORT_SAMPLE = 1000  # pooled records an entity evaluates its own fairness on


class LargeEntity(Role):
    """A resourceful organisation training and selling a large model."""

    role_name = "large_entity"

    @property
    def org(self) -> int:
        """This entity's row in the ledgers."""
        return int(self.model.ledger.entity_org(self.index))

    @property
    def capital(self) -> float:
        """Money held."""
        return float(self.model.ledger.money[self.org])

    @property
    def compute(self) -> float:
        """Compute held (records trainable per step)."""
        return float(self.model.ledger.compute[self.org])

    @classmethod
    def setup(cls, model: EcosystemModel, members: list[Role]) -> None:
        """Endow entities with capital, compute, a home culture and terms of access."""
        spec, ent, led, rng = (
            model.spec.large_entities,
            model.entity_arrays,
            model.ledger,
            model.rng,
        )
        e = ent.n
        if e == 0:
            return
        orgs = led.entity_org(np.arange(e))
        led.money[orgs] = spec.capital * np.exp(spec.capital_spread * rng.standard_normal(e))
        led.compute[orgs] = spec.compute * np.exp(0.1 * rng.standard_normal(e))
        ent.price[:] = spec.access_price
        ent.culture[:] = rng.integers(0, model.spec.communities.cultures, size=e)
        r = model.counts["regulators"]
        ent.jurisdiction[:] = np.arange(e) % r if r else -1
        if r:
            ent.reported_notion[:] = model.jurisdictions.notion[ent.jurisdiction]

    def collect(self) -> None:
        """Hire the annotator that is cheapest for the quality it needs (§2.4.3)."""
        model, ent = self.model, self.model.entity_arrays
        ann = model.annotator_arrays
        ent.annotator[self.index] = choose_annotators(
            ent.culture[self.index : self.index + 1],
            np.array([model.spec.annotators.pay_mean]),
            ann.culture,
            ann.skill,
            ann.pay,
            model.spec.annotators,
            model.spec.communities.cultures,
            model.rng,
        )[0]

    def choose(self) -> None:
        """Set the price of access: raise it while demand grows, cut it when demand falls."""
        ent, spec = self.model.entity_arrays, self.model.spec.large_entities
        i = self.index
        previous = getattr(self, "_previous_users", 0)
        users = int(ent.paying_users[i])
        if users > previous:
            ent.price[i] *= 1.0 + spec.price_adjustment
        elif users < previous or users == 0:
            ent.price[i] = max(MIN_PRICE, ent.price[i] * (1.0 - spec.price_adjustment))
        self._previous_users = users

    def train(self) -> None:
        """Turn capital into compute, then retrain the large model on the pooled data (§4)."""
        model, ent, led, spec = (
            self.model,
            self.model.entity_arrays,
            self.model.ledger,
            self.model.spec.large_entities,
        )
        org, i = self.org, self.index
        invest = spec.invest_fraction * max(led.money[org], 0.0)
        led.money[org] -= invest
        led.compute[org] = led.compute[org] * (1.0 - spec.compute_depreciation) + (
            invest / spec.compute_price
        )
        budget = int(sample_budget(led.compute[org]))
        rows = min(budget, int(ent.filled[i]))
        if rows < 10:
            return
        chosen = np.sort(model.rng.choice(int(ent.filled[i]), size=rows, replace=False))
        capacity = has_capacity(led.compute[org], model.spec.learning.capacity_compute)
        ent.high_capacity[i] = capacity
        x = feature_map(ent.x[i, chosen][None], np.array([capacity]))
        ticket = model.training.submit(
            x,
            ent.label[i, chosen][None],
            coef_init=ent.coef[i : i + 1],
            intercept_init=ent.intercept[i : i + 1],
        )
        model.training.on_done(ticket, self._install)

    def _install(self, trained: TrainedModels) -> None:
        """Put the new model in place and measure the fairness figure it will report."""
        ent, i = self.model.entity_arrays, self.index
        ent.coef[i] = trained.coef[0]
        ent.intercept[i] = trained.intercept[0]
        ent.reported_gap[i] = self.measure_own_fairness(str(ent.reported_notion[i]))

    def measure_own_fairness(self, notion: str) -> float:
        """Fairness gap of the model on the entity's own pooled data (what it can see)."""
        ent, i = self.model.entity_arrays, self.index
        n = int(min(REPORT_SAMPLE, ent.filled[i]))
        if n == 0:
            return 0.0
        x = feature_map(ent.x[i, :n][None], True)
        decision = predict_proba(x, ent.coef[i : i + 1], ent.intercept[i : i + 1]) > 0.5
        rates = metrics.group_rates(
            ent.label[i, :n][None], decision.astype(np.int8), ent.group[i, :n][None], N_GROUPS
        )
        return float(metrics.fairness_gap(rates, notion)[0])

    def outcome(self) -> None:
        """Pay the cost of operating."""
        self.model.ledger.money[self.org] -= self.model.spec.large_entities.operating_cost

"""Large AI entities (§2.2, §3): scale compute with capital, gather data, sell model access.

An entity turns capital into compute, scrapes and buys annotated data, takes the data that
communities share, trains one large model on its pooled data (good on average, worse for those
under-represented in the pool), prices access by demand and reports a fairness figure. Its
revenue buys more compute next step: the scaling race of §3. Its fairness reports (and the
decision to wash them) are in :mod:`hetsim.agents.reporting`; its privacy claims and the
jurisdiction it trains in, in :mod:`hetsim.agents.jurisdiction`; its entry and exit, in
:mod:`hetsim.agents.firm_dynamics`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from hetsim.agents import firm_dynamics, jurisdiction, mitigation, reporting
from hetsim.agents.practices import draw_practices
from hetsim.simulation import measures
from hetsim.simulation.economy.annotation import choose_annotators
from hetsim.simulation.learning.capacity import (
    capacity_share,
    decision_scores,
    feature_map,
    sample_budget,
    to_fit_space,
    to_model_space,
)
from hetsim.simulation.learning.training import TrainedModels
from hetsim.simulation.population import N_GROUPS
from hetsim.simulation.privacy.accounting import DpTraining
from hetsim.simulation.privacy.audit import TrainingPipeline
from hetsim.simulation.privacy.dp_training import dp_fit_scenario
from hetsim.simulation.roles import Role
from hetsim.simulation.state import MITIGATIONS

if TYPE_CHECKING:
    import mesa

    from hetsim.simulation.model import EcosystemModel

MIN_TRAINING_ROWS = 10  # fewer records than features and intercept: no model to retrain

REWEIGHING, PENALTY, THRESHOLDS = (
    MITIGATIONS.index(m) for m in ("reweighing", "penalty", "thresholds")
)


class LargeEntity(Role):
    """A resourceful organisation training and selling a large model."""

    role_name = "large_entity"
    previous_users = 0  # paying users at its last price change

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
        e, r = ent.n, model.counts["regulators"]
        ent.open_reports(r)
        if e == 0:
            return
        orgs = led.entity_org(np.arange(e))
        led.money[orgs] = spec.capital * np.exp(spec.capital_spread * rng.standard_normal(e))
        led.compute[orgs] = spec.compute * np.exp(spec.compute_spread * rng.standard_normal(e))
        ent.price[:] = spec.access_price
        ent.culture[:] = rng.integers(0, model.spec.communities.cultures, size=e)
        ent.jurisdiction[:] = np.arange(e) % r if r else -1
        if r:
            ent.reported_notion[:] = model.jurisdictions.notion[ent.jurisdiction]
        # openness: the first share of entities publish open weights, the rest sell an API
        ent.open_weights[:] = np.arange(e) < round(spec.open_weights_share * e)
        ent.washing_propensity[:] = spec.washing_propensity
        ent.washes_privacy[:] = rng.random(e) < spec.washing_propensity
        practice = draw_practices(model.spec.practices, e, rng)
        ent.fairness_check[:], ent.mitigation[:] = practice.fairness_check, practice.mitigation
        ent.documents[:], ent.energy_aware[:] = practice.documents, practice.energy_aware
        ent.claimed_epsilon[:] = spec.claimed_epsilon
        ent.effective_epsilon[:] = spec.effective_epsilon
        for member in members:
            jurisdiction.comply_with_privacy_rules(member)
        firm_dynamics.prepare_seats(model)

    @property
    def operating(self) -> bool:
        """Entered the market and not exited."""
        return bool(self.model.entity_arrays.active[self.index])

    def on_drift(self) -> None:
        """An entrant enters: at its scheduled step, or when entry would pay back its cost."""
        ent = self.model.entity_arrays
        ent.fines_into_debt[self.index] = ent.entry_cost[self.index] = 0.0
        firm_dynamics.consider_entry(self)

    def can_serve(self) -> bool:
        """Whether it can serve customers: its compute, after this quarter's depreciation, can
        retrain its model (a sample budget of at least ``MIN_TRAINING_ROWS`` records) and its
        capital is at or above its credit line. A firm that cannot is not offered: its
        customers choose again (§2.2)."""
        spec = self.model.spec.large_entities
        kept = self.compute * (1.0 - spec.compute_depreciation)  # what it trains with, at least
        retrains = int(sample_budget(kept)) >= MIN_TRAINING_ROWS
        return self.operating and retrains and self.capital >= -spec.credit_limit

    def on_trust(self) -> None:
        """Publish the quarter's accounts: operating profit is revenue less costs other than
        buying compute, less the compute's depreciation."""
        if not self.operating:
            return
        model, ent, i = self.model, self.model.entity_arrays, self.index
        spec = model.spec.large_entities
        depreciation = spec.compute_depreciation * model.ledger.compute[self.org]
        profit = ent.revenue[i] - ent.costs[i] + ent.invested[i] - depreciation * spec.compute_price
        memory = spec.entry_when_profitable.profit_memory
        ent.profit_published[i] += memory * (profit - ent.profit_published[i])
        ent.quarterly_revenue[i, model.steps % ent.quarterly_revenue.shape[1]] = ent.revenue[i]

    def exit_market(self) -> None:
        """Leave the market (:func:`hetsim.agents.firm_dynamics.exit_market`)."""
        firm_dynamics.exit_market(self)

    @classmethod
    def adopt_scenario(cls, model: EcosystemModel, members: list[Role]) -> None:
        """New rules or terms: re-read washing propensity and privacy claims."""
        ent = model.entity_arrays
        ent.washing_propensity[:] = model.spec.large_entities.washing_propensity
        for member in members:
            jurisdiction.comply_with_privacy_rules(member)

    def on_collect(self) -> None:
        """Hire the annotator that is cheapest for the quality it needs (§2.4.3)."""
        if not self.operating:
            return
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

    def on_choose(self) -> None:
        """Say whether it can serve this quarter; set the price of access: raise it while
        demand grows, cut it when demand falls."""
        ent, spec = self.model.entity_arrays, self.model.spec.large_entities
        i = self.index
        ent.serving[i] = self.operating and (self.can_serve() or not spec.stop_selling_when_unable)
        if not self.operating:
            return
        previous = self.previous_users
        users = int(ent.paying_users[i])
        if users > previous:
            ent.price[i] *= 1.0 + spec.price_adjustment
        elif users < previous or users == 0:
            ent.price[i] = max(spec.min_price, ent.price[i] * (1.0 - spec.price_adjustment))
        self.previous_users = users

    def on_train(self) -> None:
        """Turn capital into compute, then retrain the large model on the pooled data (§4).

        Practices change the fit (Balayn & Gadiraju): an energy-aware team retrains only every
        few steps; a team whose fairness check found a gap reweighs or penalises, toward the
        notions its regulators mandate (:mod:`hetsim.agents.mitigation`). Training with a
        finite effective ε uses differentially private gradient descent (§2.3).
        """
        if not self.operating:
            return
        model, ent, led, spec = (
            self.model,
            self.model.entity_arrays,
            self.model.ledger,
            self.model.spec.large_entities,
        )
        org, i = self.org, self.index
        jurisdiction.shop_for_jurisdiction(self)
        invest = spec.invest_fraction * max(led.money[org], 0.0)
        led.money[org] -= invest
        ent.costs[i] += invest
        ent.invested[i] += invest
        led.compute[org] = led.compute[org] * (1.0 - spec.compute_depreciation) + (
            invest / spec.compute_price
        )
        every = model.spec.practices.energy_aware_every
        ent.compute_used[i] = 0.0
        if ent.energy_aware[i] and model.steps % every and model.steps > 0:
            return
        budget = int(sample_budget(led.compute[org]))
        rows = min(budget, int(ent.filled[i]))
        if rows < MIN_TRAINING_ROWS:
            return
        ent.compute_used[i] = rows
        chosen = np.sort(model.rng.choice(int(ent.filled[i]), size=rows, replace=False))
        capacity = capacity_share(led.compute[org], model.spec.learning.capacity_compute)
        ent.capacity[i] = capacity
        x = feature_map(ent.x[i, chosen][None], np.array([capacity]))
        label, group = ent.label[i, chosen][None], ent.group[i, chosen][None]
        weight, quadratic = np.ones(label.shape), None
        if model.rng.random() < ent.fairness_check[i]:  # a fairness check was run this step
            gap = mitigation.checked_gap(self)
            ent.mitigating[i] = gap > model.spec.practices.check_threshold
        if ent.mitigating[i] and ent.mitigation[i] in (REWEIGHING, PENALTY, THRESHOLDS):
            method = MITIGATIONS[int(ent.mitigation[i])]
            weight, quadratic = mitigation.training_mitigation(self, method, x, label, group)
        if np.isfinite(ent.effective_epsilon[i]):
            learning = model.spec.learning
            epsilon = float(ent.effective_epsilon[i])
            start = to_fit_space(ent.coef[i : i + 1], ent.capacity[i : i + 1])
            fit, training = dp_fit_scenario(
                learning, x, label, epsilon, model.rng, weight, coef_init=start
            )
            self.record_release(chosen, training)
            model.training.charge(1, rows, x.shape[2], learning.dp_iterations)
            self._install(TrainedModels(fit.coef, fit.intercept, np.zeros(1), fit.n_iter))
            return
        self.record_release(chosen, None)
        ticket = model.training.submit(
            x,
            label,
            weight,
            coef_init=to_fit_space(ent.coef[i : i + 1], ent.capacity[i : i + 1]),
            intercept_init=ent.intercept[i : i + 1],
            quadratic=quadratic,
        )
        model.training.on_done(ticket, self._install)

    def training_pipeline(self) -> TrainingPipeline:
        """The entity's own training procedure, as an ε audit has it run on the auditor's data:
        its feature map and, at the ε it really trains with, DP-GD (else the exact fit)."""
        model, ent, i = self.model, self.model.entity_arrays, self.index
        learning, epsilon = model.spec.learning, float(ent.effective_epsilon[i])
        capacity = ent.capacity[i : i + 1]

        def train(x, label, weight, query, rng):
            k = x.shape[0]
            feats = feature_map(x, np.repeat(capacity, k))
            fit, _ = dp_fit_scenario(learning, feats, label, epsilon, rng, weight)
            coef = to_model_space(fit.coef, np.repeat(capacity, k))
            return decision_scores(np.broadcast_to(query, (k, *query.shape)), coef, fit.intercept)

        return train

    def record_release(self, rows: np.ndarray, training: DpTraining | None) -> None:
        """Compose a release on the entity's ledger and on those of the records' communities."""
        ent, com = self.model.entity_arrays, self.model.community_arrays
        ent.privacy.record(np.array([self.index]), training)
        origin = ent.origin[self.index, rows]
        com.privacy.record(origin[origin >= 0], training)

    def _install(self, trained: TrainedModels) -> None:
        """Put the new model in place."""
        ent, i = self.model.entity_arrays, self.index
        ent.coef[i] = to_model_space(trained.coef, ent.capacity[i : i + 1])[0]
        ent.intercept[i] = trained.intercept[0]

    def measure_own_fairness(self, notion: str) -> float:
        """Fairness gap of the model on the entity's own pooled data (its internal check)."""
        ent, i = self.model.entity_arrays, self.index
        n = int(min(self.model.spec.large_entities.report_sample, ent.filled[i]))
        if n == 0:
            return 0.0
        x, label, group = ent.x[i, :n], ent.label[i, :n], ent.group[i, :n]
        decision = decision_scores(x[None], ent.coef[i : i + 1], ent.intercept[i : i + 1]) > 0
        rates = measures.group_rates(label[None], decision.astype(np.int8), group[None], N_GROUPS)
        return float(measures.fairness_gap(rates, notion)[0])

    @classmethod
    def act(cls, phase: str, model: EcosystemModel, members: mesa.agent.AgentSet) -> None:
        """In the outcome phase every operating entity first reports fairness to its
        regulators, all reports measured together (:func:`reporting.report_fairness`)."""
        if phase == "outcome":
            reporting.report_fairness(
                sorted((e for e in members if e.operating), key=lambda e: e.index)
            )
        super().act(phase, model, members)

    def on_outcome(self) -> None:
        """Pay the cost of operating, having reported; misuse shared data, now and then (§3);
        exit when insolvent for too long."""
        model, ent, i = self.model, self.model.entity_arrays, self.index
        if not self.operating:
            return
        spec = model.spec.large_entities
        model.ledger.money[self.org] -= spec.operating_cost
        ent.costs[i] += spec.operating_cost
        # records handed over without use limits (§4.1: under terms, misuse is forbidden) or
        # processed on its rented-out machines (§2.2)
        com = model.community_arrays
        holds_data = (com.data_with == i) | (com.rented_from == i)
        ent.misused[i] = (
            bool(holds_data.any()) and model.rng.random() < model.spec.exchange.misuse_probability
        )
        insolvent = model.ledger.money[self.org] < -spec.credit_limit
        ent.insolvent_for[i] = ent.insolvent_for[i] + 1 if insolvent else 0
        if ent.insolvent_for[i] >= spec.exit_after:
            self.exit_market()

"""Communities (§2, §4): choose how to get a model, by their own values weighted by trust.

A community has a population and data of its own, a values profile (a fairness notion and
weights on accuracy, fairness, privacy and sovereignty), resources, a jurisdiction and trust in
every large entity. Each step it hires an annotator, pilots the model of every strategy it may
take (:mod:`hetsim.agents.strategies`) on its own freshest data, and picks one by utility under
its own values, each entity's option weighted by trust (§3: trust is delegated power). With
thousands of members, the role decides for all of them in one pass over the engine's arrays.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from hetsim.agents.practices import draw_practices
from hetsim.simulation.economy.annotation import choose_annotators
from hetsim.simulation.learning.capacity import capacity_share, compute_for_capacity
from hetsim.simulation.lending.ecosystem import satisfaction_term
from hetsim.simulation.roles import BulkRole, Role
from hetsim.simulation.strategy import Pilot, Strategy, Trial

if TYPE_CHECKING:
    from hetsim.simulation.model import EcosystemModel


class Community(BulkRole):
    """A small community deciding how to obtain and govern its model."""

    role_name = "community"

    # ---- readable views of this community's row ----
    @property
    def strategy(self) -> str:
        """Name of the current strategy."""
        return self.model.strategy_names[self.model.community_arrays.strategy[self.index]]

    @property
    def notion(self) -> str:
        """The fairness notion this community holds."""
        return str(self.model.community_arrays.notion[self.index])

    @property
    def trust(self) -> np.ndarray:
        """Trust in each large entity."""
        return self.model.ledger.trust[self.index]

    # ---- world building ----
    @classmethod
    def setup(cls, model: EcosystemModel, members: list[Role]) -> None:
        """Draw each community's values and resources: there is no standard profile."""
        com, led, rng = model.community_arrays, model.ledger, model.rng
        spec = model.spec.communities
        values = spec.values
        c = com.n
        if c == 0:
            return
        names = list(values.notions)
        freq = np.array([values.notions[k] for k in names], dtype=float)
        com.notion = np.array(names, dtype=object)[rng.choice(len(names), c, p=freq / freq.sum())]
        com.quota_target = np.full(c, values.quota_target)

        def spread(mean: float) -> np.ndarray:
            return mean * np.exp(values.weight_spread * rng.standard_normal(c))

        com.weight_accuracy = spread(values.weight_accuracy)
        com.weight_fairness = spread(values.weight_fairness)
        com.weight_privacy = spread(values.weight_privacy)
        com.weight_sovereignty = spread(values.weight_sovereignty)
        com.fairness_tolerance = np.full(c, values.fairness_tolerance)
        com.min_accuracy = np.full(c, values.min_accuracy)
        com.budget = spec.budget * np.exp(spec.budget_spread * rng.standard_normal(c))
        noise = rng.standard_normal(c)
        com.expertise = np.clip(spec.expertise + spec.expertise_spread * noise, 0.05, 1.0)
        orgs = led.community_org(np.arange(c))
        com.own_compute = spec.compute * np.exp(spec.compute_spread * rng.standard_normal(c))
        led.compute[orgs] = com.own_compute + spec.public_compute
        led.money[orgs] = com.budget
        led.trust[:] = model.spec.exchange.initial_trust
        r = model.counts["regulators"]
        com.jurisdiction = rng.integers(0, r, size=c) if r else np.full(c, -1)
        com.consortium = np.maximum(com.jurisdiction, 0)  # peers of one jurisdiction pool
        com.n_consortia = max(r, 1)
        com.explain_need = np.clip(
            values.explainability_need + values.explainability_spread * rng.standard_normal(c),
            0.0,
            1.0,
        )
        com.weight_explainability = spread(values.weight_explainability)
        com.max_epsilon = np.full(c, values.max_epsilon)
        com.epsilon = np.full(c, values.local_epsilon)
        practice = draw_practices(model.spec.practices, c, rng)
        com.fairness_check, com.mitigation = practice.fairness_check, practice.mitigation

    # ---- phases, for all members at once ----
    @classmethod
    def on_collect(cls, model: EcosystemModel) -> None:
        """Receive the step's budget and hire an annotator for the new records (§2.4.3)."""
        com, led, ann = model.community_arrays, model.ledger, model.annotator_arrays
        orgs = led.community_org(np.arange(com.n))
        led.money[orgs] += com.budget
        public = model.spec.communities.public_compute  # §2.2 public compute, where granted
        led.compute[orgs] = com.own_compute + public
        if public > 0 and model.counts["regulators"]:
            led.record_flow("compute", led.regulator_org(com.jurisdiction), orgs, public)
        cls.rent_compute(model)
        spend = com.budget * model.spec.communities.annotation_share
        per_record = spend / model.spec.communities.records_per_step
        com.annotator = choose_annotators(
            model.population.culture,
            per_record,
            ann.culture,
            ann.skill,
            ann.pay,
            model.spec.annotators,
            model.spec.communities.cultures,
            model.rng,
        )
        if ann.n:
            unaffordable = ann.pay[np.maximum(com.annotator, 0)] > per_record
            com.annotator[unaffordable] = -1  # label it ourselves

    @classmethod
    def rent_compute(cls, model: EcosystemModel) -> None:
        """Rent the compute it lacks to train on every record it holds (§2.2 compute market).

        A community asks for its records (after this step's collection) divided by its
        expertise, less the compute it owns or is granted, at most what its compute share of
        the budget buys at the going price; providers offer what their own training left idle.
        A provider's machines see the records they process, so renting exposes them to misuse
        as sharing does, and a community does not rent from a provider it trusts less than
        ``exchange.rent_trust_floor``.
        """
        com, led, ent, spec = (
            model.community_arrays,
            model.ledger,
            model.entity_arrays,
            model.spec.communities,
        )
        market, exchange = model.compute_market, model.spec.exchange
        orgs = led.community_org(np.arange(com.n))
        records = np.minimum(com.filled + spec.records_per_step, com.window)
        lacking = np.maximum(records / np.maximum(com.expertise, 1e-9) - led.compute[orgs], 0.0)
        if spec.buy_capacity:
            lacking += cls.capacity_demand(model, led.compute[orgs] + lacking)
        affordable = np.maximum(led.money[orgs], 0.0) * spec.compute_share / market.price
        asked = np.minimum(lacking, affordable)
        providers = np.flatnonzero(ent.active)
        idle = np.maximum(led.compute[led.entity_org(providers)] - ent.compute_used[providers], 0)
        # its machines would process the records: no one rents from a provider it distrusts (§3)
        eligible = led.trust[:, providers] >= exchange.rent_trust_floor
        units = market.clear(asked, idle, eligible)
        got = units.sum(axis=1)
        buyers = np.flatnonzero(got > 0)
        com.rented[:] = got
        com.rented_from[:] = -1
        if buyers.size:  # the provider that processed most of its records
            com.rented_from[buyers] = providers[np.argmax(units[buyers], axis=1)]
        b, p = np.nonzero(units)
        paid = units[b, p] * market.price
        sellers = led.entity_org(providers[p])
        led.compute[orgs[buyers]] += got[buyers]
        led.pay(orgs[b], sellers, paid)
        led.record_flow("compute", sellers, orgs[b], units[b, p])
        np.add.at(ent.revenue, providers[p], paid)
        market.rented, market.paid = float(got.sum()), float(paid.sum())
        cost = model.spec.large_entities.compute_price
        market.adjust(
            float(asked.sum()),
            float(idle.sum()),
            exchange.compute_rent_adjustment,
            floor=cost * model.spec.large_entities.compute_depreciation,
            ceiling=cost,
        )

    @classmethod
    def capacity_demand(cls, model: EcosystemModel, compute: np.ndarray) -> np.ndarray:
        """Compute a community rents beyond its records' need to buy model capacity (§2.2).

        By the utility rule of its choices: it expects the accuracy an entity's model had over
        its own at the last choice (``capacity_gain``, piloted on its newest records) to be
        reached at full capacity, linearly in κ from its own; each unit costs the going price,
        weighed as a fee against its budget. Only a community training its own model gains.
        """
        com, spec = model.community_arrays, model.spec
        half = spec.learning.capacity_compute
        kappa = capacity_share(compute, half)
        own = model.strategy_flag("builds_expertise") & ~model.strategy_flag("with_entity")
        value = com.weight_accuracy * com.capacity_gain / np.maximum(1.0 - kappa, 1e-9)
        unit_cost = spec.communities.values.weight_money * model.compute_market.price
        unit_cost = unit_cost / np.maximum(com.budget, 1e-9)
        return np.where(own, compute_for_capacity(compute, half, value, unit_cost), 0.0)

    @classmethod
    def allowed_strategies(cls, model: EcosystemModel) -> set[str]:
        """Strategies communities may take: the fixed one, or the scenario's list."""
        spec = model.spec.communities
        return {spec.strategy} if spec.strategy != "choose" else set(spec.strategies)

    @classmethod
    def on_choose(cls, model: EcosystemModel) -> None:
        """Pick a strategy by utility under own values, entities' options weighted by trust.

        Utility = accuracy and own-notion fairness of the option's model (piloted on the
        community's newest records) − money spent and + money earned relative to budget −
        privacy and sovereignty given up − unmet explainability need − a risk premium on
        distrusted providers (§3). Every strategy the scenario allows offers its options; the
        fallback strategy is always there as the last resort.
        """
        com, led = model.community_arrays, model.ledger
        spec = model.spec.communities
        c = com.n
        if c == 0:
            return
        pilot = Pilot(model)
        # developers' practice: a fairness check, when run, finds the deployed model's own gap
        checked = model.rng.random(c) < com.fairness_check
        last_gap = np.nan_to_num(model.deployment.gap_own, nan=0.0)
        com.mitigating = checked & (last_gap > com.fairness_tolerance) | (com.mitigating & ~checked)
        allowed = cls.allowed_strategies(model)
        alpha = spec.values.majority_rule_alpha
        imposed = spec.strategy != "choose"
        money = led.money[led.community_org(np.arange(c))]
        budget = np.maximum(com.budget, 1e-9)[:, None] / spec.values.weight_money
        codes, partners, utilities, feasibles, losers = [], [], [], [], []
        # what each option's model scored; whether it is one's own, or an entity's
        accuracies, owns, with_entity = [], [], []
        for strategy in model.strategies:
            if strategy.name not in allowed and not strategy.fallback:
                continue
            partner = strategy.partners(model)
            if partner.size == 0:
                continue
            trial = strategy.pilot(model, pilot, partner)
            utility, feasible = cls._weigh(model, strategy, partner, trial, budget, money)
            # nobody takes a model that does worse than the majority-class rule on its newest
            # records; the fallback strategy, or one the scenario imposes, falls back on the
            # rule itself
            loses = pilot.loses_to_rule(trial, alpha)
            if not (strategy.fallback or imposed):
                feasible &= ~loses
            feasible &= strategy.name in allowed
            losers.append(loses)
            accuracies.append(trial.accuracy)
            owns.append(np.full(partner.size, strategy.fallback))
            with_entity.append(np.full(partner.size, strategy.entity_controls))
            codes.append(np.full(partner.size, strategy.code))
            partners.append(partner)
            utilities.append(utility)
            feasibles.append(feasible)
        model.training.charge_inference(pilot.flops)
        accuracy = np.concatenate(accuracies, axis=1)
        own = np.concatenate(owns)
        entity = np.concatenate(with_entity)
        if own.any() and entity.any():
            best_other = np.nanmax(np.where(entity[None, :], accuracy, -np.inf), axis=1)
            best_own = np.nanmax(np.where(own[None, :], accuracy, -np.inf), axis=1)
            com.capacity_gain = np.nan_to_num(np.maximum(best_other - best_own, 0.0))
        strategy, partner = np.concatenate(codes), np.concatenate(partners)
        utility, feasible = np.concatenate(utilities, axis=1), np.concatenate(feasibles, axis=1)
        last_resort = strategy == model.fallback
        feasible[:, last_resort] |= ~feasible.any(axis=1, keepdims=True)
        # the incumbent option keeps a switching bonus
        incumbent = (strategy[None, :] == com.strategy[:, None]) & (
            partner[None, :] == com.partner[:, None]
        )
        utility = utility + spec.switching_cost * incumbent
        noisy = utility / spec.choice_temperature + model.rng.gumbel(size=utility.shape)
        noisy[~feasible] = -np.inf
        choice = np.argmax(noisy, axis=1)
        # a community whose chosen model (the fallback's) loses to the rule decides by the rule
        com.decides_by_rule = np.concatenate(losers, axis=1)[np.arange(c), choice]
        com.previous_strategy, com.previous_partner = com.strategy.copy(), com.partner.copy()
        com.strategy = strategy[choice]
        com.partner = partner[choice]

    @classmethod
    def _weigh(
        cls,
        model: EcosystemModel,
        strategy: Strategy,
        partner: np.ndarray,
        trial: Trial,
        budget: np.ndarray,
        money: np.ndarray,
    ) -> tuple[np.ndarray, np.ndarray]:
        """(C, k) utility and feasibility of a strategy's options under each community's values."""
        com, led = model.community_arrays, model.ledger
        values = model.spec.communities.values
        utility = trial.quality.copy()
        if strategy.with_entity:  # §3 trust as delegated power: distrust is a risk premium
            premium = 1.0 if strategy.entity_controls else values.adaptation_premium
            utility -= premium * (1.0 - led.trust[:, partner]) * values.trust_premium
        fee = np.broadcast_to(strategy.fee(model, partner), (com.n, partner.size))
        utility -= fee / budget
        income = strategy.expected_income(model, partner)
        if income is not None:
            utility += income / budget
        utility -= com.weight_privacy[:, None] * strategy.privacy(model, partner)[None, :]
        utility -= com.weight_sovereignty[:, None] * strategy.sovereignty(model, partner)[None, :]
        explainable = strategy.explainable(model, partner)
        utility -= (com.weight_explainability * com.explain_need)[:, None] * ~explainable[None, :]
        feasible = (fee <= money[:, None]) & (
            com.expertise[:, None] >= strategy.needed_expertise(model)
        )
        extra = strategy.feasible(model, partner)
        if extra is not None:
            feasible &= extra
        return utility, feasible

    @classmethod
    def on_train(cls, model: EcosystemModel) -> None:
        """Every community trains what its strategy needs (at first: the fallback strategy)."""
        if model.community_arrays.n == 0:
            return
        for strategy, users in model.users_of():
            if users.size:
                strategy.train(model, users)
                if type(strategy).train is not Strategy.train and not strategy.accounts_privacy:
                    # a model trained on their records without noise: privacy loss unbounded
                    model.community_arrays.privacy.record(users, None)

    @classmethod
    def on_outcome(cls, model: EcosystemModel) -> None:
        """Expertise grows with training one's own models and withers without (§2.2, §4.2).

        This is the lock-in of dependency: a community that relies on an entity's model for
        long loses the ability to go back to its own.
        """
        com, spec = model.community_arrays, model.spec.communities
        practising = model.strategy_flag("builds_expertise")
        com.expertise = np.where(
            practising,
            com.expertise + spec.expertise_growth * (1.0 - com.expertise),
            com.expertise * (1.0 - spec.expertise_decay),
        )

    @classmethod
    def on_trust(cls, model: EcosystemModel) -> None:
        """Trust follows outcomes experienced under the community's own values (§3).

        Satisfaction weighs accuracy, the own-notion gap and, when the community lends with
        the model, its applicants' mean credit-score change (``lending.satisfaction_weight``).
        """
        com, dep, led = model.community_arrays, model.deployment, model.ledger
        if com.n == 0 or model.entity_arrays.n == 0:
            return
        users = np.flatnonzero(model.strategy_flag("entity_controls"))
        lr = model.spec.exchange.trust_learning_rate
        if users.size:
            # neutral (0.5) exactly at the community's own acceptable accuracy and gap
            wa, wf = com.weight_accuracy[users], com.weight_fairness[users]
            surplus = wa * (dep.accuracy[users] - com.min_accuracy[users]) - wf * (
                dep.gap_own[users] - com.fairness_tolerance[users]
            )
            # decisions that change people: what lending did to the community's applicants
            surplus += satisfaction_term(model)[users]
            slope = model.spec.exchange.satisfaction_slope
            satisfaction = np.clip(0.5 + slope * surplus, 0.0, 1.0)
            partner = com.partner[users]
            led.trust[users, partner] += lr * (satisfaction - led.trust[users, partner])
        misused = np.flatnonzero(model.entity_arrays.misused)
        for e in misused:  # §3: misuse is found out by those whose records it held or processed
            exposed = (com.data_with == e) | (com.rented_from == e)
            led.trust[exposed, e] *= model.spec.exchange.misuse_trust_kept
        reputation = led.trust.mean(axis=0, keepdims=True)
        led.trust += model.spec.exchange.word_of_mouth * (reputation - led.trust)
        np.clip(led.trust, 0.0, 1.0, out=led.trust)

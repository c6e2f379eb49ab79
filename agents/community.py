"""Communities (§2, §4): choose how to get a model, by their own values weighted by trust.

A community has a population and data of its own, a values profile (a fairness notion and
weights on accuracy, fairness, privacy and sovereignty), resources, a jurisdiction and trust in
every large entity. Each step it hires an annotator, pilots every model it could use on its own
freshest data, and picks LOCAL (train its own), ADOPT (pay for an entity's model) or SHARE (give
its data for access) by utility under its own values, each entity's option weighted by trust
(§3: trust is delegated power). With thousands of members, the role decides for all of them in
one pass over the engine's arrays.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from hetsim.agents.practices import draw_practices
from hetsim.agents.strategies import CATALOGUE, FACILITATED_EXPERTISE, TRAINERS, train_local
from hetsim.simulation import metrics
from hetsim.simulation.annotation import choose_annotators
from hetsim.simulation.capacity import decision_scores_many
from hetsim.simulation.population import N_GROUPS
from hetsim.simulation.roles import Role
from hetsim.simulation.state import (
    ADOPT,
    DISTILL,
    FEDERATE,
    FINETUNE,
    LOCAL,
    POOL,
    SHARE,
    SPLIT,
    STRATEGIES,
)

if TYPE_CHECKING:
    from mesa.agent import AgentSet

    from hetsim.simulation.model import EcosystemModel

SATISFACTION_SLOPE = 5.0  # satisfaction per unit of value surplus
MISUSE_TRUST_KEPT = 0.5  # share of trust kept by a community whose shared data was misused


class Community(Role):
    """A small community deciding how to obtain and govern its model."""

    role_name = "community"

    # ---- readable views of this community's row ----
    @property
    def strategy(self) -> str:
        """Current strategy: local, adopt or share."""
        return STRATEGIES[self.model.community_arrays.strategy[self.index]]

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
        com.expertise = np.clip(spec.expertise + 0.15 * rng.standard_normal(c), 0.05, 1.0)
        orgs = led.community_org(np.arange(c))
        com.own_compute = spec.compute * np.exp(spec.compute_spread * rng.standard_normal(c))
        led.compute[orgs] = com.own_compute + spec.public_compute
        led.money[orgs] = com.budget
        led.trust[:] = model.spec.exchange.initial_trust
        r = model.counts["regulators"]
        com.jurisdiction = rng.integers(0, r, size=c) if r else np.full(c, -1)
        com.consortium = np.maximum(com.jurisdiction, 0)  # peers of one jurisdiction pool
        com.set_consortia(max(r, 1))
        com.explain_need = np.clip(
            values.explainability_need + 0.2 * rng.standard_normal(c), 0.0, 1.0
        )
        com.weight_explainability = spread(values.weight_explainability)
        com.max_epsilon = np.full(c, values.max_epsilon)
        com.epsilon = np.full(c, values.local_epsilon)
        practice = draw_practices(model.spec.practices, c, rng)
        com.fairness_check, com.mitigation = practice.fairness_check, practice.mitigation

    # ---- phases, for all members at once ----
    @classmethod
    def act(cls, phase: str, model: EcosystemModel, members: AgentSet) -> None:
        """Decide for every community in one pass."""
        if phase == "outcome":
            cls.practise(model)
        elif phase == "collect":
            cls.earn_and_hire(model)
        elif phase == "choose":
            cls.choose_strategies(model)
        elif phase == "train":
            cls.train_models(model)
        elif phase == "trust":
            cls.update_trust(model)

    @classmethod
    def earn_and_hire(cls, model: EcosystemModel) -> None:
        """Receive the step's budget and hire an annotator for the new records (§2.4.3)."""
        com, led, ann = model.community_arrays, model.ledger, model.annotator_arrays
        orgs = led.community_org(np.arange(com.n))
        led.money[orgs] += com.budget
        public = model.spec.communities.public_compute  # §2.2 public compute, where granted
        led.compute[orgs] = com.own_compute + public
        if public > 0 and model.counts["regulators"]:
            led.record_flow("compute", led.regulator_org(com.jurisdiction), orgs, public)
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
    def pilot(cls, model: EcosystemModel) -> tuple[np.ndarray, np.ndarray]:
        """Accuracy and own-notion gap of every candidate model on each community's newest
        annotated records. Columns: own local model, own alt model (finetuned, distilled or
        split), the consortium's pooled model, its federated model, then each entity's."""
        com, ent = model.community_arrays, model.entity_arrays
        n = model.spec.communities.records_per_step
        pos = (com.cursor[:, None] - n + np.arange(n)[None, :]) % com.window
        rows = np.arange(com.n)[:, None]
        x = com.x[rows, pos]
        label, group = com.label[rows, pos], com.group[rows, pos]
        allowed = cls.allowed_strategies(model)
        own = [
            (com.coef, com.intercept, True),
            (com.alt_coef, com.alt_intercept, bool(allowed & {"finetune", "distill", "split"})),
            (com.pool_coef[com.consortium], com.pool_intercept[com.consortium], "pool" in allowed),
            (
                com.fed_coef[com.consortium],
                com.fed_intercept[com.consortium],
                "federate" in allowed,
            ),
        ]
        columns = [(c, i) for c, i, needed in own if needed]
        piloted = [j for j, (_, _, needed) in enumerate(own) if needed]
        if ent.n and allowed & {"adopt", "share", "finetune", "distill", "split"}:
            columns += [(ent.coef[e], ent.intercept[e]) for e in range(ent.n)]
            piloted += [len(own) + e for e in range(ent.n)]
        k = len(columns)
        coef = np.stack([np.broadcast_to(c, (com.n, c.shape[-1])) for c, _ in columns], axis=1)
        intercept = np.stack([np.broadcast_to(i, (com.n,)) for _, i in columns], axis=1)
        score = decision_scores_many(x, coef, intercept)
        decision = (score > 0).astype(np.int8).reshape(com.n * k, n)
        rates = metrics.group_rates(
            np.repeat(label, k, axis=0), decision, np.repeat(group, k, axis=0), N_GROUPS
        )
        # columns not piloted (strategies not allowed) read as a coin flip with no gap
        acc = np.full((com.n, len(own) + ent.n), 0.5)
        gap = np.zeros((com.n, len(own) + ent.n))
        acc[:, piloted] = metrics.accuracy(rates).reshape(com.n, k)
        gap[:, piloted] = metrics.fairness_gap(
            rates, np.repeat(com.notion, k), np.repeat(com.quota_target, k)
        ).reshape(com.n, k)
        return np.nan_to_num(acc, nan=0.5), gap

    @classmethod
    def allowed_strategies(cls, model: EcosystemModel) -> set[str]:
        """Strategies communities may take: the fixed one, or the scenario's list."""
        spec = model.spec.communities
        return {spec.strategy} if spec.strategy != "choose" else set(spec.strategies)

    @classmethod
    def options(cls, n_entities: int) -> tuple[np.ndarray, np.ndarray]:
        """Strategy code and partner entity (-1: none) of every option a community weighs."""
        strategy, partner = [LOCAL, POOL, FEDERATE], [-1, -1, -1]
        for code in (ADOPT, SHARE, FINETUNE, DISTILL, SPLIT):
            strategy += [code] * n_entities
            partner += list(range(n_entities))
        return np.array(strategy), np.array(partner)

    @classmethod
    def choose_strategies(cls, model: EcosystemModel) -> None:
        """Pick a strategy by utility under own values, entities' options weighted by trust.

        Utility = accuracy and own-notion fairness of the option's model (piloted on the
        community's newest records) − money spent relative to budget − privacy and sovereignty
        given up − unmet explainability need − a risk premium on distrusted providers (§3).
        """
        com, ent, led = model.community_arrays, model.entity_arrays, model.ledger
        spec, exchange = model.spec.communities, model.spec.exchange
        c, e = com.n, ent.n
        if c == 0:
            return
        acc, gap = cls.pilot(model)
        # developers' practice: a fairness check, when run, finds the deployed model's own gap
        checked = model.rng.random(c) < com.fairness_check
        last_gap = np.nan_to_num(model.deployment.gap_own, nan=0.0)
        com.mitigating = checked & (last_gap > com.fairness_tolerance) | (com.mitigating & ~checked)
        quality = com.weight_accuracy[:, None] * acc - com.weight_fairness[:, None] * gap
        strategy, partner = cls.options(e)
        n_opt = strategy.size
        p = np.maximum(partner, 0)
        # estimated quality of each option's model
        q_local, q_alt, q_pool, q_fed = (quality[:, i] for i in range(4))
        q_entity = quality[:, 4:][:, p] if e else np.zeros((c, n_opt))
        estimate = np.where(partner[None, :] >= 0, q_entity, 0.0)
        estimate[:, strategy == LOCAL] = q_local[:, None]
        estimate[:, strategy == POOL] = q_pool[:, None]
        estimate[:, strategy == FEDERATE] = q_fed[:, None]
        for code in (FINETUNE, DISTILL, SPLIT):
            cols = np.flatnonzero(strategy == code)
            tried = (com.alt_strategy[:, None] == code) & (
                com.alt_partner[:, None] == partner[cols]
            )
            guess = (
                np.maximum(q_local[:, None], estimate[:, cols])
                if code == FINETUNE
                else (estimate[:, cols])
            )
            estimate[:, cols] = np.where(tried, q_alt[:, None], guess)
        # §3 trust as delegated power: distrust is a risk premium on the entity's options
        trust = led.trust[:, p] if e else np.zeros((c, n_opt))
        controls = np.array([CATALOGUE[s].entity_controls for s in strategy])
        premium = np.where(controls, 1.0, np.where(partner >= 0, 0.5, 0.0))
        utility = estimate - premium * (1.0 - trust) * spec.values.trust_premium
        # money, privacy, sovereignty, explainability
        price = ent.price[p] if e else np.zeros(n_opt)
        open_weights = ent.open_weights[p] if e else np.zeros(n_opt, dtype=bool)
        fee = np.select(
            [
                strategy == ADOPT,
                strategy == SHARE,
                strategy == SPLIT,
                (strategy == DISTILL) & ~open_weights,
            ],
            [
                price,
                price * (1.0 - exchange.share_discount),
                price * model.spec.large_entities.split_fee_share,
                price,
            ],
            0.0,
        )
        budget = np.maximum(com.budget, 1e-9)[:, None] / spec.values.weight_money
        utility -= fee[None, :] / budget
        privacy = np.array([CATALOGUE[s].privacy_cost for s in strategy])
        sovereignty = np.array([CATALOGUE[s].sovereignty_loss for s in strategy])
        if exchange.sovereignty_terms:  # §4.1 protocol: the data stay under the community's terms
            sovereignty = np.where(strategy == SHARE, 0.2, sovereignty)
        reluctance = np.where(strategy == SHARE, 2.0 * (1.0 - spec.share_propensity), 1.0)
        utility -= reluctance * (
            com.weight_privacy[:, None] * privacy + com.weight_sovereignty[:, None] * sovereignty
        )
        explainable = np.where(controls | (strategy == DISTILL), open_weights, True)
        explainable = explainable | (strategy == DISTILL)  # the student is the community's own
        utility -= (com.weight_explainability * com.explain_need)[:, None] * ~explainable
        # feasibility
        feasible = np.ones((c, n_opt), dtype=bool)
        money = led.money[led.community_org(np.arange(c))]
        feasible &= fee[None, :] <= money[:, None]
        needed = np.array([CATALOGUE[s].expertise for s in strategy])
        if exchange.consortium_facilitator:
            needed = np.where(strategy == FEDERATE, FACILITATED_EXPERTISE, needed)
        feasible &= com.expertise[:, None] >= needed[None, :]
        feasible[:, (strategy == FINETUNE) & ~open_weights] = False
        if e:  # an entity must promise the privacy the community demands for its data (§2.3)
            claimed = ent.claimed_epsilon[p]
            feasible &= ~(
                (strategy == SHARE)[None, :] & (claimed[None, :] > com.max_epsilon[:, None])
            )
        if not exchange.data_sharing:
            feasible[:, strategy == SHARE] = False
        allowed = np.isin(strategy, [STRATEGIES.index(n) for n in cls.allowed_strategies(model)])
        feasible &= allowed[None, :]
        feasible[:, 0] |= ~feasible.any(axis=1)  # local is the fallback of last resort
        # the incumbent option keeps a switching bonus
        incumbent = (strategy[None, :] == com.strategy[:, None]) & (
            partner[None, :] == com.partner[:, None]
        )
        utility = utility + spec.switching_cost * incumbent
        noisy = utility / spec.choice_temperature + model.rng.gumbel(size=utility.shape)
        noisy[~feasible] = -np.inf
        choice = np.argmax(noisy, axis=1)
        com.previous_strategy, com.previous_partner = com.strategy.copy(), com.partner.copy()
        com.strategy = strategy[choice]
        com.partner = partner[choice]

    @classmethod
    def train_models(cls, model: EcosystemModel) -> None:
        """Every community trains what its strategy needs; the first step trains all locally."""
        com = model.community_arrays
        if com.n == 0:
            return
        if model.steps == 0:
            train_local(model, np.arange(com.n))
            return
        for code, trainer in TRAINERS.items():
            trainer(model, np.flatnonzero(com.strategy == code))

    @classmethod
    def practise(cls, model: EcosystemModel) -> None:
        """Expertise grows with training one's own models and withers without (§2.2, §4.2).

        This is the lock-in of dependency: a community that relies on an entity's model for
        long loses the ability to go back to its own.
        """
        com, spec = model.community_arrays, model.spec.communities
        local = com.strategy == LOCAL
        com.expertise = np.where(
            local,
            com.expertise + spec.expertise_growth * (1.0 - com.expertise),
            com.expertise * (1.0 - spec.expertise_decay),
        )

    @classmethod
    def update_trust(cls, model: EcosystemModel) -> None:
        """Trust follows outcomes experienced under the community's own values (§3)."""
        com, dep, led = model.community_arrays, model.deployment, model.ledger
        if com.n == 0 or model.entity_arrays.n == 0:
            return
        users = np.flatnonzero(np.isin(com.strategy, (ADOPT, SHARE, SPLIT)))
        lr = model.spec.exchange.trust_learning_rate
        if users.size:
            # neutral (0.5) exactly at the community's own acceptable accuracy and gap
            wa, wf = com.weight_accuracy[users], com.weight_fairness[users]
            surplus = wa * (dep.accuracy[users] - com.min_accuracy[users]) - wf * (
                dep.gap_own[users] - com.fairness_tolerance[users]
            )
            satisfaction = np.clip(0.5 + SATISFACTION_SLOPE * surplus, 0.0, 1.0)
            partner = com.partner[users]
            led.trust[users, partner] += lr * (satisfaction - led.trust[users, partner])
        misused = np.flatnonzero(model.entity_arrays.misused)
        for e in misused:  # §3: misuse of shared data is found out by those who shared it
            sharers = (com.strategy == SHARE) & (com.partner == e)
            led.trust[sharers, e] *= MISUSE_TRUST_KEPT
        reputation = led.trust.mean(axis=0, keepdims=True)
        led.trust += model.spec.exchange.word_of_mouth * (reputation - led.trust)
        np.clip(led.trust, 0.0, 1.0, out=led.trust)

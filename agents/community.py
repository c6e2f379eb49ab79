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

from simulation import metrics
from simulation.annotation import choose_annotators
from simulation.capacity import decision_scores, feature_map, has_capacity, sample_budget
from simulation.population import N_GROUPS
from simulation.roles import Role
from simulation.state import ADOPT, LOCAL, SHARE, STRATEGIES
from simulation.training import TrainedModels

if TYPE_CHECKING:
    from mesa.agent import AgentSet

    from simulation.model import EcosystemModel

SATISFACTION_SLOPE = 5.0  # satisfaction per unit of value surplus
PRIVACY_COST = {LOCAL: 0.0, ADOPT: 0.1, SHARE: 0.5}  # inference data sent vs all data given


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
            cls.train_local_models(model)
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
        annotated records: column 0 is the community's own model, then each entity's."""
        com, ent = model.community_arrays, model.entity_arrays
        n = model.spec.communities.records_per_step
        pos = (com.cursor[:, None] - n + np.arange(n)[None, :]) % com.window
        rows = np.arange(com.n)[:, None]
        x = com.x[rows, pos]
        label, group = com.label[rows, pos], com.group[rows, pos]
        k = 1 + ent.n
        coef = np.concatenate(
            [com.coef[:, None, :], np.broadcast_to(ent.coef, (com.n, ent.n, ent.coef.shape[1]))],
            axis=1,
        )
        intercept = np.concatenate(
            [com.intercept[:, None], np.broadcast_to(ent.intercept, (com.n, ent.n))], axis=1
        )
        score = decision_scores(
            np.repeat(x, k, axis=0), coef.reshape(com.n * k, -1), intercept.reshape(-1)
        ).reshape(com.n, k, n)
        decision = (score > 0).astype(np.int8).reshape(com.n * k, n)
        rates = metrics.group_rates(
            np.repeat(label, k, axis=0), decision, np.repeat(group, k, axis=0), N_GROUPS
        )
        acc = metrics.accuracy(rates).reshape(com.n, k)
        gap = metrics.fairness_gap(
            rates, np.repeat(com.notion, k), np.repeat(com.quota_target, k)
        ).reshape(com.n, k)
        return np.nan_to_num(acc, nan=0.5), gap

    @classmethod
    def choose_strategies(cls, model: EcosystemModel) -> None:
        """Pick local, adopt or share by utility under own values, weighted by trust (§3, §4)."""
        com, ent, led = model.community_arrays, model.entity_arrays, model.ledger
        spec = model.spec.communities
        c, e = com.n, ent.n
        if c == 0:
            return
        if e == 0:
            com.strategy[:] = LOCAL
            com.partner[:] = -1
            return
        acc, gap = cls.pilot(model)
        quality = com.weight_accuracy[:, None] * acc - com.weight_fairness[:, None] * gap
        # §3 trust as delegated power: distrust is a risk premium on every entity's option
        perceived = quality[:, 1:] - (1.0 - led.trust) * spec.values.trust_premium
        budget = np.maximum(com.budget, 1e-9)[:, None] / spec.values.weight_money
        price = ent.price[None, :]
        discount = model.spec.exchange.share_discount
        sovereignty_loss = 2.0 * (1.0 - spec.share_propensity)
        utility = np.full((c, 1 + 2 * e), -np.inf)
        utility[:, 0] = quality[:, 0]
        utility[:, 1 : 1 + e] = (
            perceived - price / budget - com.weight_privacy[:, None] * PRIVACY_COST[ADOPT]
        )
        utility[:, 1 + e :] = (
            perceived
            - price * (1.0 - discount) / budget
            - com.weight_privacy[:, None] * PRIVACY_COST[SHARE]
            - com.weight_sovereignty[:, None] * sovereignty_loss
        )
        money = led.money[led.community_org(np.arange(c))][:, None]
        utility[:, 1 : 1 + e][price > money] = -np.inf
        utility[:, 1 + e :][price * (1.0 - discount) > money] = -np.inf
        if not model.spec.exchange.data_sharing:
            utility[:, 1 + e :] = -np.inf
        allowed = {"local": [0], "adopt": range(1, 1 + e), "share": range(1 + e, 1 + 2 * e)}
        if spec.strategy != "choose":
            mask = np.ones(1 + 2 * e, dtype=bool)
            mask[list(allowed[spec.strategy])] = False
            utility[:, mask] = -np.inf
        current = np.where(
            com.strategy == LOCAL, 0, np.where(com.strategy == ADOPT, 1, 1 + e) + com.partner
        )
        utility[np.arange(c), current] += spec.switching_cost
        noisy = utility / spec.choice_temperature + model.rng.gumbel(size=utility.shape)
        noisy[~np.isfinite(utility)] = -np.inf
        choice = np.argmax(noisy, axis=1)
        none_feasible = ~np.isfinite(utility).any(axis=1)
        choice[none_feasible] = 0
        com.strategy = np.where(choice == 0, LOCAL, np.where(choice <= e, ADOPT, SHARE))
        com.partner = np.where(choice == 0, -1, (choice - 1) % e)

    @classmethod
    def train_local_models(cls, model: EcosystemModel) -> None:
        """Communities that govern their own model retrain it on their window (§4)."""
        com, led = model.community_arrays, model.ledger
        if com.n == 0:
            return
        training = np.flatnonzero(com.strategy == LOCAL) if model.steps else np.arange(com.n)
        if training.size == 0:
            return
        compute = led.compute[led.community_org(training)]
        budget = np.minimum(sample_budget(compute, com.expertise[training]), com.filled[training])
        capacity = has_capacity(compute, model.spec.learning.capacity_compute)
        # Fits are stacked in buckets of similar sample budget, so a community that can afford
        # 30 records is not padded to the window's length.
        bucket = np.ceil(np.log2(np.maximum(budget, 1))).astype(np.int64)
        for level in np.unique(bucket):
            members = np.flatnonzero(bucket == level)
            who = training[members]
            rows = int(min(2**level, com.window))
            age = np.arange(rows)
            pos = (com.cursor[who, None] - 1 - age[None, :]) % com.window
            weight = (age[None, :] < budget[members, None]).astype(float)
            ticket = model.training.submit(
                feature_map(com.x[who[:, None], pos], capacity[members]),
                com.label[who[:, None], pos],
                weight,
                coef_init=com.coef[who],
                intercept_init=com.intercept[who],
            )
            model.training.on_done(ticket, cls._install, model, who)

    @staticmethod
    def _install(trained: TrainedModels, model: EcosystemModel, training: np.ndarray) -> None:
        """Put freshly trained local models in place."""
        com = model.community_arrays
        com.coef[training] = trained.coef
        com.intercept[training] = trained.intercept

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
        users = np.flatnonzero(com.strategy != LOCAL)
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
        reputation = led.trust.mean(axis=0, keepdims=True)
        led.trust += model.spec.exchange.word_of_mouth * (reputation - led.trust)
        np.clip(led.trust, 0.0, 1.0, out=led.trust)

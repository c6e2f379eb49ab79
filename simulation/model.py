"""The hetsim engine: a Mesa model that runs the named phases of DESIGN §2 every step.

One step (a quarter): drift and shocks → data collection and annotation → offers and choices
→ training → deployment and decisions → outcomes → audits and regulation → trust →
measurement. In each phase the engine does the bulk mechanics that are cheaper in one pass
(drawing data, batched training, applying deployed models) and every role acts through its
hooks. The engine never imports a concrete agent class or strategy: roles and community
strategies arrive as name → class mappings, and the engine asks each strategy in force what
it costs, what it moves and what it deploys (:mod:`hetsim.simulation.strategy`).
"""

from __future__ import annotations

from collections.abc import Mapping

import mesa
import numpy as np

from hetsim.simulation import decisions, lending, measures
from hetsim.simulation.economy.annotation import annotate, cultural_distance, flip_probability
from hetsim.simulation.economy.compute_market import ComputeMarket
from hetsim.simulation.learning.capacity import decision_scores
from hetsim.simulation.learning.training import TrainingService
from hetsim.simulation.ledger import Ledger
from hetsim.simulation.lending.environment import LendingStepRecord
from hetsim.simulation.population import N_GROUPS, Population
from hetsim.simulation.recorder import Recorder
from hetsim.simulation.roles import PHASES, Role
from hetsim.simulation.schema import Scenario
from hetsim.simulation.state import (
    AnnotatorArrays,
    CommunityArrays,
    Deployment,
    EntityArrays,
    Jurisdictions,
)
from hetsim.simulation.strategy import Strategy, check_strategies


class EcosystemModel(mesa.Model):
    """Large entities, communities, annotators and regulators exchanging data, models and trust.

    Args:
        scenario: the validated scenario.
        roles: role name → Role subclass, in acting order; keys are the scenario sections
            ``large_entities``, ``communities``, ``annotators``, ``regulators``.
        strategies: strategy name → Strategy subclass: every strategy a scenario may name; one
            of them is the ``fallback`` every community starts with.
        seed: overrides ``scenario.run.seed``; the one seed that determines the run.
    """

    def __init__(
        self,
        scenario: Scenario,
        roles: Mapping[str, type[Role]],
        strategies: Mapping[str, type[Strategy]],
        *,
        seed: int | None = None,
    ) -> None:
        check_strategies(scenario, strategies)
        seed = scenario.run.seed if seed is None else seed
        super().__init__(rng=seed)
        self.seed = seed
        self.members: dict[str, list[Role]] | None = None
        self.spec = scenario
        self.roles = dict(roles)
        self.strategies: list[Strategy] = [
            cls(code) for code, cls in enumerate(strategies.values())
        ]
        self.strategy_names: tuple[str, ...] = tuple(strategies)
        (self.fallback,) = (s.code for s in self.strategies if s.fallback)
        counts = {
            # scheduled entrants have rows from the start, inactive until they enter
            "large_entities": scenario.large_entities.count
            + len(scenario.large_entities.entries)
            + scenario.large_entities.entry_when_profitable.slots,
            "communities": scenario.communities.count,
            "annotators": scenario.annotators.count,
            "regulators": scenario.regulators.count,
        }
        self.counts = counts
        e, c, a, r = (
            counts[k] for k in ("large_entities", "communities", "annotators", "regulators")
        )
        self.population = Population.generate(
            scenario.data, c, scenario.communities.cultures, self.rng
        )
        self.ledger = Ledger(e, c, a, r)
        self.community_arrays = CommunityArrays(c, scenario.communities.window)
        self.community_arrays.strategy[:] = self.fallback
        self.community_arrays.previous_strategy[:] = self.fallback
        self.entity_arrays = EntityArrays(e, scenario.large_entities.pool_size)
        self.annotator_arrays = AnnotatorArrays(a)
        self.jurisdictions = Jurisdictions(r)
        self.deployment = Deployment(c, N_GROUPS)
        self.training = TrainingService(
            scenario.learning.l2,
            scenario.learning.max_iter,
            scenario.learning.warm_start,
            scenario.learning.kwh_per_gflop,
        )
        self.compute_market = ComputeMarket(scenario.exchange.compute_rent)
        self.recorder = Recorder(self)
        self.members = {}
        for section, role in self.roles.items():
            self.members[section] = [role(self, i) for i in range(counts.get(section, 0))]
        # the rules exist before anyone acts under them: regulators are set up first
        for section in sorted(self.roles, key=lambda name: name != "regulators"):
            self.roles[section].setup(self, self.members[section])
        for strategy in self.strategies:
            strategy.setup(self)
        self.lending = lending.domain(scenario, c)  # None unless the scenario lends
        self.lending_record: lending.LendingOutcome | LendingStepRecord | None = None
        self._seed_data()
        self.ledger.start_step()
        self._run_phase("train")
        self.training.start_step()
        self.ledger.start_step()

    @property
    def spec(self) -> Scenario:
        """The scenario in force."""
        return self._spec

    @spec.setter
    def spec(self, scenario: Scenario) -> None:
        """Continue under a changed scenario (an intervention from this step on).

        Keys that size arrays (role counts, windows, pools) cannot change mid-run; rules and
        terms held in arrays are re-read by each role's :meth:`Role.adopt_scenario` hook.
        """
        self._spec = scenario
        if getattr(self, "members", None) is None or self.members is None:
            return  # still being built
        for section in sorted(self.roles, key=lambda name: name != "regulators"):
            self.roles[section].adopt_scenario(self, self.members[section])

    # ------------------------------------------------------------------ the step
    def step(self) -> None:
        """Run every phase of one step in order; ``running`` turns False at the planned length.

        Mesa's convention (``Model.run_model``, SolaraViz's Play) is to stop once ``running`` is
        False; ``step()`` itself still steps, so a runner asked for more steps can go on.
        """
        self.ledger.start_step()
        self.training.start_step()
        self.jurisdictions.start_step()
        self.entity_arrays.revenue[:] = 0.0
        self.entity_arrays.costs[:] = 0.0
        self.entity_arrays.invested[:] = 0.0
        for phase in PHASES:
            self._run_phase(phase)
        if self.steps >= self.spec.run.steps:
            self.running = False

    def _run_phase(self, phase: str) -> None:
        before = getattr(self, f"_before_{phase}", None)
        if before is not None:
            before()
        for section, role in self.roles.items():
            members = (
                self.agents_by_type.get(role)
                if self.members and self.members.get(section)
                else None
            )
            if members is not None:
                role.act(phase, self, members)
        after = getattr(self, f"_after_{phase}", None)
        if after is not None:
            after()

    # ------------------------------------------------------------------ initial data
    def _seed_data(self) -> None:
        """Give communities a full window of self-labelled records, entities a first scrape."""
        com = self.community_arrays
        if com.n:
            sample = self.population.draw(com.window, self.rng)
            flip = flip_probability(
                np.zeros(com.n),
                np.full(com.n, self.spec.annotators.fair_pay),
                np.full(com.n, self.spec.annotators.self_skill),
                self.spec.annotators,
            )
            labels = annotate(sample.y, flip, self.rng)
            com.append(sample.x, sample.group, labels)
            self.ledger.records_collected += com.window
        ent = self.entity_arrays
        for i in np.flatnonzero(ent.active):
            self.scrape(int(i), self.spec.large_entities.pool_size // 4, annotator=-1)

    # ------------------------------------------------------------------ drift
    def _before_drift(self) -> None:
        """Temporal drift and scheduled shocks (§2.1, §2.4.1)."""
        self.population.drift(self.spec.data.drift, self.rng)
        for shock in self.spec.data.shocks:
            if shock.step == self.steps:
                self.population.apply_shock(shock, self.rng)

    # ------------------------------------------------------------------ collection
    def _after_collect(self) -> None:
        """Communities draw this step's individuals; hired annotators label them (§2.4.3)."""
        com, ann = self.community_arrays, self.annotator_arrays
        spec = self.spec
        ann.records[:] = 0
        ann.income[:] = 0
        ann.correct[:] = 0
        if com.n:
            n = spec.communities.records_per_step
            sample = self.population.draw(n, self.rng)
            hired = com.annotator
            flip = self.label_flip(hired, self.population.culture)
            labels = annotate(sample.y, flip, self.rng)
            correct = (labels == sample.y).sum(axis=1)
            com.label_accuracy = correct / n
            com.append(sample.x, sample.group, labels)
            self.ledger.records_collected += n
            self._last_batch = sample
            self._last_labels = labels
            paid = hired >= 0
            if paid.any():
                who = hired[paid]
                fee = ann.pay[who] * n
                self.ledger.pay(
                    self.ledger.community_org(np.flatnonzero(paid)),
                    self.ledger.annotator_org(who),
                    fee,
                )
                np.add.at(ann.records, who, n)
                np.add.at(ann.income, who, fee)
                np.add.at(ann.correct, who, correct[paid])
        for i in np.flatnonzero(self.entity_arrays.active):
            self.scrape(
                int(i), spec.large_entities.records_per_step, self.entity_arrays.annotator[i]
            )

    def label_flip(self, annotator: np.ndarray, data_culture: np.ndarray) -> np.ndarray:
        """Flip rate of labels written by ``annotator`` (-1: self) on data of a culture."""
        ann, spec = self.annotator_arrays, self.spec.annotators
        hired = annotator >= 0
        idx = np.where(hired, annotator, 0)
        if ann.n == 0:
            hired = np.zeros_like(hired)
        culture = ann.culture[idx] if ann.n else np.zeros_like(idx)
        mismatch = np.where(
            hired, cultural_distance(culture, data_culture, self.spec.communities.cultures), 0.0
        )
        pay = np.where(hired, ann.pay[idx] if ann.n else 0.0, spec.fair_pay)
        skill = np.where(hired, ann.skill[idx] if ann.n else 0.0, spec.self_skill)
        return flip_probability(mismatch, pay, skill, spec)

    def scrape(self, entity: int, n: int, annotator: int) -> None:
        """An entity gathers ``n`` records from random communities, under-sampling minorities."""
        com = self.community_arrays
        if n <= 0 or com.n == 0:
            return
        origin = self.rng.integers(0, com.n, size=n)
        uniq, counts = np.unique(origin, return_counts=True)
        per = int(counts.max())
        sample = self.population.draw(
            per, self.rng, uniq, self.spec.large_entities.scrape_minority_weight
        )
        keep = np.arange(per)[None, :] < counts[:, None]
        x, a, y = sample.x[keep], sample.a[keep], sample.y[keep]
        org = np.repeat(uniq, counts)
        flip = self.label_flip(np.full(len(org), annotator), self.population.culture[org])
        labels = annotate(y, flip, self.rng)
        ann = self.annotator_arrays
        if annotator >= 0 and ann.n:
            fee = ann.pay[annotator] * len(org)
            self.ledger.pay(
                self.ledger.entity_org(entity), self.ledger.annotator_org(annotator), fee
            )
            self.entity_arrays.costs[entity] += fee
            ann.records[annotator] += len(org)
            ann.income[annotator] += fee
            ann.correct[annotator] += int((labels == y).sum())
        self.entity_arrays.offer(entity, x, a, labels, org, self.rng)
        self.ledger.records_scraped[entity] += len(org)

    # ------------------------------------------------------------------ exchange
    def strategy_flag(self, flag: str) -> np.ndarray:
        """(C,) a class attribute of each community's strategy, e.g. ``entity_controls``."""
        values = np.array([getattr(s, flag) for s in self.strategies])
        return values[self.community_arrays.strategy]

    def users_of(self) -> list[tuple[Strategy, np.ndarray]]:
        """Each strategy with the communities taking it this step."""
        strategy = self.community_arrays.strategy
        # one stable sort instead of a comparison per strategy: each group stays ascending
        order = np.argsort(strategy, kind="stable")
        counts = np.bincount(strategy, minlength=len(self.strategies))
        ends = np.cumsum(counts)
        starts = ends - counts
        return [(s, order[starts[s.code] : ends[s.code]]) for s in self.strategies]

    def _after_choose(self) -> None:
        """Execute the choices: fees paid, then each strategy moves data and money (§3, §4.1)."""
        com, ent, ledger = self.community_arrays, self.entity_arrays, self.ledger
        ent.paying_users[:] = 0
        if com.n == 0:
            return
        com.data_with[:] = -1
        for strategy, users in self.users_of():
            if users.size == 0:
                continue
            partner = com.partner[users]
            fee = np.broadcast_to(strategy.fee(self, partner), users.shape)
            if strategy.with_entity:
                orgs = ledger.entity_org(partner)
                ledger.record_flow("model", orgs, ledger.community_org(users), 1.0)
                ledger.pay(ledger.community_org(users), orgs, fee)
                np.add.at(ent.revenue, partner, fee)
                np.add.at(ent.paying_users, partner, (fee > 0).astype(np.int64))
        for strategy, users in self.users_of():
            strategy.settle(self, users)

    def hand_over_batch(
        self, communities: np.ndarray, entities: np.ndarray, on_terms: bool = False
    ) -> None:
        """Put this step's annotated records of ``communities`` into the entities' pools,
        held on the communities' terms (§4.1) or on the entities' own."""
        batch, labels = self._last_batch, self._last_labels
        n = batch.x.shape[1]
        for e in np.unique(entities):
            mine = communities[entities == e]
            self.entity_arrays.offer(
                int(e),
                batch.x[mine].reshape(-1, batch.x.shape[2]),
                batch.a[mine].ravel(),
                labels[mine].ravel(),
                np.repeat(mine, n),
                self.rng,
                on_terms,
            )

    def withdraw_records(self, entity: int, community: int) -> None:
        """A community takes back the records an entity holds of it under its terms (§4.1)."""
        ledger = self.ledger
        self.entity_arrays.withdraw(entity, community)
        held = ledger.records_sovereign_by_origin[entity, community]
        ledger.records_by_origin[entity, community] -= held
        ledger.records_sovereign_by_origin[entity, community] = 0.0
        ledger.records_given_sovereign[community] = max(
            ledger.records_given_sovereign[community] - held, 0
        )
        ledger.record_flow("data", ledger.entity_org(entity), ledger.community_org(community), held)

    # ------------------------------------------------------------------ training
    def _after_train(self) -> None:
        """Fit every model requested in this phase, in one batched solve per shape."""
        self.training.run()

    # ------------------------------------------------------------------ deployment
    def deployed_scores(self, users: np.ndarray, x: np.ndarray) -> np.ndarray:
        """Logits (len(users), n) of each community's deployed model on raw features x."""
        com = self.community_arrays
        strategy = com.strategy[users]
        score = np.zeros(x.shape[:2])
        for s in self.strategies:
            mine = np.flatnonzero(strategy == s.code)
            if mine.size:
                score[mine] = s.scores(self, users[mine], x[mine])
        # a community whose every option lost to the majority-class rule decides by the rule
        rule = com.decides_by_rule[users]
        score[rule] = np.where(com.majority_class()[users[rule]], 1.0, -1.0)[:, None]
        return score

    def providers(self) -> np.ndarray:
        """(C,) organisation controlling each community's deployed model (§3 dependency)."""
        com, led = self.community_arrays, self.ledger
        provider = led.community_org(np.arange(com.n))
        controlled = self.strategy_flag("entity_controls")
        provider[controlled] = led.entity_org(com.partner[controlled])
        return provider

    def _before_deploy(self) -> None:
        """Deployed models decide on fresh individuals; outcomes are measured per group."""
        decisions.decide(self)

    # ------------------------------------------------------------------ outcomes
    def _after_outcome(self) -> None:
        """Lending decisions change people: their groups' credit scores shift (Liu et al. 2018)."""
        if self.lending is not None:
            self.lending_record = self.lending.step(self)

    # ------------------------------------------------------------------ audits
    def audit_gap(self, entity: int, jurisdiction: int, n: int) -> float:
        """Recompute an entity's mandated gap on fresh data from a jurisdiction (§3)."""
        members = np.flatnonzero(self.community_arrays.jurisdiction == jurisdiction)
        return self.fresh_gap(entity, members, str(self.jurisdictions.notion[jurisdiction]), n)

    def fresh_gap(self, entity: int, communities: np.ndarray, notion: str, n: int) -> float:
        """An entity model's gap (by attribute a) on fresh people from up to 20 communities."""
        if communities.size == 0:
            return float("nan")
        chosen = self.rng.choice(communities, size=min(communities.size, 20), replace=False)
        per = max(1, n // chosen.size)
        sample = self.population.draw(per, self.rng, np.sort(chosen))
        ent = self.entity_arrays
        x = sample.x.reshape(1, -1, sample.x.shape[2])
        score = decision_scores(
            x, ent.coef[entity : entity + 1], ent.intercept[entity : entity + 1]
        )
        decision = (score > 0).astype(np.int8)
        rates = measures.group_rates(
            sample.y.reshape(1, -1), decision, sample.a.reshape(1, -1), N_GROUPS
        )
        return float(measures.fairness_gap(rates, notion)[0])

    # ------------------------------------------------------------------ measurement
    def _after_measure(self) -> None:
        self.recorder.record()

"""The community strategy protocol (§4): how a community obtains the model it deploys.

Each strategy is one module of :mod:`hetsim.agents.strategies` implementing :class:`Strategy`;
the engine and the community's choice loop iterate over the strategies a scenario allows and
never name one. A strategy answers, for the communities that take it:

* **choice** — which options it offers (one, or one per partner entity), what each costs per
  step (:meth:`Strategy.fee`, the one place a fee is computed), what it gives up in privacy and
  sovereignty, whether its model can be explained, who may take it (:meth:`Strategy.feasible`),
  and how good its model is, piloted on the community's newest records (:meth:`Strategy.pilot`);
* **exchange** — what data and money move once chosen, under whose custody
  (:meth:`Strategy.settle`);
* **training** — who fits what, and who pays the compute (:meth:`Strategy.train`);
* **deployment** — the deployed model's decision scores (:meth:`Strategy.scores`), who controls
  it (``entity_controls``: the dependency of §3) and the privacy loss of the data it learnt from
  (:meth:`Strategy.epsilon`).

Strategies keep their own state (their models) on the instance, allocated in :meth:`setup`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, ClassVar, NamedTuple

import numpy as np
from pydantic import Field, ValidationError
from scipy import stats

from hetsim.simulation import measures
from hetsim.simulation.learning.capacity import decision_scores, decision_scores_many
from hetsim.simulation.population import N_GROUPS
from hetsim.simulation.schema import Probability, Scenario, ScenarioError, Section

if TYPE_CHECKING:
    from hetsim.simulation.model import EcosystemModel


class Trial(NamedTuple):
    """How candidate models did on a community's newest records: arrays (C, k)."""

    accuracy: np.ndarray
    gap: np.ndarray  # fairness gap under the community's own notion
    quality: np.ndarray  # w_a · accuracy − w_f · gap under the community's own weights
    selection: np.ndarray  # share of the records the model decides 1 on

    def columns(self, cols: np.ndarray) -> Trial:
        """The trial of some candidates only."""
        return Trial(*(a[:, cols] for a in self))

    def where(self, mask: np.ndarray, other: Trial) -> Trial:
        """This trial where ``mask`` holds, the other elsewhere."""
        return Trial(*(np.where(mask, a, b) for a, b in zip(self, other, strict=True)))

    def best(self, other: Trial) -> Trial:
        """The better of two trials, candidate by candidate, by quality."""
        return self.where(self.quality >= other.quality, other)


class Pilot:
    """A community's trial of candidate models on its newest annotated records (§4).

    The newest records arrived after every candidate was last trained, so the trial is on
    held-out data. Candidates are evaluated once per key, so strategies that deploy the same
    model (an entity's) share one evaluation.
    """

    def __init__(self, model: EcosystemModel) -> None:
        com = model.community_arrays
        n = model.spec.communities.records_per_step
        pos = (com.cursor[:, None] - n + np.arange(n)[None, :]) % com.window
        rows = np.arange(com.n)[:, None]
        self.x = com.x[rows, pos]
        self.label, self.group = com.label[rows, pos], com.group[rows, pos]
        self.notion, self.quota = com.notion, com.quota_target
        self.weight_accuracy, self.weight_fairness = com.weight_accuracy, com.weight_fairness
        self._cache: dict[str, Trial] = {}
        self.flops = 0.0  # work of the trials, charged as inference
        # the majority-class rule of each community's window, tried on the same records (§4:
        # the least any model must beat to be worth deploying)
        self.majority = com.majority_class()
        self.rule_accuracy = (self.label == self.majority[:, None]).mean(axis=1)

    def linear(self, key: str, coef: np.ndarray, intercept: np.ndarray) -> Trial:
        """Quality of linear models: coef (C, k, d) and intercept (C, k), or shared (k, d)."""
        if key not in self._cache:
            c = self.x.shape[0]
            if coef.ndim == 2:
                coef, intercept = coef[None], intercept[None]
            coef = np.broadcast_to(coef, (c, *coef.shape[1:]))
            intercept = np.broadcast_to(intercept, (c, coef.shape[1]))
            self._cache[key] = self._evaluate(decision_scores_many(self.x, coef, intercept))
            self.flops += 2.0 * coef.shape[-1] * self.x.shape[0] * coef.shape[1] * self.x.shape[1]
        return self._cache[key]

    def scored(self, key: str, score: np.ndarray) -> Trial:
        """Trial of any model from its scores (C, k, n) on the pilot records."""
        if key not in self._cache:
            self._cache[key] = self._evaluate(score)
        return self._cache[key]

    def _evaluate(self, score: np.ndarray) -> Trial:
        c, k, n = score.shape
        decision = (score > 0).astype(np.int8).reshape(c * k, n)
        rates = measures.group_rates(
            np.repeat(self.label, k, axis=0), decision, np.repeat(self.group, k, axis=0), N_GROUPS
        )
        acc = np.nan_to_num(measures.accuracy(rates).reshape(c, k), nan=0.5)
        gap = measures.fairness_gap(
            rates, np.repeat(self.notion, k), np.repeat(self.quota, k)
        ).reshape(c, k)
        quality = self.weight_accuracy[:, None] * acc - self.weight_fairness[:, None] * gap
        selection = ((rates.tp + rates.fp).sum(axis=1) / n).reshape(c, k)
        return Trial(acc, gap, quality, selection)

    def loses_to_rule(self, trial: Trial, alpha: float) -> np.ndarray:
        """(C, k) models significantly less accurate than the majority-class rule on the pilot
        records: McNemar's test (one-sided, level ``alpha``; Dietterich 1998) on the records
        where model and rule disagree — those the model decides against the rule's class."""
        n = self.label.shape[1]
        disagree = np.where(self.majority[:, None], 1.0 - trial.selection, trial.selection) * n
        excess = (self.rule_accuracy[:, None] - trial.accuracy) * n  # rule's wins minus model's
        z = stats.norm.isf(alpha) if alpha > 0 else np.inf
        return excess > z * np.sqrt(np.maximum(disagree, 1e-12))


class StrategyParams(Section):
    """What taking a strategy costs a community beside money (§4); each strategy sets its own
    defaults and may add keys of its own."""

    privacy_cost: Probability = Field(
        0.0,
        description="exposure of the community's people, 0 (none) .. 1 (all records handed over)",
    )
    sovereignty_loss: Probability = Field(
        0.0, description="control over the community's data given up, 0 .. 1 (§4.1)"
    )
    expertise: Probability = Field(0.0, description="least ML expertise a community needs")


class Strategy:
    """One technical path to a model (§4). Subclasses set the class attributes and hooks.

    Args:
        code: this strategy's index in the model's strategy list (the value stored in
            ``community_arrays.strategy``).
    """

    name: ClassVar[str] = "strategy"
    section: ClassVar[str] = "§4"  # paper section staged
    summary: ClassVar[str] = ""  # completes "share of communities ..." (docs/metrics.md)
    with_entity: ClassVar[bool] = False  # one option per large entity (the partner)
    entity_controls: ClassVar[bool] = False  # the partner keeps (part of) the deployed model
    serves_partner_model: ClassVar[bool] = False  # the deployed model IS the partner's model
    Params: ClassVar[type[StrategyParams]] = StrategyParams  # its scenario keys and defaults
    fallback: ClassVar[bool] = False  # what every community does first and as a last resort
    accounts_privacy: ClassVar[bool] = False  # its train() records its DP releases itself
    builds_expertise: ClassVar[bool] = False  # the community practises ML by taking it (§2.2)

    def __init__(self, code: int) -> None:
        self.code = code
        self._params: StrategyParams | None = None
        self._params_of: Scenario | None = None

    def params(self, model: EcosystemModel) -> StrategyParams:
        """This strategy's parameters in the scenario in force (``[strategy.<name>]``)."""
        if self._params_of is not model.spec:
            self._params = self.Params(**model.spec.strategy.get(self.name, {}))
            self._params_of = model.spec
        assert self._params is not None
        return self._params

    # ------------------------------------------------------------------ set-up
    def setup(self, model: EcosystemModel) -> None:
        """Allocate this strategy's state (its models) when the world is built."""

    # ------------------------------------------------------------------ choice
    def partners(self, model: EcosystemModel) -> np.ndarray:
        """Partner entity of each option this strategy offers (-1: no partner)."""
        if self.with_entity:  # entities operating and able to serve (firm dynamics)
            return np.flatnonzero(model.entity_arrays.active & model.entity_arrays.serving)
        return np.array([-1])

    def fee(self, model: EcosystemModel, partner: np.ndarray) -> np.ndarray:
        """Money per step a community pays the partner for each option (default: nothing)."""
        return np.zeros(np.shape(partner))

    def expected_income(self, model: EcosystemModel, partner: np.ndarray) -> np.ndarray | None:
        """(C, k) money per step a community expects the option to earn it; None: nothing."""
        return None

    def privacy(self, model: EcosystemModel, partner: np.ndarray) -> np.ndarray:
        """Exposure of the community's people by each option, 0 .. 1."""
        return np.full(np.shape(partner), self.params(model).privacy_cost)

    def sovereignty(self, model: EcosystemModel, partner: np.ndarray) -> np.ndarray:
        """Control over the community's data given up by each option, 0 .. 1."""
        return np.full(np.shape(partner), self.params(model).sovereignty_loss)

    def explainable(self, model: EcosystemModel, partner: np.ndarray) -> np.ndarray:
        """Whether the deployed model of each option can be explained: it is open to the
        community (its own, or the partner's open weights)."""
        if not self.entity_controls:
            return np.ones(np.shape(partner), dtype=bool)
        ent = model.entity_arrays
        return ent.open_weights[np.maximum(partner, 0)] if ent.n else np.zeros(0, dtype=bool)

    def feasible(self, model: EcosystemModel, partner: np.ndarray) -> np.ndarray | None:
        """(C, k) options a community may take beyond money and expertise; None: all."""
        return None

    def needed_expertise(self, model: EcosystemModel) -> float:
        """Least expertise a community needs to take this strategy."""
        return self.params(model).expertise

    def pilot(self, model: EcosystemModel, pilot: Pilot, partner: np.ndarray) -> Trial:
        """How each option's model (C, k) does on each community's newest records."""
        raise NotImplementedError(f"strategy {self.name!r} does not say how it is piloted")

    # ------------------------------------------------------------------ exchange
    def settle(self, model: EcosystemModel, users: np.ndarray) -> None:
        """Move data and money beyond the fee once the choices are made."""

    # ------------------------------------------------------------------ training
    def train(self, model: EcosystemModel, users: np.ndarray) -> None:
        """Fit (or submit to the training service) what the users' deployed model needs."""

    # ------------------------------------------------------------------ deployment
    def scores(self, model: EcosystemModel, users: np.ndarray, x: np.ndarray) -> np.ndarray:
        """Decision logits (len(users), n) of each user's deployed model on raw features x."""
        coef, intercept = self.deployed(model, users)
        return decision_scores(x, coef, intercept)

    def deployed(self, model: EcosystemModel, users: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Coefficients (len(users), d) and intercepts of a linear deployed model."""
        raise NotImplementedError(f"strategy {self.name!r} does not say what it deploys")

    def epsilon(self, model: EcosystemModel, users: np.ndarray) -> np.ndarray:
        """DP ε that protected the data each user's deployed model learnt from (inf: none)."""
        return np.full(users.size, np.inf)

    def enforced_notion(self, model: EcosystemModel, users: np.ndarray) -> np.ndarray | None:
        """Fairness notion the deployed model is post-processed for (group thresholds), per
        user, or None when the strategy leaves it to the community's own practice."""
        return None

    # ------------------------------------------------------------------ measurement
    def measures(self, model: EcosystemModel) -> dict[str, float]:
        """Metric columns of this strategy's own (documented in :attr:`metric_columns`)."""
        return {}

    metric_columns: ClassVar[Mapping[str, str]] = {}


def access_price(model: EcosystemModel, partner: np.ndarray) -> np.ndarray:
    """The partner entity's current price of model access per step (§3)."""
    ent = model.entity_arrays
    return ent.price[np.maximum(partner, 0)] if ent.n else np.zeros(np.shape(partner))


def check_strategies(scenario: Scenario, strategies: Mapping[str, type[Strategy]]) -> None:
    """The scenario names only strategies of the mapping, and exactly one is the fallback."""
    known = list(strategies)
    for key, cls in strategies.items():
        if cls.name != key:
            raise ValueError(f"strategy mapping: {key!r} maps to a class named {cls.name!r}")
    fallbacks = [key for key, cls in strategies.items() if cls.fallback]
    if len(fallbacks) != 1:
        raise ValueError(f"strategy mapping: exactly one fallback strategy, found {fallbacks}")
    spec = scenario.communities
    for name in spec.strategies:
        if name not in strategies:
            raise ScenarioError(
                f"communities.strategies: {name!r} is not a strategy; allowed: {', '.join(known)}"
            )
    if spec.strategy != "choose" and spec.strategy not in strategies:
        raise ScenarioError(
            f"communities.strategy = {spec.strategy!r}: allowed: choose, {', '.join(known)}"
        )
    for name, values in scenario.strategy.items():
        if name not in strategies:
            raise ScenarioError(f"strategy.{name}: not a strategy; allowed: {', '.join(known)}")
        params = strategies[name].Params
        try:
            params(**values)
        except ValidationError as exc:
            error = exc.errors()[0]
            key = ".".join(str(p) for p in error["loc"])
            where = f"strategy.{name}.{key}"
            if error["type"] == "extra_forbidden":
                allowed = ", ".join(params.model_fields)
                raise ScenarioError(f"{where}: unknown key; allowed: {allowed}") from None
            raise ScenarioError(f"{where} = {error['input']!r}: {error['msg']}") from None

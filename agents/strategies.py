"""The technical paths a community can take to a model (§4), as a catalogue plus trainers.

Each strategy is one entry: what it costs in privacy, sovereignty and expertise, who controls
the resulting model, and how the community (or its consortium) trains it. The community's
choice (:mod:`agents.community`) weighs these under its own values; the trainers here fit the
models in bulk for every community that chose the strategy this step.

- ``local``: train its own model on its own annotated data.
- ``adopt``: pay for access to an entity's model; the entity controls it (§3 dependency).
- ``share``: give its data to an entity for access, on the entity's terms or, under the data
  sovereignty protocol, on its own (§4.1).
- ``pool``: pool data with peers under collective ownership (§4.1, the farmers' example).
- ``finetune``: adapt an entity's open weights to local data (warm start + proximal penalty);
  transfer can be negative when source and target differ (§4.2).
- ``distill``: train a small student on the teacher's soft labels to fit small compute (§4.2).
- ``federate``: join a FedAvg consortium; the global model can fail members whose data
  differ (§4.3).
- ``split``: split learning; the server keeps the head, hence part of the model needed for
  inference (§4.3).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from hetsim.simulation import fairness
from hetsim.simulation.capacity import feature_map, has_capacity, sample_budget
from hetsim.simulation.federated import fedavg
from hetsim.simulation.learning import fit_logistic
from hetsim.simulation.privacy import dp_fit_logistic
from hetsim.simulation.state import (
    ADOPT,
    DISTILL,
    FEDERATE,
    FINETUNE,
    LOCAL,
    MITIGATIONS,
    POOL,
    SHARE,
    SPLIT,
)
from hetsim.simulation.transfer import decision_divergence, distill, finetune

if TYPE_CHECKING:
    from hetsim.simulation.model import EcosystemModel

FINETUNE_STRENGTH = 5.0  # proximal pull toward the pretrained weights (§4.2)
POOL_ROWS_PER_MEMBER = 120  # records each member contributes to a pooled fit
FEDERATED_ROUNDS = 3


@dataclass(frozen=True)
class StrategySpec:
    """What a strategy costs and who controls its model."""

    code: int
    name: str
    with_entity: bool  # the option names a partner entity
    entity_controls: bool  # the deployed model (or its head) stays with the entity
    privacy_cost: float  # exposure of the community's people: 0 none .. 1 all data handed over
    sovereignty_loss: float  # control over the community's data given up, 0 .. 1
    expertise: float  # minimum expertise needed
    section: str  # paper section staged


CATALOGUE: dict[int, StrategySpec] = {
    s.code: s
    for s in (
        StrategySpec(LOCAL, "local", False, False, 0.0, 0.0, 0.0, "§4"),
        StrategySpec(ADOPT, "adopt", True, True, 0.1, 0.2, 0.0, "§3"),
        StrategySpec(SHARE, "share", True, True, 0.5, 1.0, 0.0, "§4.1"),
        StrategySpec(POOL, "pool", False, False, 0.2, 0.1, 0.2, "§4.1"),
        StrategySpec(FINETUNE, "finetune", True, False, 0.0, 0.0, 0.3, "§4.2"),
        StrategySpec(DISTILL, "distill", True, False, 0.0, 0.0, 0.25, "§4.2"),
        StrategySpec(FEDERATE, "federate", False, False, 0.1, 0.0, 0.4, "§4.3"),
        StrategySpec(SPLIT, "split", True, True, 0.2, 0.5, 0.15, "§4.3"),
    )
}
FACILITATED_EXPERTISE = 0.1  # what federating needs with a consortium facilitator (§4.3)


def _budget(model: EcosystemModel, who: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Records each community can train on, and whether it has high capacity."""
    com, led = model.community_arrays, model.ledger
    compute = led.compute[led.community_org(who)]
    budget = np.minimum(sample_budget(compute, com.expertise[who]), com.filled[who])
    return budget, has_capacity(compute, model.spec.learning.capacity_compute)


def _buckets(budget: np.ndarray, window: int):
    """Group communities by a power-of-two sample budget so fits are stacked without waste."""
    level = np.ceil(np.log2(np.maximum(budget, 1))).astype(np.int64)
    for value in np.unique(level):
        members = np.flatnonzero(level == value)
        yield members, int(min(2**value, window))


def _mitigated_fit_inputs(model: EcosystemModel, who: np.ndarray, x, label, group, weight):
    """Apply each community's pre- or in-processing mitigation for its own notion (§2.3)."""
    com = model.community_arrays
    mitigation = np.where(com.mitigating[who], com.mitigation[who], 0)
    reweigh = mitigation == MITIGATIONS.index("reweighing")
    if reweigh.any():
        weight = weight.copy()
        weight[reweigh] *= fairness.reweighing_weights(
            label[reweigh], group[reweigh], mask=weight[reweigh] > 0
        )
    quadratic = None
    penalise = mitigation == MITIGATIONS.index("penalty")
    if penalise.any():
        quadratic = np.zeros((len(who), x.shape[2], x.shape[2]))
        quadratic[penalise] = fairness.independence_penalty(
            x[penalise],
            group[penalise],
            model.spec.practices.penalty_strength,
            mask=weight[penalise] > 0,
        )
    return weight, quadratic


def train_local(model: EcosystemModel, who: np.ndarray) -> None:
    """Communities train their own model on their most recent records (§4)."""
    com = model.community_arrays
    if who.size == 0:
        return
    budget, capacity = _budget(model, who)
    epsilon = model.spec.communities.values.local_epsilon
    for members, rows in _buckets(budget, com.window):
        ids = who[members]
        pos, age = com.recent(ids, rows)
        rows_idx = ids[:, None]
        x = feature_map(com.x[rows_idx, pos], capacity[members])
        label, group = com.label[rows_idx, pos], com.group[rows_idx, pos]
        weight = (age[None, :] < budget[members, None]).astype(float)
        weight, quadratic = _mitigated_fit_inputs(model, ids, x, label, group, weight)
        if np.isfinite(epsilon):  # §2.3 differential privacy on the community's own data
            fit, _ = dp_fit_logistic(
                x,
                label.astype(float),
                epsilon,
                model.spec.learning.dp_delta,
                model.rng,
                clip=model.spec.learning.dp_clip,
                epochs=model.spec.learning.dp_iterations,
                l2=model.spec.learning.l2,
                sample_weight=weight,
            )
            com.coef[ids], com.intercept[ids] = fit.coef, fit.intercept
            model.training.charge(ids.size, rows, x.shape[2], model.spec.learning.dp_iterations)
            continue
        ticket = model.training.submit(
            x,
            label,
            weight,
            coef_init=com.coef[ids],
            intercept_init=com.intercept[ids],
            quadratic=quadratic,
        )
        model.training.on_done(ticket, _install_local, model, ids)


def _install_local(trained, model: EcosystemModel, ids: np.ndarray) -> None:
    com = model.community_arrays
    com.coef[ids], com.intercept[ids] = trained.coef, trained.intercept


def _install_alt(trained, model: EcosystemModel, ids: np.ndarray) -> None:
    com = model.community_arrays
    com.alt_coef[ids], com.alt_intercept[ids] = trained.coef, trained.intercept
    com.alt_partner[ids] = com.partner[ids]
    com.alt_strategy[ids] = com.strategy[ids]


def _adaptation_batches(model: EcosystemModel, who: np.ndarray):
    """Stacks of communities adapting an entity's model: ids, partners, records, weights."""
    com = model.community_arrays
    budget, _ = _budget(model, who)
    for members, rows in _buckets(budget, com.window):
        ids = who[members]
        pos, age = com.recent(ids, rows)
        x = feature_map(com.x[ids[:, None], pos], True)  # the pretrained architecture
        label = com.label[ids[:, None], pos].astype(float)
        weight = (age[None, :] < budget[members, None]).astype(float)
        yield ids, com.partner[ids], x, label, weight


def _keep_adapted(model: EcosystemModel, ids: np.ndarray, fit, rows: int) -> None:
    """Store a community's adapted model and charge the work it took."""
    com = model.community_arrays
    com.alt_coef[ids], com.alt_intercept[ids] = fit.coef, fit.intercept
    com.alt_partner[ids] = com.partner[ids]
    com.alt_strategy[ids] = com.strategy[ids]
    model.training.charge(ids.size, rows, fit.coef.shape[1], fit.n_iter)


def train_finetune(model: EcosystemModel, who: np.ndarray) -> None:
    """Adapt an entity's open weights to local data with a proximal penalty (§4.2)."""
    com, ent = model.community_arrays, model.entity_arrays
    if who.size == 0:
        return
    for ids, partner, x, label, weight in _adaptation_batches(model, who):
        fit = finetune(
            x, label, weight, ent.coef[partner], ent.intercept[partner], FINETUNE_STRENGTH
        )
        _keep_adapted(model, ids, fit, x.shape[1])
    # expose the source-target divergence (§4.2): how often the pretrained model decides
    # otherwise than a model fitted on the community's whole window
    partner = com.partner[who]
    pos, _ = com.recent(who, com.window)
    x = feature_map(com.x[who[:, None], pos], True)
    weight = (np.arange(com.window)[None, :] < com.filled[who, None]).astype(float)
    reference = fit_logistic(
        x, com.label[who[:, None], pos].astype(float), weight, l2=model.spec.learning.l2
    )
    com.divergence[who] = decision_divergence(
        x, ent.coef[partner], ent.intercept[partner], reference.coef, reference.intercept, weight
    )


def train_distill(model: EcosystemModel, who: np.ndarray) -> None:
    """Train a small student on the teacher's soft labels over local records (§4.2)."""
    ent = model.entity_arrays
    if who.size == 0:
        return
    for ids, partner, x, _, _ in _adaptation_batches(model, who):
        small_student = np.zeros(len(ids), dtype=bool)
        fit = distill(
            x, ent.coef[partner], ent.intercept[partner], small_student, model.spec.learning.l2
        )
        _keep_adapted(model, ids, fit, x.shape[1])


def train_split(model: EcosystemModel, who: np.ndarray) -> None:
    """Split learning: the server's compute trains the head on the community's records (§4.3).

    The community's data stay local, the server's compute lets the full window and the
    high-capacity head be used, and the server keeps the head: the model is the entity's to
    serve.
    """
    com, ent = model.community_arrays, model.entity_arrays
    if who.size == 0:
        return
    partner = com.partner[who]
    pos, _ = com.recent(who, int(com.window))
    x = feature_map(com.x[who[:, None], pos], True)
    weight = (np.arange(com.window)[None, :] < com.filled[who, None]).astype(float)
    ticket = model.training.submit(
        x,
        com.label[who[:, None], pos],
        weight,
        coef_init=ent.coef[partner],
        intercept_init=ent.intercept[partner],
    )
    model.training.on_done(ticket, _install_alt, model, who)


def _collective_rows(model: EcosystemModel, members: np.ndarray):
    com = model.community_arrays
    budget = np.minimum(com.filled[members], POOL_ROWS_PER_MEMBER)
    pos, age = com.recent(members, POOL_ROWS_PER_MEMBER)
    rows = members[:, None]
    return com.x[rows, pos], com.label[rows, pos], (age[None, :] < budget[:, None]).astype(float)


def train_pools(model: EcosystemModel, who: np.ndarray) -> None:
    """Each consortium's poolers train one model on their pooled records (§4.1)."""
    com = model.community_arrays
    groups = np.unique(com.consortium[who])
    if groups.size == 0:
        return
    parts = [who[com.consortium[who] == g] for g in groups]
    n = max(len(p) for p in parts) * POOL_ROWS_PER_MEMBER
    x = np.zeros((len(groups), n, 8))
    y = np.zeros((len(groups), n))
    w = np.zeros((len(groups), n))
    for i, members in enumerate(parts):
        xs, ys, ws = _collective_rows(model, members)
        m = xs.shape[0] * xs.shape[1]
        x[i, :m] = feature_map(xs.reshape(1, m, -1), True)[0]
        y[i, :m], w[i, :m] = ys.reshape(m), ws.reshape(m)
    ticket = model.training.submit(
        x, y, w, coef_init=com.pool_coef[groups], intercept_init=com.pool_intercept[groups]
    )
    model.training.on_done(ticket, _install_pool, model, groups)


def _install_pool(trained, model: EcosystemModel, groups: np.ndarray) -> None:
    com = model.community_arrays
    com.pool_coef[groups], com.pool_intercept[groups] = trained.coef, trained.intercept


def train_federations(model: EcosystemModel, who: np.ndarray) -> None:
    """Each consortium runs FedAvg rounds over its members' local records (§4.3)."""
    com = model.community_arrays
    if who.size == 0:
        return
    xs, ys, ws = _collective_rows(model, who)
    _, capacity = _budget(model, who)
    x = feature_map(xs, capacity)
    groups = np.unique(com.consortium[who])
    members = [np.flatnonzero(com.consortium[who] == g) for g in groups]
    coef, intercept, _ = fedavg(
        x,
        ys.astype(float),
        ws,
        members,
        FEDERATED_ROUNDS,
        model.spec.learning.l2,
        coef_init=com.fed_coef[groups],
    )
    com.fed_coef[groups], com.fed_intercept[groups] = coef, intercept
    model.training.charge(who.size, xs.shape[1], x.shape[2], 3 * FEDERATED_ROUNDS)


TRAINERS = {
    LOCAL: train_local,
    FINETUNE: train_finetune,
    DISTILL: train_distill,
    SPLIT: train_split,
    POOL: train_pools,
    FEDERATE: train_federations,
}

"""Which fairness notion an entity mitigates toward: the ones its regulators mandate (§2.3, §3).

Stages paper §2.3 (anti-discrimination rules "vary significantly in scope, definitions, and
requirements across jurisdictions", and adhering to them means navigating each jurisdiction's
rules) and §3 (an entity answers to the regulators of the places it trains and sells in), as the
Regulator row of DESIGN §2 has it: rules are a mandated metric and threshold. An entity whose
own fairness check found a gap (Balayn & Gadiraju's practices, DESIGN §2) mitigates with the
same notion-specific methods a community uses (:func:`hetsim.simulation.fairness.fit_mitigation`,
§4.2): Kamiran–Calders reweighing for demographic parity and quota, the notion's covariance
penalty for equal opportunity (positives) and equalized odds (positives and negatives).

*Which* notions: with ``practices.mitigation_target = "mandated"``, every notion mandated by a
regulator it answers to — where it trains and where its customers live, the published rules it
can observe (:func:`hetsim.agents.reporting.reporting_to`). Several notions combine: the
weights multiply and the penalties add, one term per notion. With ``"own_practice"`` (the
behaviour before rules were read) an entity applies its practice toward independence whatever
is mandated: reweighing (and, for ``thresholds``, reweighing too), or the demographic-parity
penalty. An entity held to no notion (no regulator, or none mandates one) keeps that practice.

An entity sells one score to everyone, without the group as an input, so it cannot apply group
thresholds (post-processing) to its served decisions; a ``thresholds`` practice therefore
mitigates in training: with its notion's reweighing where one exists, else its penalty.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from hetsim.agents.reporting import reporting_to
from hetsim.simulation import fairness

if TYPE_CHECKING:
    from hetsim.agents.large_entity import LargeEntity

__all__ = ["checked_gap", "held_notions", "training_mitigation"]


def held_notions(entity: LargeEntity) -> list[str]:
    """The distinct notions mandated by the regulators the entity answers to, in a fixed order."""
    notions = entity.model.jurisdictions.notion[reporting_to(entity)]
    return sorted({str(notion) for notion in notions} - {"none"})


def checked_gap(entity: LargeEntity) -> float:
    """The gap the entity's own check measures: the largest over the notions it is held to
    (``"mandated"``), else under its home regulator's notion, as its practice had it."""
    mandated = entity.model.spec.practices.mitigation_target == "mandated"
    home = str(entity.model.entity_arrays.reported_notion[entity.index])
    notions = (held_notions(entity) if mandated else []) or [home]
    return max(entity.measure_own_fairness(notion) for notion in notions)


def training_mitigation(
    entity: LargeEntity,
    method: str,
    x: np.ndarray,
    label: np.ndarray,
    group: np.ndarray,
) -> tuple[np.ndarray, np.ndarray | None]:
    """Row weights ``(1, n)`` and quadratic penalty ``(1, d, d)`` (or ``None``) for a fit.

    ``method`` is the entity's practice (``"reweighing"``, ``"penalty"``, ``"thresholds"``);
    ``x`` ``(1, n, d)`` the model inputs, ``label`` and ``group`` ``(1, n)``.
    """
    spec = entity.model.spec.practices
    weight = np.ones(label.shape)
    notions = held_notions(entity) if spec.mitigation_target == "mandated" else []
    if not notions:  # its own practice, toward independence (or nothing is mandated)
        if method == "penalty":
            return weight, fairness.independence_penalty(x, group, spec.penalty_strength)
        return fairness.reweighing_weights(label, group), None
    # thresholds cannot be applied to a served score without the group: its notion's training fix
    method = "reweighing" if method == "thresholds" else method
    quadratic = None
    for notion in notions:
        weight, term = fairness.fit_mitigation(
            x, label, group, weight, np.array([notion]), np.array([method]), spec.penalty_strength
        )
        if term is not None:
            quadratic = term if quadratic is None else quadratic + term
    return weight, quadratic

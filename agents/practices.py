"""Developers' practices (Balayn & Gadiraju 2025): a profile on every organisation.

Developers' concerns and practices about harms vary with no standard: whether and how often
they check fairness, which mitigation they apply, whether they document their data, whether
they care about energy. Profiles are drawn independently for each organisation from the
scenario's ``[practices]`` frequencies.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hetsim.simulation.schema import PracticesSection
from hetsim.simulation.state import MITIGATIONS


@dataclass
class PracticeProfiles:
    """One practice profile per organisation."""

    fairness_check: np.ndarray  # chance to check fairness in a step, [0, 1]
    mitigation: np.ndarray  # MITIGATIONS code applied when mitigating
    documents: np.ndarray  # documents data with datasheets
    energy_aware: np.ndarray  # retrains only when the model got worse


def draw_practices(spec: PracticesSection, n: int, rng: np.random.Generator) -> PracticeProfiles:
    """Draw ``n`` heterogeneous profiles: no standard across organisations."""
    names = list(spec.mitigations)
    freq = np.array([spec.mitigations[k] for k in names], dtype=float)
    if freq.sum() <= 0:
        freq = np.ones(len(names))
    codes = np.array([MITIGATIONS.index(k) for k in names])
    return PracticeProfiles(
        fairness_check=_spread_probability(spec.fairness_check, spec.concentration, n, rng),
        mitigation=codes[rng.choice(len(names), size=n, p=freq / freq.sum())],
        documents=rng.random(n) < spec.documentation,
        energy_aware=rng.random(n) < spec.energy_awareness,
    )


def _spread_probability(
    mean: float, concentration: float, n: int, rng: np.random.Generator
) -> np.ndarray:
    """Probabilities spread around ``mean`` (a Beta of this concentration); 0, 1 stay exact."""
    if mean <= 0.0 or mean >= 1.0:
        return np.full(n, float(mean))
    return rng.beta(concentration * mean, concentration * (1.0 - mean), size=n)

"""How the state arrays encode models and practices: the width of a model, the mitigation codes."""

from __future__ import annotations

from typing import get_args

from hetsim.simulation.learning.capacity import N_EXTRA
from hetsim.simulation.population import N_RAW
from hetsim.simulation.schema import Mitigation

N_FEATURES = N_RAW + N_EXTRA  # model inputs: raw features plus high-capacity extras
MITIGATIONS: tuple[str, ...] = get_args(Mitigation)

"""What the deployed models did this step, per community and group (§2.3, §3)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from hetsim.simulation.measures.ecosystem import EcosystemOutcomes


@dataclass
class Deployment:
    """What the deployed models did this step, per community (filled in the deploy phase)."""

    n: int
    n_groups: int
    group_n: np.ndarray = field(init=False)  # (C, G) individuals decided on, by own group
    group_accuracy: np.ndarray = field(init=False)  # (C, G)
    group_tpr: np.ndarray = field(init=False)  # (C, G)
    group_fpr: np.ndarray = field(init=False)  # (C, G)
    group_selection: np.ndarray = field(init=False)  # (C, G)
    group_base_rate: np.ndarray = field(init=False)  # (C, G) share of positives (true labels)
    accuracy: np.ndarray = field(init=False)  # (C,) overall accuracy
    base_rate: np.ndarray = field(init=False)  # (C,) share of positives among those decided on
    gap_own: np.ndarray = field(init=False)  # (C,) gap under the community's own notion
    gap_mandated: np.ndarray = field(init=False)  # (C,) gap under its jurisdiction's notion
    aligned: np.ndarray = field(init=False)  # (C,) meets the community's own values
    provider: np.ndarray = field(init=False)  # (C,) organisation controlling the model
    decisions: np.ndarray = field(init=False)  # (O,) decisions made by each organisation's models
    ecosystem: EcosystemOutcomes = field(init=False)  # failures shared across each market

    def __post_init__(self) -> None:
        c, g = self.n, self.n_groups
        for name in (
            "group_n",
            "group_accuracy",
            "group_tpr",
            "group_fpr",
            "group_selection",
            "group_base_rate",
        ):
            setattr(self, name, np.full((c, g), np.nan))
        for name in ("accuracy", "base_rate", "gap_own", "gap_mandated"):
            setattr(self, name, np.full(c, np.nan))
        self.aligned = np.zeros(c, dtype=bool)
        self.provider = np.zeros(c, dtype=np.int64)
        self.decisions = np.zeros(0)
        self.ecosystem = EcosystemOutcomes.undefined()

"""The rules in force in each regulator's jurisdiction (§2.3, §3) and this step's audit counts."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass
class Jurisdictions:
    """The rules in force in each regulator's jurisdiction (§2.3, §3)."""

    n: int
    notion: np.ndarray = field(init=False)  # (R,) mandated fairness notion
    threshold: np.ndarray = field(init=False)  # (R,) largest lawful mandated gap
    audit_probability: np.ndarray = field(init=False)  # (R,) chance to audit an entity a step
    explainability: np.ndarray = field(init=False)  # (R,) requires explainable models
    epsilon_cap: np.ndarray = field(init=False)  # (R,) largest lawful DP ε of training here
    loophole: np.ndarray = field(init=False)  # (R,) no audits and no caps
    harm_step: np.ndarray = field(init=False)  # (R,) step of the last publicised harm, -1 none
    quiet_since: np.ndarray = field(init=False)  # (R,) step of the last harm or rule change
    certifiable_epsilon: np.ndarray = field(init=False)  # (R,) largest ε its ε audit certifies
    privacy_violations: int = 0  # privacy (ε) violations found this step
    explainability_violations: int = 0  # closed models found deployed where banned
    audits: int = 0  # audits done this step
    violations: int = 0  # mandated gaps above the threshold found this step (report or audit)
    washing_violations: int = 0  # reports an audit found misleading this step
    inspections: int = 0  # audits that inspected the records behind a report this step
    inspections_cleared: int = 0  # statistical flags the records cleared (honest reports)
    fines: float = 0.0  # money fined this step

    def __post_init__(self) -> None:
        self.notion = np.full(self.n, "demographic_parity", dtype=object)
        self.threshold = np.full(self.n, 0.1)
        self.audit_probability = np.zeros(self.n)
        self.explainability = np.zeros(self.n, dtype=bool)
        self.epsilon_cap = np.full(self.n, np.inf)
        self.loophole = np.zeros(self.n, dtype=bool)
        self.harm_step = np.full(self.n, -1, dtype=np.int64)
        self.quiet_since = np.zeros(self.n, dtype=np.int64)
        self.certifiable_epsilon = np.full(self.n, np.nan)

    def start_step(self) -> None:
        """Reset this step's audit counters."""
        self.audits = 0
        self.violations = 0
        self.washing_violations = 0
        self.inspections = 0
        self.inspections_cleared = 0
        self.fines = 0.0
        self.privacy_violations = 0
        self.explainability_violations = 0

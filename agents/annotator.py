"""Annotators (§2.4.3): label data for whoever hires them and set their asking pay.

An annotator has a cultural background, a skill and an asking pay. Its labels are noisier on
data from a distant culture and when paid below a fair rate (see
:mod:`simulation.economy.annotation`). Each step it raises its asking pay when it had more work than
the average annotator and lowers it otherwise, never below what it can live on nor below a
legal minimum.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from hetsim.simulation.roles import Role

if TYPE_CHECKING:
    from hetsim.simulation.model import EcosystemModel

PAY_FLOOR = 1e-4


class Annotator(Role):
    """A labeller on the annotation market."""

    role_name = "annotator"

    @property
    def pay(self) -> float:
        """Asking pay per record."""
        return float(self.model.annotator_arrays.pay[self.index])

    @classmethod
    def setup(cls, model: EcosystemModel, members: list[Role]) -> None:
        """Draw cultures, skills and asking pay; the workforce is heterogeneous."""
        ann, spec, rng = model.annotator_arrays, model.spec.annotators, model.rng
        if ann.n == 0:
            return
        ann.culture[:] = rng.integers(0, model.spec.communities.cultures, size=ann.n)
        noise = rng.standard_normal(ann.n)
        ann.skill[:] = np.clip(spec.skill_mean + spec.skill_spread * noise, 0.0, 1.0)
        pay = spec.pay_mean * np.exp(spec.pay_spread * rng.standard_normal(ann.n))
        ann.pay[:] = np.maximum(pay, max(spec.minimum_pay, PAY_FLOOR))
        ann.reservation_pay[:] = spec.reservation_share * ann.pay

    def on_outcome(self) -> None:
        """Ask more when in demand, less when idle; never below the legal minimum."""
        ann, spec = self.model.annotator_arrays, self.model.spec.annotators
        i = self.index
        demand = ann.records[i] - ann.records.mean()
        factor = 1.0 + spec.pay_adjustment * np.sign(demand)
        ann.pay[i] = max(ann.pay[i] * factor, ann.reservation_pay[i], spec.minimum_pay, PAY_FLOOR)

"""What a claim is: two arms (or one arm over time), a metric, a direction and an ablation.

A claim compares a *treatment* arm with a *control* arm on the same seeds (common random
numbers), or — when it has no control — the end of the treatment arm with its start. Its
*ablation* is a list of ``--set`` overrides applied to both arms that switches off the
mechanism the claim credits (not the metric, nor what the treatment acts on); a claim is
reproduced only when its effect is there and the ablation takes it away
(:mod:`hetsim.analysis.claims.verdict`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

# The world every claim runs in (applied before each arm's own overrides): half the default
# communities and annotators, so the full table (about 1,900 runs) regenerates within about
# half an hour on two cores.
FULL = {"seeds": 20, "steps": 40, "size": ("communities.count=20", "annotators.count=50")}
# Measured CPU time per run in the FULL world (worker CPU over the first 386 runs, 2 vCPU AMD
# EPYC, 2026-11): the 1,920 runs of the full table take ~15 min on two idle cores.
CPU_SECONDS_PER_RUN = 0.91
# What tests/claims runs on one core in CI: a tiny world, few seeds.
REDUCED = {"seeds": 3, "steps": 20, "size": ("communities.count=8", "annotators.count=10")}
# Where tests/claims checks each claim docs/claims.md calls reproduced: large enough for the
# direction and the knockout to show (3 seeds of REDUCED leave public compute's effect on
# dependency at +0.08 [-0.90, +1.07]; these 8 seeds give -0.11 [-0.16, -0.06], measured).
CHECKED = {"seeds": 8, "steps": 30, "size": ("communities.count=12", "annotators.count=20")}

Summary = Literal["late", "rise", "whole"]
SUMMARIES: dict[str, str] = {
    "late": "mean over the last 10% of steps",
    "whole": "mean over every step (for rare events such as audit findings)",
    "rise": "mean over the last 10% of steps minus mean over the first 10%",
}


@dataclass(frozen=True)
class Arm:
    """One configuration to run: a scenario, interventions applied, ``--set`` overrides."""

    scenario: str
    interventions: tuple[str, ...] = ()
    overrides: tuple[str, ...] = ()

    def describe(self) -> str:
        """Short human description, e.g. ``status_quo + audit_regime, --set k=v``."""
        parts = [self.scenario, *self.interventions]
        text = " + ".join(parts)
        return f"{text}, {', '.join(self.overrides)}" if self.overrides else text


@dataclass(frozen=True)
class Claim:
    """One claim of the paper as staged by hetsim, with the mechanism credited for it."""

    id: str
    text: str
    section: str
    source: str
    metric: str
    direction: Literal[1, -1]
    treatment: Arm
    control: Arm | None
    ablation: tuple[str, ...]
    ablation_text: str
    summary: Summary = "late"
    note: str = ""
    # What the ablation switches off: the pathway the claim credits, or only what the treatment
    # acts on (the closed models a mandate finds, the value mismatch a policy resolves). A
    # precondition knockout shows the treatment needs it, not that the credited pathway
    # carries the effect, so such a claim is at best partly reproduced.
    knockout: Literal["pathway", "precondition"] = "pathway"

    @property
    def contrast(self) -> str:
        """What is compared: the two arms, or the end and the start of one arm."""
        if self.control is None:
            return f"{self.treatment.describe()}: end vs start"
        return f"{self.treatment.describe()} vs {self.control.describe()}"

    def arms(self, size: tuple[str, ...], ablated: bool) -> tuple[Arm, Arm | None]:
        """Treatment and control as run: the size overrides first, the ablation last."""
        extra = self.ablation if ablated else ()
        treatment = Arm(
            self.treatment.scenario,
            self.treatment.interventions,
            (*size, *self.treatment.overrides, *extra),
        )
        if self.control is None:
            return treatment, None
        control = Arm(
            self.control.scenario,
            self.control.interventions,
            (*size, *self.control.overrides, *extra),
        )
        return treatment, control

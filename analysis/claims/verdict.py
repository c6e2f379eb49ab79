"""How a claim is judged from its paired effect and its ablation's, by rules fixed in advance.

Four verdicts, from the numbers alone:

* **reproduced** — the 95% interval excludes 0 in the claimed direction, and the ablation
  removes the effect (its interval includes 0, it has the opposite sign, or at most
  :data:`REMOVED_SHARE` of the effect is left);
* **partly** — the interval excludes 0 in the claimed direction, but the ablation leaves the
  effect, or hetsim has no switch for the mechanism: the effect is real, its cause not shown;
* **direction only** — the mean has the claimed sign but its interval includes 0;
* **not reproduced** — the mean effect is 0, has the wrong sign, or is undefined.

Kept apart from the runner so that changing how claims are judged never invalidates the runs
cached for them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from hetsim.analysis.claims.model import Claim

# An ablation "removes" an effect when what is left is at most this share of it (or its CI
# includes 0, or it has the opposite sign).
REMOVED_SHARE = 0.5
VERDICTS = ("reproduced", "partly", "direction only", "not reproduced")


@dataclass(frozen=True)
class Effect:
    """A mean paired effect with its 95% t-interval over the seeds that had a value."""

    mean: float
    low: float
    high: float
    seeds: int

    def text(self, digits: int = 3) -> str:
        """``+0.034 [+0.012, +0.056]``."""
        if math.isnan(self.mean):
            return "n/a"
        return f"{self.mean:+.{digits}f} [{self.low:+.{digits}f}, {self.high:+.{digits}f}]"

    def includes_zero(self) -> bool:
        """Whether the interval holds 0 (or is undefined)."""
        return not (self.low > 0 or self.high < 0)


@dataclass(frozen=True)
class Verdict:
    """A claim judged: its effect, its ablation's effect, the verdict and why."""

    claim: Claim
    effect: Effect
    ablation: Effect | None
    verdict: str
    reason: str


def judge(claim: Claim, effect: Effect, ablation: Effect | None) -> tuple[str, str]:
    """Verdict (one of :data:`VERDICTS`) and a short reason, from the numbers alone."""
    d = claim.direction
    word = "rises" if d > 0 else "falls"
    if math.isnan(effect.mean) or d * effect.mean <= 0:
        return "not reproduced", f"{claim.metric} does not {word.removesuffix('s')}: " + (
            "no value" if math.isnan(effect.mean) else f"mean effect {effect.mean:+.3g}"
        )
    certain = not effect.includes_zero()
    if ablation is None:
        reason = "no schema switch for the mechanism: the effect is not attributed"
        return ("partly", reason) if certain else ("direction only", "the CI includes 0; " + reason)
    left = ablation.mean
    removed = (
        ablation.includes_zero() or d * left <= 0 or abs(left) <= REMOVED_SHARE * abs(effect.mean)
    )
    share = abs(left) / abs(effect.mean) if effect.mean else float("nan")
    if certain and removed:
        return "reproduced", ""
    left_text = f"the ablation leaves {share:.0%} of the effect ({left:+.3g})"
    if certain:
        return "partly", left_text
    return "direction only", "the CI includes 0" + ("" if removed else f", and {left_text}")

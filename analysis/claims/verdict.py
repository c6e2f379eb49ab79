"""How a claim is judged from its paired effect and its knockout's, by rules fixed in advance.

The rule, stated once (the claims table quotes :data:`RULE`):

* **reproduced** — the effect's 95% interval excludes 0 in the claimed direction; the knockout
  (the ablation, applied to both arms) leaves the metric free to vary (its per-seed values
  are not the same on every seed in both arms); the paired per-seed difference, effect minus
  ablation effect, has a 95% interval that excludes 0 in the claimed direction; the
  ablation leaves at most :data:`LEFT_AT_MOST` of the effect (in the claimed direction); and
  it switches off the credited pathway, not only what the treatment acts on
  (``Claim.knockout``);
* **partly** — the effect's interval excludes 0 in the claimed direction, but the knockout
  fails one of those tests, or hetsim has no switch for the mechanism: the effect is real,
  its cause not shown;
* **direction only** — the mean has the claimed sign but its interval includes 0;
* **not reproduced** — the mean effect is 0, has the wrong sign, or is undefined.

Kept apart from the runner so that changing how claims are judged never invalidates the runs
cached for them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from hetsim.analysis.claims.model import Claim

# A knockout removes an effect when at most this share of it is left in the claimed direction
# (and the paired difference is certain): a mechanism credited with an effect should carry
# most of it, not half.
LEFT_AT_MOST = 0.2
VERDICTS = ("reproduced", "partly", "direction only", "not reproduced")
RULE = (
    "**reproduced** — the effect's 95% interval excludes 0 in the claimed direction, the "
    "ablation leaves the metric free to vary (its SD over seeds above 1% of the effect in "
    "some ablated arm), the paired per-seed difference effect − ablation effect has a 95% "
    "interval excluding 0 in the claimed direction, the ablation leaves at most "
    f"{LEFT_AT_MOST:.0%} of the effect, and it switches off the credited pathway rather than "
    "only what the treatment acts on; **partly** — the effect's interval excludes 0 in the "
    "claimed direction but the knockout fails one of those tests or hetsim has no switch for "
    "the mechanism (the effect is real, its cause not shown); **direction only** — the mean "
    "has the claimed sign but its interval includes 0; **not reproduced** — the mean effect is "
    "0 or has the wrong sign"
)


#: An SD over seeds at or below this is rounding, not variation (metrics are in [0, 1] or
#: of that order; float64 rounding of their means is ~1e-16).
SAME_VALUE = 1e-12
#: An ablated metric whose SD over seeds is at most this share of the claim's effect, in every
#: ablated arm, is pinned by the ablation (a metric, not a mechanism, switched off).
PINNED_SHARE = 0.01


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

    def certain(self, direction: int) -> bool:
        """Whether the interval excludes 0 on the side of ``direction``."""
        return (self.low > 0) if direction > 0 else (self.high < 0)


@dataclass(frozen=True)
class Knockout:
    """What the ablation did: its effect, the paired difference, the metric's per-arm SD."""

    effect: Effect
    difference: Effect
    spread: tuple[float, ...]

    def fixes_metric(self, effect: float = 0.0) -> bool:
        """The metric took one value on every seed in every ablated arm (or had none).

        One value up to a spread of :data:`PINNED_SHARE` of the claim's ``effect`` (and up to
        rounding, :data:`SAME_VALUE`): a metric that moves by a thousandth where the claim
        moves it by a tenth is pinned by the ablation, whatever a larger world resolves.
        """
        bound = max(SAME_VALUE, PINNED_SHARE * abs(effect))
        return all(not (s > bound) for s in self.spread)

    def spread_text(self) -> str:
        """``0.012 / 0.010``: SD over seeds in the ablated treatment / control."""
        return " / ".join("n/a" if math.isnan(s) else f"{s:.3g}" for s in self.spread)


@dataclass(frozen=True)
class Verdict:
    """A claim judged: its effect, its knockout, the verdict and why."""

    claim: Claim
    effect: Effect
    knockout: Knockout | None
    verdict: str
    reason: str

    @property
    def ablation(self) -> Effect | None:
        """The ablation's effect (None without a switch)."""
        return self.knockout.effect if self.knockout else None


def share_left(claim: Claim, effect: Effect, knockout: Knockout) -> float:
    """The share of the effect the ablation leaves, in the claimed direction (negative: none)."""
    if not effect.mean:
        return math.nan
    return knockout.effect.mean / effect.mean


def judge(claim: Claim, effect: Effect, knockout: Knockout | None) -> tuple[str, str]:
    """Verdict (one of :data:`VERDICTS`) and a short reason, from the numbers alone."""
    d = claim.direction
    word = "rise" if d > 0 else "fall"
    if math.isnan(effect.mean) or d * effect.mean <= 0:
        return "not reproduced", f"{claim.metric} does not {word}: " + (
            "no value" if math.isnan(effect.mean) else f"mean effect {effect.mean:+.3g}"
        )
    if knockout is None:
        reason = "no schema switch for the mechanism: the effect is not attributed"
        if effect.certain(d):
            return "partly", reason
        return "direction only", "the CI includes 0; " + reason
    failures = []
    if claim.knockout == "precondition":
        failures.append("the ablation removes what the treatment acts on, not the pathway")
    if knockout.fixes_metric(effect.mean):
        failures.append("the ablation fixes the metric (one value on every seed in both arms)")
    left = share_left(claim, effect, knockout)
    if not left <= LEFT_AT_MOST:
        failures.append(f"the ablation leaves {left:.0%} of the effect")
    if not knockout.difference.certain(d):
        failures.append("the difference's CI does not exclude 0 in the claimed direction")
    if not effect.certain(d):
        return "direction only", "; ".join(["the CI includes 0", *failures])
    if failures:
        return "partly", "; ".join(failures)
    return "reproduced", ""

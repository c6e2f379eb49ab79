"""A market for compute (§2.2): communities rent capacity that providers leave idle.

Each quarter every community asks for the compute it lacks to train on all the records it holds
(its records divided by its expertise, less the compute it owns or is granted), up to the
share of its budget it will spend on compute. Providers (the large entities operating) offer
what their own training left idle. A buyer turns to the most idle provider it trusts with its
records; a provider short of what is asked fills every ask in the same proportion, and what is
still lacking goes to the buyer's next provider. Buyers pay each provider the going price.
The price then moves with excess demand, a Walrasian tâtonnement (Arrow & Hurwicz
1958), between the cost of a unit of capacity for a quarter (its price times its depreciation)
and the price of buying the unit outright.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class ComputeMarket:
    """The going price of renting one unit of compute for a quarter, and this quarter's trade."""

    price: float
    rented: float = 0.0  # units rented this quarter
    paid: float = 0.0  # money paid for them
    traded_at: float = 0.0  # the price they were rented at

    def clear(
        self, demand: np.ndarray, supply: np.ndarray, eligible: np.ndarray | None = None
    ) -> np.ndarray:
        """Units each buyer rents from each provider, (B, P).

        Each buyer turns to the most idle provider it will rent from (``eligible``, (B, P)
        bool; all by default) that has capacity left; a provider short of what its buyers ask
        fills every ask in the same proportion, and what is still lacking goes to each buyer's
        next provider. When every buyer would rent from every provider, all asks are filled
        in the same proportion, ``min(1, offered / asked)``.

        Args:
            demand: (B,) units each buyer asks for, >= 0.
            supply: (P,) idle units each provider offers, >= 0.
            eligible: (B, P) whether each buyer would rent from each provider.
        """
        demand = np.maximum(np.asarray(demand, dtype=float), 0.0)
        supply = np.maximum(np.asarray(supply, dtype=float), 0.0)
        b, p = demand.size, supply.size
        units = np.zeros((b, p))
        if eligible is None:
            eligible = np.ones((b, p), dtype=bool)
        lacking, left = demand.copy(), supply.copy()
        order = np.argsort(-supply, kind="stable")
        for _ in range(p):
            open_ = eligible[:, order] & (left[order] > 1e-9)[None, :]
            buyers = np.flatnonzero((lacking > 1e-12) & open_.any(axis=1))
            if buyers.size == 0:
                break
            pick = order[np.argmax(open_[buyers], axis=1)]
            asked = np.bincount(pick, weights=lacking[buyers], minlength=p)
            fill = np.minimum(1.0, np.divide(left, asked, out=np.ones(p), where=asked > 0))
            add = lacking[buyers] * fill[pick]
            units[buyers, pick] += add
            lacking[buyers] -= add
            left = np.maximum(left - np.bincount(pick, weights=add, minlength=p), 0.0)
        return units

    def adjust(
        self, asked: float, offered: float, adjustment: float, floor: float, ceiling: float
    ) -> None:
        """Move the price with the relative excess of demand over supply (capped at ±100%)."""
        self.traded_at = self.price
        excess = (asked - offered) / max(offered, 1e-9)
        price = self.price * (1.0 + adjustment * float(np.clip(excess, -1.0, 1.0)))
        self.price = float(np.clip(price, floor, max(ceiling, floor)))

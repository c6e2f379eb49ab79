"""A market for compute (§2.2): communities rent capacity that providers leave idle.

Each quarter every community asks for the compute it lacks to train on all the records it holds
(its records divided by its expertise, less the compute it owns or is granted), up to the
share of its budget it will spend on compute. Providers (the large entities operating) offer
what their own training left idle. When asks exceed offers every ask is filled in the same
proportion. Each buyer rents from one provider, taken in order of idle capacity, and pays it the
going price. The price then moves with excess demand, a Walrasian tâtonnement (Arrow & Hurwicz
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

    def clear(self, demand: np.ndarray, supply: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Units each buyer gets and the provider (index into ``supply``) it rents from.

        Args:
            demand: (B,) units each buyer asks for, >= 0.
            supply: (P,) idle units each provider offers, >= 0.
        """
        demand = np.maximum(np.asarray(demand, dtype=float), 0.0)
        supply = np.maximum(np.asarray(supply, dtype=float), 0.0)
        provider = np.full(demand.size, -1, dtype=np.int64)
        asked, offered = demand.sum(), supply.sum()
        if asked <= 0 or offered <= 0:
            return np.zeros_like(demand), provider
        got = demand * min(1.0, offered / asked)
        # buyers fill the providers in turn, the most idle first
        order = np.argsort(-supply, kind="stable")
        edges = np.cumsum(supply[order])
        midpoint = np.cumsum(got) - got / 2.0
        provider = order[np.minimum(np.searchsorted(edges, midpoint), order.size - 1)]
        provider[got <= 0] = -1
        return got, provider

    def adjust(
        self, asked: float, offered: float, adjustment: float, floor: float, ceiling: float
    ) -> None:
        """Move the price with the relative excess of demand over supply (capped at ±100%)."""
        self.traded_at = self.price
        excess = (asked - offered) / max(offered, 1e-9)
        price = self.price * (1.0 + adjustment * float(np.clip(excess, -1.0, 1.0)))
        self.price = float(np.clip(price, floor, max(ceiling, floor)))

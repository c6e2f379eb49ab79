"""Economy (§2.2, §2.4.3): the markets organisations trade in besides data and models.

Compute is rented from the providers that leave it idle, at a price that moves with demand
(:mod:`.compute_market`, §2.2 resource heterogeneity); annotation labour is hired, and culture
and pay set how noisy its labels are (:mod:`.annotation`, §2.4.3). Money, compute and data
move through the engine's ledgers (:mod:`hetsim.simulation.ledger`).
"""

from hetsim.simulation.economy.annotation import (
    annotate,
    choose_annotators,
    cultural_distance,
    flip_probability,
)
from hetsim.simulation.economy.compute_market import ComputeMarket

__all__ = [
    "ComputeMarket",
    "annotate",
    "choose_annotators",
    "cultural_distance",
    "flip_probability",
]

"""The technical paths a community can take to a model (§4), one module each.

``STRATEGIES`` is the explicit mapping from a scenario's strategy name to its class; the engine
and the community's choice iterate over it and never name a strategy. To add one, write a module
implementing :class:`hetsim.simulation.strategy.Strategy` and add it here (README, "Adding a
strategy").
"""

from hetsim.agents.strategies.adopt import Adopt
from hetsim.agents.strategies.aggregate import Aggregate
from hetsim.agents.strategies.cooperative import Cooperative
from hetsim.agents.strategies.crisis import Crisis
from hetsim.agents.strategies.distill import Distill
from hetsim.agents.strategies.federate import Federate
from hetsim.agents.strategies.finetune import Finetune
from hetsim.agents.strategies.local import Local
from hetsim.agents.strategies.pool import Pool
from hetsim.agents.strategies.secure import Secure
from hetsim.agents.strategies.share import Share
from hetsim.agents.strategies.split import Split
from hetsim.agents.strategies.synthetic import Synthetic
from hetsim.simulation.strategy import Strategy

STRATEGIES: dict[str, type[Strategy]] = {
    "local": Local,
    "adopt": Adopt,
    "share": Share,
    "pool": Pool,
    "finetune": Finetune,
    "distill": Distill,
    "federate": Federate,
    "split": Split,
    "cooperative": Cooperative,
    "synthetic": Synthetic,
    "aggregate": Aggregate,
    "secure": Secure,
    "crisis": Crisis,
}

__all__ = ["STRATEGIES"]

"""The four roles of hetsim and the community strategies, one module each, with the explicit
mappings from role and strategy name to class."""

from hetsim.agents.annotator import Annotator
from hetsim.agents.community import Community
from hetsim.agents.large_entity import LargeEntity
from hetsim.agents.regulator import Regulator
from hetsim.agents.strategies import STRATEGIES

# Scenario section → role class, in acting order within each phase. Entities set their terms
# before communities choose; regulators audit after deployment.
ROLES = {
    "large_entities": LargeEntity,
    "communities": Community,
    "annotators": Annotator,
    "regulators": Regulator,
}

__all__ = ["ROLES", "STRATEGIES", "Annotator", "Community", "LargeEntity", "Regulator"]

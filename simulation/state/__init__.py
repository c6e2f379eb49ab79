"""Bulk state of the world, kept in arrays the engine updates in one pass.

Agents are readable policies over these arrays; one row per member of a role. Every field has
a comment saying what it is and its unit.

One module per role, so a reader looking for what the engine keeps about a role finds it by
name: :mod:`.communities`, :mod:`.entities`, :mod:`.annotators`, :mod:`.jurisdictions` (the
regulators' rules), and :mod:`.deployment` (what the deployed models did this step);
:mod:`.encoding` holds the model width and mitigation codes they share. Every name is
re-exported here.
"""

from hetsim.simulation.state.annotators import AnnotatorArrays
from hetsim.simulation.state.communities import CommunityArrays
from hetsim.simulation.state.deployment import Deployment
from hetsim.simulation.state.encoding import MITIGATIONS, N_FEATURES
from hetsim.simulation.state.entities import EntityArrays
from hetsim.simulation.state.jurisdictions import Jurisdictions

__all__ = [
    "MITIGATIONS",
    "N_FEATURES",
    "AnnotatorArrays",
    "CommunityArrays",
    "Deployment",
    "EntityArrays",
    "Jurisdictions",
]

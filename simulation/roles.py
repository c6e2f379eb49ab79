"""Role base classes: Mesa agents whose phase hooks default to doing nothing.

The engine runs the phases of a step in order and, in each, asks every role to act. A role
acts per agent (``members.shuffle_do(phase)``) unless it overrides :meth:`Role.act` to decide
for all its members at once, which is how roles with thousands of members stay fast: their
policy reads and writes the engine's arrays in one pass.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

import mesa

if TYPE_CHECKING:
    from hetsim.simulation.model import EcosystemModel

PHASES: tuple[str, ...] = (
    "drift",  # temporal drift and scheduled shocks (§2.1)
    "collect",  # data collection and annotation (§2.1, §2.4.3)
    "choose",  # offers and choices: terms of access, strategies, sharing (§3, §4)
    "train",  # every requested model is fitted (§4)
    "deploy",  # deployed models decide on individuals
    "outcome",  # money, decisions and outcomes settle
    "audit",  # audits and regulation (§2.3, §3)
    "trust",  # trust updates from experienced outcomes (§3)
    "measure",  # the step's tables
)


class Role(mesa.Agent):
    """An organisation of the ecosystem with one no-op hook per phase."""

    role_name: ClassVar[str] = "role"
    model: EcosystemModel

    def __init__(self, model: EcosystemModel, index: int) -> None:
        super().__init__(model)
        self.index = index  # row of this agent in its role's arrays

    @classmethod
    def setup(cls, model: EcosystemModel, members: list[Role]) -> None:
        """Fill this role's rows of the engine's arrays when the world is built."""

    @classmethod
    def adopt_scenario(cls, model: EcosystemModel, members: list[Role]) -> None:
        """Re-read the rules and terms this role keeps in arrays after the scenario changed."""

    @classmethod
    def act(cls, phase: str, model: EcosystemModel, members: mesa.agent.AgentSet) -> None:
        """Let the members act in ``phase``: by default each runs its own hook, shuffled."""
        if getattr(cls, phase) is getattr(Role, phase):
            return
        members.shuffle_do(phase)

    def drift(self) -> None:
        """Hook: react to drift and shocks."""

    def collect(self) -> None:
        """Hook: gather and annotate data."""

    def choose(self) -> None:
        """Hook: set terms, choose strategies."""

    def train(self) -> None:
        """Hook: submit fits to the model's training service."""

    def deploy(self) -> None:
        """Hook: deploy a model."""

    def outcome(self) -> None:
        """Hook: settle outcomes."""

    def audit(self) -> None:
        """Hook: audit and regulate."""

    def trust(self) -> None:
        """Hook: update trust."""

    def measure(self) -> None:
        """Hook: record measures of one's own."""

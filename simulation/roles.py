"""Role base classes: Mesa agents whose phase hooks default to doing nothing.

The engine runs the phases of a step in order and, in each, asks every role to act. A
:class:`Role` acts per agent: each member runs its ``on_<phase>`` hook. A :class:`BulkRole`
decides for all its members at once through class hooks ``on_<phase>(model)``, which is how
roles with thousands of members stay fast: their policy reads and writes the engine's arrays
in one pass.
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
    """An organisation of the ecosystem with one no-op hook ``on_<phase>`` per phase.

    A role acts per agent: in each phase its members run their own hook, shuffled. Roles
    override only the hooks of the phases they act in.
    """

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
        """Let the members act in ``phase``: each runs its ``on_<phase>`` hook, shuffled."""
        hook = f"on_{phase}"
        if getattr(cls, hook) is not getattr(Role, hook):
            members.shuffle_do(hook)

    def on_drift(self) -> None:
        """Hook: react to drift and shocks."""

    def on_collect(self) -> None:
        """Hook: gather and annotate data."""

    def on_choose(self) -> None:
        """Hook: set terms, choose strategies."""

    def on_train(self) -> None:
        """Hook: submit fits to the model's training service."""

    def on_deploy(self) -> None:
        """Hook: deploy a model."""

    def on_outcome(self) -> None:
        """Hook: settle outcomes."""

    def on_audit(self) -> None:
        """Hook: audit and regulate."""

    def on_trust(self) -> None:
        """Hook: update trust."""

    def on_measure(self) -> None:
        """Hook: record measures of one's own."""


class BulkRole(Role):
    """A role with thousands of members that decides for all of them in one pass.

    Its hooks are class methods ``on_<phase>(cls, model)`` reading and writing the engine's
    arrays; those it does not override do nothing.
    """

    @classmethod
    def act(cls, phase: str, model: EcosystemModel, members: mesa.agent.AgentSet) -> None:
        """Run the role's ``on_<phase>`` class hook once for every member."""
        hook = getattr(cls, f"on_{phase}")
        if getattr(hook, "__self__", None) is cls:  # a class hook of this role's own
            hook(model)

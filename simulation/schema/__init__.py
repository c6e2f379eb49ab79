"""The validated scenario schema: every knob of a hetsim world, with its range.

A scenario is a TOML file; :mod:`hetsim.simulation.scenario_files` reads it and validates it
against this schema into a frozen :class:`Scenario`. Unknown keys, wrong types and
out-of-range values raise one :class:`ScenarioError` naming the file, the dotted key, the
value and what is allowed. Nothing is silently defaulted or coerced beyond what TOML itself
says: the one conversion is an integer where a float is expected. Strings, booleans, integers
and floats are never turned into one another, ``inf`` and ``nan`` are refused except for the
privacy budgets (where ``inf`` means "no noise"), and every error is blamed on the layer that
wrote the key: the scenario file, an intervention file or ``--set``.

One module per TOML section, so a reader holding a dotted key finds its definition by its
first part: ``regulators.audit_probability`` is in :mod:`.regulators`, ``communities.values.*``
in :mod:`.communities`. :mod:`.base` holds what the sections share (:class:`ScenarioError`,
:class:`Section`, the constrained number types); this module assembles them into
:class:`Scenario`, says which keys take effect only when a world is built, and re-exports every
name, so ``from hetsim.simulation.schema import X`` works for every section and type.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from hetsim.simulation.schema.annotators import AnnotatorsSection
from hetsim.simulation.schema.base import (
    Epsilon,
    FairnessNotion,
    NonNegative,
    Probability,
    ScenarioError,
    Section,
)
from hetsim.simulation.schema.communities import CommunitiesSection, StrategyName, ValuesSection
from hetsim.simulation.schema.data import (
    EMERGED_SHARE_MAX,
    MINORITY_SHARE_RANGE,
    DataSection,
    ShockSpec,
)
from hetsim.simulation.schema.exchange import ExchangeSection
from hetsim.simulation.schema.large_entities import (
    EntrySpec,
    LargeEntitiesSection,
    ProfitableEntrySection,
)
from hetsim.simulation.schema.learning import LearningSection
from hetsim.simulation.schema.lending import LendingPolicy, LendingSection
from hetsim.simulation.schema.practices import Mitigation, PracticesSection
from hetsim.simulation.schema.regulators import RegulatorsSection
from hetsim.simulation.schema.run import RunSection

__all__ = [
    "BUILD_TIME_KEYS",
    "EMERGED_SHARE_MAX",
    "FREE_TABLE",
    "LOADING_NAMES",
    "MINORITY_SHARE_RANGE",
    "RUNTIME_DATA_KEYS",
    "AnnotatorsSection",
    "CommunitiesSection",
    "DataSection",
    "EntrySpec",
    "Epsilon",
    "ExchangeSection",
    "FairnessNotion",
    "LargeEntitiesSection",
    "LearningSection",
    "LendingPolicy",
    "LendingSection",
    "Mitigation",
    "NonNegative",
    "PracticesSection",
    "Probability",
    "ProfitableEntrySection",
    "RegulatorsSection",
    "RunSection",
    "Scenario",
    "ScenarioError",
    "Section",
    "ShockSpec",
    "StrategyName",
    "StrategyTables",
    "ValuesSection",
    "is_build_time_key",
]


# The strategies' own keys, one table each ([strategy.<name>]); their names and keys are the
# strategies' (hetsim.agents.strategies), checked when a scenario is loaded or a world is built.
StrategyTables = dict[str, dict[str, Any]]
FREE_TABLE = StrategyTables


class Scenario(Section):
    """A whole hetsim world."""

    name: str = Field(
        "unnamed", description="the scenario's name (results go to a folder so named)"
    )
    description: str = Field("", description="one line on what the scenario stages")
    run: RunSection = Field(default_factory=RunSection)
    large_entities: LargeEntitiesSection = Field(default_factory=LargeEntitiesSection)
    communities: CommunitiesSection = Field(default_factory=CommunitiesSection)
    annotators: AnnotatorsSection = Field(default_factory=AnnotatorsSection)
    regulators: RegulatorsSection = Field(default_factory=RegulatorsSection)
    data: DataSection = Field(default_factory=DataSection)
    learning: LearningSection = Field(default_factory=LearningSection)
    exchange: ExchangeSection = Field(default_factory=ExchangeSection)
    practices: PracticesSection = Field(default_factory=PracticesSection)
    strategy: StrategyTables = Field(
        default_factory=dict,
        description="parameters of each community strategy, a table [strategy.<name>] each; "
        "checked against the strategy's own parameters when the world is built",
    )
    lending: LendingSection = Field(default_factory=LendingSection)


# Keys read only when the world is built (drawn into agents' profiles or the data-generating
# processes); changing them on a running model (a branched intervention) would have no effect.
BUILD_TIME_KEYS: tuple[str, ...] = (
    "communities.compute",
    "communities.compute_spread",
    "communities.expertise_spread",
    "communities.values.explainability_spread",
    "large_entities.compute_spread",
    "annotators.skill_spread",
    "annotators.reservation_share",
    "communities.budget",
    "communities.budget_spread",
    "communities.expertise",
    "communities.cultures",
    "communities.values.notions",
    "communities.values.quota_target",
    "communities.values.weight_accuracy",
    "communities.values.weight_fairness",
    "communities.values.weight_privacy",
    "communities.values.weight_sovereignty",
    "communities.values.weight_spread",
    "communities.values.fairness_tolerance",
    "communities.values.min_accuracy",
    "communities.values.explainability_need",
    "communities.values.weight_explainability",
    "communities.values.max_epsilon",
    "annotators.pay_mean",
    "annotators.pay_spread",
    "annotators.skill_mean",
    "large_entities.capital",
    "large_entities.capital_spread",
    "large_entities.compute",
    "large_entities.access_price",
    "large_entities.open_weights_share",
    "regulators.loophole_share",
    "regulators.explainability_mandate",
    "practices.",
    "lending.",
)
RUNTIME_DATA_KEYS = ("data.drift", "data.shocks")


def is_build_time_key(key: str) -> bool:
    """Whether a dotted key only takes effect when the world is built."""
    if key.startswith("data."):
        return not key.startswith(RUNTIME_DATA_KEYS)
    return any(
        key == k or (k.endswith(".") and key.startswith(k)) or key.startswith(k + ".")
        for k in BUILD_TIME_KEYS
    )


# The loading functions live in scenario_files; they stay importable from here.
LOADING_NAMES = frozenset(
    {"SET", "apply_override", "check_schedule", "flatten", "load", "merge", "parse_override",
     "read_toml", "validate"}
)  # fmt: skip


def __getattr__(name: str) -> Any:
    """``schema.load`` and friends, from :mod:`hetsim.simulation.scenario_files`."""
    if name in LOADING_NAMES:
        from hetsim.simulation import scenario_files

        return getattr(scenario_files, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

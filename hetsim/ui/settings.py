"""What the page's inputs make of a scenario: slider values, overrides and the settings in force.

A slider shows the chosen scenario's value *after* its interventions and becomes an override
(``--set KEY=VALUE``, applied after the interventions, as in the CLI) only once the user moves
it to another value. So what the page shows is what runs, and the same settings given to
``hetsim run`` or ``hetsim compare`` run the same model.
"""

from __future__ import annotations

import math
import shlex
from dataclasses import dataclass, field, replace
from typing import Any

from hetsim.options import check_run_flag
from hetsim.scenarios.builder import flatten, intervention_patch, load_scenario
from hetsim.scenarios.library import scenario_path
from hetsim.simulation.scenario_files import command_line
from hetsim.simulation.schema import Scenario, ScenarioError

DEFAULT_SCENARIO = "status_quo"
NO_DP = 20.0
"""The DP ε slider's top: training without differential privacy (ε = inf)."""


@dataclass(frozen=True)
class Slider:
    """A page slider over one scenario key."""

    key: str
    label: str
    low: float
    high: float
    step: float

    @property
    def integer(self) -> bool:
        """Whether the key is a count (an integer slider)."""
        return float(self.step).is_integer()


SLIDERS: dict[str, Slider] = {
    "large_entities": Slider("large_entities.count", "Large entities", 1, 10, 1),
    "communities": Slider("communities.count", "Communities", 2, 200, 1),
    "annotators": Slider("annotators.count", "Annotators", 0, 300, 10),
    "regulators": Slider("regulators.count", "Regulators", 0, 10, 1),
    "share_propensity": Slider(
        "communities.share_propensity", "Data-sharing propensity", 0, 1, 0.05
    ),
    "audit_probability": Slider("regulators.audit_probability", "Audit probability", 0, 1, 0.05),
    "covariate_shift": Slider("data.covariate_shift", "Covariate shift severity", 0, 2, 0.1),
    "dp_epsilon": Slider(
        "large_entities.effective_epsilon", "DP ε of entities' training (20 = off)", 0.5, NO_DP, 0.5
    ),
}


def parse_seed(text: str | int) -> int:
    """The seed typed in the page, in the range ``hetsim run --seed`` takes; else ScenarioError."""
    try:
        seed = int(str(text).strip())
    except ValueError:
        raise ScenarioError(f"seed = {text!r}: must be an integer >= 0") from None
    if seed < 0:
        raise ScenarioError(f"seed = {seed}: must be an integer >= 0")
    with command_line():  # the CLI's range and words: the page's equivalent command must run
        check_run_flag("seed", seed)
    return seed


def _number(value: float) -> str:
    value = float(value)
    if math.isinf(value):
        return "inf"
    return str(int(value)) if value.is_integer() else f"{value:.6g}"


def slider_value(name: str, spec: Scenario) -> float:
    """Where slider ``name`` stands for a resolved scenario (ε = inf is the slider's top)."""
    value: Any = spec.model_dump()
    for part in SLIDERS[name].key.split("."):
        value = value[part]
    value = float(value)
    return min(value, NO_DP) if name == "dp_epsilon" else value


def override_text(name: str, value: float) -> str:
    """The ``--set`` string slider ``name`` at ``value`` stands for."""
    if name == "dp_epsilon" and float(value) >= NO_DP:
        return f"{SLIDERS[name].key}=inf"
    return f"{SLIDERS[name].key}={_number(value)}"


@dataclass
class Settings:
    """The page's choice: scenario, seed, interventions and the sliders the user moved."""

    scenario: str = DEFAULT_SCENARIO
    seed: str = "0"
    interventions: tuple[str, ...] = ()
    moved: dict[str, float] = field(default_factory=dict)

    def choose(self, **changes: Any) -> Settings:
        """New scenario or interventions: sliders they set return to the new resolved values.

        A new scenario returns every slider; new interventions return the sliders over keys an
        added or removed intervention sets, and keep the others where the user moved them
        (:func:`choice_notice` says which moved sliders gave way).
        """
        new = replace(self, **changes)
        if new.scenario != self.scenario:
            return replace(new, moved={})
        keys = intervention_keys(set(self.interventions) ^ set(new.interventions))
        moved = {n: v for n, v in self.moved.items() if SLIDERS[n].key not in keys}
        return replace(new, moved=moved)

    def move(self, name: str, value: float) -> Settings:
        """Slider ``name`` moved to ``value`` by the user."""
        if name not in SLIDERS:
            raise ScenarioError(f"slider {name!r}: must be one of {', '.join(SLIDERS)}")
        return replace(self, moved={**self.moved, name: float(value)})

    def base(self) -> Scenario:
        """The scenario with its interventions, before any slider."""
        return load_scenario(self.scenario, [], list(self.interventions))

    def slider_values(self) -> dict[str, float]:
        """Each slider's value: moved by the user, else the scenario's after interventions."""
        base = self.base()
        return {name: self.moved.get(name, slider_value(name, base)) for name in SLIDERS}

    def overrides(self) -> list[str]:
        """``--set`` strings of the sliders moved away from the scenario's value."""
        base = self.base()
        return [
            override_text(name, value)
            for name, value in self.moved.items()
            if not math.isclose(float(value), slider_value(name, base), abs_tol=1e-12)
        ]

    def resolved(self) -> Scenario:
        """The scenario that runs: file, then interventions, then moved sliders."""
        return load_scenario(self.scenario, self.overrides(), list(self.interventions))

    def seed_value(self) -> int:
        """The seed as an integer (a ScenarioError naming the bad text otherwise)."""
        return parse_seed(self.seed)

    def command(self) -> str:
        """The ``hetsim run`` command line that runs the same model."""
        parts = ["hetsim", "run", self.scenario, "--seed", str(self.seed)]
        for name in self.interventions:
            parts += ["--intervention", name]
        for text in self.overrides():
            parts += ["--set", text]
        return shlex.join(parts)


def intervention_keys(names: set[str] | tuple[str, ...]) -> set[str]:
    """Scenario keys the named interventions set (unknown names set none)."""
    keys: set[str] = set()
    for name in sorted(names):
        try:
            keys |= set(flatten(intervention_patch([name])))
        except (ScenarioError, OSError, ValueError):
            continue
    return keys


def choice_notice(before: Settings, after: Settings) -> str:
    """One line naming each moved slider a new choice returned to its resolved value."""
    dropped = [name for name in before.moved if name not in after.moved]
    if not dropped:
        return ""
    try:
        values = after.slider_values()
    except (ScenarioError, ValueError):
        values = {}
    why = (
        f"scenario {after.scenario}"
        if after.scenario != before.scenario
        else "interventions " + (", ".join(after.interventions) or "none")
    )
    parts = [
        f"{SLIDERS[name].label} {_number(before.moved[name])} → "
        f"{_number(values[name]) if name in values else '?'}"
        for name in dropped
    ]
    return f"Moved slider(s) reset by the {why}: {'; '.join(parts)}. Move again to override."


def settings_in_force(settings: Settings) -> list[dict[str, Any]]:
    """Every resolved value that differs from the scenario file, and what set it."""
    file_values = flatten(load_scenario(settings.scenario).model_dump(mode="json"))
    in_force = flatten(settings.resolved().model_dump(mode="json"))
    by_intervention: dict[str, str] = {}
    for name in settings.interventions:
        for key in flatten(intervention_patch([name])):
            by_intervention[key] = name
    slider_keys = {text.split("=", 1)[0] for text in settings.overrides()}
    rows = []
    for key in sorted(set(file_values) | set(in_force)):
        if file_values.get(key) == in_force.get(key):
            continue
        source = "slider" if key in slider_keys else by_intervention.get(key, "derived")
        rows.append(
            {
                "key": key,
                "file": file_values.get(key),
                "in force": in_force.get(key),
                "set by": source,
            }
        )
    return rows


def scenario_description(name: str) -> str:
    """The scenario file's header: its leading comment block, as plain text."""
    lines = []
    for line in scenario_path(name).read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        lines.append(line[1:].strip())
    return "\n".join(lines).strip()


def describe(settings: Settings) -> str:
    """One line naming scenario, seed and interventions (for the status line)."""
    chosen = ", ".join(settings.interventions) if settings.interventions else "none"
    n_moved = len(settings.overrides())
    moved = f" · {n_moved} slider(s) moved" if n_moved else ""
    return f"{settings.scenario} · seed {settings.seed} · interventions: {chosen}{moved}"

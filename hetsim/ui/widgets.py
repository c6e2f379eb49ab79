"""Inputs whose value reaches the server with the user's action, in order with a click.

A browser widget syncs its value to the server lazily (ipywidgets holds back a state update
while an earlier one is unanswered), while a button press goes out at once: a Reset pressed
right after moving a slider could act on the old value. These inputs commit on Vuetify's
``change`` event, which carries the new value in the same ordered message stream as clicks,
so every input the user committed has arrived before Reset acts.
"""

# Solara components are CamelCase by convention.
# ruff: noqa: N802

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import solara
from solara import v

from hetsim.ui.settings import Slider


def _on_change(element: Any, commit: Callable[[Any], None]) -> None:
    v.use_event(element, "change", lambda _widget, _event, data: commit(data))


def _number(value: float) -> str:
    return f"{float(value):g}"


@solara.component
def CommittedSlider(
    slider: Slider, value: float, scenario_value: float, on_commit: Callable[[float], None]
):
    """A slider showing its value, range and the scenario's value; commits on release.

    The server sets the thumb's position once, when the slider is mounted (Vuetify's ``value``
    prop; give the slider a new key to move it), and never again, so a server render cannot
    pull the thumb back to a value the user has already moved past; the committed value comes
    with the ``change`` event.
    """
    position = solara.use_memo(lambda: value, [])
    moved = abs(float(value) - float(scenario_value)) > 1e-12
    hint = f"{_number(value)} (range {_number(slider.low)}–{_number(slider.high)})"
    hint += (
        f" · moved from the scenario's {_number(scenario_value)}" if moved else " · scenario value"
    )
    element = v.Slider(
        value=int(position) if slider.integer else float(position),
        label=slider.label,
        min=slider.low,
        max=slider.high,
        step=slider.step,
        thumb_label="always",
        hint=hint,
        persistent_hint=True,
        class_="hetsim-slider mt-6" + (" hetsim-moved" if moved else ""),
    )
    _on_change(element, lambda data: on_commit(int(data) if slider.integer else float(data)))
    return element


@solara.component
def CommittedSelect(
    label: str, values: Sequence[str], value: str, on_commit: Callable[[str], None]
):
    """A single choice, committed when chosen."""
    element = v.Select(v_model=value, items=list(values), label=label, class_="hetsim-select")
    _on_change(element, on_commit)
    return element


@solara.component
def CommittedMultiSelect(
    label: str, values: Sequence[str], value: Sequence[str], on_commit: Callable[[list], None]
):
    """Several choices, committed on every change."""
    element = v.Select(
        v_model=list(value),
        items=list(values),
        label=label,
        multiple=True,
        chips=True,
        deletable_chips=True,
        class_="hetsim-multiselect",
    )
    _on_change(element, lambda data: on_commit(list(data or [])))
    return element


@solara.component
def CommittedText(label: str, value: str, on_commit: Callable[[str], None], hint: str = ""):
    """A text field committed on Enter or when it loses focus."""
    element = v.TextField(v_model=value, label=label, hint=hint, persistent_hint=bool(hint))
    _on_change(element, lambda data: on_commit("" if data is None else str(data)))
    return element

"""A scenario file takes a calibration's point estimate: each key set, with a comment citing it.

Only the calibrated keys' lines change; every other line, comment and table of the file stays
as written. The result is read back with the scenario schema, so a file that would not load is
never left behind.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

from hetsim.simulation.schema import ScenarioError


def literal(value: float, kind: str) -> str:
    """The value as a TOML number: 4 significant digits, a float written as one."""
    if kind == "int":
        return str(round(value))
    return repr(float(f"{value:.4g}"))


def set_key(lines: list[str], key: str, text: str, note: str) -> list[str]:
    """``lines`` with ``key`` (``section.name``) set to ``text`` and commented with ``note``."""
    if key.count(".") != 1:
        raise ScenarioError(f"{key}: only keys of a top-level table can be adopted")
    section, name = key.split(".")
    line = f"{name} = {text}  # {note}"
    header = next((i for i, row in enumerate(lines) if row.strip() == f"[{section}]"), None)
    if header is None:
        return [*lines, "", f"[{section}]", line]
    end = next(
        (i for i in range(header + 1, len(lines)) if lines[i].lstrip().startswith("[")),
        len(lines),
    )
    pattern = re.compile(rf"^\s*{re.escape(name)}\s*=")
    for i in range(header + 1, end):
        if pattern.match(lines[i]):
            return [*lines[:i], line, *lines[i + 1 :]]
    last = max(i for i in range(header, end) if lines[i].strip())
    return [*lines[: last + 1], line, *lines[last + 1 :]]


def adopt(path: str | Path, values: Mapping[str, float], kinds: Mapping[str, str], note: str):
    """Write ``values`` into the scenario file at ``path``; check it still loads."""
    from hetsim.scenarios.builder import load_scenario

    path = Path(path)
    lines = path.read_text(encoding="utf-8").splitlines()
    for key, value in values.items():
        lines = set_key(lines, key, literal(value, kinds.get(key, "float")), note)
    text = "\n".join(lines) + "\n"
    candidate = path.with_name(f".{path.name}.adopting")
    candidate.write_text(text, encoding="utf-8")
    try:
        load_scenario(str(candidate))
    except ScenarioError:
        candidate.unlink()
        raise
    candidate.replace(path)
    return path

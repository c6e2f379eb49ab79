"""Find shipped scenario and intervention files by name, with their one-line descriptions."""

from __future__ import annotations

from pathlib import Path

from hetsim.simulation.schema import ScenarioError

HERE = Path(__file__).parent
INTERVENTIONS = HERE / "interventions"


def list_scenarios() -> list[str]:
    """Names of the shipped scenarios."""
    return sorted(p.stem for p in HERE.glob("*.toml"))


def list_interventions() -> list[str]:
    """Names of the shipped interventions."""
    return sorted(p.stem for p in INTERVENTIONS.glob("*.toml"))


def _resolve(name_or_path: str | Path, folder: Path, kind: str, names: list[str]) -> Path:
    path = Path(name_or_path)
    if path.suffix == ".toml" or path.is_file():  # a folder named like a shipped name is not one
        if not path.exists():
            raise ScenarioError(f"{path}: file not found")
        return path
    candidate = folder / f"{name_or_path}.toml"
    if candidate.exists():
        return candidate
    raise ScenarioError(
        f"{kind} {str(name_or_path)!r}: no such file or shipped {kind}; "
        f"shipped: {', '.join(names) or 'none'}"
    )


def scenario_path(name_or_path: str | Path) -> Path:
    """A scenario file given a path or the name of a shipped scenario."""
    return _resolve(name_or_path, HERE, "scenario", list_scenarios())


def intervention_path(name_or_path: str | Path) -> Path:
    """An intervention file given a path or the name of a shipped intervention."""
    return _resolve(name_or_path, INTERVENTIONS, "intervention", list_interventions())


def describe(path: Path) -> str:
    """The file's one-line description: its ``description`` key or first comment line."""
    import tomllib

    text = path.read_text(encoding="utf-8")
    try:
        desc = tomllib.loads(text).get("description")
    except tomllib.TOMLDecodeError:
        desc = None
    if desc:
        return str(desc).strip().splitlines()[0]
    for line in text.splitlines():
        if line.startswith("#"):
            return line.lstrip("# ").strip()
    return ""

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
    """A file given as a path, or the shipped file of that name; a clear error otherwise."""
    text = str(name_or_path)
    shipped = ", ".join(names) or "none"
    if not text.strip():
        raise ScenarioError(f"{kind} {text!r}: empty name; shipped: {shipped}")
    path = Path(name_or_path)
    if path.is_dir() and text.strip(". /") and (folder / f"{text}.toml").is_file():
        return folder / f"{text}.toml"  # a shipped name that is also a folder here
    if path.is_dir():
        raise ScenarioError(f"{kind} {text!r}: is a folder; give a .toml file or a shipped name")
    if path.suffix == ".toml" or path.exists():
        if not path.exists():
            raise ScenarioError(f"{path}: {kind} file not found")
        return path
    if "/" not in text and "\\" not in text:
        candidate = folder / f"{text}.toml"
        if candidate.is_file():
            return candidate
    raise ScenarioError(f"{kind} {text!r}: no such file or shipped {kind}; shipped: {shipped}")


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

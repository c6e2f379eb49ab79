"""Downloads from the page: the run's tables with their manifest, as one zip file.

The tables are the ones ``hetsim run`` writes (metrics, communities, flows, entities, and
lending when that domain is on), in Parquet (as the CLI writes them) or CSV; the manifest
names the scenario resolved, seed, interventions, moved sliders and the equivalent command;
``scenario.toml`` is the resolved scenario as a file ``hetsim run scenario.toml`` runs.
"""

from __future__ import annotations

import io
import json
import math
import zipfile
from typing import TYPE_CHECKING, Any

import pandas as pd

from hetsim.analysis.runner import git_revision, now, versions

if TYPE_CHECKING:
    from hetsim.simulation.model import EcosystemModel
    from hetsim.simulation.schema import Scenario
    from hetsim.ui.settings import Settings

FORMATS = ("parquet", "csv")


def run_tables(model: EcosystemModel) -> dict[str, pd.DataFrame]:
    """Every table the model has recorded so far, by name."""
    recorder = model.recorder
    tables = {
        "metrics": recorder.metrics_table(),
        "communities": recorder.community_table(),
        "flows": recorder.flows_table(),
        "entities": recorder.entity_table(),
    }
    lending = recorder.lending_table()  # None when the lending domain is off
    if lending is not None:
        tables["lending"] = lending
    return tables


def run_manifest(model: EcosystemModel, settings: Settings) -> dict[str, Any]:
    """What produced the tables: resolved scenario, seed, steps, inputs, versions."""
    return {
        "scenario": model.spec.model_dump(mode="json"),
        "scenario_name": settings.scenario,
        "seed": settings.seed_value(),
        "steps_completed": int(model.steps),
        "interventions": list(settings.interventions),
        "overrides": settings.overrides(),
        "command": settings.command() + f" --steps {int(model.steps)}",
        "versions": versions(),
        "git_revision": git_revision(),
        "exported": now(),
        "source": "hetsim ui",
    }


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        return ("-inf" if value < 0 else "inf") if math.isinf(value) else repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        items = (f"{json.dumps(str(k))} = {_toml_value(v)}" for k, v in value.items())
        return "{ " + ", ".join(items) + " }"
    return json.dumps(str(getattr(value, "value", value)), ensure_ascii=False)


def scenario_toml(spec: Scenario) -> str:
    """The resolved scenario as a TOML file ``hetsim run`` reads (None values left out)."""
    lines: list[str] = []

    def table(path: list[str], data: dict[str, Any]) -> None:
        scalars = {k: v for k, v in data.items() if v is not None and not isinstance(v, dict)}
        tables = {k: v for k, v in data.items() if isinstance(v, dict)}
        if path:
            lines.append(f"\n[{'.'.join(path)}]")
        lines.extend(f"{key} = {_toml_value(value)}" for key, value in scalars.items())
        for key, value in tables.items():
            table([*path, key], value)

    table([], spec.model_dump(mode="python", exclude_none=True))
    return "\n".join(lines).lstrip("\n") + "\n"


def table_bytes(table: pd.DataFrame, fmt: str) -> bytes:
    """One table as Parquet (zstd, as ``hetsim run`` writes) or CSV."""
    if fmt == "parquet":
        buffer = io.BytesIO()
        table.to_parquet(buffer, index=False, engine="pyarrow", compression="zstd")
        return buffer.getvalue()
    if fmt == "csv":
        return table.to_csv(index=False).encode("utf-8")
    raise ValueError(f"format = {fmt!r}: must be one of {', '.join(FORMATS)}")


def run_zip(model: EcosystemModel, settings: Settings, fmt: str) -> bytes:
    """A zip of every recorded table in ``fmt`` plus ``manifest.json``."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, table in run_tables(model).items():
            archive.writestr(f"{name}.{fmt}", table_bytes(table, fmt))
        archive.writestr("scenario.toml", scenario_toml(model.spec))
        manifest = json.dumps(run_manifest(model, settings), indent=2, sort_keys=True)
        archive.writestr("manifest.json", manifest + "\n")
    return buffer.getvalue()

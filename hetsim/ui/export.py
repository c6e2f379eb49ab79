"""Downloads from the page: the run's tables with their manifest, as one zip file.

The tables are the ones ``hetsim run`` writes (metrics, communities, flows, entities, and
lending when that domain is on), in Parquet (as the CLI writes them) or CSV; the manifest
names the scenario resolved, seed, interventions, moved sliders and the equivalent command.
"""

from __future__ import annotations

import io
import json
import zipfile
from typing import TYPE_CHECKING, Any

import pandas as pd

from hetsim.analysis.runner import git_revision, now, versions

if TYPE_CHECKING:
    from hetsim.simulation.model import EcosystemModel
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
        manifest = json.dumps(run_manifest(model, settings), indent=2, sort_keys=True)
        archive.writestr("manifest.json", manifest + "\n")
    return buffer.getvalue()

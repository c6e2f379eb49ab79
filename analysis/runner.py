"""Run one scenario and write its tables: metrics, communities, flows and a manifest.

Nothing is lost on a crash: the manifest is written before the first step with status
``running``; whatever happens, the tables recorded so far are written and the manifest says
how the run ended.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import subprocess
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd
from threadpoolctl import threadpool_limits

from hetsim.scenarios.builder import build_model
from hetsim.simulation.schema import Scenario

PACKAGES = (
    "hetsim",
    "mesa",
    "numpy",
    "pandas",
    "scikit-learn",
    "networkx",
    "pyarrow",
    "pydantic",
    "scipy",
)


def versions() -> dict[str, str]:
    """Versions of Python and the packages a run depends on."""
    out = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def git_revision() -> str | None:
    """The git revision of the source tree, if it is a git checkout."""
    here = Path(__file__).resolve().parent.parent
    try:
        rev = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=here,
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return rev.stdout.strip() or None if rev.returncode == 0 else None


def now() -> str:
    """UTC time stamp."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def write_parquet(table: pd.DataFrame, path: Path) -> None:
    """Write a table as Parquet, byte-identical for identical tables."""
    table.to_parquet(path, index=False, engine="pyarrow", compression="zstd")


def run_scenario(
    scenario: Scenario,
    out_dir: Path | None = None,
    *,
    seed: int | None = None,
    steps: int | None = None,
    progress: bool = False,
    community_rows: bool = True,
) -> dict[str, pd.DataFrame]:
    """Run a scenario to the end; return (and, given ``out_dir``, write) its tables."""
    return run_with_manifest(
        scenario, out_dir, seed=seed, steps=steps, progress=progress, community_rows=community_rows
    )[0]


def run_with_manifest(
    scenario: Scenario,
    out_dir: Path | None = None,
    *,
    seed: int | None = None,
    steps: int | None = None,
    progress: bool = False,
    community_rows: bool = True,
) -> tuple[dict[str, pd.DataFrame], dict[str, Any]]:
    """Like :func:`run_scenario`, also returning the manifest (as ``manifest.json`` holds it)."""
    seed = scenario.run.seed if seed is None else seed
    steps = scenario.run.steps if steps is None else steps
    manifest: dict[str, Any] = {
        "scenario": scenario.model_dump(mode="json"),
        "seed": seed,
        "steps": steps,
        "versions": versions(),
        "git_revision": git_revision(),
        "started": now(),
        "status": "running",
    }
    if out_dir is not None:
        out_dir.mkdir(parents=True, exist_ok=True)
        _write_manifest(out_dir, manifest)
    tables: dict[str, pd.DataFrame] = {}
    model = None
    completed = 0  # steps that ran to the end (a step cut short is not recorded)
    bar = _progress(steps, scenario.name, progress)
    try:
        with threadpool_limits(1):
            model = build_model(scenario, seed=seed)
            model.recorder.keep_community_rows = community_rows
            for _ in range(steps):
                model.step()
                completed += 1
                bar.update(1)
        manifest["status"] = "completed"
    except KeyboardInterrupt as exc:
        from hetsim.analysis.interruption import signal_name

        manifest["status"] = "interrupted"
        manifest["interrupted_by"] = signal_name(exc)
        raise
    except BaseException as exc:
        manifest["status"] = "failed"
        manifest["error"] = f"{type(exc).__name__}: {exc}"
        raise
    finally:
        bar.close()
        if model is not None:
            tables = _tables_up_to(model, completed)
        manifest["steps_completed"] = completed
        manifest["finished"] = now()
        if out_dir is not None:
            for name, table in tables.items():
                _write_parquet_whole(table, out_dir / f"{name}.parquet")
            _write_manifest(out_dir, manifest)
    return tables, manifest


def _tables_up_to(model: Any, completed: int) -> dict[str, pd.DataFrame]:
    """The model's tables for its ``completed`` whole steps (rows of a step cut short dropped)."""
    tables = {
        "metrics": model.recorder.metrics_table(),
        "communities": model.recorder.community_table(),
        "entities": model.recorder.entity_table(),
        "flows": model.recorder.flows_table(),
    }
    lending_table = model.recorder.lending_table()
    if lending_table is not None:
        tables["lending"] = lending_table
    for name, table in tables.items():
        if "step" in table.columns and len(table) and table["step"].max() > completed:
            tables[name] = table[table["step"] <= completed].reset_index(drop=True)
    return tables


def _write_parquet_whole(table: pd.DataFrame, path: Path) -> None:
    """Write under a temporary name, then move into place: never half a file."""
    tmp = path.with_name(f".{path.name}.partial")
    write_parquet(table, tmp)
    os.replace(tmp, path)


def _write_manifest(out_dir: Path, manifest: dict[str, Any]) -> None:
    path = out_dir / "manifest.json"
    tmp = path.with_name(".manifest.json.partial")
    tmp.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    os.replace(tmp, path)


class _NoBar:
    def update(self, n: int) -> None:
        """Nothing to show."""

    def close(self) -> None:
        """Nothing to close."""


def _progress(total: int, name: str, enabled: bool):
    if not enabled:
        return _NoBar()
    from tqdm import tqdm

    return tqdm(total=total, desc=name, unit="step", dynamic_ncols=True)

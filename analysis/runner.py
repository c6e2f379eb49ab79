"""Run one scenario and write its tables: metrics, communities, flows and a manifest.

Nothing is lost on a crash: the manifest is written before the first step with status
``running``; whatever happens, the tables recorded so far are written and the manifest says
how the run ended.
"""

from __future__ import annotations

import datetime as dt
import json
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
    try:
        with threadpool_limits(1):
            model = build_model(scenario, seed=seed)
            model.recorder.keep_community_rows = community_rows
            bar = _progress(steps, scenario.name, progress)
            for _ in range(steps):
                model.step()
                bar.update(1)
            bar.close()
        manifest["status"] = "completed"
    except BaseException as exc:
        manifest["status"] = "failed" if not isinstance(exc, KeyboardInterrupt) else "interrupted"
        manifest["error"] = f"{type(exc).__name__}: {exc}"
        raise
    finally:
        if model is not None:
            tables = {
                "metrics": model.recorder.metrics_table(),
                "communities": model.recorder.community_table(),
                "entities": model.recorder.entity_table(),
                "flows": model.recorder.flows_table(),
            }
            lending_table = model.recorder.lending_table()
            if lending_table is not None:
                tables["lending"] = lending_table
            manifest["steps_completed"] = int(model.steps)
        manifest["finished"] = now()
        if out_dir is not None:
            for name, table in tables.items():
                write_parquet(table, out_dir / f"{name}.parquet")
            _write_manifest(out_dir, manifest)
    return tables


def _write_manifest(out_dir: Path, manifest: dict[str, Any]) -> None:
    (out_dir / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")


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

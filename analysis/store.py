"""The results store of an experiment folder: Parquet files, assembled and queried with DuckDB.

Layout of ``DIR``::

    runs/<arm>/seed=<seed>.parquet    one finished run's metrics (written whole, atomically)
    flows/<arm>/seed=<seed>.parquet   that run's flows at its last step (network figure)
    checkpoints/seed=<seed>.pkl       ``hetsim branch``: the model at the end of the warm-up
    runs.parquet                      every run x step, sorted, assembled from runs/
    comparison.csv, report.html, *.png, manifest.json, failures.json (if any run failed)

Every file is written under a temporary name and moved into place with ``os.replace``, so a
killed command leaves either the whole file or none of it.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from hetsim.analysis.runner import write_parquet
from hetsim.simulation.schema import ScenarioError

TEMP_SUFFIX = ".partial"
RUN_KEYS = ("intervention", "seed", "step")


def _temp_name(path: Path) -> Path:
    return path.with_name(f".{path.name}.{os.getpid()}{TEMP_SUFFIX}")


def write_atomic(table: pd.DataFrame, path: Path) -> None:
    """Write a Parquet file whole or not at all (temp file, then ``os.replace``)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = _temp_name(path)
    write_parquet(table, tmp)
    os.replace(tmp, path)


def write_bytes_atomic(data: bytes, path: Path) -> None:
    """Write bytes whole or not at all."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = _temp_name(path)
    tmp.write_bytes(data)
    os.replace(tmp, path)


def write_text_atomic(text: str, path: Path) -> None:
    """Write text whole or not at all."""
    write_bytes_atomic(text.encode("utf-8"), path)


def write_json(data: Any, path: Path) -> None:
    """Write JSON (sorted keys, indented) atomically."""
    write_text_atomic(json.dumps(data, indent=2, sort_keys=True, default=str) + "\n", path)


def clear_partial_files(out_dir: Path) -> None:
    """Remove temporary files a killed command left behind."""
    for tmp in Path(out_dir).rglob(f"*{TEMP_SUFFIX}"):
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def assemble_runs(
    files: Iterable[Path], out: Path, sort_by: Sequence[str] = RUN_KEYS
) -> pd.DataFrame:
    """Concatenate per-run files into ``out`` (sorted, fresh index) and return the table.

    Only the given files are read, so stale runs of another experiment are never mixed in.
    Each file holds one run's metrics rows (small); agent-level rows are never stored.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    files = sorted(str(f) for f in files if Path(f).exists())
    if not files:
        raise ScenarioError(f"{out.parent}: no finished runs to assemble")
    table = pa.concat_tables([pq.read_table(f) for f in files])
    runs = table.to_pandas()
    runs = runs.sort_values(list(sort_by), kind="mergesort").reset_index(drop=True)
    write_atomic(runs, out)
    return runs


def read_runs(out_dir: Path) -> pd.DataFrame:
    """The stored runs table of an experiment folder."""
    path = Path(out_dir) / "runs.parquet"
    if not path.exists():
        raise ScenarioError(f"{out_dir}: no runs.parquet here (run compare, sweep or branch)")
    return pd.read_parquet(path)


def read_manifest(out_dir: Path) -> dict[str, Any] | None:
    """The experiment's manifest, if there is one."""
    path = Path(out_dir) / "manifest.json"
    return json.loads(path.read_text()) if path.exists() else None


def read_flows(out_dir: Path, arm: str = "baseline") -> pd.DataFrame | None:
    """Last-step flows of the arm's lowest stored seed, or None if none are stored."""
    folder = Path(out_dir) / "flows" / arm
    files = sorted(folder.glob("seed=*.parquet"), key=lambda p: int(p.stem.split("=")[1]))
    return pd.read_parquet(files[0]) if files else None


def query(out_dir: Path, sql: str) -> pd.DataFrame:
    """Run DuckDB SQL over the folder: view ``runs`` is runs.parquet, ``comparison`` the CSV.

    ``indices`` (a sensitivity analysis's indices.csv) is also a view when it exists.
    """
    import duckdb

    out_dir = Path(out_dir)
    runs = out_dir / "runs.parquet"
    if not runs.exists():
        raise ScenarioError(f"{out_dir}: no runs.parquet here (run compare, sweep or branch)")
    con = duckdb.connect()
    try:
        con.execute(f"CREATE VIEW runs AS SELECT * FROM read_parquet({_sql_str(runs)})")
        for view, name in (("comparison", "comparison.csv"), ("indices", "indices.csv")):
            if (out_dir / name).exists():
                con.execute(
                    f"CREATE VIEW {view} AS SELECT * FROM read_csv_auto({_sql_str(out_dir / name)})"
                )
        try:
            return con.execute(sql).df()
        except duckdb.Error as exc:
            raise ScenarioError(f"query {sql!r}: {exc}") from None
    finally:
        con.close()


def _sql_str(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"

"""The results store of an experiment folder: Parquet files, assembled and queried with DuckDB.

Layout of ``DIR``::

    runs/<arm>/seed=<seed>.parquet    one finished run's metrics (written whole, atomically)
    flows/<arm>/seed=<seed>.parquet   that run's flows at its last step (network figure)
    communities/<arm>/seed=<seed>.parquet, groups/<arm>/seed=<seed>.parquet
                                      agent-level rows, when the experiment keeps them
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
import re
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from hetsim.analysis.runner import write_parquet
from hetsim.simulation.scenario_files import shown
from hetsim.simulation.schema import ScenarioError

TEMP_SUFFIX = ".partial"
RUN_KEYS = ("intervention", "seed", "step")


def _temp_name(path: Path) -> Path:
    return path.with_name(f".{path.name}.{os.getpid()}{TEMP_SUFFIX}")


def check_file_target(path: Path) -> None:
    """Refuse a folder standing where a file is to be written (one message, not an OSError)."""
    if path.is_dir() and not path.is_symlink():
        raise ScenarioError(f"{path}: is a folder where hetsim writes a file; remove or rename it")
    if path.parent.exists() and not path.parent.is_dir():
        raise ScenarioError(f"{path.parent}: is a file where hetsim needs a folder; remove it")


def _move_into_place(tmp: Path, path: Path) -> None:
    """``os.replace``: a link at ``path`` is replaced itself, never written through."""
    try:
        os.replace(tmp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise ScenarioError(f"{path}: cannot be written ({exc.strerror})") from None


def write_atomic(
    table: pd.DataFrame, path: Path, metadata: dict[bytes, bytes] | None = None
) -> None:
    """Write a Parquet file whole or not at all (temp file, then ``os.replace``).

    ``metadata`` is added to the file's schema metadata (a run's identity).
    """
    path = Path(path)
    check_file_target(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = _temp_name(path)
    if metadata:
        import pyarrow as pa
        import pyarrow.parquet as pq

        arrow = pa.Table.from_pandas(table, preserve_index=False)
        arrow = arrow.replace_schema_metadata({**(arrow.schema.metadata or {}), **metadata})
        pq.write_table(arrow, tmp, compression="zstd")
    else:
        write_parquet(table, tmp)
    _move_into_place(tmp, path)


def write_bytes_atomic(data: bytes, path: Path) -> None:
    """Write bytes whole or not at all."""
    path = Path(path)
    check_file_target(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = _temp_name(path)
    tmp.write_bytes(data)
    _move_into_place(tmp, path)


def folder_file(out_dir: Path, name: str) -> Path | None:
    """``out_dir/name`` if it is a file of the folder; None if absent.

    A folder where the file belongs, or a link leading out of the folder, is refused: results
    are read from the folder itself, never through a link planted in it.
    """
    path = Path(out_dir) / name
    if not path.exists() and not path.is_symlink():
        return None
    if path.is_symlink():
        target = path.resolve()
        if not target.is_relative_to(Path(out_dir).resolve()):
            raise ScenarioError(
                f"{path}: a link to {target}, outside the folder; results are read only from "
                "the folder itself (remove the link)"
            )
    if path.is_dir():
        raise ScenarioError(f"{path}: is a folder where a file belongs; remove or rename it")
    if not path.is_file():
        raise ScenarioError(f"{path}: not a regular file")
    return path


def write_text_atomic(text: str, path: Path) -> None:
    """Write text whole or not at all."""
    write_bytes_atomic(text.encode("utf-8"), path)


def write_json(data: Any, path: Path) -> None:
    """Write JSON (sorted keys, indented) atomically."""
    write_text_atomic(json.dumps(data, indent=2, sort_keys=True, default=str) + "\n", path)


def safe_name(name: str) -> str:
    """``name`` as one folder name: no separators, no leading dots (stays inside results/)."""
    cleaned = re.sub(r"[^A-Za-z0-9._+=-]+", "_", str(name)).lstrip("._")
    return cleaned[:100] or "unnamed"


def check_out_dir(out_dir: Path, flag: str = "--out") -> Path:
    """Refuse an output folder that is a file, lies under a file, or cannot be written."""
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise ScenarioError(f"{flag} {out_dir}: is a file; give a folder (new or existing)")
    parent = out_dir
    while not parent.exists():
        if parent.is_symlink():
            raise ScenarioError(f"{flag} {out_dir}: {parent} is a broken link")
        parent = parent.parent
    if not parent.is_dir():
        raise ScenarioError(f"{flag} {out_dir}: {parent} is a file, not a folder")
    try:  # a real write: permissions, read-only file systems and /proc all say no here
        os.rmdir(tempfile.mkdtemp(prefix=".hetsim-probe-", dir=parent))
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise ScenarioError(f"{flag} {out_dir}: cannot write in {parent} ({reason})") from None
    return out_dir


def stored_rows(path: Path) -> int | None:
    """Rows of a stored Parquet file, or None if it is missing or cannot be read whole."""
    import pyarrow.parquet as pq

    try:
        return int(pq.read_metadata(path).num_rows)
    except (OSError, ValueError):  # missing, truncated, not Parquet (ArrowInvalid)
        return None


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
    table = pa.concat_tables([_read_table(pq, f) for f in files])
    runs = table.to_pandas()
    runs = runs.sort_values(list(sort_by), kind="mergesort").reset_index(drop=True)
    write_atomic(runs, out)
    return runs


def _read_table(pq: Any, path: str | Path) -> Any:
    try:
        return pq.read_table(path)
    except (OSError, ValueError) as exc:
        raise ScenarioError(f"{path}: damaged, cannot be read as Parquet ({exc})") from None


DAMAGED_RUNS_HELP = "rerun the experiment with --resume --out on this folder to rebuild it"


def runs_file(out_dir: Path) -> Path:
    """The folder's runs.parquet, checked to be there and readable."""
    out_dir = Path(out_dir)
    if not out_dir.is_dir():
        raise ScenarioError(f"{out_dir}: no such folder (give an experiment's --out folder)")
    path = folder_file(out_dir, "runs.parquet")
    if path is None:
        raise ScenarioError(f"{out_dir}: no runs.parquet here (run compare, sweep or branch)")
    if stored_rows(path) is None:
        raise ScenarioError(f"{path}: damaged, cannot be read as Parquet; {DAMAGED_RUNS_HELP}")
    return path


def read_runs(out_dir: Path) -> pd.DataFrame:
    """The stored runs table of an experiment folder."""
    import pyarrow.parquet as pq

    return _read_table(pq, runs_file(out_dir)).to_pandas()


def read_manifest(out_dir: Path) -> dict[str, Any] | None:
    """The experiment's manifest, if there is one (None when missing or unreadable)."""
    path = folder_file(out_dir, "manifest.json")
    if path is None:
        return None
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return None
    return manifest if isinstance(manifest, dict) else None


def read_flows(out_dir: Path, arm: str = "baseline") -> pd.DataFrame | None:
    """Last-step flows of the arm's lowest stored seed, or None if none are stored."""
    folder = Path(out_dir) / "flows" / arm
    files = sorted(folder.glob("seed=*.parquet"), key=lambda p: int(p.stem.split("=")[1]))
    return pd.read_parquet(files[0]) if files else None


def read_kept(out_dir: Path, table: str) -> pd.DataFrame | None:
    """A kept agent-level table (``communities`` or ``groups``) of every stored run, or None."""
    files = sorted((Path(out_dir) / table).glob("*/seed=*.parquet"))
    if not files:
        return None
    frames = [pd.read_parquet(f) for f in files]
    keys = [k for k in ("intervention", "seed", "step", "community", "group") if k in frames[0]]
    table_ = pd.concat(frames, ignore_index=True)
    return table_.sort_values(keys, kind="mergesort").reset_index(drop=True)


def query(out_dir: Path, sql: str, *, allow_files: bool = False) -> pd.DataFrame:
    """Run DuckDB SQL over the folder: table ``runs`` is runs.parquet, ``comparison`` the CSV.

    ``indices`` (a sensitivity analysis's indices.csv) is also a table when it exists, and so
    are ``communities`` and ``groups`` when the experiment kept them (``keep``). The
    tables are loaded into an in-memory database and DuckDB's access to files and the network
    is then switched off and locked, so a query cannot read or write anything else
    (``COPY ... TO``, ``read_text``, ``ATTACH``) unless ``allow_files`` is given.
    """
    import duckdb

    if not sql.strip():
        raise ScenarioError(f"{shown('sql', sql)}: empty; e.g. SELECT * FROM runs LIMIT 5")
    out_dir = Path(out_dir)
    runs = runs_file(out_dir)
    con = duckdb.connect(":memory:")
    try:
        sources = [("runs", f"read_parquet({_sql_str(runs)})")]
        for view, name in (("comparison", "comparison.csv"), ("indices", "indices.csv")):
            table = folder_file(out_dir, name)
            if table is not None:
                sources.append((view, f"read_csv_auto({_sql_str(table)})"))
        for view in ("communities", "groups"):
            if any((out_dir / view).glob("*/seed=*.parquet")):
                files = _sql_str(out_dir / view / "*" / "seed=*.parquet")
                sources.append((view, f"read_parquet({files}, union_by_name = true)"))
        kind = "VIEW" if allow_files else "TABLE"
        for view, reader in sources:
            try:
                con.execute(f"CREATE {kind} {view} AS SELECT * FROM {reader}")
            except duckdb.Error as exc:
                raise ScenarioError(f"{out_dir}: cannot read {view} ({exc})") from None
        if not allow_files:
            con.execute("SET enable_external_access = false")
            con.execute("SET lock_configuration = true")
        try:
            return con.execute(sql).df()
        except duckdb.Error as exc:
            hint = ""
            if not allow_files and isinstance(exc, duckdb.PermissionException):
                hint = " (files outside the folder's tables need --allow-files)"
            raise ScenarioError(f"query {sql!r}: {exc}{hint}") from None
    finally:
        con.close()


def _sql_str(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"

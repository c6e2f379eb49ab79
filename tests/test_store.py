"""The results store: atomic files, assembled runs, DuckDB queries over a folder."""

from __future__ import annotations

import pandas as pd
import pytest

from hetsim.analysis.ensemble import SequentialExecutor
from hetsim.analysis.experiments import compare_experiment
from hetsim.analysis.store import assemble_runs, clear_partial_files, query, write_atomic
from hetsim.cli import main
from hetsim.simulation.schema import ScenarioError

SMALL = ("communities.count=8", "annotators.count=10")


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    out = tmp_path_factory.mktemp("compare")
    compare_experiment(
        "status_quo",
        ["audit_regime"],
        seeds=2,
        steps=3,
        overrides=SMALL,
        out_dir=out,
        executor=SequentialExecutor(),
        progress=False,
    )
    return out


def test_an_atomic_write_leaves_no_temporary_file(tmp_path):
    write_atomic(pd.DataFrame({"a": [1, 2]}), tmp_path / "x" / "t.parquet")
    assert [p.name for p in (tmp_path / "x").iterdir()] == ["t.parquet"]
    (tmp_path / "x" / ".t.parquet.123.partial").write_bytes(b"half")
    clear_partial_files(tmp_path)
    assert [p.name for p in (tmp_path / "x").iterdir()] == ["t.parquet"]


def test_assembly_reads_only_the_given_files_sorted(tmp_path):
    for seed in (1, 0):
        table = pd.DataFrame({"intervention": "baseline", "seed": seed, "step": [2, 1]})
        write_atomic(table, tmp_path / "runs" / "baseline" / f"seed={seed}.parquet")
    stale = pd.DataFrame({"intervention": "old", "seed": 9, "step": [1]})
    write_atomic(stale, tmp_path / "runs" / "old" / "seed=9.parquet")
    files = [tmp_path / "runs" / "baseline" / f"seed={s}.parquet" for s in (0, 1)]
    runs = assemble_runs(files, tmp_path / "runs.parquet")
    assert runs[["seed", "step"]].values.tolist() == [[0, 1], [0, 2], [1, 1], [1, 2]]
    pd.testing.assert_frame_equal(runs, pd.read_parquet(tmp_path / "runs.parquet"))


def test_query_counts_the_rows_of_runs(folder):
    counts = query(folder, "SELECT intervention, count(*) AS n FROM runs GROUP BY 1 ORDER BY 1")
    assert counts.values.tolist() == [["audit_regime", 6], ["baseline", 6]]


def test_query_sees_the_comparison(folder):
    n = query(folder, "SELECT count(*) AS n FROM comparison")["n"].item()
    assert n == len(pd.read_csv(folder / "comparison.csv")) > 0


def test_query_command_prints_the_table(folder, capsys):
    assert main(["query", str(folder), "SELECT count(*) AS n FROM runs", "--csv"]) == 0
    assert capsys.readouterr().out.splitlines() == ["n", "12"]


def test_bad_sql_is_a_clear_error(folder, capsys):
    with pytest.raises(ScenarioError, match="no_such_table"):
        query(folder, "SELECT * FROM no_such_table")
    assert main(["query", str(folder), "SELEKT 1"]) == 2
    assert "SELEKT" in capsys.readouterr().err


def test_query_of_a_folder_without_runs_is_an_error(tmp_path):
    with pytest.raises(ScenarioError, match=r"runs\.parquet"):
        query(tmp_path, "SELECT 1")

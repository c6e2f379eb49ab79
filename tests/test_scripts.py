"""Every scenario script runs in its fast mode and writes the figure and table it promises."""

from __future__ import annotations

import runpy
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = sorted((ROOT / "scenarios" / "scripts").glob("*.py"))


def test_the_paper_questions_each_have_a_script():
    names = {path.stem for path in SCRIPTS}
    wanted = {"scaling_race", "sharing_vs_pooling", "finetune_domain_shift"}
    wanted |= {"federated_outliers", "dp_minority", "annotation_mismatch"}
    assert wanted <= names


@pytest.mark.parametrize("script", SCRIPTS, ids=[path.stem for path in SCRIPTS])
def test_a_script_writes_its_figure_and_table_in_fast_mode(script, tmp_path):
    main = runpy.run_path(str(script), run_name="hetsim_script")["main"]
    table = main(tmp_path, fast=True)
    figure = tmp_path / f"{script.stem}.png"
    assert figure.read_bytes().startswith(b"\x89PNG")
    written = pd.read_csv(tmp_path / f"{script.stem}.csv")
    assert len(written) == len(table) > 0
    assert list(written.columns) == [str(c) for c in table.columns]


@pytest.mark.parametrize("script", SCRIPTS, ids=[path.stem for path in SCRIPTS])
def test_a_script_reads_like_a_paper_section_and_is_listed_in_the_readme(script):
    doc = runpy.run_path(str(script), run_name="hetsim_script")["__doc__"]
    assert doc.startswith("§"), "the first line names the paper's section and the question"
    for part in ("Question.", "Set-up.", "What to look for.", "Run:"):
        assert part in doc
    assert f"scenarios/scripts/{script.name}" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_a_script_runs_from_the_command_line(tmp_path):
    script = ROOT / "scenarios" / "scripts" / "annotation_mismatch.py"
    done = subprocess.run(
        [sys.executable, str(script), str(tmp_path), "--fast"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "label_accuracy_mean" in done.stdout
    assert (tmp_path / "annotation_mismatch.png").exists()

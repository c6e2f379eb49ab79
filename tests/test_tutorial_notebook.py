"""docs/tutorial.ipynb runs top to bottom (a tiny world) and is kept in git without outputs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "docs" / "tutorial.ipynb"


def test_the_notebook_is_stored_without_outputs():
    cells = json.loads(NOTEBOOK.read_text(encoding="utf-8"))["cells"]
    code = [cell for cell in cells if cell["cell_type"] == "code"]
    assert code
    for cell in code:
        assert cell["outputs"] == [] and cell["execution_count"] is None


def test_the_notebook_runs_and_shows_its_figures(tmp_path, monkeypatch):
    nbclient = pytest.importorskip("nbclient")
    import nbformat

    monkeypatch.setenv("HETSIM_TUTORIAL_FAST", "1")  # the kernel inherits it: a tiny world
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    client = nbclient.NotebookClient(
        notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": tmp_path}}
    )
    client.execute()
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    assert len(images) == 2  # the time series and the forest plot
    assert (tmp_path / "results" / "tutorial-notebook" / "report.html").is_file()
    printed = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    assert "communities.count" in printed  # the error message names the key
    assert "compare: 6/6 runs (100%)" in printed  # progress shows in a notebook

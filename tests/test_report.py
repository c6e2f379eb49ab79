"""Tests for analysis.report: the HTML is valid, self-contained and byte-reproducible."""

from __future__ import annotations

import base64
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from hetsim.analysis.report import write_report
from hetsim.analysis.statistics import compare

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
ARMS = ("baseline", "compute_tax", "open <data> & co $x")  # odd name exercises escaping


class ReportParser(HTMLParser):
    """Collects image sources, table cell texts and the set of open/close tags."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.img_src: list[str] = []
        self.cells: list[str] = []
        self.sig_rows = 0
        self.stack: list[str] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "img":
            self.img_src.append(attrs["src"])
            return
        if tag in ("meta", "br"):
            return
        self.stack.append(tag)
        if tag == "tr" and attrs.get("class") == "sig":
            self.sig_rows += 1
        if tag == "td":
            self._cell = []

    def handle_endtag(self, tag):
        assert self.stack and self.stack[-1] == tag, (self.stack, tag)
        self.stack.pop()
        if tag == "td" and self._cell is not None:
            self.cells.append("".join(self._cell))
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def embedded(parser: ReportParser, folder: Path) -> list[str]:
    """Names of the PNGs beside the report that its images embed, in page order."""
    names = []
    for src in parser.img_src:
        assert src.startswith("data:image/png;base64,"), src[:40]  # no link to a file
        data = base64.b64decode(src.split(",", 1)[1])
        assert data[:8] == PNG_MAGIC
        found = [p.name for p in sorted(folder.glob("*.png")) if p.read_bytes() == data]
        names += found
    return names


def synthetic_runs(n_seeds: int = 6, T: int = 12) -> pd.DataFrame:
    rng = np.random.default_rng(7)
    metrics = ["hhi_compute", "dependency_share", "trust_mean", "energy_kwh", "other_metric"]
    effect = {"baseline": 0.0, "compute_tax": -0.2, "open <data> & co $x": 0.05}
    rows = []
    for seed in range(n_seeds):
        shared = np.cumsum(rng.normal(scale=0.05, size=(T, len(metrics))), axis=0)
        for arm in ARMS:
            own = rng.normal(scale=0.02, size=(T, len(metrics)))
            for t in range(T):
                row = {"scenario": "toy", "intervention": arm, "seed": seed, "step": t + 1}
                for j, m in enumerate(metrics):
                    v = 0.5 + shared[t, j] + effect[arm] * (t + 1) / T + own[t, j]
                    row[m] = v * 1000 if m == "energy_kwh" else v
                rows.append(row)
    return pd.DataFrame(rows)


def flows() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "source": ["lab_a", "lab_b", "cloud", "community<1>", "lab_a", "cloud"],
            "target": ["lab_b", "lab_a", "lab_a", "lab_a", "community<1>", "lab_b"],
            "kind": ["data", "money", "compute", "data", "model", "compute"],
            "amount": [1.0, 5.0, 3.0, 0.5, 1.0, 2.0],
        }
    )


MANIFEST = {
    "scenario": "toy",
    "seeds": list(range(6)),
    "steps": 12,
    "interventions": list(ARMS),
    "versions": {"hetsim": "0.1.0", "mesa": "3.5.0"},
    "created": "2024-05-01T12:00:00Z",
}


def parse(path: Path) -> ReportParser:
    parser = ReportParser()
    parser.feed(path.read_text(encoding="utf-8"))
    parser.close()
    return parser


def test_report_structure(tmp_path):
    runs = synthetic_runs()
    comparison = compare(runs)
    html_path = write_report(tmp_path, runs, comparison, flows(), MANIFEST)
    assert html_path == tmp_path / "report.html"

    parser = parse(html_path)
    assert parser.stack == []  # every opened element was closed, in order
    assert embedded(parser, tmp_path) == ["timeseries.png", "forest.png", "network.png"]

    cells = set(parser.cells)
    for arm in ARMS[1:]:
        assert arm in cells  # unescaped text content of a table cell
    assert "trust in large entities (trust_mean)" in cells  # labelled, column named
    # compute_tax's large effects survive Holm; marked rows exist
    assert parser.sig_rows >= 1

    text = html_path.read_text(encoding="utf-8")
    assert "open <data>" not in text  # escaped
    assert "open &lt;data&gt; &amp; co $x" in text
    assert "community<1>" not in text
    assert "2024-05-01T12:00:00Z" in text  # timestamps only from the manifest
    assert "mesa 3.5.0" in text
    # only last10pct rows in the table: 2 interventions x 5 metrics, 12 cells each
    assert len(parser.cells) == 2 * 5 * 12


def test_report_is_byte_reproducible(tmp_path):
    runs = synthetic_runs()
    comparison = compare(runs)
    a = write_report(tmp_path / "a", runs, comparison, flows(), MANIFEST)
    b = write_report(tmp_path / "b", runs, comparison, flows(), MANIFEST)
    assert a.read_bytes() == b.read_bytes()
    for name in ("timeseries.png", "forest.png", "network.png"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    # overwriting in place is also stable
    first = a.read_bytes()
    write_report(tmp_path / "a", runs, comparison, flows(), MANIFEST)
    assert a.read_bytes() == first


def test_png_has_no_date_or_software_metadata(tmp_path):
    runs = synthetic_runs()
    write_report(tmp_path, runs, compare(runs), flows(), MANIFEST)
    for name in ("timeseries.png", "forest.png", "network.png"):
        data = (tmp_path / name).read_bytes()
        assert b"tIME" not in data
        assert b"Software" not in data
        assert b"Creation Time" not in data


def test_report_without_optional_inputs(tmp_path):
    runs = synthetic_runs(n_seeds=3, T=10)
    html_path = write_report(tmp_path, runs, compare(runs), main_metrics=["trust_mean", "nope"])
    parser = parse(html_path)
    assert embedded(parser, tmp_path) == ["timeseries.png", "forest.png"]
    assert not (tmp_path / "network.png").exists()
    text = html_path.read_text(encoding="utf-8")
    assert "nope" in text  # reported as missing, not a crash
    assert "toy" in text  # manifest summary falls back to the runs table


def test_report_with_identical_intervention_and_baseline_only(tmp_path):
    runs = synthetic_runs(n_seeds=4, T=10)
    base = runs[runs["intervention"] == "baseline"]
    clone = pd.concat([base, base.assign(intervention="clone")], ignore_index=True)
    parser = parse(write_report(tmp_path / "clone", clone, compare(clone)))
    assert "clone" in set(parser.cells)
    assert parser.sig_rows == 0

    only = write_report(tmp_path / "only", base, compare(base))
    parser = parse(only)
    assert embedded(parser, tmp_path / "only") == ["timeseries.png"]
    assert "No interventions to compare" in only.read_text(encoding="utf-8")


@pytest.mark.parametrize("n_nodes", [0, 40])
def test_network_edge_cases(tmp_path, n_nodes):
    rng = np.random.default_rng(0)
    names = [f"org{i}" for i in range(n_nodes)]
    f = pd.DataFrame(
        {
            "source": rng.choice(names, 3 * n_nodes) if n_nodes else [],
            "target": rng.choice(names, 3 * n_nodes) if n_nodes else [],
            "kind": rng.choice(["data", "compute", "model", "money", "gpu_hours"], 3 * n_nodes)
            if n_nodes
            else [],
            "amount": rng.exponential(size=3 * n_nodes),
        }
    )
    runs = synthetic_runs(n_seeds=3, T=10)
    parse(write_report(tmp_path, runs, compare(runs), f))
    assert (tmp_path / "network.png").read_bytes()[:8] == PNG_MAGIC

"""An experiment's folder: its manifest, its runs table, its comparison and its report.

The manifest is written before the first run (once every input is validated) and closed when
the runs end; :func:`conclude` assembles ``runs.parquet`` from the per-run files and, for
compare and branch, writes ``comparison.csv`` and ``report.html``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd

from hetsim.analysis.ensemble import BASELINE, EnsembleOutcome, SequentialExecutor
from hetsim.analysis.runner import git_revision, now, versions
from hetsim.analysis.store import (
    assemble_runs,
    check_file_target,
    read_flows,
    read_manifest,
    read_runs,
    write_json,
    write_text_atomic,
)
from hetsim.scenarios.builder import flatten
from hetsim.simulation.scenario_files import named, shown
from hetsim.simulation.schema import Scenario, ScenarioError

EXTRA_PACKAGES = ("threadpoolctl", "tqdm", "matplotlib", "duckdb", "SALib", "dask", "distributed")


@dataclass
class Experiment:
    """What an experiment wrote and how its runs went."""

    out_dir: Path
    """The experiment folder."""
    outcome: EnsembleOutcome
    """Runs done now, runs found done before (``resume``), and failures with their seeds."""
    runs: pd.DataFrame | None = None
    """runs.parquet: every metric per run × step (None when no run finished)."""
    files: list[Path] = field(default_factory=list)
    """Every file written."""
    notes: list[str] = field(default_factory=list)
    """Things the researcher should know (e.g. rounded integer keys)."""
    manifest: dict[str, Any] = field(default_factory=dict)
    """manifest.json: the plan, versions, executor, start and end, status."""
    comparison: pd.DataFrame | None = None
    """comparison.csv as written (compare and branch)."""
    indices: pd.DataFrame | None = None
    """indices.csv as written (sensitivity)."""

    @property
    def exit_code(self) -> int:
        """0 when every run finished, 1 when any failed, 130/143 after Ctrl-C/SIGTERM."""
        if self.outcome.interrupted:
            from hetsim.analysis.interruption import EXIT_CODES

            return EXIT_CODES[self.outcome.interrupted]
        return 0 if self.outcome.ok else 1


def all_versions() -> dict[str, str]:
    """Versions of Python, the simulation's packages and the experiment machinery."""
    out = versions()
    for name in EXTRA_PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def start_manifest(
    out_dir: Path, manifest: dict[str, Any], resume: bool, executor: SequentialExecutor
) -> dict[str, Any]:
    """Start the executor and write the manifest before the first run.

    Called once every input is validated. Refuses to mix a fresh experiment into a folder
    holding runs, and on resume refuses a different plan.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    previous = read_manifest(out_dir)
    stored = next((out_dir / "runs").glob("*/*.parquet"), None)
    if stored is not None and not resume:
        raise ScenarioError(
            f"{shown('out', str(out_dir))}: already holds finished runs (e.g. "
            f"{stored.relative_to(out_dir)}); pass {named('resume')} to continue that "
            f"experiment, or choose another {named('out')}"
        )
    if resume and previous is not None and previous.get("plan") != manifest["plan"]:
        changed = sorted(
            k
            for k in set(previous.get("plan", {})) | set(manifest["plan"])
            if previous.get("plan", {}).get(k) != manifest["plan"].get(k)
        )
        raise ScenarioError(
            f"{named('resume')} {out_dir}: the stored experiment differs in "
            f"{', '.join(changed)}; resume with the same scenario, interventions, parameters, "
            f"steps and {named('set')}"
        )
    if resume and previous is not None:
        manifest["first_started"] = previous.get("first_started", previous.get("started"))
    executor.start()
    # Runs without a manifest are checked one by one against their stored identity; until
    # they pass, the folder gets no manifest that would describe a plan it may not hold.
    if not (resume and previous is None and stored is not None):
        write_json(manifest, out_dir / "manifest.json")
    return manifest


def finish_manifest(out_dir: Path, manifest: dict[str, Any], outcome: EnsembleOutcome) -> None:
    """Record when and how the runs ended; the counts always add up to ``runs_planned``."""
    manifest["finished"] = now()
    if outcome.interrupted:
        manifest["status"] = "interrupted"
        manifest["interrupted_by"] = outcome.interrupted
    else:
        manifest["status"] = "completed" if outcome.ok else "failed"
    manifest["runs_planned"] = outcome.total
    manifest["runs_done_now"] = outcome.ran
    manifest["runs_resumed"] = outcome.skipped
    manifest["runs_failed"] = [f["run"] for f in outcome.failures]
    manifest["runs_not_run"] = outcome.total - outcome.ran - outcome.skipped - len(outcome.failures)
    manifest["runs_damaged_rerun"] = outcome.damaged
    write_json(manifest, out_dir / "manifest.json")


def base_manifest(kind: str, scenario: Scenario, executor: SequentialExecutor) -> dict:
    """The entries every experiment's manifest starts with."""
    return {
        "experiment": kind,
        "scenario": scenario.name,
        "scenario_resolved": scenario.model_dump(mode="json"),
        "versions": all_versions(),
        "git_revision": git_revision(),
        "executor": executor.name,
        "started": now(),
        "status": "running",
    }


def comparison_of(runs: pd.DataFrame, outcomes: Sequence[str] | None = None) -> pd.DataFrame:
    """Paired comparison of a compare/branch runs table (branch: post-warm-up steps only)."""
    from hetsim.analysis.statistics import compare

    if "branched" in runs.columns:
        runs = runs[runs["branched"]]
    return compare(runs, baseline=BASELINE, outcomes=outcomes)


def write_comparison_and_report(
    out_dir: Path, runs: pd.DataFrame, manifest: dict[str, Any] | None
) -> list[Path]:
    """Write comparison.csv and report.html (+ PNGs) from a runs table."""
    from hetsim.analysis.report import write_report

    kind = (manifest or {}).get("experiment")
    if kind in ("discover", "optimise"):
        summary = "discovery.md" if kind == "discover" else "optimisation.md"
        raise ScenarioError(
            f"{out_dir}: holds the results of `hetsim {kind}`; its report is "
            f"{out_dir / summary} (written when it ran)"
        )
    if "point" in runs.columns:  # a sweep or a sensitivity analysis
        from hetsim.analysis.design_report import write_design_report

        check_file_target(out_dir / "report.html")
        return write_design_report(out_dir, runs, manifest)
    for name in ("comparison.csv", "report.html"):  # a folder there: one message, not OSError
        check_file_target(out_dir / name)
    comparison = comparison_of(runs, (manifest or {}).get("outcomes"))
    csv = out_dir / "comparison.csv"
    write_text_atomic(comparison.to_csv(index=False), csv)
    flows = read_flows(out_dir, BASELINE)
    report = write_report(out_dir, runs, comparison, flows_last_step=flows, manifest=manifest)
    return [csv, report, *sorted(out_dir.glob("*.png"))]


def conclude(
    out_dir: Path,
    manifest: dict[str, Any],
    outcome: EnsembleOutcome,
    files: list[Path],
    sort_by: Sequence[str] = ("intervention", "seed", "step"),
    report: bool = True,
) -> Experiment:
    """Assemble runs.parquet, write comparison and report, and close the manifest."""
    finish_manifest(out_dir, manifest, outcome)
    experiment = Experiment(out_dir, outcome, manifest=manifest)
    if not any(f.exists() for f in files):
        if not outcome.interrupted:  # the interruption line already says how many
            experiment.notes.append("no run finished; nothing to assemble")
        return experiment
    experiment.runs = assemble_runs(files, out_dir / "runs.parquet", sort_by)
    experiment.files = [out_dir / "runs.parquet", out_dir / "manifest.json"]
    if report and not outcome.interrupted:  # a partial comparison would mislead
        try:
            experiment.files += write_comparison_and_report(out_dir, experiment.runs, manifest)
            experiment.comparison = pd.read_csv(out_dir / "comparison.csv")
        except ValueError as exc:  # e.g. every baseline run failed
            experiment.notes.append(f"no comparison: {exc}")
    return experiment


def changed_keys(base: Scenario, other: Scenario) -> dict[str, Any]:
    """Dotted keys whose value differs in ``other``, with their new values."""
    a = flatten(base.model_dump(mode="json"))
    b = flatten(other.model_dump(mode="json"))
    return {k: b.get(k) for k in sorted(set(a) | set(b)) if a.get(k) != b.get(k)}


def rebuild_report(out_dir: Path) -> list[Path]:
    """Recompute comparison.csv and rewrite report.html from a folder's runs.parquet."""
    out_dir = Path(out_dir)
    runs = read_runs(out_dir)
    try:
        return write_comparison_and_report(out_dir, runs, read_manifest(out_dir))
    except ValueError as exc:
        if isinstance(exc, ScenarioError):
            raise
        raise ScenarioError(f"report {out_dir}: {exc}") from None

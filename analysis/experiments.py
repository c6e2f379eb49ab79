"""Experiments a policy researcher can publish: compare, sweep, sensitivity and branch.

Each experiment turns its inputs into picklable jobs (:class:`hetsim.analysis.ensemble.Task`,
or :class:`hetsim.analysis.branch.BranchJob`), runs them with
:func:`hetsim.analysis.ensemble.run_ensemble` on any executor, then assembles ``runs.parquet``
from the per-run files and writes its own outputs. Every input is validated (each arm's and
each point's scenario is loaded) before the first run, so a bad key or value is one
:class:`ScenarioError` and nothing runs.

This module gathers the experiments' public names; each lives in a module of its own:

* :mod:`hetsim.analysis.compare` — ``compare_experiment``;
* :mod:`hetsim.analysis.sweep` — ``sweep_experiment``, ``sweep_points``;
* :mod:`hetsim.analysis.sensitivity` — ``sensitivity_experiment``;
* :mod:`hetsim.analysis.branch` — ``branch_experiment``, ``BranchJob``, ``run_branch``;
* :mod:`hetsim.analysis.arguments` — ``check_count``, ``parse_arm``, ``parse_param``, ``Param``;
* :mod:`hetsim.analysis.manifest` — ``Experiment``, ``rebuild_report``, manifests.
"""

from hetsim.analysis.arguments import (
    Param,
    check_count,
    field_kind,
    parse_arm,
    parse_param,
    portable,
)
from hetsim.analysis.branch import (
    SIZING_KEYS,
    BranchJob,
    BranchResult,
    branch_experiment,
    check_branchable,
    run_branch,
)
from hetsim.analysis.compare import compare_experiment
from hetsim.analysis.manifest import (
    EXTRA_PACKAGES,
    Experiment,
    all_versions,
    comparison_of,
    rebuild_report,
    write_comparison_and_report,
)
from hetsim.analysis.sensitivity import (
    DEFAULT_SAMPLES,
    SENSITIVITY_METHODS,
    sensitivity_experiment,
)
from hetsim.analysis.sweep import sweep_experiment, sweep_points
from hetsim.simulation.schema import ScenarioError

__all__ = [
    "DEFAULT_SAMPLES",
    "EXTRA_PACKAGES",
    "SENSITIVITY_METHODS",
    "SIZING_KEYS",
    "BranchJob",
    "BranchResult",
    "Experiment",
    "Param",
    "ScenarioError",
    "all_versions",
    "branch_experiment",
    "check_branchable",
    "check_count",
    "compare_experiment",
    "comparison_of",
    "field_kind",
    "parse_arm",
    "parse_param",
    "portable",
    "rebuild_report",
    "run_branch",
    "sensitivity_experiment",
    "sweep_experiment",
    "sweep_points",
    "write_comparison_and_report",
]

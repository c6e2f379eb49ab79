"""Exploratory modelling: in which worlds does an intervention fail? (§3, on EMA Workbench).

Policy questions under deep uncertainty ask where a lever fails, not only whether it works on
average. hetsim answers them the way the field does, with EMA Workbench (Kwakkel 2017): a
Latin hypercube over uncertain scenario keys (:mod:`.design`), every point run without and
with the intervention on the same seeds by hetsim's own executors, and scenario discovery on
the paired effects — PRIM boxes with their coverage and density (Friedman & Fisher 1999;
Bryant & Lempert 2010) and extra-trees feature scores (:mod:`.scenario_discovery`,
:mod:`.discover`).
"""

from hetsim.analysis.exploration.discover import discover_experiment
from hetsim.analysis.exploration.scenario_discovery import (
    BoxResult,
    feature_scores,
    find_box,
    parse_failure_rule,
)

__all__ = ["BoxResult", "discover_experiment", "feature_scores", "find_box", "parse_failure_rule"]

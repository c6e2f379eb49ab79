"""Measures (§3): what a run measures, computed from what happened.

Power concentration of holdings and centrality in the flow network (:mod:`.concentration`,
§3 power asymmetry and dependency); group rates and fairness gaps under each notion
(:mod:`.group_rates`, §2.3, §2.4.1); whether deployed models fail the same people across a
market (:mod:`.ecosystem`, §3 dependency, after Toups, Bommasani et al. 2023); and the
evaluation protocol by which entities report and regulators audit a mandated gap on a sample,
with its sampling error (:mod:`.audit_sampling`, §3 washing). The recorder
(:mod:`hetsim.simulation.recorder`) turns them into a run's tables, whose columns
:mod:`.columns` describes. Run-level patterns that a calibration compares with field data
(growth of compute, who makes the notable models) are in :mod:`.patterns`.
"""

from hetsim.simulation.measures.concentration import (
    flow_graph,
    gini,
    hhi,
    network_centrality,
    shares,
    top_k_share,
)
from hetsim.simulation.measures.group_rates import (
    FAIRNESS_NOTIONS,
    GroupRates,
    accuracy,
    confusion_counts,
    fairness_gap,
    group_rates,
    rates_from_counts,
)
from hetsim.simulation.measures.patterns import PATTERN_MEASURES, pattern_measures

__all__ = [
    "FAIRNESS_NOTIONS",
    "PATTERN_MEASURES",
    "GroupRates",
    "accuracy",
    "confusion_counts",
    "fairness_gap",
    "flow_graph",
    "gini",
    "group_rates",
    "hhi",
    "network_centrality",
    "pattern_measures",
    "rates_from_counts",
    "shares",
    "top_k_share",
]

"""Readable names of the metrics the page shows, with their one-line explanation."""

from __future__ import annotations

from hetsim.simulation.recorder import METRIC_COLUMNS

METRIC_LABELS: dict[str, str] = {
    "hhi_compute": "Concentration of compute (HHI)",
    "hhi_data": "Concentration of data (HHI)",
    "hhi_decisions": "Concentration of decisions (HHI)",
    "dependency_share": "Communities depending on another's model",
    "data_sovereignty_mean": "Data sovereignty (mean)",
    "accuracy_mean": "Accuracy (mean over communities)",
    "accuracy_min_community": "Accuracy of the worst-served community",
    "fairness_gap_own_mean": "Fairness gap, communities' own notions",
    "trust_mean": "Trust in large entities",
    "energy_kwh": "Energy of training (kWh)",
    "audits": "Audits",
    "violations_fairness": "Fairness violations found",
    "violations_washing": "Washing found by audits",
    "reported_gap_error_mean": "|Reported − audited| fairness gap",
    "washing_gap_mean": "Washing gap (measured − reported)",
    "lending_repayment_gap": "Repayment gap, group 0 − group 1",
    "lending_loans": "Loans given",
}


def metric_label(column: str) -> str:
    """A metric's readable name (its column name when it has none)."""
    return METRIC_LABELS.get(column, column.replace("_", " "))


def metric_help(column: str) -> str:
    """A metric's one-line explanation, with its column name and range."""
    return f"{column}: {METRIC_COLUMNS.get(column, 'no description')}"

"""Measurement (DESIGN §3): what a run measures, computed from what happened this step.

Metrics are computed from the ledgers and the deployment record, never inside an agent's
decision. Two tables come out: one row per step of model-level measures, and one row per
step × community × group of outcomes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from simulation import metrics
from simulation.state import STRATEGIES

if TYPE_CHECKING:
    from simulation.model import EcosystemModel

# One line per column of metrics.parquet: what it is, and its range (docs/metrics.md).
METRIC_COLUMNS: dict[str, str] = {
    "step": "step number, 1..steps",
    "hhi_compute": "Herfindahl index of compute held by entities and communities, [1/n, 1]",
    "hhi_data": "Herfindahl index of records held by entities and communities, [1/n, 1]",
    "hhi_decisions": "Herfindahl index of decisions made by each organisation's models, [0, 1]",
    "gini_compute": "Gini coefficient of compute held by entities and communities, [0, 1)",
    "gini_data": "Gini coefficient of records held by entities and communities, [0, 1)",
    "top1_share_decisions": "share of decisions made by the largest provider's models, [0, 1]",
    "entity_compute_share": "share of all compute held by large entities, [0, 1]",
    "dependency_share": "share of communities whose deployed model another org controls, [0, 1]",
    "data_sovereignty_mean": "mean share of a community's records under its own control, [0, 1]",
    "accuracy_mean": "mean accuracy of deployed models over communities, [0, 1]",
    "accuracy_min_community": "accuracy of the worst-served community, [0, 1]",
    "fairness_gap_own_mean": "mean fairness gap under each community's own notion, [0, 1]",
    "fairness_gap_own_max": "largest fairness gap under a community's own notion, [0, 1]",
    "fairness_gap_mandated_mean": "mean gap under the jurisdiction's mandated notion, [0, 1]",
    "value_alignment_share": "share of communities whose model meets their own values, [0, 1]",
    "trust_mean": "mean trust of communities in large entities, [0, 1]",
    "energy_kwh": "energy of this step's training, kWh, >= 0",
    "fits": "models trained this step, >= 0",
    "label_accuracy_mean": "share of this step's labels written correctly, [0.5, 1]",
    "annotator_pay_mean": "mean pay per record labelled this step, money/record, >= 0",
    "strategy_local_share": "share of communities training their own model, [0, 1]",
    "strategy_adopt_share": "share of communities paying for an entity's model, [0, 1]",
    "strategy_share_share": "share of communities giving data for access, [0, 1]",
    "entity_revenue": "money paid to large entities for access this step, >= 0",
    "entity_capital_mean": "mean money held by large entities, any real",
    "audits": "audits done this step, >= 0",
    "violations_found": "audits that found a mandated gap above the threshold, >= 0",
    "fines": "money fined this step, >= 0",
    "reported_gap_error_mean": "mean |reported - audited| gap over this step's audits, [0, 1]",
    "network_top_centrality": "largest share of model and data in-flows to one org, [0, 1]",
}

COMMUNITY_COLUMNS = (
    "step",
    "community",
    "group",
    "n",
    "accuracy",
    "tpr",
    "fpr",
    "selection_rate",
    "strategy",
    "provider",
)


def _nanmean(x: np.ndarray) -> float:
    x = np.asarray(x, dtype=float)
    x = x[~np.isnan(x)]
    return float(x.mean()) if x.size else float("nan")


class Recorder:
    """Collects the step's measures into columnar buffers."""

    def __init__(self, model: EcosystemModel) -> None:
        self.model = model
        self.rows: list[dict[str, Any]] = []
        self._community_parts: list[dict[str, np.ndarray]] = []
        self._flow_parts: list[dict[str, np.ndarray]] = []
        self.audit_errors: list[float] = []
        self.keep_community_rows = True

    def record(self) -> None:
        """Measure the step that just ran."""
        self.rows.append(self.metrics_row())
        if self.keep_community_rows:
            self._community_parts.append(self.community_part())
            kinds, src, dst, amount = self.model.ledger.flows()
            self._flow_parts.append(
                {
                    "step": np.full(kinds.size, self.model.steps, dtype=np.int32),
                    "source": src,
                    "target": dst,
                    "kind": kinds.astype(np.int8),
                    "amount": amount,
                }
            )
        self.audit_errors = []

    def metrics_row(self) -> dict[str, Any]:
        """Model-level measures of this step."""
        m = self.model
        led, dep, com, ent = m.ledger, m.deployment, m.community_arrays, m.entity_arrays
        builders = slice(0, led.n_entities + led.n_communities)
        compute = led.compute[builders]
        data = led.data_held()[builders]
        decisions = dep.decisions
        n_com = com.n
        dependent = (dep.provider != led.community_org(np.arange(n_com))) if n_com else []
        ann = m.annotator_arrays
        labelled = float(ann.records.sum())
        flows_in = self._network_in_share()
        row: dict[str, Any] = {
            "step": m.steps,
            "hhi_compute": metrics.hhi(compute),
            "hhi_data": metrics.hhi(data),
            "hhi_decisions": metrics.hhi(decisions),
            "gini_compute": metrics.gini(compute),
            "gini_data": metrics.gini(data),
            "top1_share_decisions": metrics.top_k_share(decisions, 1),
            "entity_compute_share": float(
                compute[: led.n_entities].sum() / compute.sum() if compute.sum() else 0.0
            ),
            "dependency_share": float(np.mean(dependent)) if n_com else float("nan"),
            "data_sovereignty_mean": _nanmean(led.data_sovereignty()),
            "accuracy_mean": _nanmean(dep.accuracy),
            "accuracy_min_community": float(np.nanmin(dep.accuracy)) if n_com else float("nan"),
            "fairness_gap_own_mean": _nanmean(dep.gap_own),
            "fairness_gap_own_max": float(np.nanmax(dep.gap_own)) if n_com else float("nan"),
            "fairness_gap_mandated_mean": _nanmean(dep.gap_mandated),
            "value_alignment_share": float(dep.aligned.mean()) if n_com else float("nan"),
            "trust_mean": float(led.trust.mean()) if led.trust.size else float("nan"),
            "energy_kwh": m.training.energy_kwh,
            "fits": m.training.fits,
            "label_accuracy_mean": _nanmean(
                np.concatenate([com.label_accuracy, self._entity_label_accuracy()])
            ),
            "annotator_pay_mean": float(ann.income.sum() / labelled) if labelled else 0.0,
            "strategy_local_share": _nanmean(com.strategy == 0) if n_com else float("nan"),
            "strategy_adopt_share": _nanmean(com.strategy == 1) if n_com else float("nan"),
            "strategy_share_share": _nanmean(com.strategy == 2) if n_com else float("nan"),
            "entity_revenue": float(ent.revenue.sum()),
            "entity_capital_mean": _nanmean(led.money[: led.n_entities]),
            "audits": m.jurisdictions.audits,
            "violations_found": m.jurisdictions.violations,
            "fines": m.jurisdictions.fines,
            "reported_gap_error_mean": _nanmean(np.array(self.audit_errors)),
            "network_top_centrality": flows_in,
        }
        return row

    def _entity_label_accuracy(self) -> np.ndarray:
        return np.asarray(getattr(self.model, "_entity_label_accuracy", []), dtype=float)

    def _network_in_share(self) -> float:
        """Largest share of this step's data and model links that point at one organisation.

        Links are counted, not units, so records and model accesses weigh alike.
        """
        kinds, src, dst, _ = self.model.ledger.flows()
        keep = kinds <= 2  # data, compute, model: flows of capability, not money
        edges = [(str(s), str(t), 1.0) for s, t in zip(src[keep], dst[keep], strict=True)]
        centrality = metrics.network_centrality(edges)
        return max(centrality.values()) if centrality else 0.0

    def community_part(self) -> dict[str, np.ndarray]:
        """Per community × group outcomes of this step (groups with nobody are left out)."""
        m = self.model
        dep, com = m.deployment, m.community_arrays
        present = dep.group_n > 0
        ci, gi = np.nonzero(present)
        return {
            "step": np.full(ci.size, m.steps, dtype=np.int32),
            "community": ci.astype(np.int32),
            "group": gi.astype(np.int8),
            "n": dep.group_n[ci, gi].astype(np.int32),
            "accuracy": dep.group_accuracy[ci, gi],
            "tpr": dep.group_tpr[ci, gi],
            "fpr": dep.group_fpr[ci, gi],
            "selection_rate": dep.group_selection[ci, gi],
            "strategy": com.strategy[ci].astype(np.int8),
            "provider": dep.provider[ci].astype(np.int32),
        }

    def flows_table(self) -> pd.DataFrame:
        """One row per step × source × target × kind of exchange."""
        from simulation.ledger import FLOW_KINDS

        names = np.array(self.model.ledger.org_names())
        parts = self._flow_parts
        cols = {
            k: np.concatenate([p[k] for p in parts]) if parts else np.zeros(0)
            for k in ("step", "source", "target", "kind", "amount")
        }
        return pd.DataFrame(
            {
                "step": cols["step"].astype(np.int32),
                "source": names[cols["source"].astype(np.int64)],
                "target": names[cols["target"].astype(np.int64)],
                "kind": np.array(FLOW_KINDS)[cols["kind"].astype(np.int64)],
                "amount": cols["amount"].astype(float),
            }
        )

    def metrics_table(self) -> pd.DataFrame:
        """One row per step."""
        return pd.DataFrame(self.rows, columns=list(METRIC_COLUMNS))

    def community_table(self) -> pd.DataFrame:
        """One row per step × community × group."""
        if not self._community_parts:
            return pd.DataFrame({k: [] for k in COMMUNITY_COLUMNS})
        cols = {k: np.concatenate([p[k] for p in self._community_parts]) for k in COMMUNITY_COLUMNS}
        names = np.array(self.model.ledger.org_names())
        table = pd.DataFrame(cols)
        table["strategy"] = pd.Categorical.from_codes(cols["strategy"], categories=STRATEGIES)
        uniq, inverse = np.unique(cols["provider"], return_inverse=True)
        table["provider"] = pd.Categorical.from_codes(inverse.ravel(), categories=list(names[uniq]))
        return table

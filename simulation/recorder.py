"""Measurement (DESIGN §3): what a run measures, computed from what happened this step.

Metrics are computed from the ledgers and the deployment record, never inside an agent's
decision. Two tables come out: one row per step of model-level measures, and one row per
step × community × group of outcomes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from hetsim.simulation import measures
from hetsim.simulation.learning import capacity_share
from hetsim.simulation.ledger import FLOW_KINDS
from hetsim.simulation.measures.columns import (
    COMMUNITY_COLUMNS,
    ENTITY_COLUMNS,
    MAIN_METRICS,
    METRIC_COLUMNS,
    metric_columns,
)

if TYPE_CHECKING:
    from hetsim.simulation.model import EcosystemModel

# The column descriptions live in hetsim.simulation.measures.columns; importable from here too.
__all__ = [
    "COMMUNITY_COLUMNS",
    "ENTITY_COLUMNS",
    "EPSILON_CEILING",
    "MAIN_METRICS",
    "METRIC_COLUMNS",
    "Recorder",
    "metric_columns",
]

EPSILON_CEILING = 50.0  # "no DP" (ε = inf) is measured as this ε


def _normalised_entropy(labels: np.ndarray) -> float:
    """Entropy of a label distribution over the five notions, divided by log(5): [0, 1]."""
    if len(labels) == 0:
        return float("nan")
    _, counts = np.unique(np.asarray(labels, dtype=str), return_counts=True)
    p = counts / counts.sum()
    return float(abs((p * np.log(p)).sum()) / np.log(5))


def _median(values: np.ndarray) -> float:
    return float(np.median(values)) if values.size else float("nan")


def _nanmean(x: np.ndarray) -> float:
    x = np.asarray(x, dtype=float)
    x = x[~np.isnan(x)]
    return float(x.mean()) if x.size else float("nan")


class Recorder:
    """Collects the step's measures into columnar buffers."""

    def __init__(self, model: EcosystemModel) -> None:
        self.model = model
        self.columns = list(METRIC_COLUMNS)
        self.columns += [f"strategy_{s.name}_share" for s in model.strategies]
        self.columns += [c for s in model.strategies for c in s.metric_columns]
        self.rows: list[dict[str, Any]] = []
        self._community_parts: list[dict[str, np.ndarray]] = []
        self._flow_parts: list[dict[str, np.ndarray]] = []
        self._lending_parts: list[dict[str, np.ndarray]] = []
        self._entity_parts: list[dict[str, np.ndarray]] = []
        self.audit_errors: list[float] = []
        self.keep_community_rows = True

    def record(self) -> None:
        """Measure the step that just ran."""
        self.rows.append(self.metrics_row())
        self._entity_parts.append(self.entity_part())
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
            if getattr(self.model, "lending_record", None) is not None:
                self._lending_parts.append(self.lending_part())
        self.audit_errors = []

    def metrics_row(self) -> dict[str, Any]:
        """Model-level measures of this step."""
        m = self.model
        led, dep, com, ent = m.ledger, m.deployment, m.community_arrays, m.entity_arrays
        # organisations that build models: the entities operating, and every community
        builders = np.concatenate([np.flatnonzero(ent.active), led.community_org(np.arange(com.n))])
        compute = led.compute[builders]
        data = led.data_held(ent.filled, com.filled)[builders]
        accumulated = led.data_accumulated()[builders]
        n_entities = int(ent.active.sum())
        decisions = dep.decisions
        n_com = com.n
        dependent = (dep.provider != led.community_org(np.arange(n_com))) if n_com else []
        ann = m.annotator_arrays
        labelled = float(ann.records.sum())
        flows_in = self._network_in_share()
        active = ent.active
        trusted = bool(led.trust[:, active].size)
        row: dict[str, Any] = {
            "step": m.steps,
            "hhi_compute": measures.hhi(compute),
            "hhi_data": measures.hhi(data),
            "hhi_decisions": measures.hhi(decisions),
            "gini_compute": measures.gini(compute),
            "gini_data": measures.gini(data),
            "entity_data_share": float(data[:n_entities].sum() / data.sum() if data.sum() else 0.0),
            "hhi_data_accumulated": measures.hhi(accumulated),
            "data_given_records": self._records_given(),
            "top1_share_decisions": measures.top_k_share(decisions, 1),
            "entity_compute_share": float(
                compute[:n_entities].sum() / compute.sum() if compute.sum() else 0.0
            ),
            "dependency_share": float(np.mean(dependent)) if n_com else float("nan"),
            "data_sovereignty_mean": _nanmean(led.data_sovereignty()),
            "accuracy_mean": _nanmean(dep.accuracy),
            "accuracy_min_community": float(np.nanmin(dep.accuracy)) if n_com else float("nan"),
            "fairness_gap_own_mean": _nanmean(dep.gap_own),
            "fairness_gap_own_max": float(np.nanmax(dep.gap_own)) if n_com else float("nan"),
            "fairness_gap_mandated_mean": _nanmean(dep.gap_mandated),
            "value_alignment_share": float(dep.aligned.mean()) if n_com else float("nan"),
            "majority_rule_share": float(com.decides_by_rule.mean()) if n_com else float("nan"),
            "trust_mean": float(led.trust[:, active].mean()) if trusted else float("nan"),
            "energy_kwh": m.training.energy_kwh,
            "fits": m.training.fits,
            "label_accuracy_mean": _nanmean(
                np.concatenate([com.label_accuracy, self._entity_label_accuracy()])
            ),
            "annotator_pay_mean": float(ann.income.sum() / labelled) if labelled else 0.0,
            "entity_revenue": float(ent.revenue.sum()),
            "entity_capital_mean": _nanmean(led.money[: led.n_entities][active]),
            "entities_active": int(active.sum()),
            "entries": int((ent.entered_at == m.steps).sum()),
            "entry_cost": float(ent.entry_cost[ent.entered_at == m.steps].sum()),
            "compute_rent": m.compute_market.traded_at,
            "compute_rented": m.compute_market.rented,
            **self._capacity_medians(compute[:n_entities], compute[n_entities:]),
            "compute_dependency_mean": _nanmean(self._compute_dependency()),
            "audits": m.jurisdictions.audits,
            "violations_fairness": m.jurisdictions.violations,
            "violations_washing": m.jurisdictions.washing_violations,
            "inspections": m.jurisdictions.inspections,
            "inspections_cleared": m.jurisdictions.inspections_cleared,
            "fines": m.jurisdictions.fines,
            "fines_into_debt": float(ent.fines_into_debt.sum()),
            "reported_gap_error_mean": _nanmean(np.array(self.audit_errors)),
            "network_top_centrality": flows_in,
        }
        row.update(self._mechanism_measures())
        return row

    def _capacity_medians(self, entities: np.ndarray, communities: np.ndarray) -> dict[str, float]:
        """Median share of model capacity κ the compute held buys, by role."""
        half = self.model.spec.learning.capacity_compute
        return {
            "capacity_median_entities": _median(capacity_share(entities, half)),
            "capacity_median_communities": _median(capacity_share(communities, half)),
        }

    def _records_given(self) -> float:
        """Records communities handed to entities this step (a flow)."""
        led = self.model.ledger
        kind, source, target, amount = led.flows()
        given = (
            (kind == FLOW_KINDS.index("data"))
            & (source >= led.n_entities)
            & (source < led.n_entities + led.n_communities)
            & (target < led.n_entities)
        )
        return float(amount[given].sum())

    def _mechanism_measures(self) -> dict[str, Any]:
        """Strategies, washing, privacy, explainability, values homogenisation (§2.3–§4)."""
        m = self.model
        com, ent, dep, jur = m.community_arrays, m.entity_arrays, m.deployment, m.jurisdictions
        n_com = com.n
        out: dict[str, Any] = {}
        for strategy in m.strategies:
            out[f"strategy_{strategy.name}_share"] = (
                float(np.mean(com.strategy == strategy.code)) if n_com else float("nan")
            )
            out.update(strategy.measures(m))
        reported = ~np.isnan(ent.report_gap)
        out["washing_gap_mean"] = _nanmean((ent.report_honest_gap - ent.report_gap)[reported])
        could = reported & (ent.report_favourable_gap < ent.report_honest_gap)
        out["washing_share"] = _nanmean(ent.report_washed[could])
        effective = np.minimum(ent.effective_epsilon, EPSILON_CEILING)
        claimed = np.minimum(ent.claimed_epsilon, EPSILON_CEILING)
        out["privacy_gap_mean"] = (
            float(np.mean(np.maximum(effective - claimed, 0.0))) if ent.n else float("nan")
        )
        audits = ~jur.loophole
        out["certifiable_epsilon_max"] = (
            float(jur.certifiable_epsilon[audits].max()) if audits.any() else float("nan")
        )
        needy = com.explain_need > 0.5
        out["explainability_unmet_share"] = (
            float(np.mean(needy & ~com.explainable)) if n_com else float("nan")
        )
        if n_com and jur.n:
            own_ok = dep.gap_own <= com.fairness_tolerance
            mandate_ok = dep.gap_mandated <= jur.threshold[np.maximum(com.jurisdiction, 0)]
            out["mandate_conflict_share"] = float(np.mean(own_ok != mandate_ok))
        else:
            out["mandate_conflict_share"] = float("nan")
        held = com.notion
        # §3 values homogenisation: the organisation governing a deployed model checks and
        # mitigates it for its notion: an entity for its customers, a collective for its
        # members; only depending on another's model overrides the notion a community holds
        # (whether a community's own fairness check fired this step is not homogenisation)
        enforced = held.copy()
        for strategy, users in m.users_of():  # a collective's settled notion (a cooperative's)
            settled = strategy.enforced_notion(m, users) if users.size else None
            if settled is not None:
                enforced[users] = settled
        if ent.n:
            controlled = m.strategy_flag("entity_controls")
            enforced[controlled] = ent.reported_notion[com.partner[controlled]]
        out["values_diversity_held"] = _normalised_entropy(held)
        out["values_diversity_enforced"] = _normalised_entropy(enforced)
        out["values_override_share"] = float(np.mean(enforced != held)) if n_com else float("nan")
        ecosystem = dep.ecosystem
        out["systemic_failure_rate"] = ecosystem.systemic_failure_rate
        out["systemic_failure_independent"] = ecosystem.systemic_failure_independent
        out["outcome_homogenisation"] = ecosystem.outcome_homogenisation
        out["model_monoculture"] = ecosystem.model_monoculture
        orgs = np.concatenate([com.mitigating, ent.mitigating])
        out["mitigating_share"] = float(orgs.mean()) if orgs.size else float("nan")
        out["misuse_events"] = int(ent.misused.sum())
        out["violations_privacy_washing"] = jur.privacy_violations
        out["violations_explainability"] = jur.explainability_violations
        lending = getattr(m, "lending_record", None)
        if lending is not None:
            repayment = lending.mean_repayment_probability
            gap = repayment[:, 0] - repayment[:, 1]
            known = np.isfinite(gap)  # in the ecosystem a group may have no applicants a step
            out["lending_repayment_gap"] = float(gap[known].mean()) if known.any() else float("nan")
            out["lending_loans"] = int(lending.loans.sum())
        else:
            out["lending_repayment_gap"] = float("nan")
            out["lending_loans"] = 0
        return out

    def _compute_dependency(self) -> np.ndarray:
        """Per community: rented compute over all compute it had this step (§2.2)."""
        com = self.model.community_arrays
        if com.n == 0:
            return np.zeros(0)
        total = com.own_compute + self.model.spec.communities.public_compute + com.rented
        return np.divide(com.rented, total, out=np.zeros(com.n), where=total > 0)

    def _entity_label_accuracy(self) -> np.ndarray:
        return np.asarray(getattr(self.model, "_entity_label_accuracy", []), dtype=float)

    def _network_in_share(self) -> float:
        """Largest share of this step's data, compute and model links that point at one org.

        Links are counted, not units, so records and model accesses weigh alike: the weighted
        in-degree share of :func:`simulation.measures.concentration.network_centrality` with unit
        weights,
        computed on arrays because a world can have tens of thousands of links.
        """
        kinds, src, dst, _ = self.model.ledger.flows()
        keep = kinds <= 2  # data, compute, model: flows of capability, not money
        if not keep.any():
            return 0.0
        n = int(max(src.max(), dst.max())) + 1
        links = np.unique(src[keep] * n + dst[keep])  # one int64 key per (source, target)
        in_degree = np.bincount(links % n)
        return float(in_degree.max() / len(links))

    def community_part(self) -> dict[str, np.ndarray]:
        """Per community × group outcomes of this step (groups with nobody are left out)."""
        m = self.model
        dep, com = m.deployment, m.community_arrays
        present = dep.group_n > 0
        ci, gi = np.nonzero(present)
        return {
            "step": np.full(ci.size, m.steps, dtype=np.int32),
            "epsilon_effective": com.epsilon[ci].astype(float),
            "epsilon_spent": com.privacy.epsilon_spent(m.spec.learning.dp_delta)[ci],
            "explainable": com.explainable[ci].astype(bool),
            "community": ci.astype(np.int32),
            "group": gi.astype(np.int8),
            "n": dep.group_n[ci, gi].astype(np.int32),
            "accuracy": dep.group_accuracy[ci, gi],
            "tpr": dep.group_tpr[ci, gi],
            "fpr": dep.group_fpr[ci, gi],
            "selection_rate": dep.group_selection[ci, gi],
            "base_rate": dep.group_base_rate[ci, gi],
            "strategy": com.strategy[ci].astype(np.int8),
            "provider": dep.provider[ci].astype(np.int32),
        }

    def entity_part(self) -> dict[str, np.ndarray]:
        """Per entity of this step: the firm's accounts, market and reports."""
        m = self.model
        ent, led, com = m.entity_arrays, m.ledger, m.community_arrays
        e = ent.n
        orgs = led.entity_org(np.arange(e))
        users = com.partner[m.strategy_flag("with_entity")] if com.n else np.zeros(0, np.int64)
        return {
            "step": np.full(e, m.steps, dtype=np.int32),
            "entity": np.arange(e, dtype=np.int32),
            "active": ent.active.copy(),
            "serving": ent.serving & ent.active,
            "capital": led.money[orgs].copy(),
            "compute": led.compute[orgs].copy(),
            "revenue": ent.revenue.copy(),
            "costs": ent.costs.copy(),
            "customers": np.bincount(users[users >= 0], minlength=e).astype(np.int32),
            "data_records": ent.filled.astype(float),
            "data_received": led.data_accumulated()[orgs],
            "jurisdiction": ent.jurisdiction.astype(np.int32),
            "open_weights": ent.open_weights.copy(),
            "reported_gap": ent.reported_gap.astype(float),
            "audited_gap": ent.audited_gap.astype(float),
            "claimed_epsilon": ent.claimed_epsilon.astype(float),
            "certifiable_epsilon": np.where(
                ent.jurisdiction >= 0,
                m.jurisdictions.certifiable_epsilon[np.maximum(ent.jurisdiction, 0)]
                if m.jurisdictions.n
                else np.nan,
                np.nan,
            ),
            "epsilon_spent": ent.privacy.epsilon_spent(m.spec.learning.dp_delta),
        }

    def entity_table(self) -> pd.DataFrame:
        """One row per step × entity."""
        parts = self._entity_parts
        cols: dict[str, Any] = {
            k: np.concatenate([p[k] for p in parts]) if parts else [] for k in ENTITY_COLUMNS
        }
        table = pd.DataFrame(cols, columns=list(ENTITY_COLUMNS))
        table["entity"] = [f"E{int(i)}" for i in table["entity"]]
        return table

    def flows_table(self) -> pd.DataFrame:
        """One row per step × source × target × kind of exchange."""
        from hetsim.simulation.ledger import FLOW_KINDS

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

    def lending_part(self) -> dict[str, np.ndarray]:
        """Per community × group of the lending domain: loans, repayment, credit scores."""
        record = self.model.lending_record
        assert record is not None  # called only when the scenario lends
        columns = record.columns()
        c, g = columns["loans"].shape
        ci, gi = np.meshgrid(np.arange(c), np.arange(g), indexing="ij")
        part = {
            "step": np.full(c * g, self.model.steps, dtype=np.int32),
            "community": ci.ravel().astype(np.int32),
            "group": gi.ravel().astype(np.int8),
        }
        part.update({name: values.ravel() for name, values in columns.items()})
        return part

    def lending_table(self) -> pd.DataFrame | None:
        """One row per step × community × group of the lending domain, or None when off."""
        if not self._lending_parts:
            return None
        keys = list(self._lending_parts[0])
        return pd.DataFrame({k: np.concatenate([p[k] for p in self._lending_parts]) for k in keys})

    def metrics_table(self) -> pd.DataFrame:
        """One row per step."""
        return pd.DataFrame(self.rows, columns=self.columns)

    def community_table(self) -> pd.DataFrame:
        """One row per step × community × group."""
        if not self._community_parts:
            return pd.DataFrame({k: [] for k in COMMUNITY_COLUMNS})
        cols = {k: np.concatenate([p[k] for p in self._community_parts]) for k in COMMUNITY_COLUMNS}
        names = np.array(self.model.ledger.org_names())
        table = pd.DataFrame(cols)
        table["strategy"] = pd.Categorical.from_codes(
            cols["strategy"], categories=list(self.model.strategy_names)
        )
        uniq, inverse = np.unique(cols["provider"], return_inverse=True)
        table["provider"] = pd.Categorical.from_codes(inverse.ravel(), categories=list(names[uniq]))
        return table

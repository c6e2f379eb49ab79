"""Run-level patterns of the ecosystem (§3): growth of compute, who makes the best models.

Pattern-oriented modelling (Grimm et al. 2005) compares a run with patterns measured in the
field, in abstract units: shares, ratios and growth rates. These measures are computed after a
run from the tables it records (the entity table, one row per step × entity, and the community
table of a step, one row per community × group); they stage no mechanism. A calibration target
(``scenarios/targets/``) names one of them, or a column of ``metrics.parquet``.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

NOTABLE_SHARE = 0.1
"""Share of the deployed models, the most accurate, that count as notable (at least one)."""

PATTERN_MEASURES: dict[str, str] = {
    "compute_growth_total": (
        "growth factor per step of the compute held by the large entities operating: exp of the "
        "slope of a least-squares line through log(total compute) over the run's steps (as "
        "Epoch AI fits compute trends), > 0"
    ),
    "compute_growth_largest": (
        "growth factor per step of the compute of the largest entity operating at each step "
        "(the frontier model's training compute), fitted as compute_growth_total, > 0"
    ),
    "notable_models_entity_share": (
        "at the last step, share of the notable deployed models (the most accurate tenth of "
        "the distinct models deployed, at least one; a model's accuracy is its people-weighted "
        "accuracy over the communities deploying it) that large entities control, [0, 1]"
    ),
    "open_closed_gap": (
        "at the last step, accuracy of the best closed-weights entity model deployed minus that "
        "of the best open-weights one, over the former (NaN when either kind is not deployed), "
        "[-1, 1]"
    ),
}
"""Every pattern measure, with what it is and its range (docs/metrics.md lists them)."""


def growth_per_step(steps: np.ndarray, values: np.ndarray) -> float:
    """exp of the least-squares slope of log(values) on steps; NaN with < 2 positive values."""
    keep = np.isfinite(values) & (values > 0)
    if keep.sum() < 2 or np.ptp(steps[keep]) == 0:
        return math.nan
    slope = np.polyfit(steps[keep].astype(float), np.log(values[keep]), 1)[0]
    return float(np.exp(slope))


def compute_growth(entities: pd.DataFrame, how: str = "total") -> float:
    """Growth factor per step of the entities' compute: ``total`` or the ``largest`` one's."""
    active = entities[entities["active"].astype(bool)]
    by_step = active.groupby("step")["compute"]
    series = by_step.sum() if how == "total" else by_step.max()
    return growth_per_step(series.index.to_numpy(), series.to_numpy(dtype=float))


def model_accuracy(communities: pd.DataFrame) -> pd.Series:
    """People-weighted accuracy of each deployed model (indexed by its provider's name)."""
    rows = communities.dropna(subset=["accuracy"])
    correct = (rows["accuracy"] * rows["n"]).groupby(rows["provider"], observed=True).sum()
    people = rows["n"].groupby(rows["provider"], observed=True).sum()
    return (correct / people.replace(0, np.nan)).dropna()


def is_entity(names: pd.Index) -> np.ndarray:
    """Which organisation names are large entities' (E0, E1, …)."""
    return np.asarray([str(n).startswith("E") for n in names], dtype=bool)


def notable_entity_share(communities: pd.DataFrame, top_share: float = NOTABLE_SHARE) -> float:
    """Share of the most accurate deployed models that large entities control (NaN: none)."""
    accuracy = model_accuracy(communities).sort_values(ascending=False, kind="stable")
    if accuracy.empty:
        return math.nan
    notable = accuracy.iloc[: max(1, math.ceil(top_share * len(accuracy)))]
    return float(is_entity(notable.index).mean())


def open_closed_gap(communities: pd.DataFrame, entities: pd.DataFrame) -> float:
    """Relative accuracy lead of the best closed entity model over the best open one."""
    accuracy = model_accuracy(communities)
    accuracy = accuracy[is_entity(accuracy.index)]
    last = entities[entities["step"] == entities["step"].max()].set_index("entity")
    open_weights = last["open_weights"].reindex(accuracy.index).astype(bool)
    closed, opened = accuracy[~open_weights.to_numpy()], accuracy[open_weights.to_numpy()]
    if closed.empty or opened.empty:
        return math.nan
    return float((closed.max() - opened.max()) / closed.max())


def pattern_measures(entities: pd.DataFrame, communities: pd.DataFrame) -> dict[str, float]:
    """Every pattern measure of a run, from its entity table and its last step's communities."""
    return {
        "compute_growth_total": compute_growth(entities, "total"),
        "compute_growth_largest": compute_growth(entities, "largest"),
        "notable_models_entity_share": notable_entity_share(communities),
        "open_closed_gap": open_closed_gap(communities, entities),
    }

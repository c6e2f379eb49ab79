"""Run the arms of many claims once each, paired by seed, and judge each claim (``verdict``).

Runs are cached by (scenario, interventions, overrides, seed, steps): an arm shared by several
claims (the status quo control, say) runs once per seed, in memory and, given a folder, on disk
so an interrupted regeneration resumes. The disk cache has one folder per version of the
model's sources (engine, agents, scenario files, this module), so a changed mechanism is always
re-run. Runs go to an executor of :mod:`hetsim.analysis.ensemble` (one BLAS thread per worker).
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from hetsim.analysis.claims.model import Arm, Claim
from hetsim.analysis.claims.verdict import Effect, Knockout, Verdict, judge
from hetsim.analysis.ensemble import SequentialExecutor
from hetsim.analysis.statistics import mean_ci
from hetsim.scenarios.builder import build_model, load_scenario
from hetsim.simulation.schema import ScenarioError

# Measures computed from the community rows (per step), beside metrics.parquet's columns.
DERIVED = ("accuracy_group_gap", "accuracy_minority", "values_homogenisation")


def source_fingerprint() -> str:
    """A hash of the engine, agents, scenario files and this module: what a cached run needs."""
    import hetsim.agents
    import hetsim.scenarios
    import hetsim.simulation

    digest = hashlib.sha256()
    for package in (hetsim.simulation, hetsim.agents, hetsim.scenarios):
        root = Path(package.__file__).resolve().parent  # the source, not an install's links
        for path in sorted(root.rglob("*")):
            if path.suffix in (".py", ".toml"):
                digest.update(str(path.relative_to(root)).encode())
                digest.update(path.read_bytes())
    digest.update(Path(__file__).read_bytes())
    return digest.hexdigest()[:16]


@dataclass(frozen=True)
class RunKey:
    """One run: an arm, a seed and a length."""

    arm: Arm
    seed: int
    steps: int

    def digest(self) -> str:
        """A stable file name for the run's cached metrics."""
        text = json.dumps(
            [self.arm.scenario, self.arm.interventions, self.arm.overrides, self.seed, self.steps]
        )
        return hashlib.sha256(text.encode()).hexdigest()[:20]


def group_accuracy(communities: pd.DataFrame, group: int) -> pd.Series:
    """Per step: accuracy of one group over all communities, weighted by people decided on."""
    rows = communities[communities["group"] == group]
    correct = (rows["accuracy"] * rows["n"]).groupby(rows["step"]).sum()
    return correct / rows.groupby("step")["n"].sum()


def measure_run(key: RunKey) -> pd.DataFrame | str:
    """Run one arm on one seed; its metrics per step plus :data:`DERIVED`, or an error text."""
    try:
        with threadpool_limits(1):
            arm = key.arm
            scenario = load_scenario(arm.scenario, list(arm.overrides), list(arm.interventions))
            model = build_model(scenario, seed=key.seed)
            for _ in range(key.steps):
                model.step()
            metrics = model.recorder.metrics_table().set_index("step")
            communities = model.recorder.community_table()
    except Exception as exc:  # a failed run is reported with its arm and seed
        return f"{type(exc).__name__}: {exc}"
    majority, minority = group_accuracy(communities, 0), group_accuracy(communities, 1)
    metrics["accuracy_minority"] = minority
    metrics["accuracy_group_gap"] = majority - minority
    metrics["values_homogenisation"] = (
        metrics["values_diversity_held"] - metrics["values_diversity_enforced"]
    )
    return metrics.reset_index()


def summarise(metrics: pd.DataFrame, metric: str, summary: str) -> float:
    """One number per run: the late mean, the late minus the early mean, or the whole run's."""
    values = metrics.sort_values("step")[metric].to_numpy(dtype=float)
    k = max(1, math.ceil(len(values) / 10))
    if summary == "whole":
        k = len(values)
    with np.errstate(all="ignore"):
        late = np.nanmean(values[-k:]) if np.isfinite(values[-k:]).any() else np.nan
        if summary in ("late", "whole"):
            return float(late)
        early = np.nanmean(values[:k]) if np.isfinite(values[:k]).any() else np.nan
    return float(late - early)


class ClaimRunner:
    """Runs the arms claims need, once each, and judges the claims."""

    def __init__(
        self,
        *,
        seeds: int,
        steps: int,
        size: Sequence[str] = (),
        executor: SequentialExecutor | None = None,
        cache_dir: Path | None = None,
    ) -> None:
        self.seeds, self.steps, self.size = seeds, steps, tuple(size)
        self.executor = executor or SequentialExecutor()
        # runs of other code are never reused: one folder per version of the model's sources
        self.cache_dir = Path(cache_dir) / source_fingerprint() if cache_dir else None
        self._runs: dict[RunKey, pd.DataFrame] = {}

    def keys(self, claims: Iterable[Claim]) -> list[RunKey]:
        """Every run the claims need, each once, seed by seed (a partial run has whole seeds)."""
        seen: dict[RunKey, None] = {}
        for claim in claims:
            for ablated in (False, True):
                if ablated and not claim.ablation:
                    continue
                for arm in claim.arms(self.size, ablated):
                    if arm is None:
                        continue
                    for seed in range(self.seeds):
                        seen[RunKey(arm, seed, self.steps)] = None
        return sorted(seen, key=lambda key: key.seed)

    def check(self, claims: Iterable[Claim]) -> None:
        """Validate every arm before any run starts (a bad key is one clear error)."""
        for arm in dict.fromkeys(key.arm for key in self.keys(claims)):
            try:
                load_scenario(arm.scenario, list(arm.overrides), list(arm.interventions))
            except ScenarioError as exc:
                raise ScenarioError(f"claims: arm {arm.describe()}: {exc}") from None

    def run(self, claims: Sequence[Claim], progress: bool = False) -> None:
        """Run every missing run the claims need (from the disk cache where it holds them)."""
        self.check(claims)
        missing = []
        for key in self.keys(claims):
            if key in self._runs:
                continue
            cached = self._cache_file(key)
            if cached is not None and cached.exists():
                self._runs[key] = pd.read_parquet(cached)
            else:
                missing.append(key)
        if not missing:
            return
        results = self.executor.imap(measure_run, missing)
        if progress:
            from tqdm import tqdm

            results = tqdm(results, total=len(missing), desc="claims", unit="run")
        for key, table in results:
            if not isinstance(table, pd.DataFrame):
                detail = getattr(table, "error", table)
                raise RuntimeError(f"claims: {key.arm.describe()} seed {key.seed}: {detail}")
            self._runs[key] = table
            cached = self._cache_file(key)
            if cached is not None:
                cached.parent.mkdir(parents=True, exist_ok=True)
                tmp = cached.with_suffix(".tmp")
                table.to_parquet(tmp, index=False)
                tmp.replace(cached)

    def _cache_file(self, key: RunKey) -> Path | None:
        if self.cache_dir is None:
            return None
        return self.cache_dir / f"{key.digest()}.parquet"

    def values(self, arm: Arm, claim: Claim) -> np.ndarray:
        """Per seed, the claim's summary of its metric in one arm."""
        return np.array(
            [
                summarise(self._runs[RunKey(arm, s, self.steps)], claim.metric, claim.summary)
                for s in range(self.seeds)
            ]
        )

    def contrast(self, claim: Claim, ablated: bool) -> np.ndarray:
        """Per seed, the paired effect: treatment minus control, or end minus start."""
        treatment, control = claim.arms(self.size, ablated)
        diff = self.values(treatment, claim)
        if control is not None:
            diff = diff - self.values(control, claim)
        return diff

    def spread(self, claim: Claim, ablated: bool) -> tuple[float, ...]:
        """Per arm (treatment, then control if any), the SD over seeds of the claim's summary.

        All zero under the ablation means it fixed the metric itself (the same value on every
        seed in both arms), not the mechanism: the knockout cannot be told from a blank metric.
        """
        arms = [arm for arm in claim.arms(self.size, ablated) if arm is not None]
        out = []
        for arm in arms:
            v = self.values(arm, claim)
            v = v[np.isfinite(v)]
            out.append(float(np.std(v)) if v.size else float("nan"))
        return tuple(out)

    def effect(self, claim: Claim, ablated: bool) -> Effect:
        """Mean paired effect (treatment minus control, or end minus start) with its CI."""
        diff = self.contrast(claim, ablated)
        diff = diff[np.isfinite(diff)]
        mean, low, high = mean_ci(diff)
        return Effect(mean, low, high, int(diff.size))

    def difference(self, claim: Claim) -> Effect:
        """Per seed, the effect minus the ablation's effect (paired by seed), with its CI."""
        diff = self.contrast(claim, ablated=False) - self.contrast(claim, ablated=True)
        diff = diff[np.isfinite(diff)]
        mean, low, high = mean_ci(diff)
        return Effect(mean, low, high, int(diff.size))

    def evaluate(self, claims: Sequence[Claim], progress: bool = False) -> list[Verdict]:
        """Run what is missing and judge every claim."""
        self.run(claims, progress=progress)
        out = []
        for claim in claims:
            effect = self.effect(claim, ablated=False)
            if claim.ablation:
                knockout = Knockout(
                    self.effect(claim, ablated=True),
                    self.difference(claim),
                    self.spread(claim, ablated=True),
                )
            else:
                knockout = None
            verdict, reason = judge(claim, effect, knockout)
            out.append(Verdict(claim, effect, knockout, verdict, reason))
        return out

"""What a calibration evaluates: a world at one parameter set, over seeds as replicates.

:class:`WorldSimulator` runs the scenario with the calibrated keys set to a parameter set, on
seeds ``0..seeds-1`` (the same seeds at every parameter set: common random numbers), and
returns each target's measure averaged over the seeds. It is a small picklable value, so
pyabc's samplers can send it to hetsim's worker processes; each evaluation is also appended
to ``<log_dir>/evaluations-<pid>.jsonl``, so the calibration can tell afterwards which targets
any parameter set reached (pyabc stores only the accepted ones).
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from hetsim.analysis.calibration.targets import Prior, Target


def point_overrides(priors: tuple[Prior, ...], params: Mapping[str, float]) -> list[str]:
    """``key=value`` overrides setting the calibrated keys (integers rounded)."""
    out = []
    for prior in priors:
        value = float(params[prior.key])
        out.append(f"{prior.key}={round(value) if prior.kind == 'int' else repr(value)}")
    return out


def window_value(metrics: pd.DataFrame, measure: str, window: str) -> float:
    """A metric over a run's window: its final value or its mean over the last tenth."""
    from hetsim.analysis.statistics import summarise_runs

    runs = metrics.assign(scenario="world", intervention="baseline", seed=0)
    return float(summarise_runs(runs, window, metrics=[measure])["value"].iloc[0])


@dataclass(frozen=True)
class WorldSimulator:
    """The scenario at a parameter set: each target's measure, per seed and over seeds."""

    scenario: str
    targets: tuple[Target, ...]
    priors: tuple[Prior, ...]
    seeds: int = 2
    steps: int | None = None
    overrides: tuple[str, ...] = ()
    log_dir: str | None = None

    def measure(self, params: Mapping[str, float], seed: int) -> dict[str, float]:
        """Every target's measure in one run of the world at ``params`` with ``seed``."""
        from threadpoolctl import threadpool_limits

        from hetsim.scenarios.builder import build_model, load_scenario
        from hetsim.simulation.measures import PATTERN_MEASURES, pattern_measures

        with threadpool_limits(1):
            overrides = [*self.overrides, *point_overrides(self.priors, params)]
            scenario = load_scenario(self.scenario, overrides, [])
            steps = scenario.run.steps if self.steps is None else self.steps
            model = build_model(scenario, seed=seed)
            recorder = model.recorder
            for step in range(steps):
                recorder.keep_community_rows = step == steps - 1
                model.step()
        metrics = recorder.metrics_table()
        patterns = pattern_measures(recorder.entity_table(), recorder.community_table())
        return {
            t.name: patterns[t.measure]
            if t.measure in PATTERN_MEASURES
            else window_value(metrics, t.measure, t.window)
            for t in self.targets
        }

    def per_seed(self, params: Mapping[str, float]) -> list[dict[str, float]]:
        """Every target's measure in each seed's run."""
        return [self.measure(params, seed) for seed in range(self.seeds)]

    def __call__(self, params: Mapping[str, float]) -> dict[str, float]:
        """Each target's measure averaged over the seeds (NaN runs skipped); logged."""
        runs = self.per_seed(params)
        summary = {t.name: nan_mean([run[t.name] for run in runs]) for t in self.targets}
        if self.log_dir is not None:
            record = {"params": {p.key: float(params[p.key]) for p in self.priors}}
            record["summary"] = summary
            path = Path(self.log_dir) / f"evaluations-{os.getpid()}.jsonl"
            with path.open("a", encoding="utf-8") as log:
                log.write(json.dumps(record) + "\n")
        return summary


def nan_mean(values: list[float]) -> float:
    """Mean of the finite values; NaN when there are none."""
    finite = [v for v in values if v is not None and math.isfinite(v)]
    return float(np.mean(finite)) if finite else math.nan


def read_evaluations(log_dir: str | Path) -> pd.DataFrame:
    """Every logged evaluation: one row per parameter set, its values and its summaries."""
    rows = []
    for path in sorted(Path(log_dir).glob("evaluations-*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                record = json.loads(line)
                rows.append({**record["params"], **record["summary"]})
    return pd.DataFrame(rows)

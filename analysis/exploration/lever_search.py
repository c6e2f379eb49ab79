"""Many-objective search over levers: EMA Workbench's ``optimize`` on Platypus' ε-NSGA-II.

Which mix of levers best trades one outcome against another has no single answer: the search
returns the Pareto front (Kasprzyk et al. 2013's many-objective robust decision making, as EMA
Workbench stages it). EMA Workbench drives ε-NSGA-II (Platypus); every generation's lever
points go to one *batch* evaluation, which hetsim runs on its own executors (each point on
seeds ``0..k-1``, its objective the mean over them: a robust objective over replications,
not one seed's draw). Convergence is read two ways: ε-progress (how often the ε-box archive
improved) and the hypervolume of the archive stored every ``convergence_every`` evaluations,
with every objective normalised to the range of all points evaluated.

EMA's ``robust_optimize`` is not used: in EMA Workbench 3.0.0 its ``evaluate`` scores every
policy of a batch on the outcomes of the whole batch (``outcomes[var_name]``, not the job's
rows), so every policy of a generation would get the same score.
"""

from __future__ import annotations

import functools
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Literal
from unittest import mock

import pandas as pd
import tqdm

from hetsim.analysis.exploration.scenario_discovery import ema
from hetsim.simulation.schema import ScenarioError

#: A batch evaluation: the lever values of each point and the seed count → for each point,
#: one dict of objective values per seed ``0..seeds-1``.
BatchEvaluation = Callable[[list[dict[str, float]], int], list[list[dict[str, float]]]]

ARCHIVE = "archives.tar.gz"


@dataclass(frozen=True)
class Lever:
    """A lever searched over: its name, range and type (``int`` levers take whole values)."""

    name: str
    lower: float
    upper: float
    kind: Literal["int", "float"] = "float"


@dataclass(frozen=True)
class Objective:
    """An outcome to minimise or maximise; ``epsilon`` is its ε-box width in the archive."""

    name: str
    direction: Literal["minimise", "maximise"]
    epsilon: float


@dataclass
class SearchResult:
    """What a search found and how it converged."""

    front: pd.DataFrame
    """The ε-nondominated archive: one row per lever point, levers then objectives."""
    convergence: pd.DataFrame
    """One row per archive stored: ``nfe``, ``epsilon_progress``, ``hypervolume``."""
    evaluations: pd.DataFrame = field(default_factory=pd.DataFrame)
    """Every point evaluated in order: its levers, each objective's mean and ``_sd`` over seeds."""


def search(
    levers: Sequence[Lever],
    objectives: Sequence[Objective],
    evaluate: BatchEvaluation,
    *,
    seeds: int,
    nfe: int,
    population: int,
    search_seed: int = 0,
    convergence_every: int | None = None,
    progress: bool = True,
) -> SearchResult:
    """The Pareto front of ``objectives`` over ``levers`` after about ``nfe`` evaluations.

    Args:
        levers: The decision variables and their ranges.
        objectives: What to minimise or maximise, each with its ε.
        evaluate: Evaluates a generation's points on every seed at once (hetsim runs them on
            its executors).
        seeds: Replicates per point; a point's objective is its mean over them.
        nfe: Evaluations to spend (ε-NSGA-II stops at the first generation reaching it).
        population: ε-NSGA-II's population size.
        search_seed: Seeds Python's ``random``, which Platypus draws from: the same seed and
            the same evaluations give the same front.
        convergence_every: Evaluations between stored archives (default: ``population``).
        progress: Show EMA Workbench's bar of evaluations done.
    """
    if not levers or not objectives:
        raise ScenarioError("a search needs at least one lever and one objective")
    parameters = ema("em_framework.parameters")
    outcomes = ema("em_framework.outcomes")
    model_module = ema("em_framework.model")
    optimization = ema("em_framework.optimization")
    points = ema("em_framework.points")
    evaluators = ema("em_framework.evaluators")
    convergence_module = ema("em_framework.optimization_convergence")
    import platypus

    kinds = {"int": parameters.IntegerParameter, "float": parameters.RealParameter}
    lever_params = [
        kinds[lever.kind](
            lever.name,
            *(
                (int(lever.lower), int(lever.upper))
                if lever.kind == "int"
                else (lever.lower, lever.upper)
            ),
        )
        for lever in levers
    ]
    directions = {
        "minimise": outcomes.ScalarOutcome.MINIMIZE,
        "maximise": outcomes.ScalarOutcome.MAXIMIZE,
    }
    scalar = [outcomes.ScalarOutcome(o.name, kind=directions[o.direction]) for o in objectives]

    def not_called(**_: float) -> dict[str, float]:  # the evaluator below runs every point
        raise RuntimeError("hetsim's batch evaluator runs the model")

    model = model_module.Model("hetsim", function=not_called)
    model.levers = lever_params
    model.outcomes = scalar
    record: list[dict[str, float]] = []

    class BatchEvaluator(evaluators.BaseEvaluator):
        """An EMA evaluator handing a whole generation to ``evaluate`` at once."""

        def initialize(self) -> None:
            """Nothing to start: ``evaluate`` owns its executor."""

        def finalize(self) -> None:
            """Nothing to stop."""

        def evaluate_experiments(self, experiments, callback, **kwargs) -> None:
            """Evaluate every experiment of the generation in one batch."""
            experiments = list(experiments)
            asked = [
                {p.name: experiment.policy[p.name] for p in lever_params}
                for experiment in experiments
            ]
            replicates = evaluate(asked, seeds)
            for experiment, point, per_seed in zip(experiments, asked, replicates, strict=True):
                values = pd.DataFrame(per_seed, columns=[o.name for o in objectives])
                undefined = [name for name in values if values[name].isna().any()]
                if undefined:
                    raise ScenarioError(
                        f"objective {', '.join(undefined)}: undefined (NaN) on a seed at lever "
                        f"mix {point}; choose another metric or window"
                    )
                means = values.mean().to_dict()
                spread = values.std(ddof=1).fillna(0.0).add_suffix("_sd").to_dict()
                record.append({**point, **means, **spread})
                callback(experiment, means)

    every = convergence_every or population
    bars = ema("em_framework.util")
    quiet = SimpleNamespace(tqdm=functools.partial(tqdm.tqdm, disable=not progress))
    with tempfile.TemporaryDirectory() as tmp, mock.patch.object(bars, "tqdm", quiet):
        front, runtime = evaluators.optimize(
            model,
            algorithm=platypus.EpsNSGAII,
            nfe=nfe,
            searchover="levers",
            evaluator=BatchEvaluator(model),
            reference=points.Sample("reference"),
            convergence_freq=every,
            logging_freq=1,
            rng=search_seed,
            filename=ARCHIVE,
            directory=tmp,
            epsilons=[o.epsilon for o in objectives],
            population_size=population,
        )
        archives = optimization.load_archives(str(Path(tmp) / ARCHIVE))
    problem = optimization.Problem(
        "levers", lever_params, scalar, reference=points.Sample("reference")
    )
    evaluations = pd.DataFrame(record)
    volumes = hypervolumes(archives, evaluations, problem, convergence_module)
    progress = runtime[["nfe", "epsilon_progress"]].drop_duplicates("nfe", keep="last")
    convergence = progress.merge(volumes, on="nfe", how="outer").sort_values("nfe")
    return SearchResult(
        front.reset_index(drop=True), convergence.reset_index(drop=True), evaluations
    )


def hypervolumes(archives, evaluations, problem, convergence_module) -> pd.DataFrame:
    """The hypervolume of each stored archive, objectives normalised to the range of every
    point evaluated; NaN when an objective took a single value (no range to normalise by)."""
    import platypus

    columns = [*problem.parameter_names, *problem.outcome_names]
    evaluated = evaluations[columns]
    try:
        metric = convergence_module.HypervolumeMetric(evaluated, problem)
    except platypus.PlatypusError:
        metric = None
    rows = [
        (nfe_at, float("nan") if metric is None else metric.calculate(archive[columns]))
        for nfe_at, archive in sorted(archives, key=lambda pair: pair[0])
    ]
    return pd.DataFrame(rows, columns=["nfe", "hypervolume"]).drop_duplicates("nfe", keep="last")

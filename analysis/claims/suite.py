"""Run the claims and write the document: what ``hetsim claims`` calls."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from hetsim.analysis.claims.model import FULL, REDUCED, Claim
from hetsim.analysis.claims.registry import BY_ID, CLAIMS
from hetsim.analysis.claims.runner import ClaimRunner
from hetsim.analysis.claims.table import render
from hetsim.analysis.claims.verdict import Verdict
from hetsim.analysis.ensemble import SequentialExecutor
from hetsim.simulation.schema import ScenarioError

__all__ = ["FULL", "REDUCED", "claims_document", "select"]


def select(ids: Sequence[str]) -> tuple[Claim, ...]:
    """The claims named (all when none), in registry order; an unknown id is an error."""
    unknown = [i for i in ids if i not in BY_ID]
    if unknown:
        raise ScenarioError(
            f"claims: --claim {unknown[0]!r} is not a claim; allowed: {', '.join(BY_ID)}"
        )
    return tuple(c for c in CLAIMS if c.id in ids) if ids else CLAIMS


def claims_document(
    *,
    seeds: int,
    steps: int,
    size: Sequence[str],
    ids: Sequence[str] = (),
    executor: SequentialExecutor | None = None,
    cache_dir: Path | None = None,
    out: Path | None = None,
    progress: bool = False,
    command: str = "hetsim claims",
) -> tuple[list[Verdict], str]:
    """Run and judge the claims; return the verdicts and the Markdown (written to ``out``)."""
    if seeds < 2:
        raise ScenarioError(f"claims: --seeds {seeds}: a confidence interval needs at least 2")
    if steps < 2:
        raise ScenarioError(f"claims: --steps {steps}: a run needs at least 2 steps")
    runner = ClaimRunner(
        seeds=seeds, steps=steps, size=size, executor=executor, cache_dir=cache_dir
    )
    claims = select(ids)
    verdicts = runner.evaluate(claims, progress=progress)
    runs = len(runner.keys(claims))
    text = render(verdicts, seeds=seeds, steps=steps, size=size, command=command, runs=runs)
    if out is not None:
        Path(out).parent.mkdir(parents=True, exist_ok=True)
        Path(out).write_text(text)
    return verdicts, text

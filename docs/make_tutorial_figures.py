"""Regenerate the tutorial's figures (docs/tutorial/*.png) with the tutorial's own code.

Runs section 4's comparison (``status_quo`` against ``public_compute`` and
``open_weights_mandate``, 10 seeds × 40 steps) and section 4's plotting calls, so the figures
the tutorial shows are what its code gives. ``make figures`` runs it.

    .venv/bin/python docs/make_tutorial_figures.py [results/tutorial]
"""

from __future__ import annotations

import sys
from pathlib import Path

import hetsim

HERE = Path(__file__).resolve().parent
METRICS = ["hhi_compute", "hhi_decisions", "dependency_share", "data_sovereignty_mean"]


def main(out: Path) -> None:
    """Run the tutorial's comparison into ``out`` and write its two figures beside this file."""
    experiment = hetsim.compare(
        "status_quo",
        ["public_compute", "open_weights_mandate"],
        seeds=10,
        steps=40,
        out=str(out),
        workers=2,
        resume=True,
    )
    comparison = experiment.comparison
    figures = HERE / "tutorial"
    hetsim.plot_timeseries(str(figures / "timeseries.png"), experiment.runs, METRICS)
    hetsim.plot_forest(str(figures / "forest.png"), comparison[comparison["metric"].isin(METRICS)])


if __name__ == "__main__":  # worker processes import this file again
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("results/tutorial"))

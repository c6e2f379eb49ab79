"""One page's run: the model built from the page's settings, its live figures and frames.

Nothing here knows Solara: the page asks for a step and for the PNG frames of the panels it
shows, so the cost of a frame (updating artists, rendering, encoding) is measured without a
browser (``benchmarks/bench_ui.py``). Invalid settings do not raise: the run keeps the message
and does not step.
"""

from __future__ import annotations

import threading
import traceback
from collections.abc import Callable, Iterable

import numpy as np
from matplotlib.figure import Figure
from threadpoolctl import threadpool_limits

from hetsim.scenarios.builder import build_model
from hetsim.simulation.model import EcosystemModel
from hetsim.simulation.schema import ScenarioError
from hetsim.ui.figures import AuditFigure, CommunityFigure, LendingFigure, TimeSeriesFigure
from hetsim.ui.network import NetworkFigure
from hetsim.ui.render import LiveCanvas
from hetsim.ui.settings import Settings

PANELS: dict[str, str] = {
    "network": "Exchange network: organisations by role, this step's flows by kind",
    "timeseries": "Concentration, dependency, sovereignty, trust and energy over the steps",
    "communities": "Accuracy and fairness gap per community, coloured by strategy",
    "audits": "Audits, violations found and fairness-washing gaps per step",
    "lending": "Loans and repayment probability per group (lending domain)",
}
"""Panel name → alt text of its figure."""


class LiveRun:
    """A model built from :class:`Settings`, stepped on demand, with figures kept per panel."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.error: str | None = None
        self.model: EcosystemModel | None = None
        self._figures: dict[str, object] = {}
        self._canvases: dict[str, LiveCanvas] = {}
        self._frames: dict[str, tuple[int, bytes]] = {}  # panel -> (step, PNG)
        self._metrics: tuple[int, object] = (-1, None)  # (step, metrics table) for two panels
        self.lock = threading.RLock()  # one thread at a time steps or draws this model
        try:
            spec = settings.resolved()
            seed = settings.seed_value()
            with threadpool_limits(1):
                self.model = build_model(spec, seed=seed)
        except (ScenarioError, ValueError) as exc:
            self.error = f"Invalid input: {exc}"

    @classmethod
    def of(cls, model: EcosystemModel, settings: Settings | None = None) -> LiveRun:
        """Figures and frames for a model built elsewhere (e.g. by Mesa's SolaraViz)."""
        run = cls.__new__(cls)
        run.settings = settings or Settings()
        run.error = None
        run.model = model
        run._figures, run._canvases, run._frames = {}, {}, {}
        run._metrics = (-1, None)
        run.lock = threading.RLock()
        return run

    def close(self) -> None:
        """Let go of the model and figures (the page's session is closed)."""
        with self.lock:
            self.model = None
            self.error = "closed"
            self._figures.clear()
            self._canvases.clear()
            self._frames.clear()
            self._metrics = (-1, None)

    @property
    def steps(self) -> int:
        """Steps run so far."""
        return int(self.model.steps) if self.model is not None else 0

    @property
    def planned_steps(self) -> int:
        """The scenario's run length (the time axes span it)."""
        return int(self.model.spec.run.steps) if self.model is not None else 0

    @property
    def running(self) -> bool:
        """Whether the run can step (valid settings, no failure)."""
        return self.model is not None and self.error is None and bool(self.model.running)

    def panels(self) -> list[str]:
        """Panels this model has (lending only when the lending domain is on)."""
        names = ["network", "timeseries", "communities", "audits"]
        if self.model is not None and self.model.spec.lending.enabled:
            names.append("lending")
        return names

    def step(self, on_phase: Callable[[str], None] | None = None) -> bool:
        """Run one step; a failing step stops the run with a message. True if it stepped."""
        if not self.running:
            return False
        try:
            with self.lock, threadpool_limits(1):
                self.model.step()
        except Exception as exc:
            traceback.print_exc()
            self.error = f"step {self.steps} failed: {type(exc).__name__}: {exc}"
            return False
        return True

    def figure(self, panel: str) -> Figure:
        """The panel's live figure, updated to the current step."""
        model = self.model
        if panel not in self._figures:
            self._figures[panel] = {
                "network": lambda: NetworkFigure(model),
                "timeseries": lambda: TimeSeriesFigure(self.planned_steps),
                "communities": lambda: CommunityFigure(
                    len(model.community_arrays.strategy), model.strategy_names
                ),
                "audits": lambda: AuditFigure(self.planned_steps),
                "lending": lambda: LendingFigure(self.planned_steps),
            }[panel]()
        live = self._figures[panel]
        if panel in ("timeseries", "audits"):
            return live.update(self.metrics_table())
        if panel == "lending":
            return live.update(model.recorder.lending_table())
        return live.update(model)

    def metrics_table(self):
        """The recorder's metrics table at the current step, built once for the panels using it."""
        steps, table = self._metrics
        if steps != self.steps or table is None:
            table = self.model.recorder.metrics_table()
            self._metrics = (self.steps, table)
        return table

    def frames(self, panels: Iterable[str]) -> dict[str, bytes]:
        """PNG frames of the given panels at the current step."""
        if self.model is None:
            return {}
        return {p: self.frame(p) for p in panels if p in self.panels()}

    def frame(self, panel: str) -> bytes:
        """The panel's PNG frame at the current step (drawn once per step)."""
        with self.lock:
            steps, image = self._frames.get(panel, (-1, b""))
            if steps != self.steps:
                figure = self.figure(panel)
                if panel not in self._canvases:
                    self._canvases[panel] = LiveCanvas(figure, self._figures[panel].dynamic())
                image = self._canvases[panel].png()
                self._frames[panel] = (self.steps, image)
            return image

    def status(self) -> str:
        """One line: step, settings, numbers of each role, key figures of the latest step."""
        if self.model is None:
            return self.error or ""
        counts = self.model.counts
        operating = int(self.model.entity_arrays.active.sum())  # not entrants still outside
        head = (
            f"Step {self.steps} of {self.planned_steps} · {operating} entities · "
            f"{counts['communities']} communities · {counts['annotators']} annotators · "
            f"{counts['regulators']} regulators"
        )
        rows = self.model.recorder.rows
        if not rows:
            return head
        last = rows[-1]
        figures = (
            ("HHI compute", "hhi_compute"),
            ("HHI decisions", "hhi_decisions"),
            ("dependency", "dependency_share"),
            ("worst accuracy", "accuracy_min_community"),
            ("trust", "trust_mean"),
        )
        shown = " · ".join(
            f"{label} {last[key]:.2f}"
            for label, key in figures
            if np.isfinite(last.get(key, np.nan))
        )
        return f"{head} · {shown}"

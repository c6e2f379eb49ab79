"""Play for one page: a single worker thread steps the run, draws its frames and says so.

Why not Solara's ``use_thread``: it starts a new thread each time its dependencies change and
cancels the old one by raising inside it, wherever it is — inside a model step or a matplotlib
draw — so quick Play/Pause clicks could leave two loops on one run, a figure half drawn
(``Invalid affine transformation matrix``) and the button on Pause with the step frozen.

Here the wish (play or not) is one flag under a lock; at most one worker exists, it finishes
the step it is in, and it decides to stop under the same lock that :meth:`Player.play` uses to
decide whether a worker must be started, so a click never finds a worker that is about to quit.
Nothing here knows Solara: the page passes callbacks (``on_change`` after every step or stop,
``connected`` to pause a page whose browser is gone).
"""

from __future__ import annotations

import threading
import traceback
from collections.abc import Callable, Iterable

from hetsim.ui.live import LiveRun


class Player:
    """Steps one :class:`LiveRun` at a time in at most one worker thread."""

    def __init__(
        self,
        on_change: Callable[[], None],
        visible: Callable[[], Iterable[str]] = tuple,
        connected: Callable[[], bool] = lambda: True,
    ) -> None:
        self._lock = threading.Lock()
        self._run: LiveRun | None = None
        self._wanted = False
        self._closed = False
        self._worker: threading.Thread | None = None
        self.on_change = on_change
        self.visible = visible
        self.connected = connected

    @property
    def playing(self) -> bool:
        """Whether play is on (the button then offers Pause)."""
        return self._wanted

    def load(self, run: LiveRun | None) -> None:
        """Play ``run`` from now on; None while a model is being rebuilt.

        A Play pressed while the model was being rebuilt starts the new run.
        """
        with self._lock:
            self._run = run
            if run is not None and not run.running:
                self._wanted = False
            self._start()

    def play(self) -> None:
        """Start playing, or as soon as the run being rebuilt is loaded (not when closed)."""
        with self._lock:
            if self._closed or (self._run is not None and not self._run.running):
                return
            self._wanted = True
            self._start()

    def _start(self) -> None:  # under the lock
        if self._wanted and self._run is not None and self._worker is None:
            self._worker = threading.Thread(target=self._loop, name="hetsim-play", daemon=True)
            self._worker.start()

    def pause(self) -> None:
        """Stop after the step under way."""
        with self._lock:
            self._wanted = False

    def toggle(self) -> None:
        """Play if paused, pause if playing."""
        if self._wanted:
            self.pause()
        else:
            self.play()

    def close(self) -> None:
        """Stop for good (the page's session is gone)."""
        with self._lock:
            self._wanted = False
            self._closed = True
            self._run = None

    def _next(self) -> LiveRun | None:
        """The run to step next, or None after clearing the worker (under the lock)."""
        with self._lock:
            if self._wanted and not self.connected():
                self._wanted = False  # nobody is watching: do not compute for a closed tab
            if not self._wanted or self._run is None or not self._run.running:
                self._wanted = False
                self._worker = None
                return None
            return self._run

    def _loop(self) -> None:
        try:
            while (run := self._next()) is not None:
                if run.step():
                    run.frames(self.visible())  # every step's frame, before the next step
                self.on_change()
        except Exception:
            traceback.print_exc()
            with self._lock:
                self._wanted = False
                self._worker = None
        self.on_change()

"""Progress of an ensemble where no terminal redraws a bar: a notebook, a log file, a pipe.

On a terminal :func:`hetsim.analysis.ensemble.run_ensemble` draws a tqdm bar; elsewhere a bar
that redraws itself prints nothing readable (tqdm switches itself off when stderr is not a
terminal), so long work would be silent. :class:`ProgressLines` prints whole lines instead.
"""

from __future__ import annotations

import sys
import time


class ProgressLines:
    """Progress where no terminal redraws a bar (a notebook, a log, a pipe): whole lines.

    One line ``compare: 6/20 runs (30%), 0 failed, 12 s elapsed, ~28 s left`` each time
    another twentieth of the runs is done (every run when there are at most 20), on stderr.
    """

    def __init__(self, desc: str, total: int, initial: int = 0) -> None:
        self.desc, self.total, self.done, self.initial = desc, total, initial, initial
        self.start = time.monotonic()
        self.shown = -1
        print(f"{desc}: {total} runs, {initial} done before", file=sys.stderr, flush=True)

    def update(self, failed: int) -> None:
        """One more run finished (or failed)."""
        self.done += 1
        step = max(1, self.total // 20)
        if self.done // step == self.shown and self.done != self.total:
            return
        self.shown = self.done // step
        elapsed = time.monotonic() - self.start
        left = elapsed / max(self.done - self.initial, 1) * (self.total - self.done)
        print(
            f"{self.desc}: {self.done}/{self.total} runs ({100 * self.done // self.total}%), "
            f"{failed} failed, {elapsed:.0f} s elapsed, ~{left:.0f} s left",
            file=sys.stderr,
            flush=True,
        )

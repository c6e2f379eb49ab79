"""What every analysis figure shares: byte-reproducible PNGs drawn without pyplot.

Figures are :class:`matplotlib.figure.Figure` objects rendered by the Agg canvas (no pyplot,
no global backend switch); PNGs are saved without the ``Software`` metadata key and carry no
date, so drawing the same inputs twice gives byte-identical files.
"""

from __future__ import annotations

from pathlib import Path

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

DPI = 110
RC = {"svg.hashsalt": "hetsim", "figure.dpi": DPI, "font.size": 9}
PNG_METADATA = {"Software": None}  # no Software key, and PNGs never carry a date


def mpl_text(text: object) -> str:
    """Text from the data, safe for matplotlib (a "$" would start mathtext)."""
    return str(text).replace("$", r"\$")


def new_figure(width: float, height: float) -> Figure:
    """A figure of ``width`` × ``height`` inches on its own Agg canvas."""
    fig = Figure(figsize=(width, height), dpi=DPI)
    FigureCanvasAgg(fig)
    return fig


def save(fig: Figure, path: Path) -> Path:
    """Write ``fig`` as a PNG with no date and no software key; returns ``path``."""
    fig.savefig(path, format="png", dpi=DPI, metadata=PNG_METADATA)
    return path

"""Figure output for the page and for downloads: PNG (fast, for every step) and SVG."""

from __future__ import annotations

import io

import matplotlib
from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

PNG_DPI = 90


def png_bytes(figure: Figure, *, dpi: int = PNG_DPI, compress_level: int = 1) -> bytes:
    """The figure as PNG; the fastest zlib level, since a frame is drawn on every step."""
    canvas = figure.canvas if isinstance(figure.canvas, FigureCanvasAgg) else None
    if canvas is None:
        canvas = FigureCanvasAgg(figure)
    if figure.dpi != dpi:
        figure.set_dpi(dpi)
    canvas.draw()
    image = Image.frombuffer("RGBA", canvas.get_width_height(), canvas.buffer_rgba())
    buffer = io.BytesIO()
    image.save(buffer, format="png", compress_level=compress_level)
    return buffer.getvalue()


def legend_px(figure: Figure, dpi: int = PNG_DPI) -> float:
    """The smallest legend text of the figure, in pixels of its PNG frame (0 if no legend)."""
    legends = [*figure.legends, *(ax.get_legend() for ax in figure.axes)]
    sizes = [t.get_fontsize() for lg in legends if lg is not None for t in lg.get_texts()]
    return min(sizes) * dpi / 72 if sizes else 0.0


def svg_bytes(figure: Figure) -> bytes:
    """The figure as SVG (for papers: vector, text kept as text, editable and searchable)."""
    buffer = io.BytesIO()
    with matplotlib.rc_context({"svg.fonttype": "none"}):
        figure.savefig(buffer, format="svg")
    return buffer.getvalue()


def download_png_bytes(figure: Figure) -> bytes:
    """The figure as a print-quality PNG (150 dpi, default compression)."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=150)
    figure.set_dpi(PNG_DPI)
    return buffer.getvalue()


class LiveCanvas:
    """Frames of a figure whose data artists change while its axes and labels do not.

    The static part (axes, ticks, legends, titles) is rendered once and kept as pixels; each
    frame restores it and draws only the ``dynamic`` artists (blitting). When any axis limit
    changes the static part is rendered again, so a frame always matches a full redraw.
    """

    def __init__(self, figure: Figure, dynamic: list[Artist]) -> None:
        self.figure = figure
        self.dynamic = dynamic
        self.canvas = FigureCanvasAgg(figure)
        figure.set_dpi(PNG_DPI)
        self.background = None
        self.limits: tuple = ()

    def _limits(self) -> tuple:
        axes = tuple((ax.get_xlim(), ax.get_ylim()) for ax in self.figure.axes)
        return (self.figure.dpi, tuple(self.figure.get_size_inches()), axes)

    def png(self, compress_level: int = 1) -> bytes:
        """The figure's current state as PNG, redrawing only what changed."""
        for artist in self.dynamic:
            artist.set_animated(True)
        try:
            limits = self._limits()
            if self.background is None or limits != self.limits:
                self.canvas.draw()  # animated artists are left out: the static part only
                self.background = self.canvas.copy_from_bbox(self.figure.bbox)
                self.limits = limits
            else:
                self.canvas.restore_region(self.background)
            for artist in self.dynamic:
                self.figure.draw_artist(artist)
        finally:
            for artist in self.dynamic:
                artist.set_animated(False)
        image = Image.frombuffer("RGBA", self.canvas.get_width_height(), self.canvas.buffer_rgba())
        buffer = io.BytesIO()  # the figure is opaque: RGB, a quarter less to compress and send
        image.convert("RGB").save(buffer, format="png", compress_level=compress_level)
        return buffer.getvalue()

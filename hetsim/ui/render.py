"""Figure output for the page and for downloads: PNG (fast, for every step) and SVG."""

from __future__ import annotations

import io

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


def svg_bytes(figure: Figure) -> bytes:
    """The figure as SVG (for papers: vector, text as paths)."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="svg")
    return buffer.getvalue()


def download_png_bytes(figure: Figure) -> bytes:
    """The figure as a print-quality PNG (150 dpi, default compression)."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=150)
    figure.set_dpi(PNG_DPI)
    return buffer.getvalue()

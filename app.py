"""The hetsim browser UI, for ``solara run app.py`` from a source checkout.

The page lives in the package (:mod:`hetsim.ui.app`), so ``hetsim ui`` also works from an
installed wheel; this file only re-exports it.
"""

from hetsim.ui.app import Page

__all__ = ["Page"]

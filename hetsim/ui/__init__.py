"""The browser UI: a Solara page (:mod:`hetsim.ui.app`) over figures, settings and exports.

Figures (:mod:`hetsim.ui.figures`, :mod:`hetsim.ui.network`) are matplotlib figures built once
per model and updated in place every step; settings (:mod:`hetsim.ui.settings`) resolve what a
page's inputs make of a scenario; :mod:`hetsim.ui.export` and :mod:`hetsim.ui.ensemble` give the
page the same tables and experiments the CLI writes.
"""

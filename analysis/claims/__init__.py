"""The claims suite: every claim hetsim stages, run paired by seed with an ablation each.

``model`` says what a claim is, ``registry`` lists the claims, ``runner`` runs their arms once
each, ``verdict`` judges them by fixed rules, ``table`` writes ``docs/claims.md``, ``suite``
ties them together for ``hetsim claims``. Nothing is imported here, so the command line stays light.
"""

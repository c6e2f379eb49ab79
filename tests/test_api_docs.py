"""docs/api.md is the API's docstrings, rendered: it changes when the code does."""

from __future__ import annotations

import runpy
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_api_reference_matches_the_docstrings():
    render = runpy.run_path(str(ROOT / "docs" / "make_api.py"), run_name="reference")["render"]
    written = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    assert written == render(), "docs/api.md is stale: run `.venv/bin/python docs/make_api.py`"


def test_every_public_name_is_documented():
    from hetsim import api

    for name in api.__all__:
        assert (getattr(api, name).__doc__ or "").strip(), f"hetsim.{name} has no docstring"


def test_the_readme_links_the_tutorial_and_the_reference():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "(docs/tutorial.md)" in readme and "(docs/api.md)" in readme
    assert (ROOT / "docs" / "tutorial.md").exists()

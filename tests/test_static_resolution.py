"""Static tools follow hetsim's imports to the source, as an editor's go-to-definition does.

The four layer folders install as ``hetsim.*`` through setuptools' package-dir mapping; the
editable install is in strict mode (a tree of links, see the Makefile), so a resolver that
reads ``sys.path`` without running import hooks finds every module. jedi is the resolver of
most Python editors (and of IPython's completion).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

jedi = pytest.importorskip("jedi")

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    ("module", "name", "source"),
    [
        ("hetsim.simulation.model", "EcosystemModel", "simulation/model.py"),
        ("hetsim.simulation.learning", "fit_logistic", "simulation/learning/logistic.py"),
        ("hetsim.agents.community", "Community", "agents/community.py"),
        ("hetsim.api", "compare", "hetsim/api.py"),
    ],
)
def test_go_to_definition_reaches_the_source_file(tmp_path, module, name, source):
    probe = tmp_path / "probe.py"
    probe.write_text(f"from {module} import {name}\n{name}\n", encoding="utf-8")
    environment = jedi.create_environment(sys.prefix, safe=False)
    script = jedi.Script(path=str(probe), environment=environment)
    found = script.goto(2, 1, follow_imports=True)
    assert found, f"jedi cannot resolve {module}.{name}"
    assert Path(str(found[0].module_path)).resolve() == ROOT / source

"""hetsim installs under one namespace: no generic top-level package lands in site-packages."""

from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LAYERS = ("simulation", "agents", "scenarios", "analysis")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The wheel a regular ``pip wheel .`` builds from this checkout."""
    out = tmp_path_factory.mktemp("wheel")
    source = out / "source"  # a copy, so the build leaves nothing in the checkout
    shutil.copytree(
        ROOT,
        source,
        ignore=shutil.ignore_patterns(
            ".*", "build", "dist", "results", "test-artifacts", "*.egg-info", "__pycache__"
        ),
    )
    build = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            str(source),
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(out),
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    (out / "build.log").write_text(build.stdout + build.stderr)
    (path,) = out.glob("hetsim-*.whl")
    return path


def test_the_build_warns_of_nothing_in_the_packages_configuration(wheel):
    log = (wheel.parent / "build.log").read_text()
    assert "absent from the `packages` configuration" not in log
    assert "Package would be ignored" not in log


def test_the_wheel_holds_every_layer_under_hetsim_and_nothing_else_at_top_level(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    top = {n.split("/")[0] for n in names if not n.split("/")[0].endswith(".dist-info")}
    assert top == {"hetsim"}
    for layer in LAYERS:
        assert f"hetsim/{layer}/__init__.py" in names
    source_modules = {
        f"hetsim/{p.relative_to(ROOT).as_posix()}"
        for layer in LAYERS
        for p in (ROOT / layer).rglob("*.py")
        if "scripts" not in p.parts  # scenario scripts are examples, not modules
    }
    assert source_modules <= set(names), sorted(source_modules - set(names))
    assert not [n for n in names if n.startswith("hetsim/scenarios/scripts/")]
    assert "hetsim/scenarios/status_quo.toml" in names
    assert "hetsim/scenarios/interventions/audit_regime.toml" in names
    assert "hetsim/ui/app.py" in names  # `hetsim ui` serves the page from the package


def test_the_installed_wheel_imports_as_hetsim_and_not_as_generic_names(wheel, tmp_path):
    target = tmp_path / "site"
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(target)  # what pip install puts in site-packages
    # -S: no site processing, so the editable install of this checkout is not on the path
    probe = (
        "import sys; sys.path[:0] = [sys.argv[1], sys.argv[2]]\n"
        "import hetsim.simulation.model, hetsim.agents, hetsim.scenarios.builder\n"
        "from hetsim.scenarios import list_scenarios\n"
        "assert hetsim.simulation.model.__file__.startswith(sys.argv[1])\n"
        "assert 'status_quo' in list_scenarios()\n"
        "import hetsim\n"
        "assert callable(hetsim.run)  # the API loads from the wheel\n"
        "assert sys.modules['hetsim.api'].__file__.startswith(sys.argv[1])\n"
        "import hetsim.ui.app\n"
        "assert hetsim.ui.app.__file__.startswith(sys.argv[1])\n"
        "for name in ('simulation', 'agents', 'scenarios', 'analysis'):\n"
        "    try:\n"
        "        __import__(name)\n"
        "    except ImportError:\n"
        "        continue\n"
        "    raise SystemExit(f'{name} is importable')\n"
    )
    site = sysconfig.get_paths()["purelib"]
    done = subprocess.run(
        [sys.executable, "-S", "-c", probe, str(target), site],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr


def test_the_editable_install_does_not_expose_generic_names(tmp_path):
    probe = (
        "import hetsim.simulation, hetsim.analysis\n"
        "for name in ('simulation', 'agents', 'scenarios', 'analysis'):\n"
        "    try:\n"
        "        __import__(name)\n"
        "    except ImportError:\n"
        "        continue\n"
        "    raise SystemExit(f'{name} is importable')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr


def _planned(target: str, folder: Path) -> str:
    """The commands ``make`` would run for ``target`` in a fresh checkout (no .venv yet)."""
    for name in ("Makefile", "pyproject.toml"):
        shutil.copy(ROOT / name, folder / name)
    plan = subprocess.run(
        ["make", "-n", target], cwd=folder, capture_output=True, text=True, check=True
    )
    return plan.stdout


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_run_installs_the_runtime_alone_and_make_test_adds_the_dev_extras(tmp_path):
    run = _planned("run", tmp_path)
    assert "pip install" in run and "editable_mode=strict" in run
    assert "[dev]" not in run  # no test tools, linters or browser driver to run hetsim
    assert "'.[dev]'" in _planned("test", tmp_path)

"""Optional extras: a command whose packages are an extra (``ui``, ``explore``) checks them first.

`make run` installs the runtime only; the browser UI and scenario discovery bring ~500 MB of
packages no other command uses (pyproject.toml's ``[project.optional-dependencies]``).
"""

from __future__ import annotations

import importlib.util

from hetsim.simulation.schema import ScenarioError


def require_extra(command: str, extra: str, modules: tuple[str, ...], make: str = "") -> None:
    """Refuse ``command`` when the modules of ``extra`` are not installed, saying how to install
    them (one line; the CLI exits 2)."""
    missing = [name for name in modules if importlib.util.find_spec(name) is None]
    if missing:
        pip = f".venv/bin/pip install -e '.[{extra}]'"
        how = f"make {make} (or: {pip})" if make else pip
        raise ScenarioError(
            f"{command} needs the {extra!r} extra, not installed (missing: "
            f"{', '.join(missing)}); install it with: {how}"
        )

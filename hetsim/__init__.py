"""hetsim: who gains power in the machine-learning ecosystem — an agent-based simulation.

The Python API (``hetsim.run``, ``hetsim.compare``, … — see docs/api.md) lives in
:mod:`hetsim.api` and is loaded on first use, so ``import hetsim`` stays light and importing
one layer (``hetsim.simulation``) never pulls in the others.
"""

from pkgutil import extend_path

# Python started in a source checkout finds this folder first, without the layers beside it;
# the editable install's link tree (build/__editable__.*, on sys.path) holds them all.
__path__ = extend_path(__path__, __name__)

__version__ = "0.1.0"

_API = (
    "DaskExecutor",
    "EcosystemModel",
    "Experiment",
    "ProcessExecutor",
    "Run",
    "Scenario",
    "ScenarioError",
    "SequentialExecutor",
    "branch",
    "build",
    "compare",
    "discover",
    "list_interventions",
    "list_scenarios",
    "load_scenario",
    "optimise",
    "plot_forest",
    "plot_timeseries",
    "query",
    "rank",
    "report",
    "run",
    "sensitivity",
    "sweep",
    "tables",
)

__all__ = ["__version__", *_API]


def __getattr__(name: str):
    """Load the API on first use of one of its names."""
    if name in _API:
        from hetsim import api

        return getattr(api, name)
    raise AttributeError(f"module 'hetsim' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_API})

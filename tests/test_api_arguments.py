"""Every bad argument of the Python API and of the CLI is refused in the caller's own words.

Hypothesis draws a wrong value for one argument of one API function (a wrong type, a bool for
an integer, a string for a list, a number out of range, a path the system cannot hold) and
leaves the others valid. The claim each time: a :class:`hetsim.ScenarioError` whose message
names the Python argument and no command-line flag, and nothing written anywhere. The CLI
counterpart draws bad flag values: exit 2, one message naming the flag, nothing written.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import hetsim
from hetsim.cli import main

SMALL = ["communities.count=3", "annotators.count=3", "large_entities.count=1"]
settings.register_profile(
    "api-arguments",
    max_examples=int(os.environ.get("HETSIM_ARGUMENT_EXAMPLES", "150")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

# Values that are never an integer: hetsim converts nothing (a bool is not an integer).
NOT_INT = st.one_of(
    st.booleans(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=4),
    st.binary(max_size=3),
    st.lists(st.integers(), max_size=2),
)
NEGATIVE = st.integers(max_value=-1)
HUGE = st.integers(min_value=2**64, max_value=2**80)
NOT_LIST = st.one_of(
    st.text(min_size=1, max_size=8),
    st.binary(max_size=4),
    st.integers(),
    st.none(),
    st.lists(st.one_of(st.integers(), st.none(), st.binary(max_size=3)), min_size=1, max_size=3),
)
NOT_BOOL = st.one_of(st.text(max_size=4), st.integers(), st.none(), st.floats())
# A name longer than any file system allows, or not UTF-8 (a byte the terminal could not
# decode arrives as a lone surrogate), or nothing at all.
BAD_PATH_TEXT = st.one_of(
    st.text(alphabet="abcxyz", min_size=256, max_size=400),
    st.builds(lambda s: f"out{s}\udcff", st.text(alphabet="ab", max_size=3)),
    st.just(""),
)
NOT_PATH = st.one_of(st.integers(), st.binary(max_size=4), st.lists(st.text(), max_size=2))


def _calls(out: Path) -> dict[str, tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any]]]:
    """A valid call of each API function (small, short) into ``out``."""
    experiment = {"seeds": 1, "steps": 1, "set": SMALL, "workers": 1, "out": out}
    return {
        "run": (hetsim.run, ("status_quo",), {"set": SMALL, "steps": 1, "out": out}),
        "build": (hetsim.build, ("status_quo",), {"set": SMALL, "seed": 1}),
        "load_scenario": (hetsim.load_scenario, ("status_quo",), {"set": SMALL}),
        "compare": (hetsim.compare, ("status_quo", ["audit_regime"]), experiment),
        "branch": (hetsim.branch, ("status_quo", ["audit_regime"]), {**experiment, "warmup": 1}),
        "sweep": (hetsim.sweep, ("status_quo", ["regulators.count=1,2"]), experiment),
        "sensitivity": (
            hetsim.sensitivity,
            ("status_quo", ["learning.l2=0.5:1.0"]),
            {**experiment, "samples": 2},
        ),
        "report": (hetsim.report, (out,), {}),
        "query": (hetsim.query, (out, "SELECT 1"), {}),
    }


# (function, argument, position if positional, bad values)
EXPERIMENTS = ("compare", "branch", "sweep", "sensitivity")
LOADERS = ("run", "build", "load_scenario")


def _count(above: int) -> st.SearchStrategy[Any]:
    """Not an integer, below 1, or above ``above`` (the documented maximum)."""
    return st.one_of(NOT_INT, st.integers(max_value=0), st.integers(above + 1, above * 10**4))


def _not_one_of(*allowed: str) -> st.SearchStrategy[Any]:
    return st.text(max_size=8).filter(lambda t: t not in allowed)


SEED = st.one_of(NOT_INT, NEGATIVE, HUGE)
SAMPLE_SEED = st.one_of(NOT_INT, NEGATIVE, st.integers(2**32, 2**70))
SCENARIO = st.one_of(NOT_PATH, st.none(), BAD_PATH_TEXT)
CASES: list[tuple[str, str, int | None, st.SearchStrategy[Any]]] = [
    ("run", "seed", None, SEED),
    ("build", "seed", None, SEED),
    ("run", "steps", None, _count(100_000)),
    ("run", "out", None, st.one_of(NOT_PATH, BAD_PATH_TEXT)),
    ("run", "progress", None, NOT_BOOL),
    ("tables", "model", 0, st.one_of(st.none(), st.integers(), st.text())),
    ("report", "out", 0, SCENARIO),
    ("query", "out", 0, SCENARIO),
    ("query", "sql", 1, st.one_of(st.none(), st.integers(), st.just(""), st.just("  "))),
    ("query", "allow_files", None, NOT_BOOL),
    ("sensitivity", "method", None, _not_one_of("morris", "sobol")),
    ("sensitivity", "window", None, _not_one_of("final", "last10pct")),
    ("sensitivity", "metrics", None, NOT_LIST.filter(lambda v: v is not None)),
    ("branch", "warmup", None, _count(99_999)),
    ("load_scenario", "name_or_path", 0, SCENARIO),
    *[(f, "seeds", None, st.one_of(_count(100_000), st.none())) for f in EXPERIMENTS],
    *[(f, "workers", None, _count(1024)) for f in EXPERIMENTS],
    *[(f, "executor", None, st.one_of(st.text(max_size=5), st.integers())) for f in EXPERIMENTS],
    *[(f, "resume", None, NOT_BOOL) for f in EXPERIMENTS],
    *[(f, "out", None, st.one_of(NOT_PATH, BAD_PATH_TEXT)) for f in EXPERIMENTS],
    *[(f, "scenario", 0, SCENARIO) for f in ("run", "build", *EXPERIMENTS)],
    *[(f, "set", None, NOT_LIST) for f in (*LOADERS, *EXPERIMENTS)],
    *[(f, "interventions", None, NOT_LIST) for f in (*LOADERS, "sweep", "sensitivity")],
    *[(f, "interventions", 1, NOT_LIST) for f in ("compare", "branch")],
    *[(f, "params", 1, NOT_LIST) for f in ("sweep", "sensitivity")],
    *[(f, "samples", None, _count(1_000_000)) for f in ("sweep", "sensitivity")],
    *[(f, "sample_seed", None, SAMPLE_SEED) for f in ("sweep", "sensitivity")],
]


@contextlib.contextmanager
def empty_folder() -> Iterator[Path]:
    """A fresh working folder, left again afterwards."""
    before = Path.cwd()
    with tempfile.TemporaryDirectory() as folder:
        os.chdir(folder)
        try:
            yield Path(folder)
        finally:
            os.chdir(before)


def _written(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


@settings(settings.get_profile("api-arguments"))
@given(data=st.data())
def test_every_bad_api_argument_is_a_scenario_error_naming_the_keyword(data):
    function, argument, position, values = data.draw(st.sampled_from(CASES), label="case")
    value = data.draw(values, label="value")
    with empty_folder() as folder:
        out = folder / "out"
        if function == "tables":
            call, args, kwargs = hetsim.tables, (None,), {}
        else:
            call, args, kwargs = _calls(out)[function]
        args, kwargs = list(args), dict(kwargs)
        if position is not None:
            args[position] = value
        else:
            kwargs[argument] = value
        with pytest.raises(hetsim.ScenarioError) as raised:
            call(*args, **kwargs)
        message = str(raised.value)
        assert message.startswith(argument) or f" {argument}" in message.split(":")[0], message
        assert "--" not in message and "Traceback" not in message, message
        assert _written(folder) == []


# (flag, bad values as the command line would carry them)
FLAG_CASES = [
    ("--seeds", st.one_of(st.integers(max_value=0), st.integers(100_001, 10**15)).map(str)),
    ("--workers", st.one_of(st.integers(max_value=0), st.integers(1025, 10**9)).map(str)),
    ("--steps", st.one_of(st.integers(max_value=0), st.integers(100_001, 10**9)).map(str)),
    ("--out", st.one_of(BAD_PATH_TEXT)),
    ("--warmup", st.one_of(st.integers(max_value=0), st.integers(100_000, 10**9)).map(str)),
    ("--sample-seed", st.one_of(NEGATIVE, st.integers(2**32, 2**70)).map(str)),
    ("--samples", st.one_of(st.integers(max_value=0), st.integers(1_000_001, 10**12)).map(str)),
]
COMMANDS = {
    "--seeds": ["compare", "status_quo", "--intervention", "audit_regime"],
    "--workers": ["compare", "status_quo", "--intervention", "audit_regime"],
    "--steps": ["compare", "status_quo", "--intervention", "audit_regime"],
    "--out": ["compare", "status_quo", "--intervention", "audit_regime"],
    "--warmup": ["branch", "status_quo", "--intervention", "audit_regime"],
    "--sample-seed": ["sweep", "status_quo", "--param", "learning.l2=0.5:1", "--samples", "2"],
    "--samples": ["sweep", "status_quo", "--param", "learning.l2=0.5:1"],
}


@settings(settings.get_profile("api-arguments"))
@given(data=st.data())
def test_every_bad_flag_is_exit_2_naming_the_flag(data, capsys):
    flag, values = data.draw(st.sampled_from(FLAG_CASES), label="flag")
    value = data.draw(values, label="value")
    with empty_folder() as folder:
        argv = [*COMMANDS[flag], *(s for t in SMALL for s in ("--set", t)), "--quiet"]
        if flag == "--warmup" or "--out" not in argv:
            argv += ["--steps", "1"] if flag != "--steps" else []
        code = main([*argv, flag, value])
        err = capsys.readouterr().err.strip()
        assert code == 2
        assert err.startswith("hetsim: error: ") and "\n" not in err, err
        assert flag in err, err
        assert _written(folder) == []


@pytest.mark.parametrize("host", ["", "not a host!", "256.0.0.1", "0.0.0.0"])
def test_ui_serves_only_on_a_loopback_address_it_can_bind(host, capsys):
    assert main(["ui", "--host", host]) == 2
    err = capsys.readouterr()
    assert "--host" in err.err and "serving on" not in err.out


def test_ui_refuses_a_port_in_use_before_saying_it_serves(capsys):
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        assert main(["ui", "--port", str(busy.getsockname()[1])]) == 2
    err = capsys.readouterr()
    assert "cannot serve there" in err.err and "serving on" not in err.out

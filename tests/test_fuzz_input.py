"""Fuzzing the CLI's inputs: every malformed value is exit 2 and one message, never a run.

Hypothesis writes a wrong value (wrong type, out of range, inf/nan, unknown choice or key) for
a key drawn from the whole schema, at every nesting level, into one of the three layers a user
writes: the scenario file, an intervention file, or ``--set``. The claim checked each time:
exit code 2, one ``hetsim: error:`` message blaming that layer and naming the dotted key, no
traceback, and no run started. ``HETSIM_FUZZ=nightly`` runs many more examples.
"""

from __future__ import annotations

import math
import os
import typing
from dataclasses import dataclass

import annotated_types as at
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from hetsim.cli import main
from hetsim.simulation.schema import Scenario

# capsys and the no-run guard are per test; each example reads its own output first.
SUPPRESSED = [HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
settings.register_profile("ci", max_examples=300, deadline=None, suppress_health_check=SUPPRESSED)
settings.register_profile(
    "nightly", max_examples=5000, deadline=None, suppress_health_check=SUPPRESSED
)
PROFILE = "nightly" if os.environ.get("HETSIM_FUZZ") == "nightly" else "ci"
# Strategy names are checked against the strategies' plug-in mapping when a model is built.
NOT_FUZZED = {"communities.strategy", "communities.strategies"}
INF_ALLOWED = ("epsilon",)  # DP budgets: inf means "no noise"


@dataclass(frozen=True)
class Leaf:
    """One key of the schema: its dotted path (list items as .0), type and bounds."""

    path: tuple[str, ...]
    annotation: typing.Any
    bounds: tuple[typing.Any, ...]

    @property
    def key(self) -> str:
        return ".".join(self.path)


def _is_model(annotation) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def leaves(model=Scenario, prefix: tuple[str, ...] = ()) -> list[Leaf]:
    """Every leaf key of the schema, walking into sections and lists of sections."""
    out = []
    for name, field in model.model_fields.items():
        path = (*prefix, name)
        ann = field.annotation
        if _is_model(ann):
            out += leaves(ann, path)
        elif typing.get_origin(ann) is list and _is_model(typing.get_args(ann)[0]):
            out += leaves(typing.get_args(ann)[0], (*path, "0"))
        elif ".".join(path) not in NOT_FUZZED:
            out.append(Leaf(path, ann, tuple(field.metadata)))
    return out


def tables(model=Scenario, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every table of the schema (the top level included), where unknown keys can go."""
    out = [prefix]
    for name, field in model.model_fields.items():
        if _is_model(field.annotation):
            out += tables(field.annotation, (*prefix, name))
    return out


LEAVES = leaves()
TABLES = tables()
SHOCK_REQUIRED = {"step": 1}  # a shock table needs its step to be a shock at all


# ----------------------------------------------------------------------- wrong values

words = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=8)
unknown_word = words.map(lambda w: f"zz_{w}")
fractional = st.floats(allow_nan=False, allow_infinity=False).filter(lambda x: x != int(x))


def wrong_values(leaf: Leaf) -> st.SearchStrategy:
    """Values the schema must refuse for ``leaf`` (no conversion, no clipping)."""
    ann, name = leaf.annotation, leaf.path[-1]
    text = st.one_of(words, st.sampled_from(["40", "0.5", "true", "yes", "inf", ""]))
    options: list[st.SearchStrategy] = [st.lists(st.integers(), min_size=1, max_size=2)]
    if ann is bool:
        options += [st.integers(), st.floats(allow_nan=False), text]
    elif ann is int:
        options += [text, st.booleans(), fractional, st.integers(-5, 5).map(float)]
        options += _outside(leaf.bounds, st.integers)
    elif ann is float:
        options += [text, st.booleans(), st.just(math.nan)]
        if not any(word in name for word in INF_ALLOWED):
            options += [st.just(math.inf), st.just(-math.inf)]
        options += _outside(leaf.bounds, lambda **kw: st.floats(allow_nan=False, **kw))
    elif ann is str:
        options += [st.integers(), st.booleans(), st.floats(allow_nan=False)]
    elif typing.get_origin(ann) is typing.Literal:
        options += [st.integers(), st.booleans(), unknown_word]
    elif typing.get_origin(ann) is list:
        options = [st.integers(), words, st.lists(st.booleans(), min_size=1, max_size=2)]
    elif typing.get_origin(ann) is dict:
        options = [st.integers(), words, st.dictionaries(unknown_word, st.floats(0, 1), min_size=1)]
    else:  # pragma: no cover - a new kind of field needs a line above
        raise AssertionError(f"no wrong values for {leaf.key}: {ann}")
    return st.one_of(options)


def _outside(bounds, numbers) -> list[st.SearchStrategy]:
    """Numbers just beyond each bound (ge, gt, le, lt) of a field."""
    out = []
    for bound in bounds:
        if isinstance(bound, at.Ge):
            out.append(numbers(max_value=_step(bound.ge, -1)))
        elif isinstance(bound, at.Gt):
            out.append(numbers(max_value=bound.gt))
        elif isinstance(bound, at.Le):
            out.append(numbers(min_value=_step(bound.le, +1)))
        elif isinstance(bound, at.Lt):
            out.append(numbers(min_value=bound.lt))
    return out


def _step(bound, direction: int):
    """The nearest value past ``bound``: one integer, or a millionth for numbers."""
    return bound + direction * (1e-6 if isinstance(bound, float) else 1)


def toml_literal(value) -> str:
    """A Python value as a TOML literal (inline tables and arrays included)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, list):
        return "[" + ", ".join(toml_literal(v) for v in value) + "]"
    return "{" + ", ".join(f"{k} = {toml_literal(v)}" for k, v in value.items()) + "}"


@st.composite
def bad_entries(draw) -> tuple[tuple[str, ...], object]:
    """A (dotted path, value) the schema must refuse: a wrong value, or an unknown key."""
    if draw(st.integers(0, 4)) == 0:
        table = draw(st.sampled_from(TABLES))
        return (*table, draw(unknown_word)), draw(st.integers(0, 9))
    leaf = draw(st.sampled_from(LEAVES))
    return leaf.path, draw(wrong_values(leaf))


def toml_file(path: tuple[str, ...], value) -> str:
    """A TOML file setting one (possibly nested, possibly in a shock) key."""
    if "0" in path:  # inside the shocks list: one shock with its required step
        i = path.index("0")
        shock = {**SHOCK_REQUIRED, path[i + 1]: value}
        return f"[[{'.'.join(path[:i])}]]\n" + "".join(
            f"{k} = {toml_literal(v)}\n" for k, v in shock.items()
        )
    head = f"[{'.'.join(path[:-1])}]\n" if len(path) > 1 else ""
    return f"{head}{path[-1]} = {toml_literal(value)}\n"


# ----------------------------------------------------------------------------- claims


@pytest.fixture
def no_run(monkeypatch):
    """Fail the test if a run starts: bad input must stop before any work."""

    def refuse(*args, **kwargs):
        raise AssertionError("a run started on invalid input")

    monkeypatch.setattr("hetsim.api.run_with_manifest", refuse)
    monkeypatch.setattr("hetsim.analysis.runner.run_with_manifest", refuse)


def assert_refused(code: int, err: str, source: str, key: str) -> None:
    assert code == 2, err
    assert "Traceback" not in err, err
    assert err.startswith("hetsim: error: ") and err.count("hetsim: error:") == 1, err
    assert err.startswith(f"hetsim: error: {source}"), err
    assert key in err, err


@settings.get_profile(PROFILE)
@given(entry=bad_entries(), layer=st.sampled_from(["scenario", "intervention", "--set"]))
def test_every_malformed_value_is_refused_with_one_message_naming_layer_and_key(
    entry, layer, tmp_path_factory, capsys, no_run
):
    path, value = entry
    key = ".".join(path)
    folder = tmp_path_factory.mktemp("fuzz")
    out = ["--out", str(folder / "out"), "--steps", "1", "--quiet"]
    if layer == "--set" and "0" not in path:  # list items are set whole, in files
        argv, source = ["run", "status_quo", "--set", f"{key}={toml_literal(value)}"], "--set "
    elif layer == "intervention" and path[0] != "run":  # interventions may not touch run.*
        (folder / "nudge.toml").write_text(toml_file(path, value), encoding="utf-8")
        argv, source = (
            ["run", "status_quo", "--intervention", str(folder / "nudge.toml")],
            ("nudge.toml (intervention): "),
        )
    else:
        (folder / "world.toml").write_text(toml_file(path, value), encoding="utf-8")
        argv, source = ["run", str(folder / "world.toml")], "world.toml: "
    capsys.readouterr()
    code = main([*argv, *out])
    err = capsys.readouterr().err
    shown_key = key if "0" not in path else ".".join(path[: path.index("0") + 1])
    assert_refused(code, err, source, shown_key)


@settings.get_profile(PROFILE)
@given(data=st.binary(min_size=1, max_size=200))
def test_any_bytes_as_a_file_are_run_or_refused_never_a_traceback(
    data, tmp_path_factory, capsys, no_run
):
    folder = tmp_path_factory.mktemp("bytes")
    (folder / "blob.toml").write_bytes(data)
    capsys.readouterr()
    try:
        code = main(["run", str(folder / "blob.toml"), "--out", str(folder / "o"), "--quiet"])
    except AssertionError:  # the bytes happened to be a valid scenario: a run was asked for
        return
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err and err.count("hetsim: error:") == 1, err
    assert "blob.toml" in err


@settings.get_profile(PROFILE)
@given(text=st.text(max_size=30))
def test_any_set_text_without_a_known_key_is_refused(text, tmp_path, capsys, no_run):
    capsys.readouterr()
    code = main(["run", "status_quo", "--set", f"zz{text}", "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err and err.startswith("hetsim: error: --set"), err


COMPARE = ["compare", "status_quo", "--intervention", "audit_regime"]


@pytest.mark.parametrize(
    ("argv", "named"),
    [
        (["run", "status_quo", "--steps", "0"], "--steps"),
        (["run", "status_quo", "--steps", "100001"], "--steps"),
        (["run", "status_quo", "--seed", "-1"], "--seed"),
        (["run", "refugee_influx", "--steps", "5"], "data.shocks.0.step"),
        (["run", ""], "scenario ''"),
        (["run", "."], "is a folder"),
        (["run", "status_quo", "--intervention", ".."], "is a folder"),
        ([*COMPARE, "--seeds", "0"], "--seeds"),
        ([*COMPARE, "--workers", "0"], "--workers"),
        ([*COMPARE, "--steps", "0"], "--steps"),
        (["sweep", "status_quo", "--param", "communities.count=3,4", "--set",
          "communities.count=5"], "--param communities.count"),
        (["query", "/no/such/folder", "select 1"], "no such folder"),
        (["report", "/no/such/folder"], "no such folder"),
    ],
)  # fmt: skip
def test_bad_flags_are_one_message_and_exit_2(argv, named, capsys, no_run, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and err.count("hetsim: error:") == 1 and named in err, err


@pytest.mark.parametrize("command", ["run", "compare"])
def test_an_out_that_cannot_hold_results_is_refused_before_any_work(command, tmp_path, capsys):
    a_file = tmp_path / "taken"
    a_file.write_text("not a folder")
    extra = ["--intervention", "audit_regime"] if command == "compare" else []
    for out in (a_file, a_file / "below", "/proc/hetsim-results"):
        assert main([command, "status_quo", *extra, "--out", str(out)]) == 2
        err = capsys.readouterr().err
        assert err.startswith(f"hetsim: error: --out {out}"), err
    assert a_file.read_text() == "not a folder"

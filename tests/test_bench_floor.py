"""The floor benchmark measures what it names: every kernel a step runs, each counted once."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from hetsim.simulation.learning import logistic, newton

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def bench_floor():
    spec = importlib.util.spec_from_file_location(
        "bench_floor", ROOT / "benchmarks" / "bench_floor.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_floor"] = module  # its dataclasses look themselves up there
    spec.loader.exec_module(module)
    return module


def test_every_kernel_of_a_default_step_is_reached_and_then_put_back(bench_floor):
    # A kernel moved or renamed would no longer be wrapped: its calls would read 0 and its
    # time would silently land in "orchestration".
    floor = bench_floor.measure(communities=8, steps=2, warmup=1, seed=0)
    missed = [kernel for kernel in bench_floor.KERNELS if not floor.calls.get(kernel)]
    assert missed == []
    assert floor.work.fits > 0 and floor.work.flops > 0 and floor.work.row_iterations > 0
    assert 0.0 < floor.orchestration < floor.total
    # the wrappers are gone once measured: the solver a model uses is the solver again
    assert logistic.solve is newton.solve and not hasattr(newton.solve, "__wrapped__")


def test_a_kernel_called_inside_another_counts_only_for_itself(bench_floor):
    ticks = iter([0.0, 1.0, 3.0, 4.0])  # outer enters, inner enters, inner leaves, outer leaves
    clock = bench_floor.Clock(now=lambda: next(ticks))
    inner = clock.wrap("inner", lambda: None)
    outer = clock.wrap("outer", lambda: inner())
    outer()
    assert clock.spent == {"outer": 2.0, "inner": 2.0}
    assert clock.calls == {"outer": 1, "inner": 1}

"""The speed suite in one invocation, written to one Markdown file with the machine line.

Runs every benchmark of ``make bench`` one after the other, each in a fresh process of this
checkout's interpreter, and writes what each printed (its Markdown tables) under one header:
the date, the commit, the processor, cores and memory, the load average before and after each
benchmark, and the versions of Python and of the libraries the step runs on. Nothing is copied
by hand: ``benchmarks/results.md`` discusses these files, they are the figures.

    .venv/bin/python benchmarks/suite.py [--out benchmarks/latest.md] [--baseline DIR] [--quick]

``--baseline DIR`` (an earlier checkout with its own ``.venv``) adds the side-by-side ratio of
whole runs (``bench_versions.py``); ``--quick`` runs smaller sizes (a smoke run of the suite).
A benchmark that fails is reported with the end of its error output, and the others still run.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import importlib.util
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
LIBRARIES = ("numpy", "scipy", "scikit-learn", "pandas", "mesa", "dask", "distributed")


def benchmarks(quick: bool, baseline: str | None) -> list[list[str]]:
    """Each benchmark's script and arguments, in the order they run."""
    sizes = "40,300" if quick else "40,1000"
    suite = [
        ["bench_floor.py", "--sizes", sizes, "--steps", "10" if quick else "30"],
        ["bench_naive.py", "--communities", "40", "--steps", "3" if quick else "10"],
        [
            "bench_ensemble.py",
            "--runs",
            "4" if quick else "40",
            "--steps",
            "10" if quick else "20",
            "--batches",
            "2",
        ],
        ["bench_trainer.py"],
        ["bench_scale.py", "--sizes", "300,1000" if quick else "1000,3000,10000"],
    ]
    if shutil.which("chromium") and importlib.util.find_spec("solara") is not None:
        # the browser UI's play rate, when Debian's Chromium and the ui extra are installed
        suite.append(
            ["bench_ui.py", "--browser", "--steps", "15", "--seconds", "8" if quick else "15"]
        )
    if baseline:
        suite.append(
            [
                "bench_versions.py",
                "--baseline",
                baseline,
                "--communities",
                sizes,
                "--steps",
                "20" if quick else "100",
                "--rounds",
                "2" if quick else "5",
            ]
        )
    return suite


def machine_line() -> list[str]:
    """Where and on what the figures were measured."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem = next(
            line.split()[1]
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        )
        memory = f"{int(mem) / 2**20:.0f} GiB"
    except (OSError, StopIteration, ValueError):
        memory = "unknown memory"
    versions = ", ".join(f"{name} {_version(name)}" for name in LIBRARIES)
    return [
        f"**Date**: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}",
        f"**Commit**: {_commit()}",
        f"**Machine**: {cpu}, {os.cpu_count()} cores, {memory}; {platform.platform()}",
        f"**Software**: Python {platform.python_version()}, {versions}; one BLAS thread",
        f"**Load average** (1, 5, 15 min) at the start: {_load()}",
    ]


def _version(name: str) -> str:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "absent"


def _commit() -> str:
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=ROOT,
            capture_output=True,
            text=True,
        ).stdout.strip()
    except OSError:
        return "unknown (no git)"
    return f"{head}{' with uncommitted changes' if dirty else ''}" if head else "unknown"


def _load() -> str:
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE / "latest.md")
    parser.add_argument("--baseline", default=None, help="an earlier checkout with its .venv")
    parser.add_argument("--quick", action="store_true", help="smaller sizes: a smoke run")
    args = parser.parse_args()
    lines = ["# Speed suite", "", *(f"{item}  " for item in machine_line()), ""]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for command in benchmarks(args.quick, args.baseline):
        title = " ".join(command)
        print(f"running {title}", file=sys.stderr, flush=True)
        before, start = _load(), time.perf_counter()
        done = subprocess.run(
            [sys.executable, str(HERE / command[0]), *command[1:]],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
        )
        spent = time.perf_counter() - start
        lines += [
            f"## `{title}`",
            "",
            f"{spent:.0f} s; load average before {before}, after {_load()}",
            "",
        ]
        if done.returncode:
            tail = "\n".join(done.stderr.strip().splitlines()[-15:])
            lines += [f"**failed** (exit {done.returncode}):", "", "```", tail, "```", ""]
        # the benchmark's own headings sit below this one
        output = [f"##{x}" if x.startswith("#") else x for x in done.stdout.splitlines()]
        lines += ["\n".join(output).strip(), ""]
    args.out.write_text("\n".join(lines) + "\n")
    print(f"wrote {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
